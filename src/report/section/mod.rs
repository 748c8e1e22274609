//! The page, section by section, in the order a reader asks: what holds
//! (summary, claims), where (per group), how noisy (distributions), since when
//! (history), and on what (provenance). Each section is one file.

mod attribution;
mod claims;
mod distributions;
mod groups;
mod history;
mod impact;
mod provenance;
mod summary;

use super::chart::{self, Chart};
use super::{palette, Esc};
use crate::error::Result;
use crate::results::{Document, Status};
use std::fmt::Write;

/// What every section reads.
pub struct Page<'a> {
    /// The document the page is about: the newest.
    pub doc: &'a Document,
    /// Its variant names, in order; the index fixes a variant's colour.
    pub variants: Vec<String>,
    /// Every document given, oldest first (for the history).
    pub docs: Vec<&'a Document>,
}

impl Page<'_> {
    /// The groups of the document, in the order their benchmarks ran.
    pub fn groups(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for r in &self.doc.results {
            if !out.contains(&r.group.as_str()) {
                out.push(&r.group);
            }
        }
        out
    }
}

const STYLE: &str = include_str!("style.css");

pub fn page(page: &Page) -> Result<String> {
    let doc = page.doc;
    let mut out = String::with_capacity(1 << 20);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
         <title>storebench report · {}</title>\n<style>\n{STYLE}{}</style>\n</head>\n<body>\n",
        Esc(&doc.started),
        palette::badge_css()
    );
    summary::render(page, &mut out);
    claims::render(page, &mut out)?;
    groups::render(page, &mut out)?;
    impact::render(page, &mut out);
    attribution::render(page, &mut out)?;
    distributions::render(page, &mut out)?;
    history::render(page, &mut out)?;
    provenance::render(page, &mut out);
    let _ = write!(
        out,
        "<footer>Written by {} {} from the results of {}.</footer>\n</body>\n</html>\n",
        Esc(&doc.tool.name),
        Esc(&doc.tool.version),
        Esc(&doc.started)
    );
    Ok(out)
}

/// A chart as a `<figure>`: the SVG inline, named for screen readers, and its
/// title as the caption.
fn figure(out: &mut String, chart: &dyn Chart) -> Result<()> {
    let svg = chart::render(chart)?;
    let title = chart.title();
    let body = svg.strip_prefix("<svg").unwrap_or(&svg);
    let _ = write!(
        out,
        "<figure class=\"chart\" id=\"chart-{}\">\n<svg role=\"img\" aria-label=\"{}\"{body}<figcaption>{}</figcaption>\n</figure>\n",
        slug(&chart.id()),
        Esc(&title),
        Esc(&title)
    );
    Ok(())
}

/// A string usable in an HTML id: lower-case ASCII letters, digits and dashes.
fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// `+3.2 %`.
fn pct(x: f64) -> String {
    if x.is_finite() {
        format!("{x:+.1} %")
    } else {
        "–".into()
    }
}

/// `+3.2 % (+1.0 … +5.4 %)`.
fn pct_ci(estimate: f64, low: f64, high: f64) -> String {
    format!(
        "{} <span class=\"ci\">({:+.1} … {:+.1} %)</span>",
        pct(estimate),
        low,
        high
    )
}

fn status_word(status: Status) -> &'static str {
    match status {
        Status::Ok => "ok",
        Status::Broken => "broken",
        Status::Crashed => "crashed",
        Status::Timeout => "timed out",
    }
}

/// A coloured badge that also says its word.
fn badge(look: palette::Look) -> String {
    format!("<span class=\"badge {}\">{}</span>", look.class, look.label)
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// The smallest document serde accepts: a run with nothing in it.
    pub const MINIMAL: &str = r#"{
        "schema": "storebench/1",
        "tool": {"name": "storebench", "version": "0.0.0"},
        "started": "2025-01-01T00:00:00Z",
        "command_line": ["storebench", "run"],
        "host": {"hostname": "h", "kernel": "k", "cpu_model": "c", "cpu_flags": [], "cpus": 1, "memory_bytes": 0},
        "seed": 1,
        "settings": {"rounds": 1, "slice_seconds": 0.1, "timeout_seconds": 1, "bench_patterns": []},
        "corpora": [],
        "variants": [],
        "results": []
    }"#;

    const EVIL: &str = "<script>alert(1)</script>";

    /// A document where every string a user or a file system could choose
    /// holds markup: variant, paths, environment, command line, host, corpus,
    /// benchmark, group, claim texts, error messages.
    fn hostile_document() -> Document {
        use crate::results::Unit;
        use crate::results::*;
        let e = serde_json::to_string(EVIL).unwrap();
        let object = format!(
            r#"{{"path": {e}, "real_path": {e}, "store_path": {e}, "sha256": {e}, "bytes": 1}}"#
        );
        let variant = |name: &str| {
            format!(
                r#"{{"name": {name}, "roots": [{e}], "lib_dirs": [{e}], "env": {{{e}: {e}}}, "description": {e},
                    "provenance": {{"libraries": [{{"library": "zlib", "version": {e}, "path": {e}, "real_path": "/x", "sha256": {e}, "bytes": 1}}],
                                   "objects": [{object}]}},
                    "same_files_as": [{e}]}}"#
            )
        };
        let mut doc: Document = serde_json::from_str(MINIMAL).unwrap();
        doc.command_line = vec![EVIL.into(), format!("--variant={EVIL}")];
        doc.host.hostname = EVIL.into();
        doc.host.cpu_model = EVIL.into();
        doc.host.cpu_flags = vec![EVIL.into()];
        doc.started = EVIL.into();
        doc.tool.version = EVIL.into();
        doc.corpora = serde_json::from_str(&format!(
            r#"[{{"name": {e}, "bytes": 1, "sha256": {e}, "source": {e}}}]"#
        ))
        .unwrap();
        doc.variants =
            serde_json::from_str(&format!("[{}, {}]", variant(r#""base""#), variant(&e))).unwrap();
        let rounds: Vec<RoundSample> = (0..3)
            .map(|round| RoundSample {
                round,
                iterations: 10,
                seconds: 1.0 + f64::from(round) / 10.0,
                user_seconds: 1.0,
                system_seconds: 0.0,
                ..Default::default()
            })
            .collect();
        for (variant, status) in [
            ("base", Status::Ok),
            (EVIL, Status::Ok),
            (EVIL, Status::Broken),
        ] {
            let bench = if status == Status::Ok {
                EVIL.to_string()
            } else {
                format!("{EVIL}/2")
            };
            let error = (status != Status::Ok).then(|| EVIL.to_string());
            doc.results.push(BenchResult::new(
                &bench,
                EVIL,
                variant,
                Unit::BytesPerSecond,
                1000,
                rounds.clone(),
                status,
                error,
            ));
        }
        doc.comparisons = vec![Comparison {
            bench: EVIL.into(),
            group: EVIL.into(),
            baseline: "base".into(),
            variant: EVIL.into(),
            change_pct: Some(4.0),
            ci_low_pct: Some(1.0),
            ci_high_pct: Some(7.0),
            mde_pct: Some(3.0),
            paired: true,
            verdict: ChangeVerdict::Improvement,
            not_rebuilt: vec![EVIL.into()],
        }];
        doc.groups = vec![GroupComparison {
            group: EVIL.into(),
            baseline: "base".into(),
            variant: EVIL.into(),
            benches: 1,
            change_pct: 4.0,
            ci_low_pct: 1.0,
            ci_high_pct: 7.0,
            paired: true,
            rebuilt: true,
            not_rebuilt: vec![EVIL.into()],
            left_out: 1,
        }];
        doc.claims = vec![ClaimVerdict {
            id: EVIL.into(),
            title: EVIL.into(),
            range_pct: [3.0, 8.0],
            baseline: Some(EVIL.into()),
            variant: Some(EVIL.into()),
            change_pct: Some(4.0),
            ci_low_pct: Some(1.0),
            ci_high_pct: Some(7.0),
            mde_pct: Some(3.0),
            paired: Some(true),
            verdict: ClaimOutcome::Confirmed,
            sentence: EVIL.into(),
            benches: vec![EVIL.into()],
            not_rebuilt: vec![EVIL.into()],
            notes: vec![EVIL.into()],
        }];
        doc
    }

    #[test]
    fn markup_in_any_input_reaches_the_page_only_as_text() {
        let doc = hostile_document();
        let mut older = doc.clone();
        older.started = "2000-01-01T00:00:00Z".into();
        let html = crate::report::render(&[older, doc]).unwrap();
        assert!(!html.contains("<script"), "an unescaped input string");
        assert!(!html.contains("</script"));
        // In HTML text, in SVG text (charts, legends), in attributes.
        let escaped = html
            .matches("&lt;script&gt;alert(1)&lt;/script&gt;")
            .count();
        assert!(escaped > 40, "only {escaped} escaped copies");
        for chart in [
            "chart-claims",
            "chart-distribution-script-alert-1-script",
            "chart-history-script-alert-1-script",
        ] {
            assert!(html.contains(&format!("id=\"{chart}\"")), "no {chart}");
        }
    }

    #[test]
    fn slugs_keep_ids_valid() {
        assert_eq!(slug("forest-compression"), "forest-compression");
        assert_eq!(slug("throughput-aes-B/s"), "throughput-aes-b-s");
        assert_eq!(slug("<x> \"y\""), "x-y");
    }

    #[test]
    fn an_empty_document_still_makes_a_page() {
        let doc: Document = serde_json::from_str(MINIMAL).unwrap();
        let html = crate::report::render(&[doc]).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("id=\"claims-table\""));
        assert!(html.ends_with("</html>\n"));
    }
}
