//! `csv`: one row per benchmark, variant and metric, for a spreadsheet or
//! pandas (RFC 4180: comma-separated, fields quoted when they must be).
//!
//! Each result gives a row for its figure (named as Bencher names the measure:
//! `throughput-bytes`, `latency`, `memory`…, in its unit) with the comparison
//! columns filled where it was compared, and, for a timed benchmark, a
//! `time-per-iteration` row in seconds (hyperfine's figures). Empty = no figure.

use super::{comparison, measure, status, Exporter, Output};
use crate::results::{BenchResult, Document};
use crate::stats::Summary;
use std::path::Path;

pub struct Csv;

const HEADER: [&str; 20] = [
    "bench",
    "group",
    "variant",
    "status",
    "metric",
    "unit",
    "n",
    "median",
    "mean",
    "stddev",
    "min",
    "max",
    "baseline",
    "change_pct",
    "ci_low_pct",
    "ci_high_pct",
    "mde_pct",
    "paired",
    "verdict",
    "not_rebuilt",
];

/// A field as RFC 4180 wants it: quoted, with quotes doubled, when it holds a
/// comma, a quote or a line break. Text that a spreadsheet would run as a
/// formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage return: a
/// benchmark or variant name from a config) gets a leading `'`, as OWASP
/// advises; a number, negative or not, stays a number.
fn field(s: &str) -> String {
    let formula = s.starts_with(['=', '+', '-', '@', '\t', '\r']) && s.parse::<f64>().is_err();
    let s = &if formula {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn number(x: Option<f64>) -> String {
    x.filter(|x| x.is_finite())
        .map(|x| x.to_string())
        .unwrap_or_default()
}

fn rows(doc: &Document, r: &BenchResult) -> Vec<Vec<String>> {
    let head = |metric: &str, unit: &str| -> Vec<String> {
        vec![
            r.bench.clone(),
            r.group.clone(),
            r.variant.clone(),
            status(r.status).into(),
            metric.into(),
            unit.into(),
        ]
    };
    let stats = |s: Option<&Summary>| -> Vec<String> {
        let pick = |f: fn(&Summary) -> f64| number(s.map(f));
        vec![
            s.map(|s| s.n.to_string()).unwrap_or_default(),
            pick(|s| s.median),
            pick(|s| s.mean),
            pick(|s| s.stddev),
            pick(|s| s.min),
            pick(|s| s.max),
        ]
    };
    let compared: Vec<String> = match comparison(doc, r) {
        Some(c) => vec![
            c.baseline.clone(),
            number(c.change_pct),
            number(c.ci_low_pct),
            number(c.ci_high_pct),
            number(c.mde_pct),
            c.paired.to_string(),
            c.verdict.label().into(),
            c.not_rebuilt.join(" "),
        ],
        None => vec![String::new(); 8],
    };
    let mut out = vec![[
        head(measure(r.unit), r.unit.symbol()),
        stats(r.throughput.as_ref()),
        compared,
    ]
    .concat()];
    if r.values.is_empty() && !r.times.is_empty() {
        let timing = crate::stats::summarize(&r.times);
        let blank = vec![String::new(); 8];
        out.push(
            [
                head("time-per-iteration", "s"),
                stats(timing.as_ref()),
                blank,
            ]
            .concat(),
        );
    }
    out
}

/// The whole table, header first.
pub fn render(doc: &Document) -> String {
    let mut lines = vec![HEADER.join(",")];
    for r in &doc.results {
        for row in rows(doc, r) {
            let fields: Vec<String> = row.iter().map(|f| field(f)).collect();
            lines.push(fields.join(","));
        }
    }
    lines.join("\r\n") + "\r\n"
}

impl Exporter for Csv {
    fn name(&self) -> &'static str {
        "csv"
    }

    fn about(&self) -> &'static str {
        "one row per benchmark, variant and metric: n, median, mean, stddev, min, max, unit, and the change, CI, MDE, verdict and what was not rebuilt where compared"
    }

    fn render(&self, doc: &Document, path: &Path) -> Vec<Output> {
        vec![Output::replace(path, render(doc))]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::ChangeVerdict;

    #[test]
    fn a_row_of_a_file_not_rebuilt_names_it() {
        let doc = crate::compare::tests::only_zlib_rebuilt_judged();
        let csv = render(&doc);
        let row = |p: &str| csv.lines().find(|l| l.starts_with(p)).unwrap().to_string();
        assert!(
            row("libc/memcpy/4096,libc,opt").ends_with(",glibc"),
            "{csv}"
        );
        assert!(
            row("compress/zlib/l6/text,compression,opt").ends_with(",improvement,"),
            "{csv}"
        );
    }

    #[test]
    fn fields_are_quoted_only_when_they_must_be() {
        assert_eq!(field("plain/id"), "plain/id");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn a_field_a_spreadsheet_would_run_as_a_formula_is_neutralised() {
        assert_eq!(
            field("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\""
        );
        assert_eq!(field("+1+cmd|' /C calc'!A0"), "'+1+cmd|' /C calc'!A0");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(field("-2+3"), "'-2+3");
        assert_eq!(field("\tx"), "'\tx");
        assert_eq!(field("\r=1"), "\"'\r=1\"");
        // Numbers stay numbers.
        assert_eq!(field("-1.5"), "-1.5");
        assert_eq!(field("+2"), "+2");
        assert_eq!(field("-3e-7"), "-3e-7");
    }

    #[test]
    fn every_row_has_the_header_s_width_even_with_a_hostile_name() {
        let doc = super::super::tests::document("a,\"b\"", ChangeVerdict::Improvement);
        let text = render(&doc);
        // Two results, each a figure row and a time row.
        let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), 1 + 2 * doc.results.len(), "{text}");
        for line in &lines[1..] {
            assert!(line.starts_with("\"a,\"\"b\"\"\","), "{line}");
            let rest = line.trim_start_matches("\"a,\"\"b\"\"\",");
            assert_eq!(rest.split(',').count(), HEADER.len() - 1, "{line}");
        }
        assert!(lines[3].ends_with(",improvement,"), "{}", lines[3]);
    }
}
