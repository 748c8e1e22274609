//! The least-squares fit of per-round log-ratios on a design's terms, with a
//! seeded bootstrap over rounds.
//!
//! Every variant was measured in the same rounds as the reference; a round's
//! log-ratio of each variant against the reference is one observation. With the
//! same rounds for every variant, ordinary least squares over all observations
//! equals the fit to the per-variant means, which is what is solved. The
//! bootstrap draws rounds with replacement and uses the SAME draws for every
//! variant, so whatever disturbed a round disturbs every variant's figure in
//! the resample as it did in the run. Pure: slices in, numbers out.

use crate::stats::{self, Bootstrap, Interval};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Fits `y` (one row per non-reference variant, its per-round log-ratios, all
/// rows of the same rounds in the same order) on `x` (one row per variant, one
/// column per term). None when there are fewer than 2 rounds, the rows disagree
/// in length, a value is not finite, or the terms are not independent. Each
/// term's coefficient (a log-ratio) comes with its percentile interval.
pub fn fit(x: &[Vec<f64>], y: &[Vec<f64>], boot: Bootstrap) -> Option<Vec<Interval>> {
    let rounds = y.first()?.len();
    let valid = x.len() == y.len()
        && rounds >= 2
        && y.iter()
            .all(|r| r.len() == rounds && r.iter().all(|v| v.is_finite()))
        && boot.is_valid();
    if !valid {
        return None;
    }
    let means: Vec<f64> = y
        .iter()
        .map(|r| r.iter().sum::<f64>() / rounds as f64)
        .collect();
    let point = solve(x, &means)?;
    let mut rng = ChaCha8Rng::seed_from_u64(boot.seed);
    let mut draws: Vec<Vec<f64>> = vec![Vec::with_capacity(boot.resamples); point.len()];
    let mut picks = vec![0usize; rounds];
    let mut resampled = vec![0.0; y.len()];
    for _ in 0..boot.resamples {
        for p in picks.iter_mut() {
            *p = rng.gen_range(0..rounds);
        }
        for (m, row) in resampled.iter_mut().zip(y) {
            *m = picks.iter().map(|&i| row[i]).sum::<f64>() / rounds as f64;
        }
        let beta = solve(x, &resampled)?;
        for (d, b) in draws.iter_mut().zip(beta) {
            d.push(b);
        }
    }
    Some(
        point
            .into_iter()
            .zip(draws)
            .map(|(estimate, d)| stats::percentile_interval(estimate, d, boot.confidence))
            .collect(),
    )
}

/// The least-squares solution of `x β = y` by the normal equations; None when
/// `xᵀx` is singular.
pub fn solve(x: &[Vec<f64>], y: &[f64]) -> Option<Vec<f64>> {
    let p = x.first()?.len();
    let mut a = vec![vec![0.0; p + 1]; p];
    for (row, &target) in x.iter().zip(y) {
        for i in 0..p {
            for j in 0..p {
                a[i][j] += row[i] * row[j];
            }
            a[i][p] += row[i] * target;
        }
    }
    for col in 0..p {
        let pivot = (col..p).max_by(|&r, &s| a[r][col].abs().total_cmp(&a[s][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        let pivot_row = a[col].clone();
        for (r, row) in a.iter_mut().enumerate() {
            if r != col {
                let f = row[col] / pivot_row[col];
                for (x, q) in row.iter_mut().zip(&pivot_row).skip(col) {
                    *x -= f * q;
                }
            }
        }
    }
    let beta: Vec<f64> = (0..p).map(|i| a[i][p] / a[i][i]).collect();
    beta.iter().all(|b| b.is_finite()).then_some(beta)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attribution::design::{tests::six_flavors, Design};

    /// A normal draw of standard deviation `sd` (Box–Muller).
    fn normal(rng: &mut ChaCha8Rng, sd: f64) -> f64 {
        let (u, v): (f64, f64) = (rng.gen_range(f64::EPSILON..1.0), rng.gen());
        sd * (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// Known effects, in log-ratio: opt +5 %, march +3 %, lto none, pgo +4 %,
    /// and opt×march −2 %.
    const TRUE: [(&str, f64); 5] = [
        ("opt", 0.05),
        ("march", 0.03),
        ("lto", 0.0),
        ("pgo", 0.04),
        ("opt×march", -0.02),
    ];

    /// Per-round log-ratios of the five variants: the design's truth, a
    /// disturbance of the reference's round that every variant shares, and
    /// each variant's own noise.
    fn rounds(design: &Design, n: usize, seed: u64) -> Vec<Vec<f64>> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let round_shift: Vec<f64> = (0..n).map(|_| normal(&mut rng, 0.02)).collect();
        design
            .rows()
            .iter()
            .map(|row| {
                let mean: f64 = row.iter().zip(TRUE).map(|(x, (_, b))| x * b).sum();
                round_shift
                    .iter()
                    .map(|s| mean + s + normal(&mut rng, 0.01))
                    .collect()
            })
            .collect()
    }

    fn boot(seed: u64) -> Bootstrap {
        Bootstrap {
            resamples: 2000,
            confidence: 0.95,
            seed,
        }
    }

    #[test]
    fn known_effects_are_recovered_and_a_null_flag_holds_zero() {
        let design = Design::new(&six_flavors());
        let labels: Vec<&str> = design.terms.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, TRUE.map(|(l, _)| l));
        let y = rounds(&design, 40, 11);
        let fit = fit(&design.rows(), &y, boot(5)).unwrap();
        for (e, (label, truth)) in fit.iter().zip(TRUE) {
            assert!(
                (e.estimate - truth).abs() < 0.01,
                "{label}: {e:?} vs {truth}"
            );
            assert!(e.high - e.low < 0.03, "{label}: interval too wide: {e:?}");
        }
        let [opt, march, lto, pgo, interaction] = [fit[0], fit[1], fit[2], fit[3], fit[4]];
        for helps in [opt, march, pgo] {
            assert!(helps.low > 0.0, "a real gain is clear of zero: {helps:?}");
        }
        assert!(
            lto.low < 0.0 && lto.high > 0.0,
            "lto has no effect: {lto:?}"
        );
        assert!(
            interaction.high < 0.0,
            "the interaction is negative: {interaction:?}"
        );
        assert!(design.terms[2]
            .aliased_with
            .contains(&"opt×lto".to_string()));
    }

    #[test]
    fn the_intervals_hold_the_true_effects_about_95_times_in_100() {
        let design = Design::new(&six_flavors());
        let (mut held, mut all) = (0, 0);
        for seed in 0..40 {
            let y = rounds(&design, 30, 100 + seed);
            let fit = fit(&design.rows(), &y, boot(seed)).unwrap();
            for (e, (_, truth)) in fit.iter().zip(TRUE) {
                all += 1;
                held += usize::from(e.low <= truth && truth <= e.high);
            }
        }
        let coverage = held as f64 / all as f64;
        assert!(coverage > 0.85 && coverage < 0.995, "coverage {coverage}");
    }

    #[test]
    fn the_same_seed_gives_the_same_intervals_and_another_seed_others() {
        let design = Design::new(&six_flavors());
        let y = rounds(&design, 20, 3);
        let a = fit(&design.rows(), &y, boot(9)).unwrap();
        assert_eq!(a, fit(&design.rows(), &y, boot(9)).unwrap());
        assert_ne!(a, fit(&design.rows(), &y, boot(10)).unwrap());
    }

    #[test]
    fn a_saturated_design_reproduces_the_variant_means_and_bad_input_gives_none() {
        let x = vec![vec![1.0, 0.0], vec![1.0, 1.0]];
        let beta = solve(&x, &[0.1, 0.3]).unwrap();
        assert!((beta[0] - 0.1).abs() < 1e-12 && (beta[1] - 0.2).abs() < 1e-12);
        assert!(solve(&[vec![1.0, 1.0]], &[0.1]).is_none(), "singular");
        assert!(
            fit(&x, &[vec![0.1], vec![0.2]], boot(1)).is_none(),
            "one round"
        );
        let nan = vec![vec![0.1, f64::NAN], vec![0.2, 0.3]];
        assert!(fit(&x, &nan, boot(1)).is_none());
    }
}
