//! The worker: the same executable in a hidden mode, started by the runner once per
//! variant per round with that variant's library path and environment.
//!
//! It speaks JSON lines: requests on stdin, replies on stdout, nothing else on
//! stdout. Nothing in it depends on which variant it is beyond its environment.

use crate::provenance::Provenance;
use crate::results::CorpusInfo;
use crate::workload::corpus::{Corpus, CorpusSpec};
use crate::workload::{self, Broken, Workload};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The hidden subcommand that starts a worker.
pub const SUBCOMMAND: &str = "__worker";

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Request {
    /// The first request: load the corpora, and report provenance when asked.
    /// `kept`: where this variant's workers keep the inputs they prepare
    /// ([`workload::Kept`]).
    Hello {
        corpus: CorpusSpec,
        provenance: bool,
        #[serde(default)]
        kept: Option<PathBuf>,
    },
    /// Run `bench` for about `slice_seconds` and report one sample.
    Measure { bench: String, slice_seconds: f64 },
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Reply {
    Ready {
        provenance: Option<Box<Provenance>>,
        corpora: Vec<CorpusInfo>,
    },
    Sample {
        bench: String,
        iterations: u64,
        seconds: f64,
        user_seconds: f64,
        system_seconds: f64,
        work_per_iter: u64,
    },
    Broken {
        bench: String,
        reason: String,
    },
    /// The worker cannot go on (bad corpus file, unreadable maps).
    Failed {
        reason: String,
    },
}

/// Runs the worker loop on this process's stdin and stdout; returns the exit code.
pub fn main() -> i32 {
    let stdin = std::io::stdin().lock();
    let mut out = std::io::stdout().lock();
    let mut corpora: Vec<Corpus> = Vec::new();
    let mut prepared: HashMap<String, Prepared> = HashMap::new();
    let mut kept: Option<PathBuf> = None;
    for line in stdin.lines() {
        let Ok(line) = line else { return 1 };
        let reply = match serde_json::from_str::<Request>(&line) {
            Err(e) => Reply::Failed {
                reason: format!("unreadable request {line:?}: {e}"),
            },
            Ok(Request::Hello {
                corpus,
                provenance,
                kept: dir,
            }) => {
                kept = dir;
                hello(&corpus, provenance, &mut corpora)
            }
            Ok(Request::Measure {
                bench,
                slice_seconds,
            }) => {
                let slice = Duration::from_secs_f64(slice_seconds);
                let kept = workload::Kept(kept.as_deref());
                match sample(&bench, slice, (&corpora, kept), &mut prepared) {
                    Ok(reply) => reply,
                    Err(Broken(reason)) => Reply::Broken { bench, reason },
                }
            }
        };
        let fatal = matches!(reply, Reply::Failed { .. });
        let sent = serde_json::to_writer(&mut out, &reply).is_ok()
            && writeln!(out).is_ok()
            && out.flush().is_ok();
        if !sent || fatal {
            return 1;
        }
    }
    0
}

fn hello(spec: &CorpusSpec, provenance: bool, corpora: &mut Vec<Corpus>) -> Reply {
    *corpora = match spec.load() {
        Ok(c) => c,
        Err(e) => {
            return Reply::Failed {
                reason: e.to_string(),
            }
        }
    };
    let provenance = match provenance.then(Provenance::of_this_process).transpose() {
        Ok(p) => p.map(Box::new),
        Err(e) => {
            return Reply::Failed {
                reason: format!("reading /proc/self/maps: {e}"),
            }
        }
    };
    Reply::Ready {
        provenance,
        corpora: spec.describe(corpora),
    }
}

/// A benchmark this worker has run: its workload, and the time one iteration took
/// last, so the next slice needs no warm-up.
struct Prepared {
    workload: Box<dyn Workload>,
    per_iter: f64,
}

/// One sample of `bench`. The first in this worker prepares the workload, warms it
/// up and checks its output; the runner then asks for more, interleaved with the
/// other variants' workers, and those are timed straight away.
fn sample(
    bench: &str,
    slice: Duration,
    (corpora, kept): (&[Corpus], workload::Kept),
    prepared: &mut HashMap<String, Prepared>,
) -> Result<Reply, Broken> {
    let m = match prepared.get_mut(bench) {
        Some(p) => {
            let m = timed(p.workload.as_mut(), batch(slice, p.per_iter))?;
            p.per_iter = m.seconds / m.iterations as f64;
            m
        }
        None => {
            let mut workload = workload::prepare(bench, corpora, kept)?;
            let m = measure(workload.as_mut(), slice)?;
            workload.verify()?;
            let per_iter = m.seconds / m.iterations as f64;
            prepared.insert(bench.into(), Prepared { workload, per_iter });
            m
        }
    };
    Ok(Reply::Sample {
        bench: bench.into(),
        iterations: m.iterations,
        seconds: m.seconds,
        user_seconds: m.user_seconds,
        system_seconds: m.system_seconds,
        work_per_iter: prepared[bench].workload.work_per_iter(),
    })
}

struct Measured {
    iterations: u64,
    seconds: f64,
    user_seconds: f64,
    system_seconds: f64,
}

/// Iterations that fill `slice` at `per_iter` seconds each; at least one.
fn batch(slice: Duration, per_iter: f64) -> u64 {
    ((slice.as_secs_f64() / per_iter) as u64).max(1)
}

/// Doubles the batch until it takes a tenth of the slice (the warm-up, which also
/// estimates the time per iteration), then times one batch sized to fill the slice.
/// A single iteration longer than the slice is the sample itself.
fn measure(w: &mut dyn Workload, slice: Duration) -> Result<Measured, Broken> {
    let mut n = 1u64;
    loop {
        let m = timed(w, n)?;
        if m.seconds >= slice.as_secs_f64() {
            return Ok(m);
        }
        if m.seconds >= slice.as_secs_f64() / 10.0 {
            return timed(w, batch(slice, m.seconds / n as f64));
        }
        n *= 2;
    }
}

fn timed(w: &mut dyn Workload, n: u64) -> Result<Measured, Broken> {
    let before = cpu_times();
    let start = Instant::now();
    w.run(n)?;
    let seconds = start.elapsed().as_secs_f64();
    let after = cpu_times();
    Ok(Measured {
        iterations: n,
        seconds,
        user_seconds: after.0 - before.0,
        system_seconds: after.1 - before.1,
    })
}

/// (user, system) CPU seconds of this process, all threads.
fn cpu_times() -> (f64, f64) {
    // SAFETY: getrusage fills the struct it is given.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    (secs(ru.ru_utime), secs(ru.ru_stime))
}
