//! Statistics of measured samples: descriptive summaries with robust outlier
//! flags, and ratios between two builds with seeded bootstrap confidence
//! intervals.
//!
//! Everything here is a pure function over slices of one quantity (seconds per
//! iteration, bytes per second, …). This module does not print, does not know
//! what a benchmark, variant or claim is, and does not decide verdicts: callers
//! bring the numbers and interpret the intervals.
//!
//! Invalid input (empty slices, paired slices of different lengths, non-finite
//! values, and non-positive values where a ratio or a logarithm needs them)
//! gives `None`, so a NaN never travels silently into a report.
//!
//! # Resampling
//!
//! Confidence intervals come from a percentile bootstrap driven by
//! [`ChaCha8Rng`] seeded with [`Bootstrap::seed`], so the same inputs and seed
//! always give the same interval. Sets measured in the same rounds are
//! resampled with the same round indices, because whatever disturbed a round
//! (a noisy neighbour, a frequency change) disturbed all of them together.
//! The rule that decides this: every resampled set draws from a ChaCha stream
//! chosen by its kind (paired ratios, run A, run B) and its number of rounds.
//! Sets of the same kind and length therefore share round indices; a set with
//! a different number of rounds (say, a benchmark that crashed part way) gets
//! its own sub-stream of the seed and is resampled on its own.

use rand::distributions::{Distribution, Uniform};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Modified z-score above which a value is an outlier (Iglewicz & Hoaglin).
const OUTLIER_Z: f64 = 3.5;

/// The 0.75 quantile of the standard normal distribution: it puts the MAD on
/// the scale of a standard deviation, so that 3.5 means what it means for
/// normally distributed data.
const MAD_TO_Z: f64 = 0.6745;

/// Descriptive statistics of one sample set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Number of values.
    pub n: usize,
    pub mean: f64,
    pub median: f64,
    /// Sample standard deviation (divides by n − 1); 0 when n < 2.
    pub stddev: f64,
    /// Median absolute deviation from the median, unscaled. Unlike the
    /// standard deviation, one wild value barely moves it.
    pub mad: f64,
    pub min: f64,
    pub max: f64,
    /// Indices into the input of values whose modified z-score
    /// |0.6745 · (x − median) / MAD| exceeds 3.5 (Iglewicz & Hoaglin).
    /// Empty when the MAD is 0: with over half the values identical there is
    /// no scale to judge the others by.
    pub outliers: Vec<usize>,
}

/// Summarizes a sample set; `None` when it is empty or holds a non-finite
/// value.
pub fn summarize(xs: &[f64]) -> Option<Summary> {
    if xs.is_empty() || !xs.iter().all(|x| x.is_finite()) {
        return None;
    }
    let mean = xs.iter().sum::<f64>() / xs.len() as f64;
    let mut buf = xs.to_vec();
    let median = median_in_place(&mut buf);
    for (deviation, &x) in buf.iter_mut().zip(xs) {
        *deviation = (x - median).abs();
    }
    let mad = median_in_place(&mut buf);
    Some(Summary {
        n: xs.len(),
        mean,
        median,
        stddev: sample_stddev(xs, mean),
        mad,
        min: xs.iter().copied().fold(f64::INFINITY, f64::min),
        max: xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        outliers: outlier_indices(xs, median, mad),
    })
}

/// The median (mean of the two middle values for an even count); `None` when
/// `xs` is empty or holds a non-finite value.
pub fn median(xs: &[f64]) -> Option<f64> {
    if xs.is_empty() || !xs.iter().all(|x| x.is_finite()) {
        return None;
    }
    Some(median_in_place(&mut xs.to_vec()))
}

/// Geometric mean of positive values; `None` when `xs` is empty or a value is
/// not finite and positive. It is the mean that suits ratios: a 2× gain and a
/// 2× loss average to no change.
pub fn geomean(xs: &[f64]) -> Option<f64> {
    if xs.is_empty() || !all_positive(xs) {
        return None;
    }
    let mean_log = xs.iter().map(|x| x.ln()).sum::<f64>() / xs.len() as f64;
    Some(mean_log.exp())
}

/// A point estimate with a confidence interval, all in the same unit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
}

/// Bootstrap settings: seeded, so the same inputs give the same interval.
#[derive(Debug, Clone, Copy)]
pub struct Bootstrap {
    /// Number of bootstrap resamples; must be at least 1.
    pub resamples: usize,
    /// Confidence level of the interval, strictly between 0 and 1.
    pub confidence: f64,
    pub seed: u64,
}

impl Default for Bootstrap {
    fn default() -> Self {
        Bootstrap {
            resamples: 10_000,
            confidence: 0.95,
            seed: 0,
        }
    }
}

impl Bootstrap {
    pub(crate) fn is_valid(&self) -> bool {
        self.resamples > 0 && self.confidence > 0.0 && self.confidence < 1.0
    }
}

/// Paired comparison of rounds that ran A and B back to back:
/// `ratios[i] = b[i] / a[i]`, estimate = median of the ratios, interval by a
/// percentile bootstrap that resamples the rounds with replacement.
///
/// Pairing cancels what drifts slowly (temperature, background load), because
/// both builds saw the same conditions within a round; the median of the
/// per-round ratios then keeps one disturbed round from moving the result.
/// Needs at least two rounds, equal lengths, and finite positive values.
pub fn paired_ratio(a: &[f64], b: &[f64], boot: Bootstrap) -> Option<Interval> {
    median_of_ratios(&paired_ratios(a, b)?, boot)
}

/// [`paired_ratio`] of the per-round ratios themselves, for a caller whose
/// ratio of a round is not that of two figures (the median of the ratios of
/// turns taken within the round, say). Needs [`usable_ratios`].
pub fn median_of_ratios(ratios: &[f64], boot: Bootstrap) -> Option<Interval> {
    if !boot.is_valid() || !usable_ratios(ratios) {
        return None;
    }
    let estimate = median(ratios)?;
    let set = RankedSet::new(ratios);
    let mut resampler = Resampler::new(boot.seed, SetKind::PairedRatios, set.len())?;
    let stats = (0..boot.resamples)
        .map(|_| resampler.resampled_median(&set))
        .collect();
    Some(percentile_interval(estimate, stats, boot.confidence))
}

/// Unpaired comparison of two runs made at different times:
/// estimate = median(b) / median(a), interval by a percentile bootstrap that
/// resamples each set independently, since no round of A belongs with any
/// round of B. Needs at least two finite positive values in each set.
pub fn unpaired_ratio(a: &[f64], b: &[f64], boot: Bootstrap) -> Option<Interval> {
    if !boot.is_valid() || !valid_unpaired(a, b) {
        return None;
    }
    let estimate = median(b)? / median(a)?;
    let (set_a, set_b) = (RankedSet::new(a), RankedSet::new(b));
    let mut run_a = Resampler::new(boot.seed, SetKind::RunA, set_a.len())?;
    let mut run_b = Resampler::new(boot.seed, SetKind::RunB, set_b.len())?;
    let stats = (0..boot.resamples)
        .map(|_| {
            let median_a = run_a.resampled_median(&set_a);
            run_b.resampled_median(&set_b) / median_a
        })
        .collect();
    Some(percentile_interval(estimate, stats, boot.confidence))
}

/// Geometric mean over several paired benchmarks measured in the same rounds;
/// each element is `(a, b)` for one benchmark, with the requirements of
/// [`paired_ratio`].
///
/// estimate = geometric mean of each benchmark's median ratio. The interval
/// resamples round indices jointly: benchmarks with the same number of rounds
/// get the same resampled rounds, because they shared those rounds. A
/// benchmark with a different number of rounds (one that crashed, say) is
/// resampled on its own sub-stream of the seed (see the module docs).
pub fn paired_geomean(pairs: &[(&[f64], &[f64])], boot: Bootstrap) -> Option<Interval> {
    let ratios = pairs
        .iter()
        .map(|(a, b)| paired_ratios(a, b))
        .collect::<Option<Vec<_>>>()?;
    let sets: Vec<&[f64]> = ratios.iter().map(Vec::as_slice).collect();
    geomean_of_ratios(&sets, boot)
}

/// [`paired_geomean`] of each benchmark's per-round ratios themselves (see
/// [`median_of_ratios`]); every set needs [`usable_ratios`].
pub fn geomean_of_ratios(sets: &[&[f64]], boot: Bootstrap) -> Option<Interval> {
    if sets.is_empty() || !boot.is_valid() || !sets.iter().all(|r| usable_ratios(r)) {
        return None;
    }
    let medians = sets.iter().map(|r| median(r)).collect::<Option<Vec<_>>>()?;
    let estimate = geomean(&medians)?;

    let mut log_sums = vec![0.0; boot.resamples];
    for r in sets {
        let set = RankedSet::new(r);
        let mut resampler = Resampler::new(boot.seed, SetKind::PairedRatios, set.len())?;
        for sum in &mut log_sums {
            *sum += resampler.resampled_median(&set).ln();
        }
    }
    let stats = geomeans_from_log_sums(log_sums, sets.len());
    Some(percentile_interval(estimate, stats, boot.confidence))
}

/// Geometric mean over several unpaired benchmarks; each element is `(a, b)`
/// for one benchmark, with the requirements of [`unpaired_ratio`].
///
/// estimate = geometric mean of each benchmark's median(b) / median(a). The
/// interval resamples A and B independently of each other; within one run,
/// sets with the same number of values are resampled with the same indices,
/// as in [`paired_geomean`], because a run measures its benchmarks in shared
/// rounds.
pub fn unpaired_geomean(pairs: &[(&[f64], &[f64])], boot: Bootstrap) -> Option<Interval> {
    if pairs.is_empty() || !boot.is_valid() || !pairs.iter().all(|(a, b)| valid_unpaired(a, b)) {
        return None;
    }
    let ratios = pairs
        .iter()
        .map(|(a, b)| Some(median(b)? / median(a)?))
        .collect::<Option<Vec<_>>>()?;
    let estimate = geomean(&ratios)?;

    let mut log_sums = vec![0.0; boot.resamples];
    for (a, b) in pairs {
        let (set_a, set_b) = (RankedSet::new(a), RankedSet::new(b));
        let mut run_a = Resampler::new(boot.seed, SetKind::RunA, set_a.len())?;
        let mut run_b = Resampler::new(boot.seed, SetKind::RunB, set_b.len())?;
        for sum in &mut log_sums {
            let log_a = run_a.resampled_median(&set_a).ln();
            *sum += run_b.resampled_median(&set_b).ln() - log_a;
        }
    }
    let stats = geomeans_from_log_sums(log_sums, pairs.len());
    Some(percentile_interval(estimate, stats, boot.confidence))
}

/// The median of one set with a percentile bootstrap interval: how precisely a
/// single run pins its own figure, which is what bounds a later unpaired
/// comparison with it. Needs at least two finite values.
pub fn median_interval(xs: &[f64], boot: Bootstrap) -> Option<Interval> {
    if !boot.is_valid() || xs.len() < 2 {
        return None;
    }
    let estimate = median(xs)?;
    let set = RankedSet::new(xs);
    let mut resampler = Resampler::new(boot.seed, SetKind::RunA, set.len())?;
    let stats = (0..boot.resamples)
        .map(|_| resampler.resampled_median(&set))
        .collect();
    Some(percentile_interval(estimate, stats, boot.confidence))
}

/// What a resampled set is; with its length, it picks the random stream (see
/// the module docs).
#[derive(Clone, Copy)]
enum SetKind {
    PairedRatios = 0,
    RunA = 1,
    RunB = 2,
}

/// Draws bootstrap resamples from one random stream.
struct Resampler {
    rng: ChaCha8Rng,
    /// Round indices as `u32`: one ChaCha word per draw instead of two, which
    /// nearly halves the cost of drawing, the bulk of the bootstrap's time.
    rounds: Uniform<u32>,
    /// How often each rank was drawn in the current resample; reused so that
    /// the hot loop does not allocate.
    tally: Vec<u32>,
}

impl Resampler {
    /// `None` for no rounds or more than `u32::MAX` of them.
    fn new(seed: u64, kind: SetKind, len: usize) -> Option<Self> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(((len as u64) << 2) | kind as u64);
        Some(Resampler {
            rng,
            rounds: Uniform::new(0, u32::try_from(len).ok().filter(|&n| n > 0)?),
            tally: Vec::with_capacity(len),
        })
    }

    /// Median of `set.len()` rounds drawn from `set` with replacement.
    fn resampled_median(&mut self, set: &RankedSet) -> f64 {
        let n = set.len();
        self.tally.clear();
        self.tally.resize(n, 0);
        for _ in 0..n {
            let round = self.rounds.sample(&mut self.rng) as usize;
            self.tally[set.rank_of_round[round]] += 1;
        }
        let lower = set.nth_smallest_in_tally(&self.tally, (n - 1) / 2);
        if n % 2 == 1 {
            return lower;
        }
        lower / 2.0 + set.nth_smallest_in_tally(&self.tally, n / 2) / 2.0
    }
}

/// A non-empty set prepared for bootstrap medians. Sorting it once turns each
/// resample into a tally of drawn ranks and its median into a walk along the
/// tally, with no copying or reordering per resample. Rounds are still drawn
/// by their original index, so sets that share rounds stay aligned.
struct RankedSet {
    sorted: Vec<f64>,
    rank_of_round: Vec<usize>,
}

impl RankedSet {
    fn new(xs: &[f64]) -> Self {
        let mut order: Vec<usize> = (0..xs.len()).collect();
        order.sort_unstable_by(|&i, &j| xs[i].total_cmp(&xs[j]));
        let mut rank_of_round = vec![0; xs.len()];
        for (rank, &round) in order.iter().enumerate() {
            rank_of_round[round] = rank;
        }
        RankedSet {
            sorted: order.iter().map(|&round| xs[round]).collect(),
            rank_of_round,
        }
    }

    fn len(&self) -> usize {
        self.sorted.len()
    }

    /// The `k`-th smallest (from 0) value of the resample that `tally`
    /// counts; `k` must be below the tally's total.
    fn nth_smallest_in_tally(&self, tally: &[u32], k: usize) -> f64 {
        let mut seen = 0;
        for (&count, &value) in tally.iter().zip(&self.sorted) {
            seen += count as usize;
            if seen > k {
                return value;
            }
        }
        self.sorted[self.len() - 1]
    }
}

/// Median of non-empty, NaN-free `xs`, reordering it.
fn median_in_place(xs: &mut [f64]) -> f64 {
    let len = xs.len();
    let (lower, &mut upper, _) = xs.select_nth_unstable_by(len / 2, f64::total_cmp);
    if len % 2 == 1 {
        return upper;
    }
    let below = lower.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    below / 2.0 + upper / 2.0
}

fn sample_stddev(xs: &[f64], mean: f64) -> f64 {
    if xs.len() < 2 {
        return 0.0;
    }
    let squares: f64 = xs.iter().map(|x| (x - mean).powi(2)).sum();
    (squares / (xs.len() - 1) as f64).sqrt()
}

fn outlier_indices(xs: &[f64], median: f64, mad: f64) -> Vec<usize> {
    if mad == 0.0 {
        return Vec::new();
    }
    xs.iter()
        .enumerate()
        .filter(|&(_, &x)| (MAD_TO_Z * (x - median) / mad).abs() > OUTLIER_Z)
        .map(|(i, _)| i)
        .collect()
}

fn all_positive(xs: &[f64]) -> bool {
    xs.iter().all(|&x| x.is_finite() && x > 0.0)
}

/// Per-round ratios b / a, or `None` unless the rounds are aligned, at least
/// two, and every value and ratio is finite and positive.
fn paired_ratios(a: &[f64], b: &[f64]) -> Option<Vec<f64>> {
    if a.len() != b.len() || a.len() < 2 || !all_positive(a) || !all_positive(b) {
        return None;
    }
    let ratios: Vec<f64> = a.iter().zip(b).map(|(x, y)| y / x).collect();
    all_positive(&ratios).then_some(ratios)
}

/// Whether [`median_of_ratios`] can take these per-round ratios: at least two,
/// each finite and positive. The cheap check, without the bootstrap.
pub fn usable_ratios(ratios: &[f64]) -> bool {
    ratios.len() >= 2 && all_positive(ratios) && fits_resampler(ratios.len())
}

/// Whether [`unpaired_ratio`] can take these two sets: at least two values in
/// each (a single value has no spread to resample), each finite and positive.
/// The cheap check, without the bootstrap.
pub fn usable_unpaired(a: &[f64], b: &[f64]) -> bool {
    valid_unpaired(a, b) && fits_resampler(a.len()) && fits_resampler(b.len())
}

fn valid_unpaired(a: &[f64], b: &[f64]) -> bool {
    a.len() >= 2 && b.len() >= 2 && all_positive(a) && all_positive(b)
}

/// [`Resampler::new`] draws round indices as `u32`.
fn fits_resampler(len: usize) -> bool {
    u32::try_from(len).is_ok()
}

fn geomeans_from_log_sums(log_sums: Vec<f64>, count: usize) -> Vec<f64> {
    log_sums
        .into_iter()
        .map(|sum| (sum / count as f64).exp())
        .collect()
}

/// Percentile bootstrap interval: the central `confidence` share of the
/// resampled statistics.
pub(crate) fn percentile_interval(estimate: f64, mut stats: Vec<f64>, confidence: f64) -> Interval {
    stats.sort_unstable_by(f64::total_cmp);
    let tail = (1.0 - confidence) / 2.0;
    Interval {
        estimate,
        low: quantile_of_sorted(&stats, tail),
        high: quantile_of_sorted(&stats, 1.0 - tail),
    }
}

/// Quantile `p` of non-empty sorted `xs`, interpolating linearly between
/// neighbouring values (Hyndman & Fan type 7, as in R and NumPy).
fn quantile_of_sorted(xs: &[f64], p: f64) -> f64 {
    let position = p * (xs.len() - 1) as f64;
    let index = position.floor() as usize;
    let fraction = position - index as f64;
    let here = xs[index];
    let next = xs.get(index + 1).copied().unwrap_or(here);
    here + fraction * (next - here)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    fn close(actual: f64, expected: f64) -> bool {
        (actual - expected).abs() <= 1e-12 * expected.abs().max(1.0)
    }

    fn width(interval: Interval) -> f64 {
        interval.high - interval.low
    }

    fn contains(interval: Interval, value: f64) -> bool {
        interval.low <= value && value <= interval.high
    }

    /// `n` values spread uniformly within ±`spread` (relative) around `center`.
    fn noisy(n: usize, center: f64, spread: f64, seed: u64) -> Vec<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..n)
            .map(|_| center * (1.0 + rng.gen_range(-spread..spread)))
            .collect()
    }

    /// Rounds of A around 100 and B = `factor` · A with ±3 % per-round noise.
    fn paired_rounds(n: usize, factor: f64, seed: u64) -> (Vec<f64>, Vec<f64>) {
        let a = noisy(n, 100.0, 0.05, seed);
        let noise = noisy(n, 1.0, 0.03, seed + 1000);
        let b = a.iter().zip(&noise).map(|(x, e)| x * factor * e).collect();
        (a, b)
    }

    #[test]
    fn summary_of_small_set_flags_the_far_value_as_outlier() {
        let s = summarize(&[1.0, 2.0, 3.0, 4.0, 100.0]).unwrap();
        assert_eq!(s.n, 5);
        assert_eq!(s.mean, 22.0);
        assert_eq!(s.median, 3.0);
        assert_eq!(s.mad, 1.0);
        assert_eq!((s.min, s.max), (1.0, 100.0));
        assert_eq!(s.outliers, vec![4]);
    }

    #[test]
    fn stddev_is_the_sample_standard_deviation() {
        // Deviations from the mean 5 square to 32; 32 / (8 − 1).
        let s = summarize(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).unwrap();
        assert_eq!(s.mean, 5.0);
        assert!(close(s.stddev, (32.0_f64 / 7.0).sqrt()));
        // Median 4.5, MAD 0.5: 9 scores 0.6745 · 4.5 / 0.5 ≈ 6.1, 2 only ≈ 3.4.
        assert_eq!(s.mad, 0.5);
        assert_eq!(s.outliers, vec![7]);
    }

    #[test]
    fn single_value_has_zero_spread_and_no_outliers() {
        let s = summarize(&[7.5]).unwrap();
        assert_eq!(
            (s.n, s.mean, s.median, s.stddev, s.mad),
            (1, 7.5, 7.5, 0.0, 0.0)
        );
        assert!(s.outliers.is_empty());
    }

    #[test]
    fn zero_mad_flags_no_outliers_even_with_a_differing_value() {
        let s = summarize(&[5.0, 5.0, 5.0, 5.0, 50.0]).unwrap();
        assert_eq!(s.mad, 0.0);
        assert!(s.outliers.is_empty());
    }

    #[test]
    fn median_of_odd_length_is_the_middle_value() {
        assert_eq!(median(&[9.0, 1.0, 5.0, 3.0, 7.0]), Some(5.0));
    }

    #[test]
    fn median_of_even_length_averages_the_two_middle_values() {
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[2.0, 1.0]), Some(1.5));
    }

    #[test]
    fn geomean_of_2_and_8_is_4() {
        assert!(close(geomean(&[2.0, 8.0]).unwrap(), 4.0));
    }

    #[test]
    fn paired_ratio_of_exact_scaling_is_that_scale_with_a_point_interval() {
        let a = [10.0, 12.5, 9.0, 11.0, 10.5, 13.0];
        let b: Vec<f64> = a.iter().map(|x| x * 1.1).collect();
        let i = paired_ratio(&a, &b, Bootstrap::default()).unwrap();
        assert!(close(i.estimate, 1.1), "{i:?}");
        assert!(close(i.low, 1.1) && close(i.high, 1.1), "{i:?}");
    }

    #[test]
    fn paired_ratio_ignores_one_disturbed_round() {
        let a = [100.0; 20];
        let mut b = [110.0; 20];
        b[7] = 400.0;
        let i = paired_ratio(&a, &b, Bootstrap::default()).unwrap();
        assert!(close(i.estimate, 1.1), "{i:?}");
    }

    #[test]
    fn paired_ratio_with_noise_contains_the_truth() {
        let (a, b) = paired_rounds(30, 0.8, 1);
        let i = paired_ratio(&a, &b, Bootstrap::default()).unwrap();
        assert!(contains(i, 0.8), "{i:?}");
        assert!(contains(i, i.estimate), "{i:?}");
        assert!(width(i) < 0.05, "{i:?}");
    }

    #[test]
    fn paired_ratio_is_deterministic_for_a_seed() {
        let (a, b) = paired_rounds(30, 1.05, 2);
        let boot = Bootstrap::default();
        let first = paired_ratio(&a, &b, boot).unwrap();
        assert_eq!(paired_ratio(&a, &b, boot), Some(first));
    }

    #[test]
    fn paired_ratio_interval_depends_on_the_seed_but_the_estimate_does_not() {
        // A resampled median takes few distinct values, so two seeds often
        // agree exactly; with few resamples, some of ten seeds must differ.
        let (a, b) = paired_rounds(30, 1.05, 2);
        let boot = Bootstrap {
            resamples: 200,
            ..Bootstrap::default()
        };
        let first = paired_ratio(&a, &b, boot).unwrap();
        let others: Vec<Interval> = (1..=10)
            .map(|seed| paired_ratio(&a, &b, Bootstrap { seed, ..boot }).unwrap())
            .collect();
        assert!(others.iter().all(|i| i.estimate == first.estimate));
        assert!(others
            .iter()
            .any(|i| (i.low, i.high) != (first.low, first.high)));
    }

    #[test]
    fn paired_ratio_interval_narrows_as_rounds_grow() {
        let boot = Bootstrap::default();
        let (a, b) = paired_rounds(10, 1.05, 3);
        let few = paired_ratio(&a, &b, boot).unwrap();
        let (a, b) = paired_rounds(200, 1.05, 3);
        let many = paired_ratio(&a, &b, boot).unwrap();
        assert!(width(many) < width(few) / 2.0, "{few:?} {many:?}");
    }

    #[test]
    fn higher_confidence_gives_a_wider_interval() {
        let (a, b) = paired_rounds(30, 1.0, 4);
        let boot = Bootstrap::default();
        let narrow = paired_ratio(
            &a,
            &b,
            Bootstrap {
                confidence: 0.5,
                ..boot
            },
        )
        .unwrap();
        let wide = paired_ratio(
            &a,
            &b,
            Bootstrap {
                confidence: 0.99,
                ..boot
            },
        )
        .unwrap();
        assert!(width(wide) > width(narrow));
    }

    #[test]
    fn unpaired_ratio_of_sets_around_100_and_65_is_about_0_65() {
        let a = noisy(30, 100.0, 0.05, 5);
        let b = noisy(40, 65.0, 0.05, 6);
        let i = unpaired_ratio(&a, &b, Bootstrap::default()).unwrap();
        assert!((i.estimate - 0.65).abs() < 0.02, "{i:?}");
        assert!(contains(i, 0.65), "{i:?}");
        assert_eq!(unpaired_ratio(&a, &b, Bootstrap::default()), Some(i));
    }

    #[test]
    fn paired_geomean_of_exact_ratios_1_21_and_1_is_1_1() {
        let a1 = [10.0, 11.0, 9.0, 10.5];
        let b1: Vec<f64> = a1.iter().map(|x| x * 1.21).collect();
        let a2 = [3.0, 3.5, 2.5, 3.25];
        let pairs: [(&[f64], &[f64]); 2] = [(&a1, &b1), (&a2, &a2)];
        let i = paired_geomean(&pairs, Bootstrap::default()).unwrap();
        assert!(close(i.estimate, 1.1), "{i:?}");
        assert!(close(i.low, 1.1) && close(i.high, 1.1), "{i:?}");
    }

    #[test]
    fn paired_geomean_resamples_shared_rounds_jointly() {
        // Two benchmarks that moved identically in every round: joint
        // resampling keeps them together, so the interval is no narrower than
        // for one of them (independent resampling would shrink it).
        let (a, b) = paired_rounds(30, 1.05, 7);
        let boot = Bootstrap::default();
        let one = paired_geomean(&[(&a, &b)], boot).unwrap();
        let twice = paired_geomean(&[(&a, &b), (&a, &b)], boot).unwrap();
        assert!(
            close(twice.low, one.low) && close(twice.high, one.high),
            "{one:?} {twice:?}"
        );
    }

    #[test]
    fn paired_geomean_of_one_benchmark_matches_its_paired_ratio() {
        let (a, b) = paired_rounds(25, 0.9, 8);
        let boot = Bootstrap::default();
        let ratio = paired_ratio(&a, &b, boot).unwrap();
        let geo = paired_geomean(&[(&a, &b)], boot).unwrap();
        assert!(close(geo.estimate, ratio.estimate));
        assert!(close(geo.low, ratio.low) && close(geo.high, ratio.high));
    }

    #[test]
    fn paired_geomean_accepts_a_benchmark_with_fewer_rounds() {
        let (a1, b1) = paired_rounds(30, 1.1, 9);
        let (a2, b2) = paired_rounds(12, 1.1, 10);
        let pairs: [(&[f64], &[f64]); 2] = [(&a1, &b1), (&a2, &b2)];
        let i = paired_geomean(&pairs, Bootstrap::default()).unwrap();
        assert!(contains(i, 1.1), "{i:?}");
        assert_eq!(paired_geomean(&pairs, Bootstrap::default()), Some(i));
    }

    #[test]
    fn unpaired_geomean_combines_median_ratios() {
        let (a1, b1) = (noisy(30, 100.0, 0.05, 11), noisy(30, 121.0, 0.05, 12));
        let (a2, b2) = (noisy(30, 50.0, 0.05, 13), noisy(30, 50.0, 0.05, 14));
        let pairs: [(&[f64], &[f64]); 2] = [(&a1, &b1), (&a2, &b2)];
        let i = unpaired_geomean(&pairs, Bootstrap::default()).unwrap();
        let expected = ((median(&b1).unwrap() / median(&a1).unwrap())
            * (median(&b2).unwrap() / median(&a2).unwrap()))
        .sqrt();
        assert!(close(i.estimate, expected), "{i:?}");
        assert!(contains(i, 1.1), "{i:?}");
    }

    #[test]
    fn unpaired_geomean_of_one_benchmark_matches_its_unpaired_ratio() {
        let (a, b) = (noisy(20, 100.0, 0.05, 15), noisy(25, 80.0, 0.05, 16));
        let boot = Bootstrap::default();
        let ratio = unpaired_ratio(&a, &b, boot).unwrap();
        let geo = unpaired_geomean(&[(&a, &b)], boot).unwrap();
        assert!(close(geo.low, ratio.low) && close(geo.high, ratio.high));
    }

    #[test]
    fn median_interval_holds_the_median_and_narrows_with_more_values() {
        let boot = Bootstrap::default();
        let few = noisy(10, 100.0, 0.05, 17);
        let many = noisy(1000, 100.0, 0.05, 17);
        let i = median_interval(&few, boot).unwrap();
        assert_eq!(i.estimate, median(&few).unwrap());
        assert!(contains(i, i.estimate), "{i:?}");
        let j = median_interval(&many, boot).unwrap();
        assert!(width(j) < width(i) / 2.0, "{i:?} {j:?}");
        assert!(contains(j, 100.0), "{j:?}");
        assert_eq!(median_interval(&[1.0], boot), None);
        assert_eq!(median_interval(&[1.0, f64::NAN], boot), None);
    }

    #[test]
    fn empty_or_non_finite_samples_have_no_summary_or_median() {
        assert_eq!(summarize(&[]), None);
        assert_eq!(summarize(&[1.0, f64::NAN]), None);
        assert_eq!(summarize(&[1.0, f64::INFINITY]), None);
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[f64::NAN, 1.0]), None);
    }

    #[test]
    fn geomean_rejects_empty_and_non_positive_values() {
        assert_eq!(geomean(&[]), None);
        assert_eq!(geomean(&[2.0, 0.0]), None);
        assert_eq!(geomean(&[2.0, -8.0]), None);
        assert_eq!(geomean(&[2.0, f64::INFINITY]), None);
    }

    #[test]
    fn paired_ratio_rejects_invalid_rounds() {
        let boot = Bootstrap::default();
        assert_eq!(paired_ratio(&[], &[], boot), None);
        assert_eq!(paired_ratio(&[1.0], &[1.0], boot), None, "one round");
        assert_eq!(paired_ratio(&[1.0, 2.0], &[1.0, 2.0, 3.0], boot), None);
        assert_eq!(paired_ratio(&[1.0, 0.0], &[1.0, 2.0], boot), None);
        assert_eq!(paired_ratio(&[1.0, 2.0], &[1.0, -2.0], boot), None);
        assert_eq!(paired_ratio(&[1.0, f64::NAN], &[1.0, 2.0], boot), None);
        assert_eq!(
            paired_ratio(&[1e-300, 1.0], &[1e300, 1.0], boot),
            None,
            "ratio overflows"
        );
    }

    #[test]
    fn unpaired_ratio_rejects_invalid_sets() {
        let boot = Bootstrap::default();
        assert_eq!(unpaired_ratio(&[], &[1.0, 2.0], boot), None);
        assert_eq!(unpaired_ratio(&[1.0], &[1.0, 2.0], boot), None);
        assert_eq!(unpaired_ratio(&[1.0, 2.0], &[0.0, 2.0], boot), None);
        assert_eq!(
            unpaired_ratio(&[1.0, f64::INFINITY], &[1.0, 2.0], boot),
            None
        );
    }

    #[test]
    fn geomeans_reject_no_benchmarks_or_one_invalid_benchmark() {
        let boot = Bootstrap::default();
        let good = [1.0, 2.0, 3.0];
        let bad = [1.0, -2.0, 3.0];
        assert_eq!(paired_geomean(&[], boot), None);
        assert_eq!(unpaired_geomean(&[], boot), None);
        assert_eq!(paired_geomean(&[(&good, &good), (&good, &bad)], boot), None);
        assert_eq!(
            paired_geomean(&[(&good, &good), (&good, &good[..2])], boot),
            None
        );
        assert_eq!(
            unpaired_geomean(&[(&good, &good), (&bad, &good)], boot),
            None
        );
    }

    #[test]
    fn invalid_bootstrap_settings_give_no_interval() {
        let (a, b) = ([1.0, 2.0, 3.0], [2.0, 3.0, 4.0]);
        let pairs: [(&[f64], &[f64]); 1] = [(&a, &b)];
        for boot in [
            Bootstrap {
                resamples: 0,
                ..Bootstrap::default()
            },
            Bootstrap {
                confidence: 0.0,
                ..Bootstrap::default()
            },
            Bootstrap {
                confidence: 1.0,
                ..Bootstrap::default()
            },
            Bootstrap {
                confidence: f64::NAN,
                ..Bootstrap::default()
            },
        ] {
            assert_eq!(paired_ratio(&a, &b, boot), None);
            assert_eq!(unpaired_ratio(&a, &b, boot), None);
            assert_eq!(paired_geomean(&pairs, boot), None);
            assert_eq!(unpaired_geomean(&pairs, boot), None);
        }
    }
}
