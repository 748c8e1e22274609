//! `junit`: JUnit XML (the Ant/Jenkins dialect CI systems read), so a
//! regression shows up as a failed test in the CI's own test view.
//!
//! With a `storebench ci` record, each gate is a test case that fails when the
//! gate did, with the gate's message. Otherwise each comparison and each claim
//! is one: a regression or a broken result fails it, a claim that was not
//! measured is skipped, anything else passes.

use super::{Exporter, Output};
use crate::compare::signed;
use crate::results::{ChangeVerdict, ClaimOutcome, Document, GateKind};
use std::fmt::Write;
use std::path::Path;

pub struct Junit;

enum Outcome {
    Passed,
    Failed { kind: String, message: String },
    Skipped(String),
}

struct Case {
    classname: String,
    name: String,
    outcome: Outcome,
}

/// Text for an attribute or element: the five markup characters escaped, and the
/// characters XML 1.0 cannot hold at all (most control characters) replaced.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => {
                let _ = write!(out, "&#{};", c as u32);
            }
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn change(pct: Option<f64>, low: Option<f64>, high: Option<f64>) -> String {
    match (pct, low, high) {
        (Some(p), Some(l), Some(h)) => {
            format!("{} % (95 % CI {} … {})", signed(p), signed(l), signed(h))
        }
        _ => "no figure".into(),
    }
}

fn cases(doc: &Document) -> Vec<(&'static str, Vec<Case>)> {
    if let Some(ci) = &doc.ci {
        let suite = |kind: GateKind, classname: &'static str| {
            let cases = ci.gates.iter().filter(|g| g.kind == kind).map(|g| Case {
                classname: classname.into(),
                name: format!("{} [{}]", g.name, g.variant),
                outcome: match g.passed {
                    true => Outcome::Passed,
                    false => Outcome::Failed {
                        kind: g.rule.clone(),
                        message: g.message(),
                    },
                },
            });
            (classname, cases.collect())
        };
        return vec![
            suite(GateKind::Bench, "storebench.gates.bench"),
            suite(GateKind::Claim, "storebench.gates.claim"),
        ];
    }
    let benches = doc.comparisons.iter().map(|c| Case {
        classname: format!("storebench.{}", c.group),
        name: format!("{} [{} vs {}]", c.bench, c.variant, c.baseline),
        outcome: match c.verdict {
            ChangeVerdict::Regression | ChangeVerdict::Broken => Outcome::Failed {
                kind: c.verdict.label().into(),
                message: format!(
                    "{}: {}",
                    c.verdict.label(),
                    change(c.change_pct, c.ci_low_pct, c.ci_high_pct)
                ),
            },
            _ => Outcome::Passed,
        },
    });
    let claims = doc.claims.iter().map(|c| Case {
        classname: "storebench.claims".into(),
        name: c.id.clone(),
        outcome: match c.verdict {
            ClaimOutcome::Regression | ClaimOutcome::Broken => Outcome::Failed {
                kind: c.verdict.label().into(),
                message: c.sentence.clone(),
            },
            ClaimOutcome::NotMeasured => Outcome::Skipped(c.sentence.clone()),
            _ => Outcome::Passed,
        },
    });
    vec![
        ("storebench.benchmarks", benches.collect()),
        ("storebench.claims", claims.collect()),
    ]
}

fn failed(c: &Case) -> bool {
    matches!(c.outcome, Outcome::Failed { .. })
}

fn write_suite(out: &mut String, name: &str, cases: &[Case], host: &str) {
    let skipped = cases
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Skipped(_)));
    let _ = writeln!(
        out,
        "  <testsuite name=\"{name}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"0\" hostname=\"{}\">",
        cases.len(),
        cases.iter().filter(|c| failed(c)).count(),
        skipped.count(),
        escape(host)
    );
    for c in cases {
        let (class, name) = (escape(&c.classname), escape(&c.name));
        let open = format!("    <testcase classname=\"{class}\" name=\"{name}\" time=\"0\"");
        let inner = match &c.outcome {
            Outcome::Passed => None,
            Outcome::Failed { kind, message } => Some(format!(
                "<failure type=\"{}\" message=\"{}\">{}</failure>",
                escape(kind),
                escape(message),
                escape(message)
            )),
            Outcome::Skipped(why) => Some(format!("<skipped message=\"{}\"/>", escape(why))),
        };
        let _ = match inner {
            None => writeln!(out, "{open}/>"),
            Some(inner) => writeln!(out, "{open}>\n      {inner}\n    </testcase>"),
        };
    }
    out.push_str("  </testsuite>\n");
}

/// The whole XML document.
pub fn render(doc: &Document) -> String {
    let suites = cases(doc);
    let all = || suites.iter().flat_map(|(_, cases)| cases);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"storebench\" tests=\"{}\" failures=\"{}\" errors=\"0\" time=\"0\">",
        all().count(),
        all().filter(|c| failed(c)).count()
    );
    for (name, cases) in &suites {
        write_suite(&mut out, name, cases, &doc.host.hostname);
    }
    out.push_str("</testsuites>\n");
    out
}

impl Exporter for Junit {
    fn name(&self) -> &'static str {
        "junit"
    }

    fn about(&self) -> &'static str {
        "JUnit XML: a test case per gate of a ci run, else per comparison and per claim, failed on a regression or a broken result"
    }

    fn render(&self, doc: &Document, path: &Path) -> Vec<Output> {
        vec![Output::replace(path, render(doc))]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_quotes_and_control_characters_are_escaped() {
        assert_eq!(
            escape(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;"
        );
        assert_eq!(escape("a\u{0}b\u{1b}c\nd"), "a\u{FFFD}b\u{FFFD}c&#10;d");
        assert_eq!(escape("gzip ≥ 1.2"), "gzip ≥ 1.2");
    }

    #[test]
    fn a_hostile_benchmark_name_stays_inside_its_attribute() {
        let evil = "x\"/><testcase name=\"injected\"/><!--";
        let doc = super::super::tests::document(evil, ChangeVerdict::Regression);
        let xml = render(&doc);
        assert_eq!(xml.matches("<testcase ").count(), 1, "{xml}");
        assert!(!xml.contains("<!--"), "{xml}");
        assert!(xml.contains("failures=\"1\""), "{xml}");
    }

    #[test]
    fn with_a_ci_record_the_gates_are_the_cases() {
        let doc = super::super::tests::with_gates(ChangeVerdict::Regression);
        let xml = render(&doc);
        // Two gates, one failed; the comparison's own regression is not a case.
        assert_eq!(xml.matches("<testcase ").count(), 2, "{xml}");
        assert_eq!(xml.matches("<failure ").count(), 1, "{xml}");
        assert!(
            xml.contains("message=\"worse message &amp; &lt;more&gt;\""),
            "{xml}"
        );
    }
}
