//! What an attribution's figures mean in its design, in sentences: which
//! factors could not be separated, which effect is only a simple effect of one
//! variant against another, and at which levels a main effect is measured.

use super::design::{interaction_label, Term, Unseparable};
use super::{level, Factorial};
use crate::results::{Document, VariantRecord};

/// The design-wide notes: variants left out, factors not separated, terms
/// measured at one combination only, and a model with fewer terms than variants.
pub(crate) fn design(f: &Factorial, doc: &Document) -> Vec<String> {
    let mut out = Vec::new();
    for v in doc.variants.iter().skip(1) {
        if v.variant.factors.is_empty() {
            out.push(format!(
                "{} declares no factors: left out of the attribution",
                v.variant.name
            ));
        }
    }
    for u in &f.design.unseparable {
        out.push(format!("{}: {}", u.label, unseparable(u)));
    }
    for t in &f.design.terms {
        if let (1, Some(simple)) = (t.parts.len(), simple_effect(f, t)) {
            out.push(format!(
                "{}: {simple}; {} aliased with it",
                t.label,
                aliases(&t.aliased_with)
            ));
        }
    }
    let (variants, terms) = (f.others.len(), f.design.terms.len());
    if variants > terms {
        out.push(format!(
            "{variants} variants for {terms} terms: the fit leaves out interactions the variants do not separate; the CIs cover round-to-round noise only"
        ));
    }
    out
}

fn aliases(names: &[String]) -> String {
    match names {
        [] => "nothing is".into(),
        [one] => format!("{one} is"),
        many => format!("{} are", many.join(", ")),
    }
}

pub(crate) fn unseparable(u: &Unseparable) -> String {
    match &u.same_as {
        Some(other) => format!(
            "cannot be separated from {other}: they always change together in these variants, so {other}'s figure is their joint effect"
        ),
        None => "cannot be separated: its column is a combination of the other factors' in these variants".into(),
    }
}

/// The note of one term: a simple effect, or the level of the other factors
/// at which a main effect is measured when its interaction is in the model.
pub(crate) fn term(f: &Factorial, t: &Term) -> Option<String> {
    if t.parts.len() == 2 {
        let [a, b] = [t.parts[0], t.parts[1]];
        return Some(format!(
            "how {}'s effect differs at {}={} from at {}={}",
            f.mains[a].label,
            f.names[f.mains[b].factor],
            f.levels[b].1,
            f.names[f.mains[b].factor],
            f.levels[b].0
        ));
    }
    if let Some(simple) = simple_effect(f, t) {
        return Some(simple);
    }
    let p = t.parts[0];
    let at: Vec<String> = f
        .design
        .terms
        .iter()
        .filter(|i| i.parts.len() == 2 && i.parts.contains(&p))
        .map(|i| {
            let other = if i.parts[0] == p {
                i.parts[1]
            } else {
                i.parts[0]
            };
            format!(
                "at {}={} (see {})",
                f.names[f.mains[other].factor],
                f.levels[other].0,
                interaction_label(&f.mains[i.parts[0]].label, &f.mains[i.parts[1]].label)
            )
        })
        .collect();
    (!at.is_empty()).then(|| at.join(", "))
}

/// When every variant with this term's level shares the same levels of the
/// other factors, not all the reference's: "measured only at opt=O3,
/// march=native: the simple effect of O3-native-lto against O3-native".
fn simple_effect(f: &Factorial, t: &Term) -> Option<String> {
    let p = t.parts[0];
    let factor = &f.names[f.mains[p].factor];
    let on: Vec<&VariantRecord> = f
        .others
        .iter()
        .zip(&f.mains[p].column)
        .filter(|(_, x)| **x == 1.0)
        .map(|(v, _)| *v)
        .collect();
    let first = on.first()?;
    let others: Vec<&String> = f.names.iter().filter(|n| *n != factor).collect();
    let same = on
        .iter()
        .all(|v| others.iter().all(|n| level(v, n) == level(first, n)));
    let at: Vec<String> = others
        .iter()
        .filter(|n| level(first, n) != level(f.reference, n))
        .map(|n| format!("{n}={}", level(first, n)))
        .collect();
    if !same || at.is_empty() || t.aliased_with.is_empty() {
        return None;
    }
    let off = std::iter::once(f.reference)
        .chain(f.others.iter().copied())
        .find(|v| {
            level(v, factor) == f.levels[p].0
                && others.iter().all(|n| level(v, n) == level(first, n))
        });
    let versus = match (on.as_slice(), off) {
        ([one], Some(off)) => format!(
            ": the simple effect of {} against {}",
            one.variant.name, off.variant.name
        ),
        _ => String::new(),
    };
    Some(format!("measured only at {}{versus}", at.join(", ")))
}
