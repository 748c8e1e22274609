//! The temporary files and directories storebench makes, and the whole-file
//! replacement of an output that uses them.
//!
//! Every one is named `.storebench-tmp-PID-…` (PID: the process that made it), so
//! that it can be recognised: one whose process is gone is a leftover of a killed
//! run and is removed the next time storebench writes into that directory (or, for
//! the system's temporary directory, when storebench exits). Temporary files
//! beside outputs are also registered while they exist, so that an interrupted
//! storebench removes them before it exits ([`remove_all`]).
//!
//! [`replace`] writes a file whole or not at all: into a temporary file beside it,
//! synced, then renamed over it, so a reader, a full disk or a signal never leaves
//! half a file. A replaced file keeps its permissions; a new one gets the mode a
//! plainly created file would (0666 less the umask).

use std::fs::{File, Permissions};
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// How every temporary name of storebench starts.
pub const MARK: &str = ".storebench-tmp-";

/// Temporary files beside outputs that exist right now.
static OPEN: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn open_files() -> MutexGuard<'static, Vec<PathBuf>> {
    OPEN.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn prefix() -> String {
    format!("{MARK}{}-", std::process::id())
}

/// A temporary directory of this process in the system's temporary directory,
/// removed when dropped (or, after a kill, by a later storebench).
pub fn dir() -> io::Result<tempfile::TempDir> {
    tempfile::Builder::new().prefix(&prefix()).tempdir()
}

/// Writes `path` whole through `write`, keeping the mode of the file it replaces.
pub fn replace(path: &Path, write: impl FnOnce(&mut File) -> io::Result<()>) -> io::Result<()> {
    replace_with(path, None, write)
}

/// As [`replace`]; a new file gets `new_mode` exactly (no umask) when given.
pub fn replace_with(
    path: &Path,
    new_mode: Option<u32>,
    write: impl FnOnce(&mut File) -> io::Result<()>,
) -> io::Result<()> {
    let dir = parent(path);
    clean_stale(dir);
    let kept = std::fs::metadata(path)
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.permissions().mode() & 0o7777);
    let mut tmp = {
        let mut open = open_files();
        let tmp = tempfile::Builder::new()
            .prefix(&prefix())
            .permissions(Permissions::from_mode(0o666))
            .tempfile_in(dir)?;
        open.push(tmp.path().to_owned());
        tmp
    };
    let name = tmp.path().to_owned();
    let written = (|| {
        write(tmp.as_file_mut())?;
        if let Some(mode) = kept.or(new_mode) {
            tmp.as_file()
                .set_permissions(Permissions::from_mode(mode))?;
        }
        tmp.as_file().sync_all()
    })();
    // Renamed (or removed, on any error) with the list locked, so an interrupted
    // storebench neither misses it nor removes what is already in place.
    let mut open = open_files();
    open.retain(|p| *p != name);
    let result = match written {
        Ok(()) => tmp.persist(path).map(drop).map_err(|e| e.error),
        Err(e) => {
            drop(tmp);
            Err(e)
        }
    };
    drop(open);
    result
}

/// Checks that files can be written into `dir` as [`replace`] writes them:
/// creates it when missing (if `create`: as the writer would), and makes and
/// removes a temporary file in it.
pub fn check_writable(dir: &Path, create: bool) -> io::Result<()> {
    if create {
        std::fs::create_dir_all(dir)?;
    }
    let mut open = open_files();
    let tmp = tempfile::Builder::new()
        .prefix(&prefix())
        .tempfile_in(dir)?;
    open.push(tmp.path().to_owned());
    let name = tmp.path().to_owned();
    let closed = tmp.close();
    open.retain(|p| *p != name);
    closed
}

/// The directory a file of `path` is written in.
pub fn parent(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Removes every registered temporary file, and keeps the list locked until the
/// process exits: called only by an interrupted storebench on its way out.
pub fn remove_all() {
    let open = open_files();
    for p in open.iter() {
        let _ = std::fs::remove_file(p);
    }
    std::mem::forget(open);
}

/// Removes the leftovers in `dir`: storebench's temporary files and directories
/// whose process is gone. Best effort: what cannot be removed stays.
pub fn clean_stale(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(owner) else {
            continue;
        };
        if alive(pid) {
            continue;
        }
        let path = entry.path();
        let _ = match entry.file_type() {
            Ok(t) if t.is_dir() => std::fs::remove_dir_all(&path),
            _ => std::fs::remove_file(&path),
        };
    }
}

/// The pid in a temporary name of storebench's, `.storebench-tmp-PID-…`.
fn owner(name: &str) -> Option<libc::pid_t> {
    let (pid, _) = name.strip_prefix(MARK)?.split_once('-')?;
    pid.parse().ok().filter(|&p| p > 0)
}

fn alive(pid: libc::pid_t) -> bool {
    if pid as u32 == std::process::id() {
        return true;
    }
    // SAFETY: signal 0 only checks that the process exists.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn a_replaced_file_keeps_its_mode_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.json");
        std::fs::write(&p, "old").unwrap();
        std::fs::set_permissions(&p, Permissions::from_mode(0o640)).unwrap();
        replace(&p, |f| io::Write::write_all(f, b"new")).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        assert_eq!(mode(&p), 0o640);
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn a_failed_write_keeps_the_old_file_and_removes_the_temporary_one() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.json");
        std::fs::write(&p, "good").unwrap();
        let err = replace(&p, |f| {
            io::Write::write_all(f, b"half")?;
            Err(io::Error::other("disk full"))
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "disk full");
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "good");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_new_file_gets_the_explicit_mode_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("index.html");
        replace_with(&p, Some(0o644), |f| io::Write::write_all(f, b"x")).unwrap();
        assert_eq!(mode(&p), 0o644);
    }

    #[test]
    fn leftovers_of_a_dead_process_are_removed_and_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        // pid_max is at most 2^22: this pid cannot be running.
        let dead = dir.path().join(format!("{MARK}{}-abc", 1 << 23));
        let mine = dir.path().join(format!("{}xyz", prefix()));
        let other = dir.path().join(".tmpABC");
        for p in [&dead, &mine, &other] {
            std::fs::write(p, "").unwrap();
        }
        std::fs::create_dir(dir.path().join(format!("{MARK}{}-d", 1 << 23))).unwrap();
        clean_stale(dir.path());
        assert!(!dead.exists());
        assert!(mine.exists() && other.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn a_directory_that_cannot_be_written_fails_the_check() {
        let dir = tempfile::tempdir().unwrap();
        assert!(check_writable(&dir.path().join("new/sub"), true).is_ok());
        assert!(check_writable(&dir.path().join("missing"), false).is_err());
        let file = dir.path().join("file");
        std::fs::write(&file, "").unwrap();
        assert!(check_writable(&file.join("sub"), true).is_err());
        assert_eq!(
            std::fs::read_dir(dir.path().join("new/sub"))
                .unwrap()
                .count(),
            0
        );
    }
}
