//! The results document of a scenario run: the two setups as its variants
//! (`stock`, `plan`), each described by what every scenario made of it, and the
//! scenarios' figures as its results, so `compare`, `report` and the claims read
//! it as any run.

use super::{Outcome, PLAN, STOCK};
use crate::results::{Document, Settings, VariantRecord};
use crate::variant::Variant;

/// The document of `outcomes` (not yet judged), measured from `started`.
pub fn document(outcomes: &[Outcome], started: String, seed: u64, repeats: u32) -> Document {
    let variants = [STOCK, PLAN]
        .into_iter()
        .filter(|v| {
            outcomes
                .iter()
                .any(|o| o.results.iter().any(|r| r.variant == *v))
        })
        .map(|name| record(name, outcomes))
        .collect();
    let settings = Settings {
        rounds: repeats,
        bench_patterns: outcomes
            .iter()
            .map(|o| format!("scenario/{}", o.scenario))
            .collect(),
        ..Settings::default()
    };
    let results = outcomes.iter().flat_map(|o| o.results.clone()).collect();
    Document::unjudged(
        crate::host::detect(),
        started,
        seed,
        settings,
        variants,
        results,
    )
}

/// A setup as a variant: a system state, no roots; what each scenario ran in it,
/// and the scenarios' notes.
fn record(name: &str, outcomes: &[Outcome]) -> VariantRecord {
    let description: Vec<String> = outcomes
        .iter()
        .filter_map(|o| Some(format!("{}: {}", o.scenario, o.setups.get(name)?)))
        .collect();
    let notes = outcomes
        .iter()
        .flat_map(|o| o.notes.iter().map(move |n| format!("{}: {n}", o.scenario)))
        .collect();
    VariantRecord {
        variant: Variant {
            name: name.into(),
            description: Some(description.join("; ")),
            notes,
            ..Variant::system()
        },
        provenance: None,
        same_files_as: vec![],
        smoke: None,
    }
}
