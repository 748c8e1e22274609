//! Workloads: named, deterministic units of work that check their own output.
//!
//! The catalog ([`catalog`]) is data the runner reads without running anything:
//! ids, groups, libraries, units, and where each figure comes from ([`Source`]).
//! Most workloads are timed inside a worker: they are prepared only there
//! ([`prepare`]), where the variant's libraries are loaded, behind [`Workload`].
//! Interpreter scripts (`runtime`) and the user's commands (`command`) are whole
//! processes the runner spawns and measures ([`Job`]). One file per family.

mod aes;
pub mod command;
mod compression;
pub mod corpus;
mod curl;
mod kept;
mod libc;
mod pcre2;
pub mod runtime;
pub mod rust;
mod sqlite;
mod tls;

use crate::error::{Error, Result};
use crate::interpreter::Interpreter;
use crate::library::Library;
use crate::results::Unit;
use crate::variant::Variant;
use corpus::Corpus;
pub use kept::Kept;

/// A benchmark as the runner knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchSpec {
    /// `compress/zstd/l3/text`, `aes/256-gcm/encrypt/16384`, `sqlite/update`…
    pub id: String,
    /// The family a claim and a geometric mean summarise: compression, aes, tls, sqlite.
    pub group: &'static str,
    /// The libraries a variant must provide for it.
    pub libraries: Vec<Library>,
    pub unit: Unit,
    pub source: Source,
}

/// Where a benchmark's figure comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A [`Workload`] timed inside the variant's worker.
    Worker,
    /// One metric of a process the runner spawns as the variant.
    Process(ProcessBench),
}

/// One figure of a spawned process. Every metric of the same job is read off the
/// same runs: `python/nbody/process` and `python/nbody/hot` cost one run per round.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcessBench {
    pub job: Job,
    pub metric: Metric,
}

/// What to spawn.
#[derive(Debug, Clone, PartialEq)]
pub enum Job {
    Script(runtime::Script),
    Command(command::CommandJob),
    Rust(rust::Compile),
}

impl Job {
    /// `python/nbody`, `command/NAME`: the benchmark ids without their metric.
    pub fn id(&self) -> String {
        match self {
            Job::Script(s) => s.id(),
            Job::Command(c) => c.id(),
            Job::Rust(r) => r.id(),
        }
    }
}

/// The figures one run of a process yields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Wall time of the whole process tree, start-up included, as hyperfine.
    Wall,
    /// The time a script reports for its own hot loop, start-up excluded.
    Hot,
    /// User + system CPU time of the tree.
    Cpu,
    /// Peak resident set size (the largest process of the tree).
    Rss,
}

impl BenchSpec {
    /// The interpreter a variant must name for this benchmark.
    pub fn interpreter(&self) -> Option<Interpreter> {
        match &self.source {
            Source::Process(ProcessBench {
                job: Job::Script(s),
                ..
            }) => Some(s.interpreter),
            Source::Process(ProcessBench {
                job: Job::Rust(_), ..
            }) => Some(Interpreter::Rustc),
            _ => None,
        }
    }

    pub fn process(&self) -> Option<&ProcessBench> {
        match &self.source {
            Source::Process(p) => Some(p),
            Source::Worker => None,
        }
    }

    /// What a rebuild must change for this benchmark to measure it
    /// ([`subject_of`]).
    pub fn subject(&self) -> Needs {
        let interpreters: Vec<Interpreter> = self.interpreter().into_iter().collect();
        Needs {
            libc: self.libraries.is_empty() && interpreters.is_empty(),
            libraries: self.libraries.clone(),
            interpreters,
        }
    }
}

use crate::provenance::Needs;

impl Needs {
    /// What `benches` need: their libraries and interpreters, and libc when any
    /// runs in a worker. Here, beside the catalog it reads, so that provenance
    /// does not depend on the workloads.
    pub fn of(benches: &[BenchSpec]) -> Needs {
        let mut libraries: Vec<Library> = benches
            .iter()
            .flat_map(|b| b.libraries.iter().copied())
            .collect();
        libraries.sort();
        libraries.dedup();
        let mut interpreters: Vec<Interpreter> =
            benches.iter().filter_map(BenchSpec::interpreter).collect();
        interpreters.sort();
        interpreters.dedup();
        Needs {
            libraries,
            interpreters,
            libc: benches.iter().any(|b| b.source == Source::Worker),
        }
    }
}

/// What a variant must name for the benchmarks it runs. Here, beside the catalog
/// that knows which benchmark runs on which interpreter, so that variants do not
/// depend on the workloads.
impl Variant {
    /// Fails, naming the variant and the benchmarks, when it lacks an interpreter
    /// one of `benches` runs on.
    pub fn check_interpreters(&self, benches: &[BenchSpec]) -> Result<()> {
        for i in Interpreter::ALL {
            let needing: Vec<&str> = benches
                .iter()
                .filter(|b| b.interpreter() == Some(i))
                .map(|b| b.id.as_str())
                .collect();
            if !needing.is_empty() && !self.interpreters.contains_key(&i) {
                let more = if needing.len() > 3 { ", …" } else { "" };
                return Err(Error::MissingInterpreter {
                    variant: self.name.clone(),
                    interpreter: i.name(),
                    executable: i.executable(),
                    benches: format!("{}{more}", needing[..needing.len().min(3)].join(", ")),
                });
            }
        }
        Ok(())
    }
}

/// A copy of the bytes of the corpus named `name`.
fn corpus_data(corpora: &[Corpus], name: &str) -> Result<Vec<u8>, Broken> {
    corpora
        .iter()
        .find(|c| c.name == name)
        .map(|c| c.data.clone())
        .ok_or_else(|| Broken(format!("no corpus named {name}")))
}

/// Wrong output: the variant is reported broken for this benchmark, never timed.
#[derive(Debug, Clone, PartialEq)]
pub struct Broken(pub String);

/// A prepared benchmark inside a worker.
pub trait Workload {
    /// Does the work `iterations` times. Checks that are cheap enough to leave in
    /// the timed loop stay there; the rest go to [`Workload::verify`].
    fn run(&mut self, iterations: u64) -> Result<(), Broken>;
    /// Checks the output of the last iteration.
    fn verify(&mut self) -> Result<(), Broken>;
    /// Bytes or operations (see [`Unit`]) one iteration processes.
    fn work_per_iter(&self) -> u64;
}

/// Every benchmark, for these corpus names, in a stable order.
pub fn catalog(corpora: &[String]) -> Vec<BenchSpec> {
    let mut out = Vec::new();
    compression::catalog(corpora, &mut out);
    aes::catalog(&mut out);
    tls::catalog(&mut out);
    sqlite::catalog(&mut out);
    libc::catalog(&mut out);
    pcre2::catalog(corpora, &mut out);
    curl::catalog(&mut out);
    runtime::catalog(&mut out);
    rust::catalog(&mut out);
    out
}

/// The libraries the built-in benchmark `id` uses, whatever corpus it ran on;
/// None for an id that is not built in (a command, a probe, a hyperfine
/// import), whose libraries storebench cannot know.
pub fn libraries_of(id: &str) -> Option<Vec<Library>> {
    let corpus = id.rsplit('/').next().unwrap_or_default().to_string();
    catalog(&[corpus])
        .into_iter()
        .find(|b| b.id == id)
        .map(|b| b.libraries)
}

/// What a rebuild must change for the built-in benchmark `id` to measure it: the
/// libraries it is named for; the interpreter a script runs on; glibc for the
/// libc benchmarks, which use no other library. None for an id that is not built
/// in, whose files storebench cannot know. Only these count: a zstd benchmark
/// does not measure a rebuilt glibc's claim, although it calls memcpy.
pub fn subject_of(id: &str) -> Option<Needs> {
    let corpus = id.rsplit('/').next().unwrap_or_default().to_string();
    let spec = catalog(&[corpus]).into_iter().find(|b| b.id == id)?;
    Some(spec.subject())
}

/// The benchmarks matching any of `patterns` (globs; `*` also crosses `/`), in
/// catalog order; all of them when there is no pattern.
pub fn select(catalog: Vec<BenchSpec>, patterns: &[String]) -> Result<Vec<BenchSpec>> {
    if patterns.is_empty() {
        return Ok(catalog);
    }
    let mut set = globset::GlobSetBuilder::new();
    for p in patterns {
        let glob = globset::Glob::new(p).map_err(|e| Error::BadPattern {
            pattern: p.clone(),
            why: e.kind().to_string(),
        })?;
        set.add(glob);
    }
    let set = set.build().map_err(|e| Error::BadPattern {
        pattern: patterns.join(" "),
        why: e.to_string(),
    })?;
    let chosen: Vec<BenchSpec> = catalog
        .into_iter()
        .filter(|b| set.is_match(&b.id))
        .collect();
    if chosen.is_empty() {
        return Err(Error::NoBenchmark {
            patterns: patterns.join(", "),
        });
    }
    Ok(chosen)
}

/// The bytes one iteration of `id` works on when that is a block of its input
/// rather than all of it: a compression benchmark's block of its corpus (see
/// `compression::block_size`; None when the corpus fits in one), a pcre2
/// search's block (the same rule), a TLS transfer's or a curl download's size. None for every other benchmark, and for an old document's
/// results, which recorded none: the whole input.
pub fn block_bytes(id: &str, corpora: &[crate::results::CorpusInfo]) -> Option<u64> {
    if let Some(bytes) = transfer(id) {
        return Some(bytes as u64);
    }
    let block = corpus_block(id)?;
    let corpus = id.rsplit('/').next()?;
    let len = corpora.iter().find(|c| c.name == corpus)?.bytes as usize;
    compression::effective_block(Some(block), len).map(|b| b as u64)
}

/// `block_bytes` as `storebench list` shows it, before any corpus is known: the
/// nominal block, which a smaller corpus is measured whole instead of.
pub fn nominal_block(id: &str) -> Option<u64> {
    transfer(id).or_else(|| corpus_block(id)).map(|b| b as u64)
}

/// The bytes a TLS transfer or a curl download moves.
fn transfer(id: &str) -> Option<usize> {
    (id == tls::TRANSFER_ID)
        .then_some(tls::TRANSFER)
        .or_else(|| curl::transfer_of(id))
}

/// The block a compression or pcre2 benchmark cuts its corpus into.
fn corpus_block(id: &str) -> Option<usize> {
    compression::block_of(id).or_else(|| pcre2::block_of(id))
}

/// Prepares `id` with this process's libraries.
pub fn prepare(id: &str, corpora: &[Corpus], kept: Kept) -> Result<Box<dyn Workload>, Broken> {
    match id.split('/').next() {
        Some("compress" | "decompress") => compression::prepare(id, corpora, kept),
        Some("aes") => aes::prepare(id),
        Some("tls") => tls::prepare(id),
        Some("sqlite") => sqlite::prepare(id, kept),
        Some("libc") => libc::prepare(id),
        Some("pcre2") => pcre2::prepare(id, corpora),
        Some("curl") => curl::prepare(id),
        _ => Err(Broken(format!("unknown benchmark {id}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(patterns: &[&str]) -> Vec<String> {
        let patterns: Vec<String> = patterns.iter().map(|s| s.to_string()).collect();
        let names = vec!["text".to_string(), "json".into(), "binary".into()];
        select(catalog(&names), &patterns)
            .unwrap()
            .into_iter()
            .map(|b| b.id)
            .collect()
    }

    #[test]
    fn a_benchmark_uses_only_its_own_library_whatever_its_corpus() {
        assert_eq!(
            libraries_of("compress/zlib/l1/text"),
            Some(vec![Library::Zlib])
        );
        assert_eq!(
            libraries_of("decompress/xz/l6/my-logs.tar"),
            Some(vec![Library::Lzma])
        );
        assert_eq!(libraries_of("python/startup/process"), Some(vec![]));
        assert_eq!(libraries_of("command/decode/wall"), None);
    }

    #[test]
    fn a_benchmark_is_rebuilt_by_its_library_its_interpreter_or_glibc() {
        let names = |id: &str| subject_of(id).map(|n| n.names());
        assert_eq!(names("compress/zlib/l1/text"), Some(vec!["zlib"]));
        assert_eq!(
            names("tls/1.3/handshake"),
            Some(vec!["libcrypto", "libssl"])
        );
        assert_eq!(names("libc/memcpy/4096"), Some(vec!["glibc"]));
        assert_eq!(names("pcre2/backtrack/interp/json"), Some(vec!["pcre2"]));
        assert_eq!(names("curl/http/requests"), Some(vec!["curl"]));
        assert_eq!(
            names("curl/https/download"),
            Some(vec!["libcrypto", "libssl", "curl"])
        );
        assert_eq!(names("python/startup/process"), Some(vec!["python"]));
        assert_eq!(names("command/decode/wall"), None);
    }

    #[test]
    fn a_glob_selects_one_family_across_levels_and_corpora() {
        let zlib = ids(&["compress/zlib/*"]);
        assert_eq!(zlib.len(), 9);
        assert!(zlib.iter().all(|id| id.starts_with("compress/zlib/")));
    }

    #[test]
    fn ids_are_unique() {
        let all = ids(&[]);
        let set: std::collections::BTreeSet<_> = all.iter().collect();
        assert_eq!(set.len(), all.len());
    }

    #[test]
    fn a_pattern_matching_nothing_is_an_error() {
        let err = select(catalog(&[]), &["nope/*".into()]).unwrap_err();
        assert!(err.to_string().contains("nope/*"));
    }

    #[test]
    fn every_benchmark_prepares_runs_and_verifies_with_the_system_libraries() {
        let spec = corpus::CorpusSpec::Generated {
            seed: 3,
            bytes: 64 << 10,
        };
        let corpora = spec.load().unwrap();
        let names = spec.names().unwrap();
        for b in catalog(&names) {
            if b.source != Source::Worker {
                continue;
            }
            let mut w =
                prepare(&b.id, &corpora, Kept(None)).unwrap_or_else(|e| panic!("{}: {e:?}", b.id));
            w.run(2).unwrap_or_else(|e| panic!("{}: {e:?}", b.id));
            w.verify().unwrap_or_else(|e| panic!("{}: {e:?}", b.id));
            assert!(w.work_per_iter() > 0);
        }
    }
}
