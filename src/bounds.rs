//! The bounds on every number storebench accepts, wherever it comes from: a
//! flag, a config, a stored document. One place, so that a run storebench
//! writes always loads back, and so that no number sizes an allocation or a
//! `Duration` beyond what the machine can hold. A leaf: it imports nothing.

/// The most figures (times, values, rounds, turns, exit codes) one result may
/// hold. Every statistic is a bootstrap over them: comparing two stored runs
/// of ten thousand times each took 2.7 s of CPU on the 2-core development VM;
/// a million took many minutes. It is also the most rounds a run
/// may ask for and the most samples a probe may take.
pub const MAX_SAMPLES: usize = 10_000;
/// The most results entries (benchmarks × variants) one document may hold.
pub const MAX_RESULTS: usize = 100_000;
/// A time per iteration, in seconds, must lie within these bounds: below a
/// picosecond it is no measurement (and a subnormal one breaks the charts'
/// arithmetic), above 30 years it is a corrupt file.
pub const MIN_SECONDS: f64 = 1e-12;
pub const MAX_SECONDS: f64 = 1e9;
/// The longest `--slice`: a variant's time per benchmark and round. Past a
/// minute, a round takes longer than the machine stays steady.
pub const MAX_SLICE_SECONDS: f64 = 60.0;
/// The longest `--timeout`: a day.
pub const MAX_TIMEOUT_SECONDS: f64 = 86_400.0;
/// The longest of every other time span (`--budget`,
/// `--require-quiet`, a probe's `--duration`): a week.
pub const MAX_SPAN_SECONDS: f64 = 7.0 * 86_400.0;
/// The largest corpus, in bytes (1 GiB): each worker holds it in memory.
pub const MAX_CORPUS_BYTES: u64 = 1 << 30;
