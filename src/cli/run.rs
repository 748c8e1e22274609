//! `storebench run`: measure the variants side by side and judge the claims.

use super::outputs::{self, Outputs};
use super::{
    conclude, history, measure, present, report, variants, Judging, Selection, Sizing, Store,
};
use crate::baseline;
use crate::claims::{self, Claims};
use crate::config::Config;
use crate::error::Result;
use crate::results::Settings;
use crate::runner::{Plan, Until};
use clap::Args;
use std::path::PathBuf;
use std::time::Duration;

pub const RUN_EXAMPLES: &str = "\
Examples:
  storebench run --quick
  storebench run --variant stock=/nix/store/…-zlib-1.3.1 --variant opt=/nix/store/…-zlib-1.3.1 --bench 'compress/zlib/*'
  storebench run --config storebench.toml --rounds 20 --json run.json

  storebench run --bench 'aes/*' --budget 5m --save before-rebuild

Each round starts one worker per variant with LD_LIBRARY_PATH set to that variant's
library directories, and visits the variants in a fresh random order for every
benchmark. The change against the first variant is the median of the per-round
ratios; positive means better. Without --rounds the run is sequential: after 7
rounds only the benchmarks whose verdict is open get more, within --budget, and
each CI is the signed-rank (Walsh-average) interval its look allows (95 % over
all looks); with --rounds N, a seeded bootstrap 95 % confidence interval.
Then the claims (built-in table, or --claims FILE) are judged.

Exit codes: 0 done, 2 bad input, 3 a variant produced wrong results or its worker failed.";

#[derive(Args)]
pub struct RunArgs {
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
    exports: super::export::Exports,
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
    recording: history::Recording,
}

pub fn run(args: RunArgs) -> Result<i32> {
    // Bad claims or a bad baseline name should stop a run before it measures.
    let claims = Claims::load(args.judging.claims.as_deref())?;
    if let Some(name) = &args.save {
        baseline::path_for(&args.store.baselines_dir, name)?;
    }
    let (config, _) = Config::discover(args.config.as_deref())?;
    let variants = variants(&args.variants, &config)?;
    let (plan, mut settings) = args.sizing.plan(&args.selection, variants, &config)?;
    settings.noise_pct = args.judging.noise;
    let until = sequential(&plan, &settings);
    let outputs = Outputs {
        json: args.json.as_deref(),
        save: args.save.as_deref(),
        store: &args.store,
        exports: &args.exports,
        report: &args.report,
        recording: Some((&args.recording, "run")),
    };
    outputs.check()?;
    let smoked = super::smoke::before_measuring(&plan.variants, &config)?;
    let mut doc = measure(&plan, settings, until)?;
    super::smoke::record(&mut doc, smoked);
    let opts = args.judging.options(doc.seed);
    claims::analyse(&mut doc, None, &claims, opts);
    present(&doc, None);
    let failed = outputs.write(&doc);
    Ok(outputs::exit_code(conclude(&doc, None), &failed))
}

/// A sequential run's further rounds: for every benchmark whose verdict against
/// the first variant is still open, until none is or the budget is spent.
pub(super) fn sequential(plan: &Plan, settings: &Settings) -> Option<Until<'static>> {
    let (design, budget) = (settings.stopping?, settings.max_time_seconds?);
    let names: Vec<String> = plan.variants.iter().map(|v| v.name.clone()).collect();
    let noise = settings.noise_pct;
    Some(Until {
        max_time: Duration::from_secs_f64(budget),
        unsettled: Box::new(move |results: &[crate::results::BenchResult]| {
            crate::compare::open(results, &names, design, noise)
        }),
    })
}
