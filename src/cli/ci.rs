//! `storebench ci`: the one command of a scheduled job. It checks the machine,
//! measures, compares with a reference, applies the gates, records the run,
//! writes the report and prints a short summary, bad news first.

use super::outputs::{self, Outputs};
use super::{conclude, measure, report::RunReport, variants, Judging, Selection, Sizing, Store};
use crate::change::{self, Nights};
use crate::claims::{self, Claims};
use crate::compare::{self, Options};
use crate::config::Config;
use crate::environment;
use crate::error::{exit, Error, Result};
use crate::gate::{self, Gates, Reference, Rule};
use crate::history::{self, History};
use crate::results::{CiRecord, Document, Environment};
use crate::runner::Until;
use crate::variant::Variant;
use crate::{baseline, nix};
use clap::Args;
use std::path::PathBuf;
use std::time::{Duration, Instant};

mod summary;

pub const ABOUT: &str = "\
Examples:
  storebench ci --config /etc/storebench/storebench.toml
  storebench ci --nix-generations --bench 'compress/*' --quick
  storebench ci --against before-upgrade --fail-on 'regression > 5%' --confirm 2
  storebench ci --require-quiet=15m --export junit=junit.xml --export markdown=summary.md

Each night is compared with a reference: by default the last recorded run of the
same variants and --bench patterns on this host (--against last), or a stored
baseline, or nothing but the variants of this run (--against none). Night against
night is unpaired: the ratio of the medians with a bootstrap CI that resamples each
night's rounds.

Gates, in the config's [ci] table (--fail-on overrides fail_on):
  [ci]
  fail_on = \"regression > 3%\"          # the default; or \"regression\" (any), \"never\"
  keep_claims = [\"openssl-aes\"]        # fail when a claim the reference confirmed no longer is
  [ci.fail_on_bench]                   # per-benchmark rules; the first matching glob wins
  \"sqlite/*\" = \"regression > 8%\"
A benchmark fails its gate only when its whole 95 % CI lies beyond the threshold
and, against the last night, the night is also out of line with the last 10: its
robust z-score (distance from their median in units of 1.4826 × their MAD, the
spread floored at --noise) is below −3. Until the history holds 3 earlier nights
that spread is unknown, and a regression counts only when a library file of the
variant changed since the last night. So one noisy night never fails; --confirm N
(default 2) measures the benchmarks whose CI failed N more rounds at the end of
the run and judges again with every round.

Before measuring it reads the governor, turbo, load, the busiest processes, steal
time, the power source and swap (as pyperf's `system show`), records them in the run and
warns; --require-quiet waits for ≤ 10 % CPU busy.

Exit codes: 0 nothing regressed beyond the gates, 1 a gate failed, 2 bad input (a
config, a baseline, a corrupt history, or the machine never got quiet), 3 a variant
computed wrong results or its worker crashed or hung.";

#[derive(Args)]
pub struct CiArgs {
    /// A build to measure: NAME=PATH[:PATH…] (as `run`). Default: the config's variants.
    #[arg(long = "variant", value_name = "NAME=PATH")]
    variants: Vec<String>,
    /// Variants, commands and [ci] gates. Default: storebench.toml here, when present.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Measure the current generation of PROFILE (`current`) against the most
    /// recent earlier one whose benchmarked libraries differ (`previous`).
    #[arg(long, value_name = "PROFILE", num_args = 0..=1,
          default_missing_value = "/nix/var/nix/profiles/system", conflicts_with = "variants")]
    nix_generations: Option<PathBuf>,
    #[command(flatten)]
    selection: Selection,
    #[command(flatten)]
    sizing: Sizing,
    /// The reference: `last` (the last recorded run of this config on this host),
    /// a baseline (a name in --baselines-dir, or a file), or `none`.
    #[arg(long, value_name = "last|BASELINE|none", default_value = "last")]
    against: String,
    /// The gate for every benchmark, in place of the config's [ci] fail_on:
    /// `regression > 3%` (or `regression=3`), `regression` or `never`.
    #[arg(long, value_name = "RULE", value_parser = rule)]
    fail_on: Option<Rule>,
    /// Before failing, measure the benchmarks that failed their gate N more rounds
    /// (at the end of the run, when a passing burst of load is likely over) and
    /// judge again with every round; 0 judges at once.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = super::flags::confirm)]
    confirm: u32,
    /// Wait, at most TIMEOUT (default 10m), for the machine to be quiet before
    /// measuring; exit 2 if it never is.
    #[arg(long, value_name = "TIMEOUT", num_args = 0..=1, require_equals = true,
          default_missing_value = "10m", value_parser = super::flags::span)]
    require_quiet: Option<Duration>,
    /// Write the results document, with the night's changes and gates.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    #[command(flatten)]
    store: Store,
    #[command(flatten)]
    judging: Judging,
    #[command(flatten)]
    report: RunReport,
    #[command(flatten)]
    recording: super::history::Recording,
    #[command(flatten)]
    exports: super::export::Exports,
}

fn rule(s: &str) -> std::result::Result<Rule, String> {
    s.parse()
}

/// What the night is compared with.
struct Against {
    label: String,
    run: Document,
    /// The earlier nights, for `--against last`; None against a baseline.
    nights: Option<Nights>,
}

pub fn ci(args: CiArgs) -> Result<i32> {
    let claims = Claims::load(args.judging.claims.as_deref())?;
    let (config, config_path) = Config::discover(args.config.as_deref())?;
    let gates = Gates::new(&config.ci, config_path.as_deref(), args.fail_on)?;
    let variants = match &args.nix_generations {
        Some(profile) => generations(profile)?,
        None => variants(&args.variants, &config)?,
    };
    let (plan, mut settings) = args.sizing.plan(&args.selection, variants, &config)?;
    settings.noise_pct = args.judging.noise;
    let mut history = args.recording.open()?;
    let names: Vec<&str> = plan.variants.iter().map(|v| v.name.as_str()).collect();
    let key = history::key_of(&names, &args.selection.benches);
    let hostname = crate::host::detect().hostname;
    let against = reference(&args, history.as_ref(), &hostname, &key)?;
    let outputs = Outputs {
        json: args.json.as_deref(),
        save: None,
        store: &args.store,
        exports: &args.exports,
        report: &args.report,
        recording: None,
    };
    outputs.check()?;
    let env = quiet_machine(args.require_quiet)?;
    let opts = args.judging.options(plan.seed);
    let within = args.against == "none";
    let confirming = confirm(args.confirm, &gates, against.as_ref(), within, opts);
    let until = match super::run::sequential(&plan, &settings) {
        Some(open) => Some(either(open, confirming)),
        None => confirming,
    };
    let smoked = super::smoke::before_measuring(&plan.variants, &config)?;
    let mut doc = measure(&plan, settings, until)?;
    super::smoke::record(&mut doc, smoked);
    claims::analyse(&mut doc, None, &claims, opts);
    let changes = changes(&doc, against.as_ref(), within, opts);
    let outcomes = gate::judge(
        &gates,
        &doc,
        &changes,
        &reference_of(against.as_ref(), opts),
    );
    doc.ci = Some(CiRecord {
        against: against.as_ref().map(|a| a.label.clone()),
        changes: if within { vec![] } else { changes },
        gates: outcomes,
        environment: env,
        confirm_rounds: doc.settings.rounds - plan.rounds,
    });
    print!(
        "{}",
        summary::summary(&doc, against.as_ref().map(|a| &a.run), within)
    );
    // Every output on its own: one that fails must not lose the others.
    let mut failed = outputs.write(&doc);
    if let Some(h) = history.as_mut() {
        eprintln!("recording the run in {}", h.path().display());
        match h.record(&doc, "ci") {
            Ok(id) => eprintln!("recorded run {id} in {}", h.path().display()),
            Err(e) => {
                eprintln!("error: {e}");
                failed.push(e);
            }
        }
    }
    let code = outputs::exit_code(conclude(&doc, None), &failed);
    let failed = doc
        .ci
        .as_ref()
        .is_some_and(|c| c.gates.iter().any(|g| !g.passed));
    Ok(if code == exit::OK && failed {
        exit::REGRESSION
    } else {
        code
    })
}

/// The run `--against` names, read before measuring so a bad one costs nothing.
fn reference(
    args: &CiArgs,
    history: Option<&History>,
    hostname: &str,
    key: &str,
) -> Result<Option<Against>> {
    match args.against.as_str() {
        "none" => Ok(None),
        "last" => {
            let Some(h) = history else {
                return Err(Error::Usage(
                    "--against last reads the history; drop --no-history, or use --against none or --against BASELINE".into(),
                ));
            };
            let Some((id, run)) = h.last(hostname, key)? else {
                eprintln!("note: no earlier run of these variants and benchmarks on {hostname} in {}: this night is the first, and the next is compared with it", h.path().display());
                return Ok(None);
            };
            Ok(Some(Against {
                label: format!("run {id} ({})", run.started),
                nights: Some(h.nights(hostname, key, change::WINDOW)?),
                run,
            }))
        }
        name => {
            let path = baseline::resolve(name, &args.store.baselines_dir)?;
            Ok(Some(Against {
                label: format!("baseline {name}"),
                run: baseline::load(&path)?,
                nights: None,
            }))
        }
    }
}

/// What the gates judge: each variant against its namesake in the reference;
/// with `--against none`, the variants against the first; on a first night, nothing.
fn changes(
    doc: &Document,
    against: Option<&Against>,
    within: bool,
    opts: Options,
) -> Vec<crate::results::Comparison> {
    let pairings = match against {
        Some(a) => compare::between_runs(&a.run, &a.label, doc),
        None if within => compare::within_run(doc),
        None => vec![],
    };
    pairings.iter().flat_map(|p| p.comparisons(opts)).collect()
}

fn reference_of(against: Option<&Against>, opts: Options) -> Reference<'_> {
    Reference {
        run: against.map(|a| &a.run),
        nights: against.and_then(|a| a.nights.as_ref()),
        noise_pct: opts.noise_pct,
    }
}

/// `--confirm N`: N more rounds for the benchmarks whose CI fails the gate,
/// judged again after each round with every round so far.
fn confirm<'a>(
    rounds: u32,
    gates: &'a Gates,
    against: Option<&'a Against>,
    within: bool,
    opts: Options,
) -> Option<Until<'a>> {
    let mut left = rounds;
    (rounds > 0).then(|| Until {
        max_time: Duration::from_secs(24 * 3600),
        unsettled: Box::new(move |results| {
            if left == 0 {
                return vec![];
            }
            left -= 1;
            let doc = Document::of_results(results.to_vec());
            let changes = changes(&doc, against, within, opts);
            // The results carry no provenance yet: the CI alone picks what to
            // measure again; the night is judged in full afterwards.
            let reference = Reference {
                nights: None,
                ..reference_of(against, opts)
            };
            gate::failed_benches(&gate::judge(gates, &doc, &changes, &reference))
        }),
    })
}

/// A sequential night: the rounds go on for the benchmarks still open and, N
/// rounds more, for those that fail a gate, within the sequential budget.
fn either<'a>(mut open: Until<'a>, confirming: Option<Until<'a>>) -> Until<'a> {
    let Some(mut confirming) = confirming else {
        return open;
    };
    Until {
        max_time: open.max_time,
        unsettled: Box::new(move |results| {
            let mut benches = (open.unsettled)(results);
            for b in (confirming.unsettled)(results) {
                if !benches.contains(&b) {
                    benches.push(b);
                }
            }
            benches
        }),
    }
}

/// Reads the machine; with `--require-quiet`, waits for it to be quiet.
fn quiet_machine(wait: Option<Duration>) -> Result<Environment> {
    let start = Instant::now();
    loop {
        let env = environment::check(Duration::from_secs(1));
        let reason = environment::not_quiet(&env);
        let (Some(limit), Some(reason)) = (wait, reason) else {
            for w in &env.warnings {
                eprintln!("warning: {w}");
            }
            return Ok(env);
        };
        if start.elapsed() >= limit {
            return Err(Error::NotQuiet {
                waited: humantime::format_duration(Duration::from_secs(start.elapsed().as_secs()))
                    .to_string(),
                why: reason,
            });
        }
        eprintln!("waiting for a quiet machine: {reason}");
        std::thread::sleep(Duration::from_secs(4).min(limit.saturating_sub(start.elapsed())));
    }
}

/// `--nix-generations`: the current generation and the most recent earlier one
/// whose benchmarked libraries differ, as `discover` proposes them.
fn generations(profile: &std::path::Path) -> Result<Vec<Variant>> {
    let gens = nix::discover(profile)?;
    let current = gens.last().ok_or_else(|| Error::Nix {
        path: profile.to_owned(),
        why: "the profile has no generation".into(),
    })?;
    let previous = gens
        .iter()
        .rev()
        .skip(1)
        .find(|g| g.libraries != current.libraries)
        .ok_or_else(|| Error::Nix {
            path: profile.to_owned(),
            why: format!(
                "no earlier generation differs from generation {} in a benchmarked library; nothing to compare (see storebench discover)",
                current.number
            ),
        })?;
    eprintln!(
        "comparing generation {} (current) with generation {} (previous)",
        current.number, previous.number
    );
    [("previous", previous), ("current", current)]
        .into_iter()
        .map(|(name, g)| Variant::from_arg(&format!("{name}=profile:{}", g.link.display())))
        .collect()
}
