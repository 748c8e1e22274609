//! Per group (compression, aes, tls, sqlite, …): the group's mean change, a
//! forest plot of its benchmarks, throughput per variant, and every figure in
//! a table for the reader who wants the numbers.

use super::{badge, figure, pct_ci, slug, status_word, Page};
use crate::error::Result;
use crate::format::human_rate;
use crate::report::chart::{ForestChart, ThroughputChart};
use crate::report::{palette, Esc};
use crate::results::{BenchResult, Status};
use crate::stats;
use std::fmt::Write;

pub fn render(page: &Page, out: &mut String) -> Result<()> {
    let doc = page.doc;
    let _ = writeln!(out, "<section id=\"groups\">\n<h2>Per group</h2>");
    let groups = page.groups();
    if groups.is_empty() {
        let _ = writeln!(out, "<p class=\"empty\">No benchmark was run.</p>");
    }
    for group in groups {
        let _ = writeln!(
            out,
            "<section class=\"group\" id=\"group-{}\">\n<h3>{}</h3>",
            slug(group),
            Esc(group)
        );
        let summaries: Vec<_> = doc.groups.iter().filter(|g| g.group == group).collect();
        if !summaries.is_empty() {
            let _ = writeln!(out, "<ul class=\"group-summary\">");
            for g in summaries {
                let _ = writeln!(
                    out,
                    "<li><code>{}</code> vs <code>{}</code>: <strong>{}</strong>, geometric mean of {} benchmarks ({}){}</li>",
                    Esc(&g.variant),
                    Esc(&g.baseline),
                    pct_ci(g.change_pct, g.ci_low_pct, g.ci_high_pct),
                    g.benches,
                    if g.paired { "paired by round" } else { "unpaired: runs made at different times" },
                    mark(g.rebuilt_mark()),
                );
            }
            let _ = writeln!(out, "</ul>");
        }
        match ForestChart::new(group, &doc.comparisons, &doc.groups, &page.variants) {
            Some(chart) => figure(out, &chart)?,
            None if !doc.comparisons.is_empty() => {
                let _ = writeln!(
                    out,
                    "<p class=\"empty\">No comparison of this group in the document.</p>"
                );
            }
            None => {}
        }
        for chart in ThroughputChart::for_group(group, &doc.results, &page.variants) {
            figure(out, &chart)?;
        }
        figures_table(page, group, out);
        let _ = writeln!(out, "</section>");
    }
    let _ = writeln!(out, "</section>");
    Ok(())
}

fn figures_table(page: &Page, group: &str, out: &mut String) {
    let doc = page.doc;
    let _ = writeln!(
        out,
        "<details open><summary>Every figure of {}</summary>\n<table class=\"figures\">\n<thead><tr><th>Benchmark</th><th>Variant</th>\
         <th>Median</th><th>Spread (MAD)</th><th>Rounds</th><th>Change (95 % CI)</th><th>MDE</th><th>Verdict</th></tr></thead>\n<tbody>",
        Esc(group)
    );
    for r in doc.results.iter().filter(|r| r.group == group) {
        let (median, spread) = figures(r);
        let comparison = doc
            .comparisons
            .iter()
            .find(|c| c.bench == r.bench && c.variant == r.variant);
        let (change, mde, verdict) = match comparison {
            // A comparison without figures (broken, too few rounds) shows a dash.
            Some(c) => (
                match (c.change_pct, c.ci_low_pct, c.ci_high_pct) {
                    (Some(x), Some(lo), Some(hi)) => pct_ci(x, lo, hi),
                    _ => "–".into(),
                },
                c.mde_pct.map_or("–".into(), |m| format!("±{m:.1} %")),
                format!(
                    "{}{}",
                    badge(palette::change(c.verdict)),
                    mark(c.rebuilt_mark())
                ),
            ),
            None if r.variant == page.variants.first().map_or("", String::as_str) => (
                "<span class=\"dim\">baseline</span>".into(),
                String::new(),
                String::new(),
            ),
            None => (String::new(), String::new(), String::new()),
        };
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td><span class=\"swatch\" style=\"background:{}\"></span><code>{}</code></td>\
             <td class=\"num\">{median}</td><td class=\"num\">{spread}</td><td class=\"num\">{}</td><td class=\"num\">{change}</td>\
             <td class=\"num\">{mde}</td><td>{verdict}</td></tr>",
            Esc(&r.bench),
            palette::hex(palette::variant(page.variants.iter().position(|v| *v == r.variant).unwrap_or(0))),
            Esc(&r.variant),
            r.rounds.len().max(r.values.len()),
        );
    }
    let _ = writeln!(out, "</tbody>\n</table>\n</details>");
}

/// A "not rebuilt" mark, as a line of its own.
fn mark(text: Option<String>) -> String {
    text.map(|t| format!("<div class=\"not-rebuilt\">{}</div>", Esc(&t)))
        .unwrap_or_default()
}

/// Median and relative MAD of a result's figures, or its status.
fn figures(r: &BenchResult) -> (String, String) {
    match (r.status, stats::summarize(&r.figures())) {
        (Status::Ok, Some(s)) => (
            human_rate(s.median, r.unit.symbol()),
            if s.median > 0.0 {
                format!("±{:.1} %", 100.0 * s.mad / s.median)
            } else {
                String::new()
            },
        ),
        (status, _) => {
            let word = status_word(status);
            let error = r
                .error
                .as_deref()
                .map(|e| format!(": {}", Esc(e)))
                .unwrap_or_default();
            (
                format!("<strong class=\"bad\">{word}</strong>"),
                format!("<span class=\"dim\">{error}</span>"),
            )
        }
    }
}
