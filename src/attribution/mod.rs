//! Attribution: which factor (flag) of a run's variants made which change.
//!
//! When the variants of one run declare their factors (`factors = { opt = "O3",
//! march = "native", lto = true }`), every variant's per-round log-ratio against
//! the first is fitted on the factors' indicators ([`design`], [`fit`]): one
//! effect per factor and, where the variants allow, per pair of factors, each
//! with a bootstrap CI over rounds that keeps the rounds paired across
//! variants. This is done per library, per group and per claim, and each
//! variant's cost (build time, size, portability) is set beside its gain.
//!
//! Only paired comparisons within one run are attributed; runs whose variants
//! declare no factors get no attribution at all.

mod costs;
pub(crate) mod design;
pub(crate) mod fit;
mod notes;
mod scopes;

use crate::compare::{self, Options, Pairing};
use crate::factors::Level;
use crate::results::attribution::{Attribution, Effect, EffectVerdict, FactorRecord, TermKind};
use crate::results::{ChangeVerdict, Document, VariantRecord};
use crate::stats::Interval;
use design::{Design, MainColumn};
use scopes::Scope;

/// The factors of the variants: the reference's first, then the others', each
/// variant's level of each (a factor a variant does not declare is "unset").
pub(crate) struct Factorial<'a> {
    pub reference: &'a VariantRecord,
    pub others: Vec<&'a VariantRecord>,
    pub names: Vec<String>,
    pub mains: Vec<MainColumn>,
    /// Per main column: the factor's reference level and the column's level.
    pub levels: Vec<(Level, Level)>,
    pub design: Design,
}

impl<'a> Factorial<'a> {
    fn of(doc: &'a Document) -> Option<Factorial<'a>> {
        let (reference, rest) = doc.variants.split_first()?;
        let others: Vec<&VariantRecord> = rest
            .iter()
            .filter(|v| !v.variant.factors.is_empty())
            .collect();
        if reference.variant.factors.is_empty() || others.is_empty() {
            return None;
        }
        let mut names: Vec<String> = Vec::new();
        for v in std::iter::once(reference).chain(others.iter().copied()) {
            for f in v.variant.factors.keys() {
                if !names.contains(f) {
                    names.push(f.clone());
                }
            }
        }
        let mut mains = Vec::new();
        let mut levels = Vec::new();
        for (fi, name) in names.iter().enumerate() {
            let base = level(reference, name);
            let mut seen: Vec<Level> = Vec::new();
            for v in &others {
                let l = level(v, name);
                if l != base && !seen.contains(&l) {
                    seen.push(l);
                }
            }
            for l in &seen {
                let label = if seen.len() == 1 {
                    name.clone()
                } else {
                    format!("{name}={l}")
                };
                let column = others
                    .iter()
                    .map(|v| if level(v, name) == *l { 1.0 } else { 0.0 })
                    .collect();
                mains.push(MainColumn {
                    label,
                    factor: fi,
                    column,
                });
                levels.push((base.clone(), l.clone()));
            }
        }
        let design = Design::new(&mains);
        Some(Factorial {
            reference,
            others,
            names,
            mains,
            levels,
            design,
        })
    }

    /// `O2 → O3`, or for an interaction `O2 → O3 × generic → native`.
    fn levels_of(&self, parts: &[usize]) -> String {
        parts
            .iter()
            .map(|&p| format!("{} → {}", self.levels[p].0, self.levels[p].1))
            .collect::<Vec<_>>()
            .join(" × ")
    }
}

/// A variant's level of factor `name`.
pub(crate) fn level(v: &VariantRecord, name: &str) -> Level {
    v.variant
        .factors
        .get(name)
        .cloned()
        .unwrap_or_else(|| Level::Named("unset".into()))
}

/// The attribution of a run whose variants declare factors, from its paired
/// comparisons (`pairings`, each variant against the first) and the claims'
/// benchmarks (`claims`: id, benchmark ids); None otherwise.
pub fn of_run(
    doc: &Document,
    pairings: &[Pairing],
    claims: &[(String, Vec<String>)],
    opts: Options,
) -> Option<Attribution> {
    let f = Factorial::of(doc)?;
    let ours: Vec<&Pairing> = f
        .others
        .iter()
        .map(|v| {
            pairings
                .iter()
                .find(|p| p.paired && p.variant == v.variant.name)
        })
        .collect::<Option<_>>()?;
    let scopes = scopes::of(&ours, claims);
    let mut effects = Vec::new();
    for scope in &scopes {
        effects.extend(effects_in(&f, scope, opts));
    }
    Some(Attribution {
        reference: f.reference.variant.name.clone(),
        factors: factor_records(&f),
        effects,
        flavors: costs::of(&f, &ours, &scopes, opts),
        notes: notes::design(&f, doc),
        resamples: opts.boot.resamples,
        seed: opts.boot.seed,
    })
}

fn factor_records(f: &Factorial) -> Vec<FactorRecord> {
    f.names
        .iter()
        .map(|name| FactorRecord {
            name: name.clone(),
            reference_level: level(f.reference, name).to_string(),
            levels: f
                .mains
                .iter()
                .zip(&f.levels)
                .filter(|(m, _)| f.names[m.factor] == *name)
                .map(|(_, (_, l))| l.to_string())
                .collect(),
        })
        .collect()
}

/// One effect per term of the design in `scope`, and one "aliased" entry per
/// factor that cannot be separated; nothing when the scope has too few rounds.
fn effects_in(f: &Factorial, scope: &Scope, opts: Options) -> Vec<Effect> {
    let Some(estimates) = fit::fit(&f.design.rows(), &scope.log_ratios, opts.boot) else {
        return vec![];
    };
    let mut out = Vec::new();
    for (term, e) in f.design.terms.iter().zip(estimates) {
        let change = scope.direction.change(Interval {
            estimate: e.estimate.exp(),
            low: e.low.exp(),
            high: e.high.exp(),
        });
        out.push(Effect {
            scope_kind: scope.kind,
            scope: scope.name.clone(),
            factor: term.label.clone(),
            kind: if term.parts.len() == 1 {
                TermKind::Main
            } else {
                TermKind::Interaction
            },
            levels: f.levels_of(&term.parts),
            change_pct: Some(change.pct),
            ci_low_pct: Some(change.low),
            ci_high_pct: Some(change.high),
            verdict: verdict(compare::verdict(Some(change), opts.noise_pct)),
            aliased_with: term.aliased_with.clone(),
            note: notes::term(f, term),
            benches: scope.benches.len(),
            rounds: scope.rounds,
        });
    }
    for u in &f.design.unseparable {
        out.push(Effect {
            scope_kind: scope.kind,
            scope: scope.name.clone(),
            factor: u.label.clone(),
            kind: TermKind::Main,
            levels: f.levels_of(&u.parts),
            change_pct: None,
            ci_low_pct: None,
            ci_high_pct: None,
            verdict: EffectVerdict::Aliased,
            aliased_with: u.same_as.iter().cloned().collect(),
            note: Some(notes::unseparable(u)),
            benches: scope.benches.len(),
            rounds: scope.rounds,
        });
    }
    out
}

fn verdict(v: ChangeVerdict) -> EffectVerdict {
    match v {
        ChangeVerdict::Improvement => EffectVerdict::Helps,
        ChangeVerdict::Regression => EffectVerdict::Hurts,
        ChangeVerdict::NoChange => EffectVerdict::NoChange,
        ChangeVerdict::Inconclusive | ChangeVerdict::Broken => EffectVerdict::Inconclusive,
    }
}
