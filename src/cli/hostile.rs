//! Stored documents with any JSON value in any field: loading gives an error
//! naming the file, or a document that every later stage (the comparisons and
//! claims, the table, the exports, the page) handles without a panic or a hang.

use crate::claims::{self, Claims};
use crate::compare::Options;
use crate::results::Document;
use proptest::prelude::*;
use serde_json::{json, Value};

fn result(bench: &str, variant: &str, times: [f64; 3]) -> Value {
    let work = 1000u64;
    let rates: Vec<f64> = times.iter().map(|t| work as f64 / t).collect();
    json!({
        "command": format!("{bench} [{variant}]"),
        "mean": times[1], "stddev": 0.001, "median": times[1], "user": times[1],
        "system": 0.0, "min": times[0], "max": times[2],
        "times": times, "exit_codes": [0, 0, 0],
        "parameters": {"bench": bench, "variant": variant},
        "bench": bench, "group": "compression", "variant": variant, "unit": "B/s",
        "work_per_iter": work,
        "rounds": times.iter().enumerate().map(|(i, t)| json!({
            "round": i, "iterations": 10, "seconds": t * 10.0,
            "user_seconds": t * 10.0, "system_seconds": 0.0, "turns": [t, t]
        })).collect::<Vec<_>>(),
        "throughput": {"n": 3, "mean": rates[1], "median": rates[1], "stddev": 1.0,
                       "mad": 1.0, "min": rates[2], "max": rates[0], "outliers": []},
        "status": "ok"
    })
}

/// A valid document of two variants and two benchmarks, one of them values.
fn valid() -> Value {
    let mut doc = serde_json::to_value(Document::of_results(vec![])).unwrap();
    let mut probe = result("probe/x/pss", "B", [0.5, 0.5, 0.5]);
    probe["times"] = json!([]);
    probe["rounds"] = json!([]);
    probe["values"] = json!([100.0, 0.0, 2e9]);
    probe["unit"] = json!("B");
    let mut probe_a = probe.clone();
    probe_a["variant"] = json!("A");
    doc["results"] = json!([
        result("compress/zlib/l1/text", "A", [0.010, 0.011, 0.012]),
        result("compress/zlib/l1/text", "B", [0.009, 0.010, 0.013]),
        probe_a,
        probe,
    ]);
    doc["variants"] = json!([
        {"name": "A", "roots": [], "lib_dirs": [], "env": {}, "provenance": null},
        {"name": "B", "roots": [], "lib_dirs": [], "env": {}, "provenance": null},
    ]);
    doc["settings"]["rounds"] = json!(3);
    doc["settings"]["slice_seconds"] = json!(0.05);
    doc["settings"]["timeout_seconds"] = json!(120.0);
    doc
}

/// The JSON pointers of every value in `v`, containers included.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => m
            .iter()
            .for_each(|(k, x)| pointers(x, format!("{at}/{k}"), out)),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| pointers(x, format!("{at}/{i}"), out)),
        _ => {}
    }
    out.push(at);
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        proptest::num::f64::ANY.prop_map(Value::from),
        prop_oneof![Just(1e-320), Just(-0.0), Just(0.0), Just(-1.5), Just(1e308)]
            .prop_map(Value::from),
        ".{0,8}".prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::from),
            prop::collection::btree_map(".{0,4}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Every stage after loading, on `doc` alone and against itself.
fn every_stage(mut doc: Document) {
    let claims = Claims::load(None).unwrap();
    let before = doc.clone();
    claims::analyse(&mut doc, None, &claims, Options::new(1.0, 1));
    let _ = crate::table::render_against(&doc, None);
    let _ = crate::table::render_groups(&doc);
    let _ = crate::table::render_claims(&doc);
    let _ = crate::table::render_summary(&doc);
    let _ = crate::table::render_probe(&doc);
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "csv",
        "markdown",
        "junit",
        "hyperfine",
        "bencher",
        "github-action-benchmark",
    ] {
        let request = crate::export::parse(&format!("{name}={}", dir.path().join(name).display()));
        let _ = crate::export::write(&doc, &request.unwrap());
    }
    let mut after = doc.clone();
    claims::analyse(
        &mut after,
        Some((&before, "before")),
        &claims,
        Options::new(1.0, 1),
    );
    let _ = crate::table::render_against(&after, Some((&before, "before")));
    crate::report::render(&[before, after]).expect("the page renders");
}

#[test]
fn the_valid_document_passes_every_stage() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.json");
    std::fs::write(&path, valid().to_string()).unwrap();
    every_stage(crate::baseline::load(&path).expect("the document loads"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn any_value_in_any_field_loads_with_an_error_or_passes_every_stage(
        pick in any::<prop::sample::Index>(),
        value in any_json(),
    ) {
        let mut doc = valid();
        let mut all = vec![];
        pointers(&doc, String::new(), &mut all);
        let at = pick.get(&all).clone();
        if at.is_empty() {
            doc = value;
        } else {
            *doc.pointer_mut(&at).unwrap() = value;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run.json");
        std::fs::write(&path, doc.to_string()).unwrap();
        for loaded in [crate::baseline::load(&path), Document::read(&path)] {
            match loaded {
                Ok(doc) => every_stage(doc),
                Err(e) => prop_assert!(e.to_string().contains("run.json"), "{at}: {e}"),
            }
        }
    }
}

#[test]
fn a_subnormal_negative_or_zero_time_names_the_file_and_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.json");
    for (at, bad) in [
        ("/results/0/times/1", json!(1e-320)),
        ("/results/0/times/1", json!(-0.01)),
        ("/results/0/times/1", json!(0.0)),
        ("/results/1/rounds/0/iterations", json!(0)),
        ("/settings/slice_seconds", json!(1e300)),
        ("/settings/timeout_seconds", json!(-1)),
        ("/results/2/values/0", json!(-5)),
    ] {
        let mut doc = valid();
        *doc.pointer_mut(at).unwrap() = bad.clone();
        std::fs::write(&path, doc.to_string()).unwrap();
        let e = crate::baseline::load(&path).unwrap_err().to_string();
        let field = at.rsplit('/').find(|p| p.parse::<u32>().is_err()).unwrap();
        assert!(
            e.contains("run.json") && e.contains(field),
            "{at} = {bad}: {e}"
        );
    }
}

#[test]
fn a_result_of_more_than_the_cap_of_times_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.json");
    let mut doc = valid();
    doc["results"][0]["times"] = json!(vec![0.01; 1_000_000]);
    std::fs::write(&path, doc.to_string()).unwrap();
    let clock = std::time::Instant::now();
    let e = crate::baseline::load(&path).unwrap_err().to_string();
    assert!(e.contains("times holds 1000000: at most 10000"), "{e}");
    assert!(clock.elapsed().as_secs() < 10, "{:?}", clock.elapsed());
}

#[test]
fn an_empty_measurement_is_no_valid_result() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.json");
    let mut doc = valid();
    doc["results"][0]["times"] = json!([]);
    doc["results"][0]["rounds"] = json!([]);
    std::fs::write(&path, doc.to_string()).unwrap();
    let e = crate::baseline::load(&path).unwrap_err().to_string();
    assert!(e.contains("times is empty"), "{e}");
}
