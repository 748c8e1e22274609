//! The runner: starts one worker per variant per round, pinned to the plan's CPUs,
//! and for every benchmark of every round lets the variants take the slice in short
//! turns ([`TURN`]), in a fresh seeded order reversed every turn; it gathers the
//! samples. Process workloads (interpreter scripts, commands) it spawns and
//! measures itself (`process`), a whole slice each, in the same order.
//!
//! Drift of a noisy machine then hits all variants alike, and every round yields
//! figures measured close together. The runner prints nothing: it reports through
//! [`Event`]s, and the caller decides how to show them.

mod process;

use crate::error::{Error, Result};
use crate::interpreter;
use crate::library::Library;
use crate::provenance::Provenance;
use crate::results::{BenchResult, RoundSample, Status, VariantRecord};
use crate::variant::Variant;
use crate::worker::{Reply, Request, SUBCOMMAND};
use crate::workload::corpus::{CorpusInfo, CorpusSpec};
use crate::workload::{BenchSpec, Job, Needs, ProcessBench};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
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
    /// A round beyond the planned ones, for benchmarks whose CI is still too wide.
    Extending {
        round: u32,
        unsettled: usize,
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

/// The libraries the selected benchmarks need, each once.
pub fn libraries(benches: &[BenchSpec]) -> Vec<Library> {
    let mut libs: Vec<Library> = benches
        .iter()
        .flat_map(|b| b.libraries.iter().copied())
        .collect();
    libs.sort();
    libs.dedup();
    libs
}

/// The measurements of one (benchmark, variant) pair as they come in.
#[derive(Default)]
struct Cell {
    rounds: Vec<RoundSample>,
    work_per_iter: u64,
    /// A process workload's figure per round (see `BenchResult::values`).
    values: Vec<f64>,
    exit_codes: Vec<i32>,
    status: Status,
    error: Option<String>,
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

pub fn run(plan: &Plan, on: &mut dyn FnMut(Event)) -> Result<Outcome> {
    run_until(plan, None, on)
}

/// [`run`], with more rounds where `until` asks for them.
pub fn run_until(
    plan: &Plan,
    mut until: Option<Until>,
    on: &mut dyn FnMut(Event),
) -> Result<Outcome> {
    let libs = libraries(&plan.benches);
    for v in &plan.variants {
        v.check_provides(&libs)?;
        v.check_interpreters(&plan.benches)?;
    }
    check_commands(plan)?;
    let started = Instant::now();
    let processes = process::Processes::new(
        plan.benches.iter().filter_map(BenchSpec::process),
        &plan.cpus,
    )
    .map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let (workers, records, corpora) = start_checked(plan, &libs)?;
    let cells: Vec<Vec<Cell>> = plan
        .benches
        .iter()
        .map(|_| plan.variants.iter().map(|_| Cell::default()).collect())
        .collect();
    let mut state = Rounds {
        rng: ChaCha8Rng::seed_from_u64(plan.seed),
        step: 0,
        steps: plan.rounds as usize * plan.benches.len() * plan.variants.len(),
        visits: 0,
        cells,
        workers,
        processes,
    };
    let mut active = vec![true; plan.benches.len()];
    let mut unsettled = Vec::new();
    let mut round = 0;
    loop {
        round += 1;
        if round > plan.rounds {
            let Some(until) = until.as_mut() else { break };
            unsettled = (until.unsettled)(&collect(plan, &state.cells));
            let per_visit = started.elapsed().as_secs_f64() / state.visits.max(1) as f64;
            let next = per_visit * unsettled.len() as f64;
            if unsettled.is_empty()
                || started.elapsed().as_secs_f64() + next > until.max_time.as_secs_f64()
            {
                break;
            }
            for (b, bench) in plan.benches.iter().enumerate() {
                active[b] = unsettled.contains(&bench.id);
            }
            state.steps = state.step + unsettled.len() * plan.variants.len();
            on(Event::Extending {
                round,
                unsettled: unsettled.len(),
            });
        } else {
            on(Event::Round {
                round,
                of: plan.rounds,
            });
        }
        run_round(plan, round, &active, &mut state, on);
    }
    Ok(Outcome {
        variants: records,
        corpora,
        results: collect(plan, &state.cells),
        rounds: round - 1,
        unsettled,
    })
}

/// What carries over from round to round.
struct Rounds {
    rng: ChaCha8Rng,
    step: usize,
    steps: usize,
    /// Benchmarks measured so far, summed over rounds: the unit of time estimates.
    visits: usize,
    cells: Vec<Vec<Cell>>,
    workers: Vec<Option<Worker>>,
    processes: process::Processes,
}

/// How long one variant runs before the next takes over, within a slice. The
/// speed of a shared or virtual CPU wanders by tens of percent over seconds; turns
/// this short see the same speed, so the per-round ratio of two variants holds
/// still even when the machine does not.
pub const TURN: Duration = Duration::from_millis(10);

/// One round: every active benchmark, the variants in a fresh order.
fn run_round(
    plan: &Plan,
    round: u32,
    active: &[bool],
    state: &mut Rounds,
    on: &mut dyn FnMut(Event),
) {
    for (b, bench) in plan.benches.iter().enumerate() {
        if !active[b] {
            continue;
        }
        state.visits += 1;
        let mut order: Vec<usize> = (0..plan.variants.len()).collect();
        order.shuffle(&mut state.rng);
        match bench.process() {
            Some(p) => {
                for v in order {
                    announce(plan, bench, b, v, state, on);
                    visit_process(plan, p, bench, b, v, round, state, on);
                }
            }
            None => take_turns(plan, bench, b, &order, round, state, on),
        }
    }
    for w in state.workers.iter_mut() {
        if let Some(w) = w.take() {
            w.finish();
        }
    }
}

/// Counts the step of `bench` (the `b`th) in variant `v`, and says so unless the
/// variant has already failed it.
fn announce(
    plan: &Plan,
    bench: &BenchSpec,
    b: usize,
    v: usize,
    state: &mut Rounds,
    on: &mut dyn FnMut(Event),
) {
    state.step += 1;
    if state.cells[b][v].status == Status::Ok {
        on(Event::Measuring {
            bench: &bench.id,
            variant: &plan.variants[v].name,
            step: state.step,
            steps: state.steps,
        });
    }
}

/// A process workload's slice in variant `v`.
#[allow(clippy::too_many_arguments)]
fn visit_process(
    plan: &Plan,
    p: &ProcessBench,
    bench: &BenchSpec,
    b: usize,
    v: usize,
    round: u32,
    state: &mut Rounds,
    on: &mut dyn FnMut(Event),
) {
    let variant = &plan.variants[v];
    let cell = &mut state.cells[b][v];
    if cell.status != Status::Ok {
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
        Err(f) => record_failure(cell, &f, bench, variant, on),
    }
}

/// One slice of a library benchmark for every variant, cut into turns of [`TURN`]
/// taken in the order `order`, then reversed (A B B A A B…), until every variant
/// has run a whole slice. A variant's round sample is the sum of its turns.
fn take_turns(
    plan: &Plan,
    bench: &BenchSpec,
    b: usize,
    order: &[usize],
    round: u32,
    state: &mut Rounds,
    on: &mut dyn FnMut(Event),
) {
    let turn = TURN.min(plan.slice);
    let mut sums = vec![
        RoundSample {
            round,
            ..Default::default()
        };
        plan.variants.len()
    ];
    // Variants that failed this benchmark in an earlier round still count a step.
    state.step += order
        .iter()
        .filter(|&&v| state.cells[b][v].status != Status::Ok)
        .count();
    for pass in 0.. {
        let live: Vec<usize> = order
            .iter()
            .copied()
            .filter(|&v| state.cells[b][v].status == Status::Ok)
            .collect();
        if live
            .iter()
            .all(|&v| sums[v].seconds >= plan.slice.as_secs_f64())
        {
            break;
        }
        let turns: Vec<usize> = if pass % 2 == 0 {
            live
        } else {
            live.into_iter().rev().collect()
        };
        for v in turns {
            if pass == 0 {
                announce(plan, bench, b, v, state, on);
            }
            let variant = &plan.variants[v];
            let cell = &mut state.cells[b][v];
            let worker = match state.workers[v].take() {
                Some(w) => w,
                None => match Worker::spawn(plan, variant, false) {
                    Ok((w, _)) => w,
                    Err(f) => {
                        record_failure(cell, &f, bench, variant, on);
                        continue;
                    }
                },
            };
            match measure(worker, bench, turn, plan.timeout, round) {
                (Some(w), Ok((sample, work_per_iter))) => {
                    sums[v].add(&sample);
                    cell.work_per_iter = work_per_iter;
                    state.workers[v] = Some(w);
                }
                (w, Err(f)) => {
                    state.workers[v] = w;
                    record_failure(cell, &f, bench, variant, on);
                }
                (None, Ok(_)) => unreachable!("a sample comes from a live worker"),
            }
        }
    }
    for (v, sum) in sums.into_iter().enumerate() {
        let cell = &mut state.cells[b][v];
        if sum.iterations > 0 && cell.status == Status::Ok {
            cell.rounds.push(sum);
        }
    }
}

/// Marks the cell failed and says so; a wrong result also throws away the
/// figures measured so far, which came from the same wrong code.
fn record_failure(
    cell: &mut Cell,
    failure: &Failure,
    bench: &BenchSpec,
    variant: &Variant,
    on: &mut dyn FnMut(Event),
) {
    let (status, message) = (failure.status(), failure.describe(variant, &bench.id));
    if status == Status::Broken {
        cell.rounds.clear();
        cell.values.clear();
    }
    on(Event::Failed {
        bench: &bench.id,
        variant: &variant.name,
        status,
        message: &message,
    });
    cell.status = status;
    cell.error = Some(message);
}

fn collect(plan: &Plan, cells: &[Vec<Cell>]) -> Vec<BenchResult> {
    let mut results = Vec::new();
    for (bench, row) in plan.benches.iter().zip(cells) {
        for (variant, cell) in plan.variants.iter().zip(row) {
            let mut r = BenchResult::new(
                &bench.id,
                bench.group,
                &variant.name,
                bench.unit,
                cell.work_per_iter,
                cell.rounds.clone(),
                cell.status,
                cell.error.clone(),
            );
            if bench.process().is_some() {
                r = r.with_values(cell.values.clone());
                r.exit_codes = cell.exit_codes.clone();
            }
            results.push(r);
        }
    }
    results
}

/// Every variant has a command line for every selected command, and every
/// per-variant command line names a variant of the run.
fn check_commands(plan: &Plan) -> Result<()> {
    for bench in &plan.benches {
        let Some(Job::Command(c)) = bench.process().map(|p| &p.job) else {
            continue;
        };
        let bad = |why: String| Error::Command {
            command: c.name.clone(),
            why,
        };
        if let Some(v) = plan.variants.iter().find(|v| c.argv_for(&v.name).is_none()) {
            return Err(bad(format!(
                "no `argv` and no `variants.{}` command line for variant `{}`",
                v.name, v.name
            )));
        }
        if let Some(name) = c
            .per_variant
            .keys()
            .find(|n| !plan.variants.iter().any(|v| &v.name == *n))
        {
            let known: Vec<&str> = plan.variants.iter().map(|v| v.name.as_str()).collect();
            return Err(bad(format!(
                "`variants.{name}` names no variant of this run ({})",
                known.join(", ")
            )));
        }
    }
    Ok(())
}

/// Starts the first round's workers, with provenance, and refuses variants whose
/// libraries came from elsewhere or whose corpora differ.
#[allow(clippy::type_complexity)]
fn start_checked(
    plan: &Plan,
    libs: &[Library],
) -> Result<(Vec<Option<Worker>>, Vec<VariantRecord>, Vec<CorpusInfo>)> {
    let needs = Needs::of(&plan.benches);
    let mut workers = Vec::new();
    let mut records: Vec<VariantRecord> = Vec::new();
    let mut corpora: Option<(String, Vec<CorpusInfo>)> = None;
    for variant in &plan.variants {
        let (worker, ready) =
            Worker::spawn(plan, variant, true).map_err(|f| Error::WorkerStart {
                variant: variant.name.clone(),
                why: f.describe(variant, "start-up"),
                crashed: !matches!(f, Failure::Died { status: None, .. }),
            })?;
        let Reply::Ready {
            provenance,
            corpora: infos,
        } = ready
        else {
            unreachable!("spawn returns Ready")
        };
        let mut provenance = *provenance.expect("asked for provenance");
        for (&i, path) in &variant.interpreters {
            match interpreter::identify(variant, i, path, plan.timeout) {
                Ok(identity) => provenance.interpreters.push(identity),
                Err(why) => {
                    worker.finish();
                    return Err(Error::Interpreter {
                        variant: variant.name.clone(),
                        interpreter: i.name(),
                        path: path.clone(),
                        why,
                    });
                }
            }
        }
        if let Some((what, loaded)) = variant
            .glibc
            .as_ref()
            .and_then(|g| provenance.foreign_glibc(g))
        {
            worker.finish();
            return Err(Error::WrongGlibc {
                variant: variant.name.clone(),
                what,
                loaded,
                expected: variant
                    .glibc
                    .as_ref()
                    .map(|g| g.lib_dir.clone())
                    .unwrap_or_default(),
            });
        }
        if let Some((lib, loaded)) = provenance.foreign_library(variant, libs) {
            worker.finish();
            return Err(Error::WrongLibrary {
                variant: variant.name.clone(),
                library: lib.name(),
                soname: lib.soname(),
                loaded,
                expected: variant
                    .lib_dirs
                    .iter()
                    .map(|d| d.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        match &corpora {
            None => corpora = Some((variant.name.clone(), infos)),
            Some((first, known)) => {
                if let Some((a, b)) = known.iter().zip(&infos).find(|(a, b)| a.sha256 != b.sha256) {
                    worker.finish();
                    return Err(Error::CorpusMismatch {
                        name: a.name.clone(),
                        a: first.clone(),
                        hash_a: a.sha256.clone(),
                        b: variant.name.clone(),
                        hash_b: b.sha256.clone(),
                    });
                }
            }
        }
        // Same files but another environment (OPENSSL_ia32cap, PYTHONPATH…) is
        // not the same build run twice.
        let same_files_as = records
            .iter()
            .filter(|r| {
                r.variant.env == variant.env
                    && r.provenance
                        .as_ref()
                        .is_some_and(|p: &Provenance| p.same_files(&provenance, &needs))
            })
            .map(|r| r.variant.name.clone())
            .collect();
        records.push(VariantRecord {
            variant: variant.clone(),
            provenance: Some(provenance),
            same_files_as,
        });
        workers.push(Some(worker));
    }
    Ok((workers, records, corpora.map(|c| c.1).unwrap_or_default()))
}

/// Sends one Measure and waits for its sample: ((sample, work per iteration), worker
/// when it is still usable) or the failure.
#[allow(clippy::type_complexity)]
fn measure(
    mut w: Worker,
    bench: &BenchSpec,
    slice: Duration,
    timeout: Duration,
    round: u32,
) -> (
    Option<Worker>,
    std::result::Result<(RoundSample, u64), Failure>,
) {
    let req = Request::Measure {
        bench: bench.id.clone(),
        slice_seconds: slice.as_secs_f64(),
    };
    let reply = w.send(&req).and_then(|_| w.recv(timeout));
    match reply {
        Ok(Reply::Sample {
            bench: got,
            iterations,
            seconds,
            user_seconds,
            system_seconds,
            work_per_iter,
        }) if got == bench.id && iterations > 0 && seconds > 0.0 => {
            let sample = RoundSample {
                round,
                iterations,
                seconds,
                user_seconds,
                system_seconds,
                turns: vec![],
            };
            (Some(w), Ok((sample, work_per_iter)))
        }
        Ok(Reply::Broken { reason, .. }) => (Some(w), Err(Failure::Broken(reason))),
        Ok(other) => {
            w.finish();
            (None, Err(Failure::Garbage(format!("{other:?}"))))
        }
        Err(f) => {
            w.finish();
            (None, Err(f))
        }
    }
}

/// Why a worker or a process gave no sample.
#[derive(Debug, Clone)]
enum Failure {
    Broken(String),
    Died {
        status: Option<ExitStatus>,
        stderr: String,
    },
    Hung(Duration),
    Garbage(String),
    /// A spawned process (script, command) that crashed, hung or could not
    /// start, described by the one who spawned it.
    Process {
        status: Status,
        why: String,
    },
}

impl Failure {
    fn status(&self) -> Status {
        match self {
            Failure::Broken(_) => Status::Broken,
            Failure::Hung(_) => Status::Timeout,
            Failure::Died { .. } | Failure::Garbage(_) => Status::Crashed,
            Failure::Process { status, .. } => *status,
        }
    }

    fn describe(&self, variant: &Variant, bench: &str) -> String {
        let v = &variant.name;
        match self {
            Failure::Broken(why) => format!("variant `{v}` computed a wrong result in {bench}: {why}"),
            Failure::Hung(t) => format!("variant `{v}`: the worker did not answer {bench} within {:.0} s and was killed (raise --timeout if it is just slow)", t.as_secs_f64()),
            Failure::Process { why, .. } => format!("variant `{v}`: {why} during {bench}"),
            Failure::Garbage(line) => format!("variant `{v}`: the worker printed something that is not a storebench reply during {bench}: {line}"),
            Failure::Died { status, stderr } => {
                let how = match status.and_then(|s| s.signal()) {
                    Some(sig) => format!("was killed by signal {sig} ({})", signal_name(sig)),
                    None => match status.and_then(|s| s.code()) {
                        Some(code) => format!("exited with code {code}"),
                        None => "stopped answering".into(),
                    },
                };
                let tail = stderr.trim();
                let tail = if tail.is_empty() { String::new() } else { format!("; it said: {}", tail.lines().rev().take(3).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join(" / ")) };
                let hint = if tail.contains("GLIBC_") || tail.contains("libc.so.6") {
                    "; this looks like a glibc on the library path that does not match the loader: a glibc is used only through its own loader"
                } else {
                    ""
                };
                format!("variant `{v}`: the worker {how} during {bench}{tail}{hint}")
            }
        }
    }
}

fn signal_name(sig: i32) -> &'static str {
    match sig {
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGABRT => "SIGABRT",
        libc::SIGBUS => "SIGBUS",
        libc::SIGILL => {
            "SIGILL, an instruction this CPU lacks: was it built with -march for another machine?"
        }
        libc::SIGFPE => "SIGFPE",
        libc::SIGKILL => "SIGKILL",
        libc::SIGTERM => "SIGTERM",
        _ => "signal",
    }
}

/// A running worker process and the thread that reads its replies.
struct Worker {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<std::io::Result<String>>,
    stderr: Arc<Mutex<String>>,
}

impl Worker {
    /// Starts a worker for `variant`, says hello and waits for it to be ready.
    fn spawn(
        plan: &Plan,
        variant: &Variant,
        provenance: bool,
    ) -> std::result::Result<(Worker, Reply), Failure> {
        let mut cmd = variant.command(&plan.exe);
        crate::affinity::pin(&mut cmd, &plan.cpus);
        cmd.arg(SUBCOMMAND)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(|e| Failure::Died {
            status: None,
            stderr: format!("cannot start {}: {e}", plan.exe.display()),
        })?;
        let stdin = child.stdin.take().expect("piped");
        let stdout = child.stdout.take().expect("piped");
        let mut err_pipe = child.stderr.take().expect("piped");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = err_pipe.read(&mut buf) {
                let mut s = sink.lock().expect("stderr buffer");
                s.push_str(&String::from_utf8_lossy(&buf[..n]));
                if s.len() > 16_384 {
                    let cut = s.len() - 8_192;
                    let cut = (cut..s.len())
                        .find(|&i| s.is_char_boundary(i))
                        .unwrap_or(s.len());
                    s.drain(..cut);
                }
            }
        });
        let mut w = Worker {
            child,
            stdin,
            lines,
            stderr,
        };
        let hello = Request::Hello {
            corpus: plan.corpus.clone(),
            provenance,
        };
        match w.send(&hello).and_then(|_| w.recv(plan.timeout)) {
            Ok(ready @ Reply::Ready { .. }) => Ok((w, ready)),
            Ok(Reply::Failed { reason }) => {
                let status = w.finish();
                Err(Failure::Died {
                    status,
                    stderr: reason,
                })
            }
            Ok(other) => {
                w.finish();
                Err(Failure::Garbage(format!("{other:?}")))
            }
            Err(f) => {
                w.finish();
                Err(f)
            }
        }
    }

    fn send(&mut self, req: &Request) -> std::result::Result<(), Failure> {
        let line = serde_json::to_string(req).expect("requests serialise");
        writeln!(self.stdin, "{line}")
            .and_then(|_| self.stdin.flush())
            .map_err(|_| self.died())
    }

    fn recv(&mut self, timeout: Duration) -> std::result::Result<Reply, Failure> {
        match self.lines.recv_timeout(timeout) {
            Ok(Ok(line)) => serde_json::from_str(&line)
                .map_err(|_| Failure::Garbage(line.chars().take(200).collect())),
            Ok(Err(_)) | Err(RecvTimeoutError::Disconnected) => Err(self.died()),
            Err(RecvTimeoutError::Timeout) => Err(Failure::Hung(timeout)),
        }
    }

    /// The worker closed its pipes: wait briefly for its exit status.
    fn died(&mut self) -> Failure {
        let status = reap(&mut self.child, Duration::from_secs(5));
        // Give the stderr reader a moment to drain what the worker said last.
        std::thread::sleep(Duration::from_millis(20));
        Failure::Died {
            status,
            stderr: self.stderr.lock().map(|s| s.clone()).unwrap_or_default(),
        }
    }

    /// Closes stdin so the worker ends its loop; kills it if it lingers.
    fn finish(self) -> Option<ExitStatus> {
        let Worker {
            mut child, stdin, ..
        } = self;
        drop(stdin);
        reap(&mut child, Duration::from_secs(5))
    }
}

/// Waits up to `grace` for the child to exit, then kills it.
fn reap(child: &mut Child, grace: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + grace;
    loop {
        match child.try_wait() {
            Ok(Some(s)) => return Some(s),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            _ => {
                let _ = child.kill();
                return child.wait().ok();
            }
        }
    }
}
