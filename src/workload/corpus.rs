//! Corpora: the bytes every compression benchmark reads, identical for every variant.
//!
//! Generated from the run's seed (so no variant or round sees other data) or read
//! from the user's files (`--corpus PATH`). Each worker regenerates them and reports
//! their hashes; the runner refuses variants that disagree.

use crate::error::{Error, Result};
use crate::provenance::hex;
use crate::results::CorpusInfo;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Where the corpora come from; sent to every worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CorpusSpec {
    /// `text`, `json` and `binary`, `bytes` each, from `seed`.
    Generated { seed: u64, bytes: usize },
    /// The user's files; each is one corpus named by its file stem.
    Files { paths: Vec<PathBuf> },
}

pub struct Corpus {
    pub name: String,
    pub data: Vec<u8>,
}

pub const GENERATED: [&str; 3] = ["text", "json", "binary"];

impl CorpusSpec {
    /// The corpus names, known without generating anything (benchmark ids use them).
    pub fn names(&self) -> Result<Vec<String>> {
        match self {
            CorpusSpec::Generated { .. } => Ok(GENERATED.iter().map(|s| s.to_string()).collect()),
            CorpusSpec::Files { paths } => paths.iter().map(|p| file_corpus_name(p)).collect(),
        }
    }

    pub fn load(&self) -> Result<Vec<Corpus>> {
        match self {
            CorpusSpec::Generated { seed, bytes } => Ok(GENERATED
                .iter()
                .enumerate()
                .map(|(i, &name)| {
                    let mut rng = ChaCha8Rng::seed_from_u64(seed.wrapping_add(i as u64));
                    let data = match name {
                        "text" => text(&mut rng, *bytes),
                        "json" => json_log(&mut rng, *bytes),
                        _ => binary(&mut rng, *bytes),
                    };
                    Corpus {
                        name: name.into(),
                        data,
                    }
                })
                .collect()),
            CorpusSpec::Files { paths } => paths
                .iter()
                .map(|p| {
                    let max = crate::bounds::MAX_CORPUS_BYTES;
                    let len = std::fs::metadata(p).map_err(|e| Error::io(p, e))?.len();
                    if len > max {
                        return Err(Error::Corpus {
                            path: p.clone(),
                            why: format!(
                                "the file holds {len} bytes, more than the {max} a corpus may"
                            ),
                        });
                    }
                    let data = std::fs::read(p).map_err(|e| Error::io(p, e))?;
                    if data.is_empty() {
                        return Err(Error::Corpus {
                            path: p.clone(),
                            why: "the file is empty".into(),
                        });
                    }
                    Ok(Corpus {
                        name: file_corpus_name(p)?,
                        data,
                    })
                })
                .collect(),
        }
    }

    pub fn describe(&self, corpora: &[Corpus]) -> Vec<CorpusInfo> {
        corpora
            .iter()
            .enumerate()
            .map(|(i, c)| CorpusInfo {
                name: c.name.clone(),
                bytes: c.data.len() as u64,
                sha256: hex(&Sha256::digest(&c.data)),
                source: match self {
                    CorpusSpec::Generated { seed, .. } => format!("generated, seed {seed}"),
                    CorpusSpec::Files { paths } => paths[i].display().to_string(),
                },
            })
            .collect()
    }
}

fn file_corpus_name(p: &Path) -> Result<String> {
    if !p.is_file() {
        return Err(Error::Corpus {
            path: p.into(),
            why: "not a readable file".into(),
        });
    }
    let stem = p
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() {
        return Err(Error::Corpus {
            path: p.into(),
            why: "the file name gives no corpus name".into(),
        });
    }
    Ok(name)
}

const WORDS: &[&str] = &[
    "the",
    "of",
    "and",
    "to",
    "a",
    "in",
    "is",
    "that",
    "for",
    "it",
    "as",
    "was",
    "with",
    "be",
    "by",
    "on",
    "not",
    "he",
    "this",
    "are",
    "or",
    "his",
    "from",
    "at",
    "which",
    "but",
    "have",
    "an",
    "had",
    "they",
    "you",
    "were",
    "their",
    "one",
    "all",
    "we",
    "can",
    "her",
    "has",
    "there",
    "been",
    "if",
    "more",
    "when",
    "will",
    "would",
    "who",
    "so",
    "no",
    "library",
    "build",
    "system",
    "compiler",
    "memory",
    "store",
    "package",
    "generation",
    "kernel",
    "process",
    "machine",
    "optimized",
    "benchmark",
    "throughput",
    "measure",
    "result",
    "change",
    "faster",
    "slower",
    "noise",
    "round",
    "variant",
    "profile",
    "version",
    "source",
    "binary",
    "function",
    "cache",
    "branch",
    "vector",
    "instruction",
    "pipeline",
    "latency",
    "window",
    "desktop",
    "browser",
    "compression",
    "archive",
    "stream",
    "buffer",
    "block",
    "header",
    "checksum",
    "dictionary",
    "entropy",
    "symbol",
    "table",
    "river",
    "mountain",
    "village",
    "winter",
    "morning",
    "garden",
    "letter",
    "journey",
    "question",
    "answer",
    "evening",
    "history",
    "government",
    "people",
    "country",
    "between",
    "through",
    "during",
    "without",
    "another",
    "because",
    "against",
    "however",
    "although",
    "therefore",
];

/// English-like prose: Zipf-distributed words, sentences, paragraphs.
fn text(rng: &mut ChaCha8Rng, bytes: usize) -> Vec<u8> {
    let mut out = String::with_capacity(bytes + 256);
    while out.len() < bytes {
        let sentences = rng.gen_range(2..7);
        for _ in 0..sentences {
            let words = rng.gen_range(5..22);
            for w in 0..words {
                let word = zipf_word(rng);
                if w == 0 {
                    let mut c = word.chars();
                    out.extend(c.next().map(|f| f.to_ascii_uppercase()));
                    out.push_str(c.as_str());
                } else {
                    out.push(' ');
                    out.push_str(word);
                }
                if w + 1 < words && rng.gen_ratio(1, 12) {
                    out.push(',');
                }
            }
            out.push_str(if rng.gen_ratio(1, 10) { "? " } else { ". " });
        }
        out.push_str("\n\n");
    }
    out.truncate(bytes);
    out.into_bytes()
}

fn zipf_word(rng: &mut ChaCha8Rng) -> &'static str {
    // Rank r drawn with probability ~ 1/r: the inverse of a log-uniform draw.
    let r = (WORDS.len() as f64).powf(rng.gen::<f64>()) as usize;
    WORDS[r.saturating_sub(1).min(WORDS.len() - 1)]
}

/// JSON log lines as services write them.
fn json_log(rng: &mut ChaCha8Rng, bytes: usize) -> Vec<u8> {
    const LEVELS: [&str; 4] = ["INFO", "INFO", "WARN", "DEBUG"];
    const SERVICES: [&str; 5] = ["auth", "billing", "search", "gateway", "storage"];
    const PATHS: [&str; 6] = [
        "/api/v1/users",
        "/api/v1/orders",
        "/healthz",
        "/api/v2/search",
        "/static/app.js",
        "/login",
    ];
    let mut out = String::with_capacity(bytes + 512);
    let mut ts: u64 = 1_764_000_000_000;
    while out.len() < bytes {
        ts += rng.gen_range(1..2_000);
        let status = if rng.gen_ratio(1, 20) {
            500
        } else if rng.gen_ratio(1, 10) {
            404
        } else {
            200
        };
        out.push_str(&format!(
            "{{\"ts\":{ts},\"level\":\"{}\",\"service\":\"{}\",\"method\":\"{}\",\"path\":\"{}\",\"status\":{status},\"latency_ms\":{:.2},\"user_id\":{},\"request_id\":\"{:016x}\",\"msg\":\"{} {} {}\"}}\n",
            LEVELS[rng.gen_range(0..LEVELS.len())],
            SERVICES[rng.gen_range(0..SERVICES.len())],
            if rng.gen_ratio(1, 4) { "POST" } else { "GET" },
            PATHS[rng.gen_range(0..PATHS.len())],
            rng.gen_range(0.1..250.0f64),
            rng.gen_range(1000..1200),
            rng.gen::<u64>(),
            zipf_word(rng),
            zipf_word(rng),
            zipf_word(rng),
        ));
    }
    out.truncate(bytes);
    out.into_bytes()
}

/// An executable-like image: code-like byte runs with repeated opcodes, tables of
/// little-endian pointers with small deltas, zero padding and a string table.
fn binary(rng: &mut ChaCha8Rng, bytes: usize) -> Vec<u8> {
    const OPCODES: [&[u8]; 8] = [
        &[0x48, 0x89, 0xe5],
        &[0x48, 0x83, 0xec],
        &[0xe8],
        &[0x0f, 0x1f, 0x44, 0x00, 0x00],
        &[0x48, 0x8b, 0x45],
        &[0xc3],
        &[0x55],
        &[0x41, 0x57],
    ];
    let mut out = Vec::with_capacity(bytes + 4096);
    let mut ptr: u64 = 0x0040_0000;
    while out.len() < bytes {
        match rng.gen_range(0..10) {
            0..=5 => {
                for _ in 0..rng.gen_range(16..256) {
                    out.extend_from_slice(OPCODES[rng.gen_range(0..OPCODES.len())]);
                    let imm = rng.gen_range(0..4);
                    out.extend((0..imm).map(|_| rng.gen::<u8>()));
                }
            }
            6 | 7 => {
                for _ in 0..rng.gen_range(8..128) {
                    ptr += rng.gen_range(8..96);
                    out.extend_from_slice(&ptr.to_le_bytes());
                }
            }
            8 => out.resize(out.len() + rng.gen_range(16..512), 0),
            _ => {
                for _ in 0..rng.gen_range(4..32) {
                    out.extend_from_slice(b"_ZN");
                    out.extend_from_slice(zipf_word(rng).as_bytes());
                    out.extend_from_slice(zipf_word(rng).as_bytes());
                    out.push(0);
                }
            }
        }
    }
    out.truncate(bytes);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_bytes_and_another_seed_other_bytes() {
        let a = CorpusSpec::Generated {
            seed: 7,
            bytes: 100_000,
        }
        .load()
        .unwrap();
        let b = CorpusSpec::Generated {
            seed: 7,
            bytes: 100_000,
        }
        .load()
        .unwrap();
        let c = CorpusSpec::Generated {
            seed: 8,
            bytes: 100_000,
        }
        .load()
        .unwrap();
        for i in 0..3 {
            assert_eq!(a[i].data.len(), 100_000);
            assert_eq!(a[i].data, b[i].data);
            assert_ne!(a[i].data, c[i].data);
        }
    }

    #[test]
    fn generated_corpora_compress_like_real_data() {
        // Real text compresses about 3x with zlib -6, JSON logs more, binaries less;
        // random bytes would not compress at all and would measure nothing real.
        use std::io::Write;
        let spec = CorpusSpec::Generated {
            seed: 1,
            bytes: 1 << 20,
        };
        for c in spec.load().unwrap() {
            let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(6));
            enc.write_all(&c.data).unwrap();
            let ratio = c.data.len() as f64 / enc.finish().unwrap().len() as f64;
            assert!((1.5..12.0).contains(&ratio), "{}: ratio {ratio:.2}", c.name);
        }
    }
}
