//! A glibc root: the loader and the libc a variant's processes must start with.
//!
//! A glibc cannot be swapped with `LD_LIBRARY_PATH`: the running loader and the
//! libc must come from the same build, or the process dies before `main`. So a
//! variant that names a glibc starts its workers, interpreters and commands
//! through that glibc's own loader, `<glibc>/lib/ld-linux-x86-64.so.2
//! --library-path <glibc lib>:<variant lib dirs> PROGRAM`. This module finds the
//! loader and the library directory of a root; whether the processes really
//! loaded them is checked afterwards, from provenance.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The file name of the dynamic loader on this architecture.
#[cfg(target_arch = "x86_64")]
pub const LOADER: &str = "ld-linux-x86-64.so.2";
#[cfg(target_arch = "aarch64")]
pub const LOADER: &str = "ld-linux-aarch64.so.1";

/// The C library's soname.
pub const LIBC: &str = "libc.so.6";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Glibc {
    /// The root as the user gave it.
    pub root: PathBuf,
    /// The directory holding the loader and `libc.so.6`: `ROOT/lib` for a Nix
    /// store path, ROOT itself for a directory such as `/lib/x86_64-linux-gnu`.
    pub lib_dir: PathBuf,
    pub loader: PathBuf,
}

impl Glibc {
    /// Finds the loader and libc of `root`, or says where it looked.
    pub fn at(variant: &str, root: &Path) -> Result<Glibc> {
        if !root.exists() {
            return Err(Error::MissingRoot {
                variant: variant.into(),
                path: root.to_owned(),
            });
        }
        let candidates = [root.join("lib"), root.to_owned()];
        let Some(lib_dir) = candidates.iter().find(|d| d.join(LOADER).is_file()) else {
            return Err(Error::NoLoader {
                variant: variant.into(),
                root: root.to_owned(),
                looked: candidates
                    .iter()
                    .map(|d| d.join(LOADER).display().to_string())
                    .collect::<Vec<_>>()
                    .join(" and "),
            });
        };
        if !lib_dir.join(LIBC).is_file() {
            return Err(Error::NoLoader {
                variant: variant.into(),
                root: root.to_owned(),
                looked: format!(
                    "{} (the loader is there, libc.so.6 is not)",
                    lib_dir.join(LIBC).display()
                ),
            });
        }
        Ok(Glibc {
            root: root.to_owned(),
            loader: lib_dir.join(LOADER),
            lib_dir: lib_dir.clone(),
        })
    }

    /// Whether `path` (as mapped, or its real file) is this glibc's `file`: the
    /// same real file as `lib_dir/file`, or a file in `lib_dir` itself.
    pub fn owns(&self, file: &str, path: &Path) -> bool {
        let real = path.canonicalize().unwrap_or_else(|_| path.to_owned());
        let own = self.lib_dir.join(file).canonicalize().ok();
        let dir = self.lib_dir.canonicalize().ok();
        own.as_deref() == Some(real.as_path()) || real.parent() == dir.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nix_style_root_uses_its_lib_and_a_flat_directory_is_used_as_is() {
        let tmp = tempfile::tempdir().unwrap();
        let nix = tmp.path().join("glibc-2.40");
        std::fs::create_dir_all(nix.join("lib")).unwrap();
        for f in [LOADER, LIBC] {
            std::fs::write(nix.join("lib").join(f), b"").unwrap();
            std::fs::write(tmp.path().join(f), b"").unwrap();
        }
        let g = Glibc::at("n", &nix).unwrap();
        assert_eq!(g.lib_dir, nix.join("lib"));
        assert_eq!(g.loader, nix.join("lib").join(LOADER));
        let flat = Glibc::at("f", tmp.path()).unwrap();
        assert_eq!(flat.lib_dir, tmp.path());
    }

    #[test]
    fn a_root_without_a_loader_names_where_it_looked() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join(LIBC), b"").unwrap();
        let err = Glibc::at("v", tmp.path()).unwrap_err().to_string();
        assert!(err.contains(LOADER) && err.contains("`v`"), "{err}");
    }
}
