//! The signed-rank design: at a look after `n` rounds, the interval of the centre
//! of the per-round log ratios runs from the `c`-th smallest to the `c`-th largest
//! of their `n(n+1)/2` Walsh averages (`(lᵢ + lⱼ)/2`, `i ≤ j`), the interval that
//! inverts Wilcoxon's signed-rank test; its estimate is their median
//! (Hodges–Lehmann).
//!
//! It misses the centre `θ` exactly when the signed-rank statistic `T⁺` of
//! `l − θ` is below `c` or above `n(n+1)/2 − c`. When the rounds' noise is
//! symmetric about `θ` (in an A/A pair it is by design: the variants are
//! exchangeable and take their turns in a random order), `T⁺`'s course over the
//! looks does not depend on the noise's shape or scale: the signs are fair coins,
//! and the ranks of `|l − θ|` are a random order. So the critical counts `c`,
//! chosen by alpha spending as the order-statistic design's ranks are, can be
//! computed once by a seeded simulation of that course, and hold for every such
//! noise. The first look with an interval needs no simulation (its chance of a
//! miss is the exact null law's); the chance that a later look misses first is
//! simulated, and its error is paid for: what those looks spend must stay two
//! standard errors of the simulation under what the spending function leaves.
//!
//! Why: the per-round ratios are close to normal (each a median of 15–25 turns),
//! where the signed-rank interval needs about two thirds of the rounds of the
//! sign test's for the same width, and its critical counts move at every look,
//! where the order statistic's rank stays put for three or four rounds at a time
//! (and more rounds at the same rank only widen the interval).

use super::Look;
use crate::stats::Interval;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Simulated courses of `T⁺` the critical counts are chosen on.
const SIMULATIONS: usize = 40_000;
/// The simulation's seed: part of the method, so every run gets the same counts.
const SEED: u64 = 0x5157_4e45_4452_414e;

/// The critical count of every look, `looks` in order (rounds), by `spend(n)`:
/// the chance, over all looks up to `n` rounds, that the interval may miss.
pub fn schedule(looks: &[u32], spend: impl Fn(u32) -> f64) -> Vec<Look> {
    let max = looks.last().copied().unwrap_or(0);
    let courses = simulate(looks, max);
    let mut alive = vec![true; SIMULATIONS];
    // The exact chance that the first look with an interval misses, once made;
    // and how many simulated courses a later look missed first.
    let (mut first, mut later) = (None::<f64>, 0usize);
    let mut out = Vec::with_capacity(looks.len());
    for (j, &n) in looks.iter().enumerate() {
        let total = n * (n + 1) / 2;
        let allowed = spend(n);
        let misses = |c: u32| -> usize {
            (0..SIMULATIONS)
                .filter(|&s| alive[s] && outside(courses[s][j], c, total))
                .count()
        };
        let fits = |c: u32| -> bool {
            match first {
                None => 1.0 - level(n, c) <= allowed * (1.0 + 1e-12),
                Some(p) => {
                    let rest = (allowed - p).max(0.0);
                    let margin = 2.0 * (rest * (1.0 - rest) / SIMULATIONS as f64).sqrt();
                    let budget = ((rest - margin).max(0.0) * SIMULATIONS as f64) as usize;
                    later + misses(c) <= budget
                }
            }
        };
        let mut c = 0;
        while c < total.div_ceil(2) && fits(c + 1) {
            c += 1;
        }
        if first.is_none() && c > 0 {
            first = Some(1.0 - level(n, c));
        } else {
            later += misses(c);
        }
        for (s, a) in alive.iter_mut().enumerate() {
            *a &= !outside(courses[s][j], c, total);
        }
        out.push(Look {
            rounds: n,
            rank: c,
            level: level(n, c),
        });
    }
    out
}

/// The count-`c` interval misses when `T⁺` is below `c` or above `total − c`.
fn outside(t: u32, c: u32, total: u32) -> bool {
    c > 0 && (t < c || t > total - c)
}

/// For every simulation, `T⁺` at each look. Absolute values come as uniform draws
/// and signs as fair coins: the law of `T⁺` for any continuous symmetric noise.
fn simulate(looks: &[u32], max: u32) -> Vec<Vec<u32>> {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let mut seen: Vec<(f64, bool)> = Vec::with_capacity(max as usize);
    (0..SIMULATIONS)
        .map(|_| {
            seen.clear();
            let (mut t, mut at) = (0u32, Vec::with_capacity(looks.len()));
            for n in 1..=max {
                let (size, positive): (f64, bool) = (rng.gen(), rng.gen());
                // The new value's rank, and the positive ones it pushes up by one.
                let below = seen.iter().filter(|(a, _)| *a < size).count() as u32;
                let lifted = seen.iter().filter(|(a, p)| *a > size && *p).count() as u32;
                t += lifted + if positive { below + 1 } else { 0 };
                seen.push((size, positive));
                if looks.contains(&n) {
                    at.push(t);
                }
            }
            at
        })
        .collect()
}

/// The coverage of the count-`c` interval of `n` rounds on its own, exactly:
/// 1 − 2·P(T⁺ < c), from the null law of `T⁺` (subsets of 1..=n by their sum).
fn level(n: u32, c: u32) -> f64 {
    if c == 0 {
        return 0.0;
    }
    let total = (n * (n + 1) / 2) as usize;
    let mut ways = vec![0.0_f64; total + 1];
    ways[0] = 1.0;
    for k in 1..=n as usize {
        for s in (k..=total).rev() {
            ways[s] += ways[s - k];
        }
    }
    let below: f64 = ways[..c as usize].iter().sum();
    1.0 - 2.0 * below / 2f64.powi(n as i32)
}

/// The count-`c` interval of the centre of `ratios` (all finite and positive),
/// from their Walsh averages on the log scale.
pub fn interval(ratios: &[f64], c: u32) -> Option<Interval> {
    let logs: Vec<f64> = ratios.iter().map(|r| r.ln()).collect();
    let mut walsh = Vec::with_capacity(logs.len() * (logs.len() + 1) / 2);
    for (i, a) in logs.iter().enumerate() {
        walsh.extend(logs[i..].iter().map(|b| (a + b) / 2.0));
    }
    walsh.sort_unstable_by(f64::total_cmp);
    let c = c as usize;
    if c == 0 || c > walsh.len().div_ceil(2) {
        return None;
    }
    Some(Interval {
        estimate: crate::stats::median(&walsh)?.exp(),
        low: walsh[c - 1].exp(),
        high: walsh[walsh.len() - c].exp(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_null_law_gives_the_textbook_levels() {
        // n = 10: P(T⁺ ≤ 8) = 0.0244 (tables of the signed-rank test), so the
        // count-9 interval covers 1 − 2·0.0244.
        assert!((level(10, 9) - (1.0 - 2.0 * 25.0 / 1024.0)).abs() < 1e-12);
        // n = 7: only T⁺ = 0 (one way in 128) lies below 1.
        assert!((level(7, 1) - (1.0 - 2.0 / 128.0)).abs() < 1e-12);
        assert_eq!(level(7, 0), 0.0);
    }

    #[test]
    fn walsh_averages_of_a_small_set() {
        // logs 0, 2, 4 (as ratios): averages 0, 1, 2, 2, 3, 4.
        let r: Vec<f64> = [0.0_f64, 2.0, 4.0].iter().map(|l| l.exp()).collect();
        let i = interval(&r, 2).unwrap();
        assert!((i.low.ln() - 1.0).abs() < 1e-12 && (i.high.ln() - 3.0).abs() < 1e-12);
        assert!((i.estimate.ln() - 2.0).abs() < 1e-12);
        assert!(interval(&r, 0).is_none() && interval(&r, 4).is_none());
    }

    #[test]
    fn the_simulated_statistic_matches_its_definition() {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let mut seen: Vec<(f64, bool)> = Vec::new();
        let mut t = 0u32;
        for _ in 0..25 {
            let (size, positive): (f64, bool) = (rng.gen(), rng.gen());
            let below = seen.iter().filter(|(a, _)| *a < size).count() as u32;
            let lifted = seen.iter().filter(|(a, p)| *a > size && *p).count() as u32;
            t += lifted + if positive { below + 1 } else { 0 };
            seen.push((size, positive));
            // T⁺ by its definition: the sum of the ranks of the positive values.
            let direct: u32 = seen
                .iter()
                .filter(|(_, p)| *p)
                .map(|(a, _)| 1 + seen.iter().filter(|(b, _)| b < a).count() as u32)
                .sum();
            assert_eq!(t, direct);
        }
    }
}
