"""JSON: encode and decode a generated document of records (ints, floats that need
all 17 digits, strings with escapes and non-ASCII, nested lists and objects).

Self-check: every decoded document equals the original, and the encoding holds the
escapes the document calls for. The last line of stdout is {"hot_seconds": …}.
"""
import json
import sys
import time

RECORDS = 2_000
ROUNDS = 12


def lcg(seed):
    state = seed
    while True:
        state = (state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        yield state >> 11


def document(seed):
    rng = lcg(seed)
    words = ["alpha", "beta", "gamma", "delta", "épsilon", "ζeta", 'qu"ote', "back\\slash", "tab\there", "line\nbreak"]
    records = []
    for i in range(RECORDS):
        r = next(rng)
        records.append({
            "id": i,
            "key": f"user-{r % 100_000:05d}",
            "score": (r % (1 << 40)) / float(1 << 40),
            "big": r,
            "neg": -(r % 1_000_003),
            "active": bool(r & 1),
            "missing": None,
            "tags": [words[(r >> s) % len(words)] for s in range(0, 24, 6)],
            "geo": {"lat": ((r >> 3) % 180_000_000) / 1e6 - 90.0, "lon": ((r >> 7) % 360_000_000) / 1e6 - 180.0},
        })
    return {"version": 1, "records": records}


def main():
    doc = document(42)
    start = time.perf_counter()
    for _ in range(ROUNDS):
        text = json.dumps(doc)
        back = json.loads(text)
    hot = time.perf_counter() - start
    if back != doc:
        bad = next((i for i, (a, b) in enumerate(zip(doc["records"], back["records"])) if a != b), None)
        sys.exit(f"json self-check failed: the decoded document differs from the original (first at record {bad})")
    for escape in ['\\"', "\\\\", "\\t", "\\n", "\\u00e9", "\\u03b6"]:
        if escape not in text:
            sys.exit(f"json self-check failed: the encoding holds no {escape}")
    print('{"hot_seconds": %r}' % hot)


main()
