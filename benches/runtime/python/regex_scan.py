"""Regular expressions: scan a generated log for e-mail addresses, IPv4 addresses
and dated error lines, and rewrite the dates, as log tooling does.

Self-check: the counts equal what the generator put in, and the rewritten text
holds exactly as many rewritten dates. The last line of stdout is {"hot_seconds": …}.
"""
import re
import sys
import time

LINES = 12_000
ROUNDS = 2


def lcg(seed):
    state = seed
    while True:
        state = (state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        yield state >> 11


def log(seed):
    rng = lcg(seed)
    names = ["ada", "brian", "chloé", "dmitri", "eve", "farah"]
    lines, expected = [], {"email": 0, "ip": 0, "error": 0}
    for i in range(LINES):
        r = next(rng)
        day = f"2024-{1 + r % 12:02d}-{1 + (r >> 4) % 28:02d}"
        parts = [day, f"{(r >> 9) % 24:02d}:{(r >> 14) % 60:02d}:{(r >> 20) % 60:02d}"]
        if r % 3 == 0:
            parts.append("ERROR")
            expected["error"] += 1
        else:
            parts.append("info")
        parts.append(f"request {i} served in {(r >> 26) % 1000} ms")
        if r % 5 == 0:
            parts.append(f"from {(r >> 30) % 256}.{(r >> 38) % 256}.{(r >> 46) % 256}.{(r >> 3) % 256}")
            expected["ip"] += 1
        if r % 7 == 0:
            parts.append(f"by {names[(r >> 33) % len(names)]}{(r >> 40) % 100}@example{(r >> 44) % 9}.org")
            expected["email"] += 1
        lines.append(" ".join(parts))
    return "\n".join(lines) + "\n", expected


EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
IP = re.compile(r"\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b")
ERROR = re.compile(r"^(\d{4})-(\d{2})-(\d{2}) [\d:]+ ERROR .*$", re.MULTILINE)
DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})", re.MULTILINE)


def main():
    text, expected = log(7)
    start = time.perf_counter()
    for _ in range(ROUNDS):
        got = {
            "email": len(EMAIL.findall(text)),
            "ip": len(IP.findall(text)),
            "error": sum(1 for _ in ERROR.finditer(text)),
        }
        rewritten, n = DATE.subn(r"\3/\2/\1", text)
    hot = time.perf_counter() - start
    if got != expected:
        sys.exit(f"regex self-check failed: found {got}, the generator wrote {expected}")
    if n != LINES or len(re.findall(r"^\d{2}/\d{2}/\d{4} ", rewritten, re.MULTILINE)) != LINES:
        sys.exit(f"regex self-check failed: rewrote {n} dates of {LINES}")
    print('{"hot_seconds": %r}' % hot)


main()
