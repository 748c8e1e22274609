//! `github-action-benchmark`: the `customBiggerIsBetter` and
//! `customSmallerIsBetter` inputs of benchmark-action/github-action-benchmark,
//! an array of `{name, value, unit, range, extra}` per direction.
//!
//! The action takes one direction per file, so FILE holds the figures where
//! bigger is better (rates) and is always written, and `STEM-smaller.EXT` beside
//! it holds those where smaller is better (times, memory, CPU use), written only
//! when there are any. Entries without a figure (broken, crashed) are left out:
//! the action needs a number.

use super::{comparison, label, Exporter, Output};
use crate::compare::signed;
use crate::format::human;
use crate::results::{BenchResult, Document};
use serde::Serialize;
use std::path::{Path, PathBuf};

pub struct GithubActionBenchmark;

#[derive(Serialize)]
struct Entry {
    name: String,
    value: f64,
    unit: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    range: Option<String>,
    extra: String,
}

/// `dir/STEM-smaller.EXT` for `dir/STEM.EXT`.
pub fn smaller_path(path: &Path) -> PathBuf {
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    let name = match path.extension() {
        Some(ext) => format!("{stem}-smaller.{}", ext.to_string_lossy()),
        None => format!("{stem}-smaller"),
    };
    path.with_file_name(name)
}

fn entry(doc: &Document, r: &BenchResult) -> Option<Entry> {
    let summary = r.throughput.as_ref()?;
    let mut extra = format!("n={}", summary.n);
    if let Some(c) = comparison(doc, r) {
        match (c.change_pct, c.ci_low_pct, c.ci_high_pct) {
            (Some(pct), Some(low), Some(high)) => extra.push_str(&format!(
                "; vs {}: {} % (95 % CI {} … {}), {}",
                c.baseline,
                signed(pct),
                signed(low),
                signed(high),
                c.verdict.label()
            )),
            _ => extra.push_str(&format!("; vs {}: {}", c.baseline, c.verdict.label())),
        }
    }
    Some(Entry {
        name: label(r),
        value: summary.median,
        unit: r.unit.symbol(),
        range: (summary.n > 1).then(|| format!("± {}", human(summary.stddev, r.unit))),
        extra,
    })
}

fn json(entries: &[Entry]) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(entries).expect("plain data serializes");
    bytes.push(b'\n');
    bytes
}

impl Exporter for GithubActionBenchmark {
    fn name(&self) -> &'static str {
        "github-action-benchmark"
    }

    fn about(&self) -> &'static str {
        "benchmark-action/github-action-benchmark input: FILE holds the figures where bigger is better (tool: customBiggerIsBetter); STEM-smaller.EXT beside it, when there are any, those where smaller is better (tool: customSmallerIsBetter). Name `bench [variant]`, value the median, range ± the stddev, extra n, the change with its CI and the verdict"
    }

    fn render(&self, doc: &Document, path: &Path) -> Vec<Output> {
        let (bigger, smaller): (Vec<&BenchResult>, Vec<&BenchResult>) =
            doc.results.iter().partition(|r| r.unit.higher_is_better());
        let entries = |rs: Vec<&BenchResult>| -> Vec<Entry> {
            rs.into_iter().filter_map(|r| entry(doc, r)).collect()
        };
        let mut outputs = vec![Output::replace(path, json(&entries(bigger)))];
        let smaller = entries(smaller);
        if !smaller.is_empty() {
            outputs.push(Output::replace(&smaller_path(path), json(&smaller)));
        }
        outputs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::ChangeVerdict;

    #[test]
    fn the_smaller_is_better_file_sits_beside_the_named_one() {
        assert_eq!(
            smaller_path(Path::new("out/bench.json")),
            Path::new("out/bench-smaller.json")
        );
        assert_eq!(smaller_path(Path::new("bench")), Path::new("bench-smaller"));
    }

    #[test]
    fn rates_go_to_the_bigger_is_better_file_with_their_comparison() {
        let doc = super::super::tests::document("compress/zlib/l6/text", ChangeVerdict::Regression);
        let out = GithubActionBenchmark.render(&doc, Path::new("gab.json"));
        assert_eq!(out.len(), 1, "no smaller-is-better figure, no second file");
        let v: serde_json::Value = serde_json::from_slice(&out[0].bytes).unwrap();
        let entries = v.as_array().unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[1]["name"], "compress/zlib/l6/text [b]");
        assert_eq!(entries[1]["unit"], "B/s");
        let extra = entries[1]["extra"].as_str().unwrap();
        assert!(
            extra.contains("vs a") && extra.contains("regression"),
            "{extra}"
        );
        assert!(entries[0]["range"].as_str().unwrap().starts_with("± "));
    }

    #[test]
    fn times_go_to_the_smaller_is_better_file() {
        let mut doc = super::super::tests::document("command/x/wall", ChangeVerdict::NoChange);
        doc.results[1].unit = crate::results::Unit::Seconds;
        let out = GithubActionBenchmark.render(&doc, Path::new("gab.json"));
        assert_eq!(out.len(), 2);
        assert_eq!(out[1].path, Path::new("gab-smaller.json"));
        let smaller: serde_json::Value = serde_json::from_slice(&out[1].bytes).unwrap();
        assert_eq!(smaller[0]["name"], "command/x/wall [b]");
        assert_eq!(smaller[0]["unit"], "s");
        let bigger: serde_json::Value = serde_json::from_slice(&out[0].bytes).unwrap();
        assert_eq!(bigger.as_array().unwrap().len(), 1);
    }
}
