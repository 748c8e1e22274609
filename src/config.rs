//! The `storebench.toml` file: variants, commands, probes and CI gates, in the order the user wrote them. The first variant is
//! the one the others are compared with, so order is kept.

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
    /// The user's programs to measure, `[commands.NAME]`: ids `command/NAME/…`.
    #[serde(default)]
    pub commands: IndexMap<String, CommandConfig>,
    /// Named probes of running processes, `[probes.NAME]`, run by `storebench probe NAME`.
    #[serde(default)]
    pub probes: IndexMap<String, ProbeConfig>,
    /// What fails a `storebench ci` night.
    #[serde(default)]
    pub ci: CiConfig,
    /// Commands the smoke check runs besides the plan's (`storebench smoke`).
    #[serde(default)]
    pub smoke: SmokeConfig,
}

/// The `[smoke]` table: more commands for the smoke check after a switch.
#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmokeConfig {
    /// `[smoke.commands.NAME]`: run from each variant's bin/ on the fixture.
    #[serde(default)]
    pub commands: IndexMap<String, SmokeCommandConfig>,
}

/// One `[smoke.commands.NAME]` table.
#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmokeCommandConfig {
    /// The command line, its first word a command of the variant's bin/
    /// (default: `NAME --version`).
    #[serde(default)]
    pub argv: Vec<String>,
    /// What it must print, trailing whitespace aside.
    pub stdout: Option<String>,
    /// Text its output must contain.
    pub contains: Option<String>,
}

/// The `[ci]` table: the gates of `storebench ci`.
#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CiConfig {
    /// `regression > 3%` (the default), `regression` (any), or `never`.
    pub fail_on: Option<String>,
    /// Per-benchmark rules, glob → rule; the first glob that matches wins.
    #[serde(default)]
    pub fail_on_bench: IndexMap<String, String>,
    /// Claim ids (globs) that fail the night when the reference run confirmed
    /// them (confirmed or exceeded) and this night does not.
    #[serde(default)]
    pub keep_claims: Vec<String>,
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

/// One `[commands.NAME]` table: a program run without a shell, as hyperfine runs it.
#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandConfig {
    /// The command line every variant runs in its own environment.
    #[serde(default)]
    pub argv: Vec<String>,
    /// A command line per variant (`variants.hw = ["mpv", "--hwdec=vaapi", "a.mkv"]`),
    /// in place of `argv` for the variants it names.
    #[serde(default)]
    pub variants: IndexMap<String, Vec<String>>,
    /// A non-zero exit is then a result, not a failure.
    #[serde(default)]
    pub allow_failure: bool,
    /// Runs per variant before the first measured one (default 1).
    pub warmup: Option<u32>,
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
    /// The Python interpreter, e.g. `/nix/store/…-python3-3.12.8/bin/python3`. A
    /// library root whose `bin/` holds `python3` provides one too.
    pub python: Option<PathBuf>,
    /// The Node.js runtime, e.g. `/nix/store/…-nodejs-22.12.0/bin/node`; likewise.
    pub node: Option<PathBuf>,
    /// The Rust compiler `rust/*` time, e.g. `/nix/store/…-rustc-1.86.0/bin/rustc`
    /// (the toolchain's own, not rustup's proxy); likewise.
    pub rustc: Option<PathBuf>,
    /// A glibc root (`/nix/store/…-glibc-2.40`, or a directory holding
    /// `ld-linux-x86-64.so.2` and `libc.so.6` such as `/lib/x86_64-linux-gnu`): the
    /// variant's processes then start through its loader.
    pub glibc: Option<PathBuf>,
    /// The flags it was built with, `{ opt = "O3", march = "native", lto = true }`:
    /// a run of such variants attributes its changes to them.
    #[serde(default)]
    pub factors: crate::factors::Factors,
    /// How long each library took to build, in seconds (`{ zlib = 4.1 }`).
    #[serde(default)]
    pub build_seconds: IndexMap<String, f64>,
}

/// The most warm-up runs a `[commands.NAME]` may ask for.
pub const MAX_WARMUP: u32 = 100;

impl Config {
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let bad = |why: String| Error::Config {
            path: path.to_owned(),
            why,
        };
        let config: Config =
            toml::from_str(&text).map_err(|e| bad(e.to_string().trim_end().replace('\n', " ")))?;
        config.check_numbers().map_err(bad)?;
        Ok(config)
    }

    /// The numbers a config holds, within the bounds the command line's flags
    /// have: a warm-up count that ends, probe windows that are times.
    fn check_numbers(&self) -> std::result::Result<(), String> {
        for (name, v) in &self.variants {
            crate::factors::check(name, &v.factors, &v.build_seconds)?;
        }
        for (name, c) in &self.commands {
            if c.warmup.is_some_and(|w| w > MAX_WARMUP) {
                return Err(format!(
                    "commands.{name}.warmup: at most {MAX_WARMUP} warm-up runs"
                ));
            }
        }
        let max = crate::bounds::MAX_SPAN_SECONDS;
        for (name, p) in &self.probes {
            for (key, text) in [("duration", &p.duration), ("interval", &p.interval)] {
                let Some(text) = text else { continue };
                match humantime::parse_duration(text) {
                    Ok(d) if !d.is_zero() && d.as_secs_f64() <= max => {}
                    Ok(_) => {
                        return Err(format!(
                            "probes.{name}.{key} `{text}` must be above zero and at most a week"
                        ))
                    }
                    Err(e) => return Err(format!("probes.{name}.{key} `{text}`: {e}")),
                }
            }
        }
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Config> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("storebench.toml");
        std::fs::write(&path, text).unwrap();
        Config::load(&path)
    }

    #[test]
    fn numbers_out_of_bounds_name_the_file_and_the_key() {
        let e = load("[commands.x]\nargv = [\"true\"]\nwarmup = 4000000000\n").unwrap_err();
        assert!(e.to_string().contains("commands.x.warmup"), "{e}");
        assert!(e.to_string().contains("storebench.toml"), "{e}");
        let e = load("[probes.p]\npids = [1]\ninterval = \"0s\"\n").unwrap_err();
        assert!(e.to_string().contains("probes.p.interval"), "{e}");
        let e = load("[probes.p]\npids = [1]\nduration = \"100years\"\n").unwrap_err();
        assert!(e.to_string().contains("at most a week"), "{e}");
        assert!(load("[probes.p]\npids = [1]\nduration = \"2m\"\n").is_ok());
    }
}
