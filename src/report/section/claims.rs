//! The claims: the chart for the glance, and a table with one row per claim
//! for the reading: claimed range, measured change with its CI, the verdict as
//! a badge, and the sentence that explains it.

use super::{badge, figure, Page};
use crate::error::Result;
use crate::report::chart::ClaimsChart;
use crate::report::{palette, Esc};
use std::fmt::Write;

pub fn render(page: &Page, out: &mut String) -> Result<()> {
    let claims = &page.doc.claims;
    let _ = writeln!(out, "<section id=\"claims\">\n<h2>Claims</h2>");
    if let Some(chart) = ClaimsChart::new(claims) {
        figure(out, &chart)?;
    }
    let _ = writeln!(
        out,
        "<table id=\"claims-table\" class=\"claims\">\n<thead><tr><th>Claim</th><th>Compared</th><th>Claimed</th>\
         <th>Measured (95 % CI)</th><th>Verdict</th><th>Why</th></tr></thead>\n<tbody>"
    );
    if claims.is_empty() {
        let _ = writeln!(
            out,
            "<tr><td colspan=\"6\" class=\"empty\">No claim was judged in this run: the document carries no claim verdicts.</td></tr>"
        );
    }
    for c in claims {
        let compared = match (&c.variant, &c.baseline) {
            (Some(v), Some(b)) => format!("<code>{}</code> vs <code>{}</code>", Esc(v), Esc(b)),
            (Some(v), None) => format!("<code>{}</code>", Esc(v)),
            _ => "–".into(),
        };
        let measured = match (c.change_pct, c.ci_low_pct, c.ci_high_pct) {
            (Some(x), Some(l), Some(h)) => super::pct_ci(x, l, h),
            (Some(x), _, _) => super::pct(x),
            _ => "–".into(),
        };
        let benches = if c.benches.is_empty() {
            String::new()
        } else {
            format!(
                "<div class=\"benches\">{} benchmark{}: {}</div>",
                c.benches.len(),
                if c.benches.len() == 1 { "" } else { "s" },
                c.benches
                    .iter()
                    .map(|b| Esc(b).to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let marks = marks(c);
        let _ = writeln!(
            out,
            "<tr class=\"claim\"><td><strong>{}</strong><div class=\"id\">{}</div></td><td>{compared}</td>\
             <td class=\"num\">{:+} … {:+} %</td><td class=\"num\">{measured}</td><td>{}</td><td>{}{benches}{marks}</td></tr>",
            Esc(&c.title),
            Esc(&c.id),
            c.range_pct[0],
            c.range_pct[1],
            badge(palette::claim(c.verdict)),
            Esc(&c.sentence),
        );
    }
    let _ = writeln!(out, "</tbody>\n</table>\n</section>");
    Ok(())
}

/// What was left out as not rebuilt, and the code-path notes, one line each.
fn marks(c: &crate::results::ClaimVerdict) -> String {
    let mut out = String::new();
    if !c.not_rebuilt.is_empty() {
        let names: Vec<String> = c.not_rebuilt.iter().map(|n| Esc(n).to_string()).collect();
        let _ = write!(
            out,
            "<div class=\"not-rebuilt\">not rebuilt, left out: {}</div>",
            names.join(", ")
        );
    }
    for n in &c.notes {
        let _ = write!(
            out,
            "<div class=\"code-path-note\">same code path: {}</div>",
            Esc(n)
        );
    }
    out
}
