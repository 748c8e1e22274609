//! `storebench compare` and `storebench baselines`: the before/after-rebuild flow
//! over stored runs.

use super::outputs::{self, Outputs};
use super::{conclude, current_exe, measure, present, variants, Judging, Store};
use crate::baseline;
use crate::claims::{self, Claims};
use crate::config::Config;
use crate::error::{exit, Error, Result};
use crate::gate::Rule;
use crate::results::Document;
use crate::runner::Plan;
use crate::variant::Variant;
use crate::workload::{self, corpus::CorpusSpec, BenchSpec};
use clap::Args;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const EXAMPLES: &str = "\
Examples:
  storebench run --bench 'compress/*' --save before      # before the rebuild
  storebench compare before                              # after it: measure again, compare
  storebench compare before.json after.json              # two stored runs, no measuring
  storebench compare before --fail-on regression=2       # a CI gate: exit 1 on a regression

A stored run is a storebench results document (--json, --save) or a hyperfine
--export-json file. Two runs made at different times are compared unpaired: the
ratio of their medians, with a bootstrap that resamples each run on its own.
Variants are matched by name (or the single variant of each).

Exit codes: 0 done, 1 --fail-on tripped, 2 bad input (a corrupt, truncated or
newer-schema baseline among them), 3 a variant produced wrong results or failed.";

#[derive(Args)]
pub struct CompareArgs {
    /// BASELINE (a name in --baselines-dir, or a file) to measure again and compare
    /// with, or BEFORE AFTER: two stored runs to compare without measuring.
    #[arg(value_name = "RUN", num_args = 1..=2, required = true)]
    runs: Vec<String>,
    /// Exit 1 when a benchmark regressed: its verdict is a regression and its whole
    /// 95 % CI lies below −PCT %. RULE is `regression` (any), `regression > PCT%`
    /// (also written `regression=PCT`) or `never`, as for `ci`.
    #[arg(long, value_name = "RULE", value_parser = gate)]
    fail_on: Option<Rule>,
    /// Measure these variants now instead of the baseline's (NAME=PATH[:PATH…]).
    #[arg(long = "variant", value_name = "NAME=PATH")]
    variants: Vec<String>,
    /// Variants to measure now from a TOML file instead of the baseline's.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Apply the stored variants' environment even where it makes processes load
    /// or run code (LD_*, PYTHON*, NODE_OPTIONS, …; see the README); without it
    /// such a baseline is refused, and its plain values are applied and shown.
    #[arg(long)]
    trust_baseline_env: bool,
    /// Write the new run's results document, with the comparisons.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Store the new run as a baseline too.
    #[arg(long, value_name = "NAME")]
    save: Option<String>,
    #[command(flatten)]
    store: Store,
    #[command(flatten)]
    judging: Judging,
    #[command(flatten)]
    exports: super::export::Exports,
    #[command(flatten)]
    report: super::report::RunReport,
    /// Where a measuring compare records its run (two stored runs are not recorded).
    #[command(flatten)]
    recording: super::history::Recording,
}

#[derive(Args)]
pub struct BaselinesArgs {
    #[command(flatten)]
    store: Store,
}

/// `--fail-on` in the grammar of `ci`'s ([`Rule`]), so both commands take
/// `regression > 3%` and `regression=3` alike.
fn gate(s: &str) -> std::result::Result<Rule, String> {
    s.parse()
}

/// The threshold in percent a rule fails beyond; None for `never`.
fn threshold(rule: Option<Rule>) -> Option<f64> {
    match rule? {
        Rule::Never => None,
        Rule::Regression { beyond_pct } => Some(beyond_pct),
    }
}

fn label_of(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "before".into())
}

pub fn compare(args: CompareArgs) -> Result<i32> {
    let claims = Claims::load(args.judging.claims.as_deref())?;
    if let Some(name) = &args.save {
        baseline::path_for(&args.store.baselines_dir, name)?;
    }
    let dir = &args.store.baselines_dir;
    let before_path = baseline::resolve(&args.runs[0], dir)?;
    let before = baseline::load(&before_path)?;
    let outputs = Outputs {
        json: args.json.as_deref(),
        save: args.save.as_deref(),
        store: &args.store,
        exports: &args.exports,
        report: &args.report,
        recording: (args.runs.len() == 1).then_some((&args.recording, "compare")),
    };
    outputs.check()?;
    let mut label = label_of(&before_path);
    let mut after = match args.runs.get(1) {
        Some(arg) => {
            let path = baseline::resolve(arg, dir)?;
            if label == label_of(&path) {
                label = before_path.display().to_string();
            }
            baseline::load(&path)?
        }
        None => remeasure(&before, &before_path, &args)?,
    };
    let design = crate::sequential::differs(
        before.settings.stopping.as_ref(),
        after.settings.stopping.as_ref(),
    );
    for w in baseline::warnings(&before, &after)
        .into_iter()
        .chain(block_mismatches(&before, &after))
        .chain(design)
    {
        eprintln!("warning: {w}");
    }
    let seed = after.seed ^ before.seed.rotate_left(1);
    let opts = args.judging.options(seed);
    claims::analyse(&mut after, Some((&before, &label)), &claims, opts);
    if after.comparisons.is_empty() {
        return Err(Error::Baseline {
            path: before_path,
            why: "no benchmark and variant in common with the other run: nothing to compare".into(),
        });
    }
    present(&after, Some((&before, &label)));
    if baseline::nothing_changed(&crate::compare::between_runs(&before, &label, &after)) {
        println!();
        println!("nothing changed between these runs: the same files were loaded (did the rebuild take? check the store paths)");
    }
    let failed = outputs.write(&after);
    Ok(outputs::exit_code(
        conclude(&after, threshold(args.fail_on)),
        &failed,
    ))
}

/// One warning per benchmark the two runs measured on different blocks of its
/// input (an old document's result has no block: the whole input): their
/// figures are of different work, and their comparison says little.
pub fn block_mismatches(before: &Document, after: &Document) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for a in &after.results {
        let Some(b) = before.results.iter().find(|b| b.bench == a.bench) else {
            continue;
        };
        if a.block_bytes != b.block_bytes && !out.iter().any(|w| w.starts_with(&a.bench)) {
            let say = |x: Option<u64>| match x {
                Some(b) => format!("{} blocks", super::inspect::bytes_label(b)),
                None => "the whole input (no blocks)".into(),
            };
            out.push(format!(
                "{}: the runs measured different blocks: before {}, after {}; an iteration did different work, so the comparison is not like for like (measure both with one storebench version)",
                a.bench,
                say(b.block_bytes),
                say(a.block_bytes)
            ));
        }
    }
    out
}

/// Measures now with the stored run's variants (unless given), benchmarks, corpus,
/// rounds, slice and seed.
fn remeasure(before: &Document, path: &Path, args: &CompareArgs) -> Result<Document> {
    let bad = |why: String| Error::Baseline {
        path: path.to_owned(),
        why,
    };
    if before.tool.name != crate::results::Tool::this().name {
        return Err(bad(format!(
            "a {} export cannot be measured again by storebench; compare it with another stored run: storebench compare BEFORE.json AFTER.json",
            before.tool.name
        )));
    }
    let (config, _) = Config::discover(args.config.as_deref())?;
    let variants = remeasured_variants(before, path, args, &config)?;
    let corpus = corpus_of(before);
    let benches = remeasured_benches(before, path, &corpus, &config)?;
    let s = &before.settings;
    if s.slice_seconds < 0.001 || s.timeout_seconds < 0.001 {
        return Err(bad(format!(
            "its slice ({} s) or timeout ({} s) is under a millisecond; nothing can be measured again with it",
            s.slice_seconds, s.timeout_seconds
        )));
    }
    // The baseline's CPUs when this machine has them.
    let here = crate::affinity::allowed();
    let theirs =
        (!s.cpus.is_empty() && s.cpus.iter().all(|c| here.contains(c))).then(|| s.cpus.clone());
    let plan = Plan {
        variants,
        benches,
        // A sequential run's rounds are its most; it starts again at its first look.
        rounds: s.stopping.map_or(s.rounds, |d| d.min_rounds).max(2),
        slice: Duration::from_secs_f64(s.slice_seconds),
        timeout: Duration::from_secs_f64(s.timeout_seconds),
        seed: before.seed,
        corpus,
        exe: current_exe()?,
        cpus: crate::affinity::choose(theirs.map(crate::affinity::Cpus)),
    };
    let mut settings = s.clone();
    settings.cpus = plan.cpus.clone();
    settings.unsettled.clear();
    settings.noise_pct = args.judging.noise;
    let until = super::run::sequential(&plan, &settings);
    measure(&plan, settings, until)
}

/// The variants to measure again with: the stored run's own (their roots must
/// exist, their environment is shown and checked), unless the user names others.
fn remeasured_variants(
    before: &Document,
    path: &Path,
    args: &CompareArgs,
    config: &Config,
) -> Result<Vec<Variant>> {
    if !args.variants.is_empty() || args.config.is_some() {
        return variants(&args.variants, config);
    }
    let vs: Vec<_> = before.variants.iter().map(|r| r.variant.clone()).collect();
    for v in &vs {
        if let Some(root) = v.roots.iter().find(|r| !r.exists()) {
            return Err(Error::MissingRoot {
                variant: v.name.clone(),
                path: root.clone(),
            });
        }
    }
    stored_env(&vs, path, args.trust_baseline_env)?;
    Ok(vs)
}

/// The stored run's benchmarks that storebench can measure again here (a warning
/// names the others); the error says why none can.
fn remeasured_benches(
    before: &Document,
    path: &Path,
    corpus: &CorpusSpec,
    config: &Config,
) -> Result<Vec<BenchSpec>> {
    let mut ids: Vec<&str> = before.results.iter().map(|r| r.bench.as_str()).collect();
    ids.dedup();
    let mut catalog = workload::catalog(&corpus.names()?);
    workload::command::catalog(&config.commands, &mut catalog)?;
    let benches: Vec<_> = catalog
        .into_iter()
        .filter(|b| ids.contains(&b.id.as_str()))
        .collect();
    let missing: Vec<&str> = ids
        .iter()
        .copied()
        .filter(|id| !benches.iter().any(|b| b.id == *id))
        .collect();
    if benches.is_empty() {
        let why = if before.probe.is_some() {
            "a probe of running processes is measured again with storebench probe (--label after --json after.json); then compare the two files"
        } else {
            "none of its benchmarks is one storebench can measure again here; compare two stored runs instead"
        };
        return Err(Error::Baseline {
            path: path.to_owned(),
            why: why.into(),
        });
    }
    if !missing.is_empty() {
        eprintln!(
            "warning: cannot measure again (not storebench's own benchmarks): {}",
            missing.join(", ")
        );
    }
    Ok(benches)
}

/// Shows the environment the stored variants set, and refuses what would make
/// a process load or run code unless `trusted`: a data file must not choose code.
fn stored_env(variants: &[Variant], path: &Path, trusted: bool) -> Result<()> {
    for v in variants.iter().filter(|v| !v.env.is_empty()) {
        let shown: Vec<String> = v.env.iter().map(|(k, val)| format!("{k}={val}")).collect();
        eprintln!(
            "note: variant `{}` runs with the environment stored in {}: {}",
            v.name,
            path.display(),
            shown.join(" ")
        );
        let code: Vec<&str> = v
            .env
            .keys()
            .map(String::as_str)
            .filter(|k| crate::variant::loads_code(k))
            .collect();
        if !code.is_empty() && !trusted {
            return Err(Error::Baseline {
                path: path.to_owned(),
                why: format!(
                    "variant `{}` would run with {} from this file, which make processes load or run code; a stored run does not choose code: define the variant in your own config (--config) or pass --trust-baseline-env",
                    v.name,
                    code.join(", ")
                ),
            });
        }
    }
    Ok(())
}

/// The corpus a stored run measured: regenerated from its seed, or its files.
fn corpus_of(doc: &Document) -> CorpusSpec {
    let generated = doc
        .corpora
        .iter()
        .all(|c| c.source.starts_with("generated"));
    match doc.corpora.first() {
        Some(first) if generated => CorpusSpec::Generated {
            seed: doc.seed,
            bytes: first.bytes as usize,
        },
        Some(_) => CorpusSpec::Files {
            paths: doc
                .corpora
                .iter()
                .map(|c| PathBuf::from(&c.source))
                .collect(),
        },
        None => CorpusSpec::Generated {
            seed: doc.seed,
            bytes: 1 << 20,
        },
    }
}

pub fn baselines(args: BaselinesArgs) -> Result<i32> {
    let dir = &args.store.baselines_dir;
    let (entries, errors) = baseline::list(dir)?;
    if entries.is_empty() && errors.is_empty() {
        eprintln!(
            "no baselines in {}; store one with storebench run --save NAME",
            dir.display()
        );
    }
    let mut rows = vec![vec![
        "name".to_string(),
        "date".into(),
        "host".into(),
        "variants".into(),
        "benchmarks".into(),
    ]];
    for e in &entries {
        let d = &e.doc;
        let mut benches: Vec<&str> = d.results.iter().map(|r| r.bench.as_str()).collect();
        benches.sort_unstable();
        benches.dedup();
        rows.push(vec![
            e.name.clone(),
            d.started.clone(),
            if d.host.hostname.is_empty() {
                d.tool.name.clone()
            } else {
                d.host.hostname.clone()
            },
            d.variants
                .iter()
                .map(|v| v.variant.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            benches.len().to_string(),
        ]);
    }
    if !entries.is_empty() {
        print!("{}", crate::table::layout(&rows, 4));
    }
    for e in &errors {
        eprintln!("error: {e}");
    }
    Ok(if errors.is_empty() {
        exit::OK
    } else {
        exit::BAD_INPUT
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gate_reads_both_spellings_of_a_threshold_and_never() {
        let pct = |s: &str| gate(s).map(|r| threshold(Some(r)));
        assert_eq!(pct("regression"), Ok(Some(0.0)));
        assert_eq!(pct("regression=3"), Ok(Some(3.0)));
        assert_eq!(pct("regression=2.5%"), Ok(Some(2.5)));
        assert_eq!(pct("regression > 3%"), Ok(Some(3.0)));
        assert_eq!(pct("never"), Ok(None));
        assert!(gate("improvement").is_err());
        assert!(gate("regression=-1").is_err());
        assert!(gate("regression=x").is_err());
    }
}
