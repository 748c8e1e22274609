//! The gates of `storebench ci`: which changes fail a night. A benchmark fails
//! only when its whole 95 % CI lies beyond the rule's threshold and, where the
//! history holds enough nights, the night is also out of line with the nights
//! before it ([`crate::change`]); before it does, a library file of the variant
//! must have changed since the last night. A single noisy figure never fails a
//! night.
//! Claim gates fail when a claim the reference confirmed is no longer confirmed.

use crate::change;
use crate::compare::signed;
use crate::config::CiConfig;
use crate::error::{Error, Result};
use crate::results::{ChangeVerdict, ClaimOutcome, Comparison, Document, GateKind, GateOutcome};
use globset::{Glob, GlobMatcher};
use std::path::{Path, PathBuf};

/// The default rule: a regression whose CI lies wholly beyond −3 %.
pub const DEFAULT_RULE: Rule = Rule::Regression { beyond_pct: 3.0 };

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rule {
    Never,
    Regression { beyond_pct: f64 },
}

impl std::str::FromStr for Rule {
    type Err = String;

    /// The one grammar of `--fail-on` (on `compare` and `ci`) and of the config's
    /// `fail_on`: `never`, `regression` (any), `regression > 3%`, or the same
    /// threshold written `regression=3` / `regression=3%`.
    fn from_str(s: &str) -> std::result::Result<Rule, String> {
        let s = s.trim();
        if s == "never" {
            return Ok(Rule::Never);
        }
        let pct = match s.strip_prefix("regression").map(str::trim) {
            Some("") => Some(0.0),
            Some(rest) => rest
                .strip_prefix('>')
                .or_else(|| rest.strip_prefix('='))
                .map(|p| p.trim().trim_end_matches('%').trim())
                .and_then(|p| p.parse::<f64>().ok())
                .filter(|p| p.is_finite() && *p >= 0.0),
            None => None,
        };
        pct.map(|beyond_pct| Rule::Regression { beyond_pct })
            .ok_or_else(|| {
                format!("`{s}` is not a gate; write `regression > 3%` (or `regression=3`), `regression` or `never`")
            })
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            Rule::Never => write!(f, "never"),
            Rule::Regression { beyond_pct } => write!(f, "regression > {beyond_pct}%"),
        }
    }
}

/// The rules of a night: a default, per-benchmark overrides and kept claims.
pub struct Gates {
    default: Rule,
    overrides: Vec<(GlobMatcher, Rule)>,
    keep_claims: Vec<GlobMatcher>,
}

impl Gates {
    /// The config's `[ci]` table (read from `path`), with `--fail-on` in place of
    /// its `fail_on` when given.
    pub fn new(cfg: &CiConfig, path: Option<&Path>, fail_on: Option<Rule>) -> Result<Gates> {
        let bad = |why: String| Error::Config {
            path: path.map_or_else(|| PathBuf::from("storebench.toml"), Path::to_owned),
            why: format!("[ci] {why}"),
        };
        let glob = |g: &str| {
            Glob::new(g)
                .map(|g| g.compile_matcher())
                .map_err(|e| bad(format!("bad glob `{g}`: {}", e.kind())))
        };
        let default = match (fail_on, &cfg.fail_on) {
            (Some(rule), _) => rule,
            (None, Some(text)) => text.parse().map_err(|e| bad(format!("fail_on: {e}")))?,
            (None, None) => DEFAULT_RULE,
        };
        let overrides = cfg
            .fail_on_bench
            .iter()
            .map(|(g, text)| {
                let rule = text
                    .parse()
                    .map_err(|e| bad(format!("fail_on_bench.\"{g}\": {e}")))?;
                Ok((glob(g)?, rule))
            })
            .collect::<Result<_>>()?;
        let keep_claims = cfg
            .keep_claims
            .iter()
            .map(|g| glob(g))
            .collect::<Result<_>>()?;
        Ok(Gates {
            default,
            overrides,
            keep_claims,
        })
    }

    pub fn rule(&self, bench: &str) -> Rule {
        self.overrides
            .iter()
            .find(|(g, _)| g.is_match(bench))
            .map_or(self.default, |(_, r)| *r)
    }
}

/// What a night's changes are judged against.
pub struct Reference<'a> {
    /// The run the changes were measured against, for library changes and claims;
    /// None when the changes are within the run.
    pub run: Option<&'a Document>,
    /// The earlier nights of this config, with `--against last`; None when the
    /// reference is a baseline or the first variant, where the CI alone speaks.
    pub nights: Option<&'a change::Nights>,
    pub noise_pct: f64,
}

/// One outcome per gated comparison of `changes`, then one per kept claim.
pub fn judge(
    gates: &Gates,
    doc: &Document,
    changes: &[Comparison],
    reference: &Reference,
) -> Vec<GateOutcome> {
    let mut out: Vec<GateOutcome> = changes
        .iter()
        .filter_map(|c| bench_gate(gates.rule(&c.bench), doc, c, reference))
        .collect();
    if let Some(before) = reference.run {
        out.extend(
            doc.claims
                .iter()
                .filter(|c| gates.keep_claims.iter().any(|g| g.is_match(&c.id)))
                .map(|c| claim_gate(c, before)),
        );
    }
    out
}

/// The benchmarks whose gate failed.
pub fn failed_benches(outcomes: &[GateOutcome]) -> Vec<String> {
    let mut benches: Vec<String> = outcomes
        .iter()
        .filter(|o| o.kind == GateKind::Bench && !o.passed)
        .map(|o| o.name.clone())
        .collect();
    benches.dedup();
    benches
}

fn bench_gate(rule: Rule, doc: &Document, c: &Comparison, r: &Reference) -> Option<GateOutcome> {
    let Rule::Regression { beyond_pct } = rule else {
        return None;
    };
    let tonight = doc.result(&c.bench, &c.variant);
    let earlier = r
        .nights
        .and_then(|n| n.get(&(c.bench.clone(), c.variant.clone())));
    let z = tonight.zip(earlier).and_then(|(t, earlier)| {
        let median = t.throughput.as_ref()?.median;
        change::robust_z(earlier, median, t.unit.higher_is_better(), r.noise_pct)
            .map(|z| (z, earlier.len().min(change::WINDOW)))
    });
    // Only the files this benchmark uses: a zlib regression is not explained
    // by a new liblzma (a command's files are unknown: all count).
    let uses = crate::workload::libraries_of(&c.bench);
    let libraries = r
        .run
        .map(|before| changes_among(before, doc, &c.variant, uses.as_deref()))
        .unwrap_or_default();
    let beyond = c.verdict == ChangeVerdict::Regression
        && c.ci_high_pct.is_some_and(|high| high < -beyond_pct);
    // Night against night, the spread between nights decides; until the history
    // knows it, a regression counts only when a library file changed with it.
    let out_of_line = match (z, r.nights) {
        (Some((z, _)), _) => z < -change::Z_LIMIT,
        (None, Some(_)) => !libraries.is_empty(),
        (None, None) => true,
    };
    let passed = c.verdict != ChangeVerdict::Broken && !(beyond && out_of_line);
    let mut finding = format!("{} [{}] {}", c.bench, c.variant, describe(c));
    if let Some((z, n)) = z {
        finding.push_str(&format!(", z {} against {n} nights", signed(z)));
    } else if beyond && !out_of_line {
        finding.push_str(&format!(
            ", not gated: fewer than {} earlier nights and no library file changed",
            change::MIN_NIGHTS
        ));
    }
    Some(GateOutcome {
        kind: GateKind::Bench,
        name: c.bench.clone(),
        variant: c.variant.clone(),
        rule: rule.to_string(),
        passed,
        change_pct: c.change_pct,
        ci_low_pct: c.ci_low_pct,
        ci_high_pct: c.ci_high_pct,
        finding,
        libraries,
    })
}

/// `−38.2 % (CI −40.1 … −36.0 %) regression`.
fn describe(c: &Comparison) -> String {
    match (c.change_pct, c.ci_low_pct, c.ci_high_pct) {
        (Some(pct), Some(low), Some(high)) => format!(
            "{} % (CI {} … {} %) {}",
            signed(pct),
            signed(low),
            signed(high),
            c.verdict.label()
        ),
        _ => c.verdict.label().to_string(),
    }
}

fn claim_gate(c: &crate::results::ClaimVerdict, before: &Document) -> GateOutcome {
    let held = |v: ClaimOutcome| matches!(v, ClaimOutcome::Confirmed | ClaimOutcome::Exceeded);
    let was = before
        .claims
        .iter()
        .find(|b| b.id == c.id && b.variant == c.variant)
        .map(|b| b.verdict);
    let passed = !was.is_some_and(held) || held(c.verdict);
    let was_label = was.map_or("not judged", ClaimOutcome::label);
    GateOutcome {
        kind: GateKind::Claim,
        name: c.id.clone(),
        variant: c.variant.clone().unwrap_or_default(),
        rule: "stays confirmed".into(),
        passed,
        change_pct: c.change_pct,
        ci_low_pct: c.ci_low_pct,
        ci_high_pct: c.ci_high_pct,
        finding: format!(
            "claim {}: {} (was {was_label}); {}",
            c.id,
            c.verdict.label(),
            c.sentence
        ),
        libraries: vec![],
    }
}

/// The benchmarked library files of `variant` that differ between two runs:
/// `libz.so.1 changed from /nix/store/…-zlib-1.3.1/lib/libz.so.1.3.1 (ab12…) to … (cd34…)`.
pub fn library_changes(before: &Document, after: &Document, variant: &str) -> Vec<String> {
    changes_among(before, after, variant, None)
}

/// [`library_changes`], of `only` these libraries when given.
fn changes_among(
    before: &Document,
    after: &Document,
    variant: &str,
    only: Option<&[crate::library::Library]>,
) -> Vec<String> {
    let libs = |d: &Document| {
        d.variant(variant)
            .and_then(|v| v.provenance.as_ref())
            .map(|p| p.libraries.clone())
            .unwrap_or_default()
    };
    let (old, new) = (libs(before), libs(after));
    new.iter()
        .filter(|n| only.map_or(true, |only| only.contains(&n.library)))
        .filter_map(|n| {
            let o = old.iter().find(|o| o.library == n.library)?;
            (o.object.sha256 != n.object.sha256).then(|| {
                crate::provenance::changed(
                    n.library.soname(),
                    (&o.object.real_path.to_string_lossy(), &o.object.sha256),
                    (&n.object.real_path.to_string_lossy(), &n.object.sha256),
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::tests::{result, run_of};
    use crate::compare::{between_runs, Options};
    use crate::results::Unit;

    const SECS: [f64; 5] = [1.0, 1.02, 0.98, 1.01, 0.99];

    /// Tonight's run taking `slower` times longer than the reference's, judged
    /// against earlier nights' medians `nights` (None: against a baseline).
    fn night(slower: f64, nights: Option<&[f64]>, rule: &str) -> Vec<GateOutcome> {
        let before = run_of(vec![result("b", "v", Unit::BytesPerSecond, &SECS)]);
        let secs: Vec<f64> = SECS.iter().map(|s| s * slower).collect();
        let tonight = run_of(vec![result("b", "v", Unit::BytesPerSecond, &secs)]);
        let opts = Options::new(1.0, 7);
        let changes: Vec<Comparison> = between_runs(&before, "run 1", &tonight)
            .iter()
            .flat_map(|p| p.comparisons(opts))
            .collect();
        let cfg = CiConfig {
            fail_on: Some(rule.into()),
            ..Default::default()
        };
        let nights: Option<change::Nights> =
            nights.map(|n| [(("b".into(), "v".into()), n.to_vec())].into());
        let reference = Reference {
            run: Some(&before),
            nights: nights.as_ref(),
            noise_pct: 1.0,
        };
        judge(
            &Gates::new(&cfg, None, None).unwrap(),
            &tonight,
            &changes,
            &reference,
        )
    }

    #[test]
    fn a_regression_beyond_the_gate_and_out_of_line_with_the_nights_fails() {
        let out = night(
            2.0,
            Some(&[10_000.0, 10_100.0, 9_900.0, 10_050.0]),
            "regression > 3%",
        );
        assert_eq!(out.len(), 1);
        assert!(!out[0].passed, "{out:?}");
        assert!(
            out[0].message().contains("−50.0 %") && out[0].message().contains("z "),
            "{}",
            out[0].message()
        );
    }

    #[test]
    fn a_gate_is_stored_as_one_line_of_finding_and_changed_libraries() {
        let mut gate = night(2.0, None, "regression > 3%").remove(0);
        gate.libraries = vec!["libz.so.1 changed".into(), "libzstd.so.1 changed".into()];
        let json = serde_json::to_value(&gate).unwrap();
        let line = format!("{}; libz.so.1 changed; libzstd.so.1 changed", gate.finding);
        assert_eq!(json["message"], serde_json::json!(line));
        assert!(json.get("finding").is_none() && json.get("libraries").is_none());
        let back: GateOutcome = serde_json::from_value(json).unwrap();
        assert_eq!(back.message(), line);
    }

    #[test]
    fn a_regression_within_the_spread_of_earlier_nights_does_not_fail() {
        let out = night(
            2.0,
            Some(&[10_000.0, 4_000.0, 16_000.0, 7_000.0]),
            "regression > 3%",
        );
        assert!(out[0].passed, "{out:?}");
    }

    #[test]
    fn before_the_history_knows_the_spread_a_regression_needs_a_changed_library() {
        let judge_night = |hash: &str| {
            let before = crate::history::tests::night("d1", "aaa", 1.0);
            let tonight = crate::history::tests::night("d2", hash, 2.0);
            let opts = Options::new(1.0, 7);
            let changes: Vec<Comparison> = between_runs(&before, "run 1", &tonight)
                .iter()
                .flat_map(|p| p.comparisons(opts))
                .filter(|c| c.bench.starts_with("compress/"))
                .collect();
            let gates = Gates::new(&CiConfig::default(), None, None).unwrap();
            let few: change::Nights = [(
                ("compress/zlib/l1/text".into(), "stock".into()),
                vec![3000.0, 3010.0],
            )]
            .into();
            let r = Reference {
                run: Some(&before),
                nights: Some(&few),
                noise_pct: 1.0,
            };
            judge(&gates, &tonight, &changes, &r)
        };
        let same = judge_night("aaa");
        assert!(same[0].passed, "{same:?}");
        assert!(
            same[0].message().contains("not gated"),
            "{}",
            same[0].message()
        );
        let changed = judge_night("bbb");
        assert!(!changed[0].passed, "{changed:?}");
        assert!(
            changed[0].message().contains("libz.so.1 changed from"),
            "{}",
            changed[0].message()
        );
    }

    #[test]
    fn a_library_the_benchmark_does_not_use_does_not_explain_its_regression() {
        let with_lzma = |mut doc: Document, hash: &str| {
            let p = doc.variants[0].provenance.as_mut().unwrap();
            let mut lzma = p.libraries[0].clone();
            lzma.library = crate::library::Library::Lzma;
            lzma.object.sha256 = hash.into();
            p.libraries.push(lzma);
            doc
        };
        let before = with_lzma(crate::history::tests::night("d1", "aaa", 1.0), "x1");
        let tonight = with_lzma(crate::history::tests::night("d2", "aaa", 2.0), "x2");
        let opts = Options::new(1.0, 7);
        let changes: Vec<Comparison> = between_runs(&before, "run 1", &tonight)
            .iter()
            .flat_map(|p| p.comparisons(opts))
            .filter(|c| c.bench.starts_with("compress/zlib/"))
            .collect();
        let few: change::Nights = [(
            ("compress/zlib/l1/text".into(), "stock".into()),
            vec![3000.0, 3010.0],
        )]
        .into();
        let r = Reference {
            run: Some(&before),
            nights: Some(&few),
            noise_pct: 1.0,
        };
        let gates = Gates::new(&CiConfig::default(), None, None).unwrap();
        let out = judge(&gates, &tonight, &changes, &r);
        assert!(out[0].passed, "only liblzma changed: {out:?}");
        assert!(
            !out[0].message().contains("liblzma"),
            "{}",
            out[0].message()
        );
    }

    #[test]
    fn a_regression_inside_the_threshold_or_a_never_rule_does_not_fail() {
        assert!(night(1.02, None, "regression > 3%")[0].passed);
        // Against a baseline the CI alone speaks.
        assert!(!night(2.0, None, "regression > 3%")[0].passed);
        assert!(night(2.0, None, "never").is_empty());
    }

    #[test]
    fn a_claim_the_reference_confirmed_fails_when_it_no_longer_holds() {
        let claim = |verdict: &str| -> crate::results::ClaimVerdict {
            serde_json::from_value(serde_json::json!({
                "id": "openssl-aes", "title": "AES", "range_pct": [20.0, 40.0],
                "baseline": "stock", "variant": "opt", "change_pct": 1.0,
                "ci_low_pct": 0.0, "ci_high_pct": 2.0, "verdict": verdict,
                "sentence": "…"
            }))
            .unwrap()
        };
        let with = |v: &str| {
            let mut d = run_of(vec![]);
            d.claims = vec![claim(v)];
            d
        };
        let cfg = CiConfig {
            keep_claims: vec!["openssl-*".into()],
            ..Default::default()
        };
        let gates = Gates::new(&cfg, None, None).unwrap();
        let outcome = |was: &str, now: &str| {
            let before = with(was);
            let r = Reference {
                run: Some(&before),
                nights: None,
                noise_pct: 1.0,
            };
            judge(&gates, &with(now), &[], &r)
        };
        let lost = outcome("confirmed", "no-change");
        assert_eq!(lost.len(), 1);
        assert!(
            !lost[0].passed && lost[0].kind == GateKind::Claim,
            "{lost:?}"
        );
        assert!(
            lost[0].message().contains("was confirmed"),
            "{}",
            lost[0].message()
        );
        assert!(outcome("exceeded", "confirmed")[0].passed);
        assert!(outcome("inconclusive", "no-change")[0].passed);
    }

    #[test]
    fn rules_read_as_written() {
        assert_eq!("never".parse(), Ok(Rule::Never));
        assert_eq!(
            "regression".parse(),
            Ok(Rule::Regression { beyond_pct: 0.0 })
        );
        assert_eq!(
            "regression > 3%".parse(),
            Ok(Rule::Regression { beyond_pct: 3.0 })
        );
        assert_eq!(
            " regression>2.5 % ".parse(),
            Ok(Rule::Regression { beyond_pct: 2.5 })
        );
        for compare_spelling in ["regression=3", "regression=3%", "regression = 3 %"] {
            assert_eq!(
                compare_spelling.parse(),
                Ok(Rule::Regression { beyond_pct: 3.0 }),
                "{compare_spelling}"
            );
        }
        assert!("regression=-1".parse::<Rule>().is_err());
        assert!("regression=x".parse::<Rule>().is_err());
        assert!("regression < 3%".parse::<Rule>().is_err());
        assert!("improvement > 3%".parse::<Rule>().is_err());
        assert!("regression > -1%".parse::<Rule>().is_err());
        assert_eq!(DEFAULT_RULE.to_string(), "regression > 3%");
    }

    #[test]
    fn the_first_matching_override_wins_and_bad_rules_name_the_key() {
        let cfg: CiConfig = toml::from_str(
            r#"
            fail_on = "regression > 5%"
            keep_claims = ["openssl-*"]
            [fail_on_bench]
            "sqlite/*" = "never"
            "sqlite/insert/*" = "regression"
            "#,
        )
        .unwrap();
        let gates = Gates::new(&cfg, None, None).unwrap();
        assert_eq!(gates.rule("sqlite/insert/x"), Rule::Never);
        assert_eq!(
            gates.rule("compress/zlib/l6/text"),
            Rule::Regression { beyond_pct: 5.0 }
        );
        let cli = Gates::new(&cfg, None, Some(Rule::Regression { beyond_pct: 1.0 })).unwrap();
        assert_eq!(cli.rule("aes/x"), Rule::Regression { beyond_pct: 1.0 });
        let mut bad = cfg.clone();
        bad.fail_on_bench.insert("aes/*".into(), "slower".into());
        let e = Gates::new(&bad, Some(Path::new("/etc/sb.toml")), None)
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.contains("/etc/sb.toml") && e.contains("aes/*") && e.contains("slower"),
            "{e}"
        );
    }
}
