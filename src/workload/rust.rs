//! Rust workloads: the variant's `rustc` compiling the shipped program
//! `benches/runtime/rust/bench.rs` (no dependencies, deterministic), optimized
//! (`-O`) and as a debug build (cargo's dev profile: `-C opt-level=0`, debug
//! info, debug assertions), timed as whole processes like the interpreter
//! scripts: `rust/compile/{opt,debug}/process`. The linker rustc starts is part
//! of the process tree, so of the time.
//!
//! Every compile is verified by running what it produced and comparing its
//! output with `benches/runtime/rust/expected.txt`: a compiler that builds a
//! program computing something else is broken, not fast. Outputs go in the
//! run's temporary directory, and each binary is removed once checked.

use super::{BenchSpec, Broken, Job, Metric, ProcessBench, Source, Unit};
use crate::interpreter::Interpreter;
use crate::process::{self, Exit, Run, Stdout};
use crate::variant::Variant;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The program compiled: a few thousand lines of plain Rust.
pub const SOURCE: &str = include_str!("../../benches/runtime/rust/bench.rs");
/// What the compiled program must print.
pub const EXPECTED: &str = include_str!("../../benches/runtime/rust/expected.txt");

/// The group of every Rust benchmark, and the first part of its ids.
pub const GROUP: &str = "rust";

/// How the shipped source is compiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// `-O`, as a release build.
    Opt,
    /// `-C opt-level=0` with debug info and assertions, as cargo's dev profile.
    Debug,
}

/// One compile of the shipped source.
#[derive(Debug, Clone, PartialEq)]
pub struct Compile {
    pub profile: Profile,
}

pub fn catalog(out: &mut Vec<BenchSpec>) {
    for profile in [Profile::Opt, Profile::Debug] {
        let job = Compile { profile };
        out.push(BenchSpec {
            id: format!("{}/process", job.id()),
            group: GROUP,
            libraries: vec![],
            unit: Unit::Seconds,
            source: Source::Process(ProcessBench {
                job: Job::Rust(job),
                metric: Metric::Wall,
            }),
        });
    }
}

impl Profile {
    fn label(self) -> &'static str {
        match self {
            Profile::Opt => "opt",
            Profile::Debug => "debug",
        }
    }

    fn flags(self) -> &'static [&'static str] {
        match self {
            Profile::Opt => &["-O"],
            Profile::Debug => &["-C", "opt-level=0", "-g", "-C", "debug-assertions"],
        }
    }
}

impl Compile {
    /// `rust/compile/opt`: the benchmark ids without their metric.
    pub fn id(&self) -> String {
        format!("{GROUP}/compile/{}", self.profile.label())
    }

    fn source_path(dir: &Path) -> PathBuf {
        dir.join(GROUP).join("bench.rs")
    }

    fn output(&self, dir: &Path) -> PathBuf {
        dir.join(GROUP)
            .join(format!("bench-{}", self.profile.label()))
    }

    /// Writes the source below `dir`, for the compilers to read.
    pub fn install(dir: &Path) -> std::io::Result<()> {
        let path = Self::source_path(dir);
        std::fs::create_dir_all(dir.join(GROUP))?;
        std::fs::write(path, SOURCE)
    }

    /// The variant's rustc compiling the installed source, in the variant's
    /// environment; None when the variant names no rustc.
    pub fn command(&self, variant: &Variant, dir: &Path) -> Option<Command> {
        let rustc = variant.interpreters.get(&Interpreter::Rustc)?;
        let mut cmd = variant.command(rustc);
        cmd.args(["--edition", "2021", "--crate-name", "bench"])
            .args(self.profile.flags())
            .arg("-o")
            .arg(self.output(dir))
            .arg(Self::source_path(dir))
            .current_dir(dir.join(GROUP));
        Some(cmd)
    }

    /// A compile that exited with `code`: right when it succeeded and what it
    /// built, run as `variant` within `timeout`, prints [`EXPECTED`]. The
    /// binary is removed either way.
    pub fn judge(
        &self,
        run: &Run,
        code: i32,
        variant: &Variant,
        dir: &Path,
        timeout: Duration,
    ) -> Result<(), Broken> {
        if code != 0 {
            let said = run.stderr_tail.trim().lines().last().unwrap_or("");
            return Err(Broken(format!(
                "rustc exited with code {code} compiling {}: {said}",
                self.id()
            )));
        }
        let binary = self.output(dir);
        let result = process::run(variant.command(&binary), Stdout::Capture, timeout);
        let _ = std::fs::remove_file(&binary);
        let result = result
            .map_err(|e| Broken(format!("the program {} built cannot start: {e}", self.id())))?;
        if result.exit != Exit::Code(0) {
            return Err(Broken(format!(
                "the program {} built failed ({:?}): {}",
                self.id(),
                result.exit,
                result.stderr_tail.trim()
            )));
        }
        check_output(&result.stdout).map_err(|why| Broken(format!("{}: {why}", self.id())))
    }
}

/// Whether `stdout` is [`EXPECTED`]; else the first line that differs.
fn check_output(stdout: &str) -> Result<(), String> {
    let mut got = stdout.lines();
    for (n, want) in EXPECTED.lines().enumerate() {
        match got.next() {
            Some(line) if line == want => {}
            Some(line) => {
                return Err(format!(
                    "the compiled program printed `{line}` on line {}, expected `{want}`",
                    n + 1
                ))
            }
            None => {
                return Err(format!(
                    "the compiled program stopped after {n} lines, expected `{want}` next"
                ))
            }
        }
    }
    match got.next() {
        Some(extra) => Err(format!(
            "the compiled program printed more than expected: `{extra}`"
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_that_differs_by_one_line_is_named() {
        check_output(EXPECTED).unwrap();
        let mut wrong: Vec<&str> = EXPECTED.lines().collect();
        let last = wrong.len() - 1;
        wrong[last] = "checksum 0";
        let err = check_output(&wrong.join("\n")).unwrap_err();
        assert!(err.contains("checksum 0"), "{err}");
        assert!(check_output("").unwrap_err().contains("after 0 lines"));
        assert!(check_output(&format!("{EXPECTED}more\n"))
            .unwrap_err()
            .contains("more"));
    }

    #[test]
    fn two_profiles_two_ids() {
        let mut out = vec![];
        catalog(&mut out);
        let ids: Vec<&str> = out.iter().map(|b| b.id.as_str()).collect();
        assert_eq!(
            ids,
            ["rust/compile/opt/process", "rust/compile/debug/process"]
        );
        assert_eq!(out[0].interpreter(), Some(Interpreter::Rustc));
    }
}
