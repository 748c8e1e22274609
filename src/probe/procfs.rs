//! One process as `/proc` shows it: identity, name, command line, owner, login
//! session, cgroups, CPU time and memory.
//!
//! The parsers are pure functions over the files' text, tested here; the readers
//! say apart a process that is gone (it exited between listing and reading: not
//! an error) from one that cannot be read (another user's: reported, never
//! dropped). Nothing here selects or samples.

use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;

/// Set in `/proc/PID/stat`'s flags for kernel threads, which own no memory of
/// their own and are never part of a probe.
const PF_KTHREAD: u64 = 0x0020_0000;

/// What `/proc/PID/sessionid` holds for a process outside any audited login session.
const NO_SESSION: u32 = u32::MAX;

/// The fields of `/proc/PID/stat` a probe needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stat {
    pub comm: String,
    pub ppid: u32,
    pub flags: u64,
    /// utime + stime, in clock ticks, over all threads.
    pub cpu_ticks: u64,
    /// Start time, in clock ticks after boot: with the PID, a process's identity.
    pub start_ticks: u64,
}

impl Stat {
    pub fn is_kernel_thread(&self) -> bool {
        self.flags & PF_KTHREAD != 0
    }
}

/// Parses `/proc/PID/stat`. The name sits in parentheses and may itself hold
/// spaces and parentheses, so fields are counted from the last `)`.
pub fn parse_stat(text: &str) -> Option<Stat> {
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let comm = text.get(open + 1..close)?.to_string();
    // Fields after the name, numbered as proc(5) does: 3 = state, 4 = ppid, …
    let rest: Vec<&str> = text.get(close + 1..)?.split_whitespace().collect();
    let field = |n: usize| rest.get(n - 3).and_then(|f| f.parse::<u64>().ok());
    Some(Stat {
        comm,
        ppid: u32::try_from(field(4)?).ok()?,
        flags: field(9)?,
        cpu_ticks: field(14)? + field(15)?,
        start_ticks: field(22)?,
    })
}

/// Memory of one process, in bytes, from `/proc/PID/smaps_rollup`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Memory {
    pub rss: u64,
    /// Proportional set size: each shared page divided among its sharers, so
    /// sums over processes count every page once.
    pub pss: u64,
    /// Unique set size: Private_Clean + Private_Dirty, what exiting would free.
    pub uss: u64,
    pub swap: u64,
}

impl Memory {
    pub fn add(&mut self, other: &Memory) {
        self.rss += other.rss;
        self.pss += other.pss;
        self.uss += other.uss;
        self.swap += other.swap;
    }
}

/// Parses `/proc/PID/smaps_rollup`; None when it has no `Rss:` line, as for a
/// zombie or a kernel thread, which own no address space.
pub fn parse_smaps_rollup(text: &str) -> Option<Memory> {
    let mut m = Memory::default();
    let mut seen = false;
    let mut private = 0;
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let Some(kib) = value
            .split_whitespace()
            .next()
            .and_then(|v| v.parse::<u64>().ok())
        else {
            continue;
        };
        let bytes = kib * 1024;
        match key {
            "Rss" => {
                m.rss = bytes;
                seen = true;
            }
            "Pss" => m.pss = bytes,
            "Private_Clean" | "Private_Dirty" => private += bytes,
            "Swap" => m.swap = bytes,
            _ => {}
        }
    }
    m.uss = private;
    seen.then_some(m)
}

/// The cgroup paths of `/proc/PID/cgroup`, one per hierarchy (`0::/user.slice/…`).
pub fn parse_cgroups(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.splitn(3, ':').nth(2))
        .map(String::from)
        .collect()
}

/// One process, as far as selecting it goes.
#[derive(Debug, Clone)]
pub struct Info {
    pub pid: u32,
    pub stat: Stat,
    /// The arguments joined by spaces; empty when unreadable.
    pub command: String,
    /// The file name of the first argument (`/usr/bin/code` → `code`).
    pub program: String,
    /// The owner of `/proc/PID`: the process's effective uid.
    pub uid: u32,
}

/// What reading a process gave.
#[derive(Debug)]
pub enum Read<T> {
    Ok(T),
    /// It exited, or never had what was asked for (a zombie's memory).
    Gone,
    /// It exists but this user may not read it.
    Denied(String),
}

fn proc_path(pid: u32, file: &str) -> PathBuf {
    PathBuf::from(format!("/proc/{pid}/{file}"))
}

fn classify<T>(pid: u32, file: &str, e: io::Error) -> Read<T> {
    match e.kind() {
        io::ErrorKind::PermissionDenied => {
            Read::Denied(format!("permission denied reading /proc/{pid}/{file}"))
        }
        io::ErrorKind::NotFound => Read::Gone,
        // ESRCH: the process died while the file was being read.
        _ if e.raw_os_error() == Some(libc::ESRCH) => Read::Gone,
        _ => Read::Denied(format!("reading /proc/{pid}/{file}: {e}")),
    }
}

/// Every PID in `/proc`, in no particular order (threads are not listed there).
pub fn pids() -> io::Result<Vec<u32>> {
    Ok(std::fs::read_dir("/proc")?
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .collect())
}

pub fn read_stat(pid: u32) -> Read<Stat> {
    match std::fs::read_to_string(proc_path(pid, "stat")) {
        Ok(text) => parse_stat(&text).map_or(Read::Gone, Read::Ok),
        Err(e) => classify(pid, "stat", e),
    }
}

pub fn read_info(pid: u32) -> Read<Info> {
    let stat = match read_stat(pid) {
        Read::Ok(s) => s,
        Read::Gone => return Read::Gone,
        Read::Denied(why) => return Read::Denied(why),
    };
    let uid = match std::fs::metadata(format!("/proc/{pid}")) {
        Ok(m) => m.uid(),
        Err(e) => return classify(pid, "", e),
    };
    let args: Vec<String> = std::fs::read(proc_path(pid, "cmdline"))
        .unwrap_or_default()
        .split(|&b| b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    let program = args
        .first()
        .map(|a| a.rsplit('/').next().unwrap_or(a).to_string())
        .unwrap_or_default();
    Read::Ok(Info {
        pid,
        stat,
        command: args.join(" "),
        program,
        uid,
    })
}

pub fn read_memory(pid: u32) -> Read<Memory> {
    match std::fs::read_to_string(proc_path(pid, "smaps_rollup")) {
        Ok(text) => parse_smaps_rollup(&text).map_or(Read::Gone, Read::Ok),
        Err(e) => classify(pid, "smaps_rollup", e),
    }
}

/// The audit login session of `pid`; None outside any session or when the
/// kernel does not keep them.
pub fn session_id(pid: &str) -> Option<u32> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/sessionid")).ok()?;
    text.trim().parse().ok().filter(|&s| s != NO_SESSION)
}

pub fn cgroups(pid: u32) -> Vec<String> {
    std::fs::read_to_string(proc_path(pid, "cgroup"))
        .map(|t| parse_cgroups(&t))
        .unwrap_or_default()
}

/// Clock ticks per second, the unit of the CPU times in `/proc/PID/stat`.
pub fn ticks_per_second() -> u64 {
    // SAFETY: sysconf only reads a constant of the running system.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    u64::try_from(ticks).ok().filter(|&t| t > 0).unwrap_or(100)
}

/// Now, in clock ticks after boot: the clock processes' start times count in.
pub fn boot_ticks_now(ticks_per_second: u64) -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own.
    unsafe { libc::clock_gettime(libc::CLOCK_BOOTTIME, &mut ts) };
    let seconds = ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9;
    (seconds * ticks_per_second as f64) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_are_counted_from_the_last_parenthesis() {
        let text = "4242 (my (odd) name) S 17 4242 4242 0 -1 4194560 120 0 0 0 \
                    250 31 0 0 20 0 3 0 987654 1234567 890 18446744073709551615";
        let s = parse_stat(text).unwrap();
        assert_eq!(s.comm, "my (odd) name");
        assert_eq!(s.ppid, 17);
        assert_eq!(s.cpu_ticks, 281);
        assert_eq!(s.start_ticks, 987654);
        assert!(!s.is_kernel_thread());
    }

    #[test]
    fn kernel_threads_are_recognised_by_their_flag() {
        let text = "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 9 0 0 20 0 1 0 2 0 0";
        assert!(parse_stat(text).unwrap().is_kernel_thread());
    }

    #[test]
    fn this_process_parses() {
        let text = std::fs::read_to_string("/proc/self/stat").unwrap();
        let s = parse_stat(&text).unwrap();
        assert_eq!(s.ppid, std::os::unix::process::parent_id());
    }

    #[test]
    fn smaps_rollup_gives_bytes_and_uss_is_both_private_lines() {
        let text = "00400000-7ffd1000 ---p 00000000 00:00 0   [rollup]\n\
                    Rss:                1612 kB\nPss:                 431 kB\n\
                    Pss_Anon:            112 kB\nShared_Clean:       1412 kB\n\
                    Private_Clean:        88 kB\nPrivate_Dirty:       112 kB\n\
                    Swap:                  8 kB\nSwapPss:               4 kB\n";
        let m = parse_smaps_rollup(text).unwrap();
        assert_eq!(
            m,
            Memory {
                rss: 1612 * 1024,
                pss: 431 * 1024,
                uss: 200 * 1024,
                swap: 8 * 1024,
            }
        );
    }

    #[test]
    fn an_empty_rollup_means_no_address_space() {
        assert_eq!(parse_smaps_rollup(""), None);
    }

    #[test]
    fn cgroup_lines_give_their_paths_even_with_colons_in_them() {
        let text = "12:memory:/user.slice\n1:name=systemd:/a:b.scope\n0::/user.slice/app.service\n";
        assert_eq!(
            parse_cgroups(text),
            ["/user.slice", "/a:b.scope", "/user.slice/app.service"]
        );
    }
}
