//! Progress on stderr while a run measures.

use crate::runner::Event;
use std::io::{IsTerminal, Write};
use std::time::Duration;

/// Progress on stderr: one updating line on a terminal, a line per round elsewhere.
pub(super) struct Progress {
    tty: bool,
}

impl Progress {
    pub(super) fn new() -> Progress {
        Progress {
            tty: std::io::stderr().is_terminal(),
        }
    }

    pub(super) fn show(&mut self, e: Event) {
        let mut err = std::io::stderr().lock();
        match e {
            Event::Round { round, of } if !self.tty => {
                let _ = writeln!(err, "round {round}/{of}");
            }
            Event::Extending {
                round,
                unsettled,
                decided,
                controls,
                left,
            } => {
                let controls = match controls {
                    0 => String::new(),
                    n => format!(", {n} not rebuilt (controls: no more rounds)"),
                };
                let _ = writeln!(
                    err,
                    "{}round {round}: {decided} decided{controls}, {unsettled} open, measured again; {} of the budget left",
                    if self.tty { "\r\x1b[2K" } else { "" },
                    humantime::format_duration(Duration::from_secs(left.as_secs()))
                );
            }
            Event::Measuring {
                bench,
                variant,
                step,
                steps,
            } if self.tty => {
                let _ = write!(
                    err,
                    "\r\x1b[2K[{:>3}%] {bench} · {variant}",
                    step * 100 / steps.max(1)
                );
                let _ = err.flush();
            }
            Event::Failed { message, .. } => {
                let _ = writeln!(
                    err,
                    "{}warning: {message}",
                    if self.tty { "\r\x1b[2K" } else { "" }
                );
            }
            _ => {}
        }
    }

    pub(super) fn done(&self) {
        if self.tty {
            eprint!("\r\x1b[2K");
        }
    }
}
