//! The runner: starts one worker per variant per round, pinned to the plan's CPUs,
//! and for every benchmark of every round lets the variants take the slice in short
//! turns ([`TURN`]), in a fresh seeded order reversed on every pass; it gathers the
//! samples. Process workloads (interpreter scripts, commands) it spawns and
//! measures itself (`process`), a whole slice each, in the same order.
//!
//! Drift of a noisy machine then hits all variants alike, and every round yields
//! figures measured close together. The runner prints nothing: it reports through
//! [`Event`]s, and the caller decides how to show them.

mod checks;
mod failure;
mod handle;
mod process;
mod rounds;
mod turns;

pub use turns::TURN;

use crate::error::{Error, Result};
use crate::provenance::Needs;
use crate::results::CorpusInfo;
use crate::results::{BenchResult, Status, VariantRecord};
use crate::variant::Variant;
use crate::workload::corpus::CorpusSpec;
use crate::workload::{self, BenchSpec, ProcessBench};
use failure::{signal_name, Failure};
use handle::Worker;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rounds::Ledger;
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub struct Plan {
    pub variants: Vec<Variant>,
    pub benches: Vec<BenchSpec>,
    pub rounds: u32,
    pub slice: Duration,
    /// How long one benchmark may take to answer before its worker is killed.
    pub timeout: Duration,
    pub seed: u64,
    pub corpus: CorpusSpec,
    /// The executable to start workers from (this one).
    pub exe: PathBuf,
    /// The CPUs every measured process is pinned to (none: anywhere).
    pub cpus: Vec<usize>,
}

pub struct Outcome {
    pub variants: Vec<VariantRecord>,
    pub corpora: Vec<CorpusInfo>,
    pub results: Vec<BenchResult>,
    /// Rounds run: `plan.rounds`, or more when adaptive stopping added some.
    pub rounds: u32,
    /// The benchmarks adaptive stopping still wanted rounds for when time ran out.
    pub unsettled: Vec<String>,
}

/// What the runner is doing, for progress display.
pub enum Event<'a> {
    Round {
        round: u32,
        of: u32,
    },
    /// A round beyond the planned ones, for the benchmarks still open.
    Extending {
        round: u32,
        unsettled: usize,
        /// The benchmarks no longer measured (decided, or failed).
        decided: usize,
        /// The controls: not rebuilt, so measured no more ([`controls`]).
        controls: usize,
        /// The time left of the budget.
        left: Duration,
    },
    Measuring {
        bench: &'a str,
        variant: &'a str,
        step: usize,
        steps: usize,
    },
    Failed {
        bench: &'a str,
        variant: &'a str,
        status: Status,
        message: &'a str,
    },
}

/// Names the benchmarks that still need rounds, given the results so far.
pub type Unsettled<'a> = Box<dyn FnMut(&[BenchResult]) -> Vec<String> + 'a>;

/// Adaptive stopping: after `plan.rounds`, rounds go on, for the benchmarks that
/// `unsettled` still names, until it names none or the next round would end past
/// `max_time` (counted from the start of the run).
pub struct Until<'a> {
    pub max_time: Duration,
    /// The benchmarks that need more rounds, judged from the results so far.
    pub unsettled: Unsettled<'a>,
}

/// Runs every round of `plan`, and more where `until` asks for them.
pub fn run_until(
    plan: &Plan,
    mut until: Option<Until>,
    on: &mut dyn FnMut(Event),
) -> Result<Outcome> {
    let needs = Needs::of(&plan.benches);
    checks::plan(plan, &needs)?;
    let clock = Instant::now();
    let processes = process::Processes::new(
        plan.benches.iter().filter_map(BenchSpec::process),
        &plan.cpus,
    )
    .map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let kept =
        KeptDirs::new(plan.variants.len()).map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let started = checks::start(plan, &needs, &kept)?;
    let controls = controls(&plan.benches, &started.records);
    let mut state = State {
        rng: ChaCha8Rng::seed_from_u64(plan.seed),
        ledger: Ledger::new(plan.benches.len(), plan.variants.len(), plan.rounds),
        workers: started.workers,
        processes,
    };
    let mut active = vec![true; plan.benches.len()];
    let mut unsettled = Vec::new();
    let mut round = 0;
    loop {
        round += 1;
        if round > plan.rounds {
            let Some(until) = until.as_mut() else { break };
            unsettled = (until.unsettled)(&state.results(plan));
            unsettled.retain(|id| !controls.contains(id));
            let (visits, max) = (state.ledger.visits(), until.max_time);
            if !rounds::fits(clock.elapsed(), visits, unsettled.len(), max) {
                break;
            }
            for (b, bench) in plan.benches.iter().enumerate() {
                active[b] = unsettled.contains(&bench.id);
            }
            state.ledger.extend(unsettled.len() * plan.variants.len());
            on(Event::Extending {
                round,
                unsettled: unsettled.len(),
                decided: plan.benches.len() - unsettled.len() - controls.len(),
                controls: controls.len(),
                left: max.saturating_sub(clock.elapsed()),
            });
        } else {
            on(Event::Round {
                round,
                of: plan.rounds,
            });
        }
        run_round((plan, &kept), round, &active, &mut state, on);
    }
    let mut results = state.results(plan);
    for r in &mut results {
        r.block_bytes = crate::workload::block_bytes(&r.bench, &started.corpora);
    }
    Ok(Outcome {
        variants: started.records,
        corpora: started.corpora,
        results,
        rounds: round - 1,
        unsettled,
    })
}

/// The run's controls: when some benchmarks were rebuilt between the variants,
/// those that were not (every variant loaded byte-identical files for them, see
/// [`workload::subject_of`]). Their difference is noise by construction, so they
/// get the planned rounds and no more. In an A/A run, where no benchmark was
/// rebuilt, there are none: every benchmark is measured as usual.
fn controls(benches: &[BenchSpec], records: &[VariantRecord]) -> Vec<String> {
    let same = |b: &&BenchSpec| {
        workload::subject_of(&b.id).is_some_and(|needs| {
            records.len() > 1
                && records[1..]
                    .iter()
                    .all(|r| records[0].same_subject(r, &needs))
        })
    };
    let (same, rebuilt): (Vec<&BenchSpec>, Vec<&BenchSpec>) = benches.iter().partition(same);
    if rebuilt.is_empty() {
        return Vec::new();
    }
    same.into_iter().map(|b| b.id.clone()).collect()
}

/// What carries over from round to round.
struct State {
    rng: ChaCha8Rng,
    ledger: Ledger,
    /// One per variant: the worker that takes its next turn, if one is running.
    workers: Vec<Option<Worker>>,
    processes: process::Processes,
}

impl State {
    fn results(&self, plan: &Plan) -> Vec<BenchResult> {
        self.ledger.results(&plan.benches, &plan.variants)
    }
}

/// Per variant, the directory its workers keep the inputs they prepare in
/// ([`crate::workload::Kept`]), for the run; removed with it.
pub(crate) struct KeptDirs {
    _root: tempfile::TempDir,
    dirs: Vec<PathBuf>,
}

impl KeptDirs {
    fn new(variants: usize) -> std::io::Result<KeptDirs> {
        let root = crate::tempfiles::dir()?;
        let dirs = (0..variants)
            .map(|v| {
                let dir = root.path().join(v.to_string());
                std::fs::create_dir(&dir).map(|_| dir)
            })
            .collect::<std::io::Result<_>>()?;
        Ok(KeptDirs { _root: root, dirs })
    }

    fn of(&self, v: usize) -> &std::path::Path {
        &self.dirs[v]
    }
}

/// One benchmark (the `b`th of the plan) in one round.
#[derive(Clone, Copy)]
struct Visit<'a> {
    plan: &'a Plan,
    kept: &'a KeptDirs,
    bench: &'a BenchSpec,
    b: usize,
    round: u32,
}

/// One round: every active benchmark, the variants in a fresh order.
fn run_round(
    (plan, kept): (&Plan, &KeptDirs),
    round: u32,
    active: &[bool],
    state: &mut State,
    on: &mut dyn FnMut(Event),
) {
    for (b, bench) in plan.benches.iter().enumerate() {
        if !active[b] {
            continue;
        }
        state.ledger.visit();
        let mut order: Vec<usize> = (0..plan.variants.len()).collect();
        order.shuffle(&mut state.rng);
        let at = Visit {
            plan,
            kept,
            bench,
            b,
            round,
        };
        match bench.process() {
            Some(p) => {
                for v in order {
                    let variant = &plan.variants[v].name;
                    state.ledger.announce((b, &bench.id), (v, variant), on);
                    visit_process(at, p, v, state, on);
                }
            }
            None => turns::take_turns(at, &order, &mut state.ledger, &mut state.workers, on),
        }
    }
    // Every round starts its own workers; dropping a handle ends its worker.
    for w in &mut state.workers {
        *w = None;
    }
}

/// A process workload's slice in variant `v`.
fn visit_process(
    at: Visit,
    p: &ProcessBench,
    v: usize,
    state: &mut State,
    on: &mut dyn FnMut(Event),
) {
    let Visit {
        plan, bench, round, ..
    } = at;
    let variant = &plan.variants[v];
    let cell = &mut state.ledger.cells[at.b][v];
    if !cell.ok() {
        return;
    }
    match state
        .processes
        .visit(p, variant, v, round, plan.slice, plan.timeout)
    {
        Ok(m) => {
            cell.work_per_iter = 1;
            cell.rounds.push(m.sample);
            cell.values.push(m.value);
            cell.exit_codes.push(m.exit_code);
        }
        Err(f) => cell.fail(&f, bench, variant, on),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::tests::loaded;
    use crate::library::Library;

    fn record(name: &str, provenance: Option<crate::provenance::Provenance>) -> VariantRecord {
        let mut variant = Variant::system();
        variant.name = name.into();
        VariantRecord {
            variant,
            provenance,
            same_files_as: vec![],
            smoke: None,
        }
    }

    fn controls_of(zlib: [&str; 2], provenance: bool) -> Vec<String> {
        let benches: Vec<BenchSpec> = workload::catalog(&["text".into()])
            .into_iter()
            .filter(|b| ["compress/zlib/l1/text", "libc/strlen/64"].contains(&b.id.as_str()))
            .collect();
        assert_eq!(benches.len(), 2);
        let records: Vec<VariantRecord> = zlib
            .iter()
            .map(|z| record(z, provenance.then(|| loaded(&[(Library::Zlib, z)], "libc"))))
            .collect();
        controls(&benches, &records)
    }

    #[test]
    fn what_was_not_rebuilt_is_a_control_when_something_else_was() {
        assert_eq!(controls_of(["z-o2", "z-o3"], true), ["libc/strlen/64"]);
    }

    #[test]
    fn an_a_a_run_or_one_without_provenance_has_no_controls() {
        assert!(controls_of(["z-o2", "z-o2"], true).is_empty(), "A/A");
        assert!(
            controls_of(["z-o2", "z-o3"], false).is_empty(),
            "unknown files"
        );
    }
}
