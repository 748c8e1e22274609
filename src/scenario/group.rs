//! The processes of one scenario setup: started in one process group of their
//! own, with their output in a temporary directory that also holds their home,
//! profile and sockets; all stopped, reaped and removed when the group is dropped.
//!
//! storebench is the subreaper of what it starts ([`crate::process::guard`]), so
//! a daemon that double-forks out of the group re-parents to storebench, and the
//! sweep after the group's end kills and reaps it.

use crate::error::{Error, Result};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long the processes get between SIGTERM and SIGKILL.
const GRACE: Duration = Duration::from_secs(2);

pub struct Group {
    scenario: &'static str,
    children: Vec<(String, Child)>,
    /// The group's id: the first child's PID (0 until one started).
    pgid: i32,
    dir: tempfile::TempDir,
    /// Empty cgroup directories to remove once the processes are gone.
    cgroups: Vec<PathBuf>,
}

impl Group {
    pub fn new(scenario: &'static str) -> Result<Group> {
        let dir = crate::tempfiles::dir().map_err(|e| Error::io(std::env::temp_dir(), e))?;
        Ok(Group {
            scenario,
            children: vec![],
            pgid: 0,
            dir,
            cgroups: vec![],
        })
    }

    /// The group's private directory.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Starts `cmd` in the group, stdin closed, stdout and stderr into `NAME.log`.
    pub fn spawn(&mut self, name: &str, mut cmd: Command) -> Result<u32> {
        let log = self.log_path(name);
        let file = std::fs::File::create(&log).map_err(|e| Error::io(&log, e))?;
        let err = file.try_clone().map_err(|e| Error::io(&log, e))?;
        cmd.stdin(Stdio::null())
            .stdout(file)
            .stderr(err)
            .process_group(self.pgid);
        let child = cmd
            .spawn()
            .map_err(|e| self.fail(format!("cannot start {name}: {e}")))?;
        if self.pgid == 0 {
            self.pgid = child.id() as i32;
        }
        let pid = child.id();
        self.children.push((name.into(), child));
        Ok(pid)
    }

    /// Where `name`'s output goes (stdout and stderr).
    pub fn log_path(&self, name: &str) -> PathBuf {
        self.dir.path().join(format!("{name}.log"))
    }

    /// The last lines `name` printed, for an error message.
    pub fn log_tail(&self, name: &str) -> String {
        let text = std::fs::read_to_string(self.log_path(name)).unwrap_or_default();
        let lines: Vec<&str> = text.lines().rev().take(3).collect();
        let tail: Vec<&str> = lines.into_iter().rev().collect();
        crate::process::printable(&tail.join(" | "))
    }

    /// Removes the cgroup directory `dir` when the group has ended.
    pub fn remove_after(&mut self, dir: PathBuf) {
        self.cgroups.push(dir);
    }

    /// The PIDs of the processes started directly.
    pub fn pids(&self) -> Vec<u32> {
        self.children.iter().map(|(_, c)| c.id()).collect()
    }

    /// Fails with `name`'s last output when it has exited.
    pub fn check_alive(&mut self, name: &str) -> Result<()> {
        let i = self.children.iter().position(|(n, _)| n == name);
        let Some(i) = i else { return Ok(()) };
        if let Ok(Some(status)) = self.children[i].1.try_wait() {
            return Err(self.fail(format!(
                "{name} exited ({status}) before it was measured: {}",
                self.log_tail(name)
            )));
        }
        Ok(())
    }

    /// Polls `ready` every 50 ms until it gives a value, `name` exits, or `limit` passes.
    pub fn wait_for<T>(
        &mut self,
        name: &str,
        what: &str,
        limit: Duration,
        mut ready: impl FnMut() -> Option<T>,
    ) -> Result<T> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(v) = ready() {
                return Ok(v);
            }
            self.check_alive(name)?;
            if Instant::now() > deadline {
                return Err(self.fail(format!(
                    "{name}: no {what} within {} s: {}",
                    limit.as_secs(),
                    self.log_tail(name)
                )));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn fail(&self, why: String) -> Error {
        Error::Scenario {
            scenario: self.scenario.into(),
            why,
        }
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        if self.pgid > 0 {
            // SAFETY: signals to the process group this group made; ESRCH is fine.
            unsafe { libc::kill(-self.pgid, libc::SIGTERM) };
            let deadline = Instant::now() + GRACE;
            while Instant::now() < deadline
                && self
                    .children
                    .iter_mut()
                    .any(|(_, c)| matches!(c.try_wait(), Ok(None)))
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            // SAFETY: as above; whatever ignored SIGTERM (or was forked by one).
            unsafe { libc::kill(-self.pgid, libc::SIGKILL) };
        }
        for (_, c) in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
        // The daemons that left the group (a D-Bus activated service) and the
        // zombies of killed grandchildren: storebench runs nothing else meanwhile.
        crate::process::sweep();
        for dir in &self.cgroups {
            let _ = std::fs::remove_dir(dir);
        }
    }
}
