//! `storebench merge` through the real binary: two runs measured in parts become
//! one run, judged, written and recorded once; runs that do not belong together
//! are refused with exit 2.

mod common;

use common::{copy_system_libs, count, read_json, run, text};
use std::path::Path;

fn part(json: &Path, bench: &str, seed: &str, variants: &[String]) -> std::process::Output {
    let json = json.to_str().unwrap();
    let mut args = vec![
        "run",
        "--quick",
        "--rounds",
        "2",
        "--corpus-kib",
        "64",
        "--seed",
        seed,
        "--bench",
        bench,
        "--json",
        json,
        "--no-report",
        "--no-history",
    ];
    for v in variants {
        args.extend(["--variant", v.as_str()]);
    }
    run(&args)
}

#[test]
fn parts_become_one_run_and_strangers_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (
        copy_system_libs(&["libz.so.1"]),
        copy_system_libs(&["libz.so.1"]),
    );
    let variants = [
        format!("a={}", a.path().display()),
        format!("b={}", b.path().display()),
    ];
    let (p1, p2, p3) = (
        dir.path().join("1.json"),
        dir.path().join("2.json"),
        dir.path().join("3.json"),
    );
    for (p, bench, seed) in [
        (&p1, "compress/zlib/l1/text", "7"),
        (&p2, "decompress/zlib/l1/text", "7"),
        (&p3, "decompress/zlib/l1/json", "8"),
    ] {
        let out = part(p, bench, seed, &variants);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    }

    let merged = dir.path().join("m.json");
    let db = dir.path().join("h.db");
    let out = run(&[
        "merge",
        p1.to_str().unwrap(),
        p2.to_str().unwrap(),
        "--json",
        merged.to_str().unwrap(),
        "--no-report",
        "--history",
        db.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("compress/zlib/l1/text") && table.contains("decompress/zlib/l1/text"),
        "{table}"
    );
    let doc = read_json(&merged);
    assert_eq!(doc["results"].as_array().unwrap().len(), 4);
    assert_eq!(doc["comparisons"].as_array().unwrap().len(), 2);
    assert_eq!(count(&db, "runs"), 1);

    // Another seed: not the same run.
    let out = run(&[
        "merge",
        p1.to_str().unwrap(),
        p3.to_str().unwrap(),
        "--no-report",
        "--no-history",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("3.json does not merge") && text(&out).contains("seed"),
        "{}",
        text(&out)
    );
}
