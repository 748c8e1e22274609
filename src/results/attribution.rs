//! The `attribution` of a results document: which factor (flag) of the variants
//! made which change, per library, group and claim, and what each flavor costs
//! beside what it gains. Filled by `attribution`; read by the table, the report
//! and the exports. Absent when no variant declares factors.

use crate::factors::Factors;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attribution {
    /// The variant every change is measured against: the run's first.
    pub reference: String,
    /// The factors, in the order the variants declare them, each with its
    /// reference level.
    pub factors: Vec<FactorRecord>,
    /// One entry per scope and term (a factor, or an interaction of two).
    pub effects: Vec<Effect>,
    /// What each variant costs beside what it gains.
    pub flavors: Vec<FlavorCost>,
    /// What the design can and cannot tell apart, in sentences.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Bootstrap resamples of rounds behind each CI, and their seed.
    pub resamples: usize,
    pub seed: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactorRecord {
    pub name: String,
    /// Its level in the reference variant.
    pub reference_level: String,
    /// Its other levels, in the order variants use them.
    pub levels: Vec<String>,
}

/// What a change is attributed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TermKind {
    /// One factor's level against its reference level.
    Main,
    /// How two factors' effects differ together from the sum of their own.
    Interaction,
}

/// Which benchmarks an effect is measured over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScopeKind {
    /// The benchmarks of one library (`compress/zlib/*`, `decompress/zlib/*`).
    Library,
    Group,
    Claim,
}

impl ScopeKind {
    pub fn label(self) -> &'static str {
        match self {
            ScopeKind::Library => "library",
            ScopeKind::Group => "group",
            ScopeKind::Claim => "claim",
        }
    }

    /// `library zlib`, `claim zlib-compression`.
    pub fn describe(self, name: &str) -> String {
        format!("{} {name}", self.label())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EffectVerdict {
    /// Its CI is clear of zero and its estimate beyond the noise threshold, upward.
    Helps,
    Hurts,
    NoChange,
    Inconclusive,
    /// It always changed together with another term: no figure of its own.
    Aliased,
}

impl EffectVerdict {
    pub fn label(self) -> &'static str {
        match self {
            EffectVerdict::Helps => "helps",
            EffectVerdict::Hurts => "hurts",
            EffectVerdict::NoChange => "no change",
            EffectVerdict::Inconclusive => "inconclusive",
            EffectVerdict::Aliased => "aliased",
        }
    }
}

/// The effect of one term in one scope; positive is better.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Effect {
    pub scope_kind: ScopeKind,
    /// The library, group or claim id.
    pub scope: String,
    /// The term: `opt`, `march`, `opt×march`, or `opt=Os` when a factor has
    /// several levels besides the reference.
    pub factor: String,
    pub kind: TermKind,
    /// The change of level it measures: `O2 → O3`.
    pub levels: String,
    pub change_pct: Option<f64>,
    pub ci_low_pct: Option<f64>,
    pub ci_high_pct: Option<f64>,
    pub verdict: EffectVerdict,
    /// The terms this one cannot be told apart from in this design.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliased_with: Vec<String>,
    /// What the figure means in this design, e.g. that it is the simple effect
    /// of one variant against another.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub benches: usize,
    /// The rounds every variant measured every benchmark of the scope in.
    pub rounds: usize,
}

/// One variant's cost beside its gain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlavorCost {
    pub variant: String,
    pub factors: Factors,
    /// Whether its builds run on other CPUs of the architecture.
    pub portable: bool,
    pub portability: String,
    pub libraries: Vec<LibraryCost>,
}

/// One library of one variant: what its build took, its size, and its gain
/// against the reference over the library's benchmarks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LibraryCost {
    pub library: String,
    pub build_seconds: Option<f64>,
    /// The size of the shared objects the worker loaded for it.
    pub bytes: Option<u64>,
    pub change_pct: Option<f64>,
    pub ci_low_pct: Option<f64>,
    pub ci_high_pct: Option<f64>,
}
