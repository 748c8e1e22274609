//! Which flag pays: the attribution of the run's changes to its variants'
//! factors — the per-library chart, every effect with its CI and verdict, what
//! the design cannot tell apart, and each variant's cost beside its gain.
//! Absent when no variant declares factors.

use super::{badge, figure, Page};
use crate::error::Result;
use crate::format::{human_bytes, optional_change};
use crate::report::chart::attribution_look;
use crate::report::chart::AttributionChart;
use crate::report::Esc;
use crate::results::attribution::{Attribution, Effect};
use std::fmt::Write;

pub fn render(page: &Page, out: &mut String) -> Result<()> {
    let Some(a) = &page.doc.attribution else {
        return Ok(());
    };
    let _ = writeln!(
        out,
        "<section id=\"attribution\">\n<h2>Which flag pays</h2>\n<p>Each factor's effect against <code>{}</code>, \
         fitted on the per-round log-ratios of every variant (paired by round; {} bootstrap resamples of rounds, seed {}).</p>",
        Esc(&a.reference),
        a.resamples,
        a.seed
    );
    if let Some(chart) = AttributionChart::new(&a.effects) {
        figure(out, &chart)?;
    }
    effects_table(a, out);
    if !a.notes.is_empty() {
        let _ = writeln!(out, "<ul class=\"notes\">");
        for n in &a.notes {
            let _ = writeln!(out, "<li>{}</li>", Esc(n));
        }
        let _ = writeln!(out, "</ul>");
    }
    costs_table(a, out);
    let _ = writeln!(out, "</section>");
    Ok(())
}

fn change(e: &Effect) -> String {
    optional_change(e.change_pct, e.ci_low_pct, e.ci_high_pct, "–")
}

fn effects_table(a: &Attribution, out: &mut String) {
    let _ = writeln!(
        out,
        "<table class=\"figures\">\n<thead><tr><th>scope</th><th>factor</th><th>levels</th>\
         <th>change (95 % CI)</th><th>verdict</th><th>note</th></tr></thead>\n<tbody>"
    );
    for e in &a.effects {
        let aliased = if e.aliased_with.is_empty() {
            String::new()
        } else {
            format!(" (aliased with {})", e.aliased_with.join(", "))
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td>{}{}</td></tr>",
            Esc(&e.scope_kind.describe(&e.scope)),
            Esc(&e.factor),
            Esc(&e.levels),
            Esc(&change(e)),
            badge(attribution_look(e.verdict)),
            Esc(e.note.as_deref().unwrap_or("")),
            Esc(&aliased)
        );
    }
    let _ = writeln!(out, "</tbody>\n</table>");
}

fn costs_table(a: &Attribution, out: &mut String) {
    let _ = writeln!(
        out,
        "<h3>Cost beside gain</h3>\n<table class=\"figures\">\n<thead><tr><th>variant</th><th>library</th>\
         <th>build time</th><th>size</th><th>change (95 % CI)</th><th>runs on</th></tr></thead>\n<tbody>"
    );
    for f in &a.flavors {
        for l in &f.libraries {
            let gain = optional_change(l.change_pct, l.ci_low_pct, l.ci_high_pct, "reference");
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
                Esc(&f.variant),
                Esc(&l.library),
                l.build_seconds.map_or("–".into(), |s| format!("{s:.1} s")),
                l.bytes.map_or("–".into(), |b| human_bytes(b as f64)),
                Esc(&gain),
                Esc(&f.portability)
            );
        }
    }
    let _ = writeln!(out, "</tbody>\n</table>");
}
