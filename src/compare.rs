//! Comparisons: how much better or worse one build did than another, benchmark by
//! benchmark and as a geometric mean per group.
//!
//! Within one run every variant is compared with the first, paired by round: both
//! ran in the same round, so the per-round ratio cancels what drifts. Between two
//! stored runs, made at different times, variants are matched by name and compared
//! unpaired. Every change is signed so that positive is better whatever the unit
//! ([`Direction`]), and judged against the noise threshold ([`verdict`]).
//!
//! This module computes and decides; it does not print, and it knows nothing of
//! claims, which build on [`Pairing::combined`].

use crate::results::{
    BenchResult, ChangeVerdict, Comparison, Document, GroupComparison, Status, Unit, VariantRecord,
};
use crate::sequential::Stopping;
use crate::stats::{self, Bootstrap, Interval};
use crate::workload;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// A change whose CI lies within ±this many percent is "no change".
    pub noise_pct: f64,
    pub boot: Bootstrap,
}

impl Options {
    pub fn new(noise_pct: f64, seed: u64) -> Options {
        Options {
            noise_pct,
            boot: Bootstrap {
                seed,
                ..Bootstrap::default()
            },
        }
    }
}

/// A change in percent with its 95 % confidence interval; positive is better.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Change {
    pub pct: f64,
    pub low: f64,
    pub high: f64,
}

impl Change {
    /// The minimum detectable effect: half the CI's width. A true change smaller
    /// than this cannot be told from noise by this measurement.
    pub fn mde(&self) -> f64 {
        (self.high - self.low) / 2.0
    }
}

/// A percent with its sign, to one decimal: `+1.4`, `−0.8` (a real minus sign),
/// `0.0`.
pub fn signed(x: f64) -> String {
    let s = format!("{:.1}", x.abs());
    if s == "0.0" {
        s
    } else if x < 0.0 {
        format!("−{s}")
    } else {
        format!("+{s}")
    }
}

/// Which way a figure improves; it decides how a ratio becomes a signed change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Rates: bytes or operations per second.
    HigherIsBetter,
    /// Durations, memory, CPU use.
    LowerIsBetter,
}

impl Direction {
    /// Which way a set of figures improves together: as rates unless every one
    /// is lower-is-better (and as rates when there are none).
    pub fn of_all(directions: &[Direction]) -> Direction {
        if !directions.is_empty() && directions.iter().all(|d| *d == Direction::LowerIsBetter) {
            Direction::LowerIsBetter
        } else {
            Direction::HigherIsBetter
        }
    }

    pub fn of(unit: Unit) -> Direction {
        if unit.higher_is_better() {
            Direction::HigherIsBetter
        } else {
            Direction::LowerIsBetter
        }
    }

    /// Turns a ratio "times better" (after / before for a rate, before / after
    /// otherwise) into the percent users quote: the gain of a rate ("20 % faster"),
    /// the reduction of the rest ("35 % less memory").
    pub fn pct(self, times_better: f64) -> f64 {
        match self {
            Direction::HigherIsBetter => (times_better - 1.0) * 100.0,
            Direction::LowerIsBetter => (1.0 - 1.0 / times_better) * 100.0,
        }
    }

    /// Both conversions grow with the ratio, so the interval's ends stay in order.
    pub(crate) fn change(self, times_better: Interval) -> Change {
        Change {
            pct: self.pct(times_better.estimate),
            low: self.pct(times_better.low),
            high: self.pct(times_better.high),
        }
    }
}

/// The verdict on one change. In order: a CI inside ±`noise_pct` is no change; a
/// CI clear of zero is an improvement or regression when its estimate is beyond the
/// noise threshold, and no change when the estimate is within it (real, but too
/// small to matter); a CI that holds zero yet reaches past the threshold cannot
/// tell, and is inconclusive. No interval at all (too few rounds) is inconclusive.
pub fn verdict(change: Option<Change>, noise_pct: f64) -> ChangeVerdict {
    let Some(c) = change else {
        return ChangeVerdict::Inconclusive;
    };
    if c.low >= -noise_pct && c.high <= noise_pct {
        ChangeVerdict::NoChange
    } else if c.low > 0.0 {
        if c.pct > noise_pct {
            ChangeVerdict::Improvement
        } else {
            ChangeVerdict::NoChange
        }
    } else if c.high < 0.0 {
        if c.pct < -noise_pct {
            ChangeVerdict::Regression
        } else {
            ChangeVerdict::NoChange
        }
    } else {
        ChangeVerdict::Inconclusive
    }
}

/// One benchmark as both sides of a comparison measured it.
#[derive(Debug, Clone, Copy)]
pub struct Matched<'a> {
    pub before: &'a BenchResult,
    pub after: &'a BenchResult,
}

impl<'a> Matched<'a> {
    pub fn bench(&self) -> &'a str {
        &self.after.bench
    }

    /// The side that failed (wrong output, crash, hang), `after` first.
    pub fn failure(&self) -> Option<&'a BenchResult> {
        [self.after, self.before]
            .into_iter()
            .find(|r| r.status != Status::Ok)
    }

    fn direction(&self) -> Direction {
        Direction::of(self.after.unit)
    }

    /// For a paired comparison: each shared round's ratio "times better", in
    /// round order. None when a side failed, or the ratios cannot give a change
    /// (too few, or a figure that is not finite and positive).
    pub fn ratios(&self) -> Option<Vec<f64>> {
        Some(self.round_ratios()?.into_iter().map(|(_, r)| r).collect())
    }

    /// [`Matched::ratios`] with the round each ratio comes from (its index when
    /// the figures carry no rounds), so that variants can be paired round by round.
    pub fn round_ratios(&self) -> Option<Vec<(u32, f64)>> {
        if self.failure().is_some() {
            return None;
        }
        let direction = self.direction();
        let better = |before: f64, after: f64| match direction {
            Direction::HigherIsBetter => after / before,
            Direction::LowerIsBetter => before / after,
        };
        let positive = |x: f64| x.is_finite() && x > 0.0;
        let ratios = aligned(self.before, self.after)?
            .into_iter()
            .map(|r| {
                match r.by_turn {
                    // Turns are rates' (throughput after / before).
                    Some(ratio) if positive(r.before) => Some(match direction {
                        Direction::HigherIsBetter => ratio,
                        Direction::LowerIsBetter => 1.0 / ratio,
                    }),
                    Some(_) => None,
                    None => {
                        (positive(r.before) && positive(r.after)).then(|| better(r.before, r.after))
                    }
                }
                .map(|ratio| (r.round, ratio))
            })
            .collect::<Option<Vec<(u32, f64)>>>()?;
        let plain: Vec<f64> = ratios.iter().map(|(_, r)| *r).collect();
        stats::usable_ratios(&plain).then_some(ratios)
    }

    /// For an unpaired comparison: both sides' figures, oriented so that second
    /// / first is "times better". None when a side failed, or the figures cannot
    /// give a change (too few, or not finite and positive).
    fn sides(&self) -> Option<(Vec<f64>, Vec<f64>)> {
        if self.failure().is_some() {
            return None;
        }
        let (before, after) = (self.before.figures(), self.after.figures());
        let (x, y) = match self.direction() {
            Direction::HigherIsBetter => (before, after),
            Direction::LowerIsBetter => (after, before),
        };
        stats::usable_unpaired(&x, &y).then_some((x, y))
    }
}

/// One round both sides measured.
#[derive(Debug, Clone, Copy, PartialEq)]
struct SharedRound {
    /// The round's number, or the figure's index when there are no rounds.
    round: u32,
    before: f64,
    after: f64,
    /// When both took the round in turns: the median of the turn-by-turn ratios
    /// of throughput, after / before, which stands for the round's ratio.
    by_turn: Option<f64>,
}

/// The rounds both measured, in round order. A benchmark that lost a round in
/// one variant still pairs on the rest.
///
/// When both took a round in turns, the ratio of that round is the median of the
/// turn-by-turn ratios: turns next to each other saw the same machine, and the
/// median leaves out the turns that a burst of other work slowed on one side only.
fn aligned(before: &BenchResult, after: &BenchResult) -> Option<Vec<SharedRound>> {
    let (fa, fb) = (before.figures(), after.figures());
    let by_round = before.values.is_empty()
        && after.values.is_empty()
        && before.rounds.len() == fa.len()
        && after.rounds.len() == fb.len();
    if !by_round {
        return (fa.len() == fb.len()).then(|| {
            fa.iter()
                .zip(&fb)
                .enumerate()
                .map(|(i, (&before, &after))| SharedRound {
                    round: i as u32,
                    before,
                    after,
                    by_turn: None,
                })
                .collect()
        });
    }
    let mut shared = Vec::new();
    for (ra, xa) in before.rounds.iter().zip(&fa) {
        if let Some(i) = after.rounds.iter().position(|rb| rb.round == ra.round) {
            let rb = &after.rounds[i];
            let by_turn = (!ra.turns.is_empty() && ra.turns.len() == rb.turns.len())
                .then(|| {
                    let ratios: Vec<f64> = ra
                        .turns
                        .iter()
                        .zip(&rb.turns)
                        .map(|(ta, tb)| {
                            (after.work_per_iter as f64 / tb) / (before.work_per_iter as f64 / ta)
                        })
                        .collect();
                    stats::median(&ratios)
                })
                .flatten();
            shared.push(SharedRound {
                round: ra.round,
                before: *xa,
                after: fb[i],
                by_turn,
            });
        }
    }
    Some(shared)
}

/// Every benchmark of one comparison: `variant` against `baseline`.
#[derive(Debug, Clone)]
pub struct Pairing<'a> {
    pub baseline: String,
    pub variant: String,
    /// Measured in the same rounds of one run (paired) or in two runs (unpaired).
    pub paired: bool,
    /// Both sides loaded byte-identical benchmarked libraries: an A/A comparison,
    /// so any difference is noise.
    pub same_files: bool,
    /// A paired comparison of a sequential run: each benchmark's CI is the
    /// design's at the look its rounds reached, not the fixed-level bootstrap.
    pub stopping: Option<Stopping>,
    pub benches: Vec<Matched<'a>>,
    /// The benchmarks that were not rebuilt in this comparison, by id, with what
    /// they measure (`glibc`): both sides loaded the same file of each, in the same
    /// environment. Their comparisons stay, marked; groups and claims leave them out.
    pub not_rebuilt: BTreeMap<String, Vec<String>>,
}

/// Each variant after the first against the first, paired by round. `results` may
/// be those of a run still in progress.
pub fn within<'a>(results: &'a [BenchResult], variants: &[String]) -> Vec<Pairing<'a>> {
    let Some((first, others)) = variants.split_first() else {
        return vec![];
    };
    others
        .iter()
        .map(|v| Pairing {
            baseline: first.clone(),
            variant: v.clone(),
            paired: true,
            same_files: false,
            stopping: None,
            not_rebuilt: BTreeMap::new(),
            benches: results
                .iter()
                .filter(|r| &r.variant == v)
                .filter_map(|after| {
                    let before = results
                        .iter()
                        .find(|r| r.bench == after.bench && &r.variant == first)?;
                    Some(Matched { before, after })
                })
                .collect(),
        })
        .collect()
}

/// The comparisons within one run: each variant against the first, paired, with
/// the A/A label from what the variants loaded.
pub fn within_run(doc: &Document) -> Vec<Pairing<'_>> {
    let names: Vec<String> = doc
        .variants
        .iter()
        .map(|v| v.variant.name.clone())
        .collect();
    let mut out = within(&doc.results, &names);
    for p in &mut out {
        p.stopping = doc.settings.stopping;
        p.same_files = doc
            .variant(&p.variant)
            .is_some_and(|v| v.same_files_as.contains(&p.baseline));
        p.not_rebuilt = not_rebuilt(
            doc.variant(&p.baseline),
            doc.variant(&p.variant),
            &p.benches,
        );
    }
    out
}

/// The benchmarks of `benches` whose files (see [`workload::subject_of`]) both
/// variants loaded byte-identical, in the same environment, with those files'
/// names. Without both provenances nothing can be told, and every benchmark counts.
fn not_rebuilt(
    before: Option<&VariantRecord>,
    after: Option<&VariantRecord>,
    benches: &[Matched],
) -> BTreeMap<String, Vec<String>> {
    let (Some(a), Some(b)) = (before, after) else {
        return BTreeMap::new();
    };
    benches
        .iter()
        .filter_map(|m| {
            let needs = workload::subject_of(m.bench())?;
            a.same_subject(b, &needs).then(|| {
                let names = needs.names().into_iter().map(String::from).collect();
                (m.bench().to_string(), names)
            })
        })
        .collect()
}

/// The comparisons between a stored run `before` (called `label`) and `after`:
/// each variant of `after` against the same-named variant of `before`, or the
/// single variant of each when their names differ; unpaired.
pub fn between_runs<'a>(
    before: &'a Document,
    label: &str,
    after: &'a Document,
) -> Vec<Pairing<'a>> {
    between(before, label, after)
}

fn between<'a>(before: &'a Document, label: &str, after: &'a Document) -> Vec<Pairing<'a>> {
    let names = |d: &Document| -> Vec<String> {
        let mut seen = BTreeSet::new();
        d.results
            .iter()
            .filter(|r| seen.insert(r.variant.clone()))
            .map(|r| r.variant.clone())
            .collect()
    };
    let (old, new) = (names(before), names(after));
    let mut matched: Vec<(String, String)> = new
        .iter()
        .filter(|n| old.contains(n))
        .map(|n| (n.clone(), n.clone()))
        .collect();
    if matched.is_empty() && old.len() == 1 && new.len() == 1 {
        matched.push((old[0].clone(), new[0].clone()));
    }
    matched
        .into_iter()
        .map(|(was, is)| {
            let benches: Vec<Matched> = after
                .results
                .iter()
                .filter(|r| r.variant == is)
                .filter_map(|a| {
                    Some(Matched {
                        before: before.result(&a.bench, &was)?,
                        after: a,
                    })
                })
                .collect();
            Pairing {
                baseline: format!("{label}:{was}"),
                same_files: same_libraries(before, &was, after, &is),
                not_rebuilt: not_rebuilt(before.variant(&was), after.variant(&is), &benches),
                benches,
                variant: is,
                paired: false,
                stopping: None,
            }
        })
        .collect()
}

/// Whether two runs' variants loaded the same file, by hash, for every library
/// either reports.
pub fn same_libraries(a: &Document, va: &str, b: &Document, vb: &str) -> bool {
    let libs = |d: &Document, v: &str| -> Option<BTreeSet<(String, String)>> {
        let p = d.variant(v)?.provenance.as_ref()?;
        Some(
            p.libraries
                .iter()
                .map(|l| (l.library.name().to_string(), l.object.sha256.clone()))
                .collect(),
        )
    };
    match (libs(a, va), libs(b, vb)) {
        (Some(x), Some(y)) => !x.is_empty() && x == y,
        _ => false,
    }
}

impl<'a> Pairing<'a> {
    /// The change of one benchmark, or None when it failed or has too few figures.
    pub fn change(&self, m: &Matched, boot: Bootstrap) -> Option<Change> {
        let times_better = if let (true, Some(design)) = (self.paired, self.stopping) {
            design.interval(&m.ratios()?)?
        } else if self.paired {
            stats::median_of_ratios(&m.ratios()?, boot)?
        } else {
            let (x, y) = m.sides()?;
            stats::unpaired_ratio(&x, &y, boot)?
        };
        Some(m.direction().change(times_better))
    }

    pub fn comparisons(&self, opts: Options) -> Vec<Comparison> {
        self.benches
            .iter()
            .map(|m| {
                let change = self.change(m, opts.boot);
                let verdict = if m.failure().is_some() {
                    ChangeVerdict::Broken
                } else {
                    verdict(change, opts.noise_pct)
                };
                Comparison {
                    bench: m.bench().to_string(),
                    group: m.after.group.clone(),
                    baseline: self.baseline.clone(),
                    variant: self.variant.clone(),
                    change_pct: change.map(|c| c.pct),
                    ci_low_pct: change.map(|c| c.low),
                    ci_high_pct: change.map(|c| c.high),
                    mde_pct: change.as_ref().map(Change::mde),
                    paired: self.paired,
                    verdict,
                    not_rebuilt: self.not_rebuilt.get(m.bench()).cloned().unwrap_or_default(),
                }
            })
            .collect()
    }

    /// Whether benchmark `bench` was rebuilt in this comparison, or cannot be
    /// told apart from one that was: what groups and claims count.
    pub fn rebuilt(&self, bench: &str) -> bool {
        !self.not_rebuilt.contains_key(bench)
    }

    /// The files of `benches` that were not rebuilt, each named once, in order.
    pub fn not_rebuilt_names<'b>(&self, benches: impl IntoIterator<Item = &'b str>) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for b in benches {
            for n in self.not_rebuilt.get(b).into_iter().flatten() {
                if !names.contains(n) {
                    names.push(n.clone());
                }
            }
        }
        names
    }

    /// The geometric mean of the changes of the benchmarks `keep` selects (by the
    /// `after` side's result), with its CI, and how many went into it. Failed
    /// benchmarks and those with too few figures are left out, by the checks
    /// [`Pairing::change`] makes before its bootstrap. The percent follows the
    /// rates' convention unless every benchmark is lower-is-better.
    pub fn combined(
        &self,
        keep: impl Fn(&BenchResult) -> bool,
        boot: Bootstrap,
    ) -> Option<(Change, Direction, usize)> {
        let kept = || self.benches.iter().filter(|m| keep(m.after));
        let (times_better, directions): (_, Vec<Direction>) = if self.paired {
            let sets: Vec<(Vec<f64>, Direction)> = kept()
                .filter_map(|m| Some((m.ratios()?, m.direction())))
                .collect();
            let ratios: Vec<&[f64]> = sets.iter().map(|(r, _)| r.as_slice()).collect();
            let directions = sets.iter().map(|(_, d)| *d).collect();
            (stats::geomean_of_ratios(&ratios, boot), directions)
        } else {
            let sets: Vec<(Vec<f64>, Vec<f64>, Direction)> = kept()
                .filter_map(|m| {
                    let (x, y) = m.sides()?;
                    Some((x, y, m.direction()))
                })
                .collect();
            let pairs: Vec<(&[f64], &[f64])> = sets
                .iter()
                .map(|(x, y, _)| (x.as_slice(), y.as_slice()))
                .collect();
            let directions = sets.iter().map(|(_, _, d)| *d).collect();
            (stats::unpaired_geomean(&pairs, boot), directions)
        };
        let direction = Direction::of_all(&directions);
        Some((direction.change(times_better?), direction, directions.len()))
    }

    /// One geometric mean per group, in the order the groups first appear.
    pub fn groups(&self, opts: Options) -> Vec<GroupComparison> {
        let mut names: Vec<&str> = Vec::new();
        for m in &self.benches {
            if !names.contains(&m.after.group.as_str()) {
                names.push(&m.after.group);
            }
        }
        names
            .into_iter()
            .filter_map(|group| self.group(group, opts))
            .collect()
    }

    /// The geometric mean of one group over its rebuilt benchmarks; over all of
    /// them, marked not rebuilt, when none was (an A/A comparison).
    fn group(&self, group: &str, opts: Options) -> Option<GroupComparison> {
        let members: Vec<&str> = self
            .benches
            .iter()
            .filter(|m| m.after.group == group)
            .map(|m| m.bench())
            .collect();
        let rebuilt = members.iter().any(|b| self.rebuilt(b));
        let (c, _, n) = self.combined(
            |r| r.group == group && (!rebuilt || self.rebuilt(&r.bench)),
            opts.boot,
        )?;
        Some(GroupComparison {
            group: group.to_string(),
            baseline: self.baseline.clone(),
            variant: self.variant.clone(),
            benches: n,
            change_pct: c.pct,
            ci_low_pct: c.low,
            ci_high_pct: c.high,
            paired: self.paired,
            rebuilt,
            not_rebuilt: self.not_rebuilt_names(members.iter().copied()),
            left_out: if rebuilt {
                members.iter().filter(|b| !self.rebuilt(b)).count()
            } else {
                0
            },
        })
    }
}

/// The benchmarks whose verdict against the first variant is still open in a
/// sequential run after the rounds in `results`: inconclusive in some pairing,
/// by the design's interval at the look they reached, neither failed nor at the
/// last look. With one variant nothing is compared, so nothing is open.
pub fn open(
    results: &[BenchResult],
    variants: &[String],
    design: Stopping,
    noise_pct: f64,
) -> Vec<String> {
    let schedule = design.schedule();
    let mut open: Vec<String> = Vec::new();
    for p in within(results, variants) {
        for m in &p.benches {
            if m.failure().is_some() || open.iter().any(|b| b == m.bench()) {
                continue;
            }
            let ratios = m.ratios();
            let last = ratios.as_ref().map_or(0, Vec::len) >= design.max_rounds as usize;
            let change = ratios
                .and_then(|r| schedule.interval(&r))
                .map(|i| m.direction().change(i));
            if !last && verdict(change, noise_pct) == ChangeVerdict::Inconclusive {
                open.push(m.bench().to_string());
            }
        }
    }
    open
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::provenance::Provenance;
    use crate::results::RoundSample;

    fn change(pct: f64, low: f64, high: f64) -> Option<Change> {
        Some(Change { pct, low, high })
    }

    #[test]
    fn a_ci_inside_the_noise_band_is_no_change_up_to_its_edges() {
        assert_eq!(
            verdict(change(0.0, -1.0, 1.0), 1.0),
            ChangeVerdict::NoChange
        );
        assert_eq!(
            verdict(change(0.5, -0.2, 0.9), 1.0),
            ChangeVerdict::NoChange
        );
    }

    #[test]
    fn a_ci_clear_of_zero_with_an_estimate_beyond_the_noise_is_a_change() {
        assert_eq!(
            verdict(change(1.5, 0.1, 3.0), 1.0),
            ChangeVerdict::Improvement
        );
        assert_eq!(
            verdict(change(-1.5, -3.0, -0.1), 1.0),
            ChangeVerdict::Regression
        );
    }

    #[test]
    fn a_real_change_within_the_noise_threshold_is_no_change() {
        assert_eq!(verdict(change(1.0, 0.1, 1.9), 1.0), ChangeVerdict::NoChange);
        assert_eq!(
            verdict(change(-1.0, -1.9, -0.1), 1.0),
            ChangeVerdict::NoChange
        );
    }

    #[test]
    fn a_ci_that_holds_zero_and_reaches_past_the_noise_is_inconclusive() {
        assert_eq!(
            verdict(change(0.0, -1.01, 0.5), 1.0),
            ChangeVerdict::Inconclusive
        );
        assert_eq!(
            verdict(change(2.0, 0.0, 4.0), 1.0),
            ChangeVerdict::Inconclusive
        );
        assert_eq!(verdict(None, 1.0), ChangeVerdict::Inconclusive);
    }

    #[test]
    fn the_noise_threshold_moves_the_boundary() {
        let c = change(2.0, -0.5, 4.5);
        assert_eq!(verdict(c, 1.0), ChangeVerdict::Inconclusive);
        assert_eq!(verdict(c, 5.0), ChangeVerdict::NoChange);
    }

    #[test]
    fn percents_read_with_a_real_minus_sign() {
        assert_eq!(signed(-0.84), "−0.8");
        assert_eq!(signed(1.36), "+1.4");
        assert_eq!(signed(-0.01), "0.0");
    }

    #[test]
    fn positive_is_better_for_rates_and_for_quantities_that_should_fall() {
        // Throughput up from 100 to 120: 20 % gain.
        assert!((Direction::HigherIsBetter.pct(120.0 / 100.0) - 20.0).abs() < 1e-9);
        // Memory down from 100 to 65: "times better" is 100/65, a 35 % reduction.
        assert!((Direction::LowerIsBetter.pct(100.0 / 65.0) - 35.0).abs() < 1e-9);
        // A time that grows by 10 % is worse: negative.
        assert!(Direction::LowerIsBetter.pct(1.0 / 1.1) < 0.0);
        // Memory up from 100 to 200: −100 %.
        assert!((Direction::LowerIsBetter.pct(0.5) + 100.0).abs() < 1e-9);
    }

    pub(crate) fn result(bench: &str, variant: &str, unit: Unit, per_round: &[f64]) -> BenchResult {
        let rounds = per_round
            .iter()
            .enumerate()
            .map(|(i, &secs)| RoundSample {
                round: i as u32 + 1,
                iterations: 10,
                seconds: secs,
                user_seconds: secs,
                system_seconds: 0.0,
                ..Default::default()
            })
            .collect();
        BenchResult::new(bench, "g", variant, unit, 1000, rounds, Status::Ok, None)
    }

    #[test]
    fn a_variant_twice_as_fast_in_every_round_gains_100_percent() {
        let secs = [1.0, 1.1, 0.9, 1.05, 0.95];
        let half: Vec<f64> = secs.iter().map(|s| s / 2.0).collect();
        let results = vec![
            result("b1", "stock", Unit::BytesPerSecond, &secs),
            result("b1", "opt", Unit::BytesPerSecond, &half),
        ];
        let p = &within(&results, &["stock".into(), "opt".into()])[0];
        let c = p.comparisons(Options::new(1.0, 1));
        assert_eq!(c.len(), 1);
        assert!((c[0].change_pct.unwrap() - 100.0).abs() < 1e-9, "{c:?}");
        assert_eq!(c[0].verdict, ChangeVerdict::Improvement);
        assert_eq!(c[0].mde_pct, Some(0.0));
    }

    #[test]
    fn rounds_taken_in_turns_pair_turn_by_turn_and_a_disturbed_turn_is_left_out() {
        // opt is 10 % faster in every turn but one, which a burst slowed fivefold;
        // the rounds' sums disagree by far more, yet each round's median turn ratio
        // is 1.1 exactly.
        let turns = |speed: f64, burst: bool| {
            (1..=3)
                .map(|round| {
                    let mut t = vec![1e-3 / speed; 5];
                    if burst {
                        t[round as usize] *= 5.0;
                    }
                    let mut sum = RoundSample {
                        round,
                        ..Default::default()
                    };
                    for spi in t {
                        sum.add(&RoundSample {
                            round,
                            iterations: 100,
                            seconds: spi * 100.0,
                            ..Default::default()
                        });
                    }
                    sum
                })
                .collect::<Vec<_>>()
        };
        let of = |variant, rounds| {
            BenchResult::new(
                "b1",
                "g",
                variant,
                Unit::BytesPerSecond,
                1000,
                rounds,
                Status::Ok,
                None,
            )
        };
        let (a, b) = (of("stock", turns(1.0, false)), of("opt", turns(1.1, true)));
        assert_eq!(b.rounds[0].turns.len(), 5);
        let sums = b.figures()[0] / a.figures()[0];
        assert!(sums < 0.8, "the burst drags the round's sum: {sums}");
        let results = vec![a, b];
        let p = &within(&results, &["stock".into(), "opt".into()])[0];
        let c = p.comparisons(Options::new(1.0, 1));
        assert!((c[0].change_pct.unwrap() - 10.0).abs() < 1e-9, "{c:?}");
        assert_eq!(c[0].mde_pct, Some(0.0));
    }

    #[test]
    fn a_time_that_halves_is_a_50_percent_reduction_and_groups_agree() {
        // Unit::Seconds takes its figures from `values`.
        let mut a = result("t1", "stock", Unit::Seconds, &[1.0, 1.0, 1.0]);
        a.values = vec![2.0, 2.2, 1.8];
        let mut b = result("t1", "opt", Unit::Seconds, &[1.0, 1.0, 1.0]);
        b.values = vec![1.0, 1.1, 0.9];
        let results = vec![a, b];
        let p = &within(&results, &["stock".into(), "opt".into()])[0];
        let c = &p.comparisons(Options::new(1.0, 1))[0];
        assert!((c.change_pct.unwrap() - 50.0).abs() < 1e-9, "{c:?}");
        let g = &p.groups(Options::new(1.0, 1))[0];
        assert!((g.change_pct - 50.0).abs() < 1e-9, "{g:?}");
        assert_eq!(g.benches, 1);
    }

    #[test]
    fn a_broken_variant_gives_a_broken_verdict_without_figures() {
        let mut b = result("b1", "opt", Unit::BytesPerSecond, &[]);
        b.status = Status::Broken;
        let results = vec![result("b1", "stock", Unit::BytesPerSecond, &[1.0, 1.0]), b];
        let p = &within(&results, &["stock".into(), "opt".into()])[0];
        let c = &p.comparisons(Options::new(1.0, 1))[0];
        assert_eq!(c.verdict, ChangeVerdict::Broken);
        assert!(c.change_pct.is_none());
        assert!(p.groups(Options::new(1.0, 1)).is_empty());
    }

    #[test]
    fn rounds_lost_by_one_variant_are_left_out_of_the_pairs() {
        let a = result("b1", "stock", Unit::BytesPerSecond, &[1.0, 2.0, 3.0]);
        let mut b = result("b1", "opt", Unit::BytesPerSecond, &[0.5, 1.5]);
        b.rounds[1].round = 3; // round 2 lost
        let shared = aligned(&a, &b).unwrap();
        let x: Vec<f64> = shared.iter().map(|r| r.before).collect();
        let y: Vec<f64> = shared.iter().map(|r| r.after).collect();
        assert_eq!(x, vec![1000.0 / 0.1, 1000.0 / 0.3]);
        assert_eq!(y, vec![1000.0 / 0.05, 1000.0 / 0.15]);
    }

    pub(crate) fn run_of(results: Vec<BenchResult>) -> Document {
        let mut doc = Document::of_results(results);
        doc.seed = 1;
        doc
    }

    fn memory(bench: &str, variant: &str, values: &[f64]) -> BenchResult {
        let mut r = result(bench, variant, Unit::Bytes, &[1.0; 1]);
        r.values = values.to_vec();
        r
    }

    #[test]
    fn stored_runs_pair_same_named_variants_or_their_single_ones_unpaired() {
        let before = run_of(vec![memory(
            "probe/x/pss",
            "before",
            &[100.0, 101.0, 99.0, 100.0],
        )]);
        let after = run_of(vec![memory(
            "probe/x/pss",
            "after",
            &[65.0, 66.0, 64.0, 65.0],
        )]);
        let pairings = between_runs(&before, "old", &after);
        assert_eq!(pairings.len(), 1);
        let p = &pairings[0];
        assert_eq!(
            (p.baseline.as_str(), p.variant.as_str(), p.paired),
            ("old:before", "after", false)
        );
        let c = &p.comparisons(Options::new(1.0, 1))[0];
        // 35 % less memory: a positive change.
        assert!((c.change_pct.unwrap() - 35.0).abs() < 1e-9, "{c:?}");
        assert_eq!(c.verdict, ChangeVerdict::Improvement);

        let two = run_of(vec![
            memory("probe/x/pss", "a", &[1.0, 1.0]),
            memory("probe/x/pss", "b", &[1.0, 1.0]),
        ]);
        assert!(
            between_runs(&before, "old", &two).is_empty(),
            "no name in common, not single"
        );
        assert_eq!(between_runs(&two, "old", &two).len(), 2);
    }

    fn object(sha: &str) -> crate::provenance::LoadedObject {
        crate::provenance::LoadedObject {
            path: format!("/lib/{sha}").into(),
            real_path: format!("/lib/{sha}").into(),
            store_path: None,
            sha256: sha.into(),
            bytes: 1,
        }
    }

    /// What a worker of a variant would report: these libraries, by (library,
    /// hash), on a glibc of hash `libc`.
    pub(crate) fn loaded(libs: &[(crate::library::Library, &str)], libc: &str) -> Provenance {
        Provenance {
            libraries: libs
                .iter()
                .map(|&(library, sha)| crate::provenance::LoadedLibrary {
                    library,
                    object: object(sha),
                    version: None,
                })
                .collect(),
            objects: vec![],
            glibc: Some(crate::provenance::LoadedGlibc {
                loader: object(&format!("ld-{libc}")),
                libc: object(libc),
                version: "2.36".into(),
                executable: "/bin/storebench".into(),
            }),
            interpreters: vec![],
            code_path: None,
        }
    }

    /// [`only_zlib_rebuilt`] with its comparisons, groups and the built-in claims
    /// judged, as the tables and exports show it.
    pub(crate) fn only_zlib_rebuilt_judged() -> Document {
        let mut doc = only_zlib_rebuilt();
        let claims = crate::claims::Claims::builtin();
        crate::claims::analyse(&mut doc, None, &claims, Options::new(1.0, 1));
        doc
    }

    /// A run of `stock` and `opt` where only zlib was rebuilt: zlib 25 % faster,
    /// zstd and libc the same files and the same speed.
    pub(crate) fn only_zlib_rebuilt() -> Document {
        use crate::library::Library;
        let mut results = Vec::new();
        for (bench, group, speedup) in [
            ("compress/zlib/l6/text", "compression", 1.25),
            ("decompress/zlib/l6/text", "compression", 1.25),
            ("decompress/zstd/l3/text", "compression", 1.0),
            ("libc/memcpy/4096", "libc", 1.0),
        ] {
            let secs = [1.0, 1.1, 0.9, 1.05];
            let faster: Vec<f64> = secs.iter().map(|s| s / speedup).collect();
            for (variant, per_round) in [("stock", &secs[..]), ("opt", &faster[..])] {
                let mut r = result(bench, variant, Unit::BytesPerSecond, per_round);
                r.group = group.into();
                results.push(r);
            }
        }
        let mut doc = run_of(results);
        for (v, zlib) in [("stock", "z-o2"), ("opt", "z-o3")] {
            let rec = doc
                .variants
                .iter_mut()
                .find(|r| r.variant.name == v)
                .unwrap();
            rec.provenance = Some(loaded(
                &[(Library::Zlib, zlib), (Library::Zstd, "zstd")],
                "libc",
            ));
        }
        doc
    }

    #[test]
    fn benchmarks_whose_files_are_the_same_are_marked_and_left_out_of_group_means() {
        let doc = only_zlib_rebuilt();
        let p = &within_run(&doc)[0];
        let opts = Options::new(1.0, 1);
        let marks: Vec<(String, Vec<String>)> = p
            .comparisons(opts)
            .into_iter()
            .map(|c| (c.bench, c.not_rebuilt))
            .collect();
        assert_eq!(
            marks,
            [
                ("compress/zlib/l6/text".to_string(), vec![]),
                ("decompress/zlib/l6/text".to_string(), vec![]),
                (
                    "decompress/zstd/l3/text".to_string(),
                    vec!["zstd".to_string()]
                ),
                ("libc/memcpy/4096".to_string(), vec!["glibc".to_string()]),
            ]
        );
        let groups = p.groups(opts);
        let compression = &groups[0];
        assert_eq!(compression.group, "compression");
        // Over the two zlib benchmarks alone: +25 %, not the +16 % the identical
        // zstd pair would pull it down to.
        assert!(
            (compression.change_pct - 25.0).abs() < 1e-9,
            "{compression:?}"
        );
        assert_eq!((compression.benches, compression.left_out), (2, 1));
        assert!(compression.rebuilt);
        assert_eq!(compression.not_rebuilt, ["zstd"]);
        let libc = &groups[1];
        assert!(!libc.rebuilt, "an A/A group stays, marked: {libc:?}");
        assert_eq!((libc.benches, libc.left_out), (1, 0));
        assert_eq!(libc.not_rebuilt, ["glibc"]);
    }

    #[test]
    fn the_same_files_in_another_environment_or_without_provenance_count_as_rebuilt() {
        let mut doc = only_zlib_rebuilt();
        let opt = doc
            .variants
            .iter_mut()
            .find(|r| r.variant.name == "opt")
            .unwrap();
        opt.variant
            .env
            .insert("OPENSSL_ia32cap".into(), "~0x200000200000000".into());
        assert!(within_run(&doc)[0].not_rebuilt.is_empty());
        let mut doc = only_zlib_rebuilt();
        doc.variants[0].provenance = None;
        assert!(within_run(&doc)[0].not_rebuilt.is_empty());
    }

    #[test]
    fn between_runs_a_benchmark_is_rebuilt_when_its_file_changed_between_them() {
        let doc = only_zlib_rebuilt();
        let p = &between_runs(&doc, "old", &doc)[0];
        assert_eq!(
            p.not_rebuilt.len(),
            4,
            "the same run twice: nothing rebuilt"
        );
        let mut after = only_zlib_rebuilt();
        after.variants[0].provenance = doc.variants[1].provenance.clone();
        let p = &between_runs(&doc, "old", &after)[0];
        assert_eq!(p.variant, "stock");
        assert!(p.rebuilt("compress/zlib/l6/text"));
        assert!(!p.rebuilt("libc/memcpy/4096"));
    }

    #[test]
    fn a_sequential_run_keeps_open_only_the_undecided_benchmarks_and_judges_at_its_look() {
        let steady: Vec<f64> = (0..8).map(|i| 1.0 + f64::from(i % 3) * 0.001).collect();
        let noisy: Vec<f64> = (0..8).map(|i| if i % 2 == 0 { 0.9 } else { 1.1 }).collect();
        let results = vec![
            result("quiet", "stock", Unit::BytesPerSecond, &steady),
            result("quiet", "opt", Unit::BytesPerSecond, &steady),
            result("loud", "stock", Unit::BytesPerSecond, &[1.0; 8]),
            result("loud", "opt", Unit::BytesPerSecond, &noisy),
        ];
        let names = ["stock".to_string(), "opt".to_string()];
        let design = Stopping::default();
        assert_eq!(open(&results, &names, design, 1.0), ["loud"]);
        // Before the first look with an interval, everything is open.
        let six: Vec<BenchResult> = results
            .iter()
            .map(|r| result(&r.bench, &r.variant, r.unit, &r.figures()[..6]))
            .collect();
        assert_eq!(open(&six, &names, design, 1.0), ["quiet", "loud"]);
        // At the last look nothing is open any more.
        let last = Stopping {
            max_rounds: 8,
            ..design
        };
        assert!(open(&results, &names, last, 1.0).is_empty());
        // The document's design sets the CI: the range of the 8 rounds at rank 1.
        let mut doc = run_of(results);
        doc.settings.stopping = Some(design);
        let p = &within_run(&doc)[0];
        let loud = p.comparisons(Options::new(1.0, 1))[1].clone();
        assert_eq!(loud.bench, "loud");
        let (low, high) = (loud.ci_low_pct.unwrap(), loud.ci_high_pct.unwrap());
        let (slow, fast) = ((1.0 / 1.1 - 1.0) * 100.0, (1.0 / 0.9 - 1.0) * 100.0);
        assert!(
            (low - slow).abs() < 1e-9 && (high - fast).abs() < 1e-9,
            "{loud:?}"
        );
    }
}
