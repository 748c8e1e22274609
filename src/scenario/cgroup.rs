//! The plan's cgroup memory limit (systemd's `MemoryHigh=`) for a scenario's
//! processes: only on a cgroup v2 hierarchy that offers the memory controller
//! and lets storebench make a group in it; otherwise the reason it cannot.

use std::path::{Path, PathBuf};

/// The directory of storebench's own cgroup v2 group when the memory controller
/// is enabled there and it is writable; else why not, as a sentence's end.
pub fn memory_v2() -> Result<PathBuf, String> {
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo")
        .map_err(|e| format!("/proc/self/mountinfo unreadable ({e})"))?;
    let Some(mount) = mountinfo.lines().find_map(cgroup2_mount) else {
        return Err("no cgroup v2 hierarchy is mounted (/proc/self/mountinfo)".into());
    };
    let own = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
    let rel = own
        .lines()
        .find_map(|l| l.strip_prefix("0::"))
        .unwrap_or("/")
        .trim_start_matches('/');
    let dir = mount.join(rel);
    let controllers = std::fs::read_to_string(dir.join("cgroup.controllers")).unwrap_or_default();
    if !controllers.split_whitespace().any(|c| c == "memory") {
        return Err(format!(
            "the cgroup v2 hierarchy at {} offers the controllers `{}`, not memory (it is on a cgroup v1 hierarchy here)",
            dir.display(),
            controllers.trim()
        ));
    }
    // SAFETY: access on a NUL-terminated path.
    let path =
        std::ffi::CString::new(dir.as_os_str().as_encoded_bytes()).map_err(|e| e.to_string())?;
    if unsafe { libc::access(path.as_ptr(), libc::W_OK) } != 0 {
        return Err(format!("{} is not writable by this user", dir.display()));
    }
    Ok(dir)
}

/// The mount point of a `cgroup2` line of mountinfo.
fn cgroup2_mount(line: &str) -> Option<PathBuf> {
    let (left, right) = line.split_once(" - ")?;
    if right.split_whitespace().next()? != "cgroup2" {
        return None;
    }
    Some(PathBuf::from(left.split_whitespace().nth(4)?))
}

/// A new group below `parent` with `memory.high` set, for one setup.
pub fn limited(parent: &Path, bytes: u64) -> Result<PathBuf, String> {
    let dir = parent.join(format!("storebench-scenario-{}", std::process::id()));
    let _ = std::fs::remove_dir(&dir);
    std::fs::create_dir(&dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
    let high = dir.join("memory.high");
    std::fs::write(&high, bytes.to_string()).map_err(|e| {
        let _ = std::fs::remove_dir(&dir);
        format!("cannot write {}: {e}", high.display())
    })?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cgroup2_mount_is_read_from_mountinfo() {
        let v1 = "30 25 0:26 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory";
        let v2 = "35 25 0:30 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw";
        assert_eq!(cgroup2_mount(v1), None);
        assert_eq!(
            cgroup2_mount(v2),
            Some(PathBuf::from("/sys/fs/cgroup/unified"))
        );
    }
}
