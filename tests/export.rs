//! `--export FORMAT=FILE` end to end: the real binary measures (once, shared)
//! or compares stored runs, and each export is read by a real consumer of its
//! format: `jsonschema` against the schema written from the format's
//! documentation (tests/schemas/), `junitparser` and `xmllint --schema` for the
//! JUnit XML, Python's csv module, `storebench compare` for the hyperfine JSON.
//!
//! The Python modules are Debian's (`scripts/install-deps test`), so they are
//! run with /usr/bin/python3 rather than whatever python3 is first on PATH.

mod common;

use common::{copy_system_libs, read_json, storebench, text, SYSTEM_LIBS};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

const FORMATS: [(&str, &str); 6] = [
    ("hyperfine", "hyperfine.json"),
    ("github-action-benchmark", "gab.json"),
    ("bencher", "bmf.json"),
    ("markdown", "summary.md"),
    ("junit", "junit.xml"),
    ("csv", "results.csv"),
];

/// What the GitHub step summary held before storebench appended to it.
const EARLIER_SUMMARY: &str = "## an earlier step\n";

fn schemas() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas")
}

/// `--export FORMAT=DIR/FILE` for every format.
fn export_args(dir: &Path) -> Vec<String> {
    FORMATS
        .iter()
        .flat_map(|(format, file)| {
            [
                "--export".into(),
                format!("{format}={}", dir.join(file).display()),
            ]
        })
        .collect()
}

/// A directory with `run.json`, the six exports of a quick two-variant run
/// (made once for all tests) and `summary.txt`, the step summary it appended to.
fn measured() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("export-run");
        // One fixed place, emptied first; the files stay to be looked at after a failure.
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let summary = dir.join("summary.txt");
        std::fs::write(&summary, EARLIER_SUMMARY).unwrap();
        let copy = copy_system_libs(&["libz.so.1"]);
        let out = storebench()
            .args([
                "run",
                "--quick",
                "--bench",
                "compress/zlib/*",
                "--no-report",
                "--no-history",
            ])
            .arg(format!("--variant=a={SYSTEM_LIBS}"))
            .arg(format!("--variant=b={}", copy.path().display()))
            .arg(format!("--json={}", dir.join("run.json").display()))
            .args(export_args(&dir))
            .env("GITHUB_STEP_SUMMARY", &summary)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        for (format, file) in FORMATS {
            let line = format!("exported {format} to {}", dir.join(file).display());
            assert!(stderr.contains(&line), "no `{line}`:\n{}", text(&out));
        }
        dir
    })
}

/// Runs a Python snippet with Debian's interpreter; `args` become sys.argv[1:].
fn python(code: &str, args: &[&Path]) -> Output {
    let out = std::process::Command::new("/usr/bin/python3")
        .arg("-c")
        .arg(code)
        .args(args)
        .output()
        .expect("/usr/bin/python3 runs (scripts/install-deps test)");
    assert_eq!(out.status.code(), Some(0), "python failed:\n{}", text(&out));
    out
}

fn validate_json_schema(schema: &str, file: &Path) {
    python(
        "import json, sys, jsonschema\n\
         schema = json.load(open(sys.argv[1])); jsonschema.Draft7Validator.check_schema(schema)\n\
         jsonschema.validate(json.load(open(sys.argv[2])), schema)",
        &[&schemas().join(schema), file],
    );
}

/// `bench [variant]` of every result with a figure, whose unit is (not) a rate.
fn labels(doc: &Value, rates: bool) -> BTreeSet<String> {
    let results = doc["results"].as_array().unwrap();
    results
        .iter()
        .filter(|r| !r["throughput"].is_null())
        .filter(|r| (r["unit"] == "B/s" || r["unit"] == "op/s") == rates)
        .map(|r| {
            format!(
                "{} [{}]",
                r["bench"].as_str().unwrap(),
                r["variant"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn github_action_benchmark_export_matches_the_action_s_input_shape() {
    let dir = measured();
    let doc = read_json(&dir.join("run.json"));
    validate_json_schema("github-action-benchmark.schema.json", &dir.join("gab.json"));
    let entries = read_json(&dir.join("gab.json"));
    let names: BTreeSet<String> = entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap().into())
        .collect();
    assert_eq!(names, labels(&doc, true));
    assert!(!names.is_empty());
    // Every zlib figure is a rate: nothing is smaller-is-better, so no second file.
    assert!(labels(&doc, false).is_empty());
    assert!(!dir.join("gab-smaller.json").exists());
    let compared = entries
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["name"].as_str().unwrap().ends_with("[b]"));
    for e in compared {
        assert!(e["extra"].as_str().unwrap().contains("vs a"), "{e}");
    }
}

#[test]
fn bencher_export_matches_the_bencher_metric_format() {
    let dir = measured();
    let doc = read_json(&dir.join("run.json"));
    validate_json_schema("bencher-bmf.schema.json", &dir.join("bmf.json"));
    let bmf = read_json(&dir.join("bmf.json"));
    let names: BTreeSet<String> = bmf.as_object().unwrap().keys().cloned().collect();
    assert_eq!(names, labels(&doc, true));
    for measures in bmf.as_object().unwrap().values() {
        let m = &measures["throughput-bytes"];
        let (lo, v, hi) = (
            m["lower_value"].as_f64().unwrap(),
            m["value"].as_f64().unwrap(),
            m["upper_value"].as_f64().unwrap(),
        );
        assert!(lo <= v && v <= hi && lo > 0.0, "{m}");
    }
}

#[test]
fn a_schema_refuses_what_the_format_does_not_allow() {
    // The validation above is only worth something if the schemas can fail.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"[{"name": "x", "unit": "B/s", "value": "fast"}]"#).unwrap();
    let out = std::process::Command::new("/usr/bin/python3")
        .args(["-c", "import json, sys, jsonschema; jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))"])
        .arg(schemas().join("github-action-benchmark.schema.json"))
        .arg(&bad)
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));
}

/// The test case names and the failed ones, as junitparser reads `file`.
fn junit_cases(file: &Path) -> (Vec<String>, BTreeSet<String>) {
    let out = python(
        "import sys, json\n\
         from junitparser import JUnitXml, Failure\n\
         cases = [c for suite in JUnitXml.fromfile(sys.argv[1]) for c in suite]\n\
         print(json.dumps([[c.name, any(isinstance(r, Failure) for r in c.result)] for c in cases]))",
        &[file],
    );
    let cases: Vec<(String, bool)> = serde_json::from_slice(&out.stdout).unwrap();
    let failed = cases.iter().filter(|c| c.1).map(|c| c.0.clone()).collect();
    (cases.into_iter().map(|c| c.0).collect(), failed)
}

fn xmllint(file: &Path) {
    let out = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(schemas().join("junit.xsd"))
        .arg(file)
        .output()
        .expect("xmllint runs (scripts/install-deps test)");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

/// The test cases a document should give, and which of them should fail.
fn expected_cases(doc: &Value) -> (usize, BTreeSet<String>) {
    let bad = |v: &Value| v == "regression" || v == "broken";
    let comparisons = doc["comparisons"].as_array().unwrap();
    let claims = doc["claims"].as_array().unwrap();
    let failed = comparisons
        .iter()
        .filter(|c| bad(&c["verdict"]))
        .map(|c| {
            format!(
                "{} [{} vs {}]",
                c["bench"].as_str().unwrap(),
                c["variant"].as_str().unwrap(),
                c["baseline"].as_str().unwrap()
            )
        })
        .chain(
            claims
                .iter()
                .filter(|c| bad(&c["verdict"]))
                .map(|c| c["id"].as_str().unwrap().to_string()),
        )
        .collect();
    (comparisons.len() + claims.len(), failed)
}

#[test]
fn junit_export_has_a_case_per_comparison_and_claim_and_fails_the_regressions() {
    let dir = measured();
    let doc = read_json(&dir.join("run.json"));
    xmllint(&dir.join("junit.xml"));
    let (cases, failed) = junit_cases(&dir.join("junit.xml"));
    let (count, should_fail) = expected_cases(&doc);
    assert!(count > 0);
    assert_eq!(cases.len(), count, "{cases:?}");
    assert_eq!(failed, should_fail);
}

#[test]
fn csv_export_has_a_row_per_benchmark_variant_and_metric() {
    let dir = measured();
    let doc = read_json(&dir.join("run.json"));
    let out = python(
        "import csv, sys, json\n\
         rows = list(csv.DictReader(open(sys.argv[1], newline='')))\n\
         print(json.dumps(rows))",
        &[&dir.join("results.csv")],
    );
    let rows: Vec<serde_json::Map<String, Value>> = serde_json::from_slice(&out.stdout).unwrap();
    let results = doc["results"].as_array().unwrap();
    let timed = results
        .iter()
        .filter(|r| {
            r["times"].as_array().is_some_and(|t| !t.is_empty()) && r.get("values").is_none()
        })
        .count();
    assert_eq!(rows.len(), results.len() + timed);
    let compared = rows
        .iter()
        .filter(|r| !r["verdict"].as_str().unwrap().is_empty())
        .count();
    assert_eq!(compared, doc["comparisons"].as_array().unwrap().len());
    for row in &rows {
        assert!(
            row["median"].as_str().unwrap().parse::<f64>().is_ok(),
            "{row:?}"
        );
    }
}

#[test]
fn markdown_export_is_written_and_appended_to_the_step_summary() {
    let dir = measured();
    let doc = read_json(&dir.join("run.json"));
    let md = std::fs::read_to_string(dir.join("summary.md")).unwrap();
    let header = "| benchmark | variant | median | change (95 % CI) | verdict | note |";
    assert!(md.contains(header), "{md}");
    let rows = md
        .lines()
        .skip_while(|l| *l != header)
        .skip(2)
        .take_while(|l| l.starts_with('|'));
    assert_eq!(rows.count(), doc["results"].as_array().unwrap().len());
    assert!(md.contains("### Claims"), "{md}");
    let summary = std::fs::read_to_string(dir.join("summary.txt")).unwrap();
    assert!(summary.starts_with(EARLIER_SUMMARY), "{summary}");
    assert!(summary.ends_with(&md), "{summary}");
}

#[test]
fn hyperfine_export_is_read_back_as_a_hyperfine_run() {
    let dir = measured();
    let doc = read_json(&dir.join("run.json"));
    let file = dir.join("hyperfine.json");
    let back = storebench::baseline::load(&file).unwrap();
    assert_eq!(back.tool.name, "hyperfine");
    let commands: Vec<&str> = back.results.iter().map(|r| r.bench.as_str()).collect();
    let ours: Vec<&str> = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["command"].as_str().unwrap())
        .collect();
    assert_eq!(commands, ours);
    let out = storebench()
        .arg("compare")
        .arg(&file)
        .arg(&file)
        .args(["--no-report", "--no-history"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(ours[0]),
        "{}",
        text(&out)
    );
}

/// `run` with variant `b` made 1.5 times slower, in `dir`: a certain regression.
fn slower_copy(run: &Path, dir: &Path) -> PathBuf {
    let mut doc = read_json(run);
    for r in doc["results"].as_array_mut().unwrap() {
        if r["variant"] != "b" {
            continue;
        }
        for t in r["times"].as_array_mut().unwrap() {
            *t = (t.as_f64().unwrap() * 1.5).into();
        }
        for round in r["rounds"].as_array_mut().unwrap() {
            round["seconds"] = (round["seconds"].as_f64().unwrap() * 1.5).into();
        }
    }
    let path = dir.join("slower.json");
    std::fs::write(&path, serde_json::to_string(&doc).unwrap()).unwrap();
    path
}

#[test]
fn comparing_stored_runs_exports_the_regressions_as_failures() {
    let run = measured().join("run.json");
    let dir = tempfile::tempdir().unwrap();
    let slower = slower_copy(&run, dir.path());
    let out = storebench()
        .arg("compare")
        .arg(&run)
        .arg(&slower)
        .args(["--no-report", "--no-history"])
        .arg(format!(
            "--json={}",
            dir.path().join("compared.json").display()
        ))
        .args(export_args(dir.path()))
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let doc = read_json(&dir.path().join("compared.json"));
    let junit = dir.path().join("junit.xml");
    xmllint(&junit);
    let (cases, failed) = junit_cases(&junit);
    let (count, should_fail) = expected_cases(&doc);
    assert_eq!(cases.len(), count);
    assert_eq!(failed, should_fail);
    assert!(
        failed.iter().any(|name| name.contains("[b vs ")),
        "{failed:?}"
    );
    assert!(
        cases
            .iter()
            .any(|name| name.contains("[a vs ") && !failed.contains(name)),
        "{cases:?}"
    );
    validate_json_schema(
        "github-action-benchmark.schema.json",
        &dir.path().join("gab.json"),
    );
    validate_json_schema("bencher-bmf.schema.json", &dir.path().join("bmf.json"));
    let md = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(md.contains("| regression |"), "{md}");
}

#[test]
fn an_unknown_format_is_refused_with_the_list_of_formats() {
    let out = storebench()
        .args(["compare", "a.json", "b.json", "--export", "yaml=out.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unknown export format `yaml`"), "{stderr}");
    for (format, _) in FORMATS {
        assert!(stderr.contains(format), "{stderr}");
    }
}

#[test]
fn an_unwritable_export_file_is_an_error_that_names_it() {
    let run = measured().join("run.json");
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("no-such-dir/junit.xml");
    let out = storebench()
        .arg("compare")
        .arg(&run)
        .arg(&run)
        .args(["--no-report", "--no-history"])
        .arg(format!("--export=junit={}", target.display()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("error: {}", target.display())),
        "{stderr}"
    );
}
