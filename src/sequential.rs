//! Sequential stopping: after a minimum number of rounds, a benchmark gets more
//! rounds only while its verdict is open, and the interval it is judged by keeps
//! its 95 % coverage however the stopping depends on what was seen.
//!
//! Two methods share the looks and the spending function. New runs use the
//! signed-rank design ([`signed_rank`]): Walsh-average intervals of the centre of
//! the per-round ratios, exact for any noise symmetric about it. Runs stored before
//! it used the order-statistic design below, and are judged by it still: an
//! exact, distribution-free group-sequential interval for the median of the
//! per-round ratios, an order-statistic (sign-test) interval at every look, with
//! the looks' ranks chosen by alpha spending.
//!
//! - At a look after `n` rounds the interval is `[r(k), r(n+1−k)]` of the sorted
//!   ratios. It misses the true median `m` exactly when fewer than `k` ratios lie
//!   below `m` or fewer than `k` above. The rounds' ratios are independent draws
//!   around `m` (the rounds are interleaved and paired), so the count below `m`
//!   is a Binomial(n, ½) random walk whatever the noise's shape: heavy tails,
//!   skew, outliers. No bootstrap, no normality.
//! - The schedule of looks is fixed in advance: `min_rounds`, then after every
//!   `look_every` rounds up to `max_rounds`. The walk's law gives, exactly by
//!   dynamic programming, the chance that the interval misses `m` at some look.
//!   The rank `k` of each look is the largest whose cumulative chance of a miss
//!   stays within a Pocock-type spending function `α·ln(1 + (e − 1)·t)`, `t` =
//!   rounds / `max_rounds`, the share of the information. So the chance that *any* look's interval misses is at
//!   most α, and a benchmark stopped at any look, by any rule (here: when its
//!   verdict is decided), has coverage at least 1 − α. This is tighter than the
//!   union bound Σ α_k ≤ α: two looks with the same rank cost nothing extra, the
//!   walk being monotone.
//! - Why not the bootstrap: a percentile bootstrap at the extreme levels a
//!   spending schedule asks for (99.5 % and beyond) at n = 6..30 undercovers;
//!   the order-statistic interval is exact or conservative at every n.
//!
//! A look whose rank is 0 has no finite interval (too few rounds to spend on);
//! its verdict is inconclusive. The level each look allows is
//! [`Stopping::level_at`]: the interval's own (marginal) coverage.

mod signed_rank;

use crate::stats::Interval;
use serde::{Deserialize, Serialize};
use std::sync::Mutex;

/// The stopping design of a sequential run, recorded in the document's settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Stopping {
    pub method: Method,
    /// The chance, over all looks, that a benchmark's interval misses.
    pub alpha: f64,
    /// The first look: every benchmark gets this many rounds.
    pub min_rounds: u32,
    /// A look after every this many rounds past the first.
    pub look_every: u32,
    /// The last look: no benchmark gets more rounds.
    pub max_rounds: u32,
}

/// How the interval at a look is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Method {
    /// Order-statistic interval of the median of the per-round ratios, ranks by
    /// exact alpha spending (Pocock-type spending over the looks).
    #[serde(rename = "order-statistic-alpha-spending")]
    OrderStatisticSpending,
    /// Walsh-average (signed-rank) interval of the centre of the per-round
    /// ratios, critical counts by the same alpha spending ([`signed_rank`]).
    #[serde(rename = "signed-rank-alpha-spending")]
    SignedRankSpending,
}

impl Default for Stopping {
    fn default() -> Stopping {
        Stopping {
            method: Method::SignedRankSpending,
            alpha: 0.05,
            min_rounds: 7,
            look_every: 1,
            max_rounds: 30,
        }
    }
}

/// One look: after `rounds` rounds, the interval between the `rank`th smallest
/// and the `rank`th largest ratio; `level` is that interval's own coverage.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Look {
    pub rounds: u32,
    pub rank: u32,
    pub level: f64,
}

impl Stopping {
    /// Why the design cannot be used, if it cannot (for a stored document).
    pub fn invalid(&self) -> Option<String> {
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return Some(format!("its alpha is {}, not between 0 and 1", self.alpha));
        }
        if self.min_rounds < 2 || self.look_every < 1 || self.max_rounds < self.min_rounds {
            return Some(format!(
                "its looks (min_rounds {}, look_every {}, max_rounds {}) are no schedule",
                self.min_rounds, self.look_every, self.max_rounds
            ));
        }
        (self.max_rounds > 1000).then(|| format!("its max_rounds {} is over 1000", self.max_rounds))
    }

    /// The rounds after which the verdicts are looked at, in order.
    pub fn looks(&self) -> Vec<u32> {
        (self.min_rounds..=self.max_rounds)
            .step_by(self.look_every.max(1) as usize)
            .collect()
    }

    /// Every look with its rank (the order statistic's, or the signed-rank
    /// interval's critical count), by alpha spending. Made once per design and
    /// process: the signed-rank counts come from a simulation.
    pub fn schedule(&self) -> Schedule {
        static MADE: Mutex<Vec<(Stopping, Vec<Look>)>> = Mutex::new(Vec::new());
        let mut made = MADE.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, looks)) = made.iter().find(|(d, _)| d == self) {
            return Schedule(looks.clone(), self.method);
        }
        let looks = match self.method {
            Method::OrderStatisticSpending => self.order_statistic_looks(),
            Method::SignedRankSpending => signed_rank::schedule(&self.looks(), |n| self.spend(n)),
        };
        made.push((*self, looks.clone()));
        Schedule(looks, self.method)
    }

    /// The chance, over all looks up to `rounds`, that an interval may miss: the
    /// Pocock-type spending function.
    fn spend(&self, rounds: u32) -> f64 {
        let t = f64::from(rounds) / f64::from(self.max_rounds);
        self.alpha * (1.0 + (std::f64::consts::E - 1.0) * t).ln()
    }

    /// The order-statistic ranks, by exact alpha spending over the walk of the
    /// count of ratios below the median.
    fn order_statistic_looks(&self) -> Vec<Look> {
        let looks = self.looks();
        // alive[s]: the chance that no look has missed yet and s of the rounds
        // so far lie below the median.
        let mut alive = vec![1.0_f64];
        let (mut spent, mut n) = (0.0, 0u32);
        let mut out = Vec::with_capacity(looks.len());
        for &at in &looks {
            while n < at {
                alive = step(&alive);
                n += 1;
            }
            let allowed = self.spend(at);
            let miss = |k: u32| -> f64 { outside(&alive, k, at) };
            let mut rank = 0;
            while rank < at / 2 && spent + miss(rank + 1) <= allowed * (1.0 + 1e-12) {
                rank += 1;
            }
            spent += miss(rank);
            for (s, p) in alive.iter_mut().enumerate() {
                if (s as u32) < rank || s as u32 > at - rank {
                    *p = 0.0;
                }
            }
            out.push(Look {
                rounds: at,
                rank,
                level: level(at, rank),
            });
        }
        out
    }

    /// The interval of the median of the per-round `ratios`: see
    /// [`Schedule::interval`].
    pub fn interval(&self, ratios: &[f64]) -> Option<Interval> {
        self.schedule().interval(ratios)
    }

    /// A line for the run's header and the report.
    pub fn describe(&self) -> String {
        format!(
            "sequential: {} to {} rounds, a look after every {}, {} CIs with alpha {} spent over the looks",
            self.min_rounds,
            self.max_rounds,
            if self.look_every == 1 {
                "round".to_string()
            } else {
                format!("{} rounds", self.look_every)
            },
            match self.method {
                Method::OrderStatisticSpending => "order-statistic",
                Method::SignedRankSpending => "signed-rank (Walsh-average)",
            },
            self.alpha
        )
    }
}

/// What a comparison of two runs should say when their designs differ: the
/// runs' CIs were made at different levels, by different methods.
pub fn differs(before: Option<&Stopping>, after: Option<&Stopping>) -> Option<String> {
    let name = |d: Option<&Stopping>| match d {
        Some(d) => d.describe(),
        None => "fixed rounds, bootstrap 95 % CIs".to_string(),
    };
    (before != after).then(|| {
        format!(
            "the runs were measured by different designs (before: {}; now: {}): their rounds and CIs are not alike",
            name(before),
            name(after)
        )
    })
}

/// The looks of a design, each with its rank, in order, and how its intervals
/// are made.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule(pub Vec<Look>, pub Method);

impl Schedule {
    /// The last look at or before `rounds` rounds, if any.
    pub fn look_at(&self, rounds: usize) -> Option<Look> {
        self.0
            .iter()
            .take_while(|l| l.rounds as usize <= rounds)
            .last()
            .copied()
    }

    /// The level the look after `rounds` rounds allows (0 when it allows none).
    pub fn level_at(&self, rounds: usize) -> f64 {
        self.look_at(rounds).map_or(0.0, |l| l.level)
    }

    /// The interval of the centre of the per-round `ratios` (in round order) at
    /// the last look they reach, over that look's rounds: from the rank-th
    /// smallest to the rank-th largest ratio (order statistic; the estimate is
    /// their median) or Walsh average (signed rank; the estimate is theirs). None
    /// before the first look, at a look of rank 0, or when a ratio is not finite
    /// and positive.
    pub fn interval(&self, ratios: &[f64]) -> Option<Interval> {
        if !ratios.iter().all(|r| r.is_finite() && *r > 0.0) {
            return None;
        }
        let look = self.look_at(ratios.len())?;
        let rank = look.rank as usize;
        if rank == 0 {
            return None;
        }
        let mut used = ratios[..look.rounds as usize].to_vec();
        if self.1 == Method::SignedRankSpending {
            return signed_rank::interval(&used, look.rank);
        }
        used.sort_unstable_by(f64::total_cmp);
        Some(Interval {
            estimate: crate::stats::median(&used)?,
            low: used[rank - 1],
            high: used[used.len() - rank],
        })
    }
}

/// One more round: each count stays or grows by one, with chance ½ each.
fn step(alive: &[f64]) -> Vec<f64> {
    let mut next = vec![0.0; alive.len() + 1];
    for (s, p) in alive.iter().enumerate() {
        next[s] += p / 2.0;
        next[s + 1] += p / 2.0;
    }
    next
}

/// The chance in `alive` (after `n` rounds) of a count below `k` or above `n − k`:
/// the interval of rank `k` misses. Rank 0 never misses (no interval).
fn outside(alive: &[f64], k: u32, n: u32) -> f64 {
    if k == 0 {
        return 0.0;
    }
    alive
        .iter()
        .enumerate()
        .filter(|(s, _)| (*s as u32) < k || *s as u32 > n - k)
        .map(|(_, p)| p)
        .sum()
}

/// The coverage of the rank-`k` order-statistic interval of `n` rounds on its
/// own: 1 − 2·P(Binomial(n, ½) < k).
fn level(n: u32, k: u32) -> f64 {
    if k == 0 {
        return 0.0;
    }
    let mut below = vec![1.0_f64];
    for _ in 0..n {
        below = step(&below);
    }
    1.0 - 2.0 * below[..k as usize].iter().sum::<f64>()
}

#[cfg(test)]
mod tests;
