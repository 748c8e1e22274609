//! The results document: the one contract between measuring and everything after
//! it (statistics, baselines, exports, the report). Versioned by [`SCHEMA`].
//!
//! Each entry of `results` carries hyperfine's export fields (`command`, `mean`,
//! `stddev`, `median`, `user`, `system`, `min`, `max`, `times`, `exit_codes`,
//! `parameters`; times in seconds per iteration), so tools that read hyperfine's
//! JSON read ours, plus storebench's own fields.

use crate::provenance::Provenance;
use crate::sequential::Stopping;
use crate::stats::{self, Summary};
use crate::variant::Variant;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub mod attribution;
pub mod libraries;
pub mod valid;

pub const SCHEMA: &str = "storebench/1";

/// Changes whose whole CI lies within ±1 % are "no change" unless told otherwise.
pub const DEFAULT_NOISE_PCT: f64 = 1.0;

/// What a benchmark's figure counts per second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unit {
    /// Bytes of uncompressed input or plaintext (MB = 10^6 B, as lzbench and `zstd -b`).
    #[serde(rename = "B/s")]
    BytesPerSecond,
    /// Operations: rows, queries, handshakes.
    #[serde(rename = "op/s")]
    OpsPerSecond,
    /// A duration: wall or CPU time of a command.
    #[serde(rename = "s")]
    Seconds,
    /// An amount of memory: RSS, PSS.
    #[serde(rename = "B")]
    Bytes,
    /// CPU time used per second of wall time (1.0 = one core busy).
    #[serde(rename = "cpu-s/s")]
    CpuSecondsPerSecond,
}

impl Unit {
    pub fn symbol(self) -> &'static str {
        match self {
            Unit::BytesPerSecond => "B/s",
            Unit::OpsPerSecond => "op/s",
            Unit::Seconds => "s",
            Unit::Bytes => "B",
            Unit::CpuSecondsPerSecond => "cpu-s/s",
        }
    }

    /// Rates are better high; durations, memory and CPU use are better low.
    pub fn higher_is_better(self) -> bool {
        matches!(self, Unit::BytesPerSecond | Unit::OpsPerSecond)
    }
}

/// What the results document records of a corpus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CorpusInfo {
    pub name: String,
    pub bytes: u64,
    pub sha256: String,
    pub source: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Document {
    pub schema: String,
    pub tool: Tool,
    /// RFC 3339, UTC, when the run started.
    pub started: String,
    pub command_line: Vec<String>,
    pub host: Host,
    /// Seeds the corpora and the order of variants in each round.
    pub seed: u64,
    pub settings: Settings,
    pub corpora: Vec<CorpusInfo>,
    pub variants: Vec<VariantRecord>,
    pub results: Vec<BenchResult>,
    /// One entry per benchmark and compared variant (filled by `stats`/`claims`).
    #[serde(default)]
    pub comparisons: Vec<Comparison>,
    /// Geometric mean of the comparisons per group and compared variant.
    #[serde(default)]
    pub groups: Vec<GroupComparison>,
    /// One verdict per claim of `claims.toml`.
    #[serde(default)]
    pub claims: Vec<ClaimVerdict>,
    /// What a probe of running processes watched; None for benchmark runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe: Option<ProbeRecord>,
    /// What `storebench ci` adds: the reference, the night's changes, the gates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci: Option<CiRecord>,
    /// Which factor of the variants made which change; only when they declare factors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribution: Option<attribution::Attribution>,
}

/// A `storebench ci` run: what it compared with, how the machine looked before
/// measuring, and each gate's outcome.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CiRecord {
    /// The reference: `run 12 (2026-11-24T02:00:03Z)`, `baseline NAME`; None
    /// with `--against none` or when there was no earlier run.
    pub against: Option<String>,
    /// Each benchmark and variant against the same in the reference (unpaired).
    pub changes: Vec<Comparison>,
    /// One per gated benchmark and variant, and per gated claim.
    pub gates: Vec<GateOutcome>,
    pub environment: Environment,
    /// Rounds `--confirm` added to the benchmarks that first regressed.
    #[serde(default)]
    pub confirm_rounds: u32,
}

/// One gate: a benchmark of a variant (`kind` bench) or a claim (`kind` claim).
///
/// The document stores the finding and the library files joined in one
/// `message` line ([`GateOutcome::message`]); read back, that whole line is the
/// `finding` and `libraries` is empty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "StoredGate", from = "StoredGate")]
pub struct GateOutcome {
    pub kind: GateKind,
    /// The benchmark id or the claim id.
    pub name: String,
    pub variant: String,
    /// The rule, as written: `regression > 3%`, `stays confirmed`.
    pub rule: String,
    pub passed: bool,
    /// The change that was judged, with its 95 % CI, in percent (positive = better).
    pub change_pct: Option<f64>,
    pub ci_low_pct: Option<f64>,
    pub ci_high_pct: Option<f64>,
    /// What changed, by how much and how sure: `compress/zlib/l6/text [opt]
    /// −38.2 % (CI −40.1 … −36.0 %) regression, z −25.0 against 4 nights`.
    pub finding: String,
    /// The benchmarked library files of the variant that changed since the
    /// reference, one sentence each; a summary names them once per variant.
    pub libraries: Vec<String>,
}

impl GateOutcome {
    /// One line: the finding, then each changed library file after a `; `.
    pub fn message(&self) -> String {
        let mut line = self.finding.clone();
        for lib in &self.libraries {
            line.push_str("; ");
            line.push_str(lib);
        }
        line
    }
}

/// [`GateOutcome`] as the document stores it.
#[derive(Serialize, Deserialize)]
struct StoredGate {
    kind: GateKind,
    name: String,
    variant: String,
    rule: String,
    passed: bool,
    change_pct: Option<f64>,
    ci_low_pct: Option<f64>,
    ci_high_pct: Option<f64>,
    message: String,
}

impl From<GateOutcome> for StoredGate {
    fn from(g: GateOutcome) -> StoredGate {
        StoredGate {
            message: g.message(),
            kind: g.kind,
            name: g.name,
            variant: g.variant,
            rule: g.rule,
            passed: g.passed,
            change_pct: g.change_pct,
            ci_low_pct: g.ci_low_pct,
            ci_high_pct: g.ci_high_pct,
        }
    }
}

impl From<StoredGate> for GateOutcome {
    fn from(g: StoredGate) -> GateOutcome {
        GateOutcome {
            kind: g.kind,
            name: g.name,
            variant: g.variant,
            rule: g.rule,
            passed: g.passed,
            change_pct: g.change_pct,
            ci_low_pct: g.ci_low_pct,
            ci_high_pct: g.ci_high_pct,
            finding: g.message,
            libraries: vec![],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GateKind {
    Bench,
    Claim,
}

/// The machine's state before measuring, as pyperf's `system show` reports it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Environment {
    pub governor: Option<String>,
    /// Turbo/boost enabled; None when the machine does not say.
    pub turbo: Option<bool>,
    pub load_average: [f64; 3],
    /// The share of all CPUs busy over a short sample, in percent.
    pub cpu_busy_pct: f64,
    /// The share of CPU time the hypervisor gave other guests, in percent.
    #[serde(default)]
    pub steal_pct: f64,
    /// The processes that used the most CPU over that sample.
    pub busiest: Vec<BusyProcess>,
    /// None when the machine has no battery.
    pub on_battery: Option<bool>,
    pub swap_used_bytes: u64,
    /// What may disturb the measurement, in words.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BusyProcess {
    pub pid: u32,
    pub name: String,
    /// Percent of one CPU.
    pub cpu_pct: f64,
}

/// A probe's window and the processes it counted or could not read. Its figures
/// are ordinary `results` entries (`probe/NAME/pss`…, group [`PROBE_GROUP`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeRecord {
    pub name: String,
    /// The selectors as a command line would give them, with what `--session` resolved to.
    pub selectors: Vec<String>,
    pub interval_seconds: f64,
    pub samples: usize,
    /// Every process counted, in the order first seen; each only while it was alive.
    pub processes: Vec<ProbedProcess>,
    /// Processes that matched but could not be read: never counted, never dropped silently.
    #[serde(default)]
    pub skipped: Vec<SkippedProcess>,
    /// With `probe --libraries`: the CPU time by shared object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub libraries: Option<libraries::LibraryShares>,
}

/// The group of every probe result. Probe runs are made at different times,
/// so any comparison of them is unpaired.
pub const PROBE_GROUP: &str = "probe";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbedProcess {
    pub pid: u32,
    /// The kernel's name for it (`comm`, at most 15 bytes).
    pub name: String,
    pub command: String,
    /// Samples it was alive and readable in, and the first and last of them (1-based).
    pub samples: usize,
    pub first_sample: usize,
    pub last_sample: usize,
    /// Medians over the samples it was counted in, in bytes and cpu-s/s.
    pub median_pss: u64,
    pub median_rss: u64,
    pub median_uss: u64,
    pub median_swap: u64,
    /// None when no sample interval covered it from start to end.
    pub median_cpu: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkippedProcess {
    pub pid: u32,
    pub name: String,
    pub uid: u32,
    pub reason: String,
}

/// The change of `variant` against `baseline` on one benchmark. Positive
/// `change_pct` always means "better", whatever the metric's direction: for a rate
/// it is the gain, (after / before − 1) · 100; for a time, memory or CPU use it is
/// the reduction, (1 − after / before) · 100.
///
/// The figures are None (`null` in JSON) when there is none, all four together:
/// a broken benchmark, or too few rounds for an interval. `verdict` says which.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub bench: String,
    pub group: String,
    /// The reference: a variant of the same run, or `RUN:VARIANT` of a stored run.
    pub baseline: String,
    pub variant: String,
    #[serde(deserialize_with = "figure")]
    pub change_pct: Option<f64>,
    #[serde(deserialize_with = "figure")]
    pub ci_low_pct: Option<f64>,
    #[serde(deserialize_with = "figure")]
    pub ci_high_pct: Option<f64>,
    /// Minimum detectable effect: the CI's half-width, in percent.
    #[serde(deserialize_with = "figure")]
    pub mde_pct: Option<f64>,
    /// Paired by round (same run) or not (two runs made at different times).
    pub paired: bool,
    pub verdict: ChangeVerdict,
    /// What the benchmark measures (`zlib`, `glibc`, `python`) when both
    /// variants loaded the same file of each, in the same environment: not
    /// rebuilt in this comparison, an A/A row that no group mean or claim
    /// counts. Empty when one differs, or storebench cannot tell (a command, a
    /// probe, a run without provenance).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_rebuilt: Vec<String>,
}

impl Comparison {
    /// "not rebuilt: the same glibc file" when both variants loaded the same file
    /// of what the benchmark measures.
    pub fn rebuilt_mark(&self) -> Option<String> {
        (!self.not_rebuilt.is_empty()).then(|| same_files(&self.not_rebuilt))
    }
}

/// "not rebuilt: the same glibc file", "… the same zstd, glibc files".
fn same_files(names: &[String]) -> String {
    let files = if names.len() == 1 { "file" } else { "files" };
    format!("not rebuilt: the same {} {files}", names.join(", "))
}

/// A figure that may be missing, `null` in JSON. The field itself must be there,
/// as in every document storebench writes; a plain `Option` field could be left out.
fn figure<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Option::<f64>::deserialize(d)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeVerdict {
    Improvement,
    NoChange,
    Regression,
    Broken,
    Inconclusive,
}

impl ChangeVerdict {
    /// The words a table shows.
    pub fn label(self) -> &'static str {
        match self {
            ChangeVerdict::Improvement => "improvement",
            ChangeVerdict::NoChange => "no change",
            ChangeVerdict::Regression => "regression",
            ChangeVerdict::Broken => "broken",
            ChangeVerdict::Inconclusive => "inconclusive",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupComparison {
    pub group: String,
    pub baseline: String,
    pub variant: String,
    pub benches: usize,
    pub change_pct: f64,
    pub ci_low_pct: f64,
    pub ci_high_pct: f64,
    pub paired: bool,
    /// Whether any benchmark of the group was rebuilt. When one was, the mean is
    /// over the rebuilt ones alone; when none was, it is the mean of an A/A
    /// comparison, a "no change" row that no claim counts.
    #[serde(default = "rebuilt_by_default")]
    pub rebuilt: bool,
    /// The files of the group's benchmarks that were the same in both variants
    /// (`glibc`, `zstd`), and how many benchmarks that left out of the mean.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_rebuilt: Vec<String>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub left_out: usize,
}

impl GroupComparison {
    /// "not rebuilt: …, an A/A mean" when no benchmark of the group was rebuilt;
    /// "13 left out, not rebuilt: …" when some were left out of the mean.
    pub fn rebuilt_mark(&self) -> Option<String> {
        let names = if self.not_rebuilt.is_empty() {
            "not rebuilt".to_string()
        } else {
            same_files(&self.not_rebuilt)
        };
        if !self.rebuilt {
            Some(format!("{names}, an A/A mean"))
        } else if self.left_out > 0 {
            Some(format!("{} left out, {names}", self.left_out))
        } else {
            None
        }
    }
}

/// A stored group from before `rebuilt` was written: it was counted.
fn rebuilt_by_default() -> bool {
    true
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimVerdict {
    pub id: String,
    pub title: String,
    /// The claimed gain, [min, max] in percent (positive = better).
    pub range_pct: [f64; 2],
    pub baseline: Option<String>,
    pub variant: Option<String>,
    pub change_pct: Option<f64>,
    pub ci_low_pct: Option<f64>,
    pub ci_high_pct: Option<f64>,
    /// The CI's half-width, in percent: the smallest change this measurement could see.
    #[serde(default)]
    pub mde_pct: Option<f64>,
    /// Paired by round (same run) or not (two runs made at different times).
    #[serde(default)]
    pub paired: Option<bool>,
    pub verdict: ClaimOutcome,
    /// One plain sentence that explains the verdict.
    pub sentence: String,
    /// The benchmarks that were measured for it.
    #[serde(default)]
    pub benches: Vec<String>,
    /// The files (`glibc`) that were the same in both variants for some of the
    /// claim's benchmarks: not rebuilt, so those benchmarks were left out, and
    /// the sentence says so. When nothing else was left, the claim is not measured.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_rebuilt: Vec<String>,
    /// Why a rebuild could not change what these benchmarks exercise: both
    /// variants ran the same code path ("both builds use AES-NI at run time: a
    /// rebuild cannot add it"). The sentence says it too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClaimOutcome {
    Confirmed,
    Exceeded,
    Partly,
    BelowClaim,
    NoChange,
    Regression,
    Broken,
    Inconclusive,
    NotMeasured,
}

impl ClaimOutcome {
    /// The words a table shows.
    pub fn label(self) -> &'static str {
        match self {
            ClaimOutcome::Confirmed => "confirmed",
            ClaimOutcome::Exceeded => "exceeded",
            ClaimOutcome::Partly => "partly",
            ClaimOutcome::BelowClaim => "below claim",
            ClaimOutcome::NoChange => "no change",
            ClaimOutcome::Regression => "regression",
            ClaimOutcome::Broken => "broken",
            ClaimOutcome::Inconclusive => "inconclusive",
            ClaimOutcome::NotMeasured => "not measured",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

impl Tool {
    pub fn this() -> Tool {
        Tool {
            name: env!("CARGO_PKG_NAME").into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Host {
    pub hostname: String,
    pub kernel: String,
    pub cpu_model: String,
    pub cpu_flags: Vec<String>,
    pub cpus: usize,
    pub memory_bytes: u64,
    /// The CPU frequency governor; `null` where the kernel exposes none (most
    /// virtual machines), written either way so a reader knows it was looked at.
    #[serde(default)]
    pub governor: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    pub rounds: u32,
    /// The time each variant gets per benchmark per round.
    pub slice_seconds: f64,
    pub timeout_seconds: f64,
    pub bench_patterns: Vec<String>,
    /// A change whose CI lies within ±this many percent is "no change".
    #[serde(default = "default_noise_pct")]
    pub noise_pct: f64,
    /// A sequential run's design: rounds went on, past `rounds` (its minimum),
    /// only for benchmarks whose verdict was open, and each benchmark's CI is at
    /// the level its number of rounds (its look) allows. None: the fixed design.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopping: Option<Stopping>,
    /// `--budget`: the time the whole run was allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_time_seconds: Option<f64>,
    /// The benchmarks whose verdict was still open when the budget ran out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unsettled: Vec<String>,
    /// `--cpus`: the CPUs every measured process ran on (none: anywhere).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cpus: Vec<usize>,
    /// The benchmarks measured on blocks of their input, and each block's bytes
    /// (as their results' `block_bytes`); absent: every input whole.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocks: Vec<BlockSetting>,
}

/// One benchmark's block size, in [`Settings::blocks`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockSetting {
    pub bench: String,
    pub block_bytes: u64,
}

impl Settings {
    /// [`Settings::blocks`] of `results`: each benchmark once, in their order.
    pub fn blocks_of(results: &[BenchResult]) -> Vec<BlockSetting> {
        let mut out: Vec<BlockSetting> = Vec::new();
        for r in results {
            if let Some(b) = r.block_bytes {
                if !out.iter().any(|s| s.bench == r.bench) {
                    out.push(BlockSetting {
                        bench: r.bench.clone(),
                        block_bytes: b,
                    });
                }
            }
        }
        out
    }
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            rounds: 0,
            slice_seconds: 0.0,
            timeout_seconds: 0.0,
            bench_patterns: vec![],
            noise_pct: default_noise_pct(),
            stopping: None,
            max_time_seconds: None,
            unsettled: vec![],
            cpus: vec![],
            blocks: vec![],
        }
    }
}

fn default_noise_pct() -> f64 {
    DEFAULT_NOISE_PCT
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VariantRecord {
    #[serde(flatten)]
    pub variant: Variant,
    /// What its first worker loaded; None when no worker ever started.
    pub provenance: Option<Provenance>,
    /// Earlier variants that loaded byte-identical benchmarked libraries: an A/A pair.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub same_files_as: Vec<String>,
    /// The smoke check of its commands, run before measuring (`profile:` variants).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smoke: Option<crate::smoke::SmokeReport>,
}

impl VariantRecord {
    /// Whether this variant and `other` loaded byte-identical files for `needs`
    /// (a benchmark's subject), in the same environment: that benchmark was not
    /// rebuilt between them. Without both provenances nothing can be told: no.
    pub fn same_subject(&self, other: &VariantRecord, needs: &crate::provenance::Needs) -> bool {
        match (&self.provenance, &other.provenance) {
            (Some(a), Some(b)) => self.variant.env == other.variant.env && a.same_files(b, needs),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Measured, and every output was right.
    #[default]
    Ok,
    /// The library computed a wrong result; no figure is reported.
    Broken,
    /// The worker died (signal or exit) while running this benchmark.
    Crashed,
    /// The worker did not answer within the timeout.
    Timeout,
}

/// One round's measurement of one benchmark in one variant: the sums over its
/// turns, and each turn's seconds per iteration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RoundSample {
    pub round: u32,
    pub iterations: u64,
    pub seconds: f64,
    pub user_seconds: f64,
    pub system_seconds: f64,
    /// Seconds per iteration of each turn, in the order they ran, when the round
    /// was taken in turns with the other variants (library benchmarks).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub turns: Vec<f64>,
}

impl RoundSample {
    /// Adds another turn of the same round.
    pub fn add(&mut self, turn: &RoundSample) {
        self.iterations += turn.iterations;
        self.seconds += turn.seconds;
        self.user_seconds += turn.user_seconds;
        self.system_seconds += turn.system_seconds;
        self.turns.push(turn.seconds_per_iter());
    }

    pub fn seconds_per_iter(&self) -> f64 {
        self.seconds / self.iterations as f64
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BenchResult {
    // hyperfine's fields; the timing ones are null when nothing was measured.
    pub command: String,
    pub mean: Option<f64>,
    pub stddev: Option<f64>,
    pub median: Option<f64>,
    pub user: Option<f64>,
    pub system: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub times: Vec<f64>,
    pub exit_codes: Vec<i32>,
    pub parameters: BTreeMap<String, String>,
    // storebench's own.
    pub bench: String,
    pub group: String,
    pub variant: String,
    pub unit: Unit,
    /// Bytes or operations per iteration, in `unit`'s terms.
    pub work_per_iter: u64,
    /// The bytes of input one iteration worked on when that was a block of it (a
    /// compression benchmark's block of its corpus, a TLS transfer); absent: the
    /// whole input, as every result before blocks. Runs whose blocks differ
    /// measured different work (`compare` warns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_bytes: Option<u64>,
    pub rounds: Vec<RoundSample>,
    /// Figures that are not timed iterations (probe samples, a command's peak
    /// RSS): one per round or sample, in `unit`. Empty for timed benchmarks,
    /// whose figures follow from `rounds`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<f64>,
    /// [`BenchResult::figures`], summarised.
    pub throughput: Option<Summary>,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl BenchResult {
    /// Fills every derived field from `rounds`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        bench: &str,
        group: &str,
        variant: &str,
        unit: Unit,
        work_per_iter: u64,
        rounds: Vec<RoundSample>,
        status: Status,
        error: Option<String>,
    ) -> BenchResult {
        let times: Vec<f64> = rounds.iter().map(RoundSample::seconds_per_iter).collect();
        let per_iter = |f: fn(&RoundSample) -> f64| {
            let v: Vec<f64> = rounds.iter().map(|r| f(r) / r.iterations as f64).collect();
            (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
        };
        let timing = stats::summarize(&times);
        let throughput: Vec<f64> = times.iter().map(|t| work_per_iter as f64 / t).collect();
        BenchResult {
            command: format!("{bench} [{variant}]"),
            mean: timing.as_ref().map(|s| s.mean),
            stddev: timing.as_ref().filter(|s| s.n > 1).map(|s| s.stddev),
            median: timing.as_ref().map(|s| s.median),
            min: timing.as_ref().map(|s| s.min),
            max: timing.as_ref().map(|s| s.max),
            user: per_iter(|r| r.user_seconds),
            system: per_iter(|r| r.system_seconds),
            exit_codes: vec![0; times.len()],
            times,
            parameters: BTreeMap::from([
                ("bench".into(), bench.into()),
                ("variant".into(), variant.into()),
            ]),
            bench: bench.into(),
            group: group.into(),
            variant: variant.into(),
            unit,
            work_per_iter,
            block_bytes: None,
            throughput: stats::summarize(&throughput),
            values: vec![],
            rounds,
            status,
            error,
        }
    }

    /// An entry whose figures are not timed iterations: one value per sample, in
    /// `unit` (a probe's memory or CPU use).
    pub fn from_values(
        bench: &str,
        group: &str,
        variant: &str,
        unit: Unit,
        values: Vec<f64>,
    ) -> BenchResult {
        BenchResult::new(bench, group, variant, unit, 0, vec![], Status::Ok, None)
            .with_values(values)
    }

    /// The same entry with explicit figures (a process's wall time, CPU time or
    /// peak RSS, one per round), summarised in `throughput` in place of rates.
    pub fn with_values(mut self, values: Vec<f64>) -> BenchResult {
        self.throughput = stats::summarize(&values);
        self.values = values;
        self
    }

    /// The figures comparisons are made of, in `unit`, in round (or sample) order:
    /// the explicit `values` when there are any, else the throughput of each round.
    /// Whether higher is better is `unit.higher_is_better()`.
    pub fn figures(&self) -> Vec<f64> {
        if !self.values.is_empty() {
            return self.values.clone();
        }
        self.times
            .iter()
            .map(|t| self.work_per_iter as f64 / t)
            .collect()
    }
}

impl Document {
    /// A run's document as measured, before its comparisons, groups and claims
    /// are judged: this process's command line, on `host`.
    pub fn unjudged(
        host: Host,
        started: String,
        seed: u64,
        settings: Settings,
        variants: Vec<VariantRecord>,
        results: Vec<BenchResult>,
    ) -> Document {
        Document {
            schema: SCHEMA.into(),
            tool: Tool::this(),
            started,
            command_line: std::env::args().collect(),
            host,
            seed,
            settings,
            corpora: vec![],
            variants,
            results,
            comparisons: vec![],
            groups: vec![],
            claims: vec![],
            probe: None,
            ci: None,
            attribution: None,
        }
    }

    /// A document holding only `results`, with one variant record per variant
    /// named in them: what a comparison needs of a run still in progress.
    pub fn of_results(results: Vec<BenchResult>) -> Document {
        let mut names: Vec<String> = vec![];
        for r in &results {
            if !names.contains(&r.variant) {
                names.push(r.variant.clone());
            }
        }
        let variants = names
            .into_iter()
            .map(|name| VariantRecord {
                variant: crate::variant::Variant {
                    name,
                    ..crate::variant::Variant::system()
                },
                provenance: None,
                same_files_as: vec![],
                smoke: None,
            })
            .collect();
        let doc = Document::unjudged(
            Host::default(),
            String::new(),
            0,
            Settings::default(),
            variants,
            results,
        );
        Document {
            command_line: vec![],
            ..doc
        }
    }

    pub fn variant(&self, name: &str) -> Option<&VariantRecord> {
        self.variants.iter().find(|v| v.variant.name == name)
    }

    pub fn result(&self, bench: &str, variant: &str) -> Option<&BenchResult> {
        self.results
            .iter()
            .find(|r| r.bench == bench && r.variant == variant)
    }

    /// Whether any variant computed wrong results or lost its worker.
    pub fn any_failure(&self) -> bool {
        self.results.iter().any(|r| r.status != Status::Ok)
            || self
                .variants
                .iter()
                .any(|v| v.smoke.as_ref().is_some_and(|s| s.broken()))
    }
}

impl Document {
    /// Reads a document written by [`Document::write_atomic`], refusing other
    /// JSON (a hyperfine export, a document of another schema) with a message
    /// that says which file and why.
    pub fn read(path: &std::path::Path) -> crate::error::Result<Document> {
        use crate::error::Error;
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let bad = |why: String| Error::BadDocument {
            path: path.to_owned(),
            why,
        };
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
        match value.get("schema").and_then(|s| s.as_str()) {
            Some(SCHEMA) => {}
            Some(other) => {
                return Err(bad(format!(
                    "its schema is `{other}`, this storebench reads `{SCHEMA}`"
                )))
            }
            None => {
                return Err(bad(format!(
                    "it has no `schema` field (expected `{SCHEMA}`)"
                )))
            }
        }
        let doc: Document = serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
        doc.checked(path)
    }

    /// The document, if every number in it is within [`valid`]'s bounds; else
    /// an error naming `path`, the field and why. Every loader of a stored
    /// document passes it through here.
    pub fn checked(self, path: &std::path::Path) -> crate::error::Result<Document> {
        match valid::check(&self) {
            Ok(()) => Ok(self),
            Err(why) => Err(crate::error::Error::BadDocument {
                path: path.to_owned(),
                why,
            }),
        }
    }

    /// Writes the document to a temporary file beside `path` and renames it, so a
    /// reader never sees half a document and an interrupted write loses nothing.
    pub fn write_atomic(&self, path: &std::path::Path) -> crate::error::Result<()> {
        use crate::error::Error;
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let mut bytes = serde_json::to_vec_pretty(self).map_err(|e| Error::io(path, e.into()))?;
        bytes.push(b'\n');
        crate::atomic::write(path, &bytes, None)
    }
}
