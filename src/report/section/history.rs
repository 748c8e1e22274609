//! History: when several results documents are given, the trend of each group
//! over the runs, and the runs themselves.

use super::{figure, Page};
use crate::error::Result;
use crate::report::chart::HistoryChart;
use crate::report::Esc;
use std::fmt::Write;

pub fn render(page: &Page, out: &mut String) -> Result<()> {
    let _ = writeln!(out, "<section id=\"history\">\n<h2>History</h2>");
    if page.docs.len() < 2 {
        let _ = writeln!(
            out,
            "<p class=\"empty\">One run only. Give <code>storebench report</code> several results documents \
             (e.g. one per night) to see each group's trend.</p>\n</section>"
        );
        return Ok(());
    }
    let mut drawn = 0;
    for group in page.groups() {
        if let Some(chart) = HistoryChart::for_group(group, &page.docs) {
            figure(out, &chart)?;
            drawn += 1;
        }
    }
    if drawn == 0 {
        let _ = writeln!(
            out,
            "<p class=\"empty\">No group of the newest run was measured in an earlier one.</p>"
        );
    }
    let _ = writeln!(
        out,
        "<table class=\"runs\">\n<thead><tr><th>Run started</th><th>Host</th><th>Variants</th><th>Benchmarks</th><th>Tool</th></tr></thead>\n<tbody>"
    );
    for d in page.docs.iter().rev() {
        let variants: Vec<String> = d
            .variants
            .iter()
            .map(|v| format!("<code>{}</code>", Esc(&v.variant.name)))
            .collect();
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            Esc(&d.started),
            Esc(&d.host.hostname),
            variants.join(", "),
            d.results.len() / d.variants.len().max(1),
            Esc(&d.tool.version)
        );
    }
    let _ = writeln!(out, "</tbody>\n</table>\n</section>");
    Ok(())
}
