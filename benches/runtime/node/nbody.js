// n-body: the Computer Language Benchmarks Game's planetary simulation, floats only.
//
// Self-check: the energy after 1000 steps is the benchmarks game's published
// answer, and after the timed steps it matches this script's reference to 9
// decimals (any build that reorders or fuses the float operations differs).
// The last line of stdout is {"hot_seconds": …}: the timed steps only.
"use strict";

const PI = Math.PI;
const SOLAR_MASS = 4 * PI * PI;
const DAYS_PER_YEAR = 365.24;
const STEPS = 1000000;
// Energies printed to 9 decimals, as the benchmarks game prints them.
const EXPECTED = new Map([[1000, "-0.169087605"], [1000 + STEPS, "-0.169050365"]]);

function body(x, y, z, vx, vy, vz, mass) {
  return { x, y, z, vx: vx * DAYS_PER_YEAR, vy: vy * DAYS_PER_YEAR, vz: vz * DAYS_PER_YEAR, mass: mass * SOLAR_MASS };
}

function bodies() {
  return [
    body(0, 0, 0, 0, 0, 0, 1),
    body(4.84143144246472090e00, -1.16032004402742839e00, -1.03622044471123109e-01,
      1.66007664274403694e-03, 7.69901118419740425e-03, -6.90460016972063023e-05, 9.54791938424326609e-04),
    body(8.34336671824457987e00, 4.12479856412430479e00, -4.03523417114321381e-01,
      -2.76742510726862411e-03, 4.99852801234917238e-03, 2.30417297573763929e-05, 2.85885980666130812e-04),
    body(1.28943695621391310e01, -1.51111514016986312e01, -2.23307578892655734e-01,
      2.96460137564761618e-03, 2.37847173959480950e-03, -2.96589568540237556e-05, 4.36624404335156298e-05),
    body(1.53796971148509165e01, -2.59193146099879641e01, 1.79258772950371181e-01,
      2.68067772490389322e-03, 1.62824170038242295e-03, -9.51592254519715870e-05, 5.15138902046611451e-05),
  ];
}

function offsetMomentum(system) {
  let px = 0, py = 0, pz = 0;
  for (const b of system) {
    px += b.vx * b.mass;
    py += b.vy * b.mass;
    pz += b.vz * b.mass;
  }
  system[0].vx = -px / SOLAR_MASS;
  system[0].vy = -py / SOLAR_MASS;
  system[0].vz = -pz / SOLAR_MASS;
}

function energy(system) {
  let e = 0;
  for (let i = 0; i < system.length; i++) {
    const a = system[i];
    e += 0.5 * a.mass * (a.vx * a.vx + a.vy * a.vy + a.vz * a.vz);
    for (let j = i + 1; j < system.length; j++) {
      const b = system[j];
      const dx = a.x - b.x, dy = a.y - b.y, dz = a.z - b.z;
      e -= (a.mass * b.mass) / Math.sqrt(dx * dx + dy * dy + dz * dz);
    }
  }
  return e;
}

function advance(system, dt, n) {
  for (let step = 0; step < n; step++) {
    for (let i = 0; i < system.length; i++) {
      const a = system[i];
      for (let j = i + 1; j < system.length; j++) {
        const b = system[j];
        const dx = a.x - b.x, dy = a.y - b.y, dz = a.z - b.z;
        const d2 = dx * dx + dy * dy + dz * dz;
        const mag = dt / (d2 * Math.sqrt(d2));
        const ba = a.mass * mag, bb = b.mass * mag;
        a.vx -= dx * bb; a.vy -= dy * bb; a.vz -= dz * bb;
        b.vx += dx * ba; b.vy += dy * ba; b.vz += dz * ba;
      }
    }
    for (const b of system) {
      b.x += dt * b.vx;
      b.y += dt * b.vy;
      b.z += dt * b.vz;
    }
  }
}

function check(system, steps) {
  const got = energy(system).toFixed(9);
  if (got !== EXPECTED.get(steps)) {
    console.error(`nbody self-check failed: energy after ${steps} steps is ${got}, expected ${EXPECTED.get(steps)}`);
    process.exit(1);
  }
}

const system = bodies();
offsetMomentum(system);
advance(system, 0.01, 1000);
check(system, 1000);
const start = process.hrtime.bigint();
advance(system, 0.01, STEPS);
const hot = Number(process.hrtime.bigint() - start) / 1e9;
check(system, 1000 + STEPS);
console.log(JSON.stringify({ hot_seconds: hot }));
