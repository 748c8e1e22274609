//! `storebench smoke`: after a switch, do the basic commands still work? The
//! plan's `ls`, `cat`, `grep`, `git`, `nix-build` (and the config's
//! `[smoke.commands.NAME]`) from each variant's `bin/`, on fixed inputs. Also the
//! check `run` and `ci` make of `profile:` variants before measuring them.

use crate::config::Config;
use crate::error::{exit, Error, Result};
use crate::results::Document;
use crate::smoke::{self, SmokeReport, Status};
use crate::variant::{self, Variant};
use clap::Args;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const ABOUT: &str = "\
Examples:
  storebench smoke --variant current=profile:/nix/var/nix/profiles/system
  storebench smoke --variant gen-41=profile:/nix/var/nix/profiles/system-41-link --json smoke.json
  storebench smoke --variant hm=profile:$HOME/.local/state/nix/profiles/home-manager

Each command is taken from the variant's bin/, sw/bin/ (a NixOS generation) or
home-path/bin/ (a home-manager generation), never from PATH, and run in a fresh
temporary directory on fixed files: `ls` lists a known directory, `cat` prints two
known files, `grep -c` counts known lines, `git` commits in a new repository and
reads its log back, `nix-build --version` names Nix. More commands, in the config:
  [smoke.commands.jq]
  argv = [\"jq\", \"-n\", \"1 + 2\"]   # default: NAME --version
  stdout = \"3\"                     # or contains = \"…\"; neither: a zero exit suffices
`run` and `ci` run the same check for every `profile:` variant before measuring
it, and record it in the results document (variants[].smoke).

Exit codes: 0 every command present works (a missing one is reported, not a
failure), 2 bad input (a variant without a bin directory, a bad config), 3 a
command failed or printed the wrong thing: the variant is broken.";

#[derive(Args)]
pub struct SmokeArgs {
    /// A variant to check: NAME=PATH[:PATH…] as `run` takes it, each PATH a
    /// profile or generation (profile:LINK), a store path (closure:PATH) or a
    /// directory. Repeatable. Default: the config's variants.
    #[arg(long = "variant", value_name = "NAME=PATH")]
    variants: Vec<String>,
    /// The config: [variants.NAME] roots and [smoke.commands.NAME]. Default:
    /// storebench.toml here, when present.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Write the outcome as JSON (schema storebench-smoke/1).
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Kill a command that does not finish within SECS: the variant is broken.
    #[arg(long, value_name = "SECS", default_value_t = 30.0, value_parser = super::flags::timeout)]
    timeout: f64,
}

/// The JSON document `--json` writes.
#[derive(Serialize)]
struct Outcome<'a> {
    schema: &'static str,
    variants: Vec<Named<'a>>,
}

#[derive(Serialize)]
struct Named<'a> {
    name: &'a str,
    #[serde(flatten)]
    report: &'a SmokeReport,
}

pub fn smoke(args: SmokeArgs) -> Result<i32> {
    let (config, _) = Config::discover(args.config.as_deref())?;
    // The variants given, else the config's: a storebench.toml lying in the
    // directory does not add variants to a check of one generation.
    let targets: Vec<(String, Vec<PathBuf>)> = if args.variants.is_empty() {
        config
            .variants
            .iter()
            .map(|(name, cfg)| (name.clone(), cfg.libs.clone()))
            .collect()
    } else {
        args.variants
            .iter()
            .map(|a| variant::parse_arg(a))
            .collect::<Result<_>>()?
    };
    if targets.is_empty() {
        return Err(Error::Usage(
            "nothing to check: give --variant NAME=profile:LINK (or a directory with bin/), or [variants.NAME] in the config".into(),
        ));
    }
    if let Some(dup) = targets
        .iter()
        .enumerate()
        .find(|(i, (n, _))| targets[..*i].iter().any(|(m, _)| m == n))
    {
        return Err(Error::DuplicateVariant(dup.1 .0.clone()));
    }
    if let Some(path) = &args.json {
        crate::tempfiles::check_writable(crate::tempfiles::parent(path), false)
            .map_err(|e| Error::io(path, e))?;
    }
    let timeout = Duration::from_secs_f64(args.timeout);
    let mut reports = Vec::new();
    for (name, roots) in &targets {
        let dirs = smoke::bin_dirs(name, roots)?;
        reports.push((name.clone(), smoke::check(&dirs, &config.smoke, timeout)?));
    }
    print!("{}", render(&reports));
    if let Some(path) = &args.json {
        write_json(path, &reports)?;
    }
    Ok(if reports.iter().any(|(_, r)| r.broken()) {
        exit::BROKEN
    } else {
        exit::OK
    })
}

fn write_json(path: &Path, reports: &[(String, SmokeReport)]) -> Result<()> {
    let outcome = Outcome {
        schema: "storebench-smoke/1",
        variants: reports
            .iter()
            .map(|(name, report)| Named { name, report })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&outcome).expect("serde structs serialize");
    text.push('\n');
    crate::atomic::write(path, text.as_bytes(), None)
}

/// The smoke check of every `profile:` variant, before `run` or `ci` measures:
/// printed on stderr, to be recorded with [`record`]. Nothing when no variant
/// names a profile; a note for one whose generation has no bin directory.
pub(super) fn before_measuring(
    variants: &[Variant],
    config: &Config,
) -> Result<Vec<(String, SmokeReport)>> {
    let mut reports = Vec::new();
    for v in variants.iter().filter(|v| smoke::names_profile(&v.roots)) {
        // A profile of libraries only has no commands to check: that is no
        // reason to refuse measuring it.
        let dirs = match smoke::bin_dirs(&v.name, &v.roots) {
            Err(e @ Error::Smoke { .. }) => {
                eprintln!("note: {e}; not checked");
                continue;
            }
            other => other?,
        };
        reports.push((
            v.name.clone(),
            smoke::check(&dirs, &config.smoke, smoke::TIMEOUT)?,
        ));
    }
    if !reports.is_empty() {
        eprint!("{}", render(&reports));
        for (name, r) in reports.iter().filter(|(_, r)| r.broken()) {
            eprintln!("error: variant `{name}` is broken: a basic command of its generation fails ({}); measuring it anyway, the run will exit 3",
                r.checks.iter().filter(|c| c.status == Status::Broken).map(|c| c.command.as_str()).collect::<Vec<_>>().join(", "));
        }
    }
    Ok(reports)
}

/// Puts each variant's smoke check in the document.
pub(super) fn record(doc: &mut Document, reports: Vec<(String, SmokeReport)>) {
    for (name, report) in reports {
        if let Some(v) = doc.variants.iter_mut().find(|v| v.variant.name == name) {
            v.smoke = Some(report);
        }
    }
}

/// One row per variant, one column per command, then why each that is not ok.
fn render(reports: &[(String, SmokeReport)]) -> String {
    let mut commands: Vec<&str> = Vec::new();
    for (_, r) in reports {
        for c in &r.checks {
            if !commands.contains(&c.command.as_str()) {
                commands.push(&c.command);
            }
        }
    }
    let width = reports
        .iter()
        .map(|(n, _)| n.len())
        .max()
        .unwrap_or(0)
        .max(7);
    let mut out = String::from("smoke check: the basic commands of each variant's generation\n");
    out.push_str(&format!("{:width$}", "variant"));
    for c in &commands {
        out.push_str(&format!("  {:w$}", c, w = c.len().max(7)));
    }
    out.push_str("  verdict\n");
    for (name, r) in reports {
        out.push_str(&format!("{name:width$}"));
        for c in &commands {
            let status = r
                .checks
                .iter()
                .find(|k| k.command == *c)
                .map_or("-", |k| k.status.label());
            out.push_str(&format!("  {:w$}", status, w = c.len().max(7)));
        }
        out.push_str(&format!("  {}\n", r.verdict.label()));
    }
    for (name, r) in reports {
        for c in r.checks.iter().filter(|c| c.status != Status::Ok) {
            if let Some(d) = &c.detail {
                out.push_str(&format!(
                    "  {name} {} {}: {d}\n",
                    c.command,
                    c.status.label()
                ));
            }
        }
    }
    out
}
