//! `hyperfine`: the document's hyperfine-compatible entries alone, `{"results":
//! [...]}` as `hyperfine --export-json` writes them, so tools made for hyperfine
//! (and `storebench compare`) read a run without storebench's own fields.
//!
//! Only timed entries are exported: an entry without `times` (a probe's memory
//! samples, a broken benchmark) has nothing hyperfine would have measured.

use super::{Exporter, Output};
use crate::results::{BenchResult, Document};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

pub struct Hyperfine;

/// hyperfine's field names and order; times in seconds per iteration.
#[derive(Serialize)]
struct Entry<'a> {
    command: &'a str,
    mean: Option<f64>,
    stddev: Option<f64>,
    median: Option<f64>,
    user: Option<f64>,
    system: Option<f64>,
    min: Option<f64>,
    max: Option<f64>,
    times: &'a [f64],
    exit_codes: &'a [i32],
    parameters: &'a BTreeMap<String, String>,
}

impl<'a> From<&'a BenchResult> for Entry<'a> {
    fn from(r: &'a BenchResult) -> Entry<'a> {
        Entry {
            command: &r.command,
            mean: r.mean,
            stddev: r.stddev,
            median: r.median,
            user: r.user,
            system: r.system,
            min: r.min,
            max: r.max,
            times: &r.times,
            exit_codes: &r.exit_codes,
            parameters: &r.parameters,
        }
    }
}

impl Exporter for Hyperfine {
    fn name(&self) -> &'static str {
        "hyperfine"
    }

    fn about(&self) -> &'static str {
        "the hyperfine-compatible entries alone, as `hyperfine --export-json` writes them ({\"results\": [...]}); `storebench compare` reads it back"
    }

    fn render(&self, doc: &Document, path: &Path) -> Vec<Output> {
        let results: Vec<Entry> = doc
            .results
            .iter()
            .filter(|r| !r.times.is_empty())
            .map(Entry::from)
            .collect();
        let mut json = serde_json::to_vec_pretty(&serde_json::json!({ "results": results }))
            .expect("plain data serializes");
        json.push(b'\n');
        vec![Output::replace(path, json)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::ChangeVerdict;

    #[test]
    fn the_export_reads_back_as_a_hyperfine_run_with_the_same_times() {
        let doc = super::super::tests::document("compress/zlib/l6/text", ChangeVerdict::NoChange);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hyperfine.json");
        let out = Hyperfine.render(&doc, &path);
        std::fs::write(&path, &out[0].bytes).unwrap();

        let back = crate::baseline::load(&path).unwrap();
        assert_eq!(back.tool.name, "hyperfine");
        assert_eq!(back.results.len(), doc.results.len());
        for (theirs, ours) in back.results.iter().zip(&doc.results) {
            assert_eq!(theirs.bench, ours.command);
            // serde_json's default float parsing may differ in the last bit.
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs();
            assert_eq!(theirs.times.len(), ours.times.len());
            assert!(theirs
                .times
                .iter()
                .zip(&ours.times)
                .all(|(a, b)| close(*a, *b)));
            assert!(close(theirs.median.unwrap(), ours.median.unwrap()));
        }
        let value: serde_json::Value = serde_json::from_slice(&out[0].bytes).unwrap();
        let keys: Vec<&String> = value["results"][0].as_object().unwrap().keys().collect();
        assert!(
            !keys.iter().any(|k| *k == "bench" || *k == "rounds"),
            "{keys:?}"
        );
    }
}
