//! `markdown`: a summary for a pull request or a CI job page: the gates of a
//! `storebench ci` run (failed first), each benchmark's median and change
//! against its reference with the 95 % CI and verdict, and the claims.
//!
//! When `$GITHUB_STEP_SUMMARY` names a file (as on GitHub Actions), the same
//! text is appended to it too, so the job page shows it without another step.

use super::{comparison, status, Exporter, Output};
use crate::format::{change_with_ci, human, optional_change};
use crate::results::{Document, GateOutcome, Status};
use std::fmt::Write;
use std::path::Path;

pub struct Markdown;

/// One table cell: a `|` would end it and a line break would end the row.
fn cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\r', '\n'], " ")
        .replace('<', "&lt;")
}

/// Text in a line of Markdown outside a table (the heading): every character
/// Markdown or HTML would read as markup is backslash-escaped, and line breaks
/// and other control characters, which would end the heading, become spaces.
fn inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '!' | '|' | '~'
            | '<' | '>' | '&' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn table(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
    let line = |cells: Vec<String>| format!("| {} |\n", cells.join(" | "));
    out.push_str(&line(header.iter().map(|h| h.to_string()).collect()));
    out.push_str(&line(header.iter().map(|_| "---".into()).collect()));
    for row in rows {
        out.push_str(&line(row.iter().map(|c| cell(c)).collect()));
    }
}

fn gates(out: &mut String, gates: &[GateOutcome]) {
    let mut sorted: Vec<&GateOutcome> = gates.iter().collect();
    sorted.sort_by_key(|g| g.passed);
    let failed = gates.iter().filter(|g| !g.passed).count();
    let _ = writeln!(out, "### Gates: {failed} of {} failed\n", gates.len());
    let rows: Vec<Vec<String>> = sorted
        .iter()
        .map(|g| {
            vec![
                if g.passed { "passed" } else { "**FAILED**" }.into(),
                g.name.clone(),
                g.variant.clone(),
                g.rule.clone(),
                optional_change(g.change_pct, g.ci_low_pct, g.ci_high_pct, "—"),
                g.message(),
            ]
        })
        .collect();
    table(
        out,
        &[
            "gate",
            "name",
            "variant",
            "rule",
            "change (95 % CI)",
            "message",
        ],
        &rows,
    );
    out.push('\n');
}

/// The whole summary.
pub fn render(doc: &Document) -> String {
    let mut out = format!(
        "## storebench: {} on {}\n\n",
        inline(&doc.started),
        inline(&doc.host.hostname)
    );
    if let Some(ci) = &doc.ci {
        gates(&mut out, &ci.gates);
    }
    let rows: Vec<Vec<String>> = doc
        .results
        .iter()
        .map(|r| {
            let median = r.throughput.as_ref().map(|s| human(s.median, r.unit));
            let note = comparison(doc, r)
                .and_then(|c| c.rebuilt_mark())
                .unwrap_or_default();
            let (change, verdict) = match comparison(doc, r) {
                _ if r.status != Status::Ok => (String::new(), status(r.status).into()),
                Some(c) => match (c.change_pct, c.ci_low_pct, c.ci_high_pct) {
                    (Some(p), Some(l), Some(h)) => (
                        format!("{} vs {}", change_with_ci(p, l, h), c.baseline),
                        c.verdict.label().into(),
                    ),
                    _ => (format!("vs {}", c.baseline), c.verdict.label().into()),
                },
                None => ("reference".into(), String::new()),
            };
            vec![
                r.bench.clone(),
                r.variant.clone(),
                median.unwrap_or_else(|| "—".into()),
                change,
                verdict,
                note,
            ]
        })
        .collect();
    out.push_str("### Benchmarks\n\n");
    let header = [
        "benchmark",
        "variant",
        "median",
        "change (95 % CI)",
        "verdict",
        "note",
    ];
    table(&mut out, &header, &rows);
    if !doc.claims.is_empty() {
        let rows: Vec<Vec<String>> = doc
            .claims
            .iter()
            .map(|c| {
                vec![
                    c.title.clone(),
                    format!("{:+} … {:+} %", c.range_pct[0], c.range_pct[1]),
                    optional_change(c.change_pct, c.ci_low_pct, c.ci_high_pct, "—"),
                    c.verdict.label().into(),
                ]
            })
            .collect();
        out.push_str("\n### Claims\n\n");
        table(
            &mut out,
            &["claim", "claimed", "change (95 % CI)", "verdict"],
            &rows,
        );
    }
    out
}

impl Exporter for Markdown {
    fn name(&self) -> &'static str {
        "markdown"
    }

    fn about(&self) -> &'static str {
        "a summary: the gates of a ci run (failed first), each benchmark's median and change with its CI and verdict, the claims; also appended to the file $GITHUB_STEP_SUMMARY names, when set"
    }

    fn render(&self, doc: &Document, path: &Path) -> Vec<Output> {
        let text = render(doc);
        let mut outputs = vec![Output::replace(path, text.clone())];
        if let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|s| !s.is_empty()) {
            outputs.push(Output {
                path: summary.into(),
                bytes: format!("\n{text}").into_bytes(),
                append: true,
            });
        }
        outputs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::ChangeVerdict;

    #[test]
    fn a_row_of_a_file_not_rebuilt_says_so_in_its_note() {
        let doc = crate::compare::tests::only_zlib_rebuilt_judged();
        let md = render(&doc);
        assert!(
            md.contains("| no change | not rebuilt: the same glibc file |"),
            "{md}"
        );
    }

    #[test]
    fn the_heading_escapes_the_host_and_the_date() {
        let mut doc = Document::of_results(vec![]);
        doc.host.hostname =
            "evil\n# Injected <img src=x onerror=alert(1)> [link](http://x) *b*".into();
        doc.started = "`2026`\r\n---".into();
        let out = render(&doc);
        let heading = out.lines().next().unwrap();
        assert!(heading.starts_with("## storebench: "), "{out}");
        assert_eq!(
            out.lines().filter(|l| l.contains("Injected")).count(),
            1,
            "{out}"
        );
        assert!(
            heading.contains("Injected") && heading.contains("2026"),
            "{out}"
        );
        assert!(
            heading.contains("\\<img") && !heading.contains(" <img"),
            "{heading}"
        );
        assert!(heading.contains("\\[link\\]\\(http://x\\)"), "{heading}");
        assert!(
            heading.contains("\\*b\\*") && heading.contains("\\`2026\\`"),
            "{heading}"
        );
    }

    #[test]
    fn a_cell_cannot_break_out_of_its_table() {
        assert_eq!(cell("a|b\nc"), "a\\|b c");
        assert_eq!(cell("x\\|"), "x\\\\\\|");
        assert_eq!(cell("<img src=x>"), "&lt;img src=x>");
    }

    #[test]
    fn a_hostile_benchmark_name_keeps_every_row_at_six_columns() {
        let doc = super::super::tests::document("a|b\n| c |", ChangeVerdict::Regression);
        let text = render(&doc);
        let rows: Vec<&str> = text.lines().filter(|l| l.starts_with("| ")).collect();
        assert_eq!(rows.len(), 2 + doc.results.len(), "{text}");
        for row in rows {
            let unescaped = row.replace("\\|", "");
            assert_eq!(unescaped.matches('|').count(), 7, "{row}");
        }
        assert!(text.contains("regression"), "{text}");
    }

    #[test]
    fn failed_gates_come_first() {
        let text = render(&super::super::tests::with_gates(ChangeVerdict::NoChange));
        assert!(text.contains("1 of 2 failed"), "{text}");
        assert!(
            text.find("worse message") < text.find("fine message"),
            "{text}"
        );
    }
}
