//! Nothing storebench starts outlives it: not a command's child that left its
//! process group with `setsid`, not a command running when the run is
//! interrupted with SIGINT or SIGTERM; and no temporary file is left behind.

mod common;

use common::{storebench, text};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// A `sleep` argument no other process has: `300.<pid><n>` (GNU sleep takes
/// fractions), so the run's processes are found by their command line.
fn marker(n: u32) -> String {
    format!("300.{}{n:03}", std::process::id())
}

/// The pids whose command line holds `marker`.
fn holding(marker: &str) -> Vec<u32> {
    let mut found = vec![];
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        if String::from_utf8_lossy(&cmdline).contains(marker) {
            found.push(pid);
        }
    }
    found
}

/// Asserts that no process holds `marker`, killing any that does so that a
/// failing test leaves nothing behind either.
fn assert_none_left(marker: &str, what: &str) {
    // A killed process may take a moment to leave /proc.
    let deadline = Instant::now() + Duration::from_secs(2);
    let mut left = holding(marker);
    while !left.is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
        left = holding(marker);
    }
    for pid in &left {
        unsafe { libc::kill(*pid as i32, libc::SIGKILL) };
    }
    assert!(left.is_empty(), "{what}: processes left running: {left:?}");
}

fn config(dir: &Path, script: &str) -> std::path::PathBuf {
    let path = dir.join("storebench.toml");
    let argv = serde_json::to_string(&["sh", "-c", script]).unwrap();
    std::fs::write(
        &path,
        format!("[commands.leak]\nargv = {argv}\nwarmup = 1\n"),
    )
    .unwrap();
    path
}

fn start(config: &Path, dir: &Path) -> Child {
    storebench()
        .current_dir(dir)
        .args([
            "run",
            "--quick",
            "--bench",
            "command/leak/*",
            "--no-history",
            "--no-report",
        ])
        .arg("--config")
        .arg(config)
        .arg("--json")
        .arg(dir.join("out/run.json"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("storebench starts")
}

#[test]
fn a_child_that_left_the_process_group_with_setsid_is_killed_with_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (marker(1), marker(2));
    // One child in a new session of its own, one forked away by setsid -f.
    let cfg = config(
        dir.path(),
        &format!("setsid sleep {a} & setsid -f sleep {b}; exit 0"),
    );
    let out = start(&cfg, dir.path()).wait_with_output().unwrap();
    let seen = text(&out);
    assert_none_left(&a, &seen);
    assert_none_left(&b, &seen);
    assert_eq!(out.status.code(), Some(0), "{seen}");
    assert!(dir.path().join("out/run.json").is_file(), "{seen}");
}

fn interrupted(signal: i32, code: i32, n: u32) {
    let dir = tempfile::tempdir().unwrap();
    let m = marker(n);
    let cfg = config(dir.path(), &format!("sleep {m}; exit 0"));
    let mut child = start(&cfg, dir.path());
    let deadline = Instant::now() + Duration::from_secs(60);
    while holding(&m).is_empty() {
        assert!(Instant::now() < deadline, "the command never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    unsafe { libc::kill(child.id() as i32, signal) };
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            assert_none_left(&m, "storebench hung");
            panic!("storebench did not exit after the signal");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let seen = text(&out);
    assert_none_left(&m, &seen);
    assert_eq!(out.status.code(), Some(code), "{seen}");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .filter(|n| n.to_string_lossy().contains("tmp"))
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
}

#[test]
fn a_run_interrupted_with_sigint_kills_its_command_and_exits_130() {
    interrupted(libc::SIGINT, 130, 3);
}

#[test]
fn a_run_interrupted_with_sigterm_kills_its_command_and_exits_143() {
    interrupted(libc::SIGTERM, 143, 4);
}
