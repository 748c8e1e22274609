//! `storebench list`, `corpus` and `discover`: what there is to measure, the
//! bytes it is measured on, and the Nix generations worth comparing.

use super::Selection;
use crate::config::Config;
use crate::error::{exit, Error, Result};
use crate::nix;
use crate::workload::corpus::CorpusSpec;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

pub const DISCOVER_HELP: &str = "\
Without PROFILE, looks at /nix/var/nix/profiles/system and the home-manager profiles
of the current user (~/.local/state/nix/profiles/home-manager and
/nix/var/nix/profiles/per-user/$USER/home-manager). Uses `nix-store --query
--requisites`, so it works with and without the experimental `nix` command.

Exit codes: 0 listed, 2 no profile found or a profile could not be read.";

#[derive(Args)]
pub struct CorpusArgs {
    /// The directory to write `text`, `json` and `binary` into.
    dir: PathBuf,
    /// The seed of a run (see its results document) to reproduce its corpora.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Size of each corpus, in KiB.
    #[arg(long, value_name = "KIB", default_value_t = 1024, value_parser = super::flags::kib)]
    corpus_kib: usize,
}

#[derive(Args)]
pub struct DiscoverArgs {
    /// Profile links, e.g. /nix/var/nix/profiles/system.
    #[arg(value_name = "PROFILE")]
    profiles: Vec<PathBuf>,
}

#[derive(Args)]
pub struct ListArgs {
    /// The config whose [commands.NAME] to list too. Default: storebench.toml in
    /// the current directory, when present.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(flatten)]
    selection: Selection,
}

pub fn list(args: ListArgs) -> Result<i32> {
    let corpus = args.selection.corpus(false, 0);
    let (config, _) = Config::discover(args.config.as_deref())?;
    let mut out = std::io::stdout().lock();
    for b in args.selection.benches(&corpus, &config, &[])? {
        let mut libs: Vec<&str> = b.libraries.iter().map(|l| l.soname()).collect();
        libs.extend(b.interpreter().map(|i| i.executable()));
        let _ = writeln!(
            out,
            "{:<32} {:<12} {:<5} {:<13} {}",
            b.id,
            b.group,
            b.unit.symbol(),
            block_label(crate::workload::nominal_block(&b.id)),
            libs.join(" ")
        );
    }
    Ok(exit::OK)
}

/// `block 64 KiB`, or `-` for a benchmark measured on all of its input.
pub fn block_label(block: Option<u64>) -> String {
    block.map_or("-".into(), |b| format!("block {}", bytes_label(b)))
}

/// `64 KiB`, or `1000 B` when not a whole number of KiB.
pub fn bytes_label(b: u64) -> String {
    if b % 1024 == 0 {
        format!("{} KiB", b / 1024)
    } else {
        format!("{b} B")
    }
}

pub fn corpus(args: CorpusArgs) -> Result<i32> {
    let spec = CorpusSpec::Generated {
        seed: args.seed,
        bytes: args.corpus_kib * 1024,
    };
    std::fs::create_dir_all(&args.dir).map_err(|e| Error::io(&args.dir, e))?;
    let corpora = spec.load()?;
    for (c, info) in corpora.iter().zip(spec.describe(&corpora)) {
        let path = args.dir.join(&c.name);
        crate::tempfiles::replace(&path, |f| std::io::Write::write_all(f, &c.data))
            .map_err(|e| Error::io(&path, e))?;
        println!(
            "{}  {} bytes  sha256:{}",
            path.display(),
            info.bytes,
            info.sha256
        );
    }
    Ok(exit::OK)
}

pub fn discover(args: DiscoverArgs) -> Result<i32> {
    let profiles = if args.profiles.is_empty() {
        let home = std::env::var("HOME").unwrap_or_default();
        let user = std::env::var("USER").unwrap_or_else(|_| "root".into());
        [
            "/nix/var/nix/profiles/system".to_string(),
            format!("{home}/.local/state/nix/profiles/home-manager"),
            format!("/nix/var/nix/profiles/per-user/{user}/home-manager"),
        ]
        .into_iter()
        .map(PathBuf::from)
        .filter(|p| p.symlink_metadata().is_ok())
        .collect()
    } else {
        args.profiles
    };
    if profiles.is_empty() {
        return Err(Error::Nix {
            path: "/nix/var/nix/profiles/system".into(),
            why: "no system or home-manager profile found; name a profile, e.g. storebench discover /nix/var/nix/profiles/per-user/$USER/profile".into(),
        });
    }
    let mut out = std::io::stdout().lock();
    for profile in profiles {
        if profile.symlink_metadata().is_err() {
            return Err(Error::Nix {
                path: profile,
                why: "no such profile; `ls -l /nix/var/nix/profiles` lists the system's, ~/.local/state/nix/profiles the user's".into(),
            });
        }
        let gens = nix::discover(&profile)?;
        if gens.is_empty() {
            return Err(Error::Nix {
                path: profile,
                why: "not a profile: no generation links (NAME-N-link) beside it".into(),
            });
        }
        let _ = writeln!(out, "{}: {} generations", profile.display(), gens.len());
        for (i, g) in gens.iter().enumerate() {
            let _ = writeln!(out, "  generation {}  {}", g.number, g.link.display());
            for (lib, path) in &g.libraries {
                let before = i.checked_sub(1).and_then(|j| gens[j].libraries.get(lib));
                let mark = if i > 0 && before != Some(path) {
                    "  ← changed"
                } else {
                    ""
                };
                let _ = writeln!(out, "    {:<10} {}{mark}", lib.name(), path.short());
            }
        }
        let differ = gens
            .windows(2)
            .rev()
            .find(|w| w[0].libraries != w[1].libraries);
        match differ {
            Some([a, b]) => {
                let _ = writeln!(
                    out,
                    "  compare: storebench run --variant gen-{}=profile:{} --variant gen-{}=profile:{}\n",
                    a.number,
                    a.link.display(),
                    b.number,
                    b.link.display()
                );
            }
            _ => {
                let _ = writeln!(
                    out,
                    "  no two generations differ in a benchmarked library\n"
                );
            }
        }
    }
    Ok(exit::OK)
}
