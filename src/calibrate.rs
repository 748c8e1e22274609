//! Calibration: can this machine see a 3 % change?
//!
//! It measures three variants of the same libraries side by side: `a` and
//! `a-again`, an A/A pair whose every difference is noise, and `no-aes-ni`, the same
//! files with AES-NI and PCLMULQDQ masked through `OPENSSL_ia32cap`, a positive
//! control whose AES must come out much slower. It is a sequential run like
//! `storebench run`'s (the same design, looks and intervals,
//! [`crate::sequential`]): rounds go on for the benchmarks still open, within a time
//! budget. From the A/A pair it derives, per benchmark group, the smallest change
//! this machine can detect (the interval's half-width at the look reached), and the
//! rounds the design would need to detect 3 %: the design's own interval, applied
//! to the A/A per-round ratios resampled to each look's length.
//!
//! This module plans and analyses; the runner measures and the CLI prints.

use crate::compare::{self, Change, Options};
use crate::results::{ChangeVerdict, Comparison, Document};
use crate::sequential::Schedule;
use crate::variant::Variant;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

/// Masks AES-NI (bit 57) and PCLMULQDQ (bit 33) of OpenSSL's capability vector.
pub const MASK_AES_NI: &str = "~0x200000200000000";

/// The change calibration asks about: the seed's smallest claim is 3 %.
pub const TARGET_PCT: f64 = 3.0;

/// One or two quick benchmarks per group, when `--bench` does not choose.
pub const DEFAULT_BENCHES: [&str; 8] = [
    "compress/zlib/l6/text",
    "decompress/zlib/l6/text",
    "compress/zstd/l3/json",
    "decompress/zstd/l3/json",
    "aes/256-gcm/encrypt/16384",
    "aes/128-gcm/decrypt/1024",
    "tls/1.3/transfer",
    "sqlite/point-lookup",
];

/// z for a two-sided 95 % interval, and for 80 % power.
const Z_95: f64 = 1.96;
const Z_POWER_80: f64 = 0.8416;

/// The CI half-width at which a true change of `pct` is detected 4 times in 5: its
/// CI then clears zero with 80 % power.
pub fn mde_to_detect(pct: f64) -> f64 {
    pct * Z_95 / (Z_95 + Z_POWER_80)
}

/// The A/A pair and the positive control, all on `base`'s libraries.
pub fn variants(base: Variant) -> Vec<Variant> {
    let again = Variant {
        name: format!("{}-again", base.name),
        description: Some(format!(
            "the same libraries as `{}`: an A/A pair",
            base.name
        )),
        ..base.clone()
    };
    let mut control = Variant {
        name: "no-aes-ni".into(),
        description: Some(format!(
            "the same libraries as `{}`, OPENSSL_ia32cap={MASK_AES_NI} (AES-NI and PCLMULQDQ masked): the positive control",
            base.name
        )),
        ..base.clone()
    };
    control
        .env
        .insert("OPENSSL_ia32cap".into(), MASK_AES_NI.into());
    vec![base, again, control]
}

/// What this machine can detect in one benchmark group.
#[derive(Debug, Clone)]
pub struct GroupCalibration {
    pub group: String,
    pub benches: usize,
    /// The A/A geometric mean: its CI should hold zero.
    pub aa: Change,
    /// The widest A/A MDE of the group's benchmarks, in percent.
    pub bench_mde_pct: f64,
    /// The most rounds one of the group's A/A benchmarks ran.
    pub rounds_run: usize,
    /// Rounds the design needs for every benchmark of the group to reach an MDE
    /// that detects [`TARGET_PCT`]; None: more than its last look.
    pub rounds_for_target: Option<u32>,
    /// Seconds of measuring those rounds take per benchmark (two variants).
    pub seconds_for_target: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct Calibration {
    /// The rounds every benchmark ran (the design's first look).
    pub rounds: u32,
    /// The design's last look.
    pub max_rounds: u32,
    pub groups: Vec<GroupCalibration>,
    /// Every A/A comparison (`a-again` against `a`).
    pub aa: Vec<Comparison>,
    /// The control's comparisons on the AES benchmarks.
    pub control: Vec<Comparison>,
}

impl Calibration {
    /// A/A comparisons that claimed a change: false positives.
    pub fn false_positives(&self) -> Vec<&Comparison> {
        self.aa
            .iter()
            .filter(|c| {
                matches!(
                    c.verdict,
                    ChangeVerdict::Improvement | ChangeVerdict::Regression
                )
            })
            .collect()
    }

    /// Whether every control benchmark came out a regression.
    pub fn control_detected(&self) -> bool {
        !self.control.is_empty()
            && self
                .control
                .iter()
                .all(|c| c.verdict == ChangeVerdict::Regression)
    }
}

/// Analyses a sequential calibration run of [`variants`]; `elapsed` is its wall
/// time.
pub fn analyse(doc: &Document, elapsed_seconds: f64, noise_pct: f64) -> Calibration {
    let opts = Options::new(noise_pct, doc.seed);
    let pairings = compare::within_run(doc);
    let schedule = doc.settings.stopping.unwrap_or_default().schedule();
    let visits = doc
        .results
        .iter()
        .map(|r| r.figures().len())
        .sum::<usize>()
        .max(1);
    let seconds_per_visit = elapsed_seconds / visits as f64;
    let (aa, control) = match &pairings[..] {
        [aa, control, ..] => (aa.comparisons(opts), control.comparisons(opts)),
        _ => (vec![], vec![]),
    };
    let control = control.into_iter().filter(|c| c.group == "aes").collect();
    let mut groups = Vec::new();
    let mut by_group: BTreeMap<&str, Vec<&Comparison>> = BTreeMap::new();
    for c in &aa {
        by_group.entry(c.group.as_str()).or_default().push(c);
    }
    for (group, members) in by_group {
        let Some((change, _, n)) = pairings[0].combined(|r| r.group == group, opts.boot) else {
            continue;
        };
        let ratios: Vec<Vec<f64>> = pairings[0]
            .benches
            .iter()
            .filter(|m| m.after.group == group)
            .filter_map(|m| m.ratios())
            .collect();
        let needed: Option<Vec<u32>> = ratios
            .iter()
            .map(|r| rounds_for(r, &schedule, mde_to_detect(TARGET_PCT), doc.seed))
            .collect();
        let rounds_for_target = needed.and_then(|n| n.into_iter().max());
        groups.push(GroupCalibration {
            group: group.to_string(),
            benches: n,
            aa: change,
            bench_mde_pct: members.iter().filter_map(|c| c.mde_pct).fold(0.0, f64::max),
            rounds_run: ratios.iter().map(Vec::len).max().unwrap_or(0),
            rounds_for_target,
            seconds_for_target: rounds_for_target.map(|r| r as f64 * 2.0 * seconds_per_visit),
        });
    }
    Calibration {
        rounds: doc.settings.rounds,
        max_rounds: doc.settings.stopping.unwrap_or_default().max_rounds,
        groups,
        aa,
        control,
    }
}

/// The first look of `schedule` at which its interval, over rounds like the A/A
/// `ratios` measured (resampled with replacement to the look's length, seeded),
/// is at most `mde_pct` wide on each side in at least half the resamples. None
/// when no look reaches it or there are too few ratios to tell.
pub fn rounds_for(ratios: &[f64], schedule: &Schedule, mde_pct: f64, seed: u64) -> Option<u32> {
    const RESAMPLES: usize = 200;
    if ratios.len() < 3 {
        return None;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let centre = crate::stats::median(ratios)?;
    schedule.0.iter().filter(|l| l.rank > 0).find_map(|look| {
        let narrow = (0..RESAMPLES)
            .filter(|_| {
                let draw: Vec<f64> = (0..look.rounds)
                    .map(|_| ratios[rng.gen_range(0..ratios.len())] / centre)
                    .collect();
                schedule
                    .interval(&draw)
                    .is_some_and(|i| (i.high - 1.0).max(1.0 - i.low) * 100.0 <= mde_pct)
            })
            .count();
        (narrow * 2 >= RESAMPLES).then_some(look.rounds)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detecting_3_percent_with_80_percent_power_needs_an_mde_near_2_1() {
        assert!((mde_to_detect(3.0) - 2.0988).abs() < 1e-3);
    }

    #[test]
    fn noisier_rounds_need_more_rounds_to_detect_3_percent() {
        let schedule = crate::sequential::Stopping::default().schedule();
        let spread = |sd: f64| -> Vec<f64> {
            // A fixed, symmetric set of per-round ratios with about this spread.
            (0..30)
                .map(|i| 1.0 + sd * ((i as f64 + 0.5) / 30.0 - 0.5) * 3.4)
                .collect()
        };
        let quiet = rounds_for(&spread(0.005), &schedule, mde_to_detect(3.0), 1);
        let noisy = rounds_for(&spread(0.02), &schedule, mde_to_detect(3.0), 1);
        let wild = rounds_for(&spread(0.2), &schedule, mde_to_detect(3.0), 1);
        assert_eq!(quiet, Some(7), "the first look suffices");
        assert!(noisy.unwrap() > 7, "{noisy:?}");
        assert_eq!(wild, None, "no look of the design gets there");
        assert_eq!(rounds_for(&[1.0, 1.01], &schedule, 2.0, 1), None);
    }

    #[test]
    fn the_control_masks_aes_ni_and_the_a_a_pair_shares_everything_else() {
        let vs = variants(Variant::system());
        assert_eq!(vs.len(), 3);
        assert_eq!(vs[1].lib_dirs, vs[0].lib_dirs);
        assert!(vs[1].env.is_empty());
        assert_eq!(
            vs[2].env.get("OPENSSL_ia32cap").map(String::as_str),
            Some(MASK_AES_NI)
        );
        let names: Vec<&str> = vs.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["system", "system-again", "no-aes-ni"]);
    }
}
