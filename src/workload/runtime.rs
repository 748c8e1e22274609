//! Interpreter workloads: the self-checking scripts shipped under
//! `benches/runtime/` (n-body floats, JSON, regular expressions, Richards, start-up),
//! run as whole processes by each variant's Python or Node.js.
//!
//! Each script uses only its runtime's standard library, is deterministic, verifies
//! its result (exiting non-zero on a wrong one) and prints, as its last line,
//! `{"hot_seconds": …}`: its own timing of its hot loop. So every workload gives two
//! figures from the same runs: `…/process`, the whole process as hyperfine times
//! it (start-up included), and `…/hot`, the steady state. A PGO build may change
//! one and not the other. The start-up script has only the first.

use super::{BenchSpec, Broken, Job, Metric, ProcessBench, Source, Unit};
use crate::interpreter::Interpreter;
use crate::process::Run;
use crate::variant::Variant;
use std::path::{Path, PathBuf};
use std::process::Command;

/// One shipped script.
#[derive(Debug, Clone, PartialEq)]
pub struct Script {
    pub interpreter: Interpreter,
    /// `nbody`, `json`…: the middle of its ids.
    pub name: &'static str,
    /// Its file name, chosen to shadow no standard module: Python puts the
    /// script's directory first on `sys.path`.
    pub file: &'static str,
    pub source: &'static str,
    /// Whether its hot-loop time is a figure (not for start-up only).
    pub hot: bool,
}

macro_rules! script {
    ($interp:ident, $name:literal, $dir:literal, $file:literal, $hot:literal) => {
        Script {
            interpreter: Interpreter::$interp,
            name: $name,
            file: $file,
            source: include_str!(concat!("../../benches/runtime/", $dir, "/", $file)),
            hot: $hot,
        }
    };
}

/// Every script, in catalog order.
pub fn scripts() -> Vec<Script> {
    vec![
        script!(Python, "nbody", "python", "nbody.py", true),
        script!(Python, "json", "python", "json_roundtrip.py", true),
        script!(Python, "regex", "python", "regex_scan.py", true),
        script!(Python, "richards", "python", "richards.py", true),
        script!(Python, "startup", "python", "startup.py", false),
        script!(Node, "nbody", "node", "nbody.js", true),
        script!(Node, "json", "node", "json_roundtrip.js", true),
        script!(Node, "regex", "node", "regex_scan.js", true),
        script!(Node, "richards", "node", "richards.js", true),
        script!(Node, "startup", "node", "startup.js", false),
    ]
}

pub fn catalog(out: &mut Vec<BenchSpec>) {
    for s in scripts() {
        let metrics: &[(Metric, &str)] = if s.hot {
            &[(Metric::Wall, "process"), (Metric::Hot, "hot")]
        } else {
            &[(Metric::Wall, "process")]
        };
        for &(metric, label) in metrics {
            out.push(BenchSpec {
                id: format!("{}/{label}", s.id()),
                group: s.interpreter.name(),
                libraries: vec![],
                unit: Unit::Seconds,
                source: Source::Process(ProcessBench {
                    job: Job::Script(s.clone()),
                    metric,
                }),
            });
        }
    }
}

impl Script {
    pub fn id(&self) -> String {
        format!("{}/{}", self.interpreter.name(), self.name)
    }

    /// Where [`Script::install`] puts it below `dir`.
    pub fn path(&self, dir: &Path) -> PathBuf {
        dir.join(self.interpreter.name()).join(self.file)
    }

    /// Writes the script below `dir`, for the interpreters to run.
    pub fn install(&self, dir: &Path) -> std::io::Result<()> {
        let path = self.path(dir);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, self.source)
    }

    /// The variant's interpreter running the installed script, in the variant's
    /// environment; None when the variant names no such interpreter.
    pub fn command(&self, variant: &Variant, dir: &Path) -> Option<Command> {
        let interpreter = variant.interpreters.get(&self.interpreter)?;
        let mut cmd = variant.command(interpreter);
        cmd.arg(self.path(dir)).current_dir(dir);
        Some(cmd)
    }

    /// The hot-loop seconds of a run that exited normally, or why its output is
    /// wrong: a non-zero exit is the script's self-check failing.
    pub fn judge(&self, run: &Run, code: i32) -> Result<f64, Broken> {
        if code != 0 {
            let said = run.stderr_tail.trim();
            let said = said
                .lines()
                .last()
                .unwrap_or("it printed nothing on stderr");
            return Err(Broken(format!(
                "the {} script exited with code {code}: {said}",
                self.id()
            )));
        }
        hot_seconds(&run.stdout).ok_or_else(|| {
            Broken(format!(
                "the {} script did not end with its {{\"hot_seconds\": …}} line",
                self.id()
            ))
        })
    }
}

/// The `hot_seconds` of the last non-empty line, when it is that JSON object.
fn hot_seconds(stdout: &str) -> Option<f64> {
    let last = stdout.lines().rev().find(|l| !l.trim().is_empty())?;
    let v: serde_json::Value = serde_json::from_str(last).ok()?;
    v.get("hot_seconds")?
        .as_f64()
        .filter(|s| s.is_finite() && *s >= 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hot_line_is_the_last_one_and_must_be_a_number() {
        assert_eq!(
            hot_seconds("noise\n{\"hot_seconds\": 0.25}\n\n"),
            Some(0.25)
        );
        assert_eq!(hot_seconds("{\"hot_seconds\": 0.25}\nlater\n"), None);
        assert_eq!(hot_seconds("{\"hot_seconds\": \"fast\"}"), None);
        assert_eq!(hot_seconds("{\"hot_seconds\": -1}"), None);
    }

    #[test]
    fn every_script_has_two_figures_but_start_up_and_ids_are_unique() {
        let mut out = vec![];
        catalog(&mut out);
        let ids: std::collections::BTreeSet<_> = out.iter().map(|b| b.id.clone()).collect();
        assert_eq!(ids.len(), out.len());
        assert!(ids.contains("python/nbody/process") && ids.contains("node/json/hot"));
        assert!(ids.contains("python/startup/process") && !ids.contains("python/startup/hot"));
        assert_eq!(out.len(), 2 * (4 * 2 + 1));
    }
}
