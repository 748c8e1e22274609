//! The few lines `storebench ci` prints: what failed first, with the library
//! files that changed, then the counts, the claims and the machine.

use crate::compare::signed;
use crate::gate;
use crate::results::{ChangeVerdict, ClaimOutcome, Document, GateKind, GateOutcome};

/// At most a few lines on a good night; on a bad one, what failed comes first,
/// with the library files that changed.
pub(super) fn summary(doc: &Document, before: Option<&Document>, within: bool) -> String {
    let Some(ci) = &doc.ci else {
        return String::new();
    };
    let against = match (&ci.against, within) {
        (Some(a), _) => a.as_str(),
        (None, true) => "the first variant, within this run",
        (None, false) => "nothing: the first night of these variants and benchmarks here; the next is compared with it",
    };
    let benches = ci
        .gates
        .iter()
        .filter(|g| g.kind == GateKind::Bench)
        .count();
    let failed: Vec<_> = ci.gates.iter().filter(|g| !g.passed).collect();
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    if failed.is_empty() {
        line(format!(
            "storebench ci: ok, no gate failed ({} benchmark gates, {} claim gates) against {against}",
            benches,
            ci.gates.len() - benches
        ));
    } else {
        line(format!(
            "storebench ci: FAILED, {} of {} gates against {against}:",
            failed.len(),
            ci.gates.len()
        ));
        let mut variants: Vec<&str> = failed.iter().map(|g| g.variant.as_str()).collect();
        variants.sort_unstable();
        variants.dedup();
        for v in variants {
            for lib in before
                .map(|b| gate::library_changes(b, doc, v))
                .unwrap_or_default()
            {
                line(format!("  [{v}] {lib}"));
            }
        }
        let mut worst = failed.clone();
        worst.sort_by(|a, b| {
            let key = |g: &&GateOutcome| g.ci_high_pct.unwrap_or(f64::NEG_INFINITY);
            key(a).total_cmp(&key(b))
        });
        for g in worst.iter().take(8) {
            line(format!("  {}", short_message(g)));
        }
        if worst.len() > 8 {
            line(format!(
                "  … and {} more (see --json or the report)",
                worst.len() - 8
            ));
        }
    }
    let count = |v: ChangeVerdict| {
        let changes = if ci.against.is_some() {
            &ci.changes
        } else {
            &doc.comparisons
        };
        changes.iter().filter(|c| c.verdict == v).count()
    };
    line(format!(
        "  changes: {} improvement, {} no change, {} inconclusive, {} regression, {} broken",
        count(ChangeVerdict::Improvement),
        count(ChangeVerdict::NoChange),
        count(ChangeVerdict::Inconclusive),
        count(ChangeVerdict::Regression),
        count(ChangeVerdict::Broken)
    ));
    for c in doc
        .claims
        .iter()
        .filter(|c| c.verdict != ClaimOutcome::NotMeasured)
        .take(4)
    {
        let figure = c
            .change_pct
            .map(|x| format!(" {} %", signed(x)))
            .unwrap_or_default();
        line(format!("  claim {}: {}{figure}", c.id, c.verdict.label()));
    }
    let env = &ci.environment;
    line(format!(
        "  machine: load {:.2}, {:.0} % busy, governor {}{}",
        env.load_average[0],
        env.cpu_busy_pct,
        env.governor.as_deref().unwrap_or("unknown"),
        match env.warnings.len() {
            0 => String::new(),
            n => format!(", {n} warning(s): {}", env.warnings[0]),
        }
    ));
    out
}

/// A failed gate in a line: `compress/zlib/l6/text [opt] −38.2 % (CI …) regression, z −25.0 against 4 nights`,
/// without the library change, which the summary names once per variant.
fn short_message(g: &GateOutcome) -> String {
    match g.kind {
        GateKind::Bench => g
            .message
            .split("; ")
            .next()
            .unwrap_or(&g.message)
            .to_string(),
        GateKind::Claim => g.message.clone(),
    }
}
