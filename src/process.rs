//! A spawned process tree, run to completion and measured as hyperfine and
//! `/usr/bin/time` measure it: wall time from spawn to exit, user and system CPU
//! time and peak RSS from `wait4`'s rusage, and how it ended.
//!
//! The rusage `wait4` returns covers the child and every descendant it waited for,
//! so CPU time is the tree's; peak RSS is the largest single process's peak, not a
//! sum. Each run gets its own process group, so a timeout kills the whole tree;
//! what escaped the group (`setsid`, job control) and was re-parented to
//! storebench is killed when the run ends ([`contain`]).
//!
//! Nothing storebench starts outlives it, by any path: [`guard`] makes it the
//! child subreaper (orphans of its descendants re-parent to it, not to init) and
//! turns SIGINT, SIGTERM and SIGHUP into a sweep that kills and reaps every
//! descendant, removes its temporary files and exits 128 + the signal; the guard
//! sweeps again when it is dropped at the end of `main`.
//!
//! This module knows nothing of variants or benchmarks: it is handed a ready
//! [`Command`] (see `Variant::command`) and reports what happened.

use std::ffi::OsStr;
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant};

/// What becomes of the child's standard output. Standard error is always kept
/// (its tail explains a failure).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stdout {
    /// Kept for the caller (a workload script's result line).
    Capture,
    /// Sent to /dev/null, as hyperfine does: a command's output is not the product.
    Discard,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    Signal(i32),
    /// Killed, with its process group, after the timeout.
    TimedOut,
}

/// One measured run.
#[derive(Debug, Clone)]
pub struct Run {
    pub wall_seconds: f64,
    pub user_seconds: f64,
    pub system_seconds: f64,
    /// `ru_maxrss`, which Linux counts in KiB, in bytes.
    pub max_rss_bytes: u64,
    pub exit: Exit,
    /// Empty unless [`Stdout::Capture`].
    pub stdout: String,
    /// The last few KiB of standard error.
    pub stderr_tail: String,
}

impl Run {
    pub fn cpu_seconds(&self) -> f64 {
        self.user_seconds + self.system_seconds
    }
}

const STDERR_TAIL: u64 = 4096;

/// Spawns `cmd` with stdin from /dev/null in a process group of its own, waits
/// for it (at most `timeout`), and measures it.
pub fn run(mut cmd: Command, stdout: Stdout, timeout: Duration) -> std::io::Result<Run> {
    let out_file = match stdout {
        Stdout::Capture => Some(tempfile::tempfile()?),
        Stdout::Discard => None,
    };
    let mut err_file = tempfile::tempfile()?;
    cmd.stdin(Stdio::null())
        .stdout(match &out_file {
            Some(f) => Stdio::from(f.try_clone()?),
            None => Stdio::null(),
        })
        .stderr(Stdio::from(err_file.try_clone()?))
        .process_group(0);
    let (child, start) = {
        // Registered before any sweep can see it: its group is not an escape.
        let mut live = lock(&LIVE);
        let start = Instant::now();
        let child = cmd.spawn()?;
        live.push(child.id() as libc::pid_t);
        (child, start)
    };
    let pid = child.id() as libc::pid_t;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let waited = wait4(pid);
        let _ = tx.send((waited, Instant::now()));
    });
    let (waited, end, timed_out) = match rx.recv_timeout(timeout) {
        Ok((w, end)) => (w, end, false),
        Err(_) => {
            kill_group(pid);
            let (w, end) = rx
                .recv()
                .map_err(|_| std::io::Error::other("the waiting thread is gone"))?;
            (w, end, true)
        }
    };
    // Whatever the tree left running, in its group or escaped from it, does not
    // outlive the run.
    lock(&LIVE).retain(|&p| p != pid);
    drop(child);
    contain(pid);
    let (status, ru) = waited?;
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    let exit = if timed_out {
        Exit::TimedOut
    } else if libc::WIFSIGNALED(status) {
        Exit::Signal(libc::WTERMSIG(status))
    } else {
        Exit::Code(libc::WEXITSTATUS(status))
    };
    let mut out = String::new();
    if let Some(mut f) = out_file {
        f.seek(SeekFrom::Start(0))?;
        f.read_to_string(&mut out)?;
    }
    Ok(Run {
        wall_seconds: (end - start).as_secs_f64(),
        user_seconds: secs(ru.ru_utime),
        system_seconds: secs(ru.ru_stime),
        max_rss_bytes: ru.ru_maxrss.max(0) as u64 * 1024,
        exit,
        stdout: out,
        stderr_tail: tail(&mut err_file)?,
    })
}

fn wait4(pid: libc::pid_t) -> std::io::Result<(i32, libc::rusage)> {
    let mut status = 0;
    // SAFETY: wait4 fills the status and the rusage it is given.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
        if r == pid {
            return Ok((status, ru));
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

fn kill_group(pid: libc::pid_t) {
    // SAFETY: a signal to a process group we created; ESRCH when it is gone is fine.
    unsafe { libc::kill(-pid, libc::SIGKILL) };
}

/// The pids of [`run`]'s children still being waited for: their groups are theirs.
static LIVE: Mutex<Vec<libc::pid_t>> = Mutex::new(Vec::new());

fn lock<T>(m: &'static Mutex<T>) -> std::sync::MutexGuard<'static, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// How long a sweep keeps killing before it gives up on a process that will not
/// die (one stuck in the kernel).
const SWEEP_LIMIT: Duration = Duration::from_secs(5);

/// Kills what is left of the run whose group is `group`: the group itself, and
/// every child of ours outside our own group that is no live run's, which is
/// what escaped a run's group and was re-parented to us, with its descendants.
fn contain(group: libc::pid_t) {
    let deadline = Instant::now() + SWEEP_LIMIT;
    // SAFETY: getpgrp and getpid cannot fail.
    let (me, mine) = unsafe { (libc::getpid(), libc::getpgrp()) };
    let live = lock(&LIVE);
    loop {
        kill_group(group);
        let table = procs();
        let escaped: Vec<libc::pid_t> = table
            .iter()
            .filter(|p| p.ppid == me && p.pgid != mine)
            .filter(|p| !live.contains(&p.pgid) && !live.contains(&p.pid))
            .map(|p| p.pid)
            .collect();
        let in_group = table.iter().any(|p| p.pgid == group);
        if (escaped.is_empty() && !in_group) || Instant::now() > deadline {
            return;
        }
        let mut doomed = descendants_of(&table, &escaped);
        doomed.extend(&escaped);
        kill_and_reap(&doomed, &table, me);
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Kills and reaps every descendant of this process, until none is left (or
/// [`SWEEP_LIMIT`] passes). As the subreaper, the orphans of killed processes
/// re-parent to us and are found by the next pass.
pub fn sweep() {
    let deadline = Instant::now() + SWEEP_LIMIT;
    // SAFETY: getpid cannot fail.
    let me = unsafe { libc::getpid() };
    loop {
        let table = procs();
        let doomed = descendants_of(&table, &[me]);
        if doomed.is_empty() || Instant::now() > deadline {
            return;
        }
        kill_and_reap(&doomed, &table, me);
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// SIGKILLs `doomed`, then waits briefly for those that are our children.
fn kill_and_reap(doomed: &[libc::pid_t], table: &[Proc], me: libc::pid_t) {
    for &pid in doomed {
        // SAFETY: a signal to a process of our own tree; ESRCH is fine.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
    let children = table
        .iter()
        .filter(|p| p.ppid == me && doomed.contains(&p.pid));
    for child in children {
        let until = Instant::now() + Duration::from_millis(200);
        // SAFETY: waitpid on our own child, without rusage.
        while unsafe { libc::waitpid(child.pid, std::ptr::null_mut(), libc::WNOHANG) } == 0
            && Instant::now() < until
        {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

/// A process as `/proc/PID/stat` describes it.
#[derive(Debug, Clone, Copy)]
struct Proc {
    pid: libc::pid_t,
    ppid: libc::pid_t,
    pgid: libc::pid_t,
}

/// Every process this kernel shows us.
fn procs() -> Vec<Proc> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return vec![];
    };
    dir.flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<libc::pid_t>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            parse_stat(pid, &stat)
        })
        .collect()
}

/// `pid (comm) state ppid pgrp …`; comm may hold spaces and parentheses.
fn parse_stat(pid: libc::pid_t, stat: &str) -> Option<Proc> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_ascii_whitespace().skip(1);
    let ppid = fields.next()?.parse().ok()?;
    let pgid = fields.next()?.parse().ok()?;
    Some(Proc { pid, ppid, pgid })
}

/// Everything below `roots` in `table`.
fn descendants_of(table: &[Proc], roots: &[libc::pid_t]) -> Vec<libc::pid_t> {
    let mut found: Vec<libc::pid_t> = vec![];
    let mut frontier: Vec<libc::pid_t> = roots.to_vec();
    while let Some(parent) = frontier.pop() {
        for p in table.iter().filter(|p| p.ppid == parent) {
            if !found.contains(&p.pid) {
                found.push(p.pid);
                frontier.push(p.pid);
            }
        }
    }
    found
}

/// Sweeps when dropped; see [`guard`].
pub struct Guard(());

impl Drop for Guard {
    fn drop(&mut self) {
        sweep();
        crate::tempfiles::clean_stale(&std::env::temp_dir());
    }
}

/// Makes this process the subreaper of its descendants (when `subreaper`), and
/// sends SIGINT, SIGTERM and SIGHUP to a thread that sweeps and exits. Call it
/// before any thread starts: the signals are blocked in every thread spawned
/// after it (a spawned program gets an empty mask: the standard library resets it).
pub fn guard(subreaper: bool) -> Guard {
    if subreaper {
        // SAFETY: prctl with an integer flag.
        unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) };
    }
    // SAFETY: a signal set built and installed as the manual says.
    let set = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            libc::sigaddset(&mut set, sig);
        }
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        set
    };
    let spawned = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || loop {
            let mut sig = 0;
            // SAFETY: sigwait on the set blocked above.
            if unsafe { libc::sigwait(&set, &mut sig) } == 0 {
                shut_down(sig);
            }
        });
    if let Err(e) = spawned {
        eprintln!("warning: no signal thread ({e}): an interrupted run may leave processes behind");
    }
    Guard(())
}

/// The end of an interrupted storebench: no new run starts, every descendant is
/// killed and reaped, every temporary file removed, and the process exits
/// 128 + `sig` (130 for SIGINT, 143 for SIGTERM) without running destructors
/// that other threads may still be using.
fn shut_down(sig: i32) -> ! {
    let name = match sig {
        libc::SIGINT => "SIGINT",
        libc::SIGTERM => "SIGTERM",
        libc::SIGHUP => "SIGHUP",
        _ => "a signal",
    };
    eprintln!("\nstorebench: {name}: stopping every process it started");
    // Held until the exit: no run spawns past this point.
    std::mem::forget(lock(&LIVE));
    crate::tempfiles::remove_all();
    sweep();
    crate::tempfiles::clean_stale(&std::env::temp_dir());
    // SAFETY: _exit ends the process at once.
    unsafe { libc::_exit(128 + sig) }
}

fn tail(f: &mut std::fs::File) -> std::io::Result<String> {
    let len = f.seek(SeekFrom::End(0))?;
    f.seek(SeekFrom::Start(len.saturating_sub(STDERR_TAIL)))?;
    let mut buf = Vec::new();
    f.read_to_end(&mut buf)?;
    Ok(printable(&String::from_utf8_lossy(&buf)))
}

/// A child's output made safe to show on a terminal, in the page and in
/// the document: every control character but the line break and the tab (an
/// escape sequence's ESC, a carriage return that overwrites the line, a bell,
/// C1 controls) is written as its `\u{..}` escape, so nothing a child prints
/// can move the cursor, retitle the terminal or hide text.
pub fn printable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() && c != '\n' && c != '\t' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// `name` as `execvp` would find it: itself when it holds a `/`, else the first
/// executable file of that name on `PATH`. A program started through a glibc's
/// loader needs a path, since the loader does not search `PATH`.
pub fn find_program(name: &OsStr) -> Option<PathBuf> {
    let p = Path::new(name);
    if p.components().count() > 1 || name.as_encoded_bytes().contains(&b'/') {
        return Some(p.to_owned());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(p))
        .find(|candidate| is_executable(candidate))
}

pub fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_reports_its_exit_code_output_and_cpu_time() {
        let mut cmd = Command::new("/bin/sh");
        cmd.args([
            "-c",
            "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; echo done; echo oops >&2; exit 3",
        ]);
        let r = run(cmd, Stdout::Capture, Duration::from_secs(30)).unwrap();
        assert_eq!(r.exit, Exit::Code(3));
        assert_eq!(r.stdout, "done\n");
        assert_eq!(r.stderr_tail, "oops\n");
    }

    #[test]
    fn escape_sequences_on_a_childs_stderr_are_shown_escaped() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "printf 'a\\033]0;pwned\\007\\033[2J\\rb\\n' >&2"]);
        let r = run(cmd, Stdout::Capture, Duration::from_secs(10)).unwrap();
        assert_eq!(r.stderr_tail, "a\\u{1b}]0;pwned\\u{7}\\u{1b}[2J\\rb\n");
        assert!(!r.stderr_tail.contains('\x1b'));
        assert!(
            r.cpu_seconds() > 0.0 && r.wall_seconds >= r.user_seconds * 0.5,
            "{r:?}"
        );
        assert!(r.max_rss_bytes > 100 * 1024, "{r:?}");
    }

    #[test]
    fn a_run_past_its_timeout_is_killed_with_its_children() {
        let mut cmd = Command::new("/bin/sh");
        cmd.args(["-c", "sleep 30 & sleep 30; wait"]);
        let start = Instant::now();
        let r = run(cmd, Stdout::Discard, Duration::from_millis(200)).unwrap();
        assert_eq!(r.exit, Exit::TimedOut);
        assert!(start.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn a_signal_is_reported_as_such() {
        let mut cmd = Command::new("/bin/sh");
        cmd.args(["-c", "kill -SEGV $$"]);
        let r = run(cmd, Stdout::Discard, Duration::from_secs(30)).unwrap();
        assert_eq!(r.exit, Exit::Signal(libc::SIGSEGV));
    }

    #[test]
    fn programs_are_found_on_path_unless_given_with_a_slash() {
        assert_eq!(find_program(OsStr::new("./x")), Some(PathBuf::from("./x")));
        let sh = find_program(OsStr::new("sh")).expect("sh is on PATH");
        assert!(sh.is_absolute() && sh.ends_with("sh"), "{}", sh.display());
        assert_eq!(find_program(OsStr::new("no-such-program-here")), None);
    }
}
