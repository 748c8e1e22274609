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
