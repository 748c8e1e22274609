// Regular expressions: scan a generated log for e-mail addresses, IPv4 addresses
// and dated error lines, and rewrite the dates, as log tooling does.
//
// Self-check: the counts equal what the generator put in, and the rewritten text
// holds exactly as many rewritten dates. The last line of stdout is {"hot_seconds": …}.
"use strict";

const LINES = 12000;
const ROUNDS = 6;

function* lcg(seed) {
  const M = (1n << 64n) - 1n;
  let state = BigInt(seed);
  for (;;) {
    state = (state * 6364136223846793005n + 1442695040888963407n) & M;
    yield state >> 11n;
  }
}

function log(seed) {
  const rng = lcg(seed);
  const names = ["ada", "brian", "chloé", "dmitri", "eve", "farah"];
  const lines = [];
  const expected = { email: 0, ip: 0, error: 0 };
  const pad = (v) => String(v).padStart(2, "0");
  for (let i = 0; i < LINES; i++) {
    const r = rng.next().value;
    const n = (shift, mod) => Number((r >> BigInt(shift)) % BigInt(mod));
    const parts = [`2024-${pad(1 + n(0, 12))}-${pad(1 + n(4, 28))}`, `${pad(n(9, 24))}:${pad(n(14, 60))}:${pad(n(20, 60))}`];
    if (n(0, 3) === 0) {
      parts.push("ERROR");
      expected.error++;
    } else {
      parts.push("info");
    }
    parts.push(`request ${i} served in ${n(26, 1000)} ms`);
    if (n(0, 5) === 0) {
      parts.push(`from ${n(30, 256)}.${n(38, 256)}.${n(46, 256)}.${n(3, 256)}`);
      expected.ip++;
    }
    if (n(0, 7) === 0) {
      parts.push(`by ${names[n(33, names.length)]}${n(40, 100)}@example${n(44, 9)}.org`);
      expected.email++;
    }
    lines.push(parts.join(" "));
  }
  return [lines.join("\n") + "\n", expected];
}

const EMAIL = /[\p{L}\p{N}_.+-]+@[\w-]+\.[\w.-]+/gu;
const IP = /\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b/g;
const ERROR = /^(\d{4})-(\d{2})-(\d{2}) [\d:]+ ERROR .*$/gm;
const DATE = /^(\d{4})-(\d{2})-(\d{2})/gm;

const [text, expected] = log(7);
let got, rewritten, n = 0;
const start = process.hrtime.bigint();
for (let i = 0; i < ROUNDS; i++) {
  got = {
    email: (text.match(EMAIL) || []).length,
    ip: (text.match(IP) || []).length,
    error: [...text.matchAll(ERROR)].length,
  };
  n = 0;
  rewritten = text.replace(DATE, (_, y, m, d) => (n++, `${d}/${m}/${y}`));
}
const hot = Number(process.hrtime.bigint() - start) / 1e9;
if (JSON.stringify(got) !== JSON.stringify(expected)) {
  console.error(`regex self-check failed: found ${JSON.stringify(got)}, the generator wrote ${JSON.stringify(expected)}`);
  process.exit(1);
}
if (n !== LINES || (rewritten.match(/^\d{2}\/\d{2}\/\d{4} /gm) || []).length !== LINES) {
  console.error(`regex self-check failed: rewrote ${n} dates of ${LINES}`);
  process.exit(1);
}
console.log(JSON.stringify({ hot_seconds: hot }));
