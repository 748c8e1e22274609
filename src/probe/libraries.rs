//! `probe --libraries`: samples the selected processes' on-CPU time through
//! `perf` (a software clock) for the probe's window and turns the samples into
//! each shared object's share, described by path, store path, soname and hash.
//!
//! It runs beside the memory sampler: [`LibrarySampler::start`] opens the events
//! on what matches before the window (and fails then when the kernel refuses),
//! [`LibrarySampler::run`] drains the buffers and attaches to processes that
//! start matching during the window, [`LibrarySampler::finish`] makes the
//! document's section. Processes and threads a sampled one starts are sampled
//! through the events' inheritance, and are not attached a second time.

use super::perf::{OpenError, Sampler};
use super::select::{Scan, Selector};
use super::shares::{Object, Share, Tally, BLOCK_NS, RESAMPLES};
use crate::error::{Error, Result};
use crate::provenance;
use crate::results::libraries::{LibraryShares, ObjectKind, ObjectShare};
use object::read::elf::{Dyn, FileHeader, ProgramHeader};
use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The default sampling rate: not a multiple of the kernel's tick rates, so
/// samples do not lock step with periodic work.
pub const DEFAULT_HZ: u32 = 999;
/// More events than this (threads × CPUs) are not opened.
const MAX_EVENTS: usize = 16_384;
const DRAIN_EVERY: Duration = Duration::from_millis(100);
const RESCAN_EVERY: Duration = Duration::from_millis(500);

pub struct LibrarySampler {
    sampler: Sampler,
    tally: Tally,
    /// Processes sampled: attached, or started by one that is (inherited).
    covered: HashSet<u32>,
    threads: usize,
    hz: u32,
    kernel: bool,
    refused: Vec<String>,
}

impl LibrarySampler {
    /// Opens the events on every thread of what `selector` matches now. Fails
    /// when the kernel allows no sampling at all, or refuses every process.
    pub fn start(selector: &Selector, hz: u32, kernel: bool) -> Result<LibrarySampler> {
        raise_fd_limit();
        let sampler = Sampler::new(hz, kernel).map_err(|e| denied(e, "this process", kernel))?;
        let mut me = LibrarySampler {
            sampler,
            tally: Tally::default(),
            covered: HashSet::new(),
            threads: 0,
            hz,
            kernel,
            refused: Vec::new(),
        };
        let scan = Scan::now()?;
        let mut first_refusal = None;
        for pid in selector.matching(&scan)? {
            if let Err(e) = me.attach(pid) {
                first_refusal.get_or_insert(e);
            }
        }
        if me.covered.is_empty() {
            if let Some(e) = first_refusal {
                return Err(e);
            }
        }
        Ok(me)
    }

    /// Samples every thread of `pid`; a refusal is recorded and returned.
    fn attach(&mut self, pid: u32) -> Result<()> {
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
            return Ok(()); // gone
        };
        self.tally.read_maps(pid);
        for tid in tasks.filter_map(|t| t.ok()?.file_name().to_str()?.parse::<u32>().ok()) {
            if self.sampler.events() >= MAX_EVENTS {
                self.refused.push(format!(
                    "{pid}: more than {MAX_EVENTS} events (threads × CPUs); the rest is not sampled"
                ));
                return Ok(());
            }
            match self.sampler.attach(tid) {
                Ok(()) => self.threads += 1,
                Err(OpenError::Gone) => {}
                Err(e) => {
                    let err = denied(e, &format!("process {pid}"), self.kernel);
                    self.refused.push(err.to_string());
                    return Err(err);
                }
            }
        }
        self.covered.insert(pid);
        Ok(())
    }

    /// Drains and counts until `stop`, attaching to processes that start
    /// matching `selector` and are not yet sampled.
    pub fn run(&mut self, selector: &Selector, stop: &AtomicBool) {
        let mut last_scan = Instant::now();
        while !stop.load(Ordering::Relaxed) {
            std::thread::sleep(DRAIN_EVERY);
            let scan = (last_scan.elapsed() >= RESCAN_EVERY).then(Scan::now);
            self.drain();
            if let Some(Ok(scan)) = scan {
                last_scan = Instant::now();
                for pid in selector.matching(&scan).unwrap_or_default() {
                    if !self.covered.contains(&pid) {
                        let _ = self.attach(pid);
                    }
                }
            }
        }
        self.drain();
    }

    fn drain(&mut self) {
        let records = self.sampler.drain();
        for r in &records {
            if let super::perf::Record::Fork { pid, ppid, .. } = r {
                if self.covered.contains(ppid) {
                    self.covered.insert(*pid);
                }
            }
        }
        self.tally.apply(&records);
    }

    /// The document's section: every object's share, its file described.
    pub fn finish(self, seed: u64) -> LibraryShares {
        LibraryShares {
            event: "task-clock".into(),
            sample_hz: self.hz,
            kernel_sampled: self.kernel,
            samples: self.tally.samples,
            lost: self.tally.lost,
            threads: self.threads,
            ci_method: format!(
                "block bootstrap: samples counted in {} ms blocks of sample time, {RESAMPLES} block resamples (seed {seed}), 2.5th and 97.5th percentiles",
                BLOCK_NS / 1_000_000
            ),
            blocks: self.tally.blocks(),
            objects: self.tally.shares(seed).iter().map(describe).collect(),
            refused: self.refused,
        }
    }
}

/// The error for an event the kernel would not open on `target`.
fn denied(e: OpenError, target: &str, kernel: bool) -> Error {
    match e {
        OpenError::Denied(io) => {
            let paranoid = std::fs::read_to_string("/proc/sys/kernel/perf_event_paranoid")
                .map(|s| s.trim().to_string())
                .unwrap_or_else(|_| "unknown".into());
            // SAFETY: geteuid cannot fail.
            let root = unsafe { libc::geteuid() } == 0;
            let hint = if kernel && !root && paranoid.parse::<i32>().is_ok_and(|p| p >= 2) {
                "allow it with `sudo sysctl kernel.perf_event_paranoid=1`, run as root (or with CAP_PERFMON), or add --user-only to sample user space alone"
            } else {
                "probe as the processes' owner or as root (another user's process, or one that is not dumpable, may not be sampled)"
            };
            Error::PerfDenied {
                target: target.into(),
                why: format!("{io} (kernel.perf_event_paranoid = {paranoid})"),
                hint: hint.into(),
            }
        }
        OpenError::Gone => Error::Perf {
            why: format!("{target} exited"),
        },
        OpenError::Other(io) => Error::Perf {
            why: format!("{target}: {io}"),
        },
    }
}

/// Many threads × CPUs need many descriptors: use all the hard limit allows.
fn raise_fd_limit() {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain get/set of this process's own limit.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 && lim.rlim_cur < lim.rlim_max {
            lim.rlim_cur = lim.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}

fn describe(s: &Share) -> ObjectShare {
    let (kind, name, file, mapped, soname) = match &s.object {
        Object::Kernel => (ObjectKind::Kernel, "kernel".into(), None, None, None),
        Object::Other => (ObjectKind::Other, "other".into(), None, None, None),
        Object::File(path) => {
            let p = Path::new(path);
            let (soname, executable) = elf_identity(p);
            let kind = if executable {
                ObjectKind::Executable
            } else {
                ObjectKind::Library
            };
            let name = p
                .file_name()
                .map_or(path.clone(), |n| n.to_string_lossy().into());
            let file = provenance::describe(p).ok();
            (kind, name, file, Some(path.clone()), soname)
        }
    };
    ObjectShare {
        kind,
        name,
        file,
        mapped_path: mapped,
        soname,
        samples: s.samples,
        share_pct: s.pct,
        ci_low_pct: s.low,
        ci_high_pct: s.high,
    }
}

/// A file's DT_SONAME, and whether it is a program: it asks for an interpreter
/// (PT_INTERP) and has no soname (libc.so.6 has both: a library).
fn elf_identity(path: &Path) -> (Option<String>, bool) {
    let Ok(data) = std::fs::read(path) else {
        return (None, false);
    };
    let Ok(elf) = object::read::elf::ElfFile64::<object::Endianness>::parse(&*data) else {
        return (None, false);
    };
    let endian = elf.endian();
    let interp = elf
        .elf_program_headers()
        .iter()
        .any(|ph| ph.p_type(endian) == object::elf::PT_INTERP);
    let table = elf.elf_section_table();
    let soname = table
        .dynamic(endian, &*data)
        .ok()
        .flatten()
        .and_then(|(dyns, link)| {
            let strings = table.strings(endian, &*data, link).ok()?;
            let d = dyns
                .iter()
                .find(|d| d.tag32(endian) == Some(object::elf::DT_SONAME))?;
            let name = strings.get(d.d_val(endian) as u32).ok()?;
            Some(String::from_utf8_lossy(name).into_owned())
        });
    let exec = elf.elf_header().e_type(endian) == object::elf::ET_EXEC;
    let executable = exec || (interp && soname.is_none());
    (soname, executable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libc_is_a_library_with_its_soname_and_python_a_program() {
        let (soname, exe) = elf_identity(Path::new("/lib/x86_64-linux-gnu/libc.so.6"));
        assert_eq!(soname.as_deref(), Some("libc.so.6"));
        assert!(!exe);
        let (soname, exe) = elf_identity(Path::new("/usr/bin/python3"));
        assert_eq!(soname, None);
        assert!(exe);
    }
}
