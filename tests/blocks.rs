//! Slow codecs are measured on blocks of the corpus (issue 15): a run records each
//! benchmark's block, `compare` warns when two runs' blocks differ, and a document
//! from before blocks (no field: the whole corpus) still loads and is compared.

mod common;

use common::*;
use std::path::Path;

fn results_of<'a>(doc: &'a serde_json::Value, bench: &str) -> Vec<&'a serde_json::Value> {
    doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["bench"] == bench)
        .collect()
}

fn write(path: &Path, doc: &serde_json::Value) {
    std::fs::write(path, serde_json::to_string(doc).unwrap()).unwrap();
}

#[test]
fn a_run_records_its_blocks_and_compare_warns_when_they_differ() {
    let dir = tempfile::tempdir().unwrap();
    let new = dir.path().join("new.json");
    let out = run(&[
        "run",
        "--no-report",
        "--bench",
        "compress/xz/l6/text",
        "--bench",
        "decompress/zstd/l3/text",
        "--rounds",
        "2",
        "--slice",
        "0.02",
        "--corpus-kib",
        "64",
        "--json",
        new.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let doc = read_json(&new);
    // xz -6 is cut into 4 KiB blocks; zstd's 256 KiB block holds the whole corpus.
    for r in results_of(&doc, "compress/xz/l6/text") {
        assert_eq!(r["block_bytes"], 4096, "{r}");
        assert_eq!(r["work_per_iter"], 4096, "{r}");
    }
    for r in results_of(&doc, "decompress/zstd/l3/text") {
        assert!(r.get("block_bytes").is_none(), "{r}");
        assert_eq!(r["work_per_iter"], 65536, "{r}");
    }
    assert_eq!(
        doc["settings"]["blocks"],
        serde_json::json!([{"bench": "compress/xz/l6/text", "block_bytes": 4096}])
    );

    // The same run twice: no warning.
    let out = run(&["compare", new.to_str().unwrap(), new.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(!text(&out).contains("different blocks"), "{}", text(&out));

    // Another block size in the stored run: a loud warning naming both.
    let mut other = doc.clone();
    for r in other["results"].as_array_mut().unwrap() {
        if r["bench"] == "compress/xz/l6/text" {
            r["block_bytes"] = 8192.into();
        }
    }
    let other_path = dir.path().join("other.json");
    write(&other_path, &other);
    let out = run(&[
        "compare",
        other_path.to_str().unwrap(),
        new.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning: compress/xz/l6/text: the runs measured different blocks: before 8 KiB blocks, after 4 KiB blocks"),
        "{}",
        text(&out)
    );

    // A document from before blocks: no block fields anywhere. It loads, is
    // compared, and the warning says whole corpus against blocks.
    let mut old = doc.clone();
    old["settings"].as_object_mut().unwrap().remove("blocks");
    for r in old["results"].as_array_mut().unwrap() {
        r.as_object_mut().unwrap().remove("block_bytes");
    }
    let old_path = dir.path().join("old.json");
    write(&old_path, &old);
    let out = run(&["compare", old_path.to_str().unwrap(), new.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("compress/xz/l6/text: the runs measured different blocks: before the whole input (no blocks), after 4 KiB blocks"),
        "{}",
        text(&out)
    );
    assert!(!err.contains("decompress/zstd/l3/text: the runs"), "{err}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("compress/xz/l6/text"),
        "{}",
        text(&out)
    );
}
