//! The command line: parses arguments, runs the stages, prints, and maps the
//! outcome to the exit codes documented in `--help`. Only this module prints.

mod impact;
mod probe;
mod report;
mod scenario;
mod shares;

mod calibrate;
mod ci;
mod compare;
mod export;
mod flags;
mod history;
#[cfg(test)]
mod hostile;
mod inspect;
mod merge;
mod outputs;
mod progress;
mod run;
mod smoke;

use crate::baseline;
use crate::compare::Options;
use crate::config::Config;
use crate::error::{exit, Error, Result};
use crate::results::DEFAULT_NOISE_PCT;
use crate::results::{ChangeVerdict, Document, Settings};
use crate::runner::{self, Plan, Until};
use crate::sequential::Stopping;
use crate::variant::Variant;
use crate::workload::corpus::CorpusSpec;
use crate::workload::{self};
use crate::{host, table};
use clap::{Args, Parser, Subcommand};
use flags::non_negative;
use std::path::PathBuf;
use std::time::Duration;

const EXIT_CODES: &str = "\
Exit codes:
  0  every benchmark measured, every output right
  1  a gate failed: with `compare --fail-on regression[=PCT]`, a benchmark regressed
     (its whole 95 % CI below −PCT %); with `ci`, a gate of the night failed
  2  bad input: a variant path, a missing library, a config, a pattern, a claims
     file, a corrupt, truncated or newer-schema baseline or history; with
     `ci --require-quiet`, a machine that never got quiet; an output that
     could not be written (checked before measuring; the others are written)
  3  a variant computed wrong results (broken), or its worker crashed or hung,
     at start-up too
  130, 143, 129  interrupted by SIGINT, SIGTERM, SIGHUP (nothing it started is
     left running)

Verdicts: positive changes are better for every unit (a rate that rises, a time,
memory or CPU use that falls). A change whose CI lies within ±--noise is \"no
change\"; one whose CI clears zero with an estimate beyond the noise is an
improvement or a regression; one whose CI holds zero but reaches past the noise is
inconclusive (more rounds would tell). The MDE is the CI's half-width.";

#[derive(Parser)]
#[command(
    name = "storebench",
    version,
    about = "Is the optimized build of a library really faster than the stock build, and by how much?",
    long_about = "storebench runs the same benchmarks against two or more builds of system libraries \
(Nix store paths, generations, directories) side by side in one run, proves which library files \
each really loaded, checks that they compute correct results, and reports the paired change with \
its confidence interval.",
    after_help = EXIT_CODES
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Measure the variants side by side, round by round.
    #[command(after_help = run::RUN_EXAMPLES)]
    Run(run::RunArgs),
    /// Compare with a stored run: measure now with its settings (BASELINE), or
    /// compare two stored runs without measuring (BEFORE AFTER).
    #[command(after_help = compare::EXAMPLES)]
    Compare(compare::CompareArgs),
    /// The nightly job: check the machine, measure, compare with the last run
    /// (or a baseline), apply the gates, record, report, and print a short summary.
    #[command(after_help = ci::ABOUT)]
    Ci(ci::CiArgs),
    /// List the stored runs in the baselines directory: date, host, variants.
    Baselines(compare::BaselinesArgs),
    /// Can this machine see a 3 % change? An A/A run and a positive control.
    #[command(after_help = calibrate::ABOUT)]
    Calibrate(calibrate::CalibrateArgs),
    /// Print every benchmark id, its group, the libraries it needs and its unit.
    List(inspect::ListArgs),
    /// Write the generated corpora to files, to feed the same bytes to other tools
    /// (`zstd -b3 DIR/text`, lzbench…).
    Corpus(inspect::CorpusArgs),
    /// List the generations of Nix profiles and the store path of each benchmarked
    /// library in them, and propose the variants that compare the last two that differ.
    #[command(after_help = inspect::DISCOVER_HELP)]
    Discover(inspect::DiscoverArgs),
    /// Measure the memory and CPU use of running processes over a time window.
    #[command(after_help = probe::PROBE_EXAMPLES)]
    Probe(probe::ProbeArgs),
    /// Run the plan's claims about a running system end to end here: Electron
    /// memory (Chromium), video CPU (ffmpeg), desktop memory (KWin, Baloo).
    #[command(after_help = scenario::SCENARIO_EXAMPLES)]
    Scenario(scenario::ScenarioArgs),
    /// Render results documents as one self-contained HTML page.
    Report(report::ReportArgs),
    /// List the recorded runs, print a benchmark's trend, or import stored runs.
    #[command(after_help = history::ABOUT)]
    History(history::HistoryArgs),
    /// Merge run documents of the same variants, measured in parts, into one run:
    /// judged, printed, reported and recorded as one.
    #[command(after_help = merge::ABOUT)]
    Merge(merge::MergeArgs),
    /// What a run's rebuild saves a probed workload: CPU shares × changes.
    #[command(after_help = impact::ABOUT)]
    Impact(impact::ImpactArgs),
    /// After a switch: run the basic commands (ls, cat, grep, git, nix-build) from
    /// each variant's profile or generation on fixed inputs and check their output.
    #[command(after_help = smoke::ABOUT)]
    Smoke(smoke::SmokeArgs),
}

/// How changes are judged.
#[derive(Args)]
struct Judging {
    /// A change whose 95 % CI lies within ±PCT % is "no change".
    #[arg(long, value_name = "PCT", default_value_t = DEFAULT_NOISE_PCT, value_parser = non_negative)]
    noise: f64,
    /// The claims to judge, a TOML file like the built-in claims.toml.
    #[arg(long, value_name = "FILE")]
    claims: Option<PathBuf>,
}

impl Judging {
    fn options(&self, seed: u64) -> Options {
        Options::new(self.noise, seed)
    }
}

#[derive(Args)]
struct Store {
    /// Where `--save NAME` writes NAME.json and `compare NAME` reads it.
    #[arg(long, value_name = "DIR", default_value = baseline::DEFAULT_DIR)]
    baselines_dir: PathBuf,
    /// Let an incomplete run (a benchmark failed) replace a stored file that this
    /// storebench cannot read (a newer schema, a corrupt file); without it such a
    /// file is kept and the run exits 2.
    #[arg(long)]
    replace_baseline: bool,
}

#[derive(Args)]
struct Selection {
    /// Benchmarks to run, as globs over ids (`*` crosses `/`); repeatable. Default: all.
    #[arg(long = "bench", value_name = "PATTERN")]
    benches: Vec<String>,
    /// Compress your own files instead of the generated corpora; repeatable.
    #[arg(long = "corpus", value_name = "PATH")]
    corpora: Vec<PathBuf>,
    /// Size of each generated corpus (text, json, binary), in KiB.
    #[arg(long, value_name = "KIB", value_parser = flags::kib)]
    corpus_kib: Option<usize>,
}

/// How much each benchmark is measured.
#[derive(Args)]
struct Sizing {
    /// Rounds, a fixed number: each gives every variant one time slice per
    /// benchmark. Without it the run is sequential: 7 rounds of every benchmark,
    /// then more only for those whose verdict is still open (up to 30 rounds),
    /// until each is decided or --budget is spent. Benchmarks that no variant
    /// rebuilt (byte-identical files in all) get no more than 7 when others were.
    #[arg(long, value_name = "N", value_parser = flags::rounds)]
    rounds: Option<u32>,
    /// The time a sequential run may take in all (no --rounds), e.g. 90s, 10m.
    #[arg(long, value_name = "DURATION", default_value = "9m", value_parser = flags::span)]
    budget: Duration,
    /// Time slice per benchmark, variant and round, in seconds. A round's figure
    /// is the median of its 10 ms turns: a longer slice makes each round surer,
    /// a shorter one gives more rounds in the same time (a sequential run's 7
    /// first rounds of all 110 library benchmarks take about 4.5 min at 0.15 s,
    /// 7 min at 0.25 s).
    #[arg(long, value_name = "SECS", default_value_t = 0.15, value_parser = flags::slice)]
    slice: f64,
    /// A smoke run: 3 fixed rounds of 0.05 s slices on 256 KiB corpora (unless given).
    #[arg(long)]
    quick: bool,
    /// Kill a worker that does not answer one benchmark within this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 120.0, value_parser = flags::timeout)]
    timeout: f64,
    /// Seed for the corpora and the round order. Default: new each run, recorded.
    #[arg(long)]
    seed: Option<u64>,
    /// Run every measured process on these CPUs: 3, 2,3, 0-3, or `all` to leave
    /// them where the scheduler puts them. Default: one, the last CPU storebench
    /// may use. The CPUs of a shared or virtual machine do not run at one speed,
    /// and variants measured on different ones differ for no reason of their own.
    #[arg(long, value_name = "LIST", value_parser = crate::affinity::parse)]
    cpus: Option<crate::affinity::Cpus>,
}

impl Sizing {
    /// The sequential design, unless --rounds or --quick fix the rounds.
    fn stopping(&self) -> Option<Stopping> {
        (self.rounds.is_none() && !self.quick).then(Stopping::default)
    }

    /// The plan of a run of `variants` on the benchmarks `selection` picks, and
    /// the settings it records (judging settings left at defaults). A
    /// sequential run plans its minimum rounds and records its design.
    fn plan(
        &self,
        selection: &Selection,
        variants: Vec<Variant>,
        config: &Config,
    ) -> Result<(Plan, Settings)> {
        let seed = self.seed.unwrap_or_else(fresh_seed);
        let corpus = selection.corpus(self.quick, seed);
        let benches = selection.benches(&corpus, config, &variants)?;
        let stopping = self.stopping();
        let (rounds, slice) = match (self.quick, stopping) {
            (true, _) => (self.rounds.unwrap_or(3), 0.05),
            (false, Some(design)) => (design.min_rounds, self.slice),
            (false, None) => (self.rounds.unwrap_or(10), self.slice),
        };
        let plan = Plan {
            variants,
            benches,
            rounds,
            slice: Duration::from_secs_f64(slice),
            timeout: Duration::from_secs_f64(self.timeout),
            seed,
            corpus,
            exe: current_exe()?,
            cpus: crate::affinity::choose(self.cpus.clone()),
        };
        let settings = Settings {
            rounds,
            slice_seconds: slice,
            timeout_seconds: self.timeout,
            bench_patterns: selection.benches.clone(),
            cpus: plan.cpus.clone(),
            stopping,
            max_time_seconds: stopping.map(|_| self.budget.as_secs_f64()),
            ..Settings::default()
        };
        Ok((plan, settings))
    }
}

pub fn main() -> i32 {
    let cli = Cli::parse();
    // Nothing storebench starts outlives it; but a page opened with `report
    // --open` hands its browser to the desktop, which must stay.
    let _guard = crate::process::guard(!matches!(cli.command, Command::Report(_)));
    let outcome = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Compare(args) => compare::compare(args),
        Command::Ci(args) => ci::ci(args),
        Command::Baselines(args) => compare::baselines(args),
        Command::Calibrate(args) => calibrate::calibrate(args),
        Command::List(args) => inspect::list(args),
        Command::Discover(args) => inspect::discover(args),
        Command::Corpus(args) => inspect::corpus(args),
        Command::Probe(args) => probe::probe(args),
        Command::Scenario(args) => scenario::scenario(args),
        Command::Report(args) => report::report(args),
        Command::History(args) => history::history(args),
        Command::Merge(args) => merge::merge(args),
        Command::Impact(args) => impact::impact(args),
        Command::Smoke(args) => smoke::smoke(args),
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    }
}

impl Selection {
    fn corpus(&self, quick: bool, seed: u64) -> CorpusSpec {
        if !self.corpora.is_empty() {
            return CorpusSpec::Files {
                paths: self.corpora.clone(),
            };
        }
        let kib = self.corpus_kib.unwrap_or(if quick { 256 } else { 1024 });
        CorpusSpec::Generated {
            seed,
            bytes: kib * 1024,
        }
    }

    /// The built-in benchmarks and the config's commands that the patterns select
    /// and every variant can serve. Without a pattern, interpreter workloads are
    /// left out silently unless every variant names that interpreter; the other
    /// benchmarks a variant cannot serve (a library its roots lack, an
    /// interpreter it names none of) are left out with a note on stderr, and
    /// when none is left, that is the error.
    fn benches(
        &self,
        corpus: &CorpusSpec,
        config: &Config,
        variants: &[Variant],
    ) -> Result<Vec<workload::BenchSpec>> {
        let mut catalog = workload::catalog(&corpus.names()?);
        workload::command::catalog(&config.commands, &mut catalog)?;
        if self.benches.is_empty() {
            catalog.retain(|b| match b.interpreter() {
                Some(i) => variants.iter().all(|v| v.interpreters.contains_key(&i)),
                None => true,
            });
        }
        servable(workload::select(catalog, &self.benches)?, variants)
    }
}

/// The benchmarks every variant can serve. The rest are named on stderr, grouped
/// by the reason (`variant `stock` has no liblzma.so.5`); when nothing is left,
/// the first benchmark's reason is the error (exit 2).
fn servable(
    benches: Vec<workload::BenchSpec>,
    variants: &[Variant],
) -> Result<Vec<workload::BenchSpec>> {
    let unservable = |b: &workload::BenchSpec| -> Option<Error> {
        variants.iter().find_map(|v| {
            v.check_provides(&b.libraries)
                .and_then(|()| v.check_interpreters(std::slice::from_ref(b)))
                .err()
        })
    };
    let mut kept = Vec::new();
    let mut skipped: Vec<(String, Vec<String>)> = Vec::new();
    let mut first_error = None;
    for b in benches {
        let Some(err) = unservable(&b) else {
            kept.push(b);
            continue;
        };
        let why = match &err {
            Error::MissingLibrary {
                variant, soname, ..
            } => format!("variant `{variant}` has no {soname}*"),
            Error::MissingInterpreter {
                variant,
                interpreter,
                ..
            } => format!("variant `{variant}` names no {interpreter} interpreter"),
            other => other.to_string(),
        };
        match skipped.iter_mut().find(|(w, _)| *w == why) {
            Some((_, ids)) => ids.push(b.id),
            None => skipped.push((why, vec![b.id])),
        }
        first_error.get_or_insert(err);
    }
    if kept.is_empty() {
        if let Some(err) = first_error {
            return Err(err);
        }
    }
    for (why, ids) in &skipped {
        let shown = ids.iter().take(4).cloned().collect::<Vec<_>>().join(", ");
        let more = if ids.len() > 4 { ", …" } else { "" };
        eprintln!(
            "note: skipped {} benchmark{} ({shown}{more}): {why}",
            ids.len(),
            if ids.len() == 1 { "" } else { "s" }
        );
    }
    Ok(kept)
}

fn variants(arguments: &[String], config: &Config) -> Result<Vec<Variant>> {
    let mut variants: Vec<Variant> = config
        .variants
        .iter()
        .map(|(name, cfg)| Variant::from_config(name, cfg))
        .collect::<Result<_>>()?;
    for arg in arguments {
        variants.push(Variant::from_arg(arg)?);
    }
    if variants.is_empty() {
        variants.push(Variant::system());
    }
    for v in &variants {
        for note in &v.notes {
            eprintln!("note: variant `{}`: {note}", v.name);
        }
    }
    for (i, v) in variants.iter().enumerate() {
        if variants[..i].iter().any(|w| w.name == v.name) {
            return Err(Error::DuplicateVariant(v.name.clone()));
        }
    }
    Ok(variants)
}

fn current_exe() -> Result<PathBuf> {
    std::env::current_exe().map_err(|e| Error::io("/proc/self/exe", e))
}

/// Runs `plan` (with more rounds where `until` asks) and makes the document.
fn measure(plan: &Plan, mut settings: Settings, until: Option<Until>) -> Result<Document> {
    let started = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    eprintln!(
        "storebench: {} benchmarks × {} variants × {} rounds of {:.2} s{} (seed {}, {})",
        plan.benches.len(),
        plan.variants.len(),
        plan.rounds,
        plan.slice.as_secs_f64(),
        settings
            .stopping
            .map(|d| format!(
                " at least, then more while a verdict is open ({} rounds at most, --budget {})",
                d.max_rounds,
                humantime::format_duration(Duration::from_secs_f64(
                    settings.max_time_seconds.unwrap_or_default().round()
                ))
            ))
            .unwrap_or_default(),
        plan.seed,
        match plan.cpus.as_slice() {
            [] => "on any CPU".to_string(),
            [one] => format!("on CPU {one}"),
            cpus => format!("on CPUs {}", crate::affinity::list(cpus)),
        }
    );
    let clock = std::time::Instant::now();
    let mut progress = progress::Progress::new();
    let outcome = runner::run_until(plan, until, &mut |e| progress.show(e))?;
    progress.done();
    eprintln!("measured in {:.1} s", clock.elapsed().as_secs_f64());
    settings.rounds = outcome.rounds;
    settings.unsettled = outcome.unsettled;
    settings.blocks = Settings::blocks_of(&outcome.results);
    let doc = Document::unjudged(
        host::detect(),
        started,
        plan.seed,
        settings,
        outcome.variants,
        outcome.results,
    );
    Ok(Document {
        corpora: outcome.corpora,
        ..doc
    })
}

/// Prints the verdicts of an analysed document.
fn present(doc: &Document, before: Option<(&Document, &str)>) {
    print!("{}", table::render_against(doc, before));
    let groups = table::render_groups(doc);
    if !groups.is_empty() {
        println!();
        print!("{groups}");
    }
    let attribution = table::attribution::render(doc);
    if !attribution.is_empty() {
        println!();
        print!("{attribution}");
    }
    println!();
    if doc.comparisons.is_empty() {
        println!("claims: nothing was compared (one variant); add a second --variant, or store this run with --save and `storebench compare` it later");
    } else {
        print!("{}", table::render_claims(doc));
    }
    if before.is_none() {
        println!();
        print!("{}", table::render_provenance(doc));
    }
    let summary = table::render_summary(doc);
    if !summary.is_empty() {
        println!();
        print!("{summary}");
    }
}

/// The exit code: 3 when something failed, 1 when the gate (a regression beyond
/// `gate` percent) failed, 0 otherwise.
fn conclude(doc: &Document, gate: Option<f64>) -> i32 {
    if doc.any_failure() {
        return exit::BROKEN;
    }
    let Some(pct) = gate else { return exit::OK };
    let regressed: Vec<_> = doc
        .comparisons
        .iter()
        .filter(|c| {
            c.verdict == ChangeVerdict::Regression && c.ci_high_pct.is_some_and(|high| high < -pct)
        })
        .collect();
    if regressed.is_empty() {
        return exit::OK;
    }
    eprintln!(
        "--fail-on regression={pct}: {} benchmark(s) regressed: {}",
        regressed.len(),
        regressed
            .iter()
            .map(|c| format!(
                "{} {} % ({} vs {})",
                c.bench,
                c.change_pct.map_or("-".into(), crate::compare::signed),
                c.variant,
                c.baseline
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
    exit::REGRESSION
}

fn fresh_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    nanos ^ (u64::from(std::process::id()) << 32)
}
