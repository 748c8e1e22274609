//! The stopping rule on simulated rounds: seeded, deterministic.

use super::*;
use crate::compare::{verdict, Change};
use crate::results::ChangeVerdict;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Noise shapes of a per-round log ratio, each with median 0.
#[derive(Clone, Copy, Debug)]
enum Shape {
    Normal,
    /// Student's t with 2 degrees of freedom: infinite variance.
    HeavyT2,
    Cauchy,
    /// Exponential minus its median: skewed.
    Skewed,
    /// The difference of two skewed draws: an A/A pair whose sides are each
    /// skewed, the ratio of two exchangeable variants being symmetric.
    SkewedPair,
    /// Mostly quiet, one round in ten disturbed ten times as much.
    Outliers,
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let (u, v): (f64, f64) = (rng.gen_range(1e-12..1.0), rng.gen());
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

fn draw(shape: Shape, scale: f64, rng: &mut ChaCha8Rng) -> f64 {
    let e = match shape {
        Shape::Normal => normal(rng),
        Shape::HeavyT2 => {
            let chi2 = normal(rng).powi(2) + normal(rng).powi(2);
            normal(rng) / (chi2 / 2.0).sqrt()
        }
        Shape::Cauchy => (std::f64::consts::PI * (rng.gen::<f64>() - 0.5)).tan(),
        Shape::Skewed => -rng.gen_range(1e-12_f64..1.0).ln() - std::f64::consts::LN_2,
        Shape::SkewedPair => {
            -rng.gen_range(1e-12_f64..1.0).ln() + rng.gen_range(1e-12_f64..1.0).ln()
        }
        Shape::Outliers => normal(rng) * if rng.gen_bool(0.1) { 10.0 } else { 1.0 },
    };
    (e * scale).clamp(-5.0, 5.0)
}

/// One benchmark measured sequentially: rounds until its verdict is decided or
/// the last look; returns the verdict and the rounds it took.
fn sequential_run(
    schedule: &Schedule,
    design: &Stopping,
    median: f64,
    draw_log: &mut dyn FnMut() -> f64,
    noise_pct: f64,
) -> (ChangeVerdict, usize) {
    let mut ratios = Vec::new();
    let looks = design.looks();
    for &at in &looks {
        while ratios.len() < at as usize {
            ratios.push(median * draw_log().exp());
        }
        let change = schedule.interval(&ratios).map(|i| Change {
            pct: (i.estimate - 1.0) * 100.0,
            low: (i.low - 1.0) * 100.0,
            high: (i.high - 1.0) * 100.0,
        });
        let v = verdict(change, noise_pct);
        if v != ChangeVerdict::Inconclusive || at == *looks.last().unwrap() {
            return (v, ratios.len());
        }
    }
    unreachable!("the last look returns")
}

const ORDER_STATISTIC: Stopping = Stopping {
    method: Method::OrderStatisticSpending,
    alpha: 0.05,
    min_rounds: 7,
    look_every: 1,
    max_rounds: 30,
};

#[test]
fn the_spent_alpha_is_exactly_within_the_design_and_ranks_only_grow() {
    for design in [
        ORDER_STATISTIC,
        Stopping {
            min_rounds: 3,
            max_rounds: 100,
            ..ORDER_STATISTIC
        },
        Stopping {
            look_every: 4,
            alpha: 0.01,
            ..ORDER_STATISTIC
        },
    ] {
        let schedule = design.schedule();
        assert_eq!(schedule.0.len(), design.looks().len());
        let ranks: Vec<u32> = schedule.0.iter().map(|l| l.rank).collect();
        assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{ranks:?}");
        assert!(*ranks.last().unwrap() > 0, "{design:?}: never an interval");
        // Replay the walk: the chance that some look misses is at most alpha.
        let mut alive = vec![1.0];
        let (mut n, mut missed) = (0, 0.0);
        for look in &schedule.0 {
            while n < look.rounds {
                alive = step(&alive);
                n += 1;
            }
            missed += outside(&alive, look.rank, look.rounds);
            for (s, p) in alive.iter_mut().enumerate() {
                let s = s as u32;
                if look.rank > 0 && (s < look.rank || s > look.rounds - look.rank) {
                    *p = 0.0;
                }
            }
            // Each look's own level is no lower than the whole design's.
            assert!(look.rank == 0 || look.level >= 1.0 - design.alpha - 1e-12);
        }
        assert!(missed <= design.alpha + 1e-12, "{design:?} spends {missed}");
        assert!(
            missed >= design.alpha * 0.5,
            "{design:?} spends only {missed}"
        );
    }
}

#[test]
fn the_signed_rank_counts_grow_at_nearly_every_look_and_each_level_holds() {
    for design in [
        Stopping::default(),
        Stopping {
            look_every: 4,
            alpha: 0.01,
            ..Stopping::default()
        },
    ] {
        let schedule = design.schedule();
        assert_eq!(schedule.1, Method::SignedRankSpending);
        let counts: Vec<u32> = schedule.0.iter().map(|l| l.rank).collect();
        assert!(counts.windows(2).all(|w| w[0] <= w[1]), "{counts:?}");
        for look in schedule.0.iter().filter(|l| l.rank > 0) {
            assert!(look.level >= 1.0 - design.alpha, "{look:?}");
        }
        assert!(*counts.last().unwrap() > 0);
    }
    let counts: Vec<u32> = Stopping::default()
        .schedule()
        .0
        .iter()
        .map(|l| l.rank)
        .collect();
    let grew = counts.windows(2).filter(|w| w[1] > w[0]).count();
    assert!(grew >= counts.len() - 3, "{counts:?}");
}

#[test]
fn the_default_design_has_an_interval_from_its_seventh_round() {
    let schedule = Stopping::default().schedule();
    assert_eq!(schedule.level_at(6), 0.0);
    assert_eq!(schedule.look_at(7).unwrap().rank, 1);
    assert!(schedule.level_at(7) > 0.98);
    let ratios: Vec<f64> = (1..=7).map(|i| 1.0 + i as f64 / 100.0).collect();
    let i = schedule.interval(&ratios).unwrap();
    assert!(
        (i.low - 1.01).abs() < 1e-12 && (i.high - 1.07).abs() < 1e-12,
        "{i:?}"
    );
    assert!((i.estimate - 1.04).abs() < 1e-3, "{i:?}");
    assert!(schedule.interval(&ratios[..6]).is_none());
}

#[test]
fn the_order_statistic_design_has_an_interval_from_its_seventh_round() {
    let schedule = ORDER_STATISTIC.schedule();
    assert_eq!(schedule.level_at(6), 0.0);
    assert_eq!(schedule.look_at(7).unwrap().rank, 1);
    assert!(schedule.level_at(7) > 0.98);
    assert!(schedule.look_at(30).unwrap().rank >= 7);
    let ratios: Vec<f64> = (1..=7).map(|i| 1.0 + i as f64 / 100.0).collect();
    let i = schedule.interval(&ratios).unwrap();
    assert_eq!((i.low, i.estimate, i.high), (1.01, 1.04, 1.07));
    assert!(
        schedule.interval(&ratios[..6]).is_none(),
        "rank 0: no interval"
    );
    assert!(schedule
        .interval(&[1.0, f64::NAN, 1.0, 1.0, 1.0, 1.0, 1.0])
        .is_none());
}

/// A/A runs of `design` on noise of each of `shapes`, stopped when decided: the
/// share whose interval missed (noise threshold 0, the worst case of optional
/// stopping: every run goes on until its CI clears 1 or the last look), and the
/// share called a change at the default ±1 % with noise of 1 %.
fn a_a_rates(design: Stopping, shapes: &[Shape], seed: u64) {
    let schedule = design.schedule();
    for (i, &shape) in shapes.iter().enumerate() {
        let mut rng = ChaCha8Rng::seed_from_u64(seed + i as u64);
        let (reps, strict_reps) = (2000, 40_000);
        let run = |rng: &mut ChaCha8Rng, noise_pct: f64| {
            sequential_run(
                &schedule,
                &design,
                1.0,
                &mut || draw(shape, 0.01, rng),
                noise_pct,
            )
            .0
        };
        let strict = (0..strict_reps)
            .filter(|_| run(&mut rng, 0.0) != ChangeVerdict::Inconclusive)
            .count() as f64
            / strict_reps as f64;
        let called = (0..reps)
            .filter(|_| {
                matches!(
                    run(&mut rng, 1.0),
                    ChangeVerdict::Improvement | ChangeVerdict::Regression
                )
            })
            .count() as f64
            / reps as f64;
        // The design's miss chance is at most 5 %; the simulation of it may exceed
        // that by its sampling error (2.5 standard errors, 0.28 %).
        assert!(
            strict <= 0.0528,
            "{shape:?}: CI missed 1 in {strict} of the runs"
        );
        assert!(
            called <= 0.05,
            "{shape:?}: a change called in {called} of the runs"
        );
    }
}

#[test]
fn a_a_data_stopped_when_decided_calls_a_change_at_most_five_percent_of_the_time() {
    // Signed rank: any noise symmetric about the centre, as an A/A pair's is.
    let symmetric = [
        Shape::Normal,
        Shape::HeavyT2,
        Shape::Cauchy,
        Shape::SkewedPair,
        Shape::Outliers,
    ];
    a_a_rates(Stopping::default(), &symmetric, 15);
    // Order statistic: any noise at all, skewed too.
    a_a_rates(
        ORDER_STATISTIC,
        &[Shape::Normal, Shape::Skewed, Shape::Cauchy],
        25,
    );
}

#[test]
fn a_three_percent_gain_in_realistic_noise_is_an_improvement_and_stops_early() {
    let design = Stopping::default();
    let schedule = design.schedule();
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let reps = 500;
    let (mut improved, mut rounds) = (0, Vec::new());
    for _ in 0..reps {
        let (v, n) = sequential_run(
            &schedule,
            &design,
            1.03,
            &mut || draw(Shape::Outliers, 0.01, &mut rng),
            1.0,
        );
        assert_ne!(v, ChangeVerdict::Regression);
        improved += usize::from(v == ChangeVerdict::Improvement);
        rounds.push(n);
    }
    assert!(
        improved as f64 >= 0.95 * reps as f64,
        "{improved} of {reps}"
    );
    rounds.sort_unstable();
    assert!(
        rounds[reps / 2] < design.max_rounds as usize / 2,
        "median {} rounds",
        rounds[reps / 2]
    );
}

#[test]
fn a_design_that_is_no_schedule_is_named() {
    let bad = |s: Stopping| s.invalid().is_some();
    assert!(Stopping::default().invalid().is_none());
    assert!(bad(Stopping {
        alpha: 0.0,
        ..Stopping::default()
    }));
    assert!(bad(Stopping {
        alpha: f64::NAN,
        ..Stopping::default()
    }));
    assert!(bad(Stopping {
        look_every: 0,
        ..Stopping::default()
    }));
    assert!(bad(Stopping {
        max_rounds: 5,
        ..Stopping::default()
    }));
    assert!(bad(Stopping {
        max_rounds: 5000,
        ..Stopping::default()
    }));
}

#[test]
fn runs_of_different_designs_say_so_and_alike_ones_do_not() {
    let d = Stopping::default();
    assert!(differs(None, None).is_none());
    assert!(differs(Some(&d), Some(&d)).is_none());
    let said = differs(None, Some(&d)).unwrap();
    assert!(
        said.contains("fixed rounds") && said.contains("sequential"),
        "{said}"
    );
    let other = Stopping {
        max_rounds: 40,
        ..d
    };
    assert!(differs(Some(&d), Some(&other)).is_some());
}
