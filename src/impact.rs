//! What a rebuild gives one probed workload: each object's share of the
//! workload's CPU time (`probe --libraries`) joined with the change a run
//! measured for that library, projected as the CPU time saved.
//!
//! A library whose benchmarks run *r* times as fast takes 1 − 1/r of its time
//! off; the workload saves Σ shareᵢ × (1 − 1/rᵢ) of its CPU time. The Amdahl
//! ceiling is Σ shareᵢ over the measured libraries: the saving if each became
//! infinitely fast. Objects the run did not measure are listed as unknown,
//! never counted as zero. The interval carries both uncertainties by the delta
//! method: each share's and each time saving's standard error is read off its
//! 95 % interval (half-width / 1.96), shares and savings are taken as
//! independent, and Var(Σ sᵢtᵢ) = Σ tᵢ²σsᵢ² + sᵢ²σtᵢ² + σsᵢ²σtᵢ². This module
//! reads documents and computes; it does not print.

use crate::compare::{self, Direction, Options};
use crate::error::{Error, Result};
use crate::library::Library;
use crate::results::libraries::{LibraryShares, ObjectKind, ObjectShare};
use crate::results::Document;
use crate::workload::subject_of;
use serde::Serialize;

const Z95: f64 = 1.959_964;

pub const METHOD: &str = "delta method: standard errors from the 95 % intervals of each share (block bootstrap) and each change (the run's bootstrap), taken as independent";

/// One object of the probe, with the run's change for it when there is one.
#[derive(Debug, Clone, Serialize)]
pub struct ObjectImpact {
    pub name: String,
    /// What the run's benchmarks call it: `zlib`, `glibc`, `python`…
    pub subject: Option<String>,
    pub kind: ObjectKind,
    pub share_pct: f64,
    pub share_ci_pct: [f64; 2],
    /// None: the run measured nothing of it (unknown, not zero).
    pub change: Option<LibraryChange>,
    /// share × time saved, in percent of the workload's CPU time.
    pub saving_pct: Option<f64>,
}

/// A library's change in the run: the geometric mean of its benchmarks.
#[derive(Debug, Clone, Serialize)]
pub struct LibraryChange {
    pub benches: usize,
    /// As the run reports it (a rate's gain, or a time's reduction).
    pub change_pct: f64,
    pub change_ci_pct: [f64; 2],
    /// The same change as the time one unit of its work takes less: 1 − 1/ratio.
    pub time_saved_pct: f64,
    pub time_saved_ci_pct: [f64; 2],
    /// Both variants loaded the same file for it: nothing was rebuilt, so
    /// nothing changes (0 exactly, not the benchmarks' noise).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub not_rebuilt: bool,
}

/// The projection over all measured objects (or one claim's).
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Projection {
    /// CPU time saved, in percent of the workload's (sampled) CPU time.
    pub saving_pct: f64,
    pub saving_ci_pct: [f64; 2],
    /// The same as a speed-up of the workload: 1/(1 − saving) − 1.
    pub speedup_pct: f64,
    pub speedup_ci_pct: [f64; 2],
    /// The share of the measured objects: the saving if they took no time at all.
    pub ceiling_pct: f64,
    pub ceiling_ci_pct: [f64; 2],
}

/// A claim read from the user's side: its libraries' projected gain for this workload.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimProjection {
    pub id: String,
    pub title: String,
    pub range_pct: [f64; 2],
    /// The probed objects its benchmarks measure.
    pub subjects: Vec<String>,
    pub projection: Option<Projection>,
    pub verdict: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Impact {
    pub baseline: String,
    pub variant: String,
    pub kernel_sampled: bool,
    pub samples: u64,
    pub objects: Vec<ObjectImpact>,
    pub projection: Projection,
    pub method: String,
    pub claims: Vec<ClaimProjection>,
}

/// What the run's benchmarks call the library or program in `o`.
pub fn subject(o: &ObjectShare) -> Option<&'static str> {
    let name = o.soname.as_deref().unwrap_or(&o.name);
    if let Some(l) = Library::ALL.iter().find(|l| l.matches_file(name)) {
        return Some(l.name());
    }
    let exe = o.kind == ObjectKind::Executable;
    if name.starts_with("libc.so") {
        Some("glibc")
    } else if name.starts_with("libpython3") || (exe && name.starts_with("python3")) {
        Some("python")
    } else if name.starts_with("libnode.so") || (exe && name == "node") {
        Some("node")
    } else {
        None
    }
}

/// The benchmarks of the run whose subject is `subject` alone, else those that
/// include it (TLS measures libcrypto and libssl together).
fn benches_of(run: &Document, subject: &str) -> Vec<String> {
    let mut ids: Vec<&str> = run.results.iter().map(|r| r.bench.as_str()).collect();
    ids.dedup();
    let names = |id: &str| subject_of(id).map(|n| n.names()).unwrap_or_default();
    let only: Vec<String> = ids
        .iter()
        .filter(|id| names(id) == [subject])
        .map(|s| s.to_string())
        .collect();
    if !only.is_empty() {
        return only;
    }
    ids.iter()
        .filter(|id| names(id).contains(&subject))
        .map(|s| s.to_string())
        .collect()
}

/// Joins a probe's shares with the changes of `run` for `variant` (default:
/// the second variant against the first).
pub fn project(probe: &Document, run: &Document, variant: Option<&str>) -> Result<Impact> {
    let shares = shares_of(probe)?;
    let pairings = compare::within_run(run);
    let pairing = match variant {
        Some(v) => pairings.iter().find(|p| p.variant == v),
        None => pairings.first(),
    }
    .ok_or_else(|| Error::Impact {
        why: match variant {
            Some(v) => format!("the run compares no variant named `{v}`"),
            None => "the run compares nothing (one variant): run two variants side by side".into(),
        },
    })?;
    let join = Join {
        pairing,
        opts: Options::new(crate::results::DEFAULT_NOISE_PCT, run.seed),
        benches: shares
            .objects
            .iter()
            .map(|o| subject(o).map(|s| benches_of(run, s)).unwrap_or_default())
            .collect(),
    };
    let objects = join.objects(shares, |_| true);
    let claims = run
        .claims
        .iter()
        .filter(|c| c.variant.as_deref() == Some(pairing.variant.as_str()))
        .map(|c| {
            let mine = join.objects(shares, |b| c.benches.iter().any(|x| x == b));
            let mine: Vec<&ObjectImpact> = mine.iter().filter(|o| o.change.is_some()).collect();
            let projection = (!mine.is_empty()).then(|| projection(&mine));
            ClaimProjection {
                id: c.id.clone(),
                title: c.title.clone(),
                range_pct: c.range_pct,
                subjects: mine.iter().map(|o| o.name.clone()).collect(),
                verdict: if c.benches.is_empty() {
                    "not measured: the run measured none of the claim's benchmarks".into()
                } else {
                    judge(projection.as_ref(), c.range_pct)
                },
                projection,
            }
        })
        .collect();
    let all: Vec<&ObjectImpact> = objects.iter().collect();
    Ok(Impact {
        baseline: pairing.baseline.clone(),
        variant: pairing.variant.clone(),
        kernel_sampled: shares.kernel_sampled,
        samples: shares.samples,
        projection: projection(&all),
        objects,
        method: METHOD.into(),
        claims,
    })
}

/// One pairing of the run, and each probed object's benchmarks in it.
struct Join<'a> {
    pairing: &'a compare::Pairing<'a>,
    opts: Options,
    benches: Vec<Vec<String>>,
}

impl Join<'_> {
    /// Every object of the probe, each with the change of its benchmarks that
    /// `keep` admits (a claim's), None when there are none.
    fn objects(&self, shares: &LibraryShares, keep: impl Fn(&str) -> bool) -> Vec<ObjectImpact> {
        shares
            .objects
            .iter()
            .zip(&self.benches)
            .map(|(o, benches)| {
                let kept: Vec<&String> = benches.iter().filter(|b| keep(b)).collect();
                let change = self.change(&kept);
                ObjectImpact {
                    name: o.name.clone(),
                    subject: subject(o).map(String::from),
                    kind: o.kind,
                    share_pct: o.share_pct,
                    share_ci_pct: [o.ci_low_pct, o.ci_high_pct],
                    saving_pct: change
                        .as_ref()
                        .map(|c| o.share_pct * c.time_saved_pct / 100.0),
                    change,
                }
            })
            .collect()
    }

    /// The geometric mean of the rebuilt ones of `benches`; none changes,
    /// exactly, when none was.
    fn change(&self, benches: &[&String]) -> Option<LibraryChange> {
        if benches.is_empty() {
            return None;
        }
        let p = self.pairing;
        if !benches.iter().any(|b| p.rebuilt(b)) {
            return Some(LibraryChange {
                not_rebuilt: true,
                ..library_change(0.0, [0.0, 0.0], Direction::LowerIsBetter, benches.len())
            });
        }
        let keep = |r: &crate::results::BenchResult| {
            benches.iter().any(|b| **b == r.bench) && p.rebuilt(&r.bench)
        };
        let (c, dir, n) = p.combined(keep, self.opts.boot)?;
        Some(library_change(c.pct, [c.low, c.high], dir, n))
    }
}

fn shares_of(probe: &Document) -> Result<&LibraryShares> {
    let shares = probe
        .probe
        .as_ref()
        .and_then(|p| p.libraries.as_ref())
        .ok_or_else(|| Error::Impact {
            why: "the first document holds no CPU shares by library: make it with `storebench probe … --libraries --json FILE`".into(),
        })?;
    if shares.samples == 0 {
        return Err(Error::Impact {
            why: "the probe took no samples: its processes did not run on a CPU during the window"
                .into(),
        });
    }
    Ok(shares)
}

/// A change and its CI as the run reports it, and as time saved per unit of work.
pub fn library_change(pct: f64, ci: [f64; 2], dir: Direction, benches: usize) -> LibraryChange {
    let saved = |p: f64| match dir {
        Direction::LowerIsBetter => p,
        Direction::HigherIsBetter => 100.0 * (1.0 - 100.0 / (100.0 + p)),
    };
    LibraryChange {
        benches,
        change_pct: pct,
        change_ci_pct: ci,
        time_saved_pct: saved(pct),
        time_saved_ci_pct: [saved(ci[0]), saved(ci[1])],
        not_rebuilt: false,
    }
}

/// Σ share × time saved with its delta-method CI, and the Amdahl ceiling.
pub fn projection(objects: &[&ObjectImpact]) -> Projection {
    let se = |ci: [f64; 2]| (ci[1] - ci[0]) / (2.0 * Z95) / 100.0;
    let (mut saving, mut var, mut ceiling, mut ceiling_var) = (0.0, 0.0, 0.0, 0.0);
    for o in objects {
        let Some(c) = &o.change else { continue };
        let (s, t) = (o.share_pct / 100.0, c.time_saved_pct / 100.0);
        let (ss, st) = (se(o.share_ci_pct), se(c.time_saved_ci_pct));
        saving += s * t;
        var += t * t * ss * ss + s * s * st * st + ss * ss * st * st;
        ceiling += s;
        ceiling_var += ss * ss;
    }
    let half = Z95 * var.sqrt();
    let ceiling_half = Z95 * ceiling_var.sqrt();
    let speedup = |x: f64| 100.0 * (1.0 / (1.0 - x.min(0.999_999)) - 1.0);
    Projection {
        saving_pct: 100.0 * saving,
        saving_ci_pct: [100.0 * (saving - half), 100.0 * (saving + half)],
        speedup_pct: speedup(saving),
        speedup_ci_pct: [speedup(saving - half), speedup(saving + half)],
        ceiling_pct: 100.0 * ceiling,
        ceiling_ci_pct: [
            100.0 * (ceiling - ceiling_half).max(0.0),
            100.0 * (ceiling + ceiling_half).min(1.0),
        ],
    }
}

/// A claimed speed-up range against the workload's projected speed-up.
pub fn judge(p: Option<&Projection>, range: [f64; 2]) -> String {
    let Some(p) = p else {
        return "not measured: the probe spent no time in what the claim's benchmarks measure"
            .into();
    };
    let [low, high] = p.speedup_ci_pct;
    if low > range[1] {
        "exceeded".into()
    } else if low >= range[0] {
        "confirmed".into()
    } else if high < range[0] {
        "below claim".into()
    } else {
        "inconclusive".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(name: &str, share: f64, ci: [f64; 2], change: Option<LibraryChange>) -> ObjectImpact {
        ObjectImpact {
            name: name.into(),
            subject: None,
            kind: ObjectKind::Library,
            share_pct: share,
            share_ci_pct: ci,
            saving_pct: None,
            change,
        }
    }

    #[test]
    fn a_rate_twice_as_high_halves_the_time_and_a_time_change_is_already_a_saving() {
        let c = library_change(100.0, [80.0, 125.0], Direction::HigherIsBetter, 3);
        assert!((c.time_saved_pct - 50.0).abs() < 1e-9);
        assert!((c.time_saved_ci_pct[0] - 100.0 * (1.0 - 1.0 / 1.8)).abs() < 1e-9);
        assert!((c.time_saved_ci_pct[1] - 100.0 * (1.0 - 1.0 / 2.25)).abs() < 1e-9);
        let t = library_change(-10.0, [-12.0, -8.0], Direction::LowerIsBetter, 1);
        assert_eq!(t.time_saved_pct, -10.0);
    }

    #[test]
    fn a_library_not_rebuilt_changes_nothing_exactly() {
        let doc = crate::compare::tests::only_zlib_rebuilt();
        let pairings = compare::within_run(&doc);
        let join = Join {
            pairing: &pairings[0],
            opts: Options::new(1.0, 1),
            benches: vec![],
        };
        let (libc, zlib) = (
            "libc/memcpy/4096".to_string(),
            "compress/zlib/l6/text".to_string(),
        );
        let c = join.change(&[&libc]).unwrap();
        assert!(c.not_rebuilt, "{c:?}");
        assert_eq!((c.change_pct, c.change_ci_pct), (0.0, [0.0, 0.0]));
        assert_eq!((c.time_saved_pct, c.time_saved_ci_pct), (0.0, [0.0, 0.0]));
        let c = join.change(&[&zlib]).unwrap();
        assert!(!c.not_rebuilt && c.change_pct > 20.0, "{c:?}");
    }

    #[test]
    fn the_saving_is_the_sum_of_share_times_saving_and_unknowns_count_nowhere() {
        let exact = |pct: f64| library_change(pct, [pct, pct], Direction::LowerIsBetter, 1);
        let zlib = object("libz.so.1", 60.0, [60.0, 60.0], Some(exact(20.0)));
        let libc = object("libc.so.6", 10.0, [10.0, 10.0], Some(exact(-5.0)));
        let other = object("libfoo.so", 30.0, [30.0, 30.0], None);
        let p = projection(&[&zlib, &libc, &other]);
        assert!((p.saving_pct - (12.0 - 0.5)).abs() < 1e-9, "{p:?}");
        assert_eq!(p.saving_ci_pct, [p.saving_pct, p.saving_pct]);
        assert!((p.ceiling_pct - 70.0).abs() < 1e-9);
        assert!((p.speedup_pct - 100.0 * (1.0 / (1.0 - 0.115) - 1.0)).abs() < 1e-9);
    }

    #[test]
    fn the_interval_carries_both_the_share_and_the_change_uncertainty() {
        let half = Z95; // a CI ±1.96 points: a standard error of one point
        let c = library_change(
            20.0,
            [20.0 - half, 20.0 + half],
            Direction::LowerIsBetter,
            1,
        );
        let sure_share = object("a", 50.0, [50.0, 50.0], Some(c.clone()));
        let p = projection(&[&sure_share]);
        // σ = s·σt = 0.5 × 0.01
        assert!((p.saving_ci_pct[1] - p.saving_pct - 100.0 * Z95 * 0.005).abs() < 1e-9);
        let both = object("a", 50.0, [50.0 - half, 50.0 + half], Some(c));
        let q = projection(&[&both]);
        let sd = (0.2f64.powi(2) * 1e-4 + 0.25 * 1e-4 + 1e-8).sqrt();
        assert!((q.saving_ci_pct[1] - q.saving_pct - 100.0 * Z95 * sd).abs() < 1e-9);
        assert!(q.saving_ci_pct[1] > p.saving_ci_pct[1]);
    }

    #[test]
    fn a_claim_is_judged_by_the_projected_speedup_of_the_workload() {
        let p = |lo: f64, hi: f64| Projection {
            saving_pct: 0.0,
            saving_ci_pct: [0.0, 0.0],
            speedup_pct: (lo + hi) / 2.0,
            speedup_ci_pct: [lo, hi],
            ceiling_pct: 0.0,
            ceiling_ci_pct: [0.0, 0.0],
        };
        assert_eq!(judge(Some(&p(0.5, 1.5)), [3.0, 8.0]), "below claim");
        assert_eq!(judge(Some(&p(4.0, 6.0)), [3.0, 8.0]), "confirmed");
        assert_eq!(judge(Some(&p(9.0, 12.0)), [3.0, 8.0]), "exceeded");
        assert_eq!(judge(Some(&p(1.0, 5.0)), [3.0, 8.0]), "inconclusive");
        assert!(judge(None, [3.0, 8.0]).starts_with("not measured"));
    }
}
