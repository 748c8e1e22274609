//! Bad numbers and options at the command line's boundary: each is a clear error
//! (exit 2) or works as documented, never a panic.

mod common;

use common::{read_json, run, text};

fn quick_run(cpus: &str, json: &std::path::Path) -> std::process::Output {
    let json = json.to_str().unwrap();
    run(&[
        "run",
        "--quick",
        "--no-report",
        "--no-history",
        "--bench",
        "libc/strlen/64",
        "--cpus",
        cpus,
        "--json",
        json,
    ])
}

#[test]
fn cpus_0_pins_every_measured_process_to_cpu_0() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("run.json");
    let out = quick_run("0", &json);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("on CPU 0"), "{}", text(&out));
    assert_eq!(read_json(&json)["settings"]["cpus"], serde_json::json!([0]));
}

#[test]
fn cpus_all_leaves_the_processes_to_the_scheduler() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("run.json");
    let out = quick_run("all", &json);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("on any CPU"), "{}", text(&out));
    // An empty list is not written at all.
    assert!(read_json(&json)["settings"].get("cpus").is_none());
}

#[test]
fn cpus_out_of_reach_exits_2_naming_the_cpu() {
    let dir = tempfile::tempdir().unwrap();
    let out = quick_run("1000", &dir.path().join("run.json"));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("CPU 1000 is not one this process may use"),
        "{}",
        text(&out)
    );
    assert!(!text(&out).contains("panicked"), "{}", text(&out));
}

#[test]
fn ci_takes_cpus_0_and_all_as_run_does() {
    for cpus in ["0", "all"] {
        let dir = tempfile::tempdir().unwrap();
        let out = run(&[
            "ci",
            "--quick",
            "--no-report",
            "--no-history",
            "--against",
            "none",
            "--bench",
            "libc/strlen/64",
            "--cpus",
            cpus,
            "--baselines-dir",
            dir.path().to_str().unwrap(),
        ]);
        assert!(!text(&out).contains("panicked"), "{}", text(&out));
        assert_eq!(out.status.code(), Some(0), "--cpus {cpus}: {}", text(&out));
    }
    let out = run(&[
        "ci",
        "--quick",
        "--no-history",
        "--cpus",
        "1000",
        "--bench",
        "libc/strlen/64",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("CPU 1000"), "{}", text(&out));
}

/// Runs `args` and asserts exit 2 with `expected` in the output and no panic.
fn refused(args: &[&str], expected: &str) {
    let out = run(args);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
    assert!(text(&out).contains(expected), "{args:?}: {}", text(&out));
    assert!(!text(&out).contains("panicked"), "{args:?}: {}", text(&out));
}

#[test]
fn number_flags_that_cannot_be_a_duration_or_a_size_exit_2() {
    for sub in ["run", "ci", "calibrate"] {
        for slice in ["-1", "NaN", "inf", "1e300", "0"] {
            refused(
                &[sub, &format!("--slice={slice}")],
                "not a number of seconds",
            );
        }
    }
    for sub in ["run", "ci"] {
        refused(&[sub, "--timeout", "1e300"], "not a number of seconds");
        refused(&[sub, "--timeout=-5"], "not a number of seconds");
        refused(&[sub, "--rounds", "4000000000"], "not a whole number");
        refused(&[sub, "--corpus-kib", "0"], "not a corpus size");
        refused(
            &[sub, "--corpus-kib", "99999999999999"],
            "not a corpus size",
        );
        refused(&[sub, "--noise", "NaN"], "percent");
    }
    refused(&["run", "--budget", "1000000000y"], "1000000000y");
    refused(&["run", "--budget", "0s"], "above zero");
    refused(&["ci", "--require-quiet=0s"], "above zero");
    refused(&["ci", "--confirm", "99999999"], "not a whole number");
    refused(&["calibrate", "--budget", "0s"], "above zero");
    refused(&["calibrate", "--noise=-1"], "percent");
    refused(
        &["corpus", "/tmp/x", "--corpus-kib", "0"],
        "not a corpus size",
    );
}

#[test]
fn a_probe_interval_far_below_its_duration_exits_2_at_once() {
    let pid = std::process::id().to_string();
    refused(
        &[
            "probe",
            "--pid",
            &pid,
            "--duration",
            "1day",
            "--interval",
            "1ns",
        ],
        "more than the 10000 a probe takes",
    );
    refused(&["probe", "--pid", &pid, "--interval", "0s"], "above zero");
}

#[test]
fn a_stored_run_with_a_negative_time_exits_2_naming_the_file_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("run.json");
    let out = quick_run("all", &json);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let mut doc = read_json(&json);
    doc["results"][0]["times"][0] = serde_json::json!(-0.5);
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, doc.to_string()).unwrap();
    let (good, bad) = (json.to_str().unwrap(), bad.to_str().unwrap());
    for args in [
        vec!["compare", good, bad, "--no-report"],
        vec!["report", bad, "-o", dir.path().to_str().unwrap()],
    ] {
        refused(&args, "bad.json");
        refused(&args, "times[0] is -0.5");
    }
}

#[test]
fn measuring_again_with_a_stored_zero_slice_exits_2_instead_of_spinning() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("run.json");
    let out = quick_run("all", &json);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let mut doc = read_json(&json);
    doc["settings"]["slice_seconds"] = serde_json::json!(0.0);
    let stored = dir.path().join("zero.json");
    std::fs::write(&stored, doc.to_string()).unwrap();
    refused(
        &[
            "compare",
            stored.to_str().unwrap(),
            "--no-report",
            "--no-history",
        ],
        "under a millisecond",
    );
}

/// `scripts/demo` checks its settings before it installs, builds or measures
/// anything: the refusal is all it prints.
#[test]
fn the_demo_refuses_a_bad_budget_or_slice_before_doing_anything() {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/demo");
    for (var, value) in [
        ("STOREBENCH_DEMO_BUDGET", "9m"),
        ("STOREBENCH_DEMO_BUDGET", "0"),
        ("STOREBENCH_DEMO_SLICE", "0.1s"),
    ] {
        let o = std::process::Command::new("bash")
            .arg(&script)
            .env(var, value)
            .output()
            .expect("bash runs");
        assert_eq!(o.status.code(), Some(2), "{var}={value}: {}", text(&o));
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(said.contains(var) && said.contains(value), "{said}");
        assert_eq!(said.trim().lines().count(), 1, "it did more: {said}");
    }
}

/// Every script's `--help` prints its usage and does nothing else: nothing on
/// stderr (a backtick in an unquoted here-document would run a command), no
/// test suite or build started in its place.
#[test]
fn every_script_answers_help_with_its_usage_alone() {
    let scripts = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts");
    for name in [
        "demo",
        "demo-store",
        "demo-factorial",
        "aa-rate",
        "install-deps",
        "test",
    ] {
        let mut child = std::process::Command::new("bash")
            .arg(scripts.join(name))
            .arg("--help")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("bash runs");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while child.try_wait().unwrap().is_none() {
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                panic!("scripts/{name} --help did not end within 30 s: it ran instead");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let o = child.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(0), "scripts/{name}: {}", text(&o));
        assert!(o.stderr.is_empty(), "scripts/{name}: {}", text(&o));
        assert!(
            String::from_utf8_lossy(&o.stdout).starts_with("Usage: scripts/"),
            "scripts/{name}: {}",
            text(&o)
        );
    }
}
