//! The `probe.libraries` section of a results document: where the probed
//! processes' CPU time went, by shared object, as `storebench probe
//! --libraries` sampled it. `storebench impact` joins it with a run's changes.

use crate::provenance::LoadedObject;
use serde::{Deserialize, Serialize};

/// The samples of one probe window and every object's share of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LibraryShares {
    /// The perf event sampled: `task-clock` (a software clock, on-CPU time only).
    pub event: String,
    pub sample_hz: u32,
    /// False when sampling was limited to user space (`--user-only`): kernel
    /// time is then not in the total and every share is of user time.
    pub kernel_sampled: bool,
    pub samples: u64,
    /// Records the kernel dropped because a buffer was full (0 normally).
    pub lost: u64,
    /// Threads the events were attached to (those found later in the window
    /// included); the threads and processes they start are sampled too.
    pub threads: usize,
    /// How the intervals were made: a block bootstrap over time.
    pub ci_method: String,
    /// Bootstrap blocks: 100 ms of sample time each.
    pub blocks: usize,
    /// Largest share first.
    pub objects: Vec<ObjectShare>,
    /// Processes the kernel would not let this probe sample, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<String>,
}

/// What kind of object a share belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ObjectKind {
    /// A shared library (has a soname, or is not an executable).
    Library,
    /// A program's own file (`python3.11`, `git`).
    Executable,
    Kernel,
    /// JIT code, `[vdso]`, anonymous memory, a process gone before it was read.
    Other,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectShare {
    pub kind: ObjectKind,
    /// The file name (`libz.so.1.2.13`), or `kernel`, `other`.
    pub name: String,
    /// The path, real path, store path, SHA-256 and size of a file that could be
    /// read; None for kernel, other, and a file gone or in another mount namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<LoadedObject>,
    /// The path as the process mapped it, also when the file could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mapped_path: Option<String>,
    /// DT_SONAME of a library.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub soname: Option<String>,
    pub samples: u64,
    pub share_pct: f64,
    pub ci_low_pct: f64,
    pub ci_high_pct: f64,
}
