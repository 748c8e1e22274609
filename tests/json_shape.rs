//! The results document is the contract every later stage reads (compare, report,
//! export, history, ci): a refactoring must not change its shape. The stored key
//! set, `tests/run_json_keys.txt`, was taken from a run of the code before the
//! module layout changed; regenerate it only for a deliberate schema change.

mod common;

use common::*;
use std::collections::BTreeSet;

/// Every key path of `value`: objects as `.key`, array elements as `[]`, an empty
/// object or array as its own path, so that the set is the document's shape.
fn key_paths(value: &serde_json::Value, path: String, out: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            if map.is_empty() {
                out.insert(format!("{path}{{}}"));
            }
            for (key, item) in map {
                key_paths(item, format!("{path}.{key}"), out);
            }
        }
        serde_json::Value::Array(items) => {
            if items.is_empty() {
                out.insert(format!("{path}[]"));
            }
            for item in items {
                key_paths(item, format!("{path}[]"), out);
            }
        }
        _ => {
            out.insert(path);
        }
    }
}

#[test]
fn a_default_run_writes_a_results_document_of_the_stored_shape() {
    let copy = copy_system_libs(&["libz.so.1", "libzstd.so.1"]);
    let json = tempfile::NamedTempFile::new().unwrap();
    let out = run(&[
        "run",
        "--no-report",
        "--variant",
        &format!("sys={SYSTEM_LIBS}"),
        "--variant",
        &format!("copy={}", copy.path().display()),
        "--bench",
        "compress/zlib/l1/text",
        "--bench",
        "decompress/zstd/l3/text",
        "--rounds",
        "2",
        "--slice",
        "0.02",
        "--corpus-kib",
        "64",
        "--json",
        json.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    let mut found = BTreeSet::new();
    key_paths(&read_json(json.path()), String::new(), &mut found);
    let stored: BTreeSet<String> = include_str!("run_json_keys.txt")
        .lines()
        .map(str::to_owned)
        .collect();
    let missing: Vec<_> = stored.difference(&found).collect();
    let added: Vec<_> = found.difference(&stored).collect();
    assert!(
        missing.is_empty() && added.is_empty(),
        "the results document changed shape: missing {missing:?}, added {added:?}"
    );
}
