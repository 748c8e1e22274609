//! `storebench probe --libraries` and `storebench impact` against real
//! processes: a Python loop compressing through the system's libz, one running
//! only interpreter code, one asleep; a real run of an -O0 zlib against the
//! system's; and a probe the kernel may not sample, run as another user.
//!
//! The tests run one at a time: a busy process beside another test's would
//! share the cores, and the sysctl test changes a machine-wide setting.

mod common;

use common::{build_zlib, copy_system_libs, storebench, text};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard};

/// Debian's interpreter: it loads the system's libz.so.1 (pyenv's might not).
const PYTHON: &str = "/usr/bin/python3";

const ZLIB_LOOP: &str = "import random, sys, zlib
r = random.Random(1)
words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta']
data = ' '.join(r.choice(words) + str(r.randrange(1000)) for _ in range(100000)).encode()
print('ready', flush=True)
while True:
    zlib.compress(data, 6)
";

const PURE_LOOP: &str = "print('ready', flush=True)
while True:
    x = 0
    for i in range(10000):
        x += i * i
";

fn serial() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// A process killed when dropped.
struct Busy(Child);

impl Busy {
    /// `python3 -c CODE`, once it has printed `ready`.
    fn python(code: &str) -> Busy {
        let mut child = Command::new(PYTHON)
            .args(["-c", code])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready");
        Busy(child)
    }

    fn pid(&self) -> String {
        self.0.id().to_string()
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Probes `pid` with --libraries for 2 s; the document's `probe.libraries`.
fn probe_libraries(pid: &str, json: &Path) -> Value {
    let o = storebench()
        .args([
            "probe",
            "--pid",
            pid,
            "--duration",
            "2s",
            "--interval",
            "500ms",
        ])
        .args(["--libraries", "--json"])
        .arg(json)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    read(json)["probe"]["libraries"].clone()
}

fn objects(lib: &Value) -> Vec<Value> {
    lib["objects"].as_array().unwrap().clone()
}

#[test]
fn a_zlib_loop_spends_most_of_its_samples_in_libz() {
    let _s = serial();
    let dir = tempfile::tempdir().unwrap();
    let busy = Busy::python(ZLIB_LOOP);
    let lib = probe_libraries(&busy.pid(), &dir.path().join("p.json"));
    let objs = objects(&lib);
    let top = &objs[0];
    assert!(
        top["soname"] == "libz.so.1" && top["kind"] == "library",
        "{lib:#}"
    );
    assert!(top["share_pct"].as_f64().unwrap() >= 50.0, "{lib:#}");
    assert!(top["ci_low_pct"].as_f64() <= top["share_pct"].as_f64());
    assert_eq!(
        top["file"]["sha256"].as_str().unwrap().len(),
        64,
        "the file is described: {top}"
    );
    let total: f64 = objs.iter().map(|o| o["share_pct"].as_f64().unwrap()).sum();
    assert!((total - 100.0).abs() < 1e-6, "{total}");
    // 999 samples per CPU second: a busy process gives many even when it gets
    // a small part of a loaded machine's cores.
    assert!(lib["samples"].as_u64().unwrap() > 50, "{lib:#}");
}

#[test]
fn a_sleeping_process_gives_almost_no_samples() {
    let _s = serial();
    let dir = tempfile::tempdir().unwrap();
    let mut sleeper = Command::new("sleep").arg("30").spawn().unwrap();
    let lib = probe_libraries(&sleeper.id().to_string(), &dir.path().join("p.json"));
    let _ = sleeper.kill();
    let _ = sleeper.wait();
    assert!(lib["samples"].as_u64().unwrap() <= 5, "{lib:#}");
}

#[test]
fn pure_interpreter_code_is_spent_in_the_interpreters_own_object() {
    let _s = serial();
    let dir = tempfile::tempdir().unwrap();
    let busy = Busy::python(PURE_LOOP);
    let lib = probe_libraries(&busy.pid(), &dir.path().join("p.json"));
    let top = &objects(&lib)[0];
    let name = top["name"].as_str().unwrap();
    assert!(
        name.starts_with("python3") || name.starts_with("libpython3"),
        "{lib:#}"
    );
    assert!(top["share_pct"].as_f64().unwrap() >= 50.0, "{lib:#}");
}

/// The geometric mean of the run's zlib changes, as the time saved: 1 − 1/ratio.
fn zlib_time_saved(run: &Value) -> f64 {
    let ratios: Vec<f64> = run["comparisons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["bench"].as_str().unwrap().contains("/zlib/"))
        .map(|c| 1.0 + c["change_pct"].as_f64().unwrap() / 100.0)
        .collect();
    assert!(!ratios.is_empty(), "{run}");
    let g = (ratios.iter().map(|r| r.ln()).sum::<f64>() / ratios.len() as f64).exp();
    1.0 - 1.0 / g
}

#[test]
fn impact_projects_share_times_the_time_zlib_saves() {
    let _s = serial();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let probe = d.join("probe.json");
    let lib = {
        let busy = Busy::python(ZLIB_LOOP);
        probe_libraries(&busy.pid(), &probe)
    };
    let o0 = build_zlib(&["-O0"], None);
    let system = copy_system_libs(&["libz.so.1"]);
    let o = storebench()
        .args(["run", "--json"])
        .arg(d.join("run.json"))
        .arg("--variant")
        .arg(format!("o0={}", o0.path().display()))
        .arg("--variant")
        .arg(format!("system={}", system.path().display()))
        .args([
            "--bench",
            "compress/zlib/l6/text",
            "--bench",
            "decompress/zlib/l6/text",
        ])
        .args([
            "--rounds",
            "5",
            "--slice",
            "0.05",
            "--corpus-kib",
            "256",
            "--seed",
            "1",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let run = read(&d.join("run.json"));

    let o = storebench()
        .arg("impact")
        .args([&probe, &d.join("run.json")])
        .arg("--json")
        .arg(d.join("impact.json"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("projected: CPU time saved"), "{}", text(&o));
    let impact = read(&d.join("impact.json"));

    let libz = objects(&lib)
        .into_iter()
        .find(|o| o["soname"] == "libz.so.1")
        .unwrap();
    let share = libz["share_pct"].as_f64().unwrap();
    let expected = share * zlib_time_saved(&run);
    let p = &impact["projection"];
    let (saving, ci) = (p["saving_pct"].as_f64().unwrap(), &p["saving_ci_pct"]);
    let (low, high) = (ci[0].as_f64().unwrap(), ci[1].as_f64().unwrap());
    assert!(saving > 10.0, "the -O0 build is much slower: {impact:#}");
    assert!(
        low <= expected && expected <= high,
        "share {share} × time saved ≈ {expected}, projected {saving} ({low}…{high})\n{impact:#}"
    );
    assert!(
        (p["ceiling_pct"].as_f64().unwrap() - share).abs() < 1e-9,
        "only libz was measured: {p}"
    );
    // Every sampled object is listed; those the run did not measure (the
    // interpreter, libc, the kernel) are unknown, not zero.
    let listed = impact["objects"].as_array().unwrap();
    assert_eq!(listed.len(), objects(&lib).len());
    for o in listed.iter().filter(|o| o["name"] != libz["name"]) {
        assert!(o["change"].is_null() && o["saving_pct"].is_null(), "{o}");
    }
    // The universal claim, judged over what the workload spends in zlib.
    let universal = impact["claims"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "universal")
        .expect("the run judged the universal claim");
    assert_eq!(universal["subjects"][0], libz["name"]);
    assert_eq!(universal["verdict"], "exceeded", "{universal}");

    // The report shows the projection beside the run.
    let o = storebench()
        .args(["report", "-o"])
        .arg(d.join("report"))
        .args([&probe, &d.join("run.json")])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let page = std::fs::read_to_string(d.join("report/index.html")).unwrap();
    assert!(page.contains("Impact on a probed workload"), "{}", text(&o));
}

#[test]
fn impact_of_a_probe_without_libraries_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let mut sleeper = Command::new("sleep").arg("30").spawn().unwrap();
    let probe = dir.path().join("p.json");
    let o = storebench()
        .args([
            "probe",
            "--pid",
            &sleeper.id().to_string(),
            "--duration",
            "300ms",
        ])
        .args(["--interval", "100ms", "--json"])
        .arg(&probe)
        .output()
        .unwrap();
    let _ = sleeper.kill();
    let _ = sleeper.wait();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = storebench()
        .arg("impact")
        .args([&probe, &probe])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("--libraries"),
        "{}",
        text(&o)
    );
}

/// `storebench ARGS` as the unprivileged user `nobody`.
fn as_nobody(args: &[&str]) -> Output {
    Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_storebench"))
        .args(args)
        .env("NO_COLOR", "1")
        .current_dir("/")
        .output()
        .unwrap()
}

/// Sets kernel.perf_event_paranoid for the guard's life, then restores it.
struct Paranoid(String);

impl Paranoid {
    const FILE: &'static str = "/proc/sys/kernel/perf_event_paranoid";

    fn set(level: &str) -> Paranoid {
        let old = std::fs::read_to_string(Self::FILE).unwrap();
        std::fs::write(Self::FILE, level).expect("the test runs as root and may set the sysctl");
        Paranoid(old.trim().to_string())
    }
}

impl Drop for Paranoid {
    fn drop(&mut self) {
        let _ = std::fs::write(Self::FILE, &self.0);
    }
}

#[test]
fn sampling_the_kernel_does_not_allow_says_what_to_do_and_exits_2() {
    let _s = serial();
    let _p = Paranoid::set("2");
    let mut own = Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "sleep",
            "30",
        ])
        .spawn()
        .unwrap();
    let mut roots = Command::new("sleep").arg("30").spawn().unwrap();
    let (own_pid, root_pid) = (own.id().to_string(), roots.id().to_string());
    let probe = |pid: &str, extra: &[&str]| {
        let mut args = vec!["probe", "--pid", pid, "--duration", "300ms"];
        args.extend(["--interval", "100ms", "--libraries"]);
        args.extend(extra);
        as_nobody(&args)
    };
    // Kernel samples need perf_event_paranoid ≤ 1 without privileges.
    let kernel = probe(&own_pid, &[]);
    // User space of its own process is allowed.
    let user_only = probe(&own_pid, &["--user-only"]);
    // Another user's process is not, whatever the sysctl.
    let foreign = probe(&root_pid, &["--user-only"]);
    // Without --libraries the probe works as before.
    let plain = as_nobody(&[
        "probe",
        "--pid",
        &own_pid,
        "--duration",
        "300ms",
        "--interval",
        "100ms",
    ]);
    for c in [&mut own, &mut roots] {
        let _ = c.kill();
        let _ = c.wait();
    }
    assert_eq!(kernel.status.code(), Some(2), "{}", text(&kernel));
    let err = String::from_utf8_lossy(&kernel.stderr);
    assert!(
        err.contains("perf_event_paranoid = 2")
            && err.contains("sysctl kernel.perf_event_paranoid=1")
            && err.contains("--user-only"),
        "{}",
        text(&kernel)
    );
    assert_eq!(user_only.status.code(), Some(0), "{}", text(&user_only));
    assert!(String::from_utf8_lossy(&user_only.stdout).contains("user space only"));
    assert_eq!(foreign.status.code(), Some(2), "{}", text(&foreign));
    assert_eq!(plain.status.code(), Some(0), "{}", text(&plain));
}
