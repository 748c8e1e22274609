//! What a run must never lose or get wrong: a good baseline replaced by a broken
//! run, a destination found unwritable only after measuring, code chosen by a
//! stored file's environment, the exit code of a crash, a probe of nothing, a
//! history that cannot be written, a baseline compared from another directory.

mod common;

use common::{storebench, text};
use std::path::Path;
use std::process::{Command, Output};

fn write_config(dir: &Path, body: &str) {
    std::fs::write(dir.join("storebench.toml"), body).unwrap();
}

/// `storebench ARGS` in `dir`, without history or report unless asked.
fn run_in(dir: &Path, args: &[&str]) -> Output {
    storebench()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("storebench starts")
}

const FAILING: &str = "[commands.fail]\nargv = [\"false\"]\nwarmup = 0\n";
const QUICK: &[&str] = &["--quick", "--no-history", "--no-report"];

#[test]
fn a_broken_run_never_replaces_a_baseline_it_cannot_read_unless_told() {
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), FAILING);
    let stored = dir.path().join("baselines/before.json");
    std::fs::create_dir_all(stored.parent().unwrap()).unwrap();
    let newer = r#"{"schema": "storebench/99", "results": []}"#;
    std::fs::write(&stored, newer).unwrap();
    let mut args = vec!["run", "--bench", "command/fail/*", "--save", "before"];
    args.extend(QUICK);
    args.extend(["--json", "out/run.json"]);
    let out = run_in(dir.path(), &args);
    let seen = text(&out);
    assert_eq!(out.status.code(), Some(2), "{seen}");
    assert!(seen.contains("--replace-baseline"), "{seen}");
    assert_eq!(std::fs::read_to_string(&stored).unwrap(), newer);
    // The other outputs were written all the same.
    assert!(dir.path().join("out/run.json").is_file(), "{seen}");

    args.push("--replace-baseline");
    let out = run_in(dir.path(), &args);
    let seen = text(&out);
    assert_eq!(out.status.code(), Some(3), "{seen}");
    let now = std::fs::read_to_string(&stored).unwrap();
    assert!(now.contains("\"storebench/1\""), "{now}");
}

#[test]
fn an_unwritable_destination_or_history_stops_the_run_before_it_measures() {
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), "[commands.t]\nargv = [\"true\"]\n");
    std::fs::write(dir.path().join("file"), "not a directory").unwrap();
    std::fs::write(
        dir.path().join("junk.db"),
        "this is not a database, not at all",
    )
    .unwrap();
    let base = ["run", "--bench", "command/t/*", "--quick", "--no-report"];
    for extra in [
        &["--no-history", "--json", "file/sub/run.json"][..],
        &["--no-history", "--export", "csv=file/x.csv"],
        &["--no-history", "--save", "x", "--baselines-dir", "file/b"],
        &["--history", "junk.db"],
    ] {
        let mut args = base.to_vec();
        args.extend(extra);
        let out = run_in(dir.path(), &args);
        let seen = text(&out);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {seen}");
        assert!(
            !seen.contains("measured in"),
            "{extra:?} measured first: {seen}"
        );
    }
}

#[test]
fn a_stored_environment_that_loads_code_is_refused_unless_trusted() {
    let dir = tempfile::tempdir().unwrap();
    write_config(
        dir.path(),
        "[commands.t]\nargv = [\"true\"]\n[variants.a]\nenv = { PYTHONDONTWRITEBYTECODE = \"1\", PLAIN = \"yes\" }\n",
    );
    let mut args = vec!["run", "--bench", "command/t/*", "--save", "before"];
    args.extend(QUICK);
    let out = run_in(dir.path(), &args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    let mut args = vec!["compare", "before"];
    args.extend(["--no-history", "--no-report"]);
    let out = run_in(dir.path(), &args);
    let seen = text(&out);
    assert_eq!(out.status.code(), Some(2), "{seen}");
    assert!(
        seen.contains("PYTHONDONTWRITEBYTECODE") && seen.contains("--trust-baseline-env"),
        "{seen}"
    );
    assert!(
        seen.contains("PLAIN=yes"),
        "what it would apply is shown: {seen}"
    );
    assert!(!seen.contains("measured in"), "{seen}");

    args.push("--trust-baseline-env");
    let out = run_in(dir.path(), &args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn a_library_that_crashes_in_its_constructor_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("crash.c");
    std::fs::write(
        &src,
        "#include <stdlib.h>\n__attribute__((constructor)) static void boom(void) { abort(); }\n",
    )
    .unwrap();
    let so = dir.path().join("libcrash.so");
    let cc = Command::new("cc")
        .args(["-shared", "-fPIC", "-o"])
        .arg(&so)
        .arg(&src)
        .status()
        .expect("cc runs");
    assert!(cc.success());
    write_config(
        dir.path(),
        &format!(
            "[variants.crash]\nenv = {{ LD_PRELOAD = \"{}\" }}\n",
            so.display()
        ),
    );
    let mut args = vec!["run", "--bench", "compress/zlib/l1/text"];
    args.extend(QUICK);
    let out = run_in(dir.path(), &args);
    let seen = text(&out);
    assert_eq!(out.status.code(), Some(3), "{seen}");
    assert!(seen.contains("SIGABRT"), "{seen}");
}

#[test]
fn a_probe_whose_process_exits_before_the_first_sample_is_an_error() {
    let mut short = Command::new("sleep").arg("0.1").spawn().unwrap();
    let pid = short.id().to_string();
    let out = common::run(&[
        "probe",
        "--pid",
        &pid,
        "--duration",
        "1s",
        "--interval",
        "500ms",
    ]);
    short.wait().unwrap();
    let seen = text(&out);
    assert_eq!(out.status.code(), Some(2), "{seen}");
    assert!(seen.contains("exited before the first sample"), "{seen}");
}

#[test]
fn a_history_that_cannot_be_written_still_lists() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h/history.db");
    write_config(dir.path(), "[commands.t]\nargv = [\"true\"]\n");
    let db_arg = db.to_str().unwrap();
    let out = run_in(
        dir.path(),
        &[
            "run",
            "--bench",
            "command/t/*",
            "--quick",
            "--no-report",
            "--history",
            db_arg,
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // Readable by anyone, writable by its owner only; listed by `nobody`.
    use std::os::unix::fs::PermissionsExt;
    let open = std::fs::Permissions::from_mode(0o755);
    std::fs::set_permissions(dir.path(), open.clone()).unwrap();
    std::fs::set_permissions(db.parent().unwrap(), open).unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(env!("CARGO_BIN_EXE_storebench"))
        .args(["history", "--history", db_arg])
        .env("HOME", "/nonexistent")
        .output()
        .unwrap();
    let seen = text(&out);
    assert_eq!(out.status.code(), Some(0), "{seen}");
    assert!(seen.contains("command/t") || seen.contains("run"), "{seen}");
}

#[test]
fn a_baseline_with_relative_roots_compares_from_another_directory() {
    let dir = tempfile::tempdir().unwrap();
    let libs = common::copy_system_libs(&["libz.so.1"]);
    let rel = dir.path().join("zlib");
    std::fs::rename(libs.path(), &rel)
        .or_else(|_| {
            std::fs::create_dir(&rel)?;
            std::fs::copy(libs.path().join("libz.so.1"), rel.join("libz.so.1")).map(drop)
        })
        .unwrap();
    let mut args = vec![
        "run",
        "--variant",
        "z=zlib",
        "--bench",
        "compress/zlib/l1/text",
        "--json",
        "before.json",
    ];
    args.extend(QUICK);
    let out = run_in(dir.path(), &args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let elsewhere = tempfile::tempdir().unwrap();
    let before = dir.path().join("before.json");
    let out = run_in(
        elsewhere.path(),
        &[
            "compare",
            before.to_str().unwrap(),
            "--no-history",
            "--no-report",
        ],
    );
    let seen = text(&out);
    assert_eq!(out.status.code(), Some(0), "{seen}");
}
