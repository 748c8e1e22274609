//! The runner's handle on one worker process: starting it (the hello and its ready
//! reply), one request and its reply at a time, and ending it. Dropping a handle
//! ends its worker, so that no way out of a round or a start-up check leaves one
//! running or unreaped.

use super::failure::Failure;
use super::Plan;
use crate::provenance::Provenance;
use crate::results::CorpusInfo;
use crate::results::RoundSample;
use crate::variant::Variant;
use crate::worker::{Reply, Request, SUBCOMMAND};
use crate::workload::BenchSpec;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running worker process and the thread that reads its replies.
pub(super) struct Worker {
    child: Child,
    /// `None` once finished: the end of its input ends the worker's loop.
    stdin: Option<ChildStdin>,
    lines: Receiver<std::io::Result<String>>,
    stderr: Arc<Mutex<String>>,
}

/// What a first-round worker reports when it is ready: the files it loaded and
/// the corpora it read.
pub(super) struct Ready {
    pub provenance: Provenance,
    pub corpora: Vec<CorpusInfo>,
}

/// What one turn of measuring came to.
pub(super) enum Answer {
    Sample {
        worker: Worker,
        sample: RoundSample,
        work_per_iter: u64,
    },
    /// A wrong result: the benchmark failed, the worker still serves the others.
    Broken { worker: Worker, failure: Failure },
    /// The worker died, hung or answered nonsense, and is gone.
    Lost(Failure),
}

impl Worker {
    /// Starts a worker for `variant` and waits for it to be ready.
    pub fn start(plan: &Plan, variant: &Variant, kept: &Path) -> Result<Worker, Failure> {
        let mut w = Worker::spawn(plan, variant)?;
        w.hello(plan, false, kept)?;
        Ok(w)
    }

    /// [`Worker::start`], the worker also reporting where its libraries came from.
    pub fn start_with_provenance(
        plan: &Plan,
        variant: &Variant,
        kept: &Path,
    ) -> Result<(Worker, Ready), Failure> {
        let mut w = Worker::spawn(plan, variant)?;
        match w.hello(plan, true, kept)? {
            (Some(provenance), corpora) => Ok((
                w,
                Ready {
                    provenance: *provenance,
                    corpora,
                },
            )),
            (None, _) => Err(Failure::Garbage(
                "a ready reply without the provenance asked for".into(),
            )),
        }
    }

    /// Starts the process, pinned to the plan's CPUs, with threads that read its
    /// replies and keep the tail of what it says on stderr.
    fn spawn(plan: &Plan, variant: &Variant) -> Result<Worker, Failure> {
        let mut cmd = variant.command(&plan.exe);
        crate::affinity::pin(&mut cmd, &plan.cpus);
        cmd.arg(SUBCOMMAND)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(|e| Failure::Died {
            status: None,
            stderr: format!("cannot start {}: {e}", plan.exe.display()),
        })?;
        let stdin = child.stdin.take().expect("piped");
        let stdout = child.stdout.take().expect("piped");
        let err_pipe = child.stderr.take().expect("piped");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || keep_tail(err_pipe, &sink));
        Ok(Worker {
            child,
            stdin: Some(stdin),
            lines,
            stderr,
        })
    }

    /// Says hello and waits for the ready reply: (provenance when asked for,
    /// the corpora the worker read).
    fn hello(
        &mut self,
        plan: &Plan,
        provenance: bool,
        kept: &Path,
    ) -> Result<(Option<Box<Provenance>>, Vec<CorpusInfo>), Failure> {
        let hello = Request::Hello {
            corpus: plan.corpus.clone(),
            provenance,
            kept: Some(kept.to_path_buf()),
        };
        match self.send(&hello).and_then(|_| self.recv(plan.timeout))? {
            Reply::Ready {
                provenance,
                corpora,
            } => Ok((provenance, corpora)),
            Reply::Failed { reason } => Err(Failure::Died {
                status: self.finish(),
                stderr: reason,
            }),
            other => Err(Failure::Garbage(format!("{other:?}"))),
        }
    }

    /// Sends one Measure of `slice` and waits for its sample.
    pub fn measure(
        mut self,
        bench: &BenchSpec,
        slice: Duration,
        timeout: Duration,
        round: u32,
    ) -> Answer {
        let req = Request::Measure {
            bench: bench.id.clone(),
            slice_seconds: slice.as_secs_f64(),
        };
        match self.send(&req).and_then(|_| self.recv(timeout)) {
            Ok(Reply::Sample {
                bench: got,
                iterations,
                seconds,
                user_seconds,
                system_seconds,
                work_per_iter,
            }) if got == bench.id && iterations > 0 && seconds > 0.0 => Answer::Sample {
                worker: self,
                sample: RoundSample {
                    round,
                    iterations,
                    seconds,
                    user_seconds,
                    system_seconds,
                    turns: vec![],
                },
                work_per_iter,
            },
            Ok(Reply::Broken { reason, .. }) => Answer::Broken {
                worker: self,
                failure: Failure::Broken(reason),
            },
            Ok(other) => Answer::Lost(Failure::Garbage(format!("{other:?}"))),
            Err(f) => Answer::Lost(f),
        }
    }

    fn send(&mut self, req: &Request) -> Result<(), Failure> {
        let line = serde_json::to_string(req).expect("requests serialise");
        let Some(stdin) = self.stdin.as_mut() else {
            return Err(self.died());
        };
        writeln!(stdin, "{line}")
            .and_then(|_| stdin.flush())
            .map_err(|_| self.died())
    }

    fn recv(&mut self, timeout: Duration) -> Result<Reply, Failure> {
        match self.lines.recv_timeout(timeout) {
            Ok(Ok(line)) => serde_json::from_str(&line)
                .map_err(|_| Failure::Garbage(line.chars().take(200).collect())),
            Ok(Err(_)) | Err(RecvTimeoutError::Disconnected) => Err(self.died()),
            Err(RecvTimeoutError::Timeout) => Err(Failure::Hung(timeout)),
        }
    }

    /// The worker closed its pipes: wait briefly for its exit status.
    fn died(&mut self) -> Failure {
        let status = reap(&mut self.child, Duration::from_secs(5));
        // Give the stderr reader a moment to drain what the worker said last.
        std::thread::sleep(Duration::from_millis(20));
        Failure::Died {
            status,
            stderr: self.stderr.lock().map(|s| s.clone()).unwrap_or_default(),
        }
    }

    /// Closes stdin so the worker ends its loop; kills it if it lingers. Once
    /// reaped, the child keeps its status, so finishing again returns at once.
    fn finish(&mut self) -> Option<ExitStatus> {
        drop(self.stdin.take());
        reap(&mut self.child, Duration::from_secs(5))
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.finish();
    }
}

/// Reads the worker's stderr into `sink` until it closes, keeping the last 8 to
/// 16 KiB: enough for the lines before a crash, bounded for a chatty worker.
fn keep_tail(mut pipe: impl Read, sink: &Mutex<String>) {
    let mut buf = [0u8; 4096];
    while let Ok(n @ 1..) = pipe.read(&mut buf) {
        let mut s = sink.lock().expect("stderr buffer");
        s.push_str(&String::from_utf8_lossy(&buf[..n]));
        if s.len() > 16_384 {
            let cut = s.len() - 8_192;
            let cut = (cut..s.len())
                .find(|&i| s.is_char_boundary(i))
                .unwrap_or(s.len());
            s.drain(..cut);
        }
    }
}

/// Waits up to `grace` for the child to exit, then kills it.
fn reap(child: &mut Child, grace: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + grace;
    loop {
        match child.try_wait() {
            Ok(Some(s)) => return Some(s),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            _ => {
                let _ = child.kill();
                return child.wait().ok();
            }
        }
    }
}
