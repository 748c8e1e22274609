//! Merging run documents of the same variants into one, before judging,
//! reporting and recording: what `scripts/demo` does with the runs it measures
//! as soon as each part of the demo store is built.
//!
//! Documents merge when they are runs (no probe, no ci record) of the same
//! variants, in the same order, on the same host, with the same seed, slice and
//! stopping design (a fixed design: the same rounds; the merged document has the
//! most rounds of any part, and the budgets of all parts), and no benchmark is measured in two of them. A variant's library
//! directories may grow from one document to the next (a later part of the store
//! adds libraries); every earlier document's directories must be among the
//! merged variant's, so a benchmark keeps the libraries it was measured with.
//! The comparisons, groups and claims are left empty: the caller judges the
//! merged document as a whole.

use crate::results::{CorpusInfo, Document, VariantRecord};
use std::path::{Path, PathBuf};

/// Why documents do not merge: the file that differs and how.
#[derive(Debug, PartialEq)]
pub struct Mismatch {
    pub path: PathBuf,
    pub why: String,
}

/// The documents, in the order given, as one.
pub fn merge(docs: Vec<(PathBuf, Document)>) -> Result<Document, Mismatch> {
    let mut docs = docs.into_iter();
    let Some((first_path, mut merged)) = docs.next() else {
        return Err(Mismatch {
            path: PathBuf::new(),
            why: "no document to merge".into(),
        });
    };
    runs_only(&first_path, &merged)?;
    for (path, doc) in docs {
        let bad = |why: String| Mismatch {
            path: path.clone(),
            why,
        };
        runs_only(&path, &doc)?;
        same_setup(&merged, &doc).map_err(bad)?;
        merged.variants = variants(&merged.variants, doc.variants).map_err(bad)?;
        corpora(&mut merged.corpora, doc.corpora).map_err(bad)?;
        for r in doc.results {
            if merged.result(&r.bench, &r.variant).is_some() {
                return Err(bad(format!(
                    "{} of variant {} is in an earlier document too",
                    r.bench, r.variant
                )));
            }
            merged.results.push(r);
        }
        let s = &mut merged.settings;
        s.bench_patterns.extend(doc.settings.bench_patterns);
        s.unsettled.extend(doc.settings.unsettled);
        s.blocks.extend(doc.settings.blocks);
        // Sequential parts stop each benchmark at its own look: the most rounds
        // any part ran, and the budgets of all parts together.
        s.rounds = s.rounds.max(doc.settings.rounds);
        if let (Some(a), Some(b)) = (s.max_time_seconds, doc.settings.max_time_seconds) {
            s.max_time_seconds = Some(a + b);
        }
        merged.command_line.push("+".into());
        merged.command_line.extend(doc.command_line);
    }
    merged.comparisons.clear();
    merged.groups.clear();
    merged.claims.clear();
    Ok(merged)
}

fn runs_only(path: &Path, doc: &Document) -> Result<(), Mismatch> {
    if doc.probe.is_some() || doc.ci.is_some() {
        return Err(Mismatch {
            path: path.to_owned(),
            why: "it is a probe or ci document; only `run` documents merge".into(),
        });
    }
    Ok(())
}

fn same_setup(a: &Document, b: &Document) -> Result<(), String> {
    let differs = |what: &str, x: String, y: String| {
        Err(format!(
            "its {what} ({y}) differs from the earlier documents' ({x})"
        ))
    };
    if a.host.cpu_model != b.host.cpu_model || a.host.hostname != b.host.hostname {
        let host = |d: &Document| format!("{}, {}", d.host.hostname, d.host.cpu_model);
        return differs("host", host(a), host(b));
    }
    if a.seed != b.seed {
        return differs("seed", a.seed.to_string(), b.seed.to_string());
    }
    let (x, y) = (&a.settings, &b.settings);
    // A sequential design sets each benchmark's rounds by itself: the design and
    // the slice must agree. A fixed design must run the same rounds.
    let fixed_rounds_differ = x.stopping.is_none() && x.rounds != y.rounds;
    if x.stopping != y.stopping || fixed_rounds_differ || x.slice_seconds != y.slice_seconds {
        let s = |s: &crate::results::Settings| match s.stopping {
            Some(d) => format!(
                "sequential, {} to {} rounds of {} s",
                d.min_rounds, d.max_rounds, s.slice_seconds
            ),
            None => format!("{} rounds of {} s", s.rounds, s.slice_seconds),
        };
        return differs("rounds", s(x), s(y));
    }
    if x.cpus != y.cpus {
        return differs("CPUs", format!("{:?}", x.cpus), format!("{:?}", y.cpus));
    }
    Ok(())
}

/// The variants of the merged document: `later`'s records, each of which must
/// name the same variant as `earlier`'s at its place and hold all its library
/// directories.
fn variants(
    earlier: &[VariantRecord],
    later: Vec<VariantRecord>,
) -> Result<Vec<VariantRecord>, String> {
    let names =
        |v: &[VariantRecord]| -> Vec<String> { v.iter().map(|r| r.variant.name.clone()).collect() };
    if names(earlier) != names(&later) {
        return Err(format!(
            "its variants ({}) are not the earlier documents' ({})",
            names(&later).join(", "),
            names(earlier).join(", ")
        ));
    }
    for (e, l) in earlier.iter().zip(&later) {
        if let Some(d) = e
            .variant
            .lib_dirs
            .iter()
            .find(|d| !l.variant.lib_dirs.contains(d))
        {
            return Err(format!(
                "variant {} lacks the library directory {} of an earlier document",
                e.variant.name,
                d.display()
            ));
        }
    }
    Ok(later)
}

/// Adds `more` to `into`; a corpus of the same name must be the same bytes.
fn corpora(into: &mut Vec<CorpusInfo>, more: Vec<CorpusInfo>) -> Result<(), String> {
    for c in more {
        match into.iter().find(|k| k.name == c.name) {
            Some(k) if k.sha256 != c.sha256 => {
                return Err(format!(
                    "its corpus {} is not the earlier documents' (sha256 {} against {})",
                    c.name, c.sha256, k.sha256
                ))
            }
            Some(_) => {}
            None => into.push(c),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
