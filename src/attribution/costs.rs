//! What each variant costs beside what it gains: per library, its build time
//! (as the config declares it), the size of the shared objects its worker
//! loaded (from the provenance), whether it runs on other CPUs, and its change
//! against the reference over the library's benchmarks.

use super::scopes::Scope;
use super::Factorial;
use crate::compare::{Options, Pairing};
use crate::factors;
use crate::results::attribution::{FlavorCost, LibraryCost, ScopeKind};
use crate::results::VariantRecord;

pub(crate) fn of(
    f: &Factorial,
    pairings: &[&Pairing],
    scopes: &[Scope],
    opts: Options,
) -> Vec<FlavorCost> {
    let libraries: Vec<&Scope> = scopes
        .iter()
        .filter(|s| s.kind == ScopeKind::Library)
        .collect();
    let variants = std::iter::once((f.reference, None))
        .chain(f.others.iter().zip(pairings).map(|(v, p)| (*v, Some(*p))));
    variants
        .map(|(v, pairing)| {
            let (portable, portability) = factors::portability(&v.variant.factors);
            FlavorCost {
                variant: v.variant.name.clone(),
                factors: v.variant.factors.clone(),
                portable,
                portability,
                libraries: libraries
                    .iter()
                    .map(|s| library_cost(v, pairing, s, opts))
                    .collect(),
            }
        })
        .collect()
}

fn library_cost(
    v: &VariantRecord,
    pairing: Option<&Pairing>,
    scope: &Scope,
    opts: Options,
) -> LibraryCost {
    let names: Vec<&str> = scope.name.split('+').collect();
    let change = pairing
        .and_then(|p| p.combined(|r| scope.benches.contains(&r.bench), opts.boot))
        .map(|(c, _, _)| c);
    LibraryCost {
        library: scope.name.clone(),
        build_seconds: build_seconds(v, &names),
        bytes: loaded_bytes(v, &names),
        change_pct: change.map(|c| c.pct),
        ci_low_pct: change.map(|c| c.low),
        ci_high_pct: change.map(|c| c.high),
    }
}

/// The declared build time of the library; OpenSSL's libcrypto and libssl
/// are one build, `openssl`.
fn build_seconds(v: &VariantRecord, names: &[&str]) -> Option<f64> {
    let secs = &v.variant.build_seconds;
    let joined = names.join("+");
    secs.get(&joined).copied().or_else(|| {
        let openssl = names.iter().all(|n| matches!(*n, "libcrypto" | "libssl"));
        if openssl {
            secs.get("openssl").copied()
        } else {
            None
        }
    })
}

/// The bytes of the shared objects of these libraries that the worker loaded.
fn loaded_bytes(v: &VariantRecord, names: &[&str]) -> Option<u64> {
    let p = v.provenance.as_ref()?;
    let sizes: Vec<u64> = p
        .libraries
        .iter()
        .filter(|l| names.contains(&l.library.name()))
        .map(|l| l.object.bytes)
        .collect();
    (!sizes.is_empty()).then(|| sizes.iter().sum())
}
