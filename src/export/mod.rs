//! Exports: the results document rendered in the formats other tools read
//! (hyperfine JSON, github-action-benchmark, Bencher, Markdown, JUnit, CSV).
//!
//! Each format is one file behind [`Exporter`] and one line in [`EXPORTERS`].
//! An exporter only renders bytes; this module owns writing them, each file
//! through a temporary file beside it and a rename, so a dashboard or a CI step
//! never reads half an export. Nothing here measures, judges or prints: the
//! verdicts come from the document, and the caller says what was written.

mod bencher;
mod csv;
mod github;
mod hyperfine;
mod junit;
mod markdown;

use crate::error::{Error, Result};
use crate::results::{BenchResult, Comparison, Document, Status, Unit};
use std::io::Write;
use std::path::{Path, PathBuf};

/// One export format.
pub trait Exporter: Sync {
    /// The FORMAT of `--export FORMAT=FILE`.
    fn name(&self) -> &'static str;
    /// What the file holds, for `--help`: one sentence or two.
    fn about(&self) -> &'static str;
    /// The files `doc` becomes when FILE is `path`: usually `path` alone.
    fn render(&self, doc: &Document, path: &Path) -> Vec<Output>;
}

/// Every format, in the order `--help` lists them.
pub static EXPORTERS: &[&dyn Exporter] = &[
    &hyperfine::Hyperfine,
    &github::GithubActionBenchmark,
    &bencher::Bencher,
    &markdown::Markdown,
    &junit::Junit,
    &csv::Csv,
];

/// One file an exporter makes.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
    /// Added to the end of the file (a CI step summary) instead of replacing it.
    pub append: bool,
}

impl Output {
    fn replace(path: &Path, bytes: impl Into<Vec<u8>>) -> Output {
        Output {
            path: path.to_owned(),
            bytes: bytes.into(),
            append: false,
        }
    }
}

/// A parsed `--export FORMAT=FILE`.
#[derive(Clone)]
pub struct Request {
    pub exporter: &'static dyn Exporter,
    pub path: PathBuf,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}={}", self.exporter.name(), self.path.display())
    }
}

/// The names of every format, for messages: `hyperfine, bencher, …`.
pub fn names() -> String {
    let names: Vec<&str> = EXPORTERS.iter().map(|e| e.name()).collect();
    names.join(", ")
}

/// The long help of `--export`: every format and what it writes.
pub fn help() -> String {
    let mut text =
        String::from("Write the results in another format too; repeatable. FORMAT is one of:\n");
    for e in EXPORTERS {
        text.push_str(&format!("\n{}: {}\n", e.name(), e.about()));
    }
    text.push_str(
        "\nEach file is written whole or not at all (a temporary file renamed into place).",
    );
    text
}

/// Reads `FORMAT=FILE`; the error says what was wrong and lists the formats.
pub fn parse(arg: &str) -> std::result::Result<Request, String> {
    let Some((format, file)) = arg.split_once('=') else {
        return Err(format!(
            "`{arg}`: expected FORMAT=FILE, e.g. junit=results.xml (formats: {})",
            names()
        ));
    };
    if file.is_empty() {
        return Err(format!("`{arg}`: no FILE after `{format}=`"));
    }
    let exporter = EXPORTERS
        .iter()
        .find(|e| e.name() == format)
        .ok_or_else(|| format!("unknown export format `{format}` (formats: {})", names()))?;
    Ok(Request {
        exporter: *exporter,
        path: PathBuf::from(file),
    })
}

/// Renders and writes one request; returns what was written, in order.
pub fn write(doc: &Document, request: &Request) -> Result<Vec<Output>> {
    let outputs = request.exporter.render(doc, &request.path);
    for out in &outputs {
        if out.append {
            append(&out.path, &out.bytes)?;
        } else {
            crate::atomic::write(&out.path, &out.bytes, None)?;
        }
    }
    Ok(outputs)
}

fn append(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    file.write_all(bytes).map_err(|e| Error::io(path, e))
}

/// `bench [variant]`: how every format names one benchmark of one variant.
fn label(r: &BenchResult) -> String {
    format!("{} [{}]", r.bench, r.variant)
}

/// The comparison of `r` against its reference, if it was compared.
fn comparison<'a>(doc: &'a Document, r: &BenchResult) -> Option<&'a Comparison> {
    doc.comparisons
        .iter()
        .find(|c| c.bench == r.bench && c.variant == r.variant)
}

/// What a figure in `unit` measures, as Bencher and the CSV name it.
fn measure(unit: Unit) -> &'static str {
    match unit {
        Unit::BytesPerSecond => "throughput-bytes",
        Unit::OpsPerSecond => "throughput",
        Unit::Seconds => "latency",
        Unit::Bytes => "memory",
        Unit::CpuSecondsPerSecond => "cpu-usage",
    }
}

/// A result's status as the document spells it.
fn status(s: Status) -> &'static str {
    match s {
        Status::Ok => "ok",
        Status::Broken => "broken",
        Status::Crashed => "crashed",
        Status::Timeout => "timeout",
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::results::ChangeVerdict;

    use crate::report::section::tests::MINIMAL;

    /// Two variants of one benchmark, `b` compared with `a` with `verdict`.
    pub(crate) fn document(bench: &str, verdict: ChangeVerdict) -> Document {
        let mut doc: Document = serde_json::from_str(MINIMAL).expect("the minimal document parses");
        for (variant, secs) in [("a", 1.0), ("b", 1.25)] {
            let rounds = (1..=3)
                .map(|round| crate::results::RoundSample {
                    round,
                    iterations: 10,
                    seconds: secs * (1.0 + f64::from(round) / 100.0),
                    user_seconds: secs,
                    system_seconds: 0.0,
                    ..Default::default()
                })
                .collect();
            doc.results.push(BenchResult::new(
                bench,
                "compression",
                variant,
                Unit::BytesPerSecond,
                1 << 20,
                rounds,
                Status::Ok,
                None,
            ));
        }
        doc.comparisons.push(Comparison {
            bench: bench.into(),
            group: "compression".into(),
            baseline: "a".into(),
            variant: "b".into(),
            change_pct: Some(-20.0),
            ci_low_pct: Some(-22.0),
            ci_high_pct: Some(-18.0),
            mde_pct: Some(2.0),
            paired: true,
            verdict,
            not_rebuilt: vec![],
        });
        doc
    }

    /// [`document`] with a `storebench ci` record of two gates: `fine`
    /// passed, `worse` failed.
    pub(crate) fn with_gates(verdict: ChangeVerdict) -> Document {
        let mut doc = document("x", verdict);
        let gate = |name: &str, passed| crate::results::GateOutcome {
            kind: crate::results::GateKind::Bench,
            name: name.into(),
            variant: "b".into(),
            rule: "regression > 3%".into(),
            passed,
            change_pct: None,
            ci_low_pct: None,
            ci_high_pct: None,
            finding: format!("{name} message & <more>"),
            libraries: vec![],
        };
        doc.ci = Some(crate::results::CiRecord {
            gates: vec![gate("fine", true), gate("worse", false)],
            ..Default::default()
        });
        doc
    }

    #[test]
    fn a_request_names_a_known_format_and_a_file() {
        let r = parse("junit=out/results.xml").unwrap();
        assert_eq!(r.exporter.name(), "junit");
        assert_eq!(r.path, Path::new("out/results.xml"));
        // Only the first `=` separates: a file name may hold one.
        assert_eq!(parse("csv=a=b.csv").unwrap().path, Path::new("a=b.csv"));
    }

    #[test]
    fn an_unknown_format_is_refused_with_the_list_of_formats() {
        let e = parse("yaml=x.yaml").unwrap_err();
        assert!(e.contains("`yaml`"), "{e}");
        for x in EXPORTERS {
            assert!(e.contains(x.name()), "{e} lacks {}", x.name());
        }
        assert!(parse("junit").is_err());
        assert!(parse("junit=").is_err());
    }

    #[test]
    fn format_names_are_unique() {
        let mut names: Vec<&str> = EXPORTERS.iter().map(|e| e.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), EXPORTERS.len());
    }
}
