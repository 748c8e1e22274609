use super::*;
use crate::compare::tests::{result, run_of};
use crate::provenance::{LoadedLibrary, LoadedObject, Provenance};
use crate::results::{ChangeVerdict, Comparison, Unit};

pub(crate) fn night(started: &str, zlib_hash: &str, secs: f64) -> Document {
    let mut doc = run_of(vec![
        result(
            "compress/zlib/l1/text",
            "stock",
            Unit::BytesPerSecond,
            &[secs; 3],
        ),
        result("aes/x", "stock", Unit::BytesPerSecond, &[1.0; 3]),
    ]);
    doc.started = started.into();
    doc.variants[0].provenance = Some(Provenance {
        libraries: vec![LoadedLibrary {
            library: crate::library::Library::Zlib,
            object: LoadedObject {
                path: "/lib/libz.so.1".into(),
                real_path: "/lib/libz.so.1.3".into(),
                store_path: None,
                sha256: zlib_hash.into(),
                bytes: 1,
            },
            version: Some("1.3".into()),
        }],
        objects: vec![],
        glibc: None,
        interpreters: vec![],
        code_path: None,
    });
    doc.comparisons = vec![Comparison {
        bench: "compress/zlib/l1/text".into(),
        group: "g".into(),
        baseline: "stock".into(),
        variant: "stock".into(),
        change_pct: None,
        ci_low_pct: None,
        ci_high_pct: None,
        mde_pct: None,
        paired: true,
        verdict: ChangeVerdict::Broken,
        not_rebuilt: vec!["zlib".into()],
    }];
    doc
}

fn count(h: &History, table: &str) -> i64 {
    h.conn
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_recorded_run_is_listed_with_its_variants_and_results() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = History::open(&dir.path().join("a/b/history.db")).unwrap();
    let id = h
        .record(&night("2026-11-20T02:00:00Z", "aa", 0.1), "ci")
        .unwrap();
    let runs = h.runs().unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].id, id);
    assert_eq!(runs[0].variants, vec!["stock".to_string()]);
    assert_eq!(runs[0].results, 2);
    assert_eq!(runs[0].source, "ci");
    assert_eq!(count(&h, "libraries"), 1);
    assert_eq!(count(&h, "comparisons"), 1);
    let mode: String = h
        .conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn the_trend_follows_one_benchmark_and_its_library_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = History::open(&dir.path().join("h.db")).unwrap();
    h.record(&night("2026-11-20T02:00:00Z", "aa", 0.1), "ci")
        .unwrap();
    h.record(&night("2026-11-21T02:00:00Z", "bb", 0.2), "ci")
        .unwrap();
    let t = h.trend("compress/zlib/*").unwrap();
    assert_eq!(t.len(), 2, "{t:?}");
    assert!(t.iter().all(|p| p.bench == "compress/zlib/l1/text"));
    // 1000 bytes per iteration, 10 iterations in 0.1 s, then in 0.2 s.
    assert!((t[0].median.unwrap() - 100_000.0).abs() < 1e-6);
    assert!((t[1].median.unwrap() - 50_000.0).abs() < 1e-6);
    assert_eq!(t[0].libraries[0].1, "aa");
    assert_eq!(t[1].libraries[0].1, "bb");
    assert_eq!(t[0].unit, "B/s");
}

#[test]
fn reopening_keeps_the_runs_and_a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.db");
    History::open(&path)
        .unwrap()
        .record(&night("2026-11-20T02:00:00Z", "aa", 0.1), "run")
        .unwrap();
    let h = History::open(&path).unwrap();
    assert_eq!(h.runs().unwrap().len(), 1);
    h.conn
        .pragma_update(None, "user_version", VERSION + 1)
        .unwrap();
    drop(h);
    let err = History::open(&path)
        .err()
        .expect("a newer schema is refused");
    assert!(err.to_string().contains("newer"), "{err}");
}

#[test]
fn a_failed_record_leaves_no_partial_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = History::open(&dir.path().join("h.db")).unwrap();
    let mut doc = night("2026-11-20T02:00:00Z", "aa", 0.1);
    // The same variant twice violates the variants key after the run row is in.
    doc.variants.push(doc.variants[0].clone());
    assert!(h.record(&doc, "run").is_err());
    assert_eq!(count(&h, "runs"), 0);
    assert_eq!(count(&h, "results"), 0);
    assert_eq!(count(&h, "hosts"), 0);
}

#[test]
fn the_default_path_follows_xdg_data_home_then_home() {
    assert_eq!(
        path_from(Some("/x/data".into()), Some("/home/u".into())),
        Some(PathBuf::from("/x/data/storebench/history.db"))
    );
    assert_eq!(
        path_from(Some("".into()), Some("/home/u".into())),
        Some(PathBuf::from("/home/u/.local/share/storebench/history.db"))
    );
    assert_eq!(path_from(None, None), None);
}

#[test]
fn last_is_the_latest_run_of_the_same_config_and_host() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = History::open(&dir.path().join("h.db")).unwrap();
    let tonight = night("2026-11-22T02:00:00Z", "cc", 0.1);
    assert!(h
        .last(&tonight.host.hostname, &config_key(&tonight))
        .unwrap()
        .is_none());
    h.record(&night("2026-11-20T02:00:00Z", "aa", 0.1), "ci")
        .unwrap();
    let second = h
        .record(&night("2026-11-21T02:00:00Z", "bb", 0.2), "ci")
        .unwrap();
    let mut other = night("2026-11-21T03:00:00Z", "bb", 0.2);
    other.settings.bench_patterns = vec!["aes/*".into()];
    h.record(&other, "ci").unwrap();
    let mut elsewhere = night("2026-11-21T04:00:00Z", "bb", 0.2);
    elsewhere.host.hostname = "other".into();
    h.record(&elsewhere, "ci").unwrap();
    let (id, before) = h
        .last(&tonight.host.hostname, &config_key(&tonight))
        .unwrap()
        .expect("a run of this config");
    assert_eq!(id, second);
    assert_eq!(before.started, "2026-11-21T02:00:00Z");
    assert_eq!(before.results.len(), 2);
}

#[test]
fn a_run_recorded_already_is_found_and_another_night_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = History::open(&dir.path().join("history.db")).unwrap();
    let first = night("2026-11-20T02:00:00Z", "aa", 0.1);
    assert_eq!(h.recorded_as(&first).unwrap(), None);
    let id = h.record(&first, "run").unwrap();
    assert_eq!(h.recorded_as(&first).unwrap(), Some(id));
    let next = night("2026-11-21T02:00:00Z", "aa", 0.1);
    assert_eq!(h.recorded_as(&next).unwrap(), None);
}
