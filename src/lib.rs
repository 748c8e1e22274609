//! storebench: is the hardware-optimized build of a library really faster than the
//! stock build, and by how much? See the README's "Architecture" section for the
//! map: how data flows from the runner through the results document to the
//! verdicts, exports and report.

pub(crate) mod affinity;
pub(crate) mod atomic;
pub(crate) mod attribution;
pub mod baseline;
pub(crate) mod bounds;
pub(crate) mod calibrate;
pub(crate) mod change;
pub(crate) mod claims;
pub mod cli;
pub mod codepath;
pub(crate) mod compare;
pub(crate) mod config;
pub(crate) mod environment;
pub mod error;
pub mod export;
pub mod factors;
pub(crate) mod format;
pub(crate) mod gate;
pub(crate) mod glibc;
pub(crate) mod history;
pub(crate) mod host;
pub(crate) mod impact;
pub(crate) mod interpreter;
pub mod library;
pub(crate) mod merge;
pub(crate) mod nix;
pub(crate) mod probe;
pub(crate) mod process;
pub mod provenance;
pub(crate) mod report;
pub mod results;
pub mod runner;
pub(crate) mod scenario;
pub mod sequential;
pub mod smoke;
pub mod stats;
pub(crate) mod table;
pub(crate) mod tempfiles;
pub mod variant;
pub mod worker;
pub mod workload;
