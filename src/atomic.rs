//! Files written whole or not at all: the results document, the report page and
//! the exports are read by other programs (a CI step, a web server, a dashboard),
//! which must never see half a file, even when storebench is killed mid-write.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` through a temporary file in the same directory
/// ([`crate::tempfiles::replace_with`]), synced and then renamed over `path`.
/// The directory must exist. A replaced file keeps its mode; a new one gets
/// `mode` when given, else what a plainly created file would (0666 less the
/// umask).
pub fn write(path: &Path, bytes: &[u8], mode: Option<u32>) -> Result<()> {
    crate::tempfiles::replace_with(path, mode, |f| f.write_all(bytes))
        .map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_file_is_replaced_whole_keeps_its_mode_and_nothing_else_is_left_in_its_directory() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        std::fs::write(&path, b"old, longer than the new content").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        write(&path, b"new", None).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        // The file it replaced keeps its mode.
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_mode_makes_the_file_readable_by_others() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.html");
        write(&path, b"<p>", Some(0o644)).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o644);
    }

    #[test]
    fn a_missing_directory_is_an_error_that_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing").join("out.csv");
        let err = write(&path, b"x", None).unwrap_err().to_string();
        assert!(err.contains("missing/out.csv"), "{err}");
    }
}
