//! Where a measuring command's results go: every destination is checked before
//! measuring, so that a bad one costs seconds, not a run; and after measuring
//! every output is written on its own, so that one that fails loses none of the
//! others, and each failure is told.

use super::export::Exports;
use super::history::Recording;
use super::report::RunReport;
use super::Store;
use crate::baseline::{self, Saved};
use crate::error::{exit, Error, Result};
use crate::results::Document;
use crate::tempfiles;
use std::path::Path;

/// A command's outputs, as its flags name them.
pub(super) struct Outputs<'a> {
    pub json: Option<&'a Path>,
    pub save: Option<&'a str>,
    pub store: &'a Store,
    pub exports: &'a Exports,
    pub report: &'a RunReport,
    /// The history to record in and the source recorded (None: not recorded here).
    pub recording: Option<(&'a Recording, &'static str)>,
}

impl Outputs<'_> {
    /// Fails when a destination cannot be written: a directory that cannot be
    /// made or written into, a history that does not open.
    pub fn check(&self) -> Result<()> {
        if let Some(p) = self.json {
            writable(p, true)?;
        }
        if let Some(name) = self.save {
            writable(&baseline::path_for(&self.store.baselines_dir, name)?, true)?;
        }
        // An export is written into a directory that exists.
        for p in self.exports.paths() {
            writable(p, false)?;
        }
        self.report.check()?;
        if let Some((recording, _)) = self.recording {
            recording.check()?;
        }
        Ok(())
    }

    /// Writes every output of `doc`; returns the failures, each already told.
    pub fn write(&self, doc: &Document) -> Vec<Error> {
        let mut failed = vec![];
        let mut attempt = |r: Result<()>| {
            if let Err(e) = r {
                eprintln!("error: {e}");
                failed.push(e);
            }
        };
        if let Some(path) = self.json {
            attempt(doc.write_atomic(path).map(|()| {
                eprintln!("wrote {}", path.display());
            }));
        }
        if let Some(name) = self.save {
            attempt(save(doc, name, self.store));
        }
        if let Some((recording, source)) = self.recording {
            attempt(recording.record(doc, source));
        }
        for e in self.exports.write_each(doc) {
            attempt(Err(e));
        }
        attempt(self.report.write(doc));
        failed
    }
}

fn save(doc: &Document, name: &str, store: &Store) -> Result<()> {
    let replace = store.replace_baseline;
    match baseline::save(doc, &store.baselines_dir, name, replace)? {
        Saved::Written(p) => eprintln!("saved baseline {}", p.display()),
        Saved::WrittenIncomplete(p) => eprintln!(
            "warning: saved baseline {}, but the run is incomplete (a benchmark failed)",
            p.display()
        ),
        Saved::Kept(p) => eprintln!(
            "warning: kept the existing baseline {}: this run is incomplete (a benchmark failed) and does not replace it",
            p.display()
        ),
    }
    Ok(())
}

/// Whether a file can be written at `path` as outputs are: through a temporary
/// file in its directory (made when missing, if `create`).
pub(super) fn writable(path: &Path, create: bool) -> Result<()> {
    let output = |why: String| Error::Output {
        path: path.to_owned(),
        why,
    };
    if path.is_dir() {
        return Err(output("is a directory; name a file".into()));
    }
    let dir = tempfiles::parent(path);
    tempfiles::check_writable(dir, create).map_err(|e| {
        output(format!(
            "cannot write into {} ({e}); nothing was measured: choose another destination",
            dir.display()
        ))
    })
}

/// The exit code of a command that concluded `code` and whose outputs `failed`:
/// 2 when one did (something asked for was not done), whatever the verdicts,
/// which are printed and in the outputs that were written.
pub(super) fn exit_code(code: i32, failed: &[Error]) -> i32 {
    if failed.is_empty() {
        return code;
    }
    eprintln!(
        "error: {} output(s) could not be written (above); every other output was",
        failed.len()
    );
    exit::BAD_INPUT
}
