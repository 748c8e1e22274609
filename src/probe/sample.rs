//! The sampling loop: every interval, find the selected processes, read their
//! memory and the CPU time they used since the previous sample.
//!
//! A process is known by its PID and start time, so a recycled PID is a new
//! process. Once selected, a process stays selected while it lives (a child
//! reparented when its parent exits is still counted). One that starts during
//! the window is counted from the first sample after its start, with all of its
//! CPU time, since all of it fell within that interval; one that exits is counted
//! up to the last sample it was alive for (the CPU it used after that sample is
//! lost with it). Samples are taken at fixed deadlines from the start, so a slow
//! scan does not stretch the window.

use super::procfs::{self, Memory, Read};
use super::select::{Scan, Selector};
use crate::error::{Error, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

/// How long to watch and how often to look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub duration: Duration,
    pub interval: Duration,
}

impl Window {
    /// The number of samples: one per interval, at least one.
    pub fn samples(&self) -> usize {
        let n = self.duration.as_secs_f64() / self.interval.as_secs_f64();
        (n.round() as usize).max(1)
    }
}

/// The sum over the processes counted in one sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// The wall time since the previous sample.
    pub wall_seconds: f64,
    pub processes: usize,
    pub memory: Memory,
    /// CPU seconds used per second of wall time, over all counted processes.
    pub cpu: f64,
}

/// One process's figures in one sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// 1-based, as the progress shows it.
    pub sample: usize,
    pub memory: Memory,
    /// None when it was selected mid-life and this is its first interval.
    pub cpu: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct Tracked {
    pub pid: u32,
    pub name: String,
    pub command: String,
    pub points: Vec<Point>,
    start_ticks: u64,
    last_cpu_ticks: u64,
}

/// A matching process that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub pid: u32,
    pub name: String,
    pub uid: u32,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct Observation {
    pub samples: Vec<Sample>,
    /// In the order first seen; those never counted in a sample are left out.
    pub processes: Vec<Tracked>,
    pub skipped: Vec<Skipped>,
}

/// What the sampler reports as it goes.
pub enum Event<'a> {
    Sampled {
        index: usize,
        of: usize,
        sum: &'a Sample,
    },
    Skipped(&'a Skipped),
}

/// Watches the processes `selector` picks for `window`. Fails before waiting
/// when nothing matches, or when every match is unreadable.
pub fn observe(
    selector: &Selector,
    window: Window,
    on_event: &mut dyn FnMut(Event),
) -> Result<Observation> {
    let mut state = State {
        ticks_per_second: procfs::ticks_per_second(),
        tracked: Vec::new(),
        index: BTreeMap::new(),
        skipped: Vec::new(),
        skipped_ids: BTreeSet::new(),
    };
    let start = Instant::now();
    let mut previous = (start, procfs::boot_ticks_now(state.ticks_per_second));
    let first = Scan::now()?;
    state.admit(&first, &selector.matching(&first)?, on_event);
    if state.tracked.is_empty() {
        return Err(no_process(selector, &state.skipped));
    }
    let n = window.samples();
    let mut samples = Vec::with_capacity(n);
    for k in 1..=n {
        let deadline = start + window.interval * k as u32;
        std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
        let now = Instant::now();
        let boot_ticks = procfs::boot_ticks_now(state.ticks_per_second);
        let wall = now.duration_since(previous.0).as_secs_f64();
        let scan = Scan::now()?;
        let mut pids = selector.matching(&scan)?;
        pids.extend(state.alive_tracked(&scan));
        let sample = state.measure(&scan, &pids, k, wall, previous.1, on_event);
        samples.push(sample);
        on_event(Event::Sampled {
            index: k,
            of: n,
            sum: &sample,
        });
        previous = (now, boot_ticks);
    }
    state.tracked.retain(|t| !t.points.is_empty());
    if state.tracked.is_empty() {
        // Every match exited before the first sample: zeros are not a measurement.
        return Err(Error::ProbeVanished {
            selectors: selector.describe().join(" "),
        });
    }
    Ok(Observation {
        samples,
        processes: state.tracked,
        skipped: state.skipped,
    })
}

fn no_process(selector: &Selector, skipped: &[Skipped]) -> Error {
    let selectors = selector.describe().join(" ");
    if skipped.is_empty() {
        return Error::ProbeNoMatch { selectors };
    }
    let list: Vec<String> = skipped
        .iter()
        .map(|s| format!("{} ({}, uid {}): {}", s.pid, s.name, s.uid, s.reason))
        .collect();
    Error::ProbeUnreadable {
        selectors,
        skipped: list.join("; "),
    }
}

/// (PID, start time): a process's identity across samples.
type Id = (u32, u64);

struct State {
    ticks_per_second: u64,
    tracked: Vec<Tracked>,
    index: BTreeMap<Id, usize>,
    skipped: Vec<Skipped>,
    skipped_ids: BTreeSet<Id>,
}

impl State {
    /// Starts tracking the readable processes of the first scan, without a sample.
    fn admit(&mut self, scan: &Scan, pids: &BTreeSet<u32>, on_event: &mut dyn FnMut(Event)) {
        for pid in pids {
            let info = &scan.infos[pid];
            match procfs::read_memory(*pid) {
                Read::Ok(_) => {
                    self.track(info);
                }
                Read::Gone => {}
                Read::Denied(reason) => self.skip(info, reason, on_event),
            }
        }
    }

    fn track(&mut self, info: &procfs::Info) -> usize {
        let id = (info.pid, info.stat.start_ticks);
        if let Some(&i) = self.index.get(&id) {
            return i;
        }
        self.tracked.push(Tracked {
            pid: info.pid,
            name: info.stat.comm.clone(),
            command: info.command.clone(),
            points: Vec::new(),
            start_ticks: info.stat.start_ticks,
            last_cpu_ticks: info.stat.cpu_ticks,
        });
        self.index.insert(id, self.tracked.len() - 1);
        self.tracked.len() - 1
    }

    fn skip(&mut self, info: &procfs::Info, reason: String, on_event: &mut dyn FnMut(Event)) {
        if self.skipped_ids.insert((info.pid, info.stat.start_ticks)) {
            // SAFETY: geteuid cannot fail.
            let me = unsafe { libc::geteuid() };
            let hint = if info.uid != me {
                format!("owned by uid {}; probe as that user or as root", info.uid)
            } else {
                "owned by this user, yet the kernel refuses: a non-dumpable process or one \
                 in another user namespace"
                    .into()
            };
            self.skipped.push(Skipped {
                pid: info.pid,
                name: info.stat.comm.clone(),
                uid: info.uid,
                reason: format!("{reason} ({hint})"),
            });
            on_event(Event::Skipped(self.skipped.last().expect("just pushed")));
        }
    }

    /// Tracked processes still alive in `scan` (same PID, same start time).
    fn alive_tracked(&self, scan: &Scan) -> Vec<u32> {
        self.tracked
            .iter()
            .filter(|t| {
                scan.infos
                    .get(&t.pid)
                    .is_some_and(|i| i.stat.start_ticks == t.start_ticks)
            })
            .map(|t| t.pid)
            .collect()
    }

    /// Reads every process of `pids` for sample `k`, which ends an interval of
    /// `wall` seconds that began at `since_boot_ticks`.
    fn measure(
        &mut self,
        scan: &Scan,
        pids: &BTreeSet<u32>,
        k: usize,
        wall: f64,
        since_boot_ticks: u64,
        on_event: &mut dyn FnMut(Event),
    ) -> Sample {
        let mut sum = Sample {
            wall_seconds: wall,
            processes: 0,
            memory: Memory::default(),
            cpu: 0.0,
        };
        for pid in pids {
            let info = &scan.infos[pid];
            let id = (info.pid, info.stat.start_ticks);
            if self.skipped_ids.contains(&id) {
                continue;
            }
            let memory = match procfs::read_memory(*pid) {
                Read::Ok(m) => m,
                Read::Gone => continue,
                Read::Denied(reason) => {
                    self.skip(info, reason, on_event);
                    continue;
                }
            };
            // Re-read the CPU time after the memory, so both describe the same moment.
            let ticks = match procfs::read_stat(*pid) {
                Read::Ok(s) if s.start_ticks == info.stat.start_ticks => s.cpu_ticks,
                _ => continue,
            };
            let known = self.index.contains_key(&id);
            let i = self.track(info);
            let t = &mut self.tracked[i];
            let used = if known {
                Some(ticks.saturating_sub(t.last_cpu_ticks))
            } else if t.start_ticks >= since_boot_ticks {
                Some(ticks)
            } else {
                None
            };
            t.last_cpu_ticks = ticks;
            let cpu = used.map(|u| u as f64 / self.ticks_per_second as f64 / wall);
            t.points.push(Point {
                sample: k,
                memory,
                cpu,
            });
            sum.processes += 1;
            sum.memory.add(&memory);
            sum.cpu += cpu.unwrap_or(0.0);
        }
        sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_holds_one_sample_per_interval_and_at_least_one() {
        let w = |d: u64, i: u64| Window {
            duration: Duration::from_millis(d),
            interval: Duration::from_millis(i),
        };
        assert_eq!(w(60_000, 1_000).samples(), 60);
        assert_eq!(w(1_000, 300).samples(), 3);
        assert_eq!(w(100, 1_000).samples(), 1);
    }
}
