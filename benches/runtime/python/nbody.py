"""n-body: the Computer Language Benchmarks Game's planetary simulation, floats only.

Self-check: the energy after 1000 steps is the benchmarks game's published
answer, and after the timed steps it matches this script's reference to 9
decimals (any build that reorders or fuses the float operations differs).
The last line of stdout is {"hot_seconds": …}: the timed steps only.
"""
import sys
import time

PI = 3.14159265358979323
SOLAR_MASS = 4 * PI * PI
DAYS_PER_YEAR = 365.24
STEPS = 40_000
# Energies printed to 9 decimals, as the benchmarks game prints them.
EXPECTED = {1000: "-0.169087605", 1000 + STEPS: "-0.169026163"}


def bodies():
    def body(x, y, z, vx, vy, vz, mass):
        return [[x, y, z], [vx * DAYS_PER_YEAR, vy * DAYS_PER_YEAR, vz * DAYS_PER_YEAR], mass * SOLAR_MASS]

    return [
        body(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0),
        body(4.84143144246472090e00, -1.16032004402742839e00, -1.03622044471123109e-01,
             1.66007664274403694e-03, 7.69901118419740425e-03, -6.90460016972063023e-05,
             9.54791938424326609e-04),
        body(8.34336671824457987e00, 4.12479856412430479e00, -4.03523417114321381e-01,
             -2.76742510726862411e-03, 4.99852801234917238e-03, 2.30417297573763929e-05,
             2.85885980666130812e-04),
        body(1.28943695621391310e01, -1.51111514016986312e01, -2.23307578892655734e-01,
             2.96460137564761618e-03, 2.37847173959480950e-03, -2.96589568540237556e-05,
             4.36624404335156298e-05),
        body(1.53796971148509165e01, -2.59193146099879641e01, 1.79258772950371181e-01,
             2.68067772490389322e-03, 1.62824170038242295e-03, -9.51592254519715870e-05,
             5.15138902046611451e-05),
    ]


def offset_momentum(system):
    px = py = pz = 0.0
    for (_, v, m) in system:
        px += v[0] * m
        py += v[1] * m
        pz += v[2] * m
    v = system[0][1]
    v[0] = -px / SOLAR_MASS
    v[1] = -py / SOLAR_MASS
    v[2] = -pz / SOLAR_MASS


def energy(system):
    e = 0.0
    for i, (r1, v1, m1) in enumerate(system):
        e += 0.5 * m1 * (v1[0] * v1[0] + v1[1] * v1[1] + v1[2] * v1[2])
        for (r2, _, m2) in system[i + 1:]:
            dx, dy, dz = r1[0] - r2[0], r1[1] - r2[1], r1[2] - r2[2]
            e -= (m1 * m2) / ((dx * dx + dy * dy + dz * dz) ** 0.5)
    return e


def advance(system, dt, n):
    pairs = [(system[i], system[j]) for i in range(len(system)) for j in range(i + 1, len(system))]
    for _ in range(n):
        for ((r1, v1, m1), (r2, v2, m2)) in pairs:
            dx, dy, dz = r1[0] - r2[0], r1[1] - r2[1], r1[2] - r2[2]
            d2 = dx * dx + dy * dy + dz * dz
            mag = dt / (d2 * d2 ** 0.5)
            b1, b2 = m1 * mag, m2 * mag
            v1[0] -= dx * b2
            v1[1] -= dy * b2
            v1[2] -= dz * b2
            v2[0] += dx * b1
            v2[1] += dy * b1
            v2[2] += dz * b1
        for (r, v, _) in system:
            r[0] += dt * v[0]
            r[1] += dt * v[1]
            r[2] += dt * v[2]


def check(system, steps):
    got = "%.9f" % energy(system)
    if got != EXPECTED[steps]:
        sys.exit(f"nbody self-check failed: energy after {steps} steps is {got}, expected {EXPECTED[steps]}")


def main():
    system = bodies()
    offset_momentum(system)
    advance(system, 0.01, 1000)
    check(system, 1000)
    start = time.perf_counter()
    advance(system, 0.01, STEPS)
    hot = time.perf_counter() - start
    check(system, 1000 + STEPS)
    print('{"hot_seconds": %r}' % hot)


main()
