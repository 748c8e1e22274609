//! The interpreters a variant can name, Python and Node.js: where a root provides
//! them, and how each is asked what it is.
//!
//! This module owns the table that links an interpreter to its executable's name,
//! its config key and its identity probe (`benches/runtime/*/identity.*`). It
//! measures nothing: `workload::runtime` runs scripts on it, and provenance
//! records what [`identify`] learns.

use crate::process::{self, Exit, Stdout};
use crate::provenance::{self, InterpreterIdentity};
use crate::variant::Variant;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Interpreter {
    Python,
    Node,
}

impl Interpreter {
    pub const ALL: [Interpreter; 2] = [Interpreter::Python, Interpreter::Node];

    /// The config key (`python = "…"`) and the first part of its benchmark ids.
    pub fn name(self) -> &'static str {
        match self {
            Interpreter::Python => "python",
            Interpreter::Node => "node",
        }
    }

    /// The executable a root's `bin/` holds.
    pub fn executable(self) -> &'static str {
        match self {
            Interpreter::Python => "python3",
            Interpreter::Node => "node",
        }
    }

    /// `ROOT/bin/<executable>` when it exists.
    pub fn in_root(self, root: &Path) -> Option<PathBuf> {
        let p = root.join("bin").join(self.executable());
        p.is_file().then_some(p)
    }

    /// The arguments that make it print its identity as one JSON object. Python
    /// runs isolated (`-I`), so no `PYTHON*` variable changes what it reports.
    fn identity_flags(self) -> &'static [&'static str] {
        match self {
            Interpreter::Python => &["-I", "-c"],
            Interpreter::Node => &["-e"],
        }
    }

    fn identity_probe(self) -> &'static str {
        match self {
            Interpreter::Python => include_str!("../benches/runtime/python/identity.py"),
            Interpreter::Node => include_str!("../benches/runtime/node/identity.js"),
        }
    }
}

/// What the probe prints.
#[derive(Deserialize)]
struct Reported {
    version: String,
    build: serde_json::Map<String, serde_json::Value>,
    objects: Vec<PathBuf>,
}

/// Runs `interpreter` at `path` as `variant` would (through its glibc's loader,
/// with its library path and environment) and asks what it is. The error is a
/// sentence saying why it could not tell.
pub fn identify(
    variant: &Variant,
    interpreter: Interpreter,
    path: &Path,
    timeout: Duration,
) -> Result<InterpreterIdentity, String> {
    let mut object = provenance::describe(path).map_err(|e| format!("{}: {e}", path.display()))?;
    object.path = path.to_owned();
    let mut cmd = variant.command(path);
    cmd.args(interpreter.identity_flags())
        .arg(interpreter.identity_probe());
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
        libc: mapped(crate::glibc::LIBC),
        loader: mapped(crate::glibc::LOADER),
        objects: reported.objects,
    })
}
