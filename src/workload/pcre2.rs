//! Regular expressions through the system `libpcre2-8`: four kinds of pattern
//! over the generated text and JSON corpora, each matched by PCRE2's JIT and by
//! its interpreter. The JIT writes its own machine code, which `-march` and `-O`
//! cannot touch; the interpreter is compiled C, which they can.
//!
//! Like compression, an iteration searches one block of the corpus (all
//! matches, leftmost-first, non-overlapping), the next iteration the next block.
//! Every block's matches are known before measuring from scans that use no regex
//! engine ([`reference`]); each iteration checks its count, `verify` the spans.

mod compiled;
mod reference;

use super::compression::blocks;
use super::corpus::Corpus;
use super::{BenchSpec, Broken, Source, Unit, Workload};
use crate::library::Library;
use compiled::Compiled;
use std::ops::Range;

/// The corpora the patterns are written for (ASCII; see [`reference`]).
const CORPORA: [&str; 2] = ["text", "json"];
const MODES: [&str; 2] = ["jit", "interp"];
const PATTERNS: [&str; 4] = ["literal", "alternation", "unicode-class", "backtrack"];
/// The words of the alternation: mid-frequency words of the text corpus, and
/// two of the JSON logs' service names.
const ALTERNATIVES: [&str; 10] = [
    "library", "build", "system", "compiler", "memory", "package", "kernel", "process", "gateway",
    "billing",
];

/// One pattern: its source, its compile options, its block and its reference scan.
struct Pattern {
    regex: String,
    /// Case-insensitive, with Unicode properties for `\w`, `\b` and `\p{…}`
    /// (PCRE2_CASELESS | PCRE2_UCP | PCRE2_UTF).
    unicode_caseless: bool,
    /// Bytes one iteration searches.
    block: usize,
    reference: fn(&[u8]) -> Vec<Range<usize>>,
}

/// The pattern of `name`. Blocks are chosen so that an interpreter iteration
/// takes well under 2 ms on a slow shared 2-core VM (a runner's turn is 10 ms).
fn pattern(name: &str) -> Option<Pattern> {
    const K: usize = 1024;
    Some(match name {
        // Mostly PCRE2's first-code-unit scan (memchr), then a short compare.
        "literal" => Pattern {
            regex: "benchmark".into(),
            unicode_caseless: false,
            block: 64 * K,
            reference: |h| reference::literal(h, b"benchmark"),
        },
        "alternation" => Pattern {
            regex: ALTERNATIVES.join("|"),
            unicode_caseless: false,
            block: 16 * K,
            reference: |h| reference::alternation(h, &ALTERNATIVES),
        },
        // Words starting with "th" in any case: Unicode case folding and a
        // property lookup per letter.
        "unicode-class" => Pattern {
            regex: r"\bth\p{L}+".into(),
            unicode_caseless: true,
            block: 16 * K,
            reference: |h| reference::caseless_prefix_word(h, b"th"),
        },
        // A repeated word: a back-reference, which no automaton can run; `\w+`
        // backtracks at every word that is not followed by itself.
        "backtrack" => Pattern {
            regex: r"\b(\w+)\s+\1\b".into(),
            unicode_caseless: false,
            block: 16 * K,
            reference: reference::repeated_word,
        },
        _ => return None,
    })
}

pub fn catalog(corpora: &[String], out: &mut Vec<BenchSpec>) {
    for name in PATTERNS {
        for mode in MODES {
            for corpus in corpora.iter().filter(|c| CORPORA.contains(&c.as_str())) {
                out.push(BenchSpec {
                    id: format!("pcre2/{name}/{mode}/{corpus}"),
                    group: "pcre2",
                    libraries: vec![Library::Pcre2],
                    unit: Unit::BytesPerSecond,
                    source: Source::Worker,
                });
            }
        }
    }
}

/// (pattern, JIT, corpus) of `pcre2/backtrack/jit/text`.
fn parse(id: &str) -> Result<(Pattern, bool, &str), Broken> {
    let parts: Vec<&str> = id.split('/').collect();
    let ["pcre2", name, mode, corpus] = parts[..] else {
        return Err(Broken(format!("malformed pcre2 id {id}")));
    };
    let p = pattern(name).ok_or_else(|| Broken(format!("unknown pattern in {id}")))?;
    let jit = match mode {
        "jit" => true,
        "interp" => false,
        _ => return Err(Broken(format!("unknown matcher in {id} (jit or interp)"))),
    };
    Ok((p, jit, corpus))
}

/// The nominal block of benchmark `id`; None for an id that is not a pcre2 one.
pub fn block_of(id: &str) -> Option<usize> {
    parse(id).ok().map(|(p, _, _)| p.block)
}

/// `pcre2/literal/interp/json` → a prepared workload.
pub fn prepare(id: &str, corpora: &[Corpus]) -> Result<Box<dyn Workload>, Broken> {
    let (p, jit, corpus) = parse(id)?;
    let input = super::corpus_data(corpora, corpus)?;
    if let Some(at) = input.iter().position(|b| !b.is_ascii()) {
        return Err(Broken(format!(
            "{id}: corpus {corpus} holds a non-ASCII byte at {at}; the pcre2 workloads' match checks read ASCII (the generated corpora are)"
        )));
    }
    // ASCII is valid UTF-8: a UTF pattern may skip PCRE2's per-call check.
    let regex = Compiled::new(&p.regex, p.unicode_caseless, jit)
        .map_err(|e| Broken(format!("/{}/ (JIT {jit}): {e}", p.regex)))?;
    let blocks = blocks(input.len(), Some(p.block));
    let expected = blocks
        .iter()
        .map(|r| (p.reference)(&input[r.clone()]))
        .collect();
    Ok(Box::new(Search {
        pattern: p.regex,
        regex,
        input,
        blocks,
        expected,
        next: 0,
        last: 0,
    }))
}

/// A corpus cut into blocks, each iteration searching the next one.
struct Search {
    pattern: String,
    regex: Compiled,
    input: Vec<u8>,
    blocks: Vec<Range<usize>>,
    /// Each block's matches, from [`reference`].
    expected: Vec<Vec<Range<usize>>>,
    next: usize,
    /// The block the last iteration searched.
    last: usize,
}

impl Search {
    fn wrong(&self, i: usize, what: String) -> Broken {
        let r = &self.blocks[i];
        Broken(format!(
            "pcre2 /{}/ on block {i} (bytes {}..{}): {what}",
            self.pattern, r.start, r.end
        ))
    }
}

impl Workload for Search {
    fn run(&mut self, iterations: u64) -> Result<(), Broken> {
        for _ in 0..iterations {
            let i = self.next;
            self.next = (i + 1) % self.blocks.len();
            self.last = i;
            let found = self
                .regex
                .for_each_match(&self.input[self.blocks[i].clone()], |_| {})
                .map_err(|e| self.wrong(i, e))?;
            if found != self.expected[i].len() {
                let want = self.expected[i].len();
                return Err(self.wrong(i, format!("{found} matches, the block holds {want}")));
            }
        }
        Ok(())
    }

    /// The last block's matches must be the reference's, span for span.
    fn verify(&mut self) -> Result<(), Broken> {
        let i = self.last;
        let mut got: Vec<Range<usize>> = Vec::new();
        self.regex
            .for_each_match(&self.input[self.blocks[i].clone()], |m| got.push(m))
            .map_err(|e| self.wrong(i, e))?;
        let want = &self.expected[i];
        if &got != want {
            let at = got.iter().zip(want).position(|(a, b)| a != b);
            return Err(self.wrong(
                i,
                format!(
                    "{} matches where the block holds {}; first difference: match {}",
                    got.len(),
                    want.len(),
                    at.map_or("at the end".into(), |k| format!(
                        "{k}: {:?} for {:?}",
                        got[k], want[k]
                    ))
                ),
            ));
        }
        Ok(())
    }

    fn work_per_iter(&self) -> u64 {
        self.blocks[0].len() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::corpus::CorpusSpec;

    #[test]
    fn every_pattern_finds_matches_in_every_block_of_the_generated_corpora() {
        // A block without matches would measure only the scan, never a match.
        let corpora = CorpusSpec::Generated {
            seed: 11,
            bytes: 256 << 10,
        }
        .load()
        .unwrap();
        for c in corpora
            .iter()
            .filter(|c| CORPORA.contains(&c.name.as_str()))
        {
            for name in PATTERNS {
                let p = pattern(name).unwrap();
                for r in blocks(c.data.len(), Some(p.block)) {
                    let n = (p.reference)(&c.data[r.clone()]).len();
                    assert!(n > 0, "{name} on {} block {r:?}: no match", c.name);
                }
            }
        }
    }

    #[test]
    fn the_system_pcre2_agrees_with_the_reference_in_both_matchers() {
        let corpora = CorpusSpec::Generated {
            seed: 4,
            bytes: 100_000,
        }
        .load()
        .unwrap();
        let mut spec = Vec::new();
        catalog(
            &CorpusSpec::Generated { seed: 4, bytes: 1 }.names().unwrap(),
            &mut spec,
        );
        assert_eq!(spec.len(), PATTERNS.len() * 2 * 2);
        for b in spec {
            let mut w = prepare(&b.id, &corpora).unwrap();
            w.run(7).unwrap_or_else(|e| panic!("{}: {e:?}", b.id));
            w.verify().unwrap_or_else(|e| panic!("{}: {e:?}", b.id));
        }
    }

    #[test]
    fn a_corpus_that_is_not_ascii_is_refused_before_measuring() {
        let corpora = vec![Corpus {
            name: "text".into(),
            data: "naïve the the".into(),
        }];
        let err = prepare("pcre2/backtrack/interp/text", &corpora)
            .err()
            .unwrap();
        assert!(err.0.contains("non-ASCII byte at 2"), "{}", err.0);
    }
}
