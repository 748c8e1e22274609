//! The core harness end to end: the real binary, real libraries, real workers.

mod common;

use common::*;
use std::path::Path;

/// Every library storebench benchmarks, by soname.
const LIBRARIES: [&str; 9] = [
    "libz.so.1",
    "libzstd.so.1",
    "liblzma.so.5",
    "libbz2.so.1.0",
    "libssl.so.3",
    "libcrypto.so.3",
    "libsqlite3.so.0",
    "libpcre2-8.so.0",
    "libcurl.so.4",
];

#[test]
fn the_binary_links_every_benchmarked_library_dynamically() {
    let out = std::process::Command::new("readelf")
        .args(["-d", env!("CARGO_BIN_EXE_storebench")])
        .output()
        .expect("readelf (binutils) runs");
    let dynamic = String::from_utf8_lossy(&out.stdout);
    let needed: Vec<&str> = dynamic
        .lines()
        .filter(|l| l.contains("(NEEDED)"))
        .filter_map(|l| l.split('[').nth(1)?.split(']').next())
        .collect();
    for soname in LIBRARIES {
        assert!(
            needed.iter().any(|n| n.starts_with(soname)),
            "{soname} is not NEEDED (a bundled static copy?); NEEDED: {needed:?}"
        );
    }
}

#[test]
fn a_copy_of_the_system_libraries_loads_from_its_own_root_and_is_labelled_aa() {
    let copy = copy_system_libs(&LIBRARIES);
    let json = tempfile::NamedTempFile::new().unwrap();
    let out = run(&[
        "run",
        "--no-report",
        "--variant",
        &format!("sys={SYSTEM_LIBS}"),
        "--variant",
        &format!("copy={}", copy.path().display()),
        "--quick",
        "--bench",
        "compress/zlib/l1/*",
        "--bench",
        "decompress/zstd/l3/text",
        "--bench",
        "aes/256-gcm/encrypt/1024",
        "--bench",
        "tls/1.3/transfer",
        "--bench",
        "sqlite/point-lookup",
        "--bench",
        "compress/xz/l0/json",
        "--bench",
        "compress/bzip2/l1/json",
        "--json",
        json.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("A/A"), "{}", text(&out));

    let doc = read_json(json.path());
    assert_eq!(doc["schema"], "storebench/1");
    let variants = doc["variants"].as_array().unwrap();
    assert_eq!(variants[1]["same_files_as"][0], "sys");
    let copy_root = copy.path().canonicalize().unwrap();
    for lib in variants[1]["provenance"]["libraries"].as_array().unwrap() {
        let real = Path::new(lib["real_path"].as_str().unwrap());
        assert!(
            real.starts_with(&copy_root),
            "copy loaded {}",
            real.display()
        );
    }
    for lib in variants[0]["provenance"]["libraries"].as_array().unwrap() {
        assert!(
            lib["real_path"].as_str().unwrap().starts_with("/usr/lib/"),
            "{lib}"
        );
    }
    let zlib = &variants[0]["provenance"]["libraries"][0];
    assert_eq!(zlib["library"], "zlib");
    assert!(zlib["version"].as_str().unwrap().starts_with("1."));
    assert_eq!(zlib["sha256"].as_str().unwrap().len(), 64);

    // Every entry reads as a hyperfine result.
    let results = doc["results"].as_array().unwrap();
    assert_eq!(results.len(), 2 * 9);
    for r in results {
        assert_eq!(r["status"], "ok", "{r}");
        for field in ["mean", "stddev", "median", "user", "system", "min", "max"] {
            assert!(
                r[field].as_f64().is_some_and(|v| v >= 0.0),
                "{field} in {r}"
            );
        }
        let times = r["times"].as_array().unwrap();
        assert_eq!(times.len(), 3);
        assert_eq!(r["exit_codes"].as_array().unwrap().len(), 3);
        assert!(r["command"]
            .as_str()
            .unwrap()
            .contains(r["bench"].as_str().unwrap()));
        assert!(r["parameters"]["variant"].is_string());
        assert!(r["work_per_iter"].as_u64().unwrap() > 0);
    }
    assert_eq!(doc["corpora"].as_array().unwrap().len(), 3);
    assert!(doc["host"]["cpu_flags"].as_array().unwrap().len() > 10);

    // Measured on one CPU, the library benchmarks in turns: a fast one takes its
    // 0.05 s slice in several, the same number for both variants in every round.
    assert_eq!(doc["settings"]["cpus"].as_array().map(Vec::len), Some(1));
    let turns = |variant: &str| -> Vec<usize> {
        let r = results
            .iter()
            .find(|r| r["bench"] == "aes/256-gcm/encrypt/1024" && r["variant"] == variant)
            .unwrap();
        r["rounds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|round| round["turns"].as_array().unwrap().len())
            .collect()
    };
    assert!(turns("sys").iter().all(|&n| n >= 3), "{:?}", turns("sys"));
    assert_eq!(turns("sys"), turns("copy"));
}

#[test]
fn a_root_that_does_not_exist_exits_2_and_names_the_path() {
    let out = run(&[
        "run",
        "--no-report",
        "--variant",
        "bad=/does/not/exist",
        "--bench",
        "sqlite/update",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/does/not/exist"));
}

#[test]
fn a_cpu_this_process_may_not_use_exits_2_and_names_it() {
    let out = run(&["run", "--quick", "--cpus", "1000", "--bench", "libc/qsort"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("CPU 1000 is not one this process may use"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_root_without_libzstd_names_the_library_and_the_variant() {
    let copy = copy_system_libs(&["libz.so.1"]);
    let arg = format!("zonly={}", copy.path().display());
    let out = run(&[
        "run",
        "--no-report",
        "--variant",
        &arg,
        "--bench",
        "compress/zstd/l1/text",
        "--quick",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("libzstd.so.1") && err.contains("zonly"),
        "{err}"
    );
    // The same root is enough when only zlib is selected.
    let out = run(&[
        "run",
        "--no-report",
        "--variant",
        &arg,
        "--bench",
        "compress/zlib/l1/text",
        "--quick",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn a_library_the_loader_did_not_take_from_the_root_is_refused() {
    // The file matches the soname prefix, so the root looks complete, but the
    // loader wants exactly `libz.so.1` and falls back to the system's copy.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        Path::new(SYSTEM_LIBS).join("libz.so.1"),
        dir.path().join("libz.so.1.9.9"),
    )
    .unwrap();
    let out = run(&[
        "run",
        "--no-report",
        "--variant",
        &format!("odd={}", dir.path().display()),
        "--bench",
        "compress/zlib/l1/text",
        "--quick",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("odd")
            && err.contains("/usr/lib/x86_64-linux-gnu/libz.so")
            && err.contains(&dir.path().display().to_string()),
        "{err}"
    );
}

#[test]
fn a_libz_that_corrupts_deflate_output_is_broken_and_the_good_variant_is_kept() {
    let bad = build_zlib(&["-O2"], Some(CORRUPTING_DEFLATE));
    let json = tempfile::NamedTempFile::new().unwrap();
    let out = run(&[
        "run",
        "--no-report",
        "--variant",
        &format!("good={SYSTEM_LIBS}"),
        "--variant",
        &format!("bad={}", bad.path().display()),
        "--bench",
        "compress/zlib/l6/*",
        "--quick",
        "--json",
        json.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let doc = read_json(json.path());
    for r in doc["results"].as_array().unwrap() {
        match r["variant"].as_str().unwrap() {
            "good" => {
                assert_eq!(r["status"], "ok", "{r}");
                assert_eq!(r["times"].as_array().unwrap().len(), 3);
            }
            _ => {
                assert_eq!(r["status"], "broken", "{r}");
                assert!(
                    r["median"].is_null() && r["times"].as_array().unwrap().is_empty(),
                    "a broken variant must not be timed: {r}"
                );
                assert!(r["error"].as_str().unwrap().contains("wrong result"), "{r}");
            }
        }
    }
    assert!(String::from_utf8_lossy(&out.stdout).contains("BROKEN"));
}

#[test]
fn a_crashing_worker_is_reported_with_its_signal_and_other_results_are_kept() {
    let crash = build_zlib(&["-O2"], Some(CRASHING_DEFLATE));
    let json = tempfile::NamedTempFile::new().unwrap();
    let out = run(&[
        "run",
        "--no-report",
        "--variant",
        &format!("good={SYSTEM_LIBS}"),
        "--variant",
        &format!("crash={}:{SYSTEM_LIBS}", crash.path().display()),
        "--bench",
        "compress/zlib/l1/text",
        "--bench",
        "decompress/zlib/l1/text",
        "--bench",
        "aes/256-gcm/encrypt/16",
        "--quick",
        "--json",
        json.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("crash") && err.contains("signal 11") && err.contains("compress/zlib/l1/text"),
        "{err}"
    );
    let doc = read_json(json.path());
    let status = |bench: &str, variant: &str| {
        doc["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["bench"] == bench && r["variant"] == variant)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(status("compress/zlib/l1/text", "crash"), "crashed");
    assert_eq!(status("compress/zlib/l1/text", "good"), "ok");
    // The crashed worker is replaced for the benchmarks that do not deflate.
    assert_eq!(status("aes/256-gcm/encrypt/16", "crash"), "ok");
}

#[test]
fn a_hanging_worker_is_killed_after_the_timeout() {
    let hang = build_zlib(&["-O2"], Some(HANGING_DEFLATE));
    let out = run(&[
        "run",
        "--no-report",
        "--variant",
        &format!("hang={}", hang.path().display()),
        "--bench",
        "compress/zlib/l1/json",
        "--rounds",
        "1",
        "--slice",
        "0.05",
        "--timeout",
        "2",
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("hang") && err.contains("within 2 s"), "{err}");
}

#[test]
fn list_prints_every_id_and_a_pattern_selects() {
    let out = run(&["list"]);
    assert!(out.status.success());
    let all = String::from_utf8_lossy(&out.stdout);
    for id in [
        "compress/zstd/l3/text",
        "aes/256-gcm/encrypt/16384",
        "sqlite/insert-batch",
        "decompress/xz/l6/binary",
        "tls/1.3/handshake",
    ] {
        assert!(all.lines().any(|l| l.starts_with(id)), "{id} missing");
    }
    let out = run(&["list", "--bench", "aes/*/decrypt/16"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 4);
    let out = run(&["list", "--bench", "compress/[zlib"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

#[test]
fn a_config_file_defines_variants_and_a_typo_in_it_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("storebench.toml");
    std::fs::write(&cfg, format!("[variants.noaesni]\nlibs = [\"{SYSTEM_LIBS}\"]\nenv = {{ OPENSSL_ia32cap = \"~0x200000200000000\" }}\n")).unwrap();
    let doc = quick_aes_run(dir.path());
    assert_eq!(doc["variants"][0]["name"], "noaesni");
    assert_eq!(
        doc["variants"][0]["env"]["OPENSSL_ia32cap"],
        "~0x200000200000000"
    );
    // The worker read the mask as libcrypto applied it, and glibc's IFUNC picks.
    let code = &doc["variants"][0]["provenance"]["code_path"];
    assert_eq!(code["openssl"]["aes_ni"], false, "{code}");
    assert_eq!(code["openssl"]["pclmulqdq"], false, "{code}");
    assert!(code["openssl"]["info"]
        .as_str()
        .unwrap()
        .contains("env:~0x200000200000000"));
    for f in ["memcpy", "memmove", "strlen"] {
        let name = code["glibc"][f].as_str().unwrap();
        assert!(name.starts_with("__"), "{f}: {code}");
    }
    assert!(code["builds"]
        .as_array()
        .unwrap()
        .iter()
        .all(|b| b["level"].as_str().unwrap().starts_with("x86-64-v")));

    std::fs::write(&cfg, "[variants.x]\nlib = []\n").unwrap();
    let out = storebench()
        .current_dir(dir.path())
        .args(["run", "--no-report", "--quick"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("storebench.toml"));
}

/// Benchmarks a variant cannot serve are left out with a note, not refused:
/// the others run, and the document says nothing of the skipped ones.
#[test]
fn benchmarks_a_variant_cannot_serve_are_skipped_with_a_note() {
    let copy = copy_system_libs(&["libz.so.1"]);
    let arg = format!("zonly={}", copy.path().display());
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("run.json");
    let out = run(&[
        "run",
        "--no-report",
        "--variant",
        &arg,
        "--bench",
        "compress/zlib/l1/text",
        "--bench",
        "compress/zstd/l1/text",
        "--quick",
        "--corpus-kib",
        "64",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("skipped 1 benchmark (compress/zstd/l1/text)")
            && err.contains("`zonly` has no libzstd.so.1"),
        "{err}"
    );
    let doc = read_json(&json);
    let benches: Vec<&str> = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["bench"].as_str())
        .collect();
    assert_eq!(benches, ["compress/zlib/l1/text"]);
    // The README lists the governor among the host's fields: always there, null
    // where the kernel has no cpufreq.
    assert!(
        doc["host"].as_object().unwrap().contains_key("governor"),
        "{}",
        doc["host"]
    );
}

#[test]
fn discover_of_a_path_that_is_not_a_profile_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    for profile in [dir.path().join("no-such-profile"), dir.path().to_owned()] {
        let out = run(&["discover", profile.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(profile.to_str().unwrap()),
            "{}",
            text(&out)
        );
    }
}

/// Each worker reads libcrypto's capability vector as libcrypto applied it: the
/// stock variant runs AES-NI, the masked one does not.
#[test]
fn provenance_says_which_variant_ran_aes_ni() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("storebench.toml"),
        "[variants.stock]\n[variants.masked]\nenv = { OPENSSL_ia32cap = \"~0x200000200000000\" }\n",
    )
    .unwrap();
    let doc = quick_aes_run(dir.path());
    let aes = |i: usize| doc["variants"][i]["provenance"]["code_path"]["openssl"]["aes_ni"].clone();
    assert_eq!(doc["variants"][0]["name"], "stock");
    assert_eq!(
        aes(0),
        true,
        "{}",
        doc["variants"][0]["provenance"]["code_path"]
    );
    assert_eq!(
        aes(1),
        false,
        "{}",
        doc["variants"][1]["provenance"]["code_path"]
    );
}

/// `storebench run --quick` of one AES benchmark in `dir` (its storebench.toml
/// names the variants); the results document it wrote.
fn quick_aes_run(dir: &std::path::Path) -> serde_json::Value {
    let out = storebench()
        .current_dir(dir)
        .args([
            "run",
            "--no-report",
            "--bench",
            "aes/128-gcm/encrypt/16",
            "--quick",
            "--json",
            "out.json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    read_json(&dir.join("out.json"))
}
