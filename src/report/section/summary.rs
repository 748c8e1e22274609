//! The top of the page: what was run, where, and everything a reader must
//! know before trusting a figure: A/A pairs, broken or failed variants, and
//! what the document leaves out. Then the claims' verdicts counted.

use super::{badge, status_word, Page};
use crate::report::{palette, Esc};
use crate::results::{ClaimOutcome, Status};
use std::fmt::Write;

pub fn render(page: &Page, out: &mut String) {
    let doc = page.doc;
    let _ = write!(
        out,
        "<header>\n<h1>storebench report</h1>\n<p class=\"meta\">Run started {} on <strong>{}</strong> ({}, {} CPUs) · \
         {} × {} × {} rounds of {:.2} s · seed {} · {} {}</p>\n",
        Esc(&doc.started),
        Esc(&doc.host.hostname),
        Esc(&doc.host.cpu_model),
        doc.host.cpus,
        count(distinct(doc.results.iter().map(|r| r.bench.as_str())), "benchmark"),
        count(doc.variants.len(), "variant"),
        doc.settings.rounds,
        doc.settings.slice_seconds,
        doc.seed,
        Esc(&doc.tool.name),
        Esc(&doc.tool.version),
    );
    let _ = writeln!(
        out,
        "<nav><a href=\"#claims\">Claims</a> · <a href=\"#groups\">Per group</a> · \
         <a href=\"#distributions\">Distributions</a> · <a href=\"#history\">History</a> · \
         <a href=\"#provenance\">Provenance</a></nav>\n</header>"
    );
    let _ = writeln!(
        out,
        "<section id=\"alerts\" aria-label=\"Before you read\">\n<ul class=\"alerts\">"
    );
    let alerts = alerts(page);
    if alerts.is_empty() {
        let _ = writeln!(
            out,
            "<li class=\"alert ok\">Every variant loaded its own libraries and computed correct results; no two variants are the same build.</li>"
        );
    }
    for (class, html) in alerts {
        let _ = writeln!(out, "<li class=\"alert {class}\">{html}</li>");
    }
    let _ = writeln!(out, "</ul>");
    if !doc.claims.is_empty() {
        let _ = write!(out, "<p class=\"tally\">Claims: ");
        for outcome in ORDER {
            let n = doc.claims.iter().filter(|c| c.verdict == outcome).count();
            if n > 0 {
                let _ = write!(out, "{} × {} ", n, badge(palette::claim(outcome)));
            }
        }
        let _ = writeln!(out, "</p>");
    }
    let _ = writeln!(out, "</section>");
}

const ORDER: [ClaimOutcome; 9] = [
    ClaimOutcome::Exceeded,
    ClaimOutcome::Confirmed,
    ClaimOutcome::Partly,
    ClaimOutcome::BelowClaim,
    ClaimOutcome::NoChange,
    ClaimOutcome::Inconclusive,
    ClaimOutcome::Regression,
    ClaimOutcome::Broken,
    ClaimOutcome::NotMeasured,
];

/// `1 variant`, `2 variants`.
fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

fn distinct<'a>(items: impl Iterator<Item = &'a str>) -> usize {
    let mut seen: Vec<&str> = items.collect();
    seen.sort_unstable();
    seen.dedup();
    seen.len()
}

/// (CSS class, HTML) per thing to know, the gravest first.
fn alerts(page: &Page) -> Vec<(&'static str, String)> {
    let doc = page.doc;
    let mut out = Vec::new();
    for rec in &doc.variants {
        let name = &rec.variant.name;
        for status in [Status::Broken, Status::Crashed, Status::Timeout] {
            let benches: Vec<&str> = doc
                .results
                .iter()
                .filter(|r| r.variant == *name && r.status == status)
                .map(|r| r.bench.as_str())
                .collect();
            if benches.is_empty() {
                continue;
            }
            let what = match status {
                Status::Broken => "computed <strong>wrong results</strong> in",
                Status::Crashed => "lost its worker (it <strong>crashed</strong>) in",
                _ => "<strong>timed out</strong> in",
            };
            out.push((
                "bad",
                format!(
                    "<strong>{}:</strong> <code>{}</code> {what} {} of {} benchmarks ({}). These are not timed: a wrong or missing answer is never counted as faster.",
                    status_word(status),
                    Esc(name),
                    benches.len(),
                    doc.results.iter().filter(|r| r.variant == *name).count(),
                    list(&benches)
                ),
            ));
        }
        let measured = doc
            .results
            .iter()
            .any(|r| r.variant == *name && r.status == Status::Ok);
        if rec.provenance.is_none() && !measured {
            out.push((
                "bad",
                format!("<strong>not measured:</strong> no worker of <code>{}</code> ever started, so there is no figure and no provenance for it.", Esc(name)),
            ));
        }
    }
    for rec in &doc.variants {
        for other in &rec.same_files_as {
            out.push((
                "aa",
                format!(
                    "<strong>A/A comparison:</strong> <code>{}</code> loaded byte-identical libraries to <code>{}</code>. \
                     They are the same build: any difference between them is noise, and a claim checked on them cannot hold.",
                    Esc(&rec.variant.name),
                    Esc(other)
                ),
            ));
        }
    }
    if doc.variants.len() < 2 {
        out.push((
            "note",
            "<strong>one variant:</strong> nothing is compared within this document; measure two <code>--variant</code>s side by side, or give several documents for the history.".into(),
        ));
    } else if doc.comparisons.is_empty() {
        out.push((
            "note",
            "<strong>no comparisons:</strong> this document carries no paired comparisons or verdicts, so the claims and forest plots are empty; throughput and distributions below are as measured.".into(),
        ));
    }
    out
}

/// `a, b, c and 4 more`, escaped.
fn list(items: &[&str]) -> String {
    const SHOWN: usize = 5;
    let mut s: Vec<String> = items
        .iter()
        .take(SHOWN)
        .map(|i| format!("<code>{}</code>", Esc(i)))
        .collect();
    if items.len() > SHOWN {
        s.push(format!("and {} more", items.len() - SHOWN));
    }
    s.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::section::tests::MINIMAL;
    use crate::results::Unit;
    use crate::results::{BenchResult, Document};

    fn document(with_results: bool) -> Document {
        let mut doc: Document = serde_json::from_str(MINIMAL).unwrap();
        doc.variants = serde_json::from_str(
            r#"[{"name": "now", "roots": [], "lib_dirs": [], "provenance": null}]"#,
        )
        .unwrap();
        if with_results {
            let mut r = BenchResult::new(
                "probe/x/pss",
                "probe",
                "now",
                Unit::Bytes,
                1,
                vec![],
                Status::Ok,
                None,
            );
            r.values = vec![1e6, 1.1e6];
            doc.results.push(r);
        }
        doc
    }

    fn alert_classes(doc: &Document) -> Vec<&'static str> {
        let page = Page {
            doc,
            variants: vec!["now".into()],
            docs: vec![doc],
        };
        alerts(&page).into_iter().map(|(class, _)| class).collect()
    }

    #[test]
    fn a_probe_without_a_worker_is_measured_all_the_same() {
        assert_eq!(alert_classes(&document(true)), ["note"]);
    }

    #[test]
    fn a_variant_without_a_worker_or_a_figure_is_called_unmeasured() {
        assert_eq!(alert_classes(&document(false)), ["bad", "note"]);
    }
}
