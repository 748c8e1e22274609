//! Command workloads: the user's own programs, from `[commands.NAME]` in the
//! config, run as whole processes, without a shell, with warm-up runs and then
//! rounds, as hyperfine runs them.
//!
//! One command line for every variant (run in each variant's environment, through
//! its glibc's loader when it names one), or one per variant (`mpv --hwdec=vaapi`
//! against `mpv --hwdec=no`). Every run of the process tree yields three figures,
//! all lower-is-better: `command/NAME/wall`, `…/cpu` (user + system) and `…/rss`
//! (peak resident set). A non-zero exit is a wrong result unless `allow_failure`.

use super::{BenchSpec, Broken, Job, Metric, ProcessBench, Source, Unit};
use crate::config::CommandConfig;
use crate::error::{Error, Result};
use crate::process::{self, Run};
use crate::variant::Variant;
use indexmap::IndexMap;
use std::ffi::OsStr;
use std::process::Command;

/// The group of every command benchmark.
pub const GROUP: &str = "command";

/// Warm-up runs per variant when the config gives none: one, so that the first
/// measured run does not pay for a cold page cache alone.
pub const DEFAULT_WARMUP: u32 = 1;

#[derive(Debug, Clone, PartialEq)]
pub struct CommandJob {
    pub name: String,
    /// The command line of every variant without one of its own.
    pub argv: Vec<String>,
    /// Command lines by variant name.
    pub per_variant: IndexMap<String, Vec<String>>,
    pub allow_failure: bool,
    pub warmup: u32,
}

/// The benchmarks of the config's commands, checked: a name usable in an id and a
/// command line for at least one variant.
pub fn catalog(commands: &IndexMap<String, CommandConfig>, out: &mut Vec<BenchSpec>) -> Result<()> {
    for (name, cfg) in commands {
        let bad = |why: &str| Error::Command {
            command: name.clone(),
            why: why.into(),
        };
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_alphanumeric() || "-_.".contains(c))
        {
            return Err(bad("the name may hold only letters, digits, `-`, `_` and `.`: it becomes part of benchmark ids (command/NAME/wall)"));
        }
        if cfg.argv.is_empty() && cfg.variants.is_empty() {
            return Err(bad("give `argv = [\"program\", \"arg\"…]`, or `variants.NAME = [...]` for each variant"));
        }
        if let Some(v) = cfg
            .variants
            .iter()
            .find(|(_, argv)| argv.is_empty())
            .map(|(v, _)| v)
        {
            return Err(bad(&format!("the command line of variant `{v}` is empty")));
        }
        let job = CommandJob {
            name: name.clone(),
            argv: cfg.argv.clone(),
            per_variant: cfg.variants.clone(),
            allow_failure: cfg.allow_failure,
            warmup: cfg.warmup.unwrap_or(DEFAULT_WARMUP),
        };
        for (metric, label, unit) in [
            (Metric::Wall, "wall", Unit::Seconds),
            (Metric::Cpu, "cpu", Unit::Seconds),
            (Metric::Rss, "rss", Unit::Bytes),
        ] {
            out.push(BenchSpec {
                id: format!("{}/{label}", job.id()),
                group: GROUP,
                libraries: vec![],
                unit,
                source: Source::Process(ProcessBench {
                    job: Job::Command(job.clone()),
                    metric,
                }),
            });
        }
    }
    Ok(())
}

impl CommandJob {
    pub fn id(&self) -> String {
        format!("{GROUP}/{}", self.name)
    }

    /// The command line `variant` runs.
    pub fn argv_for(&self, variant: &str) -> Option<&[String]> {
        self.per_variant
            .get(variant)
            .or((!self.argv.is_empty()).then_some(&self.argv))
            .map(Vec::as_slice)
    }

    /// The command as `variant` runs it, or why it cannot.
    pub fn command(&self, variant: &Variant) -> std::result::Result<Command, String> {
        let argv = self.argv_for(&variant.name).ok_or_else(|| {
            format!(
                "command `{}` has no command line for variant `{}`",
                self.name, variant.name
            )
        })?;
        let program = process::find_program(OsStr::new(&argv[0]))
            .ok_or_else(|| format!("`{}` is not an executable on PATH", argv[0]))?;
        let mut cmd = variant.command(&program);
        cmd.args(&argv[1..]);
        Ok(cmd)
    }

    /// Fails, naming the program and the variant, when a variant's command line
    /// names a program that is not there: bad input, found before measuring,
    /// never a crash of the variant.
    pub fn check_programs(&self, variants: &[Variant]) -> Result<()> {
        for v in variants {
            let Some(argv) = self.argv_for(&v.name) else {
                continue;
            };
            let found = process::find_program(OsStr::new(&argv[0]))
                .is_some_and(|p| process::is_executable(&p));
            if !found {
                return Err(Error::Command {
                    command: self.name.clone(),
                    why: format!(
                        "variant `{}` runs `{}`, which is not an executable{}",
                        v.name,
                        argv[0],
                        if argv[0].contains('/') {
                            ""
                        } else {
                            " on PATH"
                        }
                    ),
                });
            }
        }
        Ok(())
    }

    /// A run that exited with `code`: right unless non-zero and not allowed.
    pub fn judge(&self, run: &Run, code: i32) -> std::result::Result<(), Broken> {
        if code == 0 || self.allow_failure {
            return Ok(());
        }
        let said = run
            .stderr_tail
            .trim()
            .lines()
            .last()
            .unwrap_or("")
            .to_string();
        Err(Broken(format!(
            "command `{}` exited with code {code}{} (set allow_failure = true if that is expected)",
            self.name,
            if said.is_empty() {
                String::new()
            } else {
                format!(": {said}")
            }
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commands(toml: &str) -> Result<Vec<BenchSpec>> {
        let cfg: crate::config::Config = toml::from_str(toml).unwrap();
        let mut out = vec![];
        catalog(&cfg.commands, &mut out).map(|_| out)
    }

    #[test]
    fn a_command_gives_wall_cpu_and_rss_and_per_variant_lines_override() {
        let out = commands("[commands.dec]\nargv = [\"mpv\", \"a.mkv\"]\nvariants.hw = [\"mpv\", \"--hwdec=vaapi\", \"a.mkv\"]\n").unwrap();
        let ids: Vec<&str> = out.iter().map(|b| b.id.as_str()).collect();
        assert_eq!(
            ids,
            ["command/dec/wall", "command/dec/cpu", "command/dec/rss"]
        );
        assert_eq!(out[2].unit, Unit::Bytes);
        let Some(ProcessBench {
            job: Job::Command(job),
            ..
        }) = out[0].process()
        else {
            panic!("a process benchmark")
        };
        assert_eq!(job.argv_for("hw").unwrap()[1], "--hwdec=vaapi");
        assert_eq!(job.argv_for("sw").unwrap(), ["mpv", "a.mkv"]);
        assert_eq!(job.warmup, DEFAULT_WARMUP);
    }

    #[test]
    fn a_program_that_is_not_there_is_bad_input_naming_it_and_the_variant() {
        let out = commands("[commands.dec]\nargv = [\"true\"]\nvariants.hw = [\"storebench-no-such-player\", \"a.mkv\"]\n").unwrap();
        let Some(ProcessBench {
            job: Job::Command(job),
            ..
        }) = out[0].process()
        else {
            panic!("a process benchmark")
        };
        let mut hw = Variant::system();
        hw.name = "hw".into();
        job.check_programs(&[Variant::system()]).unwrap();
        let err = job.check_programs(&[Variant::system(), hw]).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("storebench-no-such-player") && text.contains("`hw`"),
            "{text}"
        );
        assert_eq!(err.exit_code(), crate::error::exit::BAD_INPUT);
    }

    #[test]
    fn a_command_without_a_command_line_or_with_a_bad_name_is_refused() {
        let err = commands("[commands.x]\nallow_failure = true\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("`x`") && err.contains("argv"), "{err}");
        let err = commands("[commands.\"a/b\"]\nargv = [\"true\"]\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("a/b"), "{err}");
        let out = commands("[commands.only]\nvariants.a = [\"true\"]\n").unwrap();
        let Some(ProcessBench {
            job: Job::Command(job),
            ..
        }) = out[0].process()
        else {
            panic!()
        };
        assert_eq!(job.argv_for("b"), None);
    }
}
