//! `storebench scenario`: run the plan's claims about a running system end to
//! end (Electron memory, video CPU, desktop memory), judge them, print the
//! verdicts and write the results document.

use super::Judging;
use crate::claims::{self, Claims};
use crate::error::{exit, Error, Result};
use crate::probe::Window;
use crate::results::Document;
use crate::scenario::{self, Options};
use crate::table;
use clap::Args;
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub(super) const SCENARIO_EXAMPLES: &str = "\
Examples:
  storebench scenario                              # all three, about 7 minutes
  storebench scenario electron --json electron.json
  storebench scenario video desktop --quick        # the short version the tests run
  storebench report electron.json                  # the HTML page of a stored run
  storebench scenario --with reports/demo.json     # one claim table with a library run

Scenarios:
  electron  headless Chromium on four local pages (scenarios/electron/pages/), the
            stock switches against the plan's (GPU rasterization, V8 heap limit,
            renderer process limit, a cgroup memory limit where cgroup v2 offers
            one); the process tree probed: probe/electron/{pss,rss,uss,cpu}
  video     ffmpeg decodes a generated 1080p H.264 clip as a command workload,
            software against VA-API when a working render node exists:
            command/video-decode/{wall,cpu,rss}
  desktop   Xvfb, D-Bus, KWin and Baloo; compositing on and Baloo indexing against
            compositing off and Baloo disabled: probe/desktop/{pss,rss,uss,cpu}

The setups alternate (stock, plan, then plan, stock…) and each repeat gives one
figure per setup (the median over its window), so the repeats pair by index and
the claims are judged as for any run. A claim a scenario cannot measure here is
\"not measured\" with the reason (no VA-API device, KWin missing).

Exit codes: 0 done, 2 bad input or a scenario that could not run.";

#[derive(Args)]
pub(super) struct ScenarioArgs {
    /// Scenarios to run: electron, video, desktop. Default: all three.
    #[arg(value_name = "NAME")]
    names: Vec<String>,
    /// Starts of each setup, alternating; the repeats pair by index.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(2..=50))]
    repeats: Option<u32>,
    /// Time a setup runs before it is measured. Default 8s (--quick: 3s).
    #[arg(long, value_name = "TIME", value_parser = super::flags::span)]
    settle: Option<Duration>,
    /// The probe's window per start. Default 5s (--quick: 1s).
    #[arg(long, value_name = "TIME", value_parser = super::flags::span)]
    window: Option<Duration>,
    /// A short run: 3 repeats, 3 s to settle, 1 s windows, a 2 s clip.
    #[arg(long)]
    quick: bool,
    /// Length of the generated video clip, in seconds. Default 5 (--quick: 2).
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u32).range(1..=60))]
    clip_seconds: Option<u32>,
    /// Where the generated clip is kept. Default: $XDG_CACHE_HOME/storebench
    /// (~/.cache/storebench).
    #[arg(long, value_name = "DIR")]
    cache: Option<PathBuf>,
    /// Write the results document (schema storebench/1), judged.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// A library run's results (`run`/`merge --json`): its verdicts stand for the
    /// claims the scenarios leave unmeasured, so one claim table covers the plan.
    #[arg(long = "with", value_name = "RUN.json")]
    with: Option<PathBuf>,
    #[command(flatten)]
    judging: Judging,
}

impl ScenarioArgs {
    fn options(&self) -> Options {
        let q = self.quick;
        let window = self
            .window
            .unwrap_or(Duration::from_secs(if q { 1 } else { 5 }));
        Options {
            repeats: self.repeats.unwrap_or(if q { 3 } else { 6 }),
            settle: self
                .settle
                .unwrap_or(Duration::from_secs(if q { 3 } else { 8 })),
            window: Window {
                duration: window,
                interval: (window / 5).max(Duration::from_millis(100)),
            },
            cache: self.cache.clone().unwrap_or_else(default_cache),
            clip_seconds: self.clip_seconds.unwrap_or(if q { 2 } else { 5 }),
        }
    }

    /// The names asked for, checked, in the order given (default: all).
    fn names(&self) -> Result<Vec<String>> {
        if self.names.is_empty() {
            return Ok(scenario::NAMES.map(String::from).to_vec());
        }
        for n in &self.names {
            if !scenario::NAMES.contains(&n.as_str()) {
                return Err(Error::Scenario {
                    scenario: n.clone(),
                    why: format!("no such scenario (known: {})", scenario::NAMES.join(", ")),
                });
            }
        }
        Ok(self.names.clone())
    }
}

fn default_cache() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("storebench")
}

pub(super) fn scenario(args: ScenarioArgs) -> Result<i32> {
    let claims = Claims::load(args.judging.claims.as_deref())?;
    let names = args.names()?;
    let library = args.with.as_deref().map(Document::read).transpose()?;
    if let Some(path) = &args.json {
        super::outputs::writable(path, true)?;
    }
    let opts = args.options();
    let expected: f64 = names
        .iter()
        .map(|n| scenario::expected_seconds(n, &opts))
        .sum();
    eprintln!(
        "storebench: scenarios {}: {} repeat(s) per setup, {} to settle, {} windows; expect about {:.0} s",
        names.join(", "),
        opts.repeats,
        humantime::format_duration(opts.settle),
        humantime::format_duration(opts.window.duration),
        expected
    );
    let started = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let clock = Instant::now();
    let mut outcomes = Vec::new();
    for name in &names {
        eprintln!(
            "scenario {name}: about {:.0} s",
            scenario::expected_seconds(name, &opts)
        );
        let o = scenario::run(name, &opts, &mut |s| {
            eprintln!(
                "  {} repeat {}/{} {}: {} process(es), PSS {}",
                s.probe,
                s.repeat,
                s.of,
                s.setup,
                s.processes,
                crate::format::human_bytes(s.pss)
            )
        })?;
        eprintln!("scenario {name}: done in {:.1} s", o.seconds);
        outcomes.push(o);
    }
    let mut doc = scenario::document(&outcomes, started, super::fresh_seed(), opts.repeats);
    let judging = args.judging.options(doc.seed);
    claims::analyse(&mut doc, None, &claims, judging);
    scenario::explain(&mut doc, &outcomes);
    if let Some(run) = &library {
        scenario::adopt(&mut doc, run);
    }
    print!("{}", table::render_against(&doc, None));
    println!();
    print!("{}", table::render_claims(&doc));
    for o in &outcomes {
        for n in &o.notes {
            println!("note: {}: {n}", o.scenario);
        }
        println!("{}: {:.1} s", o.scenario, o.seconds);
    }
    eprintln!(
        "scenarios measured in {:.1} s",
        clock.elapsed().as_secs_f64()
    );
    if let Some(path) = &args.json {
        doc.write_atomic(path)?;
        eprintln!("wrote {}", path.display());
    }
    Ok(exit::OK)
}
