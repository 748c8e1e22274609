//! Probes: the memory (PSS, RSS, USS, swap) and CPU use of running processes over
//! a time window, for the claims no micro-benchmark can check: desktop and
//! Electron RAM, video CPU.
//!
//! A probe's figures are ordinary results entries (`probe/NAME/pss`…, one value
//! per sample, group [`PROBE_GROUP`]), so baselines, comparisons and claims treat
//! them like any benchmark. Two system states cannot run side by side: probes
//! are compared between stored runs, unpaired. This module measures and builds
//! the document's parts; it does not print (the CLI does) and does not compare.
//!
//! `procfs` reads one process, `select` decides which processes, `sample` runs
//! the window. With `--libraries`, `perf` samples on-CPU time, `shares` places
//! the samples in shared objects and `libraries` runs that beside the window.

mod libraries;
mod perf;
mod procfs;
mod record;
mod sample;
mod select;
mod shares;

pub use libraries::{LibrarySampler, DEFAULT_HZ};
pub use sample::{Event, Observation, Sample, Window};
pub use select::{Selector, Session};

use crate::bounds::{MAX_SAMPLES, MAX_SPAN_SECONDS};
use crate::config::ProbeConfig;
use crate::error::{Error, Result};
use crate::results::{BenchResult, ProbeRecord, ProbedProcess, SkippedProcess, Unit, PROBE_GROUP};
use crate::stats;
use indexmap::IndexMap;
use std::time::Duration;

/// The window when neither the command line nor the probe's table gives one.
pub const DEFAULT_DURATION: Duration = Duration::from_secs(60);
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(1);

/// The name an ad-hoc probe (selectors, no name) files its results under.
pub const ADHOC: &str = "custom";

/// One figure a probe records: a sum over the counted processes per sample.
struct Metric {
    name: &'static str,
    unit: Unit,
    of: fn(&Sample) -> f64,
}

/// What a probe records; all of it better low.
const METRICS: [Metric; 5] = [
    Metric {
        name: "pss",
        unit: Unit::Bytes,
        of: |s| s.memory.pss as f64,
    },
    Metric {
        name: "rss",
        unit: Unit::Bytes,
        of: |s| s.memory.rss as f64,
    },
    Metric {
        name: "uss",
        unit: Unit::Bytes,
        of: |s| s.memory.uss as f64,
    },
    Metric {
        name: "swap",
        unit: Unit::Bytes,
        of: |s| s.memory.swap as f64,
    },
    Metric {
        name: "cpu",
        unit: Unit::CpuSecondsPerSecond,
        of: |s| s.cpu,
    },
];

/// `probe/desktop/pss`: the benchmark id of one metric of one probe.
pub fn bench_id(probe: &str, metric: &str) -> String {
    format!("probe/{probe}/{metric}")
}

/// A probe ready to run.
#[derive(Debug)]
pub struct Probe {
    pub name: String,
    pub description: Option<String>,
    pub selector: Selector,
    pub window: Window,
}

/// The probes known without a config: desktop, electron, video.
pub fn builtin() -> IndexMap<String, ProbeConfig> {
    toml::from_str(include_str!("default_probes.toml")).expect("the built-in probes parse")
}

impl Probe {
    /// Resolves `storebench probe [NAME] [selectors]`. Selectors on the command
    /// line (`adhoc`) make the probe, filed under NAME (default [`ADHOC`]);
    /// without them NAME is looked up in `configured`, then in [`builtin`].
    /// `duration` and `interval` override the table's.
    pub fn resolve(
        name: Option<&str>,
        adhoc: &ProbeConfig,
        configured: &IndexMap<String, ProbeConfig>,
        duration: Option<Duration>,
        interval: Option<Duration>,
    ) -> Result<Probe> {
        let builtin = builtin();
        let known = name.and_then(|n| configured.get(n).or_else(|| builtin.get(n)));
        let (name, cfg) = match (name, known) {
            (name, _) if has_selectors(adhoc) => (name.unwrap_or(ADHOC), adhoc),
            (Some(name), Some(cfg)) => (name, cfg),
            (Some(name), None) => {
                let mut names: Vec<&str> = configured.keys().map(String::as_str).collect();
                for b in builtin.keys() {
                    if !configured.contains_key(b) {
                        names.push(b);
                    }
                }
                return Err(Error::UnknownProbe {
                    name: name.into(),
                    known: names.join(", "),
                });
            }
            (None, _) => (ADHOC, adhoc),
        };
        check_name(name)?;
        let window = Window {
            duration: pick(name, "duration", duration, &cfg.duration, DEFAULT_DURATION)?,
            interval: pick(name, "interval", interval, &cfg.interval, DEFAULT_INTERVAL)?,
        };
        if window.samples() > MAX_SAMPLES {
            return Err(Error::ProbeWindow {
                probe: name.into(),
                why: format!(
                    "{} every {} is {} samples, more than the {MAX_SAMPLES} a probe takes: lengthen the interval or shorten the duration",
                    humantime::format_duration(window.duration),
                    humantime::format_duration(window.interval),
                    window.samples()
                ),
            });
        }
        Ok(Probe {
            name: name.into(),
            description: cfg.description.clone(),
            selector: Selector::new(cfg, Session::current())?,
            window,
        })
    }

    pub fn observe(&self, on_event: &mut dyn FnMut(Event)) -> Result<Observation> {
        sample::observe(&self.selector, self.window, on_event)
    }

    /// One results entry per metric, for the variant `label` (the system state).
    pub fn results(&self, label: &str, obs: &Observation) -> Vec<BenchResult> {
        METRICS
            .iter()
            .map(|m| {
                BenchResult::from_values(
                    &bench_id(&self.name, m.name),
                    PROBE_GROUP,
                    label,
                    m.unit,
                    obs.samples.iter().map(m.of).collect(),
                )
            })
            .collect()
    }

    /// What was watched: the selectors, every counted process, every skipped one.
    pub fn record(&self, obs: &Observation) -> ProbeRecord {
        ProbeRecord {
            name: self.name.clone(),
            selectors: self.selector.describe(),
            interval_seconds: self.window.interval.as_secs_f64(),
            samples: obs.samples.len(),
            processes: obs.processes.iter().map(probed).collect(),
            skipped: obs
                .skipped
                .iter()
                .map(|s| SkippedProcess {
                    pid: s.pid,
                    name: s.name.clone(),
                    uid: s.uid,
                    reason: s.reason.clone(),
                })
                .collect(),
            libraries: None,
        }
    }
}

fn probed(t: &sample::Tracked) -> ProbedProcess {
    let median_of = |f: fn(&sample::Point) -> f64| {
        let v: Vec<f64> = t.points.iter().map(f).collect();
        stats::median(&v).unwrap_or(0.0)
    };
    let cpu: Vec<f64> = t.points.iter().filter_map(|p| p.cpu).collect();
    ProbedProcess {
        pid: t.pid,
        name: t.name.clone(),
        command: t.command.clone(),
        samples: t.points.len(),
        first_sample: t.points.first().map_or(0, |p| p.sample),
        last_sample: t.points.last().map_or(0, |p| p.sample),
        median_pss: median_of(|p| p.memory.pss as f64) as u64,
        median_rss: median_of(|p| p.memory.rss as f64) as u64,
        median_uss: median_of(|p| p.memory.uss as f64) as u64,
        median_swap: median_of(|p| p.memory.swap as f64) as u64,
        median_cpu: stats::median(&cpu),
    }
}

fn has_selectors(cfg: &ProbeConfig) -> bool {
    cfg.session
        || !cfg.names.is_empty()
        || !cfg.pids.is_empty()
        || !cfg.units.is_empty()
        || !cfg.cgroups.is_empty()
}

/// Probe names become part of benchmark ids, so `/` and spaces are out.
fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(Error::ProbeName(name.into()))
    }
}

/// The command line's value, else the table's (humantime text), else `default`.
fn pick(
    probe: &str,
    key: &str,
    given: Option<Duration>,
    table: &Option<String>,
    default: Duration,
) -> Result<Duration> {
    let d = match (given, table) {
        (Some(d), _) => d,
        (None, Some(text)) => humantime::parse_duration(text).map_err(|e| Error::ProbeWindow {
            probe: probe.into(),
            why: format!("{key} `{text}`: {e}"),
        })?,
        (None, None) => default,
    };
    if d.is_zero() {
        return Err(Error::ProbeWindow {
            probe: probe.into(),
            why: format!("{key} is zero"),
        });
    }
    if d.as_secs_f64() > MAX_SPAN_SECONDS {
        return Err(Error::ProbeWindow {
            probe: probe.into(),
            why: format!("{key} is longer than a week"),
        });
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_probes_cover_the_three_system_claims() {
        let b = builtin();
        assert!(b["desktop"].session);
        assert!(b["electron"].names.iter().any(|n| n == "electron"));
        assert!(!b["video"].names.is_empty());
    }

    #[test]
    fn a_configured_probe_replaces_the_builtin_one_and_keeps_its_window() {
        let configured: IndexMap<String, ProbeConfig> = toml::from_str(
            "[electron]\nnames = [\"slack\"]\nduration = \"10s\"\ninterval = \"500ms\"\n",
        )
        .unwrap();
        let p = Probe::resolve(
            Some("electron"),
            &ProbeConfig::default(),
            &configured,
            None,
            None,
        )
        .unwrap();
        assert_eq!(p.selector.describe(), ["--name 'slack'"]);
        assert_eq!(p.window.samples(), 20);
    }

    #[test]
    fn command_line_selectors_make_an_adhoc_probe_under_the_given_name() {
        let adhoc = ProbeConfig {
            pids: vec![1],
            tree: true,
            ..ProbeConfig::default()
        };
        let p = Probe::resolve(Some("mine"), &adhoc, &IndexMap::new(), None, None).unwrap();
        assert_eq!(p.name, "mine");
        assert_eq!(p.window.duration, DEFAULT_DURATION);
        let p = Probe::resolve(None, &adhoc, &IndexMap::new(), None, None).unwrap();
        assert_eq!(p.name, ADHOC);
    }

    #[test]
    fn an_unknown_probe_lists_the_known_ones() {
        let err = Probe::resolve(
            Some("kde"),
            &ProbeConfig::default(),
            &IndexMap::new(),
            None,
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("kde") && err.contains("desktop, electron, video"),
            "{err}"
        );
    }

    #[test]
    fn a_name_with_a_slash_or_a_bad_duration_is_refused() {
        let adhoc = ProbeConfig {
            pids: vec![1],
            ..ProbeConfig::default()
        };
        let e = Probe::resolve(Some("a/b"), &adhoc, &IndexMap::new(), None, None).unwrap_err();
        assert!(e.to_string().contains("a/b"), "{e}");
        let bad = ProbeConfig {
            duration: Some("soon".into()),
            ..adhoc
        };
        let e = Probe::resolve(Some("x"), &bad, &IndexMap::new(), None, None).unwrap_err();
        assert!(e.to_string().contains("soon"), "{e}");
    }

    #[test]
    fn an_interval_far_below_the_duration_is_refused_before_sampling() {
        let adhoc = ProbeConfig {
            pids: vec![1],
            ..ProbeConfig::default()
        };
        let (day, ns) = (Duration::from_secs(86_400), Duration::from_nanos(1));
        let e = Probe::resolve(None, &adhoc, &IndexMap::new(), Some(day), Some(ns)).unwrap_err();
        assert!(
            e.to_string().contains("more than the 10000 a probe takes"),
            "{e}"
        );
        let long = ProbeConfig {
            duration: Some("100years".into()),
            ..adhoc
        };
        let e = Probe::resolve(None, &long, &IndexMap::new(), None, None).unwrap_err();
        assert!(e.to_string().contains("longer than a week"), "{e}");
    }

    #[test]
    fn results_hold_one_lower_is_better_value_per_sample() {
        let p = Probe::resolve(
            Some("t"),
            &ProbeConfig {
                pids: vec![1],
                ..ProbeConfig::default()
            },
            &IndexMap::new(),
            None,
            None,
        )
        .unwrap();
        let s = |pss: u64, cpu: f64| Sample {
            wall_seconds: 1.0,
            processes: 1,
            memory: procfs::Memory {
                rss: 2 * pss,
                pss,
                uss: pss / 2,
                swap: 0,
            },
            cpu,
        };
        let obs = Observation {
            samples: vec![s(100, 0.5), s(300, 1.5)],
            processes: vec![],
            skipped: vec![],
        };
        let results = p.results("before", &obs);
        let ids: Vec<&str> = results.iter().map(|r| r.bench.as_str()).collect();
        assert_eq!(
            ids,
            [
                "probe/t/pss",
                "probe/t/rss",
                "probe/t/uss",
                "probe/t/swap",
                "probe/t/cpu"
            ]
        );
        assert!(results.iter().all(|r| r.group == PROBE_GROUP
            && r.variant == "before"
            && r.rounds.is_empty()
            && !r.unit.higher_is_better()));
        assert_eq!(results[0].figures(), [100.0, 300.0]);
        assert_eq!(results[1].throughput.as_ref().unwrap().median, 400.0);
        assert_eq!(results[4].figures(), [0.5, 1.5]);
    }
}
