//! Sampling on-CPU time with `perf_event_open(2)`: a software clock event
//! (`task-clock`, which works in VMs without hardware counters) per thread and
//! CPU, and one memory-mapped ring buffer per CPU that the kernel writes the
//! samples into and this module reads itself.
//!
//! Each event is opened with `inherit`, so the threads and child processes a
//! watched thread starts later are sampled too, and with the side-band records
//! (`mmap2`, `comm` with exec, `task`) that say what a process maps, execs and
//! forks, so a short-lived child's samples can be placed even when it has
//! exited before its `/proc/PID/maps` could be read. The kernel refuses
//! `mmap` of inherited per-task events (`cpu = -1`), hence one event per CPU,
//! all redirected (`PERF_EVENT_IOC_SET_OUTPUT`) into that CPU's buffer, which a
//! `dummy` event of this process owns.
//!
//! The parsing ([`copy_ring`], [`parse`]) is pure and tested here; what the
//! records mean is `shares`' business.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicU64, Ordering};

const PERF_TYPE_SOFTWARE: u32 = 1;
const PERF_COUNT_SW_TASK_CLOCK: u64 = 1;
const PERF_COUNT_SW_DUMMY: u64 = 9;
/// `PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME`: the layout [`parse`] reads.
const SAMPLE_TYPE: u64 = 0x1 | 0x2 | 0x4;

// perf_event_attr's flag bits, as in <linux/perf_event.h>.
const INHERIT: u64 = 1 << 1;
const EXCLUDE_KERNEL: u64 = 1 << 5;
const EXCLUDE_HV: u64 = 1 << 6;
const MMAP: u64 = 1 << 8;
const COMM: u64 = 1 << 9;
const TASK: u64 = 1 << 13;
const SAMPLE_ID_ALL: u64 = 1 << 18;
const MMAP2: u64 = 1 << 23;
const COMM_EXEC: u64 = 1 << 24;
const USE_CLOCKID: u64 = 1 << 25;

const IOC_SET_OUTPUT: libc::c_ulong = 0x2405;

// Record types and header bits.
const RECORD_LOST: u32 = 2;
const RECORD_COMM: u32 = 3;
const RECORD_FORK: u32 = 7;
const RECORD_SAMPLE: u32 = 9;
const RECORD_MMAP2: u32 = 10;
const MISC_CPUMODE_MASK: u16 = 7;
const MISC_KERNEL: u16 = 1;
const MISC_GUEST_KERNEL: u16 = 4;
const MISC_COMM_EXEC: u16 = 1 << 13;
const PROT_EXEC: u32 = 4;

/// Data pages per CPU buffer (512 KiB): at 999 Hz a CPU writes 32 KB/s of samples.
const DATA_PAGES: usize = 128;

/// `struct perf_event_attr` up to `PERF_ATTR_SIZE_VER5` (112 bytes).
#[repr(C)]
#[derive(Default)]
struct Attr {
    kind: u32,
    size: u32,
    config: u64,
    sample_period: u64,
    sample_type: u64,
    read_format: u64,
    flags: u64,
    wakeup_events: u32,
    bp_type: u32,
    config1: u64,
    config2: u64,
    branch_sample_type: u64,
    sample_regs_user: u64,
    sample_stack_user: u32,
    clockid: i32,
    sample_regs_intr: u64,
    aux_watermark: u32,
    sample_max_stack: u16,
    reserved: u16,
}

/// One record of a ring buffer, as far as attribution needs it. Times are
/// `CLOCK_MONOTONIC` nanoseconds, comparable across CPUs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    /// The clock fired while thread `tid` of `pid` ran at `ip`.
    Sample {
        pid: u32,
        tid: u32,
        ip: u64,
        time: u64,
        kernel: bool,
    },
    /// `pid` mapped `path` executable at `start..start + len`.
    Mmap {
        pid: u32,
        start: u64,
        len: u64,
        path: String,
        time: u64,
    },
    /// `pid` called exec: its old mappings are gone.
    Exec { pid: u32, time: u64 },
    /// A new process `pid` forked from `ppid` (threads have `pid == ppid`).
    Fork { pid: u32, ppid: u32, time: u64 },
    /// The kernel dropped `count` records: the buffer was full.
    Lost { count: u64, time: u64 },
}

impl Record {
    pub fn time(&self) -> u64 {
        match self {
            Record::Sample { time, .. }
            | Record::Mmap { time, .. }
            | Record::Exec { time, .. }
            | Record::Fork { time, .. }
            | Record::Lost { time, .. } => *time,
        }
    }
}

/// Why an event could not be opened on a thread.
#[derive(Debug)]
pub enum OpenError {
    /// The kernel refuses (perf_event_paranoid, another user's process).
    Denied(io::Error),
    /// The thread exited.
    Gone,
    Other(io::Error),
}

/// The open events and one ring buffer per CPU.
pub struct Sampler {
    rings: Vec<Ring>,
    events: Vec<OwnedFd>,
    period_ns: u64,
    kernel: bool,
}

impl Sampler {
    /// Buffers for every online CPU; nothing is sampled until [`Sampler::attach`].
    /// `kernel` false samples user space only (what `perf_event_paranoid` 2
    /// allows an unprivileged user).
    pub fn new(sample_hz: u32, kernel: bool) -> Result<Sampler, OpenError> {
        // SAFETY: sysconf has no preconditions.
        let cpus = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) }.max(1) as i32;
        let me = std::process::id() as i32;
        let mut rings = Vec::new();
        for cpu in 0..cpus {
            let attr = attr(PERF_COUNT_SW_DUMMY, 1, kernel, 0);
            let fd = open(&attr, me, cpu)?;
            rings.push(Ring::map(fd).map_err(OpenError::Other)?);
        }
        Ok(Sampler {
            rings,
            events: Vec::new(),
            period_ns: 1_000_000_000 / u64::from(sample_hz.max(1)),
            kernel,
        })
    }

    /// Samples thread `tid` (and what it starts) on every CPU.
    pub fn attach(&mut self, tid: u32) -> Result<(), OpenError> {
        let flags = INHERIT | MMAP | MMAP2 | COMM | COMM_EXEC | TASK;
        let attr = attr(PERF_COUNT_SW_TASK_CLOCK, self.period_ns, self.kernel, flags);
        for (cpu, ring) in self.rings.iter().enumerate() {
            let fd = open(&attr, tid as i32, cpu as i32)?;
            // SAFETY: both are perf event fds this process owns.
            let rc = unsafe { libc::ioctl(fd.as_raw_fd(), IOC_SET_OUTPUT, ring.fd.as_raw_fd()) };
            if rc != 0 {
                return Err(OpenError::Other(io::Error::last_os_error()));
            }
            self.events.push(fd);
        }
        Ok(())
    }

    /// The events open so far (threads × CPUs).
    pub fn events(&self) -> usize {
        self.events.len()
    }

    /// Every record written since the last drain, in time order.
    pub fn drain(&mut self) -> Vec<Record> {
        let mut records = Vec::new();
        let mut bytes = Vec::new();
        for ring in &mut self.rings {
            bytes.clear();
            ring.take(&mut bytes);
            records.extend(parse(&bytes));
        }
        records.sort_by_key(Record::time);
        records
    }
}

fn attr(config: u64, period: u64, kernel: bool, flags: u64) -> Attr {
    let mut flags = flags | EXCLUDE_HV | SAMPLE_ID_ALL | USE_CLOCKID;
    if !kernel {
        flags |= EXCLUDE_KERNEL;
    }
    Attr {
        kind: PERF_TYPE_SOFTWARE,
        size: std::mem::size_of::<Attr>() as u32,
        config,
        sample_period: period,
        sample_type: SAMPLE_TYPE,
        flags,
        clockid: libc::CLOCK_MONOTONIC,
        ..Attr::default()
    }
}

fn open(attr: &Attr, pid: i32, cpu: i32) -> Result<OwnedFd, OpenError> {
    let flags = libc::c_ulong::from(8u8); // PERF_FLAG_FD_CLOEXEC
                                          // SAFETY: attr is a valid perf_event_attr of the size it states.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_perf_event_open,
            attr as *const Attr,
            pid,
            cpu,
            -1i32,
            flags,
        )
    };
    if fd < 0 {
        let e = io::Error::last_os_error();
        return Err(match e.raw_os_error() {
            Some(libc::EACCES | libc::EPERM) => OpenError::Denied(e),
            Some(libc::ESRCH) => OpenError::Gone,
            _ => OpenError::Other(e),
        });
    }
    // SAFETY: the kernel just returned this descriptor to us alone.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

/// One CPU's buffer: a control page, then `DATA_PAGES` pages of records.
struct Ring {
    fd: OwnedFd,
    base: *mut u8,
    page: usize,
    len: usize,
}

// SAFETY: the mapping belongs to the Ring alone; it is only read through &mut self.
unsafe impl Send for Ring {}

impl Ring {
    fn map(fd: OwnedFd) -> io::Result<Ring> {
        // SAFETY: sysconf has no preconditions.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize;
        let len = page * (1 + DATA_PAGES);
        // SAFETY: a fresh shared mapping of a perf fd, checked below.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                fd.as_raw_fd(),
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        Ok(Ring {
            fd,
            base: base.cast(),
            page,
            len,
        })
    }

    /// Appends the unread bytes to `out` and hands the space back to the kernel.
    fn take(&mut self, out: &mut Vec<u8>) {
        // SAFETY: data_head and data_tail are 8-aligned u64 fields of the
        // control page (offsets 1024, 1032), shared with the kernel.
        let (head, tail) = unsafe {
            (
                &*(self.base.add(1024) as *const AtomicU64),
                &*(self.base.add(1032) as *const AtomicU64),
            )
        };
        let h = head.load(Ordering::Acquire);
        let t = tail.load(Ordering::Relaxed);
        // SAFETY: the data area follows the control page within the mapping.
        let data =
            unsafe { std::slice::from_raw_parts(self.base.add(self.page), self.len - self.page) };
        copy_ring(data, t, h, out);
        tail.store(h, Ordering::Release);
    }
}

impl Drop for Ring {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly what `map` mapped.
        unsafe { libc::munmap(self.base.cast(), self.len) };
    }
}

/// Appends the bytes between the positions `tail` and `head` (which count up
/// forever) of the circular `data` to `out`, the wrapped part after the rest.
pub fn copy_ring(data: &[u8], tail: u64, head: u64, out: &mut Vec<u8>) {
    let size = data.len() as u64;
    if size == 0 || head <= tail {
        return;
    }
    let n = (head - tail).min(size) as usize;
    let start = ((head - n as u64) % size) as usize;
    let first = n.min(data.len() - start);
    out.extend_from_slice(&data[start..start + first]);
    out.extend_from_slice(&data[..n - first]);
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_ne_bytes(b.get(at..at + 2)?.try_into().ok()?))
}
fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_ne_bytes(b.get(at..at + 4)?.try_into().ok()?))
}
fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_ne_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// The records of a contiguous run of ring-buffer bytes, for the sample type and
/// flags [`Sampler`] opens with. A truncated record ends the parse; record types
/// attribution does not need are skipped by their size.
pub fn parse(bytes: &[u8]) -> Vec<Record> {
    let mut out = Vec::new();
    let mut at = 0;
    while let (Some(kind), Some(misc), Some(size)) = (
        u32_at(bytes, at),
        u16_at(bytes, at + 4),
        u16_at(bytes, at + 6),
    ) {
        let size = usize::from(size);
        let Some(rec) = bytes.get(at..at + size).filter(|_| size >= 8) else {
            break;
        };
        if let Some(r) = record(kind, misc, rec) {
            out.push(r);
        }
        at += size;
    }
    out
}

/// One record; `rec` holds its header. With `sample_id_all`, a side-band record
/// ends in the sample id (pid, tid, time): its last 8 bytes are the time.
fn record(kind: u32, misc: u16, rec: &[u8]) -> Option<Record> {
    let trailer_time = || u64_at(rec, rec.len().checked_sub(8)?);
    match kind {
        RECORD_SAMPLE => {
            let mode = misc & MISC_CPUMODE_MASK;
            Some(Record::Sample {
                ip: u64_at(rec, 8)?,
                pid: u32_at(rec, 16)?,
                tid: u32_at(rec, 20)?,
                time: u64_at(rec, 24)?,
                kernel: mode == MISC_KERNEL || mode == MISC_GUEST_KERNEL,
            })
        }
        RECORD_MMAP2 => {
            if u32_at(rec, 64)? & PROT_EXEC == 0 {
                return None;
            }
            let name = rec.get(72..rec.len().checked_sub(16)?)?;
            let end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
            Some(Record::Mmap {
                pid: u32_at(rec, 8)?,
                start: u64_at(rec, 16)?,
                len: u64_at(rec, 24)?,
                path: String::from_utf8_lossy(&name[..end]).into_owned(),
                time: trailer_time()?,
            })
        }
        RECORD_COMM if misc & MISC_COMM_EXEC != 0 => Some(Record::Exec {
            pid: u32_at(rec, 8)?,
            time: trailer_time()?,
        }),
        RECORD_FORK => Some(Record::Fork {
            pid: u32_at(rec, 8)?,
            ppid: u32_at(rec, 12)?,
            time: u64_at(rec, 24)?,
        }),
        RECORD_LOST => Some(Record::Lost {
            count: u64_at(rec, 16)?,
            time: trailer_time()?,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(kind: u32, misc: u16, size: usize) -> Vec<u8> {
        let mut b = kind.to_ne_bytes().to_vec();
        b.extend(misc.to_ne_bytes());
        b.extend((size as u16).to_ne_bytes());
        b
    }

    fn sample(ip: u64, pid: u32, time: u64, misc: u16) -> Vec<u8> {
        let mut b = header(RECORD_SAMPLE, misc, 32);
        b.extend(ip.to_ne_bytes());
        b.extend(pid.to_ne_bytes());
        b.extend((pid + 1).to_ne_bytes());
        b.extend(time.to_ne_bytes());
        b
    }

    fn mmap2(pid: u32, start: u64, path: &str, prot: u32, time: u64) -> Vec<u8> {
        let name_len = (path.len() + 1).div_ceil(8) * 8;
        let size = 72 + name_len + 16;
        let mut b = header(RECORD_MMAP2, 2, size);
        b.extend(pid.to_ne_bytes());
        b.extend(pid.to_ne_bytes());
        b.extend(start.to_ne_bytes());
        b.extend(0x1000u64.to_ne_bytes());
        b.extend(0u64.to_ne_bytes());
        b.extend([0u8; 24]);
        b.extend(prot.to_ne_bytes());
        b.extend(2u32.to_ne_bytes());
        let mut name = path.as_bytes().to_vec();
        name.resize(name_len, 0);
        b.extend(name);
        b.extend(pid.to_ne_bytes());
        b.extend(pid.to_ne_bytes());
        b.extend(time.to_ne_bytes());
        b
    }

    #[test]
    fn the_attr_is_the_size_the_kernel_knows_as_version_5() {
        assert_eq!(std::mem::size_of::<Attr>(), 112);
    }

    #[test]
    fn samples_mmaps_forks_and_exec_parse_and_unknown_records_are_skipped() {
        let mut bytes = sample(0x7f00_1234, 42, 1000, 2);
        bytes.extend(sample(0xffff_ffff_8100_0000, 42, 1001, 1));
        bytes.extend(header(99, 0, 16)); // a THROTTLE-like record we do not read
        bytes.extend([0u8; 8]);
        bytes.extend(mmap2(42, 0x7f00_0000, "/usr/lib/libz.so.1", 5, 1002));
        bytes.extend(mmap2(42, 0x5000_0000, "/usr/lib/data", 1, 1003));
        let mut fork = header(RECORD_FORK, 0, 48);
        for v in [43u32, 42, 43, 42] {
            fork.extend(v.to_ne_bytes());
        }
        fork.extend(1004u64.to_ne_bytes());
        fork.extend([0u8; 16]);
        bytes.extend(fork);
        let mut comm = header(RECORD_COMM, MISC_COMM_EXEC, 40);
        comm.extend(43u32.to_ne_bytes());
        comm.extend(43u32.to_ne_bytes());
        comm.extend(*b"python3\0");
        comm.extend([0u8; 8]);
        comm.extend(1005u64.to_ne_bytes());
        bytes.extend(comm);
        let r = parse(&bytes);
        assert_eq!(
            r,
            [
                Record::Sample {
                    pid: 42,
                    tid: 43,
                    ip: 0x7f00_1234,
                    time: 1000,
                    kernel: false
                },
                Record::Sample {
                    pid: 42,
                    tid: 43,
                    ip: 0xffff_ffff_8100_0000,
                    time: 1001,
                    kernel: true
                },
                Record::Mmap {
                    pid: 42,
                    start: 0x7f00_0000,
                    len: 0x1000,
                    path: "/usr/lib/libz.so.1".into(),
                    time: 1002
                },
                Record::Fork {
                    pid: 43,
                    ppid: 42,
                    time: 1004
                },
                Record::Exec {
                    pid: 43,
                    time: 1005
                },
            ]
        );
    }

    #[test]
    fn a_truncated_record_ends_the_parse_without_panicking() {
        let mut bytes = sample(1, 2, 3, 2);
        bytes.extend(&sample(4, 5, 6, 2)[..20]);
        assert_eq!(parse(&bytes).len(), 1);
        assert!(parse(&header(RECORD_SAMPLE, 2, 0)).is_empty());
    }

    #[test]
    fn the_ring_is_read_from_tail_to_head_across_its_end() {
        let data: Vec<u8> = (0..8).collect();
        let mut out = Vec::new();
        copy_ring(&data, 6, 11, &mut out);
        assert_eq!(out, [6, 7, 0, 1, 2]);
        out.clear();
        copy_ring(&data, 16, 19, &mut out);
        assert_eq!(out, [0, 1, 2]);
        out.clear();
        copy_ring(&data, 5, 5, &mut out);
        assert!(out.is_empty());
    }
}
