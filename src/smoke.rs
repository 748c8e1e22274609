//! The smoke check: after a switch, do the basic commands still work?
//!
//! The plan's safety note says, after every switch, "test basic commands: `ls`,
//! `cat`, `grep`, `git`, `nix-build`". This module runs those (and any the
//! config's `[smoke.commands.NAME]` adds) from a variant's own `bin/` (a
//! profile's `bin/`, a NixOS generation's `sw/bin/`, a home-manager
//! generation's `home-path/bin/`) on fixed inputs it writes to a temporary
//! directory, and compares what they print with what they must print.
//!
//! A command the variant does not have is `missing`: reported, not a failure.
//! One that cannot start, exits non-zero, is killed, or prints the wrong thing
//! is `broken`, and so is the variant (exit 3). It measures nothing and knows
//! nothing of the runner: `cli` runs it before measuring `profile:` variants.

use crate::config::{SmokeCommandConfig, SmokeConfig};
use crate::error::{Error, Result};
use crate::process::{self, Exit, Stdout};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The commands of the plan's safety note, in its order.
pub const PLAN: [&str; 5] = ["ls", "cat", "grep", "git", "nix-build"];

/// How long one command may take in `run` and `ci` (`storebench smoke --timeout`).
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// Where a root keeps its commands: a profile, a NixOS system generation, a
/// home-manager generation.
const BIN_DIRS: [&str; 3] = ["bin", "sw/bin", "home-path/bin"];

/// The fixed inputs, written below the check's temporary directory.
const A_TXT: &str = "alpha\nbeta\n";
const B_TXT: &str = "gamma\ndelta\n";
/// `grep -c '^beta$'` counts 5 of these lines.
const WORDS_TXT: &str =
    "beta\nalpha\nbeta\nbeta gamma\ndelta\nalphabet\nbeta\nbeta\nepsilon\nbetamax\nzeta\nbeta\n";
const COMMIT: &str = "storebench smoke";

/// The smoke check of one variant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SmokeReport {
    /// The directories the commands were taken from, in search order.
    pub bin_dirs: Vec<PathBuf>,
    /// `passed`, `missing` (a command is absent, none is broken) or `broken`.
    pub verdict: Verdict,
    pub checks: Vec<CheckResult>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Passed,
    Missing,
    Broken,
}

/// One command's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    pub command: String,
    pub status: Status,
    /// The file run, as found in a bin directory, and its real path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub program: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub real_path: Option<PathBuf>,
    /// Why it is missing or broken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Missing,
    Broken,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Missing => "missing",
            Status::Broken => "BROKEN",
        }
    }
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Passed => "passed",
            Verdict::Missing => "passed, with missing commands",
            Verdict::Broken => "BROKEN",
        }
    }
}

impl SmokeReport {
    pub fn broken(&self) -> bool {
        self.verdict == Verdict::Broken
    }
}

/// What one step's standard output must be.
#[derive(Debug, Clone, PartialEq)]
enum Expect {
    /// Exactly this, trailing whitespace aside.
    Exact(String),
    Contains(String),
    /// Only a zero exit.
    Success,
}

/// One run of a command: its arguments after the program, and its expected output.
#[derive(Debug, Clone, PartialEq)]
struct Step {
    args: Vec<String>,
    expect: Expect,
}

/// A command to check, as one or more steps on the same fixture.
#[derive(Debug, Clone, PartialEq)]
struct Check {
    command: String,
    steps: Vec<Step>,
}

fn step(args: &[&str], expect: Expect) -> Step {
    Step {
        args: args.iter().map(|s| s.to_string()).collect(),
        expect,
    }
}

/// The plan's commands on the fixture: listing a known directory, printing
/// known files, counting known lines, a commit in a new repository, and the
/// Nix builder answering for itself.
fn plan_checks() -> Vec<Check> {
    let exact = |s: &str| Expect::Exact(s.to_string());
    let check = |command: &str, steps| Check {
        command: command.into(),
        steps,
    };
    vec![
        check(
            "ls",
            vec![step(&["fixture"], exact("a.txt\nb.txt\nwords.txt"))],
        ),
        check(
            "cat",
            vec![step(
                &["fixture/a.txt", "fixture/b.txt"],
                exact(&format!("{A_TXT}{B_TXT}")),
            )],
        ),
        check(
            "grep",
            vec![step(&["-c", "^beta$", "fixture/words.txt"], exact("5"))],
        ),
        check(
            "git",
            vec![
                step(&["init", "-q", "repo"], Expect::Success),
                step(&["-C", "repo", "add", "a.txt"], Expect::Success),
                step(
                    &["-C", "repo", "commit", "-q", "-m", COMMIT],
                    Expect::Success,
                ),
                step(&["-C", "repo", "log", "--format=%s"], exact(COMMIT)),
            ],
        ),
        check(
            "nix-build",
            vec![step(
                &["--version"],
                Expect::Contains("nix-build (Nix) ".into()),
            )],
        ),
    ]
}

/// The config's commands: `argv` (default `NAME --version`), its first word
/// looked up in the bin directories.
fn config_checks(config: &SmokeConfig) -> Result<Vec<Check>> {
    config
        .commands
        .iter()
        .map(|(name, c)| config_check(name, c))
        .collect()
}

fn config_check(name: &str, c: &SmokeCommandConfig) -> Result<Check> {
    let bad = |why: &str| Error::Config {
        path: PathBuf::from(format!("[smoke.commands.{name}]")),
        why: why.into(),
    };
    let argv = if c.argv.is_empty() {
        vec![name.to_string(), "--version".into()]
    } else {
        c.argv.clone()
    };
    if argv[0].contains('/') || argv[0].is_empty() {
        return Err(bad(
            "argv[0] is a command name looked up in the variant's bin/, not a path",
        ));
    }
    let expect = match (&c.stdout, &c.contains) {
        (Some(_), Some(_)) => return Err(bad("give `stdout` or `contains`, not both")),
        (Some(s), None) => Expect::Exact(s.trim_end().to_string()),
        (None, Some(s)) => Expect::Contains(s.clone()),
        (None, None) => Expect::Success,
    };
    Ok(Check {
        command: argv[0].clone(),
        steps: vec![Step {
            args: argv[1..].to_vec(),
            expect,
        }],
    })
}

/// The bin directories of a variant's roots as the user gave them:
/// `profile:LINK` and `closure:PATH` resolved to their store path, then each
/// root's `bin/`, `sw/bin/` and `home-path/bin/` that exist.
pub fn bin_dirs(variant: &str, roots: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut dirs = Vec::new();
    for root in roots {
        let text = root.to_string_lossy();
        let base = if let Some(link) = text.strip_prefix("profile:") {
            crate::nix::resolve_profile(Path::new(link))?
        } else if let Some(path) = text.strip_prefix("closure:") {
            Path::new(path)
                .canonicalize()
                .map_err(|e| Error::io(path, e))?
        } else {
            // Absolute: the commands run in a temporary directory.
            std::path::absolute(root).unwrap_or_else(|_| root.clone())
        };
        for d in BIN_DIRS.map(|d| base.join(d)) {
            if d.is_dir() && !dirs.contains(&d) {
                dirs.push(d);
            }
        }
    }
    if dirs.is_empty() {
        return Err(Error::Smoke {
            variant: variant.into(),
            why: format!(
                "none of its roots has {} to take the commands from",
                BIN_DIRS.map(|d| format!("{d}/")).join(", ")
            ),
        });
    }
    Ok(dirs)
}

/// Whether a variant's roots name a profile or generation (`profile:LINK`):
/// the variants `run` and `ci` check before measuring.
pub fn names_profile(roots: &[PathBuf]) -> bool {
    roots
        .iter()
        .any(|r| r.to_string_lossy().starts_with("profile:"))
}

/// Runs the plan's commands and the config's from `bin_dirs`, each on a fresh
/// fixture, each step within `timeout`.
pub(crate) fn check(
    bin_dirs: &[PathBuf],
    config: &SmokeConfig,
    timeout: Duration,
) -> Result<SmokeReport> {
    let mut checks = plan_checks();
    checks.extend(config_checks(config)?);
    let results: Vec<CheckResult> = checks
        .iter()
        .map(|c| run_check(c, bin_dirs, timeout))
        .collect::<Result<_>>()?;
    let verdict = if results.iter().any(|r| r.status == Status::Broken) {
        Verdict::Broken
    } else if results.iter().any(|r| r.status == Status::Missing) {
        Verdict::Missing
    } else {
        Verdict::Passed
    };
    Ok(SmokeReport {
        bin_dirs: bin_dirs.to_vec(),
        verdict,
        checks: results,
    })
}

fn run_check(check: &Check, bin_dirs: &[PathBuf], timeout: Duration) -> Result<CheckResult> {
    let mut result = CheckResult {
        command: check.command.clone(),
        status: Status::Ok,
        program: None,
        real_path: None,
        detail: None,
    };
    let Some(program) = bin_dirs
        .iter()
        .map(|d| d.join(&check.command))
        .find(|p| p.symlink_metadata().is_ok())
    else {
        result.status = Status::Missing;
        result.detail = Some(format!("no {} in {}", check.command, shown(bin_dirs)));
        return Ok(result);
    };
    result.real_path = program.canonicalize().ok();
    result.program = Some(program.clone());
    let dir = crate::tempfiles::dir().map_err(|e| Error::io(std::env::temp_dir(), e))?;
    write_fixture(dir.path()).map_err(|e| Error::io(dir.path(), e))?;
    for s in &check.steps {
        if let Err(why) = run_step(&program, s, bin_dirs, dir.path(), timeout) {
            result.status = Status::Broken;
            result.detail = Some(why);
            break;
        }
    }
    Ok(result)
}

fn write_fixture(dir: &Path) -> std::io::Result<()> {
    let fixture = dir.join("fixture");
    std::fs::create_dir_all(&fixture)?;
    std::fs::create_dir_all(dir.join("repo"))?;
    std::fs::create_dir_all(dir.join("home"))?;
    std::fs::write(fixture.join("a.txt"), A_TXT)?;
    std::fs::write(fixture.join("b.txt"), B_TXT)?;
    std::fs::write(fixture.join("words.txt"), WORDS_TXT)?;
    std::fs::write(dir.join("repo/a.txt"), A_TXT)
}

/// One step, as a user of the generation would run it: its bin directories
/// first on PATH, in the C locale, with a home and git identity of its own so
/// that nothing of the caller's configuration changes the output.
fn run_step(
    program: &Path,
    step: &Step,
    bin_dirs: &[PathBuf],
    dir: &Path,
    timeout: Duration,
) -> std::result::Result<(), String> {
    let mut cmd = Command::new(program);
    let mut path: Vec<PathBuf> = bin_dirs.to_vec();
    path.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    cmd.args(&step.args)
        .current_dir(dir)
        .env_remove("LD_LIBRARY_PATH")
        .env_remove("LD_PRELOAD")
        .env_remove("GIT_DIR")
        .env("PATH", std::env::join_paths(path).unwrap_or_default())
        .env("LC_ALL", "C")
        .env("HOME", dir.join("home"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "storebench")
        .env("GIT_AUTHOR_EMAIL", "storebench@localhost")
        .env("GIT_COMMITTER_NAME", "storebench")
        .env("GIT_COMMITTER_EMAIL", "storebench@localhost");
    let line = format!("{} {}", program.display(), step.args.join(" "));
    let run = process::run(cmd, Stdout::Capture, timeout)
        .map_err(|e| format!("`{line}` cannot start: {e}"))?;
    let said = || {
        let tail = run.stderr_tail.trim();
        match tail.lines().last() {
            Some(l) => format!(": {}", process::printable(l)),
            None => String::new(),
        }
    };
    match run.exit {
        Exit::Code(0) => {}
        Exit::Code(c) => return Err(format!("`{line}` exited with code {c}{}", said())),
        Exit::Signal(s) => return Err(format!("`{line}` was killed by signal {s}{}", said())),
        Exit::TimedOut => {
            return Err(format!(
                "`{line}` did not finish within {:.0} s",
                timeout.as_secs_f64()
            ))
        }
    }
    let out = run.stdout.trim_end();
    let wrong = match &step.expect {
        Expect::Exact(want) => {
            (out != want.trim_end()).then(|| format!("expected `{}`", escaped(want)))
        }
        Expect::Contains(want) => (!out.contains(want.as_str()))
            .then(|| format!("expected it to contain `{}`", escaped(want))),
        Expect::Success => None,
    };
    match wrong {
        Some(expected) => Err(format!("`{line}` printed `{}`, {expected}", escaped(out))),
        None => Ok(()),
    }
}

fn escaped(s: &str) -> String {
    let s: String = s.chars().take(200).collect();
    process::printable(&s.replace('\n', "\\n"))
}

fn shown(dirs: &[PathBuf]) -> String {
    dirs.iter()
        .map(|d| d.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests;
