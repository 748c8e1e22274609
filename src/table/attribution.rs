//! The terminal view of an attribution: the effect of each factor per library,
//! group and claim with its CI and verdict, what each figure means in this
//! design, and each variant's cost (build time, size, portability) beside its
//! gain. Nothing at all when the run has no attribution.

use super::layout;
use crate::format::{human_bytes, optional_change};
use crate::results::attribution::{Attribution, Effect, FlavorCost};
use crate::results::Document;
use std::fmt::Write;

/// Both tables and the notes, or an empty string without an attribution.
pub fn render(doc: &Document) -> String {
    let Some(a) = &doc.attribution else {
        return String::new();
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "attribution: the effect of each factor against {} (95 % CI, paired by round; positive is better)",
        a.reference
    );
    out.push_str(&effects(a));
    let notes = notes(a);
    if !notes.is_empty() {
        out.push_str(&notes);
    }
    out.push('\n');
    let _ = writeln!(
        out,
        "cost beside gain: each variant's build time, size and portability, and its change against {}",
        a.reference
    );
    out.push_str(&costs(&a.flavors));
    out
}

fn change(e: &Effect) -> String {
    optional_change(e.change_pct, e.ci_low_pct, e.ci_high_pct, "-")
}

fn effects(a: &Attribution) -> String {
    let mut rows = vec![vec![
        "scope".into(),
        "factor".into(),
        "levels".into(),
        "change (95 % CI)".into(),
        "verdict".into(),
        "benchmarks × rounds".into(),
    ]];
    for e in &a.effects {
        let mark = if e.aliased_with.is_empty() { "" } else { " *" };
        rows.push(vec![
            e.scope_kind.describe(&e.scope),
            format!("{}{mark}", e.factor),
            e.levels.clone(),
            change(e),
            e.verdict.label().into(),
            format!("{} × {}", e.benches, e.rounds),
        ]);
    }
    layout(&rows, 3)
}

/// The design's notes (`*` marks the terms they concern), then each other
/// term's note once.
fn notes(a: &Attribution) -> String {
    let mut out = String::new();
    for n in &a.notes {
        let _ = writeln!(out, "  * {n}");
    }
    let mut seen: Vec<&str> = Vec::new();
    for e in &a.effects {
        let told = a
            .notes
            .iter()
            .any(|n| n.starts_with(&format!("{}:", e.factor)));
        if told || seen.contains(&e.factor.as_str()) {
            continue;
        }
        seen.push(&e.factor);
        if let Some(n) = &e.note {
            let _ = writeln!(out, "  {}: {n}", e.factor);
        }
    }
    out
}

fn costs(flavors: &[FlavorCost]) -> String {
    let mut rows = vec![vec![
        "variant".into(),
        "library".into(),
        "build".into(),
        "size".into(),
        "change (95 % CI)".into(),
        "runs on".into(),
    ]];
    for f in flavors {
        for l in &f.libraries {
            rows.push(vec![
                f.variant.clone(),
                l.library.clone(),
                l.build_seconds.map_or("-".into(), |s| format!("{s:.1} s")),
                l.bytes.map_or("-".into(), |b| human_bytes(b as f64)),
                optional_change(l.change_pct, l.ci_low_pct, l.ci_high_pct, "reference"),
                f.portability.clone(),
            ]);
        }
    }
    layout(&rows, 2)
}
