//! Claims: the gains a rebuild is said to bring, and the verdict on each.
//!
//! A claim names the range of change it expects (positive is better), the metric
//! it is about and the benchmarks that measure it, as globs. The default set is the
//! seed's table, the repository's `claims.toml`, built in; `--claims FILE` replaces
//! it. A claim is judged by the geometric mean of its benchmarks' changes and that
//! mean's confidence interval against the claimed range ([`outcome`]), and each
//! verdict is explained in one plain sentence.
//!
//! This module decides and words verdicts; the changes come from `compare`, and
//! printing is the caller's.

use crate::codepath::{self, CodePath};
use crate::compare::{self, signed, Change, Matched, Options, Pairing};
use crate::error::{Error, Result};
use crate::results::{ClaimOutcome, ClaimVerdict, Document, Status, Unit};
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The seed's table of expected gains.
pub const DEFAULT: &str = include_str!("../claims.toml");

/// What a claim is about; it decides which units count and how a change is worded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    /// Throughput, or the duration of a piece of work.
    Speed,
    /// Bytes resident: RSS, PSS.
    Memory,
    /// CPU time, or CPU seconds per second.
    Cpu,
}

impl Metric {
    pub fn accepts(self, unit: Unit) -> bool {
        match self {
            Metric::Speed => matches!(
                unit,
                Unit::BytesPerSecond | Unit::OpsPerSecond | Unit::Seconds
            ),
            Metric::Memory => unit == Unit::Bytes,
            Metric::Cpu => matches!(unit, Unit::CpuSecondsPerSecond | Unit::Seconds),
        }
    }

    /// How a better and a worse change read: "faster", "less memory".
    fn words(self) -> (&'static str, &'static str) {
        match self {
            Metric::Speed => ("faster", "slower"),
            Metric::Memory => ("less memory", "more memory"),
            Metric::Cpu => ("less CPU", "more CPU"),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    pub id: String,
    pub title: String,
    /// [min, max] of the claimed change in percent, positive = better.
    pub range_pct: [f64; 2],
    pub metric: Metric,
    /// Globs over benchmark ids; `*` crosses `/`.
    pub benches: Vec<String>,
    /// What would measure the claim when a run has none of its benchmarks;
    /// optional, by default a `--bench` for each of `benches`.
    #[serde(default)]
    pub measure: String,
    #[serde(skip)]
    globs: Option<GlobSet>,
}

impl Claim {
    /// Whether a benchmark of this id and unit measures the claim.
    pub fn covers(&self, bench: &str, unit: Unit) -> bool {
        self.metric.accepts(unit) && self.globs.as_ref().is_some_and(|g| g.is_match(bench))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(rename = "claim", default)]
    claims: Vec<Claim>,
}

/// A checked set of claims.
#[derive(Debug, Clone)]
pub struct Claims {
    pub claims: Vec<Claim>,
}

/// The largest claimed gain, in percent (a hundredfold).
const MAX_CLAIM_PCT: f64 = 10_000.0;

impl Claims {
    /// The built-in table (the repository's `claims.toml`).
    pub fn builtin() -> Claims {
        Claims::parse(DEFAULT, Path::new("claims.toml (built in)"))
            .expect("the built-in claims.toml is valid (tested)")
    }

    /// `--claims FILE` when given, else the built-in table.
    pub fn load(path: Option<&Path>) -> Result<Claims> {
        match path {
            None => Ok(Claims::builtin()),
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|e| Error::io(p, e))?;
                Claims::parse(&text, p)
            }
        }
    }

    pub fn parse(text: &str, path: &Path) -> Result<Claims> {
        let bad = |why: String| Error::Claims {
            path: PathBuf::from(path),
            why,
        };
        let file: File =
            toml::from_str(text).map_err(|e| bad(e.to_string().trim_end().replace('\n', " ")))?;
        let mut claims = file.claims;
        for (i, c) in claims.iter().enumerate() {
            if claims[..i].iter().any(|d| d.id == c.id) {
                return Err(bad(format!("claim id `{}` is used twice", c.id)));
            }
            let [min, max] = c.range_pct;
            if !(0.0 < min && min <= max && max <= MAX_CLAIM_PCT) {
                return Err(bad(format!(
                    "claim `{}`: range_pct must be [min, max] with 0 < min ≤ max ≤ {MAX_CLAIM_PCT} (a claimed gain, positive = better), not [{min}, {max}]",
                    c.id
                )));
            }
            if c.benches.is_empty() {
                return Err(bad(format!("claim `{}` names no benches", c.id)));
            }
        }
        for c in &mut claims {
            if c.measure.trim().is_empty() {
                c.measure = format!(
                    "storebench run {}",
                    c.benches
                        .iter()
                        .map(|b| format!("--bench '{b}'"))
                        .collect::<Vec<_>>()
                        .join(" ")
                );
            }
            let mut set = GlobSetBuilder::new();
            for pattern in &c.benches {
                let glob = Glob::new(pattern).map_err(|e| {
                    bad(format!(
                        "claim `{}`: bad glob `{pattern}`: {}",
                        c.id,
                        e.kind()
                    ))
                })?;
                set.add(glob);
            }
            c.globs = Some(set.build().map_err(|e| bad(e.to_string()))?);
        }
        Ok(Claims { claims })
    }
}

/// The verdict on a claim from the CI of its change, in this order:
/// - regression: the CI lies below zero and the estimate beyond −noise;
/// - confirmed, or exceeded when the estimate is above the range: the CI's low end
///   reaches the claimed minimum;
/// - inconclusive: the MDE (CI half-width) is wider than the claimed minimum, so
///   the measurement cannot tell the claim from nothing;
/// - no change: the CI lies within ±noise, or below the claim while holding zero;
/// - below claim: a real gain beyond the noise whose whole CI is under the minimum;
/// - partly: a real gain whose CI reaches into the range from below;
/// - inconclusive otherwise (the CI holds zero and the claimed range).
pub fn outcome(c: Change, range_pct: [f64; 2], noise_pct: f64) -> ClaimOutcome {
    let [min, max] = range_pct;
    if c.high < 0.0 && c.pct < -noise_pct {
        ClaimOutcome::Regression
    } else if c.low >= min {
        if c.pct > max {
            ClaimOutcome::Exceeded
        } else {
            ClaimOutcome::Confirmed
        }
    } else if c.mde() > min {
        ClaimOutcome::Inconclusive
    } else if c.low >= -noise_pct && c.high <= noise_pct {
        ClaimOutcome::NoChange
    } else if c.high < min {
        if c.low > 0.0 && c.pct > noise_pct {
            ClaimOutcome::BelowClaim
        } else {
            ClaimOutcome::NoChange
        }
    } else if c.low > 0.0 {
        ClaimOutcome::Partly
    } else {
        ClaimOutcome::Inconclusive
    }
}

/// The code paths of a pairing's two sides, baseline first, when both have one.
pub type Paths<'a> = Option<(&'a CodePath, &'a CodePath)>;

/// One verdict per claim and comparison that measured it; a claim that no
/// comparison measured gets one "not measured" verdict. `paths` holds each
/// pairing's code paths, in the same order (missing ones read as none).
pub fn evaluate(
    claims: &Claims,
    pairings: &[Pairing],
    paths: &[Paths],
    opts: Options,
) -> Vec<ClaimVerdict> {
    let mut out = Vec::new();
    for claim in &claims.claims {
        let before = out.len();
        for (i, p) in pairings.iter().enumerate() {
            if let Some(v) = judge(claim, p, paths.get(i).copied().flatten(), opts) {
                out.push(v);
            }
        }
        if out.len() == before {
            out.push(verdict(
                claim,
                None,
                None,
                ClaimOutcome::NotMeasured,
                format!(
                    "{}: not measured, no benchmark of this run matches {}; to measure it: {}.",
                    claim.title,
                    claim.benches.join(", "),
                    claim.measure
                ),
            ));
        }
    }
    out
}

/// Fills the verdicts of `doc`: `comparisons`, `groups` and `claims`. Without
/// `before` they compare the run's variants with its first, paired; with `before`
/// (a stored run and its label) they compare the run with that one, unpaired.
pub fn analyse(
    doc: &mut Document,
    before: Option<(&Document, &str)>,
    claims: &Claims,
    opts: Options,
) {
    let (comparisons, groups, verdicts, attribution) = {
        let pairings = match before {
            None => compare::within_run(doc),
            Some((run, label)) => compare::between_runs(run, label, doc),
        };
        let paths: Vec<Paths> = pairings
            .iter()
            .map(|p| code_paths(doc, before, p))
            .collect();
        (
            pairings.iter().flat_map(|p| p.comparisons(opts)).collect(),
            pairings.iter().flat_map(|p| p.groups(opts)).collect(),
            evaluate(claims, &pairings, &paths, opts),
            before
                .is_none()
                .then(|| {
                    crate::attribution::of_run(doc, &pairings, &covered(claims, &pairings), opts)
                })
                .flatten(),
        )
    };
    doc.attribution = attribution;
    doc.comparisons = comparisons;
    doc.groups = groups;
    doc.claims = verdicts;
    doc.settings.noise_pct = opts.noise_pct;
}

/// Each claim's id and the benchmarks of the first pairing it covers: the
/// claims an attribution is made for.
fn covered(claims: &Claims, pairings: &[Pairing]) -> Vec<(String, Vec<String>)> {
    let Some(p) = pairings.first() else {
        return vec![];
    };
    claims
        .claims
        .iter()
        .map(|c| {
            let benches = p
                .benches
                .iter()
                .filter(|m| c.covers(m.bench(), m.after.unit))
                .map(|m| m.bench().to_string())
                .collect();
            (c.id.clone(), benches)
        })
        .collect()
}

/// The code paths of both sides of `p`, from the variants' provenance: the
/// baseline's in `doc`, or in the stored run `before` (`LABEL:VARIANT`).
fn code_paths<'a>(
    doc: &'a Document,
    before: Option<(&'a Document, &str)>,
    p: &Pairing,
) -> Paths<'a> {
    let path = |d: &'a Document, v: &str| d.variant(v)?.provenance.as_ref()?.code_path.as_ref();
    let baseline = match before {
        None => path(doc, &p.baseline)?,
        Some((run, label)) => {
            let was = p.baseline.strip_prefix(label)?.strip_prefix(':')?;
            path(run, was)?
        }
    };
    Some((baseline, path(doc, &p.variant)?))
}

fn judge(claim: &Claim, p: &Pairing, paths: Paths, opts: Options) -> Option<ClaimVerdict> {
    let covered: Vec<_> = p
        .benches
        .iter()
        .filter(|m| claim.covers(m.bench(), m.after.unit))
        .collect();
    if covered.is_empty() {
        return None;
    }
    let (rebuilt, same): (Vec<&Matched>, Vec<&Matched>) =
        covered.into_iter().partition(|m| p.rebuilt(m.bench()));
    let not_rebuilt = p.not_rebuilt_names(same.iter().map(|m| m.bench()));
    let apart = left_apart(&not_rebuilt, same.len());
    if rebuilt.is_empty() {
        let sentence = format!("{}: not measured, {apart}.", claim.title);
        let mut v = verdict(claim, Some(p), None, ClaimOutcome::NotMeasured, sentence);
        v.not_rebuilt = not_rebuilt;
        return Some(v);
    }
    let ids: Vec<String> = rebuilt.iter().map(|m| m.bench().to_string()).collect();
    let path_notes = paths.map_or_else(Vec::new, |(a, b)| codepath::same_path_notes(a, b, &ids));
    let mut aside: String = path_notes.iter().map(|n| format!("; {n}")).collect();
    if !same.is_empty() {
        aside.push_str(&format!(
            "; judged on the {} rebuilt benchmark(s) alone ({apart})",
            rebuilt.len()
        ));
    }
    let mut v = judge_rebuilt(claim, p, &rebuilt, opts, &aside);
    v.not_rebuilt = not_rebuilt;
    v.notes = path_notes;
    Some(v)
}

/// "glibc: the same file in both variants — not rebuilt in this comparison, 13
/// benchmarks left apart".
fn left_apart(names: &[String], benches: usize) -> String {
    let file = if names.len() == 1 {
        "the same file"
    } else {
        "each the same file"
    };
    format!(
        "{}: {file} in both variants — not rebuilt in this comparison, {benches} benchmark{} left apart",
        names.join(", "),
        if benches == 1 { "" } else { "s" }
    )
}

/// The verdict over the benchmarks that were rebuilt; `aside` says what was left
/// apart, to end the sentence with.
fn judge_rebuilt(
    claim: &Claim,
    p: &Pairing,
    rebuilt: &[&Matched],
    opts: Options,
    aside: &str,
) -> ClaimVerdict {
    if let Some((m, failed)) = rebuilt.iter().find_map(|m| m.failure().map(|f| (m, f))) {
        let what = match failed.status {
            Status::Broken => "computed wrong results in",
            Status::Timeout => "hung in",
            _ => "crashed in",
        };
        let sentence = format!(
            "{}: broken, `{}` {what} {}; a build that fails is never counted as faster.",
            claim.title,
            failed.variant,
            m.bench()
        );
        return verdict(claim, Some(p), None, ClaimOutcome::Broken, sentence);
    }
    let combined = p.combined(
        |r| claim.covers(&r.bench, r.unit) && p.rebuilt(&r.bench),
        opts.boot,
    );
    let Some((change, _, _)) = combined else {
        let sentence = format!(
            "{}: inconclusive, too few rounds for a confidence interval{}{aside}.",
            claim.title,
            notes(p)
        );
        return verdict(claim, Some(p), None, ClaimOutcome::Inconclusive, sentence);
    };
    let result = outcome(change, claim.range_pct, opts.noise_pct);
    let sentence = sentence(claim, result, change, p, aside);
    let mut v = verdict(claim, Some(p), Some(change), result, sentence);
    v.benches = rebuilt.iter().map(|m| m.bench().to_string()).collect();
    v
}

fn verdict(
    claim: &Claim,
    p: Option<&Pairing>,
    change: Option<Change>,
    outcome: ClaimOutcome,
    sentence: String,
) -> ClaimVerdict {
    ClaimVerdict {
        id: claim.id.clone(),
        title: claim.title.clone(),
        range_pct: claim.range_pct,
        baseline: p.map(|p| p.baseline.clone()),
        variant: p.map(|p| p.variant.clone()),
        change_pct: change.map(|c| c.pct),
        ci_low_pct: change.map(|c| c.low),
        ci_high_pct: change.map(|c| c.high),
        mde_pct: change.map(|c| c.mde()),
        paired: p.map(|p| p.paired),
        verdict: outcome,
        sentence,
        benches: vec![],
        not_rebuilt: vec![],
        notes: vec![],
    }
}

/// "OpenSSL …: 0.3 % faster, 95 % CI −0.8 … +1.4 %, claim 20–40 %: no change, …."
fn sentence(claim: &Claim, outcome: ClaimOutcome, c: Change, p: &Pairing, aside: &str) -> String {
    let [min, max] = claim.range_pct;
    let (better, worse) = claim.metric.words();
    let measured = format!(
        "{:.1} % {}, 95 % CI {} … {} %",
        c.pct.abs(),
        if c.pct < 0.0 { worse } else { better },
        signed(c.low),
        signed(c.high)
    );
    let (min_s, max_s) = (plain(min), plain(max));
    let why = match outcome {
        ClaimOutcome::Confirmed => {
            format!("confirmed, even the low end of the interval reaches the claimed {min_s} %")
        }
        ClaimOutcome::Exceeded => format!(
            "exceeded, the interval reaches the claimed {min_s} % and the estimate is above the claimed {max_s} %"
        ),
        ClaimOutcome::Partly => format!(
            "partly, a real gain whose interval reaches into the claimed range but also below {min_s} %"
        ),
        ClaimOutcome::BelowClaim => format!(
            "below claim, a real gain but the whole interval is under the claimed {min_s} %"
        ),
        ClaimOutcome::NoChange => {
            format!("no change, the interval rules out the claimed {min_s} %")
        }
        ClaimOutcome::Regression => {
            "regression, the rebuilt side is worse, the opposite of the claim".to_string()
        }
        _ => format!(
            "inconclusive, the noise (±{:.1} %) is wider than the claimed {min_s} %; measure more rounds (a larger --budget)",
            c.mde()
        ),
    };
    format!(
        "{}: {measured}, claim {min_s}–{max_s} %: {why}{}{aside}.",
        claim.title,
        notes(p)
    )
}

fn notes(p: &Pairing) -> String {
    let mut notes = String::new();
    if p.same_files {
        notes.push_str(
            " (A/A: both sides loaded byte-identical libraries, so any difference is noise)",
        );
    }
    if !p.paired {
        notes.push_str(" (two runs made at different times, compared unpaired)");
    }
    notes
}

/// `3`, `2.5`: a claimed figure as it was written.
fn plain(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(pct: f64, low: f64, high: f64) -> Change {
        Change { pct, low, high }
    }

    const AES: [f64; 2] = [20.0, 40.0];

    #[test]
    fn the_builtin_table_holds_the_seeds_eight_claims() {
        let claims = Claims::builtin();
        let ids: Vec<&str> = claims.claims.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "universal",
                "zlib-compression",
                "openssl-aes",
                "compression",
                "runtimes",
                "electron-ram",
                "video-cpu",
                "desktop-ram"
            ]
        );
        let range = |id: &str| claims.claims.iter().find(|c| c.id == id).unwrap().range_pct;
        assert_eq!(range("universal"), [3.0, 8.0]);
        assert_eq!(range("zlib-compression"), [10.0, 20.0]);
        assert_eq!(range("openssl-aes"), [20.0, 40.0]);
        assert_eq!(range("video-cpu"), [30.0, 50.0]);
    }

    #[test]
    fn globs_cross_slashes_and_the_metric_filters_units() {
        let claims = Claims::builtin();
        let get = |id: &str| claims.claims.iter().find(|c| c.id == id).unwrap();
        assert!(get("openssl-aes").covers("aes/256-gcm/encrypt/16384", Unit::BytesPerSecond));
        assert!(!get("openssl-aes").covers("compress/zlib/l6/text", Unit::BytesPerSecond));
        assert!(get("compression").covers("decompress/xz/l6/json", Unit::BytesPerSecond));
        assert!(!get("compression").covers("compress/zlib/l6/json", Unit::BytesPerSecond));
        assert!(get("zlib-compression").covers("compress/zlib/l6/json", Unit::BytesPerSecond));
        assert!(!get("zlib-compression").covers("decompress/zlib/l6/json", Unit::BytesPerSecond));
        assert!(get("electron-ram").covers("probe/electron/pss", Unit::Bytes));
        assert!(!get("electron-ram").covers("probe/electron/cpu", Unit::CpuSecondsPerSecond));
        assert!(!get("electron-ram").covers("command/electron-app/wall", Unit::Seconds));
        assert!(get("video-cpu").covers("probe/video/cpu", Unit::CpuSecondsPerSecond));
    }

    #[test]
    fn a_claim_without_measure_says_which_benchmarks_would_measure_it() {
        let text = "[[claim]]\nid='x'\ntitle='t'\nrange_pct=[3, 8]\nmetric='speed'\nbenches=['a/*', 'b/c']\n";
        let claims = Claims::parse(text, Path::new("my.toml")).unwrap();
        assert_eq!(
            claims.claims[0].measure,
            "storebench run --bench 'a/*' --bench 'b/c'"
        );
    }

    #[test]
    fn a_claims_file_with_a_bad_range_or_duplicate_id_names_the_file_and_claim() {
        let text = "[[claim]]\nid='x'\ntitle='t'\nrange_pct=[8, 3]\nmetric='speed'\nbenches=['a/*']\nmeasure='m'\n";
        let err = Claims::parse(text, Path::new("my.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("my.toml") && err.contains("`x`"), "{err}");
        for range in ["[nan, 3]", "[3, inf]", "[1, 1e300]", "[-1, 3]"] {
            let err = Claims::parse(&text.replace("[8, 3]", range), Path::new("my.toml"))
                .unwrap_err()
                .to_string();
            assert!(err.contains("range_pct"), "{range}: {err}");
        }
        let twice = text.replace("[8, 3]", "[3, 8]").repeat(2);
        let err = Claims::parse(&twice, Path::new("my.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("used twice"), "{err}");
        let unknown = text
            .replace("[8, 3]", "[3, 8]")
            .replace("metric='speed'", "metric='joy'");
        assert!(Claims::parse(&unknown, Path::new("my.toml")).is_err());
    }

    #[test]
    fn a_probe_with_35_percent_less_memory_confirms_the_electron_claim_with_one_sentence() {
        let mut results = Vec::new();
        for (variant, pss) in [("before", 100.0), ("after", 65.0)] {
            for (metric, unit, v) in [
                ("pss", Unit::Bytes, pss),
                ("cpu", Unit::CpuSecondsPerSecond, 1.0),
            ] {
                let mut r = crate::results::BenchResult::new(
                    &format!("probe/electron/{metric}"),
                    "probe",
                    variant,
                    unit,
                    1,
                    vec![],
                    Status::Ok,
                    None,
                );
                r.values = vec![v, v * 1.01, v * 0.99, v];
                results.push(r);
            }
        }
        let (before, after): (Vec<_>, Vec<_>) =
            results.into_iter().partition(|r| r.variant == "before");
        let before = compare::tests::run_of(before);
        let mut after = compare::tests::run_of(after);
        analyse(
            &mut after,
            Some((&before, "b")),
            &Claims::builtin(),
            Options::new(1.0, 1),
        );
        let v = after
            .claims
            .iter()
            .find(|c| c.id == "electron-ram")
            .unwrap();
        assert_eq!(v.verdict, ClaimOutcome::Confirmed, "{v:?}");
        assert_eq!(v.benches, ["probe/electron/pss"]);
        assert!(
            v.sentence.contains("35.0 % less memory") && v.sentence.contains("unpaired"),
            "{}",
            v.sentence
        );
        assert_eq!(
            v.sentence.matches(". ").count(),
            0,
            "one sentence: {}",
            v.sentence
        );
        let not = after.claims.iter().find(|c| c.id == "openssl-aes").unwrap();
        assert_eq!(not.verdict, ClaimOutcome::NotMeasured);
        assert!(not.sentence.contains("aes/*"), "{}", not.sentence);
    }

    #[test]
    fn a_run_where_only_zlib_was_rebuilt_judges_the_universal_claim_on_zlib_alone() {
        let doc = compare::tests::only_zlib_rebuilt_judged();
        let get = |id: &str| doc.claims.iter().find(|c| c.id == id).unwrap();
        let universal = get("universal");
        assert_eq!(
            universal.benches,
            ["compress/zlib/l6/text", "decompress/zlib/l6/text"]
        );
        assert!(
            (universal.change_pct.unwrap() - 25.0).abs() < 1e-9,
            "{universal:?}"
        );
        assert_eq!(universal.not_rebuilt, ["glibc"]);
        assert!(
            universal
                .sentence
                .contains("glibc: the same file in both variants — not rebuilt in this comparison"),
            "{}",
            universal.sentence
        );
        let zstd = get("compression");
        assert_eq!(zstd.verdict, ClaimOutcome::NotMeasured, "{zstd:?}");
        assert!(
            zstd.sentence.contains("zstd: the same file"),
            "{}",
            zstd.sentence
        );
        assert_eq!(get("zlib-compression").benches, ["compress/zlib/l6/text"]);
    }

    /// A run of `stock` and `native` whose libcrypto differ but both run AES-NI,
    /// with the same speed.
    fn aes_rebuilt_with_the_same_caps(native_caps: &str) -> Document {
        use crate::codepath::tests::{with_caps, AES_ON};
        use crate::library::Library;
        let secs = [1.0, 1.1, 0.9, 1.05];
        let results = ["stock", "native"]
            .iter()
            .map(|v| {
                compare::tests::result("aes/256-gcm/encrypt/16384", v, Unit::BytesPerSecond, &secs)
            })
            .collect();
        let mut doc = compare::tests::run_of(results);
        for (v, sha, caps) in [
            ("stock", "c-o2", AES_ON),
            ("native", "c-native", native_caps),
        ] {
            let rec = doc
                .variants
                .iter_mut()
                .find(|r| r.variant.name == v)
                .unwrap();
            let mut prov = compare::tests::loaded(&[(Library::Crypto, sha)], "libc");
            prov.code_path = Some(with_caps(caps, "__memmove_avx_unaligned_erms"));
            rec.provenance = Some(prov);
        }
        doc
    }

    #[test]
    fn the_openssl_sentence_says_a_rebuild_cannot_add_aes_ni_both_builds_use() {
        let mut doc = aes_rebuilt_with_the_same_caps(crate::codepath::tests::AES_ON);
        analyse(&mut doc, None, &Claims::builtin(), Options::new(1.0, 1));
        let aes = doc.claims.iter().find(|c| c.id == "openssl-aes").unwrap();
        assert_eq!(aes.benches, ["aes/256-gcm/encrypt/16384"], "{aes:?}");
        assert_eq!(aes.notes.len(), 1, "{aes:?}");
        assert!(aes.notes[0].contains("a rebuild cannot add it"), "{aes:?}");
        assert!(
            aes.sentence
                .contains("; both builds use AES-NI at run time")
                && aes.sentence.contains("a rebuild cannot add it"),
            "{}",
            aes.sentence
        );
        assert_eq!(aes.sentence.matches(". ").count(), 0, "{}", aes.sentence);

        // Between two runs, the stored run's code path is the baseline's.
        let stored = aes_rebuilt_with_the_same_caps(crate::codepath::tests::AES_ON);
        let mut again = aes_rebuilt_with_the_same_caps(crate::codepath::tests::AES_ON);
        let stock = again
            .variants
            .iter_mut()
            .find(|r| r.variant.name == "stock");
        stock.unwrap().provenance.as_mut().unwrap().libraries[0]
            .object
            .sha256 = "c-o3".into();
        analyse(
            &mut again,
            Some((&stored, "old")),
            &Claims::builtin(),
            Options::new(1.0, 1),
        );
        let aes = again.claims.iter().find(|c| c.id == "openssl-aes").unwrap();
        assert!(aes.notes.iter().any(|n| n.contains("AES-NI")), "{aes:?}");

        let mut masked = aes_rebuilt_with_the_same_caps(crate::codepath::tests::AES_OFF);
        analyse(&mut masked, None, &Claims::builtin(), Options::new(1.0, 1));
        let aes = masked
            .claims
            .iter()
            .find(|c| c.id == "openssl-aes")
            .unwrap();
        assert!(aes.notes.is_empty(), "{aes:?}");
        assert!(!aes.sentence.contains("cannot add"), "{}", aes.sentence);
    }

    #[test]
    fn a_ci_reaching_the_claimed_minimum_confirms_and_above_the_maximum_exceeds() {
        assert_eq!(
            outcome(c(30.0, 20.0, 40.0), AES, 1.0),
            ClaimOutcome::Confirmed
        );
        assert_eq!(
            outcome(c(40.0, 25.0, 55.0), AES, 1.0),
            ClaimOutcome::Confirmed
        );
        assert_eq!(
            outcome(c(40.1, 25.0, 55.0), AES, 1.0),
            ClaimOutcome::Exceeded
        );
    }

    #[test]
    fn a_ci_overlapping_the_range_from_below_is_partly() {
        assert_eq!(outcome(c(22.0, 19.9, 24.1), AES, 1.0), ClaimOutcome::Partly);
    }

    #[test]
    fn a_real_gain_under_the_range_is_below_claim() {
        assert_eq!(
            outcome(c(5.0, 3.0, 7.0), AES, 1.0),
            ClaimOutcome::BelowClaim
        );
        // Real, but within the noise threshold: no change.
        assert_eq!(outcome(c(0.9, 0.1, 1.7), AES, 1.0), ClaimOutcome::NoChange);
    }

    #[test]
    fn a_ci_around_zero_narrower_than_the_claim_refutes_it_as_no_change() {
        assert_eq!(outcome(c(0.3, -0.8, 1.4), AES, 1.0), ClaimOutcome::NoChange);
        assert_eq!(
            outcome(c(0.0, -1.0, 1.0), [3.0, 8.0], 1.0),
            ClaimOutcome::NoChange
        );
    }

    #[test]
    fn an_mde_wider_than_the_claimed_minimum_is_inconclusive() {
        // Half-width 3.01 > 3: cannot tell the claim from nothing.
        assert_eq!(
            outcome(c(1.0, -2.0, 4.02), [3.0, 8.0], 1.0),
            ClaimOutcome::Inconclusive
        );
        // Half-width 2.9, the whole CI under 3: refuted.
        assert_eq!(
            outcome(c(0.0, -2.9, 2.9), [3.0, 8.0], 1.0),
            ClaimOutcome::NoChange
        );
        // Half-width 3, holding both zero and part of the range.
        assert_eq!(
            outcome(c(1.0, -2.0, 4.0), [3.0, 8.0], 1.0),
            ClaimOutcome::Inconclusive
        );
    }

    #[test]
    fn a_clear_loss_is_a_regression_however_wide_the_ci() {
        assert_eq!(
            outcome(c(-50.0, -80.0, -20.0), [3.0, 8.0], 1.0),
            ClaimOutcome::Regression
        );
        assert_eq!(
            outcome(c(-1.5, -2.0, -0.5), AES, 1.0),
            ClaimOutcome::Regression
        );
        // Below zero but within the noise: no change.
        assert_eq!(
            outcome(c(-0.9, -1.5, -0.2), AES, 1.0),
            ClaimOutcome::NoChange
        );
    }

    #[test]
    fn claimed_figures_read_as_written() {
        assert_eq!(plain(3.0), "3");
        assert_eq!(plain(2.5), "2.5");
    }
}
