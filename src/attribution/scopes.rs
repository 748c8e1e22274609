//! The scopes an attribution is made in — each library, group and claim — and
//! their per-round log-ratios: for every variant, the mean over the scope's
//! benchmarks of the log of its ratio against the reference, in the rounds in
//! which every variant measured every one of them.

use crate::compare::{Direction, Pairing};
use crate::results::attribution::ScopeKind;
use crate::workload;
use std::collections::BTreeMap;

/// The fewest shared rounds a scope needs for a fit with a CI.
const MIN_ROUNDS: usize = 3;

pub(crate) struct Scope {
    pub kind: ScopeKind,
    pub name: String,
    pub benches: Vec<String>,
    /// One row per non-reference variant (in the pairings' order), one value
    /// per shared round.
    pub log_ratios: Vec<Vec<f64>>,
    pub rounds: usize,
    pub direction: Direction,
}

/// One benchmark usable in every pairing: its per-variant log-ratios by round.
struct Bench {
    id: String,
    group: String,
    unit: crate::results::Unit,
    by_variant: Vec<BTreeMap<u32, f64>>,
}

/// Every library, group and claim with at least one benchmark rebuilt and
/// measured in every pairing and enough shared rounds, in that order.
pub(crate) fn of(pairings: &[&Pairing], claims: &[(String, Vec<String>)]) -> Vec<Scope> {
    let benches = usable(pairings);
    let mut named: Vec<(ScopeKind, String, Vec<&Bench>)> = Vec::new();
    for b in &benches {
        if let Some(needs) = workload::subject_of(&b.id) {
            if !needs.libraries.is_empty() {
                let name: Vec<&str> = needs.libraries.iter().map(|l| l.name()).collect();
                push(&mut named, ScopeKind::Library, name.join("+"), b);
            }
        }
    }
    for b in &benches {
        push(&mut named, ScopeKind::Group, b.group.clone(), b);
    }
    for (id, covered) in claims {
        for b in benches.iter().filter(|b| covered.contains(&b.id)) {
            push(&mut named, ScopeKind::Claim, id.clone(), b);
        }
    }
    named
        .into_iter()
        .filter_map(|(kind, name, members)| scope(kind, name, &members, pairings.len()))
        .collect()
}

fn push<'a>(
    named: &mut Vec<(ScopeKind, String, Vec<&'a Bench>)>,
    kind: ScopeKind,
    name: String,
    b: &'a Bench,
) {
    match named.iter_mut().find(|(k, n, _)| *k == kind && *n == name) {
        Some((_, _, members)) => members.push(b),
        None => named.push((kind, name, vec![b])),
    }
}

/// The benchmarks of the first pairing that every pairing measured without
/// failure, rebuilt, with usable round ratios.
fn usable(pairings: &[&Pairing]) -> Vec<Bench> {
    let Some(first) = pairings.first() else {
        return vec![];
    };
    first
        .benches
        .iter()
        .filter_map(|m0| {
            let id = m0.bench();
            let by_variant = pairings
                .iter()
                .map(|p| {
                    let m = p.benches.iter().find(|m| m.bench() == id)?;
                    if !p.rebuilt(id) {
                        return None;
                    }
                    let ratios = m.round_ratios()?;
                    Some(ratios.into_iter().map(|(r, x)| (r, x.ln())).collect())
                })
                .collect::<Option<Vec<BTreeMap<u32, f64>>>>()?;
            Some(Bench {
                id: id.to_string(),
                group: m0.after.group.clone(),
                unit: m0.after.unit,
                by_variant,
            })
        })
        .collect()
}

fn scope(kind: ScopeKind, name: String, members: &[&Bench], variants: usize) -> Option<Scope> {
    let first = members.first()?;
    let rounds: Vec<u32> = first.by_variant[0]
        .keys()
        .copied()
        .filter(|r| {
            members
                .iter()
                .all(|b| b.by_variant.iter().all(|m| m.contains_key(r)))
        })
        .collect();
    if rounds.len() < MIN_ROUNDS {
        return None;
    }
    let log_ratios = (0..variants)
        .map(|v| {
            rounds
                .iter()
                .map(|r| {
                    members.iter().map(|b| b.by_variant[v][r]).sum::<f64>() / members.len() as f64
                })
                .collect()
        })
        .collect();
    let directions: Vec<Direction> = members.iter().map(|b| Direction::of(b.unit)).collect();
    Some(Scope {
        kind,
        name,
        benches: members.iter().map(|b| b.id.clone()).collect(),
        log_ratios,
        rounds: rounds.len(),
        direction: Direction::of_all(&directions),
    })
}
