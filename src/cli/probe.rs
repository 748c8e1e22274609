//! `storebench probe`: watch running processes for a window, print the summary,
//! write the results document.

use super::fresh_seed;
use crate::config::{Config, ProbeConfig};
use crate::error::{exit, Error, Result};
use crate::probe::{Event, Observation, Probe};
use crate::results::{Document, Settings, VariantRecord};
use crate::variant::Variant;
use crate::{host, table};
use clap::Args;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

pub(super) const PROBE_EXAMPLES: &str = "\
Examples:
  storebench probe desktop --label before --json before.json
  storebench probe electron --duration 2m
  storebench probe --name 'baloo*' --duration 30s
  storebench probe kwin --unit plasma-kwin_wayland.service
  storebench probe build --pid 4242 --tree --interval 250ms
  storebench probe build --pid 4242 --tree --libraries --json probe.json   # CPU by shared object

Built-in probes: desktop (--session), electron (--name electron, code, slack), video
(common players); a [probes.NAME] table in storebench.toml adds or replaces one, with
the keys names, pids, tree, units, cgroups, session, duration, interval.

Per sample and summed over the processes: PSS, RSS, USS (private pages) and swap
from /proc/PID/smaps_rollup, and the CPU time used since the previous sample per
second of wall time. The results entries probe/NAME/{pss,rss,uss,swap,cpu} hold one
value per sample; two probes made at different times compare unpaired.

With --libraries, a perf software clock (task-clock, --sample-hz per second of CPU
time) also samples where the processes' CPU time goes: each shared object's share
with a 95 % CI (a block bootstrap over 100 ms blocks), the program, the kernel and
\"other\", in probe.libraries of the document; `storebench impact` joins it with a run.

Exit codes: 0 measured, 2 bad input or no process matched (or none was readable), or
--libraries and the kernel refused to sample (the message says what to change).";

#[derive(Args)]
pub(super) struct ProbeArgs {
    /// A named probe ([probes.NAME] in the config, or built in: desktop, electron,
    /// video). With selectors, the name its results are filed under (default `custom`).
    #[arg(value_name = "NAME")]
    probe: Option<String>,
    /// Processes whose name, program file name or command line matches GLOB
    /// (`*` also crosses `/`); repeatable.
    #[arg(long = "name", value_name = "GLOB")]
    names: Vec<String>,
    /// A process by PID; repeatable.
    #[arg(long = "pid", value_name = "PID")]
    pids: Vec<u32>,
    /// With --pid: its descendants too, including those started during the window.
    #[arg(long, requires = "pids")]
    tree: bool,
    /// The processes of a systemd unit, found through their cgroups; repeatable.
    #[arg(long = "unit", value_name = "UNIT")]
    units: Vec<String>,
    /// The processes of a cgroup directory (/sys/fs/cgroup/…) and those below it,
    /// or of a cgroup path (/user.slice/…); repeatable.
    #[arg(long = "cgroup", value_name = "PATH")]
    cgroups: Vec<PathBuf>,
    /// Every process of this login session (of this user when there are no session ids).
    #[arg(long)]
    session: bool,
    /// How long to watch. Default: the probe's, else 60s.
    #[arg(long, value_name = "TIME", value_parser = super::flags::span)]
    duration: Option<Duration>,
    /// Time between samples. Default: the probe's, else 1s.
    #[arg(long, value_name = "TIME", value_parser = super::flags::span)]
    interval: Option<Duration>,
    /// The system state measured (`before`, `after`, `gen-42`), recorded as the
    /// run's one variant. Default: the start time.
    #[arg(long, value_name = "NAME")]
    label: Option<String>,
    /// Write the results document (schema storebench/1).
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Probes from a TOML file ([probes.NAME]). Default: storebench.toml when present.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(flatten)]
    libraries: super::shares::LibraryArgs,
}

pub(super) fn probe(args: ProbeArgs) -> Result<i32> {
    let (config, _) = Config::discover(args.config.as_deref())?;
    if let Some(path) = &args.json {
        super::outputs::writable(path, true)?;
    }
    let adhoc = ProbeConfig {
        names: args.names.clone(),
        pids: args.pids.clone(),
        tree: args.tree,
        units: args.units.clone(),
        cgroups: args.cgroups.clone(),
        session: args.session,
        ..ProbeConfig::default()
    };
    let probe = Probe::resolve(
        args.probe.as_deref(),
        &adhoc,
        &config.probes,
        args.duration,
        args.interval,
    )?;
    let started = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
    let label = args.label.clone().unwrap_or_else(|| started.clone());
    if label.is_empty() || label.chars().any(char::is_control) {
        return Err(Error::ProbeSelector {
            selector: format!("--label {label:?}"),
            why: "a label must be non-empty text without control characters".into(),
        });
    }
    eprintln!(
        "storebench: probe {} for {} every {}: {}",
        probe.name,
        humantime::format_duration(probe.window.duration),
        humantime::format_duration(probe.window.interval),
        probe.selector.describe().join(" ")
    );
    let tty = std::io::stderr().is_terminal();
    let seed = fresh_seed();
    let (observation, libraries) =
        super::shares::observe(&probe, &args.libraries, seed, &mut |e| show(e, tty))?;
    if tty {
        eprint!("\r\x1b[2K");
    }
    let mut doc = document(&probe, &label, started, &observation);
    doc.seed = seed;
    if let Some(record) = &mut doc.probe {
        record.libraries = libraries;
    }
    print!("{}", table::render_probe(&doc));
    super::shares::print(&doc);
    if let Some(path) = &args.json {
        doc.write_atomic(path)?;
        eprintln!("wrote {}", path.display());
    }
    Ok(exit::OK)
}

/// The run's document: one variant named `label` (the system state), the
/// probe's results entries and what it watched.
fn document(probe: &Probe, label: &str, started: String, observation: &Observation) -> Document {
    let settings = Settings {
        rounds: observation.samples.len() as u32,
        slice_seconds: probe.window.interval.as_secs_f64(),
        timeout_seconds: 0.0,
        bench_patterns: vec![],
        ..Settings::default()
    };
    // A system state, not a build: no roots, nothing loaded by a worker.
    let variant = VariantRecord {
        variant: Variant {
            name: label.into(),
            description: Some(
                probe
                    .description
                    .clone()
                    .unwrap_or_else(|| format!("the system as probe `{}` saw it", probe.name)),
            ),
            ..Variant::system()
        },
        provenance: None,
        same_files_as: vec![],
        smoke: None,
    };
    let results = probe.results(label, observation);
    let doc = Document::unjudged(
        host::detect(),
        started,
        fresh_seed(),
        settings,
        vec![variant],
        results,
    );
    Document {
        probe: Some(probe.record(observation)),
        ..doc
    }
}

/// Progress on stderr: one updating line on a terminal, a line per sample elsewhere.
fn show(e: Event, tty: bool) {
    let mut err = std::io::stderr().lock();
    let clear = if tty { "\r\x1b[2K" } else { "" };
    match e {
        Event::Sampled { index, of, sum } => {
            let line = format!(
                "sample {index}/{of}: {} process(es), PSS {}, CPU {:.2}",
                sum.processes,
                crate::format::human_bytes(sum.memory.pss as f64),
                sum.cpu
            );
            if tty {
                let _ = write!(err, "{clear}{line}");
                let _ = err.flush();
            } else {
                let _ = writeln!(err, "{line}");
            }
        }
        Event::Skipped(s) => {
            let _ = writeln!(
                err,
                "{clear}skipped {} ({}, uid {}): {}",
                s.pid, s.name, s.uid, s.reason
            );
        }
    }
}
