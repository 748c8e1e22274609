//! `storebench calibrate`: what this machine can detect, measured.

use super::{current_exe, fresh_seed, measure, Selection};
use crate::calibrate::{self, Calibration, TARGET_PCT};
use crate::compare::signed;
use crate::error::{exit, Result};
use crate::format::change_with_ci;
use crate::results::DEFAULT_NOISE_PCT;
use crate::results::{ChangeVerdict, Settings};
use crate::runner::Plan;
use crate::sequential::Stopping;
use crate::table;
use crate::variant::Variant;
use clap::Args;
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub const ABOUT: &str = "\
Runs the same libraries twice side by side (an A/A pair: every difference is
noise) and once more with AES-NI and PCLMULQDQ masked through
OPENSSL_ia32cap=~0x200000200000000 (a positive control: AES must come out much
slower). It is a sequential run, as `storebench run` makes by default: 7 rounds,
then more for the benchmarks whose verdict is still open, within --budget, with
the same intervals. It prints, per benchmark group, the smallest change this
machine can detect (the MDE, the CI's half-width at the look reached) and the
rounds and time one benchmark needs to detect a 3 % change (80 % power) by that
design, the A/A false positives, and the control's figures.

Examples:
  storebench calibrate
  storebench calibrate --budget 5m --bench 'aes/*/16384' --bench 'compress/zlib/*'";

#[derive(Args)]
pub struct CalibrateArgs {
    /// The libraries to calibrate with, NAME=PATH[:PATH…]; default: whatever the
    /// dynamic loader resolves.
    #[arg(long = "variant", value_name = "NAME=PATH")]
    variant: Option<String>,
    #[command(flatten)]
    selection: Selection,
    /// The time the calibration may take, e.g. 90s, 5m.
    #[arg(long, value_name = "DURATION", default_value = "2m", value_parser = super::flags::span)]
    budget: Duration,
    /// Time slice per benchmark, variant and round, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 0.15, value_parser = super::flags::slice)]
    slice: f64,
    /// The noise threshold the A/A verdicts use, in percent.
    #[arg(long, value_name = "PCT", default_value_t = DEFAULT_NOISE_PCT, value_parser = super::flags::non_negative)]
    noise: f64,
    #[arg(long)]
    seed: Option<u64>,
    /// Write the calibration run's results document.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
}

pub fn calibrate(mut args: CalibrateArgs) -> Result<i32> {
    let base = match &args.variant {
        Some(arg) => Variant::from_arg(arg)?,
        None => Variant::system(),
    };
    if args.selection.benches.is_empty() {
        args.selection.benches = calibrate::DEFAULT_BENCHES.map(String::from).to_vec();
    }
    if let Some(path) = &args.json {
        super::outputs::writable(path, true)?;
    }
    let seed = args.seed.unwrap_or_else(fresh_seed);
    let corpus = args.selection.corpus(false, seed);
    let variants = calibrate::variants(base);
    let benches = args
        .selection
        .benches(&corpus, &crate::config::Config::default(), &variants)?;
    let design = Stopping::default();
    let plan = Plan {
        variants,
        benches,
        rounds: design.min_rounds,
        slice: Duration::from_secs_f64(args.slice),
        timeout: Duration::from_secs(120),
        seed,
        corpus,
        exe: current_exe()?,
        cpus: crate::affinity::choose(None),
    };
    let settings = Settings {
        rounds: plan.rounds,
        slice_seconds: args.slice,
        timeout_seconds: 120.0,
        bench_patterns: args.selection.benches.clone(),
        noise_pct: args.noise,
        stopping: Some(design),
        max_time_seconds: Some(args.budget.as_secs_f64()),
        unsettled: vec![],
        cpus: plan.cpus.clone(),
        blocks: vec![],
    };
    let until = super::run::sequential(&plan, &settings);
    let clock = Instant::now();
    let doc = measure(&plan, settings, until)?;
    let elapsed = clock.elapsed().as_secs_f64();
    let cal = calibrate::analyse(&doc, elapsed, args.noise);
    print!("{}", render(&plan, &cal, elapsed));
    if let Some(path) = &args.json {
        doc.write_atomic(path)?;
        eprintln!("wrote {}", path.display());
    }
    Ok(if doc.any_failure() {
        exit::BROKEN
    } else {
        exit::OK
    })
}

fn render(plan: &Plan, cal: &Calibration, elapsed: f64) -> String {
    let base = &plan.variants[0].name;
    let mut out = format!(
        "calibration: `{base}` twice (A/A) and with AES-NI masked (positive control); {} benchmarks, {} to {} rounds of {:.2} s in {}\n\n",
        plan.benches.len(),
        cal.rounds,
        cal.groups.iter().map(|g| g.rounds_run).max().unwrap_or(0),
        plan.slice.as_secs_f64(),
        humantime::format_duration(Duration::from_secs(elapsed.round() as u64))
    );
    let mut rows = vec![vec![
        "group".to_string(),
        "benchmarks".into(),
        "A/A (95 % CI)".into(),
        "MDE now".into(),
        format!("to detect {TARGET_PCT} % per benchmark"),
    ]];
    for g in &cal.groups {
        rows.push(vec![
            g.group.clone(),
            g.benches.to_string(),
            change_with_ci(g.aa.pct, g.aa.low, g.aa.high),
            format!("±{:.1} % after {} rounds", g.bench_mde_pct, g.rounds_run),
            match (g.rounds_for_target, g.seconds_for_target) {
                (Some(r), Some(s)) => format!(
                    "{r} rounds, {}",
                    humantime::format_duration(Duration::from_secs(s.ceil() as u64))
                ),
                _ => format!("more than {} rounds", cal.max_rounds),
            },
        ]);
    }
    out.push_str(&table::layout(&rows, 1));
    out.push_str(&format!(
        "\nMDE now: the widest CI half-width of the group's benchmarks at the look their rounds reached \
(sequential intervals, 95 % over all looks); a change smaller than it cannot be told from noise. \
Detecting {TARGET_PCT} % with 80 % power needs an MDE of {:.1} %: the rounds shown are the first look \
at which the design's interval over rounds like these A/A ones is that narrow.\n",
        calibrate::mde_to_detect(TARGET_PCT)
    ));
    let count = |v: ChangeVerdict| cal.aa.iter().filter(|c| c.verdict == v).count();
    out.push_str(&format!(
        "\nA/A: {} of {} benchmarks no change, {} false positive(s), {} inconclusive\n",
        count(ChangeVerdict::NoChange),
        cal.aa.len(),
        cal.false_positives().len(),
        count(ChangeVerdict::Inconclusive)
    ));
    for c in cal.false_positives() {
        out.push_str(&format!(
            "  false positive: {} {} %\n",
            c.bench,
            c.change_pct.map_or("-".into(), signed)
        ));
    }
    out.push_str(&render_control(cal));
    out
}

/// The positive control's figures, and whether it was detected.
fn render_control(cal: &Calibration) -> String {
    if cal.control.is_empty() {
        return "positive control: no aes/* benchmark selected, so none was run\n".into();
    }
    let mut out = String::new();
    out.push_str(&format!(
        "positive control (OPENSSL_ia32cap={}):\n",
        calibrate::MASK_AES_NI
    ));
    let mut rows = Vec::new();
    for c in &cal.control {
        rows.push(vec![
            format!("  {}", c.bench),
            match (c.change_pct, c.ci_low_pct, c.ci_high_pct) {
                (Some(pct), Some(low), Some(high)) => change_with_ci(pct, low, high),
                _ => "-".into(),
            },
            c.verdict.label().to_string(),
        ]);
    }
    out.push_str(&table::layout(&rows, 1));
    out.push_str(if cal.control_detected() {
        "detected: every AES benchmark came out a regression, as it must\n"
    } else {
        "warning: the control was NOT detected on every AES benchmark: this machine's figures cannot be trusted (or OpenSSL ignores OPENSSL_ia32cap)\n"
    });
    out
}
