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
//! [`copy_ring`] is pure and tested here; `record` parses what it copies, and
//! what the records mean is `shares`' business.

pub use super::record::{parse, Record};
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_attr_is_the_size_the_kernel_knows_as_version_5() {
        assert_eq!(std::mem::size_of::<Attr>(), 112);
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
