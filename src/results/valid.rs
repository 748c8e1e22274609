//! What a results document may hold: the bounds on every number in it ([`crate::bounds`]), checked
//! once when a stored document is loaded (a results file, a baseline, a
//! hyperfine export, a run from the history), so that no later stage meets a
//! time that is zero, negative or subnormal, a count that makes it work for
//! hours, or a setting that cannot become a `Duration`.
//!
//! The command line's flags use the same bounds, so a run storebench writes
//! always loads back.

use super::{BenchResult, Document, Settings, Status};
use crate::bounds::{
    MAX_CORPUS_BYTES, MAX_RESULTS, MAX_SAMPLES, MAX_SECONDS, MAX_SLICE_SECONDS, MAX_SPAN_SECONDS,
    MAX_TIMEOUT_SECONDS, MIN_SECONDS,
};

/// The largest figure (bytes of memory, seconds, a rate) or percentage.
const MAX_FIGURE: f64 = 1e30;

/// Where in the document a number lies and what is wrong with it.
pub type Invalid = String;

/// Checks every number of `doc` against the bounds above; the error names the
/// field (`results[3] (compress/zlib/l1/text [stock]).times[2]`) and says why.
pub fn check(doc: &Document) -> Result<(), Invalid> {
    settings(&doc.settings)?;
    count("results", doc.results.len(), MAX_RESULTS)?;
    for (i, c) in doc.corpora.iter().enumerate() {
        if c.bytes == 0 || c.bytes > MAX_CORPUS_BYTES {
            return Err(format!(
                "corpora[{i}] ({}).bytes is {}: a corpus holds 1 byte to {MAX_CORPUS_BYTES} bytes",
                c.name, c.bytes
            ));
        }
    }
    for (i, r) in doc.results.iter().enumerate() {
        result(r).map_err(|why| format!("results[{i}] ({} [{}]).{why}", r.bench, r.variant))?;
    }
    let changes = doc.ci.iter().flat_map(|ci| &ci.changes);
    for (i, c) in doc.comparisons.iter().chain(changes).enumerate() {
        let at = format!("comparisons[{i}] ({} [{}])", c.bench, c.variant);
        figures(&at, [c.change_pct, c.ci_low_pct, c.ci_high_pct, c.mde_pct])?;
    }
    for (i, g) in doc.groups.iter().enumerate() {
        let at = format!("groups[{i}] ({})", g.group);
        let (low, high) = (g.ci_low_pct, g.ci_high_pct);
        figures(&at, [Some(g.change_pct), Some(low), Some(high), None])?;
    }
    for (i, c) in doc.claims.iter().enumerate() {
        let at = format!("claims[{i}] ({})", c.id);
        figure(&format!("{at}.range_pct[0]"), c.range_pct[0], -MAX_FIGURE)?;
        figure(&format!("{at}.range_pct[1]"), c.range_pct[1], -MAX_FIGURE)?;
        figures(&at, [c.change_pct, c.ci_low_pct, c.ci_high_pct, c.mde_pct])?;
    }
    if let Some(p) = &doc.probe {
        span(
            "probe.interval_seconds",
            p.interval_seconds,
            MAX_SPAN_SECONDS,
        )?;
        count("probe.samples", p.samples, MAX_SAMPLES)?;
        count("probe.processes", p.processes.len(), MAX_RESULTS)?;
        for (i, q) in p.processes.iter().enumerate() {
            count(
                &format!("probe.processes[{i}].samples"),
                q.samples,
                MAX_SAMPLES,
            )?;
            if let Some(cpu) = q.median_cpu {
                figure(&format!("probe.processes[{i}].median_cpu"), cpu, 0.0)?;
            }
        }
    }
    if let Some(ci) = &doc.ci {
        count("ci.confirm_rounds", ci.confirm_rounds as usize, MAX_SAMPLES)?;
        let env = &ci.environment;
        for (k, x) in env.load_average.iter().enumerate() {
            figure(&format!("ci.environment.load_average[{k}]"), *x, 0.0)?;
        }
        figure("ci.environment.cpu_busy_pct", env.cpu_busy_pct, 0.0)?;
        figure("ci.environment.steal_pct", env.steal_pct, 0.0)?;
        for (k, b) in env.busiest.iter().enumerate() {
            figure(
                &format!("ci.environment.busiest[{k}].cpu_pct"),
                b.cpu_pct,
                0.0,
            )?;
        }
        for (k, g) in ci.gates.iter().enumerate() {
            for (name, x) in [
                ("change_pct", g.change_pct),
                ("ci_low_pct", g.ci_low_pct),
                ("ci_high_pct", g.ci_high_pct),
            ] {
                if let Some(x) = x {
                    figure(&format!("ci.gates[{k}].{name}"), x, -MAX_FIGURE)?;
                }
            }
        }
    }
    Ok(())
}

fn settings(s: &Settings) -> Result<(), Invalid> {
    count("settings.rounds", s.rounds as usize, MAX_SAMPLES)?;
    span("settings.slice_seconds", s.slice_seconds, MAX_SLICE_SECONDS)?;
    span(
        "settings.timeout_seconds",
        s.timeout_seconds,
        MAX_TIMEOUT_SECONDS,
    )?;
    if !(0.0..=100.0).contains(&s.noise_pct) {
        return Err(format!(
            "settings.noise_pct is {}: a noise threshold is 0 to 100 %",
            s.noise_pct
        ));
    }
    if let Some(why) = s.stopping.as_ref().and_then(|d| d.invalid()) {
        return Err(format!("settings.stopping: {why}"));
    }
    if let Some(t) = s.max_time_seconds {
        span("settings.max_time_seconds", t, MAX_SPAN_SECONDS)?;
    }
    count("settings.cpus", s.cpus.len(), libc::CPU_SETSIZE as usize)?;
    if let Some(c) = s.cpus.iter().find(|&&c| c >= libc::CPU_SETSIZE as usize) {
        return Err(format!("settings.cpus holds {c}, which is no CPU number"));
    }
    Ok(())
}

/// One entry, its field named in the error relative to the entry.
fn result(r: &BenchResult) -> Result<(), Invalid> {
    count("times", r.times.len(), MAX_SAMPLES)?;
    count("values", r.values.len(), MAX_SAMPLES)?;
    count("rounds", r.rounds.len(), MAX_SAMPLES)?;
    count("exit_codes", r.exit_codes.len(), MAX_SAMPLES)?;
    for (i, t) in r.times.iter().enumerate() {
        time(&format!("times[{i}]"), *t)?;
    }
    for (i, v) in r.values.iter().enumerate() {
        figure(&format!("values[{i}]"), *v, 0.0)?;
    }
    for (i, round) in r.rounds.iter().enumerate() {
        let at = format!("rounds[{i}]");
        if round.iterations == 0 {
            return Err(format!("{at}.iterations is 0: a round runs at least once"));
        }
        time(&format!("{at}.seconds"), round.seconds)?;
        figure(&format!("{at}.user_seconds"), round.user_seconds, 0.0)?;
        figure(&format!("{at}.system_seconds"), round.system_seconds, 0.0)?;
        count(&format!("{at}.turns"), round.turns.len(), MAX_SAMPLES)?;
        for (k, t) in round.turns.iter().enumerate() {
            time(&format!("{at}.turns[{k}]"), *t)?;
        }
    }
    for (name, x) in [
        ("mean", r.mean),
        ("stddev", r.stddev),
        ("median", r.median),
        ("user", r.user),
        ("system", r.system),
        ("min", r.min),
        ("max", r.max),
    ] {
        if let Some(x) = x {
            figure(name, x, 0.0)?;
        }
    }
    if let Some(s) = &r.throughput {
        count("throughput.n", s.n, MAX_SAMPLES)?;
        for (name, x) in [
            ("mean", s.mean),
            ("median", s.median),
            ("stddev", s.stddev),
            ("mad", s.mad),
            ("min", s.min),
            ("max", s.max),
        ] {
            figure(&format!("throughput.{name}"), x, 0.0)?;
        }
        count("throughput.outliers", s.outliers.len(), MAX_SAMPLES)?;
    }
    if r.status == Status::Ok && r.times.is_empty() && r.values.is_empty() {
        return Err(
            "times is empty, yet the status is ok: a measurement holds at least one figure".into(),
        );
    }
    Ok(())
}

fn count(at: &str, n: usize, max: usize) -> Result<(), Invalid> {
    if n > max {
        return Err(format!("{at} holds {n}: at most {max} are accepted"));
    }
    Ok(())
}

/// A time per iteration: positive, normal, within [MIN_SECONDS, MAX_SECONDS].
fn time(at: &str, t: f64) -> Result<(), Invalid> {
    if !(MIN_SECONDS..=MAX_SECONDS).contains(&t) {
        return Err(format!(
            "{at} is {t}: a time is a positive number of seconds from {MIN_SECONDS} to {MAX_SECONDS}"
        ));
    }
    Ok(())
}

/// A setting's time span: 0 (not used) up to `max` seconds.
fn span(at: &str, t: f64, max: f64) -> Result<(), Invalid> {
    if !(0.0..=max).contains(&t) {
        return Err(format!("{at} is {t}: it must be 0 to {max} seconds"));
    }
    Ok(())
}

/// Any other figure: finite, from `min` up to MAX_FIGURE.
/// A change's four figures at `at` (change, CI low, CI high, MDE), each checked
/// when present; `None` is the document's "no figure" (`null`).
fn figures(at: &str, xs: [Option<f64>; 4]) -> Result<(), Invalid> {
    let names = ["change_pct", "ci_low_pct", "ci_high_pct", "mde_pct"];
    for (name, x) in names.iter().zip(xs) {
        if let Some(x) = x {
            figure(&format!("{at}.{name}"), x, -MAX_FIGURE)?;
        }
    }
    Ok(())
}

fn figure(at: &str, x: f64, min: f64) -> Result<(), Invalid> {
    if !(min..=MAX_FIGURE).contains(&x) {
        return Err(format!(
            "{at} is {x}: it must be a number from {min} to {MAX_FIGURE}"
        ));
    }
    Ok(())
}
