//! `probe --libraries`: the flags, the sampler run beside the probe's window,
//! and the table of CPU shares by shared object.

use crate::error::Result;
use crate::probe::{Event, LibrarySampler, Observation, Probe, DEFAULT_HZ};
use crate::results::libraries::LibraryShares;
use crate::results::Document;
use clap::Args;
use std::sync::atomic::{AtomicBool, Ordering};

/// Rows of the shares table before the rest is summed up.
const SHOWN: usize = 15;

#[derive(Args)]
pub(super) struct LibraryArgs {
    /// Also sample where the processes' CPU time goes, by shared object (a perf
    /// software clock; needs kernel.perf_event_paranoid ≤ 1 or root, see
    /// --user-only). Writes `probe.libraries` in the JSON document; `storebench
    /// impact` joins it with a run.
    #[arg(long)]
    libraries: bool,
    /// With --libraries: samples per second of each thread's CPU time.
    #[arg(long, value_name = "HZ", default_value_t = DEFAULT_HZ,
          value_parser = clap::value_parser!(u32).range(1..=10_000), requires = "libraries")]
    sample_hz: u32,
    /// With --libraries: sample user space only, what perf_event_paranoid = 2
    /// allows an unprivileged user. Kernel time is then left out of the total.
    #[arg(long, requires = "libraries")]
    user_only: bool,
}

/// Runs the probe's window, and with --libraries the sampler beside it.
pub(super) fn observe(
    probe: &Probe,
    args: &LibraryArgs,
    seed: u64,
    on_event: &mut dyn FnMut(Event),
) -> Result<(Observation, Option<LibraryShares>)> {
    if !args.libraries {
        return Ok((probe.observe(on_event)?, None));
    }
    let mut sampler = LibrarySampler::start(&probe.selector, args.sample_hz, !args.user_only)?;
    let stop = AtomicBool::new(false);
    let observation = std::thread::scope(|s| {
        let running = s.spawn(|| sampler.run(&probe.selector, &stop));
        let observation = probe.observe(on_event);
        stop.store(true, Ordering::Relaxed);
        let _ = running.join();
        observation
    })?;
    Ok((observation, Some(sampler.finish(seed))))
}

/// The shares table of a probe made with --libraries; nothing otherwise.
pub(super) fn print(doc: &Document) {
    let Some(lib) = doc.probe.as_ref().and_then(|p| p.libraries.as_ref()) else {
        return;
    };
    print!("{}", render(lib));
}

fn render(lib: &LibraryShares) -> String {
    let mut out = format!(
        "\nCPU by object: {} samples of {} at {} Hz{}, {} thread(s){}\n",
        lib.samples,
        lib.event,
        lib.sample_hz,
        if lib.kernel_sampled {
            ""
        } else {
            ", user space only"
        },
        lib.threads,
        if lib.lost > 0 {
            format!(", {} records lost", lib.lost)
        } else {
            String::new()
        }
    );
    out.push_str(&format!(
        "  {:<34} {:>10} {:>8} {:>17}  {}\n",
        "object", "kind", "samples", "share (95 % CI)", "path"
    ));
    for o in lib.objects.iter().take(SHOWN) {
        let path = o
            .file
            .as_ref()
            .map(|f| f.real_path.display().to_string())
            .or_else(|| o.mapped_path.clone())
            .unwrap_or_default();
        out.push_str(&format!(
            "  {:<34} {:>10} {:>8} {:>6.1} % {:>4.1}–{:<4.1}  {path}\n",
            o.name,
            format!("{:?}", o.kind).to_lowercase(),
            o.samples,
            o.share_pct,
            o.ci_low_pct,
            o.ci_high_pct
        ));
    }
    let rest = &lib.objects[lib.objects.len().min(SHOWN)..];
    if !rest.is_empty() {
        let pct: f64 = rest.iter().map(|o| o.share_pct).sum();
        out.push_str(&format!(
            "  … {} more objects, {pct:.1} % together\n",
            rest.len()
        ));
    }
    for r in &lib.refused {
        out.push_str(&format!("  not sampled: {r}\n"));
    }
    out.push_str(&format!("  CI: {}\n", lib.ci_method));
    out
}
