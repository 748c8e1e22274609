//! Nix: store paths, profiles and closures as the roots of a variant.
//!
//! Uses only the stable `nix-store` interface, so it works with and without the
//! experimental `nix` command. What goes on a worker's library path is decided
//! here: only the store paths that really hold a benchmarked library, never a glibc
//! (a libc that does not match the loader crashes the process).

use crate::error::{Error, Result};
use crate::library::Library;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

pub const STORE: &str = "/nix/store";

/// `/nix/store/<hash>-<name>-<version>`, taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorePath {
    pub path: PathBuf,
    pub hash: String,
    pub name: String,
    pub version: Option<String>,
}

impl StorePath {
    /// Parses the store path a file lives in; the reason when it is none.
    pub fn parse(p: &Path) -> std::result::Result<StorePath, String> {
        let rest = p
            .strip_prefix(STORE)
            .map_err(|_| format!("{} is not under {STORE}", p.display()))?;
        let first = rest
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .ok_or_else(|| format!("{} names no store object", p.display()))?;
        let (hash, full) = first
            .split_once('-')
            .filter(|(h, n)| h.len() == 32 && !n.is_empty())
            .ok_or_else(|| format!("{first} is not <32-character hash>-<name>"))?;
        // As `builtins.parseDrvName`: the version starts at the first dash before a digit.
        let cut = full
            .match_indices('-')
            .map(|(i, _)| i)
            .find(|&i| full[i + 1..].starts_with(|c: char| c.is_ascii_digit()));
        let (name, version) = match cut {
            Some(i) => (&full[..i], Some(full[i + 1..].to_string())),
            None => (full, None),
        };
        Ok(StorePath {
            path: Path::new(STORE).join(first),
            hash: hash.into(),
            name: name.into(),
            version,
        })
    }

    /// `zlib 1.3.1 (126sd90f)`: how a person tells two store paths apart.
    pub fn short(&self) -> String {
        let version = self
            .version
            .as_deref()
            .map(|v| format!(" {v}"))
            .unwrap_or_default();
        format!("{}{version} ({})", self.name, &self.hash[..8])
    }
}

/// Every store path `path` depends on, itself included (`nix-store -qR`).
pub fn requisites(path: &Path) -> Result<Vec<PathBuf>> {
    let out = Command::new("nix-store")
        .arg("--query")
        .arg("--requisites")
        .arg(path)
        .output()
        .map_err(|e| Error::Nix {
            path: path.into(),
            why: format!("cannot run nix-store ({e}); install Nix (Debian: apt-get install nix-bin) or give store paths directly"),
        })?;
    if !out.status.success() {
        return Err(Error::Nix {
            path: path.into(),
            why: format!(
                "nix-store --query --requisites failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(PathBuf::from)
        .collect())
}

/// A profile or generation link (`/nix/var/nix/profiles/system-41-link`,
/// home-manager's), resolved to the store path it points at.
pub fn resolve_profile(link: &Path) -> Result<PathBuf> {
    let meta = std::fs::symlink_metadata(link).map_err(|e| Error::io(link, e))?;
    if !meta.file_type().is_symlink() {
        return Err(Error::Nix {
            path: link.into(),
            why: "is not a symbolic link; a profile or generation is a link into the Nix store (e.g. /nix/var/nix/profiles/system-41-link)".into(),
        });
    }
    let target = link.canonicalize().map_err(|e| Error::io(link, e))?;
    StorePath::parse(&target)
        .map(|s| s.path)
        .map_err(|why| Error::Nix {
            path: link.into(),
            why: format!(
                "points at {}, which is not in the Nix store: {why}",
                target.display()
            ),
        })
}

/// For each benchmarked library in a closure, the `lib/` directories of the store
/// paths that really hold its file, sorted. Symlink farms (profiles, buildEnv)
/// resolve to the same file and count once.
pub fn library_owners(closure: &[PathBuf]) -> BTreeMap<Library, Vec<PathBuf>> {
    let mut found: BTreeMap<Library, Vec<PathBuf>> = BTreeMap::new();
    for root in closure {
        let Ok(entries) = std::fs::read_dir(root.join("lib")) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(library) = Library::ALL.into_iter().find(|l| l.matches_file(&name)) else {
                continue;
            };
            let owner = entry
                .path()
                .canonicalize()
                .ok()
                .and_then(|real| StorePath::parse(&real).ok());
            if let Some(owner) = owner {
                let owners = found.entry(library).or_default();
                owners.push(owner.path.join("lib"));
                owners.sort();
                owners.dedup();
            }
        }
    }
    found
}

/// The library directories of a closure: one per benchmarked library (the first
/// owner when several provide it, with a note), never a glibc.
pub fn library_dirs(closure: &[PathBuf]) -> (Vec<PathBuf>, Vec<String>) {
    let mut dirs: Vec<PathBuf> = Vec::new();
    let mut notes = Vec::new();
    for (library, owners) in library_owners(closure) {
        if owners.len() > 1 {
            notes.push(format!(
                "several store paths in the closure provide {}: {}; using the first — name the one you want as a store path",
                library.soname(),
                owners.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
            ));
        }
        if !dirs.contains(&owners[0]) {
            dirs.push(owners[0].clone());
        }
    }
    dirs.retain(|d| !d.join("libc.so.6").exists());
    (dirs, notes)
}

/// `profile:LINK` or `closure:PATH` expanded to library directories, with notes
/// for the user; None when `spec` has neither prefix.
pub fn expand(variant: &str, spec: &str) -> Option<Result<(Vec<PathBuf>, Vec<String>)>> {
    let (kind, rest) = spec.split_once(':')?;
    let root = Path::new(rest);
    let closure_root = match kind {
        "profile" => resolve_profile(root),
        "closure" => root
            .canonicalize()
            .map_err(|e| Error::io(root, e))
            .and_then(|p| {
                StorePath::parse(&p)
                    .map(|s| s.path)
                    .map_err(|why| Error::Nix {
                        path: root.into(),
                        why: format!("not a Nix store path ({why}); closure: takes a store path or a link into the store"),
                    })
            }),
        _ => return None,
    };
    Some(closure_root.and_then(|p| requisites(&p)).and_then(|closure| {
        let (dirs, notes) = library_dirs(&closure);
        if dirs.is_empty() {
            return Err(Error::Nix {
                path: root.into(),
                why: format!("variant `{variant}`: the closure holds none of the benchmarked libraries ({})", Library::ALL.map(|l| l.soname()).join(", ")),
            });
        }
        Ok((dirs, notes))
    }))
}

/// One generation of a profile and the store path of each benchmarked library in it.
pub struct Generation {
    pub number: u32,
    pub link: PathBuf,
    pub libraries: BTreeMap<Library, StorePath>,
}

/// The generations of `profile` with their libraries, oldest first.
pub fn discover(profile: &Path) -> Result<Vec<Generation>> {
    generations(profile)?
        .into_iter()
        .map(|(number, link)| {
            let closure = requisites(&resolve_profile(&link)?)?;
            let libraries = library_owners(&closure)
                .into_iter()
                .filter_map(|(lib, owners)| Some((lib, StorePath::parse(&owners[0]).ok()?)))
                .collect();
            Ok(Generation {
                number,
                link,
                libraries,
            })
        })
        .collect()
}

/// The generations of a profile (`PROFILE-N-link` beside it), oldest first.
pub fn generations(profile: &Path) -> Result<Vec<(u32, PathBuf)>> {
    let dir = profile.parent().unwrap_or(Path::new("."));
    let base = profile
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut gens: Vec<(u32, PathBuf)> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let n = name
                .strip_prefix(&format!("{base}-"))?
                .strip_suffix("-link")?
                .parse()
                .ok()?;
            Some((n, e.path()))
        })
        .collect();
    gens.sort();
    Ok(gens)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_path_splits_into_hash_name_and_version() {
        let p = StorePath::parse(Path::new(
            "/nix/store/126sd90f8l3p3rwvfnj5nfdsmbjcdvd9-zlib-1.3.1/lib/libz.so.1",
        ))
        .unwrap();
        assert_eq!(
            p.path,
            Path::new("/nix/store/126sd90f8l3p3rwvfnj5nfdsmbjcdvd9-zlib-1.3.1")
        );
        assert_eq!(
            (p.name.as_str(), p.version.as_deref()),
            ("zlib", Some("1.3.1"))
        );
        assert_eq!(p.short(), "zlib 1.3.1 (126sd90f)");
        let p = StorePath::parse(Path::new(
            "/nix/store/126sd90f8l3p3rwvfnj5nfdsmbjcdvd9-storebench-demo-env-stock",
        ))
        .unwrap();
        assert_eq!(
            (p.name.as_str(), p.version),
            ("storebench-demo-env-stock", None)
        );
    }

    #[test]
    fn paths_outside_the_store_or_without_a_hash_are_refused_with_the_reason() {
        assert!(StorePath::parse(Path::new("/usr/lib/libz.so.1"))
            .unwrap_err()
            .contains("not under /nix/store"));
        assert!(StorePath::parse(Path::new("/nix/store/abc-zlib"))
            .unwrap_err()
            .contains("32-character hash"));
    }

    #[test]
    fn a_plain_directory_is_not_a_profile() {
        let dir = tempfile::tempdir().unwrap();
        let err = resolve_profile(dir.path()).unwrap_err().to_string();
        assert!(err.contains("not a symbolic link"), "{err}");
    }

    #[test]
    fn generations_are_found_beside_the_profile_in_order() {
        let dir = tempfile::tempdir().unwrap();
        for n in [2, 10, 1] {
            std::os::unix::fs::symlink("/nix/store/x", dir.path().join(format!("system-{n}-link")))
                .unwrap();
        }
        std::os::unix::fs::symlink("system-10-link", dir.path().join("system")).unwrap();
        let gens: Vec<u32> = generations(&dir.path().join("system"))
            .unwrap()
            .into_iter()
            .map(|g| g.0)
            .collect();
        assert_eq!(gens, vec![1, 2, 10]);
    }
}
