//! A spawned process tree, run to completion and measured as hyperfine and
//! `/usr/bin/time` measure it: wall time from spawn to exit, user and system CPU
//! time and peak RSS from `wait4`'s rusage, and how it ended.
//!
//! The rusage `wait4` returns covers the child and every descendant it waited for,
//! so CPU time is the tree's; peak RSS is the largest single process's peak, not a
//! sum. Each run gets its own process group, so a timeout kills the whole tree and
//! nothing it left behind outlives the run.
//!
//! This module knows nothing of variants or benchmarks: it is handed a ready
//! [`Command`] (see `Variant::command`) and reports what happened.

use std::ffi::OsStr;
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
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
    let start = Instant::now();
    let child = cmd.spawn()?;
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
    // Whatever the tree left running in its group does not outlive the run.
    kill_group(pid);
    drop(child);
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
