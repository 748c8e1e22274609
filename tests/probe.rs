//! `storebench probe` against real processes: helpers with known memory and CPU
//! use (tests/probe_helper.c, compiled here with the C toolchain the build needs
//! anyway), found by name, process tree and cgroup, compared across saved runs.
//!
//! The tests run one at a time: a busy helper next to another test's helpers on
//! a small machine would no longer get a whole core.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};
use storebench::results::{Document, ProbedProcess, PROBE_GROUP};
use storebench::stats::{self, Bootstrap, Interval};

const MIB: f64 = 1024.0 * 1024.0;

fn serial() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn tmp() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
}

/// This run's directory for helper binaries; those of finished runs are removed.
fn helper_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        for entry in std::fs::read_dir(tmp()).unwrap().flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if let Some(pid) = name.strip_prefix("probe-helpers-") {
                if !Path::new("/proc").join(pid).exists() {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
        let dir = tmp().join(format!("probe-helpers-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    })
}

fn helper_binary() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let out = helper_dir().join("probe-helper");
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/probe_helper.c");
        let status = std::process::Command::new("cc")
            .args(["-O1", "-Wall", "-o"])
            .arg(&out)
            .arg(&src)
            .status()
            .expect("cc runs");
        assert!(status.success(), "compiling {}", src.display());
        out
    })
}

/// The helper's file name for `tag`: unique to this test run, so a glob on it
/// finds this test's helpers and nothing else on the machine.
fn name(tag: &str) -> String {
    format!("sbh-{}-{tag}", std::process::id())
}

/// A copy of the helper called [`name`]`(tag)`, which is then its process name.
fn named_binary(tag: &str) -> PathBuf {
    let path = helper_dir().join(name(tag));
    if !path.exists() {
        std::fs::copy(helper_binary(), &path).unwrap();
    }
    path
}

/// A running helper, killed (with its children) when dropped.
struct Helper {
    child: Child,
}

impl Helper {
    fn start(tag: &str, args: &[&str]) -> Helper {
        Helper::spawn(std::process::Command::new(named_binary(tag)), args)
    }

    /// Started through `setpriv` as user `nobody`.
    fn start_as_nobody(tag: &str, args: &[&str]) -> Helper {
        let mut cmd = std::process::Command::new("setpriv");
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(named_binary(tag));
        Helper::spawn(cmd, args)
    }

    fn spawn(mut cmd: std::process::Command, args: &[&str]) -> Helper {
        let mut child = cmd
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .expect("helper starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready", "helper {args:?} did not start");
        Helper { child }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Helper {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn storebench() -> std::process::Command {
    let mut cmd = common::storebench();
    cmd.current_dir(tmp());
    cmd
}

/// Runs storebench with `args`, expecting exit code 2 and every one of `needles`
/// on stderr.
fn refused(args: &[&str], needles: &[&str]) {
    let out = storebench().args(args).output().unwrap();
    let text = common::text(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    for n in needles {
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(n),
            "`{n}` missing: {text}"
        );
    }
}

/// Runs `storebench probe ARGS --json …` and returns the document it wrote.
fn probe(args: &[&str]) -> Document {
    let json = tmp().join(format!("probe-{}.json", std::process::id()));
    let out = storebench()
        .arg("probe")
        .args(args)
        .arg("--json")
        .arg(&json)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "probe {args:?}: {stderr}");
    eprintln!("probe {args:?}:\n{stdout}");
    let doc: Document = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    std::fs::remove_file(&json).unwrap();
    doc
}

fn label(doc: &Document) -> &str {
    &doc.variants[0].variant.name
}

/// The per-sample sums of one metric, in the results entry comparisons read.
fn figures(doc: &Document, metric: &str) -> Vec<f64> {
    let p = doc.probe.as_ref().unwrap();
    let bench = format!("probe/{}/{metric}", p.name);
    let r = doc.result(&bench, label(doc)).expect("a results entry");
    assert_eq!(r.group, PROBE_GROUP);
    assert!(r.rounds.is_empty() && !r.unit.higher_is_better());
    assert_eq!(r.values.len(), p.samples, "{bench}: one value per sample");
    r.figures()
}

fn median(doc: &Document, metric: &str) -> f64 {
    stats::median(&figures(doc, metric)).unwrap()
}

fn process(doc: &Document, pid: u32) -> &ProbedProcess {
    let p = doc.probe.as_ref().unwrap();
    p.processes
        .iter()
        .find(|q| q.pid == pid)
        .unwrap_or_else(|| panic!("pid {pid} not among {:?}", p.processes))
}

fn assert_within(what: &str, measured: f64, expected: f64, tolerance: f64) {
    let off = (measured / expected - 1.0).abs();
    eprintln!(
        "{what}: measured {:.1} MiB, expected {:.1} MiB ({:+.1} %)",
        measured / MIB,
        expected / MIB,
        (measured / expected - 1.0) * 100.0
    );
    assert!(off <= tolerance, "{what} off by {:.1} %", off * 100.0);
}

const SHORT: [&str; 4] = ["--duration", "1s", "--interval", "100ms"];

fn by_name(tag: &str) -> Vec<String> {
    let mut args = vec!["--name".to_string(), name(tag)];
    args.extend(SHORT.iter().map(|s| s.to_string()));
    args
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// PSS and RSS sums of helpers that allocated nothing, started as `layout` says.
fn idle_sums(tag: &str, layout: &[&[&str]]) -> (f64, f64) {
    let _helpers: Vec<Helper> = layout.iter().map(|a| Helper::start(tag, a)).collect();
    let doc = probe(&strs(&by_name(tag)));
    (median(&doc, "pss"), median(&doc, "rss"))
}

#[test]
fn helpers_found_by_name_sum_to_what_they_allocated_plus_their_idle_size() {
    let _serial = serial();
    let (idle_pss, idle_rss) = idle_sums("idle", &[&["mem", "0"], &["mem", "0", "0"]]);
    let _small = Helper::start("mem", &["mem", "50"]);
    let big = Helper::start("mem", &["mem", "150", "40"]);
    let doc = probe(&strs(&by_name("mem")));

    let p = doc.probe.as_ref().unwrap();
    assert_eq!(p.processes.len(), 3, "both helpers and the child: {p:?}");
    assert!(p.skipped.is_empty());
    let allocated = 240.0 * MIB;
    assert_within("PSS sum", median(&doc, "pss"), allocated + idle_pss, 0.10);
    assert_within("RSS sum", median(&doc, "rss"), allocated + idle_rss, 0.10);
    assert!(
        median(&doc, "uss") >= allocated,
        "private pages hold the allocations"
    );
    assert_within(
        "the 150 MiB helper's RSS",
        process(&doc, big.pid()).median_rss as f64,
        150.0 * MIB,
        0.10,
    );
}

#[test]
fn a_process_tree_is_found_from_its_root_and_nothing_else_is() {
    let _serial = serial();
    let idle = Helper::start("tree-idle", &["mem", "0", "0"]);
    let idle_doc = probe(&[
        "--pid",
        &idle.pid().to_string(),
        "--tree",
        "--duration",
        "1s",
        "--interval",
        "100ms",
    ]);
    drop(idle);
    let _unrelated = Helper::start("tree", &["mem", "50"]);
    let root = Helper::start("tree", &["mem", "150", "40"]);
    let doc = probe(&[
        "--pid",
        &root.pid().to_string(),
        "--tree",
        "--duration",
        "1s",
        "--interval",
        "100ms",
    ]);

    let p = doc.probe.as_ref().unwrap();
    assert_eq!(p.processes.len(), 2, "the root and its child only: {p:?}");
    assert!(p.selectors[0].contains("--tree"));
    let expected_pss = 190.0 * MIB + median(&idle_doc, "pss");
    assert_within("PSS of the tree", median(&doc, "pss"), expected_pss, 0.10);
    let expected_rss = 190.0 * MIB + median(&idle_doc, "rss");
    assert_within("RSS of the tree", median(&doc, "rss"), expected_rss, 0.10);
}

/// Nanoseconds `pid` has run on a CPU, by the scheduler's own account (not the
/// tick-sampled utime/stime the probe reads).
fn run_ns(pid: u32) -> f64 {
    let text = std::fs::read_to_string(format!("/proc/{pid}/schedstat")).unwrap();
    text.split_whitespace().next().unwrap().parse().unwrap()
}

#[test]
fn a_busy_helper_uses_one_cpu_second_per_second_and_a_sleeping_one_none() {
    let _serial = serial();
    let busy = Helper::start("cpu", &["busy"]);
    let sleeping = Helper::start("cpu", &["sleep"]);
    let (clock, ran) = (Instant::now(), run_ns(busy.pid()));
    let doc = probe(&[
        "--name",
        &name("cpu"),
        "--duration",
        "3s",
        "--interval",
        "250ms",
    ]);
    // What the busy loop got on a shared machine: one core when it is idle, less
    // when other work competes for the cores.
    let given = (run_ns(busy.pid()) - ran) / 1e9 / clock.elapsed().as_secs_f64();

    let cpu = figures(&doc, "cpu");
    let mean = cpu.iter().sum::<f64>() / cpu.len() as f64;
    let sleeping_cpu = process(&doc, sleeping.pid()).median_cpu.unwrap();
    eprintln!(
        "busy + sleeping: {mean:.3} cpu-s/s (the scheduler gave the busy one {given:.3}), \
         sleeping alone {sleeping_cpu:.3}"
    );
    assert!(
        (mean - given).abs() <= 0.1,
        "probe {mean:.3} vs scheduler {given:.3}"
    );
    assert!(
        mean <= 1.1,
        "one thread cannot use more than one core: {mean}"
    );
    if given >= 0.9 {
        assert!(mean >= 0.85, "a busy loop with a core to itself: {mean}");
    }
    assert!(sleeping_cpu < 0.02, "sleeping: {sleeping_cpu}");
    let busy_cpu = process(&doc, busy.pid()).median_cpu.unwrap();
    assert!(
        (busy_cpu - given).abs() <= 0.15,
        "busy median {busy_cpu:.3}"
    );
}

#[test]
fn a_process_exiting_midway_is_counted_while_it_lived() {
    let _serial = serial();
    let stays = Helper::start("exit", &["mem", "20"]);
    let leaves = Helper::start("exit", &["exit-after", "1000", "30"]);
    let doc = probe(&[
        "--name",
        &name("exit"),
        "--duration",
        "2s",
        "--interval",
        "200ms",
    ]);

    assert_eq!(process(&doc, stays.pid()).last_sample, 10);
    let gone = process(&doc, leaves.pid());
    assert_eq!(gone.first_sample, 1);
    assert!((3..10).contains(&gone.last_sample), "{gone:?}");
    let pss = figures(&doc, "pss");
    let drop = pss[0] - pss[pss.len() - 1];
    assert_within("PSS freed by the exit", drop, 30.0 * MIB, 0.10);
}

#[test]
fn a_child_started_midway_is_counted_from_its_first_sample_with_its_cpu() {
    let _serial = serial();
    let parent = Helper::start("spawn", &["spawn-after", "800", "30"]);
    let doc = probe(&[
        "--pid",
        &parent.pid().to_string(),
        "--tree",
        "--duration",
        "2s",
        "--interval",
        "200ms",
    ]);

    let p = doc.probe.as_ref().unwrap();
    assert_eq!(p.processes.len(), 2, "{p:?}");
    let child = p.processes.iter().find(|q| q.pid != parent.pid()).unwrap();
    assert!((3..=6).contains(&child.first_sample), "{child:?}");
    assert_eq!(child.last_sample, 10);
    assert!(
        child.median_cpu.is_some(),
        "a new process's CPU time all fell in the window"
    );
    let pss = figures(&doc, "pss");
    assert_within("PSS the child added", pss[9] - pss[0], 30.0 * MIB, 0.10);
}

#[test]
fn a_selector_matching_nothing_exits_2_at_once_with_a_clear_message() {
    let _serial = serial();
    let clock = Instant::now();
    refused(
        &["probe", "--name", &name("nothing"), "--duration", "30s"],
        &[&format!(
            "no running process matches --name '{}'",
            name("nothing")
        )],
    );
    assert!(
        clock.elapsed() < Duration::from_secs(10),
        "it did not wait out the window"
    );
}

#[test]
fn an_unknown_probe_name_exits_2_and_lists_the_known_ones() {
    refused(
        &["probe", "no-such-probe"],
        &["no probe named `no-such-probe`", "desktop, electron, video"],
    );
}

fn is_root() -> bool {
    // SAFETY: geteuid cannot fail.
    unsafe { libc::geteuid() == 0 }
}

#[test]
fn a_process_that_cannot_be_read_is_reported_as_skipped() {
    let _serial = serial();
    if is_root() {
        // Probe as nobody: root's helper is unreadable to it, nobody's own is not.
        let mine = Helper::start_as_nobody("unread", &["mem", "5"]);
        let roots = Helper::start("unread", &["mem", "5"]);
        let bin = env!("CARGO_BIN_EXE_storebench");
        let out = std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(bin)
            .args([
                "probe",
                "--name",
                &name("unread"),
                "--duration",
                "500ms",
                "--interval",
                "100ms",
            ])
            .current_dir("/")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        eprintln!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success());
        // The kernel keeps the first 15 bytes of a process's name.
        let full = name("unread");
        let comm = &full[..full.len().min(15)];
        let rows: Vec<Vec<&str>> = stdout
            .lines()
            .map(|l| l.split_whitespace().collect())
            .collect();
        assert!(
            rows.iter()
                .any(|r| r.len() > 1 && r[0] == mine.pid().to_string() && r[1] == comm),
            "nobody's own helper is measured"
        );
        assert!(!rows
            .iter()
            .any(|r| !r.is_empty() && r[0] == roots.pid().to_string()));
        assert!(stdout.contains(&format!(
            "skipped {} ({comm}, uid 0): permission denied reading /proc/{}/smaps_rollup (owned by uid 0",
            roots.pid(),
            roots.pid()
        )));
    } else {
        let owner = std::fs::metadata("/proc/1").map(|m| std::os::unix::fs::MetadataExt::uid(&m));
        // SAFETY: geteuid cannot fail.
        if owner.ok() == Some(unsafe { libc::geteuid() }) {
            eprintln!("skipped: PID 1 is ours and no other user's process is at hand");
            return;
        }
        let mine = Helper::start("unread", &["mem", "5"]);
        let doc = probe(&[
            "--pid",
            "1",
            "--pid",
            &mine.pid().to_string(),
            "--duration",
            "500ms",
            "--interval",
            "100ms",
        ]);
        let p = doc.probe.as_ref().unwrap();
        assert_eq!(p.processes.len(), 1);
        assert_eq!(p.skipped[0].pid, 1);
        assert!(p.skipped[0].reason.contains("permission denied"));
    }
}

#[test]
fn a_process_skipped_alone_exits_2_naming_it() {
    let _serial = serial();
    let Ok(text) = std::fs::read_to_string("/proc/1/smaps_rollup").map_err(|e| e.kind()) else {
        refused(
            &["probe", "--pid", "1", "--duration", "10s"],
            &["unreadable", "/proc/1/smaps_rollup"],
        );
        return;
    };
    eprintln!("skipped: PID 1 is readable here ({} bytes)", text.len());
}

/// The cgroup v2 directory this process is in, when a cgroup2 hierarchy is mounted.
fn own_cgroup_dir() -> Option<PathBuf> {
    let mounts = std::fs::read_to_string("/proc/self/mounts").ok()?;
    let mount = mounts
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|f| f.len() > 2 && f[2] == "cgroup2")?[1]
        .to_string();
    let own = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let path = own.lines().find_map(|l| l.strip_prefix("0::"))?;
    Some(Path::new(&mount).join(path.trim_start_matches('/')))
}

#[test]
fn a_cgroup_directory_a_cgroup_path_and_a_unit_select_the_processes_in_them() {
    let _serial = serial();
    let unit = format!("{}.service", name("unit"));
    let Some(dir) = own_cgroup_dir().map(|d| d.join(&unit)) else {
        eprintln!(
            "skipped: no cgroup2 hierarchy mounted (the matching is unit-tested in select.rs)"
        );
        return;
    };
    if let Err(e) = std::fs::create_dir(&dir) {
        eprintln!(
            "skipped: cannot create {} ({e}); the matching is unit-tested",
            dir.display()
        );
        return;
    }
    let inside = Helper::start("unit", &["mem", "20"]);
    let _outside = Helper::start("unit", &["mem", "20"]);
    let moved = std::fs::write(dir.join("cgroup.procs"), inside.pid().to_string());
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        if let Err(e) = moved {
            eprintln!(
                "skipped: cannot move a process into {} ({e})",
                dir.display()
            );
            return;
        }
        let path = std::fs::read_to_string(format!("/proc/{}/cgroup", inside.pid())).unwrap();
        let cgroup_path = path
            .lines()
            .find_map(|l| l.strip_prefix("0::"))
            .unwrap()
            .to_string();
        let dir_arg = dir.to_string_lossy().to_string();
        let unit_arg = name("unit");
        for args in [
            ["--cgroup", &dir_arg],
            ["--cgroup", &cgroup_path],
            ["--unit", &unit_arg],
        ] {
            let doc = probe(&[
                args[0],
                args[1],
                "--duration",
                "500ms",
                "--interval",
                "100ms",
            ]);
            let pids: Vec<u32> = doc
                .probe
                .as_ref()
                .unwrap()
                .processes
                .iter()
                .map(|q| q.pid)
                .collect();
            assert_eq!(pids, [inside.pid()], "{args:?}");
        }
    }));
    drop(inside);
    // The cgroup empties once the killed helper is reaped, which the kernel
    // finishes asynchronously.
    for _ in 0..50 {
        if std::fs::remove_dir(&dir).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!dir.exists(), "{} left behind", dir.display());
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

/// b / a of the medians of two saved probe runs, with the unpaired bootstrap CI.
fn unpaired(a: &Document, b: &Document, metric: &str) -> Interval {
    stats::unpaired_ratio(
        &figures(a, metric),
        &figures(b, metric),
        Bootstrap {
            seed: 9,
            ..Bootstrap::default()
        },
    )
    .expect("both runs have positive samples")
}

/// `storebench probe helpers --label LABEL`, the probe named in a config file.
fn saved_probe(tag: &str, label: &str) -> Document {
    let config = helper_dir().join(format!("{tag}.toml"));
    let table = format!(
        "[probes.helpers]\nnames = [\"{}\"]\nduration = \"1s\"\ninterval = \"100ms\"\n",
        name(tag)
    );
    std::fs::write(&config, table).unwrap();
    let doc = probe(&[
        "helpers",
        "--config",
        config.to_str().unwrap(),
        "--label",
        label,
    ]);
    assert_eq!(self::label(&doc), label);
    assert_eq!(doc.probe.as_ref().unwrap().samples, 10);
    doc
}

#[test]
fn two_probes_of_the_same_helpers_show_no_change() {
    let _serial = serial();
    let _small = Helper::start("same", &["mem", "50"]);
    let _big = Helper::start("same", &["mem", "150", "40"]);
    let first = saved_probe("same", "first");
    let second = saved_probe("same", "second");

    for metric in ["pss", "rss", "uss"] {
        let i = unpaired(&first, &second, metric);
        eprintln!(
            "{metric}: ratio {:.4} ({:.4} … {:.4})",
            i.estimate, i.low, i.high
        );
        // Inside the 1 % noise threshold, interval and all: no change.
        assert!(i.low > 0.99 && i.high < 1.01, "{metric}: {i:?}");
    }
}

#[test]
fn helpers_allocating_35_percent_less_improve_memory_by_about_35_percent_confirming_a_30_to_40_percent_claim(
) {
    let _serial = serial();
    let before = {
        let _small = Helper::start("less", &["mem", "50"]);
        let _big = Helper::start("less", &["mem", "150", "40"]);
        saved_probe("less", "before")
    };
    let after = {
        let _small = Helper::start("less", &["mem", "32.5"]);
        let _big = Helper::start("less", &["mem", "97.5", "26"]);
        saved_probe("less", "after")
    };
    assert_eq!(before.results[0].bench, "probe/helpers/pss");

    for metric in ["pss", "rss", "uss"] {
        let i = unpaired(&before, &after, metric);
        // Memory is better low: the improvement is the share no longer used.
        let (gain, low, high) = (1.0 - i.estimate, 1.0 - i.high, 1.0 - i.low);
        eprintln!(
            "{metric}: {:.1} % less ({:.1} … {:.1} %)",
            gain * 100.0,
            low * 100.0,
            high * 100.0
        );
        assert!(
            (0.33..=0.37).contains(&gain),
            "{metric}: about 35 %: {gain}"
        );
        // The claim −30–40 % is confirmed when the whole interval lies in it.
        assert!(low >= 0.30 && high <= 0.40, "{metric}: [{low}, {high}]");
    }
}
