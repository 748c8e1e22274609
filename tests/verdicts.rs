//! Verdicts end to end: the real binary, real libraries, real builds of zlib.
//!
//! Every test measures, and measurements disturb each other on a small machine,
//! so they take turns (`MEASURING`).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

static MEASURING: Mutex<()> = Mutex::new(());

fn turn() -> std::sync::MutexGuard<'static, ()> {
    MEASURING.lock().unwrap_or_else(|e| e.into_inner())
}

fn storebench(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_storebench"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("storebench runs")
}

fn text(o: &Output) -> String {
    format!(
        "--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// `--rounds 3 --slice 0.05` → ["--rounds", "3", "--slice", "0.05"].
fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(String::from).collect()
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn comparisons(doc: &Value) -> Vec<Value> {
    doc["comparisons"].as_array().unwrap().clone()
}

/// The directory the loader takes `soname` from for this binary.
fn system_dir_of(soname: &str) -> PathBuf {
    let out = Command::new("ldd")
        .arg(env!("CARGO_BIN_EXE_storebench"))
        .output()
        .expect("ldd runs");
    let listing = String::from_utf8_lossy(&out.stdout);
    let line = listing
        .lines()
        .find(|l| l.trim_start().starts_with(soname))
        .unwrap_or_else(|| panic!("{soname} not in ldd output:\n{listing}"));
    let path = line
        .split("=>")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    Path::new(path).parent().unwrap().to_owned()
}

/// A directory holding copies (not links) of the system's `sonames`.
fn copies_of(sonames: &[&str], dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    for soname in sonames {
        let from = system_dir_of(soname).join(soname);
        std::fs::copy(&from, dir.join(soname)).unwrap();
    }
    dir.to_owned()
}

/// zlib's sources as the libz-sys crate ships them, found through cargo.
fn zlib_source() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--offline",
            "--manifest-path",
        ])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
        .output()
        .expect("cargo metadata runs");
    assert!(out.status.success(), "{}", text(&out));
    let meta: Value = serde_json::from_slice(&out.stdout).unwrap();
    let manifest = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "libz-sys")
        .expect("libz-sys is a dependency")["manifest_path"]
        .as_str()
        .unwrap()
        .to_owned();
    let src = Path::new(&manifest).parent().unwrap().join("src/zlib");
    assert!(src.join("deflate.c").is_file(), "{}", src.display());
    src
}

const ZLIB_SOURCES: [&str; 15] = [
    "adler32.c",
    "crc32.c",
    "deflate.c",
    "infback.c",
    "inffast.c",
    "inflate.c",
    "inftrees.c",
    "trees.c",
    "zutil.c",
    "compress.c",
    "uncompr.c",
    "gzclose.c",
    "gzlib.c",
    "gzread.c",
    "gzwrite.c",
];

/// Builds `libz.so.1` into `out` with `opt` (-O0, -O2…) as zlib's configure would
/// on Linux, with zlib's own version script. `sabotage` makes inflate reject every
/// correct stream, so the library computes wrong results.
fn build_zlib(out: &Path, opt: &str, sabotage: bool) -> PathBuf {
    let mut src = zlib_source();
    std::fs::create_dir_all(out).unwrap();
    if sabotage {
        let copy = out.join("src");
        std::fs::create_dir_all(&copy).unwrap();
        for entry in std::fs::read_dir(&src).unwrap().flatten() {
            if entry.path().is_file() {
                std::fs::copy(entry.path(), copy.join(entry.file_name())).unwrap();
            }
        }
        let inflate = copy.join("inflate.c");
        let code = std::fs::read_to_string(&inflate).unwrap();
        let wrong = code.replace(
            "ZSWAP32(hold)) != state->check)",
            "ZSWAP32(hold)) == state->check)",
        );
        assert_ne!(code, wrong, "the data check to invert was not found");
        std::fs::write(&inflate, wrong).unwrap();
        src = copy;
    }
    let map = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/demo-store.d/libs/zlib/zlib.map");
    let lib = out.join("libz.so.1");
    let status = Command::new("cc")
        .args([
            opt,
            "-fPIC",
            "-shared",
            "-D_LARGEFILE64_SOURCE=1",
            "-DHAVE_HIDDEN",
        ])
        .args([
            "-DHAVE_UNISTD_H=1",
            "-DHAVE_STDARG_H=1",
            "-Wl,-soname,libz.so.1",
        ])
        .arg(format!("-Wl,--version-script,{}", map.display()))
        .arg("-I")
        .arg(&src)
        .arg("-o")
        .arg(&lib)
        .args(ZLIB_SOURCES.iter().map(|f| src.join(f)))
        .status()
        .expect("cc runs");
    assert!(status.success(), "building zlib {opt} failed");
    out.to_owned()
}

#[test]
fn identical_libraries_are_an_a_a_run_that_is_never_called_faster_or_slower() {
    let _turn = turn();
    let tmp = tempfile::tempdir().unwrap();
    let copy = copies_of(&["libz.so.1", "libzstd.so.1"], &tmp.path().join("copy"));
    let system = system_dir_of("libz.so.1");
    let out = tmp.path().join("aa.json");
    // Twenty quick, steady benchmarks. What a test can hold on any machine is the
    // false-positive side: identical files must not be reported as an improvement
    // or a regression beyond chance. How many come out "no change" rather than
    // "inconclusive" depends on the machine's noise, so that rate is measured by
    // `scripts/aa-rate` (a benchmark, not a test) and reported, not asserted here.
    let mut args = vec![
        "run".to_string(),
        "--variant".into(),
        format!("a={}", system.display()),
        "--variant".into(),
        format!("b={}", copy.display()),
        "--json".into(),
        out.display().to_string(),
    ];
    args.extend(words(
        "--bench decompress/zlib/* --bench decompress/zstd/l1/* --bench decompress/zstd/l3/* \
         --bench decompress/zstd/l9/* --bench compress/zlib/l1/text --bench compress/zlib/l1/json \
         --corpus-kib 256 --rounds 12 --slice 0.1 --noise 2 --seed 7 --no-report",
    ));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = storebench(&args, tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("A/A: `b` and `a` loaded byte-identical libraries"),
        "{}",
        text(&o)
    );
    let doc = json(&out);
    let all = comparisons(&doc);
    assert_eq!(all.len(), 20, "{}", text(&o));
    let called = all
        .iter()
        .filter(|c| c["verdict"] == "improvement" || c["verdict"] == "regression")
        .count();
    let no_change = all.iter().filter(|c| c["verdict"] == "no-change").count();
    eprintln!(
        "A/A: {no_change} of 20 no change, {called} called faster or slower\n{}",
        text(&o)
    );
    assert!(
        called <= 2,
        "{called} of 20 identical pairs were called faster or slower\n{}",
        text(&o)
    );
}

#[test]
fn masking_aes_ni_is_a_large_regression_on_every_16k_aes_benchmark() {
    let _turn = turn();
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("storebench.toml");
    std::fs::write(
        &config,
        "[variants.stock]\n[variants.no-aes-ni]\nenv = { OPENSSL_ia32cap = \"~0x200000200000000\" }\n",
    )
    .unwrap();
    let out = tmp.path().join("control.json");
    let o = storebench(
        &[
            "run",
            "--bench",
            "aes/*/16384",
            "--rounds",
            "3",
            "--slice",
            "0.05",
            "--json",
            "control.json",
        ],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let all = comparisons(&json(&out));
    assert_eq!(all.len(), 8, "{}", text(&o));
    for c in &all {
        assert_eq!(c["verdict"], "regression", "{c}\n{}", text(&o));
        let change = c["change_pct"].as_f64().unwrap();
        assert!(change < -30.0, "{c}");
        assert!(c["ci_high_pct"].as_f64().unwrap() < 0.0, "{c}");
    }
    let aes = json(&out)["claims"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "openssl-aes")
        .cloned()
        .unwrap();
    assert_eq!(aes["verdict"], "regression", "{aes}");
}

#[test]
fn zlib_built_at_o0_is_slower_than_at_o2_paired_and_between_stored_runs() {
    let _turn = turn();
    let tmp = tempfile::tempdir().unwrap();
    let o2 = build_zlib(&tmp.path().join("o2"), "-O2", false);
    let o0 = build_zlib(&tmp.path().join("o0"), "-O0", false);
    let benches = [
        "--bench",
        "compress/zlib/l6/text",
        "--bench",
        "decompress/zlib/l6/text",
    ];
    // Ten rounds: a median of five is bracketed only by the extremes, which
    // leaves an unpaired comparison of two such runs wide open.
    let quick = [
        "--rounds",
        "10",
        "--slice",
        "0.05",
        "--corpus-kib",
        "256",
        "--seed",
        "3",
    ];
    let variant = |name: &str, dir: &Path| format!("{name}={}", dir.display());

    // Side by side, paired: -O0 against -O2 is a regression.
    let mut args = vec!["run", "--json", "paired.json"];
    let (v2, v0) = (variant("o2", &o2), variant("o0", &o0));
    args.extend(["--variant", &v2, "--variant", &v0]);
    args.extend(benches);
    args.extend(quick);
    let o = storebench(&args, tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    for c in comparisons(&json(&tmp.path().join("paired.json"))) {
        assert_eq!(c["verdict"], "regression", "{c}\n{}", text(&o));
        assert!(c["change_pct"].as_f64().unwrap() < -10.0, "{c}");
    }

    only_zlib_differs(tmp.path(), &v2, &v0);

    // Stored apart, compared without measuring: unpaired, the same sign.
    for (name, v) in [("fast", &v2), ("slow", &v0)] {
        let mut args = vec!["run", "--save", name, "--variant", v];
        args.extend(benches);
        args.extend(quick);
        let o = storebench(&args, tmp.path());
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        assert!(tmp.path().join(format!("baselines/{name}.json")).is_file());
    }
    let o = storebench(
        &["compare", "fast", "slow", "--json", "cmp.json"],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let all = comparisons(&json(&tmp.path().join("cmp.json")));
    assert_eq!(all.len(), 2, "{}", text(&o));
    for c in &all {
        assert_eq!(c["paired"], false);
        assert_eq!(c["baseline"], "fast:o2");
        assert_eq!(c["verdict"], "regression", "{c}\n{}", text(&o));
    }
    let o = storebench(
        &["compare", "fast", "slow", "--fail-on", "regression=5"],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("regressed"),
        "{}",
        text(&o)
    );
    let o = storebench(
        &["compare", "slow", "fast", "--fail-on", "regression"],
        tmp.path(),
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "an improvement does not trip the gate\n{}",
        text(&o)
    );

    // The same file twice: nothing changed, and the gate stays quiet.
    let o = storebench(
        &[
            "compare",
            "fast",
            "baselines/fast.json",
            "--fail-on",
            "regression",
        ],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout)
            .contains("nothing changed between these runs: the same files were loaded"),
        "{}",
        text(&o)
    );

    // After the "rebuild": measure now against the stored run.
    let o = storebench(
        &[
            "compare",
            "fast",
            "--variant",
            &v0,
            "--fail-on",
            "regression",
        ],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));

    // A zlib that computes wrong results is broken, and does not replace a good baseline.
    let bad = build_zlib(&tmp.path().join("bad"), "-O2", true);
    let before = std::fs::read(tmp.path().join("baselines/fast.json")).unwrap();
    let vb = variant("bad", &bad);
    let mut args = vec![
        "run",
        "--save",
        "fast",
        "--variant",
        &v2,
        "--variant",
        &vb,
        "--json",
        "bad.json",
    ];
    args.extend(benches);
    args.extend(quick);
    let o = storebench(&args, tmp.path());
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("kept the existing baseline"),
        "{}",
        text(&o)
    );
    assert_eq!(
        std::fs::read(tmp.path().join("baselines/fast.json")).unwrap(),
        before
    );
    let doc = json(&tmp.path().join("bad.json"));
    assert!(
        comparisons(&doc).iter().all(|c| c["verdict"] == "broken"),
        "{doc}"
    );
    let universal = doc["claims"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "universal")
        .cloned()
        .unwrap();
    assert_eq!(universal["verdict"], "broken", "{universal}");
    assert!(
        universal["sentence"]
            .as_str()
            .unwrap()
            .contains("wrong results"),
        "{universal}"
    );
}

/// Two variants that differ in zlib alone, on the same glibc: the universal claim
/// ("glibc + zlib") stands on the zlib benchmarks, glibc is named as not rebuilt,
/// and the libc group is an A/A mean, marked, that no claim counts.
fn only_zlib_differs(dir: &Path, v2: &str, v0: &str) {
    let mut args = vec![
        "run",
        "--json",
        "mixed.json",
        "--variant",
        v2,
        "--variant",
        v0,
    ];
    args.extend([
        "--bench",
        "compress/zlib/l6/text",
        "--bench",
        "libc/memcpy/4096",
    ]);
    args.extend(["--rounds", "3", "--slice", "0.05", "--corpus-kib", "256"]);
    let o = storebench(&args, dir);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let doc = json(&dir.join("mixed.json"));
    let find = |key: &str, field: &str, value: &str| -> Value {
        doc[key]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x[field] == value)
            .cloned()
            .unwrap_or_else(|| panic!("no {key} with {field} {value}: {doc}"))
    };
    let universal = find("claims", "id", "universal");
    assert_eq!(
        universal["benches"],
        serde_json::json!(["compress/zlib/l6/text"]),
        "{universal}"
    );
    assert_eq!(
        universal["not_rebuilt"],
        serde_json::json!(["glibc"]),
        "{universal}"
    );
    let sentence = universal["sentence"].as_str().unwrap();
    let apart = "glibc: the same file in both variants — not rebuilt in this comparison";
    assert!(
        sentence.contains("judged on the 1 rebuilt benchmark(s) alone"),
        "{sentence}"
    );
    assert!(sentence.contains(apart), "{sentence}");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains(apart), "{}", text(&o));
    let libc = find("comparisons", "bench", "libc/memcpy/4096");
    assert_eq!(libc["not_rebuilt"], serde_json::json!(["glibc"]), "{libc}");
    let group = find("groups", "group", "libc");
    assert_eq!(group["rebuilt"], false, "{group}");
    assert!(
        stdout.contains("not rebuilt: the same glibc file"),
        "{}",
        text(&o)
    );
    // The claim's figure is zlib's alone: the identical pair pulls it nowhere.
    let zlib = find("comparisons", "bench", "compress/zlib/l6/text");
    let pct = |v: &Value, k: &str| v[k].as_f64().unwrap();
    assert!(pct(&zlib, "change_pct") < -10.0, "{zlib}");
    let (claimed, measured) = (pct(&universal, "change_pct"), pct(&zlib, "change_pct"));
    assert!((claimed - measured).abs() < 1e-6, "{universal} {zlib}");
    assert!(pct(&universal, "ci_high_pct") < 0.0, "{universal}");
}

#[test]
fn corrupt_truncated_and_newer_baselines_fail_cleanly_with_exit_2() {
    let _turn = turn();
    let tmp = tempfile::tempdir().unwrap();
    let o = storebench(
        &[
            "run",
            "--bench",
            "decompress/zlib/l1/text",
            "--rounds",
            "3",
            "--slice",
            "0.02",
            "--corpus-kib",
            "64",
            "--save",
            "good",
        ],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let good = std::fs::read_to_string(tmp.path().join("baselines/good.json")).unwrap();
    let dir = tmp.path().join("baselines");
    std::fs::write(dir.join("cut.json"), &good[..good.len() / 2]).unwrap();
    std::fs::write(
        dir.join("junk.json"),
        "{\"schema\": \"storebench/1\", \"results\": 12}",
    )
    .unwrap();
    std::fs::write(
        dir.join("future.json"),
        good.replace("\"storebench/1\"", "\"storebench/9\""),
    )
    .unwrap();
    std::fs::write(dir.join("empty.json"), "").unwrap();
    for (name, says) in [
        ("cut", "truncated"),
        ("junk", "corrupt"),
        ("future", "newer storebench"),
        ("empty", "empty"),
    ] {
        for args in [vec!["compare", name], vec!["compare", "good", name]] {
            let o = storebench(&args, tmp.path());
            assert_eq!(o.status.code(), Some(2), "{args:?}\n{}", text(&o));
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(
                err.contains(&format!("{name}.json")) && err.contains(says),
                "{args:?}\n{}",
                text(&o)
            );
        }
    }
    let o = storebench(&["compare", "missing"], tmp.path());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    // The listing shows the good one and names each bad one.
    let o = storebench(&["baselines"], tmp.path());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("good") && out.contains("system"),
        "{}",
        text(&o)
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        ["cut", "junk", "future", "empty"]
            .iter()
            .all(|n| err.contains(&format!("{n}.json"))),
        "{}",
        text(&o)
    );
}

#[test]
fn a_hyperfine_export_compares_with_another_and_with_no_measuring() {
    let tmp = tempfile::tempdir().unwrap();
    let export = |times: &[f64]| {
        serde_json::json!({"results": [{"command": "gzip -9 big", "mean": 1.0, "stddev": 0.01,
            "median": 1.0, "user": 0.9, "system": 0.1, "min": 0.9, "max": 1.1,
            "times": times, "exit_codes": vec![0; times.len()]}]})
        .to_string()
    };
    std::fs::write(
        tmp.path().join("old.json"),
        export(&[1.00, 1.01, 0.99, 1.02, 1.00, 0.98]),
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("new.json"),
        export(&[0.80, 0.81, 0.79, 0.82, 0.80, 0.78]),
    )
    .unwrap();
    let o = storebench(
        &[
            "compare",
            "old.json",
            "new.json",
            "--json",
            "out.json",
            "--fail-on",
            "regression",
        ],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let c = &comparisons(&json(&tmp.path().join("out.json")))[0];
    assert_eq!(c["bench"], "gzip -9 big");
    assert_eq!(c["verdict"], "improvement");
    // 1.00 s → 0.80 s is 20 % less time: positive, because lower is better.
    assert!(
        (c["change_pct"].as_f64().unwrap() - 20.0).abs() < 0.5,
        "{c}"
    );
    let o = storebench(
        &[
            "compare",
            "new.json",
            "old.json",
            "--fail-on",
            "regression=10",
        ],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let o = storebench(&["compare", "old.json"], tmp.path());
    assert_eq!(
        o.status.code(),
        Some(2),
        "a hyperfine export cannot be measured again\n{}",
        text(&o)
    );
}

#[test]
fn a_run_without_rounds_is_sequential_records_its_design_and_keeps_to_its_budget() {
    let _turn = turn();
    let tmp = tempfile::tempdir().unwrap();
    let copy = copies_of(&["libz.so.1"], &tmp.path().join("copy"));
    let system = system_dir_of("libz.so.1");
    let (a, b) = (
        format!("a={}", system.display()),
        format!("b={}", copy.display()),
    );
    let clock = std::time::Instant::now();
    let mut args = vec!["run", "--variant", &a, "--variant", &b];
    let extra = words(
        "--bench decompress/zlib/l1/text --bench compress/zlib/l1/json --slice 0.02 \
         --corpus-kib 64 --budget 8s --seed 3 --no-report --json t.json",
    );
    args.extend(extra.iter().map(String::as_str));
    let o = storebench(&args, tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(clock.elapsed().as_secs_f64() < 30.0);
    let doc = json(&tmp.path().join("t.json"));
    let s = &doc["settings"];
    let stopping = &s["stopping"];
    assert_eq!(stopping["method"], "signed-rank-alpha-spending", "{s}");
    assert_eq!(stopping["min_rounds"], 7, "{s}");
    assert_eq!(s["max_time_seconds"], 8.0, "{s}");
    let max = stopping["max_rounds"].as_u64().unwrap() as usize;
    let open = s["unsettled"].as_array().map_or(0, Vec::len);
    for r in doc["results"].as_array().unwrap() {
        let n = r["rounds"].as_array().unwrap().len();
        assert!((7..=max).contains(&n), "{} has {n} rounds", r["bench"]);
    }
    // A benchmark measured past the minimum was open at the look before.
    let extended = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["rounds"].as_array().unwrap().len() > 7);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        extended,
        stderr.contains(" open, measured again"),
        "{}",
        text(&o)
    );
    assert!(open <= 2);

    // A run stored before the signed-rank design (order-statistic intervals)
    // still loads, is judged by its own design, and comparing it with a new run
    // says that the designs differ.
    let mut old = doc.clone();
    old["settings"]["stopping"]["method"] = "order-statistic-alpha-spending".into();
    std::fs::write(tmp.path().join("old.json"), old.to_string()).unwrap();
    let o = storebench(
        &[
            "compare",
            "old.json",
            "t.json",
            "--no-report",
            "--no-history",
        ],
        tmp.path(),
    );
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", text(&o));
    let said = text(&o);
    assert!(
        said.contains("different designs")
            && said.contains("order-statistic")
            && said.contains("signed-rank"),
        "{said}"
    );
    let o = storebench(
        &["compare", "t.json", "t.json", "--no-report", "--no-history"],
        tmp.path(),
    );
    assert!(!text(&o).contains("different designs"), "{}", text(&o));
}

#[test]
fn calibrate_prints_the_mde_per_group_and_detects_the_control() {
    let _turn = turn();
    let tmp = tempfile::tempdir().unwrap();
    let o = storebench(
        &[
            "calibrate",
            "--budget",
            "12s",
            "--slice",
            "0.05",
            "--corpus-kib",
            "256",
            "--bench",
            "decompress/zlib/l6/text",
            "--bench",
            "aes/256-gcm/encrypt/16384",
        ],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    for expect in [
        "compression",
        "aes",
        "to detect 3 %",
        "A/A:",
        "detected: every AES benchmark",
    ] {
        assert!(out.contains(expect), "no `{expect}`\n{}", text(&o));
    }
}

#[test]
fn help_documents_the_exit_codes_and_the_gate() {
    let tmp = tempfile::tempdir().unwrap();
    let o = storebench(&["--help"], tmp.path());
    let help = String::from_utf8_lossy(&o.stdout);
    for code in ["0  ", "1  ", "2  ", "3  ", "--fail-on regression"] {
        assert!(help.contains(code), "{help}");
    }
    let o = storebench(&["compare", "--help"], tmp.path());
    // One grammar with `ci`'s: both spellings of a threshold are documented.
    let compare_help = String::from_utf8_lossy(&o.stdout);
    assert!(
        compare_help.contains("--fail-on <RULE>") && compare_help.contains("regression=PCT"),
        "{compare_help}"
    );
    let o = storebench(&["run", "--claims", "nope.toml", "--quick"], tmp.path());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}
