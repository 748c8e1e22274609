//! Provenance: proof of what a variant's processes really loaded.
//!
//! The worker reads its own `/proc/self/maps`, resolves every mapped shared object to
//! its real file and Nix store path, hashes it, and asks each benchmarked library for
//! its version through the library's own API, and glibc for its own. The runner adds
//! what each of the variant's interpreters says of itself ([`identify_interpreter`]),
//! then checks the files against the variant's roots and spots variants that loaded
//! byte-identical files.

use crate::codepath::CodePath;
use crate::glibc::{self, Glibc};
use crate::interpreter::Interpreter;
use crate::library::Library;
use crate::process::{self, Exit, Stdout};
use crate::variant::Variant;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Everything a worker loaded, as it reported it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// The benchmarked libraries, one entry each, in [`Library::ALL`] order.
    pub libraries: Vec<LoadedLibrary>,
    /// Every shared object mapped into the worker, by real path.
    pub objects: Vec<LoadedObject>,
    /// The loader and libc the worker ran on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub glibc: Option<LoadedGlibc>,
    /// The variant's interpreters, as each described itself (added by the runner).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interpreters: Vec<InterpreterIdentity>,
    /// What the loaded libraries chose at run time and were built for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_path: Option<CodePath>,
}

/// The C library and dynamic loader a worker ran on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadedGlibc {
    pub loader: LoadedObject,
    pub libc: LoadedObject,
    /// What `gnu_get_libc_version()` answers.
    pub version: String,
    /// What the kernel started (`/proc/self/exe`): the loader itself when the worker
    /// was started through a variant's glibc, the storebench binary otherwise.
    pub executable: PathBuf,
}

impl LoadedGlibc {
    /// Whether the kernel started the loader, which then loaded the program: the
    /// proof that a variant's glibc, not the system's, ran the process.
    pub fn started_through_loader(&self) -> bool {
        self.executable == self.loader.real_path
    }
}

/// An interpreter as it described itself, and its file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InterpreterIdentity {
    pub interpreter: Interpreter,
    /// `path` is the interpreter as the variant names it.
    #[serde(flatten)]
    pub object: LoadedObject,
    pub version: String,
    /// What it says of its own build: Python's `sysconfig` (`CONFIG_ARGS`,
    /// `PY_CFLAGS`…) and compiler; Node's `process.config` and `process.versions`.
    pub build: serde_json::Map<String, serde_json::Value>,
    /// The libc and loader its process mapped, as it read them from its own maps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub libc: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loader: Option<PathBuf>,
    /// Every file its process mapped, as it read them from its own maps: the
    /// proof that its shared libraries (`libpython3.11.so.1.0`) came from the
    /// variant's roots.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objects: Vec<PathBuf>,
}

/// A file of a variant's roots that a process loaded from elsewhere.
#[derive(Debug, Clone, PartialEq)]
pub struct Shadowed {
    /// `the worker`, or the interpreter's name.
    pub process: String,
    pub file: String,
    /// The file really mapped.
    pub loaded: PathBuf,
    /// The variant's own file of that name.
    pub own: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadedObject {
    /// The path as `/proc/self/maps` shows it.
    pub path: PathBuf,
    /// The same file with every symlink resolved.
    pub real_path: PathBuf,
    /// `/nix/store/<hash>-<name>` when the file lives in a Nix store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_path: Option<PathBuf>,
    pub sha256: String,
    pub bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadedLibrary {
    pub library: Library,
    #[serde(flatten)]
    pub object: LoadedObject,
    /// What the library says of itself (`zlibVersion()`…); libssl has no such call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// What the selected benchmarks need from every variant: the files that decide
/// whether two variants are the same build (A/A).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Needs {
    pub libraries: Vec<Library>,
    pub interpreters: Vec<Interpreter>,
    /// Any benchmark runs in a worker, so libc and the loader are part of it.
    pub libc: bool,
}

impl Needs {
    /// The files these needs name, as a person calls them: `zlib`, `python`,
    /// `glibc`.
    pub fn names(&self) -> Vec<&'static str> {
        let mut names: Vec<&'static str> = self.libraries.iter().map(|l| l.name()).collect();
        names.extend(self.interpreters.iter().map(|i| i.name()));
        if self.libc {
            names.push("glibc");
        }
        names
    }
}

impl Provenance {
    /// Reads this process's maps. Only meaningful inside a worker, after the
    /// libraries were loaded (they are NEEDED, so that is at start-up).
    pub fn of_this_process() -> std::io::Result<Provenance> {
        let maps = std::fs::read_to_string("/proc/self/maps")?;
        let objects: Vec<LoadedObject> = mapped_objects(&maps)
            .into_iter()
            .filter_map(|p| describe(&p).ok())
            .collect();
        let libraries: Vec<LoadedLibrary> = Library::ALL
            .iter()
            .filter_map(|&library| {
                let object = objects
                    .iter()
                    .find(|o| library.matches_file(&file_name(&o.path)))?;
                Some(LoadedLibrary {
                    library,
                    object: object.clone(),
                    version: library.loaded_version(),
                })
            })
            .collect();
        let glibc = loaded_glibc(&objects)?;
        let code_path = code_path(&libraries, glibc.as_ref());
        Ok(Provenance {
            libraries,
            objects,
            glibc,
            interpreters: vec![],
            code_path: Some(code_path),
        })
    }

    pub fn interpreter(&self, interpreter: Interpreter) -> Option<&InterpreterIdentity> {
        self.interpreters
            .iter()
            .find(|i| i.interpreter == interpreter)
    }

    /// For a variant with a glibc: the first thing that did not come from it, as
    /// (what, the file really used). The worker must have been started through the
    /// glibc's loader and have mapped its libc; so must every interpreter.
    pub fn foreign_glibc(&self, g: &Glibc) -> Option<(String, String)> {
        let Some(w) = &self.glibc else {
            return Some((
                "the worker's libc".into(),
                "nothing (no libc.so.6 was mapped)".into(),
            ));
        };
        if !w.started_through_loader() {
            return Some((
                "the worker's start".into(),
                format!("{} (not the variant's loader)", w.executable.display()),
            ));
        }
        if !g.owns(glibc::LOADER, &w.loader.real_path) {
            return Some((
                "the worker's loader".into(),
                w.loader.real_path.display().to_string(),
            ));
        }
        if !g.owns(glibc::LIBC, &w.libc.real_path) {
            return Some((
                "the worker's libc".into(),
                w.libc.real_path.display().to_string(),
            ));
        }
        self.interpreters.iter().find_map(|i| {
            let name = i.interpreter.name();
            match (&i.libc, &i.loader) {
                (Some(libc), _) if !g.owns(glibc::LIBC, libc) => {
                    Some((format!("{name}'s libc"), libc.display().to_string()))
                }
                (_, Some(loader)) if !g.owns(glibc::LOADER, loader) => {
                    Some((format!("{name}'s loader"), loader.display().to_string()))
                }
                (None, _) | (_, None) => Some((
                    format!("{name}'s libc and loader"),
                    "nothing it reported".into(),
                )),
                _ => None,
            }
        })
    }

    pub fn library(&self, library: Library) -> Option<&LoadedLibrary> {
        self.libraries.iter().find(|l| l.library == library)
    }

    /// The first of `libraries` that `variant` did not load from one of its own
    /// directories, as (library, file really loaded). A `system` variant passes.
    pub fn foreign_library(
        &self,
        variant: &Variant,
        libraries: &[Library],
    ) -> Option<(Library, String)> {
        if variant.is_system() {
            return None;
        }
        let dirs: Vec<PathBuf> = variant
            .lib_dirs
            .iter()
            .map(|d| d.canonicalize().unwrap_or_else(|_| d.clone()))
            .collect();
        libraries.iter().find_map(|&lib| match self.library(lib) {
            None => Some((lib, "nothing (the library was not mapped)".to_string())),
            Some(l) => {
                // The loader opens DIR/soname, which may be a symlink to elsewhere in
                // the same root (`libz.so.1 -> libz.so.1.3.1`): accept the real file
                // of any entry of an own directory.
                let own = dirs.iter().any(|d| {
                    l.object.real_path.parent() == Some(d.as_path())
                        || Path::new(&l.object.path).parent() == Some(d.as_path())
                        || dir_resolves_to(d, lib, &l.object.real_path)
                });
                (!own).then(|| (lib, l.object.real_path.display().to_string()))
            }
        })
    }

    /// The first shared object that the worker or one of the interpreters mapped
    /// from elsewhere although a directory of the variant holds a file of that
    /// name: every library a variant's roots provide must be the one loaded, not
    /// only the benchmarked ones. A `system` variant passes.
    pub fn shadowed(&self, variant: &Variant) -> Option<Shadowed> {
        let worker = self
            .objects
            .iter()
            .map(|o| ("the worker".to_string(), o.path.as_path()));
        let interpreters = self.interpreters.iter().flat_map(|i| {
            i.objects
                .iter()
                .map(|o| (i.interpreter.name().to_string(), o.as_path()))
        });
        worker.chain(interpreters).find_map(|(process, mapped)| {
            let name = mapped.file_name()?;
            if !name.to_string_lossy().contains(".so") {
                return None;
            }
            let loaded = mapped.canonicalize().unwrap_or_else(|_| mapped.to_owned());
            let own = variant
                .lib_dirs
                .iter()
                .map(|d| d.join(name))
                .find(|p| p.is_file())?;
            let own_real = own.canonicalize().unwrap_or_else(|_| own.clone());
            (own_real != loaded).then(|| Shadowed {
                process,
                file: name.to_string_lossy().into_owned(),
                loaded,
                own,
            })
        })
    }

    /// Whether both loaded byte-identical files for everything the benchmarks
    /// `needs`: libraries, libc and loader, interpreters. Needing none of them (only
    /// commands) proves nothing, so that is not "the same".
    pub fn same_files(&self, other: &Provenance, needs: &Needs) -> bool {
        if needs.libraries.is_empty() && needs.interpreters.is_empty() && !needs.libc {
            return false;
        }
        let libraries =
            needs
                .libraries
                .iter()
                .all(|&lib| match (self.library(lib), other.library(lib)) {
                    (Some(a), Some(b)) => a.object.sha256 == b.object.sha256,
                    _ => false,
                });
        let interpreters =
            needs
                .interpreters
                .iter()
                .all(|&i| match (self.interpreter(i), other.interpreter(i)) {
                    (Some(a), Some(b)) => a.object.sha256 == b.object.sha256,
                    _ => false,
                });
        let libc = !needs.libc
            || match (&self.glibc, &other.glibc) {
                (Some(a), Some(b)) => {
                    a.libc.sha256 == b.libc.sha256 && a.loader.sha256 == b.loader.sha256
                }
                _ => false,
            };
        libraries && interpreters && libc
    }
}

/// The code path of the loaded libraries and libc.
fn code_path(libraries: &[LoadedLibrary], glibc: Option<&LoadedGlibc>) -> CodePath {
    let files: Vec<PathBuf> = libraries
        .iter()
        .map(|l| l.object.real_path.clone())
        .chain(glibc.map(|g| g.libc.real_path.clone()))
        .collect();
    let loaded = |lib| libraries.iter().any(|l| l.library == lib);
    CodePath::of_this_process(&files, loaded(Library::Crypto), loaded(Library::Zstd))
}

/// The loader and libc among the mapped objects, with libc's own version.
fn loaded_glibc(objects: &[LoadedObject]) -> std::io::Result<Option<LoadedGlibc>> {
    let find = |name: &str| objects.iter().find(|o| file_name(&o.path) == name).cloned();
    let (Some(loader), Some(libc)) = (find(glibc::LOADER), find(glibc::LIBC)) else {
        return Ok(None);
    };
    // SAFETY: gnu_get_libc_version returns a pointer to a static NUL-terminated string.
    let version = unsafe { std::ffi::CStr::from_ptr(libc::gnu_get_libc_version()) }
        .to_string_lossy()
        .into_owned();
    Ok(Some(LoadedGlibc {
        loader,
        libc,
        version,
        executable: std::fs::read_link("/proc/self/exe")?,
    }))
}

fn dir_resolves_to(dir: &Path, lib: Library, real: &Path) -> bool {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries.flatten().any(|e| {
                lib.matches_file(&e.file_name().to_string_lossy())
                    && e.path().canonicalize().ok().as_deref() == Some(real)
            })
        })
        .unwrap_or(false)
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The distinct shared objects in a maps listing, in order of first appearance.
fn mapped_objects(maps: &str) -> Vec<PathBuf> {
    let mut seen = BTreeSet::new();
    maps.lines()
        .filter_map(|line| line.split_whitespace().nth(5))
        .filter(|p| p.starts_with('/') && file_name(Path::new(p)).contains(".so"))
        .filter(|p| seen.insert(p.to_string()))
        .map(PathBuf::from)
        .collect()
}

/// A file's real path, store path, hash and size.
pub fn describe(path: &Path) -> std::io::Result<LoadedObject> {
    let real_path = path.canonicalize()?;
    let (sha256, bytes) = hash_file(&real_path)?;
    Ok(LoadedObject {
        path: path.to_owned(),
        store_path: store_path(&real_path),
        real_path,
        sha256,
        bytes,
    })
}

/// SHA-256 of a file, hex, and its length.
pub fn hash_file(path: &Path) -> std::io::Result<(String, u64)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    Ok((hex(&hasher.finalize()), total))
}

/// Lowercase hex, two digits a byte: how digests are written.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `/nix/store/<32-char hash>-<name>` for any path below such a directory.
pub fn store_path(path: &Path) -> Option<PathBuf> {
    let rest = path.strip_prefix("/nix/store").ok()?;
    let first = rest.components().next()?.as_os_str().to_str()?;
    let (hash, name) = first.split_once('-')?;
    (hash.len() == 32 && !name.is_empty()).then(|| Path::new("/nix/store").join(first))
}

/// How every message names a benchmarked library file that changed between two
/// runs: `libz.so.1 changed from OLD (ab12…) to NEW (cd34…)`, each side a
/// (path, SHA-256) pair, the hash cut to 12 digits.
pub fn changed(
    soname: &str,
    (old_path, old_sha): (&str, &str),
    (path, sha): (&str, &str),
) -> String {
    let short = |h: &str| h[..h.len().min(12)].to_string();
    format!(
        "{soname} changed from {old_path} ({}) to {path} ({})",
        short(old_sha),
        short(sha)
    )
}

/// What an interpreter's identity probe prints.
#[derive(Deserialize)]
struct Reported {
    version: String,
    build: serde_json::Map<String, serde_json::Value>,
    objects: Vec<PathBuf>,
}

/// Runs `interpreter` at `path` as `variant` would (through its glibc's loader,
/// with its library path and environment) and asks what it is. The error is a
/// sentence saying why it could not tell.
pub fn identify_interpreter(
    variant: &Variant,
    interpreter: Interpreter,
    path: &Path,
    timeout: Duration,
) -> Result<InterpreterIdentity, String> {
    let mut object = describe(path).map_err(|e| format!("{}: {e}", path.display()))?;
    object.path = path.to_owned();
    let mut cmd = variant.command(path);
    cmd.args(interpreter.identity_flags());
    cmd.args(interpreter.identity_probe());
    let run = process::run(cmd, Stdout::Capture, timeout)
        .map_err(|e| format!("cannot start {}: {e}", path.display()))?;
    if run.exit != Exit::Code(0) {
        return Err(format!(
            "{} {} asked for its identity: {}",
            path.display(),
            match run.exit {
                Exit::Code(c) => format!("exited with code {c} when"),
                Exit::Signal(s) => format!("was killed by signal {s} when"),
                Exit::TimedOut =>
                    format!("did not answer within {:.0} s when", timeout.as_secs_f64()),
            },
            run.stderr_tail.trim()
        ));
    }
    if interpreter.identity_probe().is_none() {
        return compiler_identity(interpreter, object, &run.stdout);
    }
    let line = run.stdout.lines().last().unwrap_or_default();
    let reported: Reported = serde_json::from_str(line).map_err(|e| {
        format!(
            "{} printed no identity ({e}): {}",
            path.display(),
            line.chars().take(200).collect::<String>()
        )
    })?;
    let mapped = |name: &str| {
        reported
            .objects
            .iter()
            .find(|o| o.file_name().is_some_and(|f| f.to_string_lossy() == name))
            .cloned()
    };
    Ok(InterpreterIdentity {
        interpreter,
        object,
        version: reported.version,
        build: reported.build,
        libc: mapped(glibc::LIBC),
        loader: mapped(glibc::LOADER),
        objects: reported.objects,
    })
}

/// A compiler's identity from its `-vV` lines (rustc): its release, and every
/// line as its build. A compiler reports no mapped files, so a variant with a
/// glibc of its own cannot prove rustc ran on it and is refused (`foreign_glibc`).
fn compiler_identity(
    interpreter: Interpreter,
    object: LoadedObject,
    stdout: &str,
) -> Result<InterpreterIdentity, String> {
    let (version, fields) = crate::interpreter::parse_rustc_version(stdout).ok_or_else(|| {
        format!(
            "{} printed no version (`{} -vV`): {}",
            object.path.display(),
            interpreter.executable(),
            stdout.chars().take(200).collect::<String>()
        )
    })?;
    Ok(InterpreterIdentity {
        interpreter,
        object,
        version,
        build: fields
            .into_iter()
            .map(|(k, v)| (k, serde_json::Value::String(v)))
            .collect(),
        libc: None,
        loader: None,
        objects: vec![],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_lines_yield_each_shared_object_once() {
        let maps = "\
7f0-7f1 r--p 00000000 08:01 1 /usr/lib/x86_64-linux-gnu/libz.so.1.2.13
7f1-7f2 r-xp 00001000 08:01 1 /usr/lib/x86_64-linux-gnu/libz.so.1.2.13
7f2-7f3 rw-p 00000000 00:00 0 [heap]
7f3-7f4 r-xp 00000000 08:01 2 /usr/bin/storebench
7f4-7f5 r-xp 00000000 08:01 3 /nix/store/abc-zstd/lib/libzstd.so.1.5.6";
        let got = mapped_objects(maps);
        assert_eq!(
            got,
            vec![
                PathBuf::from("/usr/lib/x86_64-linux-gnu/libz.so.1.2.13"),
                PathBuf::from("/nix/store/abc-zstd/lib/libzstd.so.1.5.6")
            ]
        );
    }

    #[test]
    fn store_paths_are_recognised_only_with_a_full_hash() {
        let p = Path::new("/nix/store/0123456789abcdfghijklmnpqrsvwxyz-zlib-1.3.1/lib/libz.so.1");
        assert_eq!(
            store_path(p),
            Some(PathBuf::from(
                "/nix/store/0123456789abcdfghijklmnpqrsvwxyz-zlib-1.3.1"
            ))
        );
        assert_eq!(
            store_path(Path::new("/nix/store/short-zlib/lib/libz.so.1")),
            None
        );
        assert_eq!(store_path(Path::new("/usr/lib/libz.so.1")), None);
    }

    #[test]
    fn a_file_of_the_variants_roots_mapped_from_elsewhere_is_shadowed() {
        let p = Provenance::of_this_process().unwrap();
        let zlib = &p.library(Library::Zlib).unwrap().object;
        let name = zlib.path.file_name().unwrap().to_owned();
        let root = tempfile::tempdir().unwrap();
        let v = Variant::from_arg(&format!("own={}", root.path().display())).unwrap();
        assert_eq!(p.shadowed(&v), None, "nothing of the root is mapped");
        std::fs::write(root.path().join(&name), b"").unwrap();
        let s = p
            .shadowed(&v)
            .expect("the root's copy was not the one loaded");
        assert_eq!(s.process, "the worker");
        assert_eq!(s.loaded, zlib.real_path);
        assert_eq!(s.own, root.path().join(&name));
        // The same file reached through a link is the variant's own.
        std::fs::remove_file(root.path().join(&name)).unwrap();
        std::os::unix::fs::symlink(&zlib.real_path, root.path().join(&name)).unwrap();
        assert_eq!(p.shadowed(&v), None);
    }

    #[test]
    fn an_interpreters_library_mapped_from_elsewhere_is_shadowed() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("libpython3.11.so.1.0"), b"").unwrap();
        let v = Variant::from_arg(&format!("py={}", root.path().display())).unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let debian = elsewhere.path().join("libpython3.11.so.1.0");
        std::fs::write(&debian, b"other").unwrap();
        let mut p = Provenance::of_this_process().unwrap();
        p.interpreters.push(InterpreterIdentity {
            interpreter: Interpreter::Python,
            object: describe(&debian).unwrap(),
            version: "3.11.2".into(),
            build: serde_json::Map::new(),
            libc: None,
            loader: None,
            objects: vec![debian.clone()],
        });
        let s = p
            .shadowed(&v)
            .expect("python's libpython came from elsewhere");
        assert_eq!(s.process, "python");
        assert_eq!(s.file, "libpython3.11.so.1.0");
        assert_eq!(s.loaded, debian.canonicalize().unwrap());
    }

    #[test]
    fn this_process_reports_its_own_zlib_with_a_version() {
        let p = Provenance::of_this_process().unwrap();
        let z = p
            .library(Library::Zlib)
            .expect("the test binary links zlib");
        assert!(z.version.as_deref().unwrap_or("").starts_with('1'), "{z:?}");
        assert_eq!(z.object.sha256.len(), 64);
    }
}
