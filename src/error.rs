//! Errors a user can act on, and the one place that maps them to exit codes.
//!
//! Every variant names what it concerns (the path, the variant, the benchmark) so
//! the message reads as a sentence that says what went wrong and what to do.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("bad --variant `{arg}`: {why} (expected NAME=PATH[:PATH…], e.g. stock=/nix/store/…-zlib-1.3.1)")]
    VariantArg { arg: String, why: String },

    #[error("variant `{variant}`: {path} does not exist; give a Nix store path or a directory that holds the libraries")]
    MissingRoot { variant: String, path: PathBuf },

    #[error("variant `{variant}` has no {soname}* in {dirs}; the selected benchmarks need {library}: add its root to the variant or narrow --bench")]
    MissingLibrary {
        variant: String,
        library: &'static str,
        soname: &'static str,
        dirs: String,
    },

    #[error("variant `{variant}` loaded {library} from {loaded}, not from its own roots ({expected}); the loader fell back to another copy, check that the root holds {soname}")]
    WrongLibrary {
        variant: String,
        library: &'static str,
        soname: &'static str,
        loaded: String,
        expected: String,
    },

    #[error("variant `{variant}`: {process} loaded {file} from {loaded}, although the variant's root holds {own}; another copy shadowed the variant's own (an RPATH, LD_PRELOAD, or a directory searched first)")]
    ShadowedLibrary {
        variant: String,
        process: String,
        file: String,
        loaded: PathBuf,
        own: PathBuf,
    },

    #[error("{path}: {why}")]
    Nix { path: PathBuf, why: String },

    #[error("variant `{variant}`: {dir} holds a libc.so.6 other than the one the variant's processes run on (its glibc, or else this system's); a glibc cannot be swapped with LD_LIBRARY_PATH (the process would crash), so leave that directory out")]
    ForeignGlibc { variant: String, dir: PathBuf },

    #[error("variant `{variant}`: the glibc root {root} holds no usable loader (looked for {looked}); name a glibc store path (…-glibc-2.40) or a directory holding ld-linux-x86-64.so.2 and libc.so.6, such as /lib/x86_64-linux-gnu")]
    NoLoader {
        variant: String,
        root: PathBuf,
        looked: String,
    },

    #[error("variant `{variant}` names the glibc in {expected}, but {what} came from {loaded}; the variant's processes must start through that glibc's own loader")]
    WrongGlibc {
        variant: String,
        what: String,
        loaded: String,
        expected: PathBuf,
    },

    #[error("variant `{variant}` names no {interpreter} interpreter, and the selected benchmarks ({benches}) need one: add `{interpreter} = \"…/bin/{executable}\"` to [variants.{variant}], give a root whose bin/ holds {executable}, or narrow --bench")]
    MissingInterpreter {
        variant: String,
        interpreter: &'static str,
        executable: &'static str,
        benches: String,
    },

    #[error("variant `{variant}`: {interpreter} {path}: {why}")]
    Interpreter {
        variant: String,
        interpreter: &'static str,
        path: PathBuf,
        why: String,
    },

    #[error("command `{command}`: {why}")]
    Command { command: String, why: String },

    #[error("variant name `{0}` is used twice")]
    DuplicateVariant(String),

    #[error("config {path}: {why}")]
    Config { path: PathBuf, why: String },

    #[error("bad benchmark pattern `{pattern}`: {why}")]
    BadPattern { pattern: String, why: String },

    #[error("no benchmark matches {patterns}; `storebench list` prints every id")]
    NoBenchmark { patterns: String },

    #[error("corpus {path}: {why}")]
    Corpus { path: PathBuf, why: String },

    #[error("variant `{variant}`: the worker could not start: {why}")]
    WorkerStart {
        variant: String,
        why: String,
        /// It started and then crashed, hung or babbled (a library's constructor
        /// that crashes, say): a broken variant, exit 3, not bad input.
        crashed: bool,
    },

    #[error(
        "variants disagree on the corpus bytes: `{a}` hashed {name} as {hash_a}, `{b}` as {hash_b}"
    )]
    CorpusMismatch {
        name: String,
        a: String,
        hash_a: String,
        b: String,
        hash_b: String,
    },

    #[error("probe selector {selector}: {why}")]
    ProbeSelector { selector: String, why: String },

    #[error("no running process matches {selectors}; `ps -eo pid,comm,args` lists what runs")]
    ProbeNoMatch { selectors: String },

    #[error("every process matching {selectors} is unreadable, nothing to measure: {skipped}")]
    ProbeUnreadable { selectors: String, skipped: String },

    #[error("every process matching {selectors} exited before the first sample: nothing was measured; probe something that keeps running for the window")]
    ProbeVanished { selectors: String },

    #[error("no probe named `{name}` in the config or built in (known: {known}); add a [probes.{name}] table or give selectors such as --name")]
    UnknownProbe { name: String, known: String },

    #[error("probe name `{0}` may hold only letters, digits, `-`, `_` and `.`: it becomes part of benchmark ids (probe/NAME/pss)")]
    ProbeName(String),

    #[error("probe `{probe}`: {why} (give a duration such as 60s, 500ms or 2m)")]
    ProbeWindow { probe: String, why: String },

    #[error("scenario `{scenario}`: {why}")]
    Scenario { scenario: String, why: String },

    #[error("{path} is not a storebench results document: {why}")]
    BadDocument { path: PathBuf, why: String },

    #[error("{path} does not merge with the documents before it: {why}")]
    NoMerge { path: PathBuf, why: String },

    #[error("a report needs at least one results document")]
    NoDocument,

    #[error("report: the chart `{chart}` could not be drawn: {why}")]
    Chart { chart: String, why: String },

    #[error("claims {path}: {why}")]
    Claims { path: PathBuf, why: String },

    #[error("{path}: {why}")]
    Baseline { path: PathBuf, why: String },

    #[error("history {path}: {why}")]
    History { path: PathBuf, why: String },

    #[error("{path}: {why}")]
    Output { path: PathBuf, why: String },

    #[error("{0}")]
    Usage(String),

    #[error("smoke check of variant `{variant}`: {why}")]
    Smoke { variant: String, why: String },

    #[error("the machine did not get quiet within {waited}: {why}; stop what keeps it busy, or allow longer with --require-quiet=TIMEOUT")]
    NotQuiet { waited: String, why: String },

    #[error("sampling {target} by library was refused: {why}; {hint}; without --libraries the probe needs no perf events")]
    PerfDenied {
        target: String,
        why: String,
        hint: String,
    },

    #[error("sampling by library: {why}")]
    Perf { why: String },

    #[error("impact: {why}")]
    Impact { why: String },

    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// Stable exit codes, documented in `--help`.
pub mod exit {
    /// Everything measured, nothing wrong.
    pub const OK: i32 = 0;
    /// A gate failed: something regressed beyond the threshold.
    pub const REGRESSION: i32 = 1;
    /// Bad input: a path, a library, a config, a pattern, a baseline.
    pub const BAD_INPUT: i32 = 2;
    /// A variant computed wrong results, or its worker crashed or hung.
    pub const BROKEN: i32 = 3;
}

impl Error {
    /// Every error of the library is about its input, but for a worker that
    /// crashed before it could measure; a broken variant found while measuring
    /// is not an error but a result, and is mapped by the caller.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::WorkerStart { crashed: true, .. } => exit::BROKEN,
            _ => exit::BAD_INPUT,
        }
    }
}
