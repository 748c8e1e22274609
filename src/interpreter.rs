//! The interpreters a variant can name, Python and Node.js: where a root provides
//! them, and how each is asked what it is.
//!
//! This module owns the table that links an interpreter to its executable's name,
//! its config key and its identity probe (`benches/runtime/*/identity.*`). It
//! measures nothing and depends on nothing: `workload::runtime` runs scripts on
//! it, and `provenance::identify_interpreter` asks it what it is.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

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
    pub fn identity_flags(self) -> &'static [&'static str] {
        match self {
            Interpreter::Python => &["-I", "-c"],
            Interpreter::Node => &["-e"],
        }
    }

    /// The script that prints it (`benches/runtime/*/identity.*`).
    pub fn identity_probe(self) -> &'static str {
        match self {
            Interpreter::Python => include_str!("../benches/runtime/python/identity.py"),
            Interpreter::Node => include_str!("../benches/runtime/node/identity.js"),
        }
    }
}
