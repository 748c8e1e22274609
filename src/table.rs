//! The terminal view of a run: one row per benchmark and variant, the median
//! throughput, its spread, and the paired change against the first variant.

use crate::results::{Document, Status};
use crate::stats::{self, Bootstrap};
use std::fmt::Write;

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
            format!("vs {first} (95 % CI)")
        } else {
            String::new()
        },
    ]];
    for r in &doc.results {
        let (median, spread) = match (&r.throughput, r.status) {
            (Some(t), Status::Ok) => (
                human_rate(t.median, r.unit.symbol()),
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
                match stats::paired_ratio(&base.figures(), &r.figures(), boot) {
                    Some(i) => format!("{} ({} … {})", pct(i.estimate), pct(i.low), pct(i.high)),
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
        for other in &rec.same_files_as {
            let _ = writeln!(out, "  A/A: `{}` loaded byte-identical libraries to `{other}`: any difference between them is noise", v.name);
        }
    }
    out
}
