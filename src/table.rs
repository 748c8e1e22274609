//! The terminal view of a run: per benchmark and variant the median figure, its
//! spread and the change against the reference with its CI, MDE and verdict; then
//! the groups, the claims and what each variant loaded.
//!
//! Everything shown comes from the results document: the verdicts are made before
//! (by `compare` and `claims`), this module only lays them out.

pub mod attribution;

use crate::format::{change_with_ci, human, human_bytes, optional_change};
use crate::results::{ChangeVerdict, Comparison, Document, Status};
use std::fmt::Write;

/// Columns padded to their widest cell; the first `left` columns align left.
pub fn layout(rows: &[Vec<String>], left: usize) -> String {
    pad(rows, |c| c < left)
}

/// Rows may be shorter than others: a missing cell is simply not printed.
fn pad(rows: &[Vec<String>], align_left: impl Fn(usize) -> bool) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (cell, &w))| {
                if align_left(c) {
                    format!("{cell:<w$}")
                } else {
                    format!("{cell:>w$}")
                }
            })
            .collect();
        let _ = writeln!(out, "{}", line.join("  ").trim_end());
    }
    out
}

fn median_and_spread(doc: &Document, bench: &str, variant: &str) -> (String, String) {
    match doc.result(bench, variant) {
        Some(r) => match (&r.throughput, r.status) {
            (Some(t), Status::Ok) if t.median > 0.0 => (
                human(t.median, r.unit),
                format!("±{:.1} %", 100.0 * t.mad / t.median),
            ),
            (_, status) => (format!("{status:?}").to_uppercase(), String::new()),
        },
        None => ("-".into(), String::new()),
    }
}

/// One row per benchmark and variant of `doc`, with the change of its comparison
/// when it has one. With `before` (a stored run and its label), each benchmark's
/// rows are preceded by the stored run's rows they were compared with.
pub fn render_against(doc: &Document, before: Option<(&Document, &str)>) -> String {
    let with_changes = !doc.comparisons.is_empty();
    let mut header = vec![
        "benchmark".into(),
        "variant".into(),
        "median".into(),
        "spread".into(),
    ];
    if with_changes {
        let mut baselines: Vec<&str> = doc
            .comparisons
            .iter()
            .map(|c| c.baseline.as_str())
            .collect();
        baselines.dedup();
        header.push(match baselines[..] {
            [one] => format!("vs {one} (95 % CI)"),
            _ => "change (95 % CI)".into(),
        });
        header.extend(["MDE".into(), "verdict".into()]);
        if doc.comparisons.iter().any(|c| !c.not_rebuilt.is_empty()) {
            header.push("note".into());
        }
    }
    let mut rows = vec![header];
    let mut shown_before: Vec<(String, String)> = Vec::new();
    for r in &doc.results {
        let comparison = doc
            .comparisons
            .iter()
            .find(|c| c.bench == r.bench && c.variant == r.variant);
        if let (Some((run, label)), Some(c)) = (before, comparison) {
            if let Some(old) = c.baseline.strip_prefix(&format!("{label}:")) {
                let key = (r.bench.clone(), old.to_string());
                if !shown_before.contains(&key) {
                    let (median, spread) = median_and_spread(run, &r.bench, old);
                    rows.push(vec![r.bench.clone(), c.baseline.clone(), median, spread]);
                    shown_before.push(key);
                }
            }
        }
        let (median, spread) = median_and_spread(doc, &r.bench, &r.variant);
        let mut row = vec![r.bench.clone(), r.variant.clone(), median, spread];
        if let Some(c) = comparison {
            row.extend(change_cells(c));
            row.extend(c.rebuilt_mark());
        }
        rows.push(row);
    }
    layout(&rows, 2)
}

fn change_cells(c: &Comparison) -> [String; 3] {
    let (Some(pct), Some(low), Some(high), Some(mde)) =
        (c.change_pct, c.ci_low_pct, c.ci_high_pct, c.mde_pct)
    else {
        let why = match c.verdict {
            ChangeVerdict::Broken => "no figure",
            _ => "too few rounds",
        };
        return [why.into(), String::new(), c.verdict.label().into()];
    };
    [
        change_with_ci(pct, low, high),
        format!("±{mde:.1} %"),
        c.verdict.label().into(),
    ]
}

/// The geometric mean of each group, per comparison.
pub fn render_groups(doc: &Document) -> String {
    if doc.groups.is_empty() {
        return String::new();
    }
    let mut rows = vec![vec![
        "group".into(),
        "variant".into(),
        "vs".into(),
        "benchmarks".into(),
        "geometric mean (95 % CI)".into(),
        "MDE".into(),
    ]];
    if doc.groups.iter().any(|g| g.rebuilt_mark().is_some()) {
        rows[0].push("note".into());
    }
    for g in &doc.groups {
        let mut row = vec![
            g.group.clone(),
            g.variant.clone(),
            g.baseline.clone(),
            g.benches.to_string(),
            change_with_ci(g.change_pct, g.ci_low_pct, g.ci_high_pct),
            format!("±{:.1} %", (g.ci_high_pct - g.ci_low_pct) / 2.0),
        ];
        row.extend(g.rebuilt_mark());
        rows.push(row);
    }
    layout(&rows, 3)
}

/// One row per claim verdict, then its sentence on a line of its own.
pub fn render_claims(doc: &Document) -> String {
    let mut out = String::new();
    let mut rows = vec![vec![
        "claim".into(),
        "variant".into(),
        "claimed".into(),
        "measured (95 % CI)".into(),
        "MDE".into(),
        "verdict".into(),
    ]];
    for c in &doc.claims {
        let [min, max] = c.range_pct;
        let measured = optional_change(c.change_pct, c.ci_low_pct, c.ci_high_pct, "-");
        rows.push(vec![
            c.id.clone(),
            c.variant.clone().unwrap_or_else(|| "-".into()),
            format!("{min}–{max} %"),
            measured,
            c.mde_pct.map_or("-".into(), |m| format!("±{m:.1} %")),
            c.verdict.label().into(),
        ]);
    }
    out.push_str(&layout(&rows, 2));
    for c in &doc.claims {
        let _ = writeln!(out, "  {}", c.sentence);
    }
    out
}

/// Per variant: each benchmarked library's file, version and store path, and the
/// A/A label when two variants loaded the same bytes.
pub fn render_provenance(doc: &Document) -> String {
    let mut out = String::new();
    for rec in &doc.variants {
        let v = &rec.variant;
        let _ = writeln!(
            out,
            "{}{}",
            v.name,
            v.description
                .as_ref()
                .map(|d| format!(" — {d}"))
                .unwrap_or_default()
        );
        if let Some(p) = &rec.provenance {
            for lib in &p.libraries {
                let _ = writeln!(
                    out,
                    "  {:<10} {:<12} {}  sha256:{}",
                    lib.library.name(),
                    lib.version.as_deref().unwrap_or("-"),
                    lib.object.real_path.display(),
                    &lib.object.sha256[..12]
                );
            }
        }
        if let Some(g) = rec.provenance.as_ref().and_then(|p| p.glibc.as_ref()) {
            let how = if g.started_through_loader() {
                "started through this loader"
            } else {
                "the system's loader"
            };
            let _ = writeln!(
                out,
                "  {:<10} {:<12} {}  sha256:{}  ({how}: {})",
                "glibc",
                g.version,
                g.libc.real_path.display(),
                &g.libc.sha256[..12],
                g.loader.real_path.display()
            );
        }
        for i in rec.provenance.iter().flat_map(|p| &p.interpreters) {
            let _ = writeln!(
                out,
                "  {:<10} {:<12} {}  sha256:{}",
                i.interpreter.name(),
                i.version,
                i.object.real_path.display(),
                &i.object.sha256[..12]
            );
        }
        for line in rec
            .provenance
            .iter()
            .flat_map(|p| &p.code_path)
            .flat_map(|c| c.lines())
        {
            let _ = writeln!(out, "  {line}");
        }
        for other in &rec.same_files_as {
            let _ = writeln!(out, "  A/A: `{}` loaded byte-identical files to `{other}`: any difference between them is noise", v.name);
        }
    }
    out
}

/// What the verdicts add up to, for each A/A pair, and what to do about the
/// inconclusive ones.
pub fn render_summary(doc: &Document) -> String {
    let mut out = String::new();
    let mut pairs: Vec<(&str, &str)> = doc
        .comparisons
        .iter()
        .map(|c| (c.baseline.as_str(), c.variant.as_str()))
        .collect();
    pairs.dedup();
    for (baseline, variant) in pairs {
        let aa = doc
            .variant(variant)
            .is_some_and(|v| v.same_files_as.iter().any(|o| o == baseline));
        if !aa {
            continue;
        }
        let of: Vec<_> = doc
            .comparisons
            .iter()
            .filter(|c| c.baseline == baseline && c.variant == variant)
            .collect();
        let count = |v: ChangeVerdict| of.iter().filter(|c| c.verdict == v).count();
        let changed = count(ChangeVerdict::Improvement) + count(ChangeVerdict::Regression);
        let _ = writeln!(
            out,
            "A/A: `{variant}` and `{baseline}` loaded byte-identical libraries: {} of {} benchmarks show no change, {changed} a change (false positives), {} inconclusive",
            count(ChangeVerdict::NoChange),
            of.len(),
            count(ChangeVerdict::Inconclusive)
        );
    }
    // What was not rebuilt, beside what was, is a control (see runner::controls).
    let any_rebuilt = doc.comparisons.iter().any(|c| c.not_rebuilt.is_empty());
    let (controls, open): (Vec<_>, Vec<_>) = doc
        .comparisons
        .iter()
        .filter(|c| c.verdict == ChangeVerdict::Inconclusive)
        .partition(|c| any_rebuilt && !c.not_rebuilt.is_empty());
    if !open.is_empty() {
        let noise = doc.settings.noise_pct;
        let _ = writeln!(
            out,
            "{} comparison(s) inconclusive: the CI holds zero but reaches past ±{noise} %; a sequential run with a larger --budget, or more --rounds, would tell",
            open.len()
        );
    }
    if !controls.is_empty() {
        let _ = writeln!(
            out,
            "{} comparison(s) of what was not rebuilt (the same files in both variants) inconclusive: controls, whose difference is noise by construction{}",
            controls.len(),
            doc.settings.stopping.map_or(String::new(), |d| format!(
                "; a sequential run gives them its first {} rounds and no more",
                d.min_rounds
            ))
        );
    }
    if doc.settings.stopping.is_some() && !doc.settings.unsettled.is_empty() {
        let _ = writeln!(
            out,
            "sequential: {} benchmark(s) still open when --budget ran out: {}",
            doc.settings.unsettled.len(),
            doc.settings.unsettled.join(", ")
        );
    }
    out
}

/// A probe run: one row per process counted (medians over the samples it was
/// alive in, and when it was), the sum row (medians of the per-sample sums, the
/// figures comparisons use), and every process skipped with its reason.
pub fn render_probe(doc: &Document) -> String {
    let Some(p) = &doc.probe else {
        return String::new();
    };
    let label = doc.variants.first().map_or("", |v| v.variant.name.as_str());
    let median = |metric: &str| {
        doc.result(&crate::probe::bench_id(&p.name, metric), label)
            .and_then(|r| r.throughput.as_ref())
            .map_or(f64::NAN, |s| s.median)
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "probe {} [{label}]: {} samples, one every {} — {}",
        p.name,
        p.samples,
        humantime::format_duration(std::time::Duration::from_secs_f64(p.interval_seconds)),
        p.selectors.join(" ")
    );
    let mut rows: Vec<Vec<String>> = vec![[
        "pid", "process", "samples", "PSS", "RSS", "USS", "swap", "CPU", "command",
    ]
    .map(String::from)
    .to_vec()];
    for q in &p.processes {
        rows.push(vec![
            q.pid.to_string(),
            q.name.clone(),
            format!("{}–{}", q.first_sample, q.last_sample),
            human_bytes(q.median_pss as f64),
            human_bytes(q.median_rss as f64),
            human_bytes(q.median_uss as f64),
            human_bytes(q.median_swap as f64),
            q.median_cpu.map_or("-".into(), |c| format!("{c:.2}")),
            q.command.chars().take(60).collect(),
        ]);
    }
    rows.push(vec![
        "sum".into(),
        match p.processes.len() {
            1 => "1 process".into(),
            n => format!("{n} processes"),
        },
        format!("1–{}", p.samples),
        human_bytes(median("pss")),
        human_bytes(median("rss")),
        human_bytes(median("uss")),
        human_bytes(median("swap")),
        format!("{:.2}", median("cpu")),
        String::new(),
    ]);
    out.push_str(&align(&rows, &[1, 8]));
    let _ = writeln!(
        out,
        "medians over samples; CPU in cpu-s/s (1.00 = one core busy); sum = per-sample sums"
    );
    for s in &p.skipped {
        let _ = writeln!(
            out,
            "skipped {} ({}, uid {}): {}",
            s.pid, s.name, s.uid, s.reason
        );
    }
    out
}

/// Rows as columns padded to their widest cell: right-aligned, except the
/// columns in `left`.
fn align(rows: &[Vec<String>], left: &[usize]) -> String {
    pad(rows, |c| left.contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_groups_of_files_not_rebuilt_are_marked() {
        let doc = crate::compare::tests::only_zlib_rebuilt_judged();
        let table = render_against(&doc, None);
        let line = |bench: &str| {
            table
                .lines()
                .find(|l| l.starts_with(bench) && l.contains("opt"))
                .unwrap()
                .to_string()
        };
        assert!(
            line("libc/memcpy/4096").ends_with("not rebuilt: the same glibc file"),
            "{table}"
        );
        assert!(
            !line("compress/zlib/l6/text").contains("not rebuilt"),
            "{table}"
        );
        let groups = render_groups(&doc);
        let group = |g: &str| {
            groups
                .lines()
                .find(|l| l.starts_with(g))
                .unwrap()
                .to_string()
        };
        assert!(
            group("libc").ends_with("not rebuilt: the same glibc file, an A/A mean"),
            "{groups}"
        );
        assert!(
            group("compression").ends_with("1 left out, not rebuilt: the same zstd file"),
            "{groups}"
        );
    }

    #[test]
    fn inconclusive_controls_are_told_apart_from_open_verdicts() {
        let mut doc = crate::compare::tests::only_zlib_rebuilt_judged();
        for c in &mut doc.comparisons {
            c.verdict = ChangeVerdict::Inconclusive;
        }
        let summary = render_summary(&doc);
        assert!(
            summary.contains("2 comparison(s) inconclusive: the CI holds zero"),
            "{summary}"
        );
        assert!(
            summary.contains("2 comparison(s) of what was not rebuilt (the same files in both variants) inconclusive: controls"),
            "{summary}"
        );
        // Where nothing was rebuilt (an A/A run) there are no controls.
        for c in &mut doc.comparisons {
            c.not_rebuilt = vec!["glibc".into()];
        }
        let summary = render_summary(&doc);
        assert!(
            summary.contains("4 comparison(s) inconclusive: the CI holds zero"),
            "{summary}"
        );
        assert!(!summary.contains("controls"), "{summary}");
    }

    #[test]
    fn aligned_columns_pad_to_the_widest_cell() {
        let rows = vec![
            vec!["pid".to_string(), "process".into(), "PSS".into()],
            vec!["12345".to_string(), "sh".into(), "1.0 MiB".into()],
        ];
        assert_eq!(
            align(&rows, &[1]),
            "  pid  process      PSS\n12345  sh       1.0 MiB\n"
        );
    }
}
