//! The few lines `storebench ci` prints: what failed first, with the library
//! files that changed, then the counts, the claims and the machine.

use crate::compare::signed;
use crate::gate;
use crate::results::{
    ChangeVerdict, CiRecord, ClaimOutcome, Document, Environment, GateKind, GateOutcome,
};

/// The failed gates shown one by one; the rest are counted.
const WORST_SHOWN: usize = 8;

/// At most a few lines on a good night; on a bad one, what failed comes first,
/// with the library files that changed.
pub(super) fn summary(doc: &Document, before: Option<&Document>, within: bool) -> String {
    let Some(ci) = &doc.ci else {
        return String::new();
    };
    let mut lines = outcome(doc, ci, before, within);
    lines.push(changes(doc, ci));
    lines.extend(claims(doc));
    lines.push(machine(&ci.environment));
    lines.into_iter().map(|l| l + "\n").collect()
}

/// The verdict of the night; when it failed, the library files that changed in
/// the variants that failed, then the worst failures.
fn outcome(doc: &Document, ci: &CiRecord, before: Option<&Document>, within: bool) -> Vec<String> {
    let against = match (&ci.against, within) {
        (Some(a), _) => a.as_str(),
        (None, true) => "the first variant, within this run",
        (None, false) => "nothing: the first night of these variants and benchmarks here; the next is compared with it",
    };
    let failed: Vec<&GateOutcome> = ci.gates.iter().filter(|g| !g.passed).collect();
    if failed.is_empty() {
        let benches = ci
            .gates
            .iter()
            .filter(|g| g.kind == GateKind::Bench)
            .count();
        return vec![format!(
            "storebench ci: ok, no gate failed ({} benchmark gates, {} claim gates) against {against}",
            benches,
            ci.gates.len() - benches
        )];
    }
    let mut lines = vec![format!(
        "storebench ci: FAILED, {} of {} gates against {against}:",
        failed.len(),
        ci.gates.len()
    )];
    lines.extend(changed_libraries(doc, before, &failed));
    lines.extend(worst(failed));
    lines
}

/// Each library file that changed since `before`, once per variant that failed a gate.
fn changed_libraries(
    doc: &Document,
    before: Option<&Document>,
    failed: &[&GateOutcome],
) -> Vec<String> {
    let mut variants: Vec<&str> = failed.iter().map(|g| g.variant.as_str()).collect();
    variants.sort_unstable();
    variants.dedup();
    let mut lines = Vec::new();
    for v in variants {
        for lib in before
            .map(|b| gate::library_changes(b, doc, v))
            .unwrap_or_default()
        {
            lines.push(format!("  [{v}] {lib}"));
        }
    }
    lines
}

/// The failed gates, lowest CI first, each as its finding without the library
/// files (named once per variant above): `compress/zlib/l6/text [opt] −38.2 %
/// (CI …) regression, z −25.0 against 4 nights`.
fn worst(mut failed: Vec<&GateOutcome>) -> Vec<String> {
    failed.sort_by(|a, b| {
        let key = |g: &&GateOutcome| g.ci_high_pct.unwrap_or(f64::NEG_INFINITY);
        key(a).total_cmp(&key(b))
    });
    let mut lines: Vec<String> = failed
        .iter()
        .take(WORST_SHOWN)
        .map(|g| format!("  {}", g.finding))
        .collect();
    if failed.len() > WORST_SHOWN {
        lines.push(format!(
            "  … and {} more (see --json or the report)",
            failed.len() - WORST_SHOWN
        ));
    }
    lines
}

/// How many changes came out each way: against the reference, or within the run.
fn changes(doc: &Document, ci: &CiRecord) -> String {
    let changes = if ci.against.is_some() {
        &ci.changes
    } else {
        &doc.comparisons
    };
    let count = |v: ChangeVerdict| changes.iter().filter(|c| c.verdict == v).count();
    format!(
        "  changes: {} improvement, {} no change, {} inconclusive, {} regression, {} broken",
        count(ChangeVerdict::Improvement),
        count(ChangeVerdict::NoChange),
        count(ChangeVerdict::Inconclusive),
        count(ChangeVerdict::Regression),
        count(ChangeVerdict::Broken)
    )
}

/// The first few claims that were measured, with their change.
fn claims(doc: &Document) -> Vec<String> {
    doc.claims
        .iter()
        .filter(|c| c.verdict != ClaimOutcome::NotMeasured)
        .take(4)
        .map(|c| {
            let figure = c
                .change_pct
                .map(|x| format!(" {} %", signed(x)))
                .unwrap_or_default();
            format!("  claim {}: {}{figure}", c.id, c.verdict.label())
        })
        .collect()
}

fn machine(env: &Environment) -> String {
    format!(
        "  machine: load {:.2}, {:.0} % busy, governor {}{}",
        env.load_average[0],
        env.cpu_busy_pct,
        env.governor.as_deref().unwrap_or("unknown"),
        match env.warnings.len() {
            0 => String::new(),
            n => format!(", {n} warning(s): {}", env.warnings[0]),
        }
    )
}
