//! Why a worker or a process gave no sample, and how to say so: a failure's
//! status in the results and the sentence a user reads.

use crate::results::Status;
use crate::variant::Variant;
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;
use std::time::Duration;

/// Why a worker or a process gave no sample.
#[derive(Debug, Clone)]
pub(super) enum Failure {
    Broken(String),
    Died {
        status: Option<ExitStatus>,
        stderr: String,
    },
    Hung(Duration),
    Garbage(String),
    /// A spawned process (script, command) that crashed, hung or could not
    /// start, described by the one who spawned it.
    Process {
        status: Status,
        why: String,
    },
}

impl Failure {
    pub(super) fn status(&self) -> Status {
        match self {
            Failure::Broken(_) => Status::Broken,
            Failure::Hung(_) => Status::Timeout,
            Failure::Died { .. } | Failure::Garbage(_) => Status::Crashed,
            Failure::Process { status, .. } => *status,
        }
    }

    pub(super) fn describe(&self, variant: &Variant, bench: &str) -> String {
        let v = &variant.name;
        match self {
            Failure::Broken(why) => format!("variant `{v}` computed a wrong result in {bench}: {why}"),
            Failure::Hung(t) => format!("variant `{v}`: the worker did not answer {bench} within {:.0} s and was killed (raise --timeout if it is just slow)", t.as_secs_f64()),
            Failure::Process { why, .. } => format!("variant `{v}`: {why} during {bench}"),
            Failure::Garbage(line) => format!("variant `{v}`: the worker printed something that is not a storebench reply during {bench}: {}", crate::process::printable(line)),
            Failure::Died { status, stderr } => {
                let how = match status.and_then(|s| s.signal()) {
                    Some(sig) => format!("was killed by signal {sig} ({})", signal_name(sig)),
                    None => match status.and_then(|s| s.code()) {
                        Some(code) => format!("exited with code {code}"),
                        None => "stopped answering".into(),
                    },
                };
                let tail = crate::process::printable(stderr.trim());
                let tail = if tail.is_empty() { String::new() } else { format!("; it said: {}", tail.lines().rev().take(3).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join(" / ")) };
                let hint = if tail.contains("GLIBC_") || tail.contains("libc.so.6") {
                    "; this looks like a glibc on the library path that does not match the loader: a glibc is used only through its own loader"
                } else {
                    ""
                };
                format!("variant `{v}`: the worker {how} during {bench}{tail}{hint}")
            }
        }
    }
}

/// A signal's name, and for SIGILL its likely cause.
pub(super) fn signal_name(sig: i32) -> &'static str {
    match sig {
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGABRT => "SIGABRT",
        libc::SIGBUS => "SIGBUS",
        libc::SIGILL => {
            "SIGILL, an instruction this CPU lacks: was it built with -march for another machine?"
        }
        libc::SIGFPE => "SIGFPE",
        libc::SIGKILL => "SIGKILL",
        libc::SIGTERM => "SIGTERM",
        _ => "signal",
    }
}
