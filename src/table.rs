//! The terminal view of a run: one row per benchmark and variant, the median
//! figure, its spread, and the paired change against the first variant.

use crate::results::{Document, Status};
use crate::stats::{self, Bootstrap};
use crate::workload::Unit;
use std::fmt::Write;

/// A figure in its unit: rates with SI prefixes, durations in s, ms or µs,
/// memory in binary units.
pub fn human(value: f64, unit: Unit) -> String {
    match unit {
        Unit::Seconds => human_seconds(value),
        Unit::Bytes => human_bytes(value),
        Unit::CpuSecondsPerSecond => format!("{value:.2} {}", unit.symbol()),
        Unit::BytesPerSecond | Unit::OpsPerSecond => human_rate(value, unit.symbol()),
    }
}

/// `1.23 s`, `45.6 ms`, `789 µs`.
pub fn human_seconds(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 1e-3 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{:.0} µs", s * 1e6)
    }
}

/// `50.0 MiB`: memory in binary units, as `ps` and `smem` count it.
pub fn human_bytes(bytes: f64) -> String {
    for (scale, unit) in [(1u64 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")] {
        if bytes >= scale as f64 {
            return format!("{:.1} {unit}", bytes / scale as f64);
        }
    }
    format!("{bytes:.0} B")
}

/// The change users quote, from the ratio after / before: the gain of a rate
/// ("+20 %" faster), the reduction of a time or an amount ("+35 %" less), so
/// that positive always means better.
fn change_pct(ratio: f64, higher_is_better: bool) -> f64 {
    if higher_is_better {
        (ratio - 1.0) * 100.0
    } else {
        (1.0 - ratio) * 100.0
    }
}

/// `312.4 MB/s`, `1.23 Mop/s`: SI prefixes, as `zstd -b` and lzbench count.
pub fn human_rate(value: f64, unit: &str) -> String {
    let (unit_prefix, unit_rest) = unit.split_at(unit.find('/').unwrap_or(unit.len()));
    for (scale, prefix) in [(1e9, "G"), (1e6, "M"), (1e3, "k")] {
        if value >= scale {
            return format!("{:.2} {prefix}{unit_prefix}{unit_rest}", value / scale);
        }
    }
    format!("{value:.1} {unit}")
}

/// Formats a ratio b/a as a signed change, `+3.2 %`.
pub fn pct(ratio: f64) -> String {
    format!("{:+.1} %", (ratio - 1.0) * 100.0)
}

pub fn render(doc: &Document) -> String {
    let first = doc
        .variants
        .first()
        .map(|v| v.variant.name.as_str())
        .unwrap_or("");
    let many = doc.variants.len() > 1;
    let mut rows: Vec<[String; 5]> = vec![[
        "benchmark".into(),
        "variant".into(),
        "median".into(),
        "spread".into(),
        if many {
            format!("vs {first} (95 % CI, + = better)")
        } else {
            String::new()
        },
    ]];
    for r in &doc.results {
        let (median, spread) = match (&r.throughput, r.status) {
            (Some(t), Status::Ok) => (
                human(t.median, r.unit),
                format!("±{:.1} %", 100.0 * t.mad / t.median),
            ),
            (_, status) => (format!("{status:?}").to_uppercase(), String::new()),
        };
        let versus = match doc.result(&r.bench, first) {
            Some(base)
                if many
                    && r.variant != first
                    && r.status == Status::Ok
                    && base.status == Status::Ok =>
            {
                let boot = Bootstrap {
                    seed: doc.seed,
                    ..Bootstrap::default()
                };
                let up = r.unit.higher_is_better();
                let pct = |ratio| format!("{:+.1} %", change_pct(ratio, up));
                let (low, high) = if up { (0, 1) } else { (1, 0) };
                match stats::paired_ratio(&base.figures(), &r.figures(), boot) {
                    Some(i) => {
                        let ends = [i.low, i.high];
                        format!(
                            "{} ({} … {})",
                            pct(i.estimate),
                            pct(ends[low]),
                            pct(ends[high])
                        )
                    }
                    None => "n/a (too few rounds)".into(),
                }
            }
            _ => String::new(),
        };
        rows.push([r.bench.clone(), r.variant.clone(), median, spread, versus]);
    }
    let widths: Vec<usize> = (0..5)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in &rows {
        let line: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, cell)| {
                if c >= 2 {
                    format!("{cell:>w$}", w = widths[c])
                } else {
                    format!("{cell:<w$}", w = widths[c])
                }
            })
            .collect();
        let _ = writeln!(out, "{}", line.join("  ").trim_end());
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
        for other in &rec.same_files_as {
            let _ = writeln!(out, "  A/A: `{}` loaded byte-identical files to `{other}`: any difference between them is noise", v.name);
        }
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
    let columns = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..columns)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in rows {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (cell, &w))| {
                if left.contains(&c) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_use_binary_prefixes_from_kib_up() {
        assert_eq!(human_bytes(0.0), "0 B");
        assert_eq!(human_bytes(1023.0), "1023 B");
        assert_eq!(human_bytes(1536.0), "1.5 KiB");
        assert_eq!(human_bytes(240.4 * 1024.0 * 1024.0), "240.4 MiB");
        assert_eq!(human_bytes(3.0 * (1u64 << 30) as f64), "3.0 GiB");
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

    #[test]
    fn durations_and_memory_read_in_their_own_units() {
        assert_eq!(human(1.234, Unit::Seconds), "1.23 s");
        assert_eq!(human(0.0456, Unit::Seconds), "45.6 ms");
        assert_eq!(human(0.000789, Unit::Seconds), "789 µs");
        assert_eq!(human(1536.0, Unit::Bytes), "1.5 KiB");
        assert_eq!(human(200.0 * 1048576.0, Unit::Bytes), "200.0 MiB");
        assert_eq!(human(2.5e9, Unit::BytesPerSecond), "2.50 GB/s");
    }

    #[test]
    fn positive_change_means_better_in_either_direction() {
        assert!((change_pct(1.2, true) - 20.0).abs() < 1e-9);
        assert!((change_pct(0.65, false) - 35.0).abs() < 1e-9);
        assert!(change_pct(1.1, false) < 0.0);
    }
}
