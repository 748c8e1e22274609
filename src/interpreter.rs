//! The runtimes a variant can name, Python, Node.js and the Rust compiler: where a
//! root provides them, and how each is asked what it is.
//!
//! This module owns the table that links a runtime to its executable's name, its
//! config key and its identity probe (`benches/runtime/*/identity.*`, or
//! `rustc -vV`). It measures nothing and depends on nothing: `workload::runtime`
//! and `workload::rust` run on it, and `provenance::identify_interpreter` asks it
//! what it is.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Interpreter {
    Python,
    Node,
    /// Not an interpreter but a compiler: `rust/*` time it compiling a shipped
    /// source. It is named, found and identified like the interpreters.
    Rustc,
}

impl Interpreter {
    pub const ALL: [Interpreter; 3] = [Interpreter::Python, Interpreter::Node, Interpreter::Rustc];

    /// The config key (`python = "…"`) and the first part of its benchmark ids.
    pub fn name(self) -> &'static str {
        match self {
            Interpreter::Python => "python",
            Interpreter::Node => "node",
            Interpreter::Rustc => "rustc",
        }
    }

    /// The executable a root's `bin/` holds.
    pub fn executable(self) -> &'static str {
        match self {
            Interpreter::Python => "python3",
            Interpreter::Node => "node",
            Interpreter::Rustc => "rustc",
        }
    }

    /// `ROOT/bin/<executable>` when it exists.
    pub fn in_root(self, root: &Path) -> Option<PathBuf> {
        let p = root.join("bin").join(self.executable());
        p.is_file().then_some(p)
    }

    /// The arguments that make it print its identity: with the probe script
    /// after them, one JSON object; for rustc (no probe), `rustc -vV`'s lines.
    /// Python runs isolated (`-I`), so no `PYTHON*` variable changes what it reports.
    pub fn identity_flags(self) -> &'static [&'static str] {
        match self {
            Interpreter::Python => &["-I", "-c"],
            Interpreter::Node => &["-e"],
            Interpreter::Rustc => &["-vV"],
        }
    }

    /// The script that prints it (`benches/runtime/*/identity.*`); None for
    /// rustc, which says what it is itself.
    pub fn identity_probe(self) -> Option<&'static str> {
        match self {
            Interpreter::Python => Some(include_str!("../benches/runtime/python/identity.py")),
            Interpreter::Node => Some(include_str!("../benches/runtime/node/identity.js")),
            Interpreter::Rustc => None,
        }
    }
}

/// `rustc -vV`'s output as (release, every `key: value` line): the release is
/// the `release:` line, else the first line's second word.
pub fn parse_rustc_version(text: &str) -> Option<(String, Vec<(String, String)>)> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let first = lines.next()?;
    let mut release = first.split_whitespace().nth(1)?.to_string();
    let mut fields = vec![("version".to_string(), first.trim().to_string())];
    for line in lines {
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let (k, v) = (k.trim().to_string(), v.trim().to_string());
        if k == "release" {
            release = v.clone();
        }
        fields.push((k, v));
    }
    Some((release, fields))
}

#[cfg(test)]
mod tests {
    #[test]
    fn rustc_says_its_release_and_build_in_key_value_lines() {
        let text = "rustc 1.95.0 (59807616e 2026-04-14)\nbinary: rustc\ncommit-hash: 5980\nhost: x86_64-unknown-linux-gnu\nrelease: 1.95.0\nLLVM version: 22.1.2\n";
        let (release, fields) = super::parse_rustc_version(text).unwrap();
        assert_eq!(release, "1.95.0");
        assert!(fields.contains(&("LLVM version".into(), "22.1.2".into())));
        assert_eq!(fields[0].1, "rustc 1.95.0 (59807616e 2026-04-14)");
        assert!(super::parse_rustc_version("").is_none());
    }
}
