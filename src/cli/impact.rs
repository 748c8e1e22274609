//! `storebench impact PROBE.json RUN.json`: what the run's rebuild would save
//! the probed workload, printed as a table and optionally written as JSON.

use crate::compare::signed;
use crate::error::{exit, Result};
use crate::impact::{self, Impact, Projection};
use crate::results::Document;
use clap::Args;
use std::path::PathBuf;

pub(super) const ABOUT: &str = "\
Examples:
  storebench probe --pid 4242 --tree --duration 30s --libraries --json probe.json
  storebench run --variant stock=/nix/store/…-zlib --variant optimized=/nix/store/…-zlib-native --json run.json
  storebench impact probe.json run.json --json impact.json

For each object the probe sampled (probe --libraries), the run's benchmarks of that
library (compress/zlib/* for libz, libc/* for libc.so.6, python/* for the
interpreter) give a change: the geometric mean and its 95 % CI. A library whose
work runs r times as fast takes 1 − 1/r of its time off, so the workload saves
Σ share × (1 − 1/r) of its CPU time. The ceiling (Amdahl) is the share of all
measured objects: the saving if they took no time at all. Objects the run did not
measure are unknown, not zero. The CI carries both the shares' and the changes'
uncertainty (delta method). Claims of the run are judged as the workload's
projected speed-up over the objects their benchmarks measure.

Exit codes: 0 projected, 2 bad input (not a probe with --libraries, a run that
compares nothing, an unknown --variant).";

#[derive(Args)]
pub(super) struct ImpactArgs {
    /// A probe document made with `probe --libraries --json`.
    #[arg(value_name = "PROBE.json")]
    probe: PathBuf,
    /// A run document with at least two variants (`run --json`).
    #[arg(value_name = "RUN.json")]
    run: PathBuf,
    /// The run's variant to project (against the run's first). Default: the second.
    #[arg(long, value_name = "NAME")]
    variant: Option<String>,
    /// Write the projection as JSON.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
}

pub(super) fn impact(args: ImpactArgs) -> Result<i32> {
    if let Some(path) = &args.json {
        super::outputs::writable(path, true)?;
    }
    let probe = Document::read(&args.probe)?;
    let run = Document::read(&args.run)?;
    let projected = impact::project(&probe, &run, args.variant.as_deref())?;
    print!("{}", render(&projected));
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&projected).expect("serializable");
        crate::atomic::write(path, text.as_bytes(), None)?;
        eprintln!("wrote {}", path.display());
    }
    Ok(exit::OK)
}

fn ci(v: [f64; 2]) -> String {
    format!("{}…{}", signed(v[0]), signed(v[1]))
}

fn render(i: &Impact) -> String {
    let mut out = format!(
        "impact of `{}` (against `{}`) on a workload of {} samples{}\n",
        i.variant,
        i.baseline,
        i.samples,
        if i.kernel_sampled {
            ""
        } else {
            " (user space only)"
        }
    );
    out.push_str(&format!(
        "  {:<28} {:>16}  {:>24}  {:>22}  {:>8}\n",
        "object", "share %", "change % (95 % CI)", "time saved %", "saving %"
    ));
    for o in &i.objects {
        let share = format!(
            "{:.1} {:.1}–{:.1}",
            o.share_pct, o.share_ci_pct[0], o.share_ci_pct[1]
        );
        let (change, saved, saving) = match &o.change {
            Some(c) if c.not_rebuilt => (
                format!("not rebuilt: same file ({} b.)", c.benches),
                "0".into(),
                signed(0.0),
            ),
            Some(c) => (
                format!(
                    "{} {} ({} b.)",
                    signed(c.change_pct),
                    ci(c.change_ci_pct),
                    c.benches
                ),
                format!("{} {}", signed(c.time_saved_pct), ci(c.time_saved_ci_pct)),
                o.saving_pct.map_or(String::new(), signed),
            ),
            None if o.share_pct < 0.5 => continue,
            None => ("unknown: not measured".into(), String::new(), "?".into()),
        };
        out.push_str(&format!(
            "  {:<28} {share:>16}  {change:>24}  {saved:>22}  {saving:>8}\n",
            o.name
        ));
    }
    let hidden = i
        .objects
        .iter()
        .filter(|o| o.change.is_none() && o.share_pct < 0.5)
        .count();
    if hidden > 0 {
        out.push_str(&format!(
            "  ({hidden} unmeasured objects under 0.5 % each not shown; all are in --json)\n"
        ));
    }
    out.push_str(&line("projected", &i.projection));
    for c in &i.claims {
        out.push_str(&format!(
            "claim {} ({}–{} %): {}",
            c.id, c.range_pct[0], c.range_pct[1], c.verdict
        ));
        if let Some(p) = &c.projection {
            out.push_str(&format!(
                " — over {}: this workload {} % faster ({})",
                c.subjects.join(", "),
                signed(p.speedup_pct),
                ci(p.speedup_ci_pct)
            ));
        }
        out.push('\n');
    }
    out.push_str(&format!("CI: {}\n", i.method));
    out
}

fn line(what: &str, p: &Projection) -> String {
    format!(
        "{what}: CPU time saved {} % (95 % CI {}), the workload {} % faster ({}); ceiling if the measured objects took no time: {:.1} % ({:.1}–{:.1})\n",
        signed(p.saving_pct),
        ci(p.saving_ci_pct),
        signed(p.speedup_pct),
        ci(p.speedup_ci_pct),
        p.ceiling_pct,
        p.ceiling_ci_pct[0],
        p.ceiling_ci_pct[1]
    )
}
