//! `storebench scenario` end to end, in its short version (--quick): real
//! Chromium, real ffmpeg, a real Xvfb + KWin + Baloo session. Each checks the
//! verdict of its claim in the results document, and that nothing it started
//! outlives it.
//!
//! The tests run one at a time: two browsers or sessions side by side on a small
//! machine would measure each other.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Mutex, MutexGuard};

fn serial() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs `storebench scenario ARGS --quick --json FILE`, checks it exited 0 and
/// left no process or temporary file behind (in a $TMPDIR of its own, which
/// must be empty after), and returns the document.
fn scenario(args: &[&str], json: &Path) -> Value {
    let tmpdir = tempfile::tempdir().unwrap();
    let child = common::storebench()
        .env("TMPDIR", tmpdir.path())
        .arg("scenario")
        .args(args)
        .args(["--quick", "--json"])
        .arg(json)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("storebench starts");
    let pid = child.id();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", common::text(&out));
    let mark = format!(".storebench-tmp-{pid}-");
    let left: Vec<String> = std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| {
            // The command line names the setup's directory, or the environment
            // does (HOME of the desktop session).
            let mut c = std::fs::read(e.path().join("cmdline")).ok()?;
            c.extend(std::fs::read(e.path().join("environ")).unwrap_or_default());
            Some(c)
        })
        .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
        .filter(|c| c.contains(&mark))
        .collect();
    assert!(left.is_empty(), "left running: {left:?}");
    let left: Vec<_> = std::fs::read_dir(tmpdir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "temporary files left behind: {left:?}");
    common::read_json(json)
}

fn claim<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["claims"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no claim {id} in {doc}"))
}

fn values(doc: &Value, bench: &str, variant: &str) -> Vec<f64> {
    doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["bench"] == bench && r["variant"] == variant)
        .unwrap_or_else(|| panic!("no {bench} for {variant}"))["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect()
}

fn tmp(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()))
}

#[test]
fn chromium_gives_the_electron_claim_a_verdict_with_a_confidence_interval() {
    let _s = serial();
    let json = tmp("scenario-electron.json");
    let doc = scenario(&["electron"], &json);
    for variant in ["stock", "plan"] {
        let pss = values(&doc, "probe/electron/pss", variant);
        assert_eq!(pss.len(), 3, "one figure per repeat");
        assert!(pss.iter().all(|&b| b > 50.0 * 1024.0 * 1024.0), "{pss:?}");
    }
    let c = claim(&doc, "electron-ram");
    assert_ne!(c["verdict"], "not-measured", "{c}");
    assert_eq!(c["paired"], true, "{c}");
    let (low, high) = (c["ci_low_pct"].as_f64(), c["ci_high_pct"].as_f64());
    assert!(low.is_some() && high.is_some() && low <= high, "{c}");
    let plan = &doc["variants"][1];
    assert!(
        plan["description"]
            .as_str()
            .unwrap()
            .contains("--renderer-process-limit"),
        "{plan}"
    );
    let _ = std::fs::remove_file(json);
}

#[test]
fn video_shows_software_decoding_and_names_the_missing_device() {
    let _s = serial();
    let (json, cache) = (tmp("scenario-video.json"), tmp("scenario-clip"));
    let doc = scenario(&["video", "--cache", cache.to_str().unwrap()], &json);
    let cpu = values(&doc, "command/video-decode/cpu", "stock");
    assert!(cpu.len() >= 3 && cpu.iter().all(|&s| s > 0.0), "{cpu:?}");
    let c = claim(&doc, "video-cpu");
    let nodes = std::fs::read_dir("/dev/dri").map_or(0, |d| {
        d.flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("renderD"))
            .count()
    });
    let sentence = c["sentence"].as_str().unwrap();
    if nodes == 0 {
        assert_eq!(c["verdict"], "not-measured", "{c}");
        assert!(
            sentence.contains("no VA-API or VDPAU device was found")
                && sentence.contains("/dev/dri/renderD*"),
            "{sentence}"
        );
        assert_eq!(
            doc["variants"].as_array().unwrap().len(),
            1,
            "software alone"
        );
    } else {
        // A device: measured against software, or the driver's failure named.
        assert!(
            c["ci_low_pct"].is_f64() || sentence.contains("no working VA-API driver"),
            "{sentence}"
        );
    }
    let clips: Vec<_> = std::fs::read_dir(&cache).unwrap().flatten().collect();
    assert_eq!(clips.len(), 1, "one clip, no temporary file");
    let _ = std::fs::remove_file(json);
    let _ = std::fs::remove_dir_all(cache);
}

#[test]
fn the_desktop_session_is_measured_or_what_is_missing_is_named() {
    let _s = serial();
    let json = tmp("scenario-desktop.json");
    let doc = scenario(&["desktop"], &json);
    let c = claim(&doc, "desktop-ram");
    let sentence = c["sentence"].as_str().unwrap();
    if c["verdict"] == "not-measured" {
        assert!(
            sentence.contains("the session") && !sentence.contains("no benchmark of this run"),
            "{sentence}"
        );
    } else {
        assert!(c["ci_low_pct"].is_f64(), "{c}");
        let stock = values(&doc, "probe/desktop/pss", "stock");
        assert_eq!(stock.len(), 3, "{stock:?}");
    }
    let _ = std::fs::remove_file(json);
}

#[test]
fn an_unknown_scenario_is_bad_input() {
    let out = common::run(&["scenario", "plasma"]);
    assert_eq!(out.status.code(), Some(2), "{}", common::text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("electron, video, desktop"), "{err}");
}
