//! The records a perf ring buffer holds, parsed from its bytes: samples (with
//! the sample type `perf` opens with: IP, PID/TID, time) and the side-band
//! records that say what a process maps, forks and execs. Pure functions over
//! byte slices, tested here with records built by hand.

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
/// flags `perf::Sampler` opens with. A truncated record ends the parse; record types
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
}
