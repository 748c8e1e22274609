//! Scenarios: the plan's claims about a running system (Electron memory, video
//! CPU, desktop memory) run end to end here, with real programs, or the precise
//! reason why one cannot be measured on this machine.
//!
//! Each scenario starts a setup as the plan leaves it (`stock`) and as the plan
//! changes it (`plan`), alternately, [`Options::repeats`] times, and measures
//! each with the probe's sampler ([`crate::probe`]) or as a command workload
//! ([`crate::runner`]). One figure per repeat and setup becomes a results entry
//! (`probe/electron/pss`…), so the repeats pair by index and the claims are
//! judged as for any run ([`crate::claims::analyse`]). What a scenario could not
//! measure it says in [`Outcome::unmeasured`], and [`explain`] puts that reason
//! into the claim's verdict in place of the generic "not measured".
//!
//! This module runs and assembles; it does not print (the CLI does).

mod cgroup;
mod desktop;
mod document;
mod electron;
mod group;
mod video;

pub use document::document;

use crate::error::{Error, Result};
use crate::probe::{Observation, Probe, Selector, Session, Window};
use crate::results::{BenchResult, ClaimOutcome, Document, Unit, PROBE_GROUP};
use crate::{config::ProbeConfig, stats};
use indexmap::IndexMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The two setups every scenario compares, as the document's variants.
pub const STOCK: &str = "stock";
pub const PLAN: &str = "plan";

/// The scenarios, in the order `storebench scenario` runs them by default.
pub const NAMES: [&str; 3] = ["electron", "video", "desktop"];

/// How long and how often a scenario measures.
#[derive(Debug, Clone)]
pub struct Options {
    /// Times each setup is started and measured; the repeats pair by index.
    pub repeats: u32,
    /// Time a setup runs before it is measured (pages load, indexers start).
    pub settle: Duration,
    /// The probe's window per repeat, and its interval.
    pub window: Window,
    /// Where the generated video clip is kept between runs.
    pub cache: PathBuf,
    /// Clip length in seconds.
    pub clip_seconds: u32,
}

/// What one scenario measured, and what it could not.
#[derive(Debug, Default)]
pub struct Outcome {
    pub scenario: String,
    pub results: Vec<BenchResult>,
    /// What each setup was, by variant name: the switches, the settings.
    pub setups: IndexMap<String, String>,
    /// Claims this scenario could not measure, by id, with the precise reason.
    pub unmeasured: Vec<(String, String)>,
    /// What a reader of the figures should know (a flag that had no effect here).
    pub notes: Vec<String>,
    pub seconds: f64,
}

/// About how long `name` takes with `opts`, in seconds, to say before it starts:
/// each start of a setup costs its startup and stop besides the settle and window.
pub fn expected_seconds(name: &str, opts: &Options) -> f64 {
    let starts = 2.0 * f64::from(opts.repeats);
    let each = opts.settle.as_secs_f64() + opts.window.duration.as_secs_f64();
    match name {
        "electron" => starts * (each + 4.0),
        "desktop" => starts * (each + 5.0),
        // One warm-up and `repeats` decodes per setup, about 1 s each, and the
        // clip made once (about 1.5 s per second of clip).
        _ => starts + 2.0 + 1.5 * f64::from(opts.clip_seconds),
    }
}

/// Runs one scenario by name; `on_step` hears of each setup measured.
pub fn run(name: &str, opts: &Options, on_step: &mut dyn FnMut(Step)) -> Result<Outcome> {
    let clock = Instant::now();
    let mut out = match name {
        "electron" => electron::run(opts, on_step)?,
        "video" => video::run(opts)?,
        "desktop" => desktop::run(opts, on_step)?,
        other => {
            return Err(Error::Scenario {
                scenario: other.into(),
                why: format!("no such scenario (known: {})", NAMES.join(", ")),
            })
        }
    };
    out.scenario = name.into();
    out.seconds = clock.elapsed().as_secs_f64();
    Ok(out)
}

/// Starts one setup; the returned session is measured, then dropped (stopped).
type Start<'a> = dyn FnMut(&str) -> Result<group::Group> + 'a;

/// One setup measured once, for progress lines.
#[derive(Debug, Clone, Copy)]
pub struct Step<'a> {
    pub probe: &'a str,
    pub repeat: u32,
    pub of: u32,
    pub setup: &'a str,
    pub processes: usize,
    /// The median PSS over the window, in bytes.
    pub pss: f64,
}

/// Starts `stock` and `plan` alternately (`stock` first in even repeats), lets
/// each settle, probes its process trees over the window and keeps one figure
/// per metric and repeat: the median over the window's samples for memory, the
/// mean for CPU (idle samples are often zero).
fn alternate(
    probe: &str,
    opts: &Options,
    start: &mut Start,
    on_step: &mut dyn FnMut(Step),
) -> Result<Vec<BenchResult>> {
    let mut figures: IndexMap<(String, String), (Unit, Vec<f64>)> = IndexMap::new();
    for repeat in 0..opts.repeats {
        let order = if repeat % 2 == 0 {
            [STOCK, PLAN]
        } else {
            [PLAN, STOCK]
        };
        for setup in order {
            let session = start(setup)?;
            std::thread::sleep(opts.settle);
            let watch = tree_probe(probe, session.pids(), opts.window)?;
            let obs = watch.observe(&mut |_| {})?;
            drop(session);
            for r in watch.results(setup, &obs) {
                let Some(m) = per_repeat(&r) else { continue };
                figures
                    .entry((r.bench.clone(), setup.to_string()))
                    .or_insert((r.unit, vec![]))
                    .1
                    .push(m);
            }
            on_step(Step {
                probe,
                repeat: repeat + 1,
                of: opts.repeats,
                setup,
                processes: obs.processes.len(),
                pss: pss_median(&obs),
            });
        }
    }
    Ok(figures
        .into_iter()
        .map(|((bench, variant), (unit, values))| {
            BenchResult::from_values(&bench, PROBE_GROUP, &variant, unit, values)
        })
        .collect())
}

/// Leaves out the metrics with a zero figure in some repeat (swap on most
/// machines, the CPU of an idle session: under one clock tick per window),
/// which give no ratio to judge, and says which in `out.notes`.
fn keep_measurable(out: &mut Outcome, results: Vec<BenchResult>) {
    let zero: Vec<String> = results
        .iter()
        .filter(|r| r.values.iter().any(|&v| v <= 0.0))
        .map(|r| r.bench.clone())
        .collect();
    let mut named: Vec<&str> = zero.iter().map(String::as_str).collect();
    named.sort_unstable();
    named.dedup();
    for bench in named.iter().filter(|b| !b.ends_with("/swap")) {
        out.notes.push(format!(
            "{bench} left out: some repeat measured zero (under one clock tick of CPU, or no swap), which gives no ratio"
        ));
    }
    out.results
        .extend(results.into_iter().filter(|r| !zero.contains(&r.bench)));
}

/// One repeat's figure from a window's samples.
fn per_repeat(r: &BenchResult) -> Option<f64> {
    let v = r.figures();
    if r.unit == Unit::CpuSecondsPerSecond {
        (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
    } else {
        stats::median(&v)
    }
}

fn pss_median(obs: &Observation) -> f64 {
    let v: Vec<f64> = obs.samples.iter().map(|s| s.memory.pss as f64).collect();
    stats::median(&v).unwrap_or(0.0)
}

/// A probe named `name` over the process trees of `pids`.
fn tree_probe(name: &str, pids: Vec<u32>, window: Window) -> Result<Probe> {
    let cfg = ProbeConfig {
        pids,
        tree: true,
        ..ProbeConfig::default()
    };
    Ok(Probe {
        name: name.into(),
        description: None,
        selector: Selector::new(&cfg, Session::current())?,
        window,
    })
}

/// Replaces the generic "not measured" verdict of each claim a scenario could
/// not measure with the scenario's reason, so the table and the report say why.
pub fn explain(doc: &mut Document, outcomes: &[Outcome]) {
    for o in outcomes {
        for (id, why) in &o.unmeasured {
            for v in doc.claims.iter_mut().filter(|v| &v.id == id) {
                if v.verdict == ClaimOutcome::NotMeasured {
                    v.sentence = format!("{}: not measured, {why}", v.title);
                }
            }
        }
    }
}

/// Takes the verdicts of a library run `run` for the claims `doc` left not
/// measured that `run` measured, so one claim table covers the whole plan.
pub fn adopt(doc: &mut Document, run: &Document) {
    for v in doc
        .claims
        .iter_mut()
        .filter(|v| v.verdict == ClaimOutcome::NotMeasured)
    {
        if let Some(theirs) = run
            .claims
            .iter()
            .find(|c| c.id == v.id && c.verdict != ClaimOutcome::NotMeasured)
        {
            *v = theirs.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::{self, Claims};
    use crate::compare::Options as Judging;

    fn outcome(scenario: &str, values: [&[f64]; 2], unmeasured: &[(&str, &str)]) -> Outcome {
        let results = [STOCK, PLAN]
            .iter()
            .zip(values)
            .filter(|(_, v)| !v.is_empty())
            .map(|(variant, v)| {
                BenchResult::from_values(
                    &format!("probe/{scenario}/pss"),
                    PROBE_GROUP,
                    variant,
                    Unit::Bytes,
                    v.to_vec(),
                )
            })
            .collect();
        Outcome {
            scenario: scenario.into(),
            results,
            unmeasured: unmeasured
                .iter()
                .map(|(c, w)| (c.to_string(), w.to_string()))
                .collect(),
            ..Outcome::default()
        }
    }

    fn judged(outcomes: &[Outcome]) -> Document {
        let mut doc = document(outcomes, "2026-12-06T00:00:00Z".into(), 7, 3);
        claims::analyse(&mut doc, None, &Claims::builtin(), Judging::new(1.0, 7));
        explain(&mut doc, outcomes);
        doc
    }

    #[test]
    fn repeats_pair_by_index_and_the_claim_gets_a_confidence_interval() {
        let o = outcome(
            "electron",
            [&[100.0, 104.0, 98.0, 101.0], &[65.0, 66.0, 64.0, 66.5]],
            &[],
        );
        let doc = judged(&[o]);
        let v = doc.claims.iter().find(|v| v.id == "electron-ram").unwrap();
        assert_eq!(v.paired, Some(true));
        assert!(v.ci_low_pct.is_some() && v.ci_high_pct.is_some(), "{v:?}");
        assert!(v.change_pct.unwrap() > 30.0, "{v:?}");
    }

    #[test]
    fn a_claim_a_scenario_could_not_measure_says_why_and_keeps_no_figure() {
        let o = outcome(
            "video",
            [&[1.0, 1.1, 0.9], &[]],
            &[("video-cpu", "no VA-API device was found.")],
        );
        let doc = judged(&[o]);
        assert_eq!(
            doc.variants.len(),
            1,
            "only the setup that ran is a variant"
        );
        let v = doc.claims.iter().find(|v| v.id == "video-cpu").unwrap();
        assert_eq!(v.verdict, ClaimOutcome::NotMeasured);
        assert!(
            v.sentence
                .ends_with("not measured, no VA-API device was found."),
            "{}",
            v.sentence
        );
        assert_eq!(v.change_pct, None);
    }

    #[test]
    fn a_library_run_fills_the_claims_the_scenarios_leave_unmeasured_only() {
        let video = outcome(
            "video",
            [&[1.0, 1.1, 0.9], &[]],
            &[("video-cpu", "no device.")],
        );
        let electron = outcome("electron", [&[10.0, 10.2, 10.1], &[9.0, 9.1, 9.0]], &[]);
        let mut doc = judged(&[video, electron]);
        let mut library = judged(&[outcome("x", [&[], &[]], &[])]);
        for c in &mut library.claims {
            c.verdict = ClaimOutcome::Confirmed;
            c.sentence = format!("{} from the library run", c.id);
        }
        adopt(&mut doc, &library);
        let by = |id: &str| doc.claims.iter().find(|v| v.id == id).unwrap();
        assert_eq!(
            by("openssl-aes").sentence,
            "openssl-aes from the library run"
        );
        assert_ne!(
            by("electron-ram").sentence,
            "electron-ram from the library run"
        );
        assert_eq!(by("video-cpu").sentence, "video-cpu from the library run");
    }

    #[test]
    fn a_measured_claim_keeps_its_verdict_whatever_a_scenario_said() {
        let o = outcome(
            "desktop",
            [&[10.0, 10.0, 10.2], &[9.0, 9.1, 9.0]],
            &[("desktop-ram", "KWin is missing")],
        );
        let doc = judged(&[o]);
        let v = doc.claims.iter().find(|v| v.id == "desktop-ram").unwrap();
        assert_ne!(v.verdict, ClaimOutcome::NotMeasured);
        assert!(!v.sentence.contains("KWin is missing"));
    }
}
