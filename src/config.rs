//! The `storebench.toml` file: variants (and, as later parts need them, commands,
//! probes, CI gates), in the order the user wrote them. The first variant is the one
//! the others are compared with, so order is kept.

use crate::error::{Error, Result};
use indexmap::IndexMap;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file name looked for in the current directory when `--config` is not given.
pub const DEFAULT_FILE: &str = "storebench.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub variants: IndexMap<String, VariantConfig>,
    /// Named probes of running processes, `[probes.NAME]`, run by `storebench probe NAME`.
    #[serde(default)]
    pub probes: IndexMap<String, ProbeConfig>,
}

/// One `[probes.NAME]` table: which processes to watch, and for how long. A
/// process is watched when any selector matches it.
#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeConfig {
    /// Globs over the process name, its program's file name and its command line.
    #[serde(default)]
    pub names: Vec<String>,
    #[serde(default)]
    pub pids: Vec<u32>,
    /// With `pids`: their descendants too, including those started during the window.
    #[serde(default)]
    pub tree: bool,
    /// systemd units (`plasma-kwin_wayland.service`; `.service` when no suffix is given).
    #[serde(default)]
    pub units: Vec<String>,
    /// cgroup directories (`/sys/fs/cgroup/…`) or cgroup paths (`/user.slice/…`).
    #[serde(default)]
    pub cgroups: Vec<PathBuf>,
    /// Every process of the current login session (of the current user when the
    /// kernel keeps no session ids).
    #[serde(default)]
    pub session: bool,
    /// `60s`, `2m`: the window, in humantime's syntax.
    pub duration: Option<String>,
    /// `1s`, `500ms`: the time between samples.
    pub interval: Option<String>,
    pub description: Option<String>,
}

/// One `[variants.NAME]` table.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantConfig {
    /// Library roots: Nix store paths or directories (`ROOT/lib` is used when it exists).
    #[serde(default)]
    pub libs: Vec<PathBuf>,
    /// Extra environment for this variant's workers, e.g. `OPENSSL_ia32cap`.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Free text shown beside the variant, e.g. the flags it was built with.
    pub description: Option<String>,
}

impl Config {
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        toml::from_str(&text).map_err(|e| Error::Config {
            path: path.to_owned(),
            why: e.to_string().trim_end().replace('\n', " "),
        })
    }

    /// `--config FILE` when given, else `storebench.toml` in the current directory
    /// when there is one, else an empty config.
    pub fn discover(explicit: Option<&Path>) -> Result<(Config, Option<PathBuf>)> {
        let path = match explicit {
            Some(p) => p.to_owned(),
            None if Path::new(DEFAULT_FILE).is_file() => PathBuf::from(DEFAULT_FILE),
            None => return Ok((Config::default(), None)),
        };
        Ok((Config::load(&path)?, Some(path)))
    }
}
