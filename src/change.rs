//! Change detection across nights. Runs made on different nights are not
//! paired: the machine, its temperature and its neighbours differ from night to
//! night, so a night's bootstrap CI understates the spread between nights. A
//! night is therefore also judged against the nights before it.
//!
//! The method is a robust z-score: the new night's median against the median
//! of the last [`WINDOW`] nights, in units of their spread (1.4826 × MAD, the
//! MAD scaled to a normal σ), with the spread floored at the noise threshold so
//! that nights that agree by chance do not make every change "significant". A
//! night beyond [`Z_LIMIT`] is out of line; a **step** is an out-of-line night
//! whose next night is out of line the same way (starting at the next one when
//! the first is out of line with the nights after it too: an odd night), and the
//! nights after a step are judged against the new level. It needs
//! [`MIN_NIGHTS`] earlier nights; with fewer, only the bootstrap CI speaks.

use crate::stats;
use std::collections::HashMap;

/// Earlier nights' medians per (benchmark, variant), oldest first.
pub type Nights = HashMap<(String, String), Vec<f64>>;

fn median(xs: &[f64]) -> f64 {
    stats::median(xs).unwrap_or(f64::NAN)
}

/// The earlier nights a night is judged against.
pub const WINDOW: usize = 10;
/// Fewer earlier nights than this say nothing about the spread between nights.
pub const MIN_NIGHTS: usize = 3;
/// |z| beyond this is out of line with the nights before (about 1 in 400 for
/// normal noise).
pub const Z_LIMIT: f64 = 3.0;

/// The robust z-score of `x` against `earlier` (oldest first; the last
/// [`WINDOW`] count), on the "better" scale: negative is worse. None with
/// fewer than [`MIN_NIGHTS`] earlier nights.
pub fn robust_z(earlier: &[f64], x: f64, higher_is_better: bool, floor_pct: f64) -> Option<f64> {
    let window = &earlier[earlier.len().saturating_sub(WINDOW)..];
    if window.len() < MIN_NIGHTS {
        return None;
    }
    let level = median(window);
    let deviations: Vec<f64> = window.iter().map(|v| (v - level).abs()).collect();
    let spread = (1.4826 * median(&deviations)).max(level.abs() * floor_pct / 100.0);
    if spread <= 0.0 {
        return None;
    }
    let z = (x - level) / spread;
    Some(if higher_is_better { z } else { -z })
}

/// A lasting change of level in a series of nightly figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The index of the first night at the new level.
    pub at: usize,
    /// The new level against the old, in percent (positive = better).
    pub change_pct: f64,
    /// False when the out-of-line night is the last one: one night is not yet a step.
    pub confirmed: bool,
}

/// The steps of `series` (oldest first), found as the module doc says.
pub fn steps(series: &[f64], higher_is_better: bool, floor_pct: f64) -> Vec<Step> {
    let z = |level: &[f64], x: f64| robust_z(level, x, higher_is_better, floor_pct);
    let mut found = vec![];
    let mut start = 0;
    let mut i = start + MIN_NIGHTS;
    while i < series.len() {
        let level = &series[start..i];
        let Some(zi) = z(level, series[i]).filter(|z| z.abs() > Z_LIMIT) else {
            i += 1;
            continue;
        };
        let next = series.get(i + 1).map(|&x| z(level, x));
        let confirmed = match next {
            None => false,
            Some(zn) => zn.is_some_and(|zn| zn.abs() > Z_LIMIT && zn.signum() == zi.signum()),
        };
        if next.is_some() && !confirmed {
            i += 1;
            continue;
        }
        // An odd night just before a step is no part of either level: the step
        // starts after it when it is out of line with the nights after it too.
        let later = &series[i + 1..series.len().min(i + 1 + WINDOW)];
        if z(later, series[i]).is_some_and(|zl| zl.abs() > Z_LIMIT) {
            i += 1;
        }
        let after = &series[i..series.len().min(i + WINDOW)];
        let ratio = median(after) / median(&level[level.len().saturating_sub(WINDOW)..]);
        found.push(Step {
            at: i,
            change_pct: if higher_is_better {
                (ratio - 1.0) * 100.0
            } else {
                (1.0 - ratio) * 100.0
            },
            confirmed,
        });
        start = i;
        i = start + MIN_NIGHTS;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const QUIET: [f64; 6] = [100.0, 101.0, 99.5, 100.5, 99.0, 100.2];

    #[test]
    fn a_night_in_line_with_the_others_has_a_small_z() {
        let z = robust_z(&QUIET, 100.3, true, 1.0).unwrap();
        assert!(z.abs() < 1.0, "{z}");
    }

    #[test]
    fn a_slower_night_is_negative_for_rates_and_for_times() {
        assert!(robust_z(&QUIET, 80.0, true, 1.0).unwrap() < -Z_LIMIT);
        // A time that grew is worse too.
        assert!(robust_z(&QUIET, 120.0, false, 1.0).unwrap() < -Z_LIMIT);
    }

    #[test]
    fn too_few_nights_say_nothing() {
        assert_eq!(robust_z(&QUIET[..2], 50.0, true, 1.0), None);
    }

    #[test]
    fn identical_nights_do_not_make_a_tiny_change_significant() {
        let flat = [100.0; 5];
        let z = robust_z(&flat, 99.5, true, 1.0).unwrap();
        assert!(z.abs() < 1.0, "{z}");
    }

    #[test]
    fn a_lasting_drop_is_one_step_where_it_began() {
        let mut s = QUIET.to_vec();
        s.extend([60.0, 61.0, 59.5]);
        let found = steps(&s, true, 1.0);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].at, 6);
        assert!(found[0].confirmed);
        assert!((found[0].change_pct + 40.0).abs() < 1.5, "{found:?}");
    }

    #[test]
    fn a_single_odd_night_is_not_a_step_but_a_last_one_is_a_possible_step() {
        let mut s = QUIET.to_vec();
        s.extend([70.0, 100.1, 99.8]);
        assert!(steps(&s, true, 1.0).is_empty());
        let mut t = QUIET.to_vec();
        t.push(70.0);
        let found = steps(&t, true, 1.0);
        assert_eq!(found.len(), 1);
        assert!(!found[0].confirmed);
    }

    #[test]
    fn an_odd_night_just_before_a_step_is_not_its_start() {
        let s = [100.0, 100.5, 99.5, 77.0, 30.0, 30.5, 29.8, 30.2];
        let found = steps(&s, true, 1.0);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].at, 4, "{found:?}");
        assert!((found[0].change_pct + 70.0).abs() < 1.5, "{found:?}");
    }

    #[test]
    fn a_step_back_up_is_found_against_the_new_level() {
        let s = [
            100.0, 100.5, 99.5, 100.0, 60.0, 60.5, 59.5, 60.2, 100.0, 100.3,
        ];
        let found = steps(&s, true, 1.0);
        assert_eq!(
            found.iter().map(|s| s.at).collect::<Vec<_>>(),
            vec![4, 8],
            "{found:?}"
        );
        assert!(found[1].change_pct > 50.0);
    }
}
