// JSON: encode and decode a generated document of records (integers, floats that
// need all 17 digits, strings with escapes and non-ASCII, nested arrays and objects).
//
// Self-check: every decoded document equals the original, and the encoding holds
// the escapes the document calls for. The last line of stdout is {"hot_seconds": …}.
"use strict";
const assert = require("node:assert");

const RECORDS = 2000;
const ROUNDS = 15;

function* lcg(seed) {
  const M = (1n << 64n) - 1n;
  let state = BigInt(seed);
  for (;;) {
    state = (state * 6364136223846793005n + 1442695040888963407n) & M;
    yield state >> 11n;
  }
}

function document(seed) {
  const rng = lcg(seed);
  const words = ["alpha", "beta", "gamma", "delta", "épsilon", "ζeta", 'qu"ote', "back\\slash", "tab\there", "line\nbreak"];
  const records = [];
  for (let i = 0; i < RECORDS; i++) {
    const r = rng.next().value;
    const n = (shift, mod) => Number((r >> BigInt(shift)) % BigInt(mod));
    records.push({
      id: i,
      key: `user-${String(n(0, 100000)).padStart(5, "0")}`,
      score: n(0, 2 ** 40) / 2 ** 40,
      big: n(0, 2 ** 52),
      neg: -n(0, 1000003),
      active: n(0, 2) === 1,
      missing: null,
      tags: [0, 6, 12, 18].map((s) => words[n(s, words.length)]),
      geo: { lat: n(3, 180000000) / 1e6 - 90, lon: n(7, 360000000) / 1e6 - 180 },
    });
  }
  return { version: 1, records };
}

const doc = document(42);
let text, back;
const start = process.hrtime.bigint();
for (let i = 0; i < ROUNDS; i++) {
  text = JSON.stringify(doc);
  back = JSON.parse(text);
}
const hot = Number(process.hrtime.bigint() - start) / 1e9;
try {
  assert.deepStrictEqual(back, doc);
} catch (e) {
  console.error(`json self-check failed: the decoded document differs from the original: ${e.message.split("\n")[0]}`);
  process.exit(1);
}
for (const escape of ['\\"', "\\\\", "\\t", "\\n"]) {
  if (!text.includes(escape)) {
    console.error(`json self-check failed: the encoding holds no ${escape}`);
    process.exit(1);
  }
}
if (!text.includes("épsilon") || !text.includes("ζeta")) {
  console.error("json self-check failed: the encoding lost the non-ASCII text");
  process.exit(1);
}
console.log(JSON.stringify({ hot_seconds: hot }));
