//! The command line: parses arguments, runs the stages, prints, and maps the
//! outcome to the exit codes documented in `--help`. Only this module prints.

mod probe;
mod report;

mod calibrate;
mod ci;
mod compare;
mod export;
mod history;

use crate::baseline::{self, Saved};
use crate::claims::{self, Claims};
use crate::compare::{Options, DEFAULT_NOISE_PCT};
use crate::config::Config;
use crate::error::{exit, Error, Result};
use crate::results::{ChangeVerdict, Document, Settings, Tool, SCHEMA};
use crate::runner::{self, Event, Plan, Until};
use crate::variant::Variant;
use crate::workload::corpus::CorpusSpec;
use crate::workload::{self};
use crate::{host, nix, table};
use clap::{Args, Parser, Subcommand};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

const EXIT_CODES: &str = "\
Exit codes:
  0  every benchmark measured, every output right
  1  a gate failed: with `compare --fail-on regression[=PCT]`, a benchmark regressed
     (its whole 95 % CI below −PCT %); with `ci`, a gate of the night failed
  2  bad input: a variant path, a missing library, a config, a pattern, a claims
     file, a corrupt, truncated or newer-schema baseline or history; with
     `ci --require-quiet`, a machine that never got quiet
  3  a variant computed wrong results (broken), or its worker crashed or hung

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
    #[command(after_help = RUN_EXAMPLES)]
    Run(RunArgs),
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
    List(ListArgs),
    /// Write the generated corpora to files, to feed the same bytes to other tools
    /// (`zstd -b3 DIR/text`, lzbench…).
    Corpus(CorpusArgs),
    /// List the generations of Nix profiles and the store path of each benchmarked
    /// library in them, and propose the variants that compare the last two that differ.
    #[command(after_help = DISCOVER_HELP)]
    Discover(DiscoverArgs),
    /// Measure the memory and CPU use of running processes over a time window.
    #[command(after_help = probe::PROBE_EXAMPLES)]
    Probe(probe::ProbeArgs),
    /// Render results documents as one self-contained HTML page.
    Report(report::ReportArgs),
    /// List the recorded runs, print a benchmark's trend, or import stored runs.
    #[command(after_help = history::ABOUT)]
    History(history::HistoryArgs),
}

const DISCOVER_HELP: &str = "\
Without PROFILE, looks at /nix/var/nix/profiles/system and the home-manager profiles
of the current user (~/.local/state/nix/profiles/home-manager and
/nix/var/nix/profiles/per-user/$USER/home-manager). Uses `nix-store --query
--requisites`, so it works with and without the experimental `nix` command.

Exit codes: 0 listed, 2 no profile found or a profile could not be read.";

#[derive(Args)]
struct CorpusArgs {
    /// The directory to write `text`, `json` and `binary` into.
    dir: PathBuf,
    /// The seed of a run (see its results document) to reproduce its corpora.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Size of each corpus, in KiB.
    #[arg(long, value_name = "KIB", default_value_t = 1024)]
    corpus_kib: usize,
}

#[derive(Args)]
struct DiscoverArgs {
    /// Profile links, e.g. /nix/var/nix/profiles/system.
    #[arg(value_name = "PROFILE")]
    profiles: Vec<PathBuf>,
}

const RUN_EXAMPLES: &str = "\
Examples:
  storebench run --quick
  storebench run --variant stock=/nix/store/…-zlib-1.3.1 --variant opt=/nix/store/…-zlib-1.3.1 --bench 'compress/zlib/*'
  storebench run --config storebench.toml --rounds 20 --json run.json

  storebench run --bench 'aes/*' --target-ci 1 --max-time 5m --save before-rebuild

Each round starts one worker per variant with LD_LIBRARY_PATH set to that variant's
library directories, and visits the variants in a fresh random order for every
benchmark. The change against the first variant is the median of the per-round
ratios, with a seeded bootstrap 95 % confidence interval; positive means better.
Then the claims (built-in table, or --claims FILE) are judged.

Exit codes: 0 done, 2 bad input, 3 a variant produced wrong results or its worker failed.";

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
}

/// Adaptive stopping.
#[derive(Args)]
struct Adaptive {
    /// After --rounds, keep adding rounds for every benchmark whose 95 % CI
    /// half-width (paired against the first variant; with one variant, of its own
    /// median) is over PCT %, until all are under it or --max-time runs out.
    #[arg(long, value_name = "PCT", value_parser = positive)]
    target_ci: Option<f64>,
    /// The time a --target-ci run may take in all, e.g. 90s, 10m.
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = humantime::parse_duration)]
    max_time: Duration,
}

fn positive(s: &str) -> std::result::Result<f64, String> {
    match s.trim_end_matches('%').trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
        _ => Err(format!("`{s}` is not a positive number of percent")),
    }
}

fn non_negative(s: &str) -> std::result::Result<f64, String> {
    match s.trim_end_matches('%').trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
        _ => Err(format!("`{s}` is not a number of percent ≥ 0")),
    }
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
    #[arg(long, value_name = "KIB")]
    corpus_kib: Option<usize>,
}

/// How much each benchmark is measured.
#[derive(Args)]
struct Sizing {
    /// Rounds: each gives every variant one time slice per benchmark.
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..))]
    rounds: u32,
    /// Time slice per benchmark, variant and round, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 0.25)]
    slice: f64,
    /// A smoke run: 3 rounds of 0.05 s slices on 256 KiB corpora (unless given).
    #[arg(long)]
    quick: bool,
    /// Kill a worker that does not answer one benchmark within this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 120.0)]
    timeout: f64,
    /// Seed for the corpora and the round order. Default: new each run, recorded.
    #[arg(long)]
    seed: Option<u64>,
}

impl Sizing {
    /// The plan of a run of `variants` on the benchmarks `selection` picks, and
    /// the settings it records (judging and adaptive settings left at defaults).
    fn plan(
        &self,
        selection: &Selection,
        variants: Vec<Variant>,
        config: &Config,
    ) -> Result<(Plan, Settings)> {
        let seed = self.seed.unwrap_or_else(fresh_seed);
        let corpus = selection.corpus(self.quick, seed);
        let benches = selection.benches(&corpus, config, &variants)?;
        let (rounds, slice) = if self.quick {
            (3, 0.05)
        } else {
            (self.rounds, self.slice)
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
        };
        let settings = Settings {
            rounds,
            slice_seconds: slice,
            timeout_seconds: self.timeout,
            bench_patterns: selection.benches.clone(),
            ..Settings::default()
        };
        Ok((plan, settings))
    }
}

#[derive(Args)]
struct RunArgs {
    /// A build to measure: NAME=PATH[:PATH…], each PATH a Nix store path or a
    /// directory (PATH/lib is used when it exists). Repeatable; the first is the
    /// reference the others are compared with. Default: one `system` variant.
    #[arg(long = "variant", value_name = "NAME=PATH")]
    variants: Vec<String>,
    /// Variants from a TOML file ([variants.NAME] libs = [...], env = {...}).
    /// Default: storebench.toml in the current directory, when present.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(flatten)]
    selection: Selection,
    #[command(flatten)]
    sizing: Sizing,
    /// Write the results document (schema storebench/1, hyperfine-compatible entries).
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    #[command(flatten)]
    exports: export::Exports,
    #[command(flatten)]
    report: report::RunReport,
    /// Store the run as a baseline, DIR/NAME.json (see --baselines-dir); an
    /// incomplete run never replaces a good baseline.
    #[arg(long, value_name = "NAME")]
    save: Option<String>,
    #[command(flatten)]
    store: Store,
    #[command(flatten)]
    judging: Judging,
    #[command(flatten)]
    adaptive: Adaptive,
    #[command(flatten)]
    recording: history::Recording,
}

#[derive(Args)]
struct ListArgs {
    /// The config whose [commands.NAME] to list too. Default: storebench.toml in
    /// the current directory, when present.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(flatten)]
    selection: Selection,
}

pub fn main() -> i32 {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Run(args) => run(args),
        Command::Compare(args) => compare::compare(args),
        Command::Ci(args) => ci::ci(args),
        Command::Baselines(args) => compare::baselines(args),
        Command::Calibrate(args) => calibrate::calibrate(args),
        Command::List(args) => list(args),
        Command::Discover(args) => discover(args),
        Command::Corpus(args) => corpus(args),
        Command::Probe(args) => probe::probe(args),
        Command::Report(args) => report::report(args),
        Command::History(args) => history::history(args),
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

    /// The built-in benchmarks and the config's commands that the patterns select.
    /// Without a pattern, interpreter workloads are left out unless every variant
    /// names that interpreter; a pattern that asks for them makes it an error.
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
        workload::select(catalog, &self.benches)
    }
}

fn list(args: ListArgs) -> Result<i32> {
    let corpus = args.selection.corpus(false, 0);
    let (config, _) = Config::discover(args.config.as_deref())?;
    let mut out = std::io::stdout().lock();
    for b in args.selection.benches(&corpus, &config, &[])? {
        let mut libs: Vec<&str> = b.libraries.iter().map(|l| l.soname()).collect();
        libs.extend(b.interpreter().map(|i| i.executable()));
        let _ = writeln!(
            out,
            "{:<32} {:<12} {:<5} {}",
            b.id,
            b.group,
            b.unit.symbol(),
            libs.join(" ")
        );
    }
    Ok(exit::OK)
}

fn corpus(args: CorpusArgs) -> Result<i32> {
    let spec = CorpusSpec::Generated {
        seed: args.seed,
        bytes: args.corpus_kib * 1024,
    };
    std::fs::create_dir_all(&args.dir).map_err(|e| Error::io(&args.dir, e))?;
    let corpora = spec.load()?;
    for (c, info) in corpora.iter().zip(spec.describe(&corpora)) {
        let path = args.dir.join(&c.name);
        std::fs::write(&path, &c.data).map_err(|e| Error::io(&path, e))?;
        println!(
            "{}  {} bytes  sha256:{}",
            path.display(),
            info.bytes,
            info.sha256
        );
    }
    Ok(exit::OK)
}

fn discover(args: DiscoverArgs) -> Result<i32> {
    let profiles = if args.profiles.is_empty() {
        let home = std::env::var("HOME").unwrap_or_default();
        let user = std::env::var("USER").unwrap_or_else(|_| "root".into());
        [
            "/nix/var/nix/profiles/system".to_string(),
            format!("{home}/.local/state/nix/profiles/home-manager"),
            format!("/nix/var/nix/profiles/per-user/{user}/home-manager"),
        ]
        .into_iter()
        .map(PathBuf::from)
        .filter(|p| p.symlink_metadata().is_ok())
        .collect()
    } else {
        args.profiles
    };
    if profiles.is_empty() {
        return Err(Error::Nix {
            path: "/nix/var/nix/profiles/system".into(),
            why: "no system or home-manager profile found; name a profile, e.g. storebench discover /nix/var/nix/profiles/per-user/$USER/profile".into(),
        });
    }
    let mut out = std::io::stdout().lock();
    for profile in profiles {
        let gens = nix::discover(&profile)?;
        let _ = writeln!(out, "{}: {} generations", profile.display(), gens.len());
        for (i, g) in gens.iter().enumerate() {
            let _ = writeln!(out, "  generation {}  {}", g.number, g.link.display());
            for (lib, path) in &g.libraries {
                let before = i.checked_sub(1).and_then(|j| gens[j].libraries.get(lib));
                let mark = if i > 0 && before != Some(path) {
                    "  ← changed"
                } else {
                    ""
                };
                let _ = writeln!(out, "    {:<10} {}{mark}", lib.name(), path.short());
            }
        }
        let differ = gens
            .windows(2)
            .rev()
            .find(|w| w[0].libraries != w[1].libraries);
        match differ {
            Some([a, b]) => {
                let _ = writeln!(
                    out,
                    "  compare: storebench run --variant gen-{}=profile:{} --variant gen-{}=profile:{}\n",
                    a.number,
                    a.link.display(),
                    b.number,
                    b.link.display()
                );
            }
            _ => {
                let _ = writeln!(
                    out,
                    "  no two generations differ in a benchmarked library\n"
                );
            }
        }
    }
    Ok(exit::OK)
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

fn run(args: RunArgs) -> Result<i32> {
    // Bad claims or a bad baseline name should stop a run before it measures.
    let claims = Claims::load(args.judging.claims.as_deref())?;
    if let Some(name) = &args.save {
        baseline::path_for(&args.store.baselines_dir, name)?;
    }
    let (config, _) = Config::discover(args.config.as_deref())?;
    let variants = variants(&args.variants, &config)?;
    let (plan, mut settings) = args.sizing.plan(&args.selection, variants, &config)?;
    settings.noise_pct = args.judging.noise;
    settings.target_ci_pct = args.adaptive.target_ci;
    settings.max_time_seconds = args
        .adaptive
        .target_ci
        .map(|_| args.adaptive.max_time.as_secs_f64());
    let until = adaptive(&plan, &settings);
    let mut doc = measure(&plan, settings, until)?;
    let opts = args.judging.options(doc.seed);
    claims::analyse(&mut doc, None, &claims, opts);
    present(&doc, None);
    keep(
        &doc,
        args.json.as_deref(),
        args.save.as_deref(),
        &args.store,
    )?;
    args.exports.write(&doc)?;
    args.report.write(&doc)?;
    args.recording.record(&doc, "run")?;
    Ok(conclude(&doc, None))
}

fn current_exe() -> Result<PathBuf> {
    std::env::current_exe().map_err(|e| Error::io("/proc/self/exe", e))
}

/// `--target-ci`: more rounds for every benchmark whose CI is still wider.
fn adaptive(plan: &Plan, settings: &Settings) -> Option<Until<'static>> {
    let (target, max) = (settings.target_ci_pct?, settings.max_time_seconds?);
    let names: Vec<String> = plan.variants.iter().map(|v| v.name.clone()).collect();
    let boot = crate::stats::Bootstrap {
        seed: plan.seed,
        resamples: 2_000,
        ..Default::default()
    };
    Some(Until {
        max_time: Duration::from_secs_f64(max),
        unsettled: Box::new(move |results: &[crate::results::BenchResult]| {
            crate::compare::precision(results, &names, boot)
                .into_iter()
                .filter(|(_, mde)| *mde > target)
                .map(|(bench, _)| bench)
                .collect()
        }),
    })
}

/// Runs `plan` (with more rounds where `until` asks) and makes the document.
fn measure(plan: &Plan, mut settings: Settings, until: Option<Until>) -> Result<Document> {
    let started = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    eprintln!(
        "storebench: {} benchmarks × {} variants × {} rounds of {:.2} s{} (seed {})",
        plan.benches.len(),
        plan.variants.len(),
        plan.rounds,
        plan.slice.as_secs_f64(),
        settings
            .target_ci_pct
            .map(|t| format!(", then more until every CI is within ±{t} %"))
            .unwrap_or_default(),
        plan.seed
    );
    let clock = std::time::Instant::now();
    let mut progress = Progress::new();
    let outcome = runner::run_until(plan, until, &mut |e| progress.show(e))?;
    progress.done();
    eprintln!("measured in {:.1} s", clock.elapsed().as_secs_f64());
    settings.rounds = outcome.rounds;
    settings.unsettled = outcome.unsettled;
    Ok(Document {
        schema: SCHEMA.into(),
        tool: Tool::this(),
        started,
        command_line: std::env::args().collect(),
        host: host::detect(),
        seed: plan.seed,
        settings,
        corpora: outcome.corpora,
        variants: outcome.variants,
        results: outcome.results,
        comparisons: vec![],
        groups: vec![],
        claims: vec![],
        probe: None,
        ci: None,
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

/// Writes the document where asked: `--json FILE`, `--save NAME`.
fn keep(doc: &Document, json: Option<&Path>, save: Option<&str>, store: &Store) -> Result<()> {
    if let Some(path) = json {
        doc.write_atomic(path)?;
        eprintln!("wrote {}", path.display());
    }
    if let Some(name) = save {
        match baseline::save(doc, &store.baselines_dir, name)? {
            Saved::Written(p) => eprintln!("saved baseline {}", p.display()),
            Saved::WrittenIncomplete(p) => eprintln!(
                "warning: saved baseline {}, but the run is incomplete (a benchmark failed)",
                p.display()
            ),
            Saved::Kept(p) => eprintln!(
                "warning: kept the existing baseline {}: this run is incomplete (a benchmark failed) and does not replace it",
                p.display()
            ),
        }
    }
    Ok(())
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
        .filter(|c| c.verdict == ChangeVerdict::Regression && c.ci_high_pct < -pct)
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
                crate::compare::signed(c.change_pct),
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

/// Progress on stderr: one updating line on a terminal, a line per round elsewhere.
struct Progress {
    tty: bool,
}

impl Progress {
    fn new() -> Progress {
        Progress {
            tty: std::io::stderr().is_terminal(),
        }
    }

    fn show(&mut self, e: Event) {
        let mut err = std::io::stderr().lock();
        match e {
            Event::Round { round, of } if !self.tty => {
                let _ = writeln!(err, "round {round}/{of}");
            }
            Event::Extending { round, unsettled } if !self.tty => {
                let _ = writeln!(
                    err,
                    "round {round}: {unsettled} benchmark(s) above --target-ci"
                );
            }
            Event::Measuring {
                bench,
                variant,
                step,
                steps,
            } if self.tty => {
                let _ = write!(
                    err,
                    "\r\x1b[2K[{:>3}%] {bench} · {variant}",
                    step * 100 / steps.max(1)
                );
                let _ = err.flush();
            }
            Event::Failed { message, .. } => {
                let _ = writeln!(
                    err,
                    "{}warning: {message}",
                    if self.tty { "\r\x1b[2K" } else { "" }
                );
            }
            _ => {}
        }
    }

    fn done(&self) {
        if self.tty {
            eprint!("\r\x1b[2K");
        }
    }
}
