//! Variants: one build of the world under test, with a name, the library roots its
//! processes load from, its interpreters, its glibc and the environment they run in.
//!
//! This module turns `--variant NAME=PATH[:PATH…]` and `[variants.NAME]` into
//! [`Variant`]s and checks, before anything runs, that each root exists and holds the
//! libraries the selected benchmarks need. It also says how any program starts as
//! this variant ([`Variant::command`]). Whether the loader really used the roots is
//! checked afterwards, from what the worker reports (`provenance`).

use crate::config::VariantConfig;
use crate::error::{Error, Result};
use crate::factors::Factors;
use crate::glibc::Glibc;
use crate::interpreter::Interpreter;
use crate::library::Library;
use crate::nix;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The variant used when none is given: whatever the dynamic loader resolves.
pub const SYSTEM: &str = "system";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Variant {
    pub name: String,
    /// The roots as the user gave them.
    pub roots: Vec<PathBuf>,
    /// The directories put on the worker's library path, in order.
    pub lib_dirs: Vec<PathBuf>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// What the user should know about how the roots were resolved.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The interpreters its runtime workloads run on.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub interpreters: BTreeMap<Interpreter, PathBuf>,
    /// The glibc its processes start through, when not the system's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub glibc: Option<Glibc>,
    /// The flags it was built with, as its config declares them.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub factors: Factors,
    /// Each library's build time in seconds, as its config declares them.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub build_seconds: IndexMap<String, f64>,
}

impl Variant {
    /// The `system` variant: no roots, the loader's own choice.
    pub fn system() -> Variant {
        Variant {
            name: SYSTEM.into(),
            roots: vec![],
            lib_dirs: vec![],
            env: BTreeMap::new(),
            description: Some("whatever the dynamic loader resolves".into()),
            notes: vec![],
            interpreters: BTreeMap::new(),
            glibc: None,
            factors: Factors::new(),
            build_seconds: IndexMap::new(),
        }
    }

    /// Parses `NAME=PATH[:PATH…]`; a PATH may be `profile:LINK` or `closure:PATH`.
    pub fn from_arg(arg: &str) -> Result<Variant> {
        let (name, roots) = parse_arg(arg)?;
        Variant::new(
            &name,
            &VariantConfig {
                libs: roots,
                ..VariantConfig::default()
            },
        )
    }

    pub fn from_config(name: &str, cfg: &VariantConfig) -> Result<Variant> {
        check_name(name).map_err(|why| Error::VariantArg {
            arg: name.into(),
            why,
        })?;
        Variant::new(name, cfg)
    }

    fn new(name: &str, cfg: &VariantConfig) -> Result<Variant> {
        // Stored absolute: a baseline compared from another directory finds them.
        let cfg = &absolute(cfg);
        let glibc = cfg
            .glibc
            .as_deref()
            .map(|g| Glibc::at(name, g))
            .transpose()?;
        let mut lib_dirs = Vec::new();
        let mut notes = Vec::new();
        let mut interpreters = BTreeMap::new();
        for root in &cfg.libs {
            let (dirs, more) = match root.to_str().and_then(|s| nix::expand(name, s)) {
                Some(expanded) => expanded?,
                None => {
                    for i in Interpreter::ALL {
                        if let Some(p) = i.in_root(root) {
                            interpreters.entry(i).or_insert(p);
                        }
                    }
                    (vec![lib_dir(name, root)?], vec![])
                }
            };
            for dir in dirs {
                check_no_foreign_libc(name, &dir, glibc.as_ref())?;
                lib_dirs.push(dir);
            }
            notes.extend(more);
        }
        for (i, path) in [
            (Interpreter::Python, &cfg.python),
            (Interpreter::Node, &cfg.node),
            (Interpreter::Rustc, &cfg.rustc),
        ] {
            if let Some(path) = path {
                if !path.is_file() {
                    return Err(Error::MissingRoot {
                        variant: name.into(),
                        path: path.clone(),
                    });
                }
                interpreters.insert(i, path.clone());
            }
        }
        Ok(Variant {
            name: name.into(),
            roots: cfg.libs.clone(),
            lib_dirs,
            env: cfg.env.clone(),
            description: cfg.description.clone(),
            notes,
            interpreters,
            glibc,
            factors: cfg.factors.clone(),
            build_seconds: cfg.build_seconds.clone(),
        })
    }

    /// `program` started as this variant: through its glibc's loader with the
    /// variant's and then the glibc's library directories, or with
    /// `LD_LIBRARY_PATH` set to the variant's; with its environment either way.
    /// Only the program itself starts through the loader: what it spawns in turn
    /// starts as usual.
    ///
    /// The variant's own directories come first: a glibc root such as Debian's
    /// `/lib/x86_64-linux-gnu` holds many other libraries (`libpython3.11.so`,
    /// `libz.so.1`), which would otherwise shadow the variant's. No variant
    /// directory holds another libc (checked when the variant is made).
    pub fn command(&self, program: &Path) -> Command {
        let mut cmd = match &self.glibc {
            Some(g) => {
                let mut path: Vec<&Path> = self.lib_dirs.iter().map(PathBuf::as_path).collect();
                path.push(&g.lib_dir);
                let joined = std::env::join_paths(path).expect("library directories hold no `:`");
                let mut cmd = Command::new(&g.loader);
                cmd.arg("--library-path").arg(joined).arg(program);
                cmd
            }
            None => {
                let mut cmd = Command::new(program);
                if let Some(path) = self.library_path() {
                    cmd.env("LD_LIBRARY_PATH", path);
                }
                cmd
            }
        };
        cmd.envs(&self.env);
        cmd
    }

    /// Whether the loader, not the user, picks the files (no roots given).
    pub fn is_system(&self) -> bool {
        self.lib_dirs.is_empty()
    }

    /// `LD_LIBRARY_PATH` for this variant's workers, or None to inherit the caller's.
    pub fn library_path(&self) -> Option<OsString> {
        if self.is_system() {
            return None;
        }
        let joined = self
            .lib_dirs
            .iter()
            .map(|d| d.as_os_str().to_owned())
            .collect::<Vec<_>>()
            .join(std::ffi::OsStr::new(":"));
        Some(joined)
    }

    /// Fails, naming the library and the variant, when a root-based variant lacks
    /// one of `libraries`.
    pub fn check_provides(&self, libraries: &[Library]) -> Result<()> {
        if self.is_system() {
            return Ok(());
        }
        for &lib in libraries {
            if !self.lib_dirs.iter().any(|d| dir_has(d, lib)) {
                return Err(Error::MissingLibrary {
                    variant: self.name.clone(),
                    library: lib.name(),
                    soname: lib.soname(),
                    dirs: self
                        .lib_dirs
                        .iter()
                        .map(|d| d.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
        }
        Ok(())
    }
}

/// `NAME=PATH[:PATH…]` taken apart into the name and the roots as given
/// (`profile:LINK` and `closure:PATH` kept whole), nothing resolved yet.
pub fn parse_arg(arg: &str) -> Result<(String, Vec<PathBuf>)> {
    let bad = |why: &str| Error::VariantArg {
        arg: arg.into(),
        why: why.into(),
    };
    let (name, paths) = arg.split_once('=').ok_or_else(|| bad("no `=`"))?;
    check_name(name).map_err(|why| bad(&why))?;
    let mut roots: Vec<PathBuf> = Vec::new();
    let mut tokens = paths.split(':').filter(|p| !p.is_empty());
    while let Some(t) = tokens.next() {
        roots.push(match t {
            "profile" | "closure" => {
                let rest = tokens
                    .next()
                    .ok_or_else(|| bad(&format!("no path after `{t}:`")))?;
                PathBuf::from(format!("{t}:{rest}"))
            }
            _ => PathBuf::from(t),
        });
    }
    if roots.is_empty() {
        return Err(bad("no path after `=`"));
    }
    Ok((name.to_string(), roots))
}

/// `cfg` with every relative path made absolute against the current directory
/// (`profile:` and `closure:` roots are left to `nix`).
fn absolute(cfg: &VariantConfig) -> VariantConfig {
    let abs = |p: &PathBuf| {
        let nix = p
            .to_str()
            .is_some_and(|s| s.starts_with("profile:") || s.starts_with("closure:"));
        if nix || p.is_absolute() {
            return p.clone();
        }
        std::path::absolute(p).unwrap_or_else(|_| p.clone())
    };
    let mut out = cfg.clone();
    out.libs = cfg.libs.iter().map(abs).collect();
    out.python = cfg.python.as_ref().map(abs);
    out.node = cfg.node.as_ref().map(abs);
    out.rustc = cfg.rustc.as_ref().map(abs);
    out.glibc = cfg.glibc.as_ref().map(abs);
    out
}

/// Environment variables that make a process load or run code chosen by their
/// value, or find programs, libraries, modules or start-up files through it:
/// a stored run never sets them without the user's say (see `compare`). Names
/// are matched exactly, by prefix, or by suffix (the search paths).
pub const CODE_ENV_EXACT: &[&str] = &[
    "PATH",
    "HOME",
    "ENV",
    "BASH_ENV",
    "SHELLOPTS",
    "BASHOPTS",
    "PS4",
    "GLIBC_TUNABLES",
    "OPENSSL_CONF",
    "OPENSSL_ENGINES",
    "OPENSSL_MODULES",
    "JAVA_TOOL_OPTIONS",
    "_JAVA_OPTIONS",
    "JDK_JAVA_OPTIONS",
    "GTK_MODULES",
    "GIO_EXTRA_MODULES",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
];

/// Prefixes of [`CODE_ENV_EXACT`]'s kind: the loader's (`LD_PRELOAD`,
/// `LD_AUDIT`, …) and the interpreters' (`PYTHONSTARTUP`, `NODE_OPTIONS`, …).
pub const CODE_ENV_PREFIXES: &[&str] = &[
    "LD_",
    "DYLD_",
    "PYTHON",
    "NODE_",
    "NPM_CONFIG_",
    "PERL",
    "RUBY",
    "GEM_",
    "LUA_",
    "TCL",
    "BASH_FUNC_",
    "NIX_LD",
    "GCONV_",
    "GST_",
    "QT_",
    "LIBGL_",
    "LIBVA_",
    "VDPAU_",
    "VK_",
    "__EGL_",
    "__GLX_",
];

/// Suffixes: a search path or a home is where a program looks for code.
pub const CODE_ENV_SUFFIXES: &[&str] = &["PATH", "_HOME", "_PRELOAD", "_MODULES", "_OPTIONS"];

/// Whether the variable `name` can make a process load or run code.
pub fn loads_code(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    CODE_ENV_EXACT.contains(&upper.as_str())
        || CODE_ENV_PREFIXES.iter().any(|p| upper.starts_with(p))
        || CODE_ENV_SUFFIXES.iter().any(|s| upper.ends_with(s))
}

fn check_name(name: &str) -> std::result::Result<(), String> {
    if name.is_empty() {
        return Err("the variant name is empty".into());
    }
    if name.chars().any(char::is_control) {
        return Err("the variant name holds a control character".into());
    }
    Ok(())
}

/// `ROOT/lib` when it exists, else ROOT itself.
fn lib_dir(variant: &str, root: &Path) -> Result<PathBuf> {
    if !root.exists() {
        return Err(Error::MissingRoot {
            variant: variant.into(),
            path: root.to_owned(),
        });
    }
    let lib = root.join("lib");
    Ok(if lib.is_dir() { lib } else { root.to_owned() })
}

/// A directory with a libc.so.6 is harmless on the library path only when it is
/// the libc the variant's processes run on: the variant's glibc, or else the one
/// this system's loader uses (Debian's multiarch directory, say).
fn check_no_foreign_libc(variant: &str, dir: &Path, glibc: Option<&Glibc>) -> Result<()> {
    let Ok(theirs) = dir.join("libc.so.6").canonicalize() else {
        return Ok(());
    };
    let ours = match glibc {
        Some(g) => g.lib_dir.join(crate::glibc::LIBC).canonicalize().ok(),
        None => {
            let maps = std::fs::read_to_string("/proc/self/maps").unwrap_or_default();
            maps.lines()
                .filter_map(|l| l.split_whitespace().nth(5))
                .find(|p| p.contains("/libc.so.6") || p.contains("/libc-"))
                .and_then(|p| Path::new(p).canonicalize().ok())
        }
    };
    if ours.as_deref() == Some(theirs.as_path()) {
        return Ok(());
    }
    Err(Error::ForeignGlibc {
        variant: variant.into(),
        dir: dir.into(),
    })
}

fn dir_has(dir: &Path, lib: Library) -> bool {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .any(|e| lib.matches_file(&e.file_name().to_string_lossy()))
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loader_and_interpreter_variables_load_code_and_plain_values_do_not() {
        for name in [
            "LD_PRELOAD",
            "LD_AUDIT",
            "ld_library_path",
            "PYTHONSTARTUP",
            "PYTHONPATH",
            "NODE_OPTIONS",
            "PERL5OPT",
            "BASH_ENV",
            "PATH",
            "GST_PLUGIN_PATH",
            "OPENSSL_CONF",
            "BASH_FUNC_ls%%",
        ] {
            assert!(loads_code(name), "{name}");
        }
        for name in [
            "OPENSSL_ia32cap",
            "OMP_NUM_THREADS",
            "MALLOC_ARENA_MAX",
            "LANG",
            "TZ",
        ] {
            assert!(!loads_code(name), "{name}");
        }
    }

    #[test]
    fn a_root_with_lib_uses_lib_and_a_flat_root_is_used_as_is() {
        let tmp = tempfile::tempdir().unwrap();
        let nested = tmp.path().join("zlib-1.3.1");
        std::fs::create_dir_all(nested.join("lib")).unwrap();
        let arg = format!("a={}:{}", nested.display(), tmp.path().display());
        let v = Variant::from_arg(&arg).unwrap();
        assert_eq!(v.lib_dirs, vec![nested.join("lib"), tmp.path().to_owned()]);
    }

    #[test]
    fn malformed_arguments_say_what_is_expected() {
        for arg in ["stock", "=/usr/lib", "stock="] {
            let err = Variant::from_arg(arg).unwrap_err().to_string();
            assert!(err.contains("NAME=PATH"), "{err}");
        }
    }

    #[test]
    fn a_missing_root_names_the_path() {
        let err = Variant::from_arg("bad=/does/not/exist").unwrap_err();
        assert!(err.to_string().contains("/does/not/exist"));
    }

    #[test]
    fn a_variant_with_a_glibc_searches_its_own_directories_before_the_glibc() {
        let tmp = tempfile::tempdir().unwrap();
        let glibc = tmp.path().join("glibc");
        let own = tmp.path().join("python/lib");
        std::fs::create_dir_all(&glibc).unwrap();
        std::fs::create_dir_all(&own).unwrap();
        for f in [
            crate::glibc::LOADER,
            crate::glibc::LIBC,
            "libpython3.11.so.1.0",
        ] {
            std::fs::write(glibc.join(f), b"").unwrap();
        }
        std::fs::write(own.join("libpython3.11.so.1.0"), b"").unwrap();
        let cfg = VariantConfig {
            libs: vec![own.parent().unwrap().to_owned()],
            glibc: Some(glibc.clone()),
            ..VariantConfig::default()
        };
        let v = Variant::from_config("pgo", &cfg).unwrap();
        let cmd = v.command(Path::new("/bin/true"));
        let args: Vec<_> = cmd.get_args().collect();
        let expected = std::env::join_paths([&own, &glibc]).unwrap();
        assert_eq!(args[0], "--library-path");
        assert_eq!(args[1], expected.as_os_str());
    }

    #[test]
    fn a_directory_with_another_libc_than_the_variants_glibc_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let glibc = tmp.path().join("glibc");
        let other = tmp.path().join("other");
        for d in [&glibc, &other] {
            std::fs::create_dir_all(d).unwrap();
            for f in [crate::glibc::LOADER, crate::glibc::LIBC] {
                std::fs::write(d.join(f), b"").unwrap();
            }
        }
        let cfg = VariantConfig {
            libs: vec![other.clone()],
            glibc: Some(glibc.clone()),
            ..VariantConfig::default()
        };
        let err = Variant::from_config("g", &cfg).unwrap_err();
        assert!(matches!(err, Error::ForeignGlibc { .. }), "{err}");
        let same = VariantConfig {
            libs: vec![glibc.clone()],
            glibc: Some(glibc),
            ..VariantConfig::default()
        };
        Variant::from_config("g", &same).unwrap();
    }

    #[test]
    fn a_missing_library_names_library_and_variant() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("libz.so.1"), b"").unwrap();
        let v = Variant::from_arg(&format!("copy={}", tmp.path().display())).unwrap();
        v.check_provides(&[Library::Zlib]).unwrap();
        let err = v.check_provides(&[Library::Zstd]).unwrap_err().to_string();
        assert!(
            err.contains("copy") && err.contains("libzstd.so.1"),
            "{err}"
        );
    }
}
