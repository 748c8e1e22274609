//! The run history through the real binary: runs recorded, listed, trended,
//! imported, and a run killed midway leaves nothing behind.

mod common;

use common::{copy_system_libs, count, run, storebench, text};
use std::path::Path;
use std::time::Duration;

fn quick_run(db: &Path, variant: &str, extra: &[&str]) -> std::process::Output {
    let db = db.to_str().unwrap();
    let mut args = vec![
        "run",
        "--quick",
        "--rounds",
        "2",
        "--bench",
        "compress/zlib/l1/text",
        "--corpus-kib",
        "64",
        "--history",
        db,
        "--variant",
        variant,
    ];
    args.extend(extra);
    run(&args)
}

#[test]
fn runs_are_recorded_listed_and_trended_with_the_library_that_changed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let libs = copy_system_libs(&["libz.so.1"]);
    let variant = format!("sys={}", libs.path().display());
    let first = quick_run(&db, &variant, &[]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
    assert!(String::from_utf8_lossy(&first.stderr).contains("recorded run 1"));
    // The same file with one byte appended: another hash, the same library.
    let lib = libs.path().join("libz.so.1");
    let mut bytes = std::fs::read(&lib).unwrap();
    bytes.push(0);
    std::fs::write(&lib, bytes).unwrap();
    let second = quick_run(&db, &variant, &[]);
    assert_eq!(second.status.code(), Some(0), "{}", text(&second));

    let listed = run(&["history", "--history", db.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&listed.stdout);
    assert_eq!(out.lines().count(), 2, "{}", text(&listed));
    assert!(
        out.lines().all(|l| l.contains("sys") && l.contains("run")),
        "{out}"
    );

    let trend = run(&[
        "history",
        "--history",
        db.to_str().unwrap(),
        "--bench",
        "compress/zlib/*",
    ]);
    let out = String::from_utf8_lossy(&trend.stdout);
    assert!(out.starts_with("compress/zlib/l1/text [sys]"), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(!lines[1].contains("changed"), "{out}");
    assert!(lines[2].contains("← libz.so.1 changed from"), "{out}");
    assert!(
        lines[2].contains(" %"),
        "the change from the run before: {out}"
    );
}

#[test]
fn no_history_records_nothing_and_import_reads_stored_runs() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let json = dir.path().join("run.json");
    let libs = copy_system_libs(&["libz.so.1"]);
    let variant = format!("sys={}", libs.path().display());
    let o = run(&[
        "run",
        "--quick",
        "--rounds",
        "2",
        "--bench",
        "compress/zlib/l1/text",
        "--corpus-kib",
        "64",
        "--no-history",
        "--variant",
        &variant,
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(!String::from_utf8_lossy(&o.stderr).contains("recorded run"));
    assert!(!db.exists());

    let hyperfine = dir.path().join("hyperfine.json");
    std::fs::write(
        &hyperfine,
        r#"{"results":[{"command":"gzip -1 x","mean":0.5,"stddev":0.01,"median":0.5,
            "user":0.4,"system":0.1,"min":0.49,"max":0.51,"times":[0.49,0.5,0.51],
            "exit_codes":[0,0,0]}]}"#,
    )
    .unwrap();
    let o = run(&[
        "history",
        "import",
        json.to_str().unwrap(),
        hyperfine.to_str().unwrap(),
        "--history",
        db.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(count(&db, "runs"), 2);
    assert_eq!(count(&db, "results"), 2);

    // Importing the same runs again records nothing new, and says so.
    let o = run(&[
        "history",
        "import",
        json.to_str().unwrap(),
        hyperfine.to_str().unwrap(),
        "--history",
        db.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(count(&db, "runs"), 2, "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("recorded already"),
        "{}",
        text(&o)
    );

    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"results\": [").unwrap();
    let o = run(&[
        "history",
        "import",
        json.to_str().unwrap(),
        bad.to_str().unwrap(),
        "--history",
        db.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert_eq!(count(&db, "runs"), 2, "a bad file imports nothing");
}

#[test]
fn a_run_killed_while_measuring_leaves_the_earlier_runs_and_no_partial_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let libs = copy_system_libs(&["libz.so.1"]);
    let variant = format!("sys={}", libs.path().display());
    let first = quick_run(&db, &variant, &[]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
    let mut child = storebench()
        .args([
            "run",
            "--rounds",
            "50",
            "--slice",
            "0.2",
            "--bench",
            "compress/zlib/*",
            "--history",
            db.to_str().unwrap(),
            "--variant",
            &variant,
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(2));
    // SIGKILL: no destructor, no cleanup.
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(count(&db, "runs"), 1);
    assert_eq!(count(&db, "results"), 1);
}

#[test]
fn two_runs_recording_at_once_both_land() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let libs = copy_system_libs(&["libz.so.1"]);
    let variant = format!("sys={}", libs.path().display());
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| quick_run(&db, &variant, &[]));
        let b = s.spawn(|| quick_run(&db, &variant, &[]));
        (a.join().unwrap(), b.join().unwrap())
    });
    assert_eq!(a.status.code(), Some(0), "{}", text(&a));
    assert_eq!(b.status.code(), Some(0), "{}", text(&b));
    assert_eq!(count(&db, "runs"), 2);
    assert_eq!(count(&db, "results"), 2);
}
