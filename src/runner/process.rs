//! The runner's side of process workloads (interpreter scripts, commands): warm-up,
//! runs that fill the time slice, and one set of figures per (job, variant, round)
//! shared by every metric of the job.
//!
//! Processes are spawned by the runner, not the worker, so that a timeout can kill
//! the whole process tree and the runner owns every measurement of it.

use super::{signal_name, Failure};
use crate::process::{self, Exit, Run, Stdout};
use crate::results::{RoundSample, Status};
use crate::variant::Variant;
use crate::workload::{Broken, Job, Metric, ProcessBench};
use std::collections::{HashMap, HashSet};
use std::process::Command;
use std::time::Duration;

/// Warm-up runs of a script per variant, before its first measured run.
const SCRIPT_WARMUP: u32 = 1;

/// The runs of one job for one variant in one round, summed.
#[derive(Debug, Clone, Copy, Default)]
struct Runs {
    count: u64,
    wall: f64,
    user: f64,
    system: f64,
    hot: f64,
    max_rss: u64,
    /// The first non-zero exit code (allowed ones only), else 0.
    exit_code: i32,
}

/// One metric's share of a round: its sample, its figure, its exit code.
pub(super) struct Measured {
    pub sample: RoundSample,
    pub value: f64,
    pub exit_code: i32,
}

pub(super) struct Processes {
    /// Where the scripts are installed for the run.
    scripts: Option<tempfile::TempDir>,
    warmed: HashSet<(String, usize)>,
    /// The last round measured per (job, variant), for the job's other metrics.
    last: HashMap<(String, usize), (u32, Result<Runs, Failure>)>,
    /// The CPUs every run is pinned to (none: anywhere).
    cpus: Vec<usize>,
}

impl Processes {
    /// Installs the scripts that `jobs` run, to be run on `cpus`.
    pub fn new<'a>(
        jobs: impl Iterator<Item = &'a ProcessBench>,
        cpus: &[usize],
    ) -> std::io::Result<Processes> {
        let mut scripts = None;
        for p in jobs {
            let dir = match (&p.job, &scripts) {
                (Job::Command(_), _) => continue,
                (_, Some(d)) => d,
                (_, None) => scripts.insert(crate::tempfiles::dir()?),
            };
            match &p.job {
                Job::Script(s) => s.install(dir.path())?,
                Job::Rust(_) => crate::workload::rust::Compile::install(dir.path())?,
                Job::Command(_) => {}
            }
        }
        Ok(Processes {
            scripts,
            warmed: HashSet::new(),
            last: HashMap::new(),
            cpus: cpus.to_vec(),
        })
    }

    /// The figures of `bench`'s metric for variant `v` in `round`: from the runs
    /// another metric of the same job already made this round, or from new ones.
    pub fn visit(
        &mut self,
        bench: &ProcessBench,
        variant: &Variant,
        v: usize,
        round: u32,
        slice: Duration,
        timeout: Duration,
    ) -> Result<Measured, Failure> {
        let key = (bench.job.id(), v);
        let fresh = !matches!(self.last.get(&key), Some((r, _)) if *r == round);
        if fresh {
            let runs = self.runs(&bench.job, variant, v, slice, timeout);
            self.last.insert(key.clone(), (round, runs));
        }
        let (_, runs) = &self.last[&key];
        let runs = runs.as_ref().map_err(Clone::clone)?;
        Ok(measured(runs, bench.metric, round))
    }

    fn runs(
        &mut self,
        job: &Job,
        variant: &Variant,
        v: usize,
        slice: Duration,
        timeout: Duration,
    ) -> Result<Runs, Failure> {
        let warmup = match job {
            Job::Script(_) | Job::Rust(_) => SCRIPT_WARMUP,
            Job::Command(c) => c.warmup,
        };
        if self.warmed.insert((job.id(), v)) {
            for _ in 0..warmup {
                self.once(job, variant, timeout)?;
            }
        }
        let mut total = Runs::default();
        while total.count == 0 || total.wall < slice.as_secs_f64() {
            let (run, hot) = self.once(job, variant, timeout)?;
            total.count += 1;
            total.wall += run.wall_seconds;
            total.user += run.user_seconds;
            total.system += run.system_seconds;
            total.hot += hot;
            total.max_rss = total.max_rss.max(run.max_rss_bytes);
            if let (0, Exit::Code(c)) = (total.exit_code, run.exit) {
                total.exit_code = c;
            }
        }
        Ok(total)
    }

    /// One run, judged: (the run, its hot-loop seconds or 0).
    fn once(&self, job: &Job, variant: &Variant, timeout: Duration) -> Result<(Run, f64), Failure> {
        let crashed = |why: String| Failure::Process {
            status: Status::Crashed,
            why,
        };
        let installed = || {
            self.scripts
                .as_ref()
                .expect("sources installed for every script and compile job")
                .path()
        };
        let cmd = match job {
            Job::Script(s) => s
                .command(variant, installed())
                .ok_or_else(|| format!("it names no {}", s.interpreter.name())),
            Job::Rust(r) => r
                .command(variant, installed())
                .ok_or_else(|| "it names no rustc".to_string()),
            Job::Command(c) => c.command(variant),
        };
        let mut cmd = cmd.map_err(crashed)?;
        crate::affinity::pin(&mut cmd, &self.cpus);
        let what = command_line(&cmd);
        // A script's result line is read; a command's output is not the product.
        let stdout = match job {
            Job::Script(_) => Stdout::Capture,
            Job::Command(_) | Job::Rust(_) => Stdout::Discard,
        };
        let run = process::run(cmd, stdout, timeout)
            .map_err(|e| crashed(format!("cannot start `{what}`: {e}")))?;
        let code = match run.exit {
            Exit::Code(c) => c,
            Exit::TimedOut => {
                return Err(Failure::Process {
                    status: Status::Timeout,
                    why: format!("`{what}` did not finish within {:.0} s and was killed with its process group (raise --timeout if it is just slow)", timeout.as_secs_f64()),
                })
            }
            Exit::Signal(sig) => {
                let said = run.stderr_tail.trim().lines().last().map(|l| format!("; it said: {l}")).unwrap_or_default();
                return Err(crashed(format!("`{what}` was killed by signal {sig} ({}){said}", signal_name(sig))));
            }
        };
        let judged = match job {
            Job::Script(s) => s.judge(&run, code),
            Job::Command(c) => c.judge(&run, code).map(|()| 0.0),
            Job::Rust(r) => r
                .judge(&run, code, variant, installed(), timeout)
                .map(|()| 0.0),
        };
        match judged {
            Ok(hot) => Ok((run, hot)),
            Err(Broken(why)) => Err(Failure::Broken(why)),
        }
    }
}

/// The program and its arguments as a person would type them, shortened.
fn command_line(cmd: &Command) -> String {
    let line = std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|a| a.to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ");
    match line.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

/// The sample and figure of one metric. The sample's seconds are the metric's
/// own time where it is one (so hyperfine's fields read right), the wall time
/// otherwise; user and system are always the process tree's.
fn measured(r: &Runs, metric: Metric, round: u32) -> Measured {
    let n = r.count as f64;
    let (seconds, value) = match metric {
        Metric::Wall => (r.wall, r.wall / n),
        Metric::Hot => (r.hot, r.hot / n),
        Metric::Cpu => (r.user + r.system, (r.user + r.system) / n),
        Metric::Rss => (r.wall, r.max_rss as f64),
    };
    Measured {
        sample: RoundSample {
            round,
            iterations: r.count,
            seconds,
            user_seconds: r.user,
            system_seconds: r.system,
            turns: vec![],
        },
        value,
        exit_code: r.exit_code,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_metric_reads_its_own_part_of_the_runs() {
        let r = Runs {
            count: 4,
            wall: 2.0,
            user: 0.6,
            system: 0.2,
            hot: 1.0,
            max_rss: 300 << 20,
            exit_code: 0,
        };
        assert_eq!(measured(&r, Metric::Wall, 1).value, 0.5);
        assert_eq!(measured(&r, Metric::Hot, 1).value, 0.25);
        assert!((measured(&r, Metric::Cpu, 1).value - 0.2).abs() < 1e-12);
        assert_eq!(measured(&r, Metric::Rss, 1).value, (300u64 << 20) as f64);
        let hot = measured(&r, Metric::Hot, 2).sample;
        assert_eq!((hot.round, hot.iterations), (2, 4));
        assert_eq!(hot.seconds_per_iter(), 0.25);
    }
}
