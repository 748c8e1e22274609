//! The factorial run end to end: `scripts/demo-store --flavors` builds zlib in
//! five flavors (a full 2×2 of -O2/-O3 × generic/native, plus PGO), storebench
//! measures them paired, and the run attributes its changes to the factors —
//! in the JSON (`attribution`, every factor named) and in the terminal table.

mod common;

use common::*;
use std::path::Path;
use std::process::Command;

const FLAVORS: &str = "O2,O3,O2-native,O3-native,O3-native-pgo";

fn build(out: &Path) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/demo-store");
    let built = Command::new(script)
        .args(["--no-nix", "--no-check", "--no-profile", "--only", "zlib"])
        .args(["--flavors", FLAVORS, "--out"])
        .arg(out)
        .output()
        .expect("scripts/demo-store runs");
    assert!(built.status.success(), "{}", text(&built));
    std::fs::read_to_string(out.join("storebench.toml")).unwrap()
}

#[test]
fn five_zlib_flavors_are_attributed_to_their_factors() {
    let dir = tempfile::tempdir().unwrap();
    let toml = build(&dir.path().join("store"));
    for f in FLAVORS.split(',') {
        assert!(toml.contains(&format!("[variants.{f}]")), "{toml}");
    }
    assert!(
        toml.contains(r#"factors = { opt = "O3", march = "native", lto = false, pgo = true }"#),
        "{toml}"
    );
    assert!(toml.contains("build_seconds = { zlib = "), "{toml}");

    let json = dir.path().join("run.json");
    let config = dir.path().join("store/storebench.toml");
    let out = run(&[
        "run",
        "--quick",
        "--no-report",
        "--no-history",
        "--config",
        config.to_str().unwrap(),
        "--bench",
        "compress/zlib/l1/*",
        "--bench",
        "decompress/zlib/l6/*",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("attribution: the effect of each factor against O2"),
        "{stdout}"
    );
    assert!(stdout.contains("cost beside gain"), "{stdout}");
    assert!(
        stdout.contains("this CPU's instruction set only"),
        "{stdout}"
    );

    let doc = read_json(&json);
    let a = &doc["attribution"];
    assert_eq!(a["reference"], "O2", "{a}");
    let effects = a["effects"].as_array().expect("attribution.effects");
    let named = |factor: &str| {
        effects
            .iter()
            .any(|e| e["factor"] == factor && e["scope_kind"] == "library" && e["scope"] == "zlib")
    };
    for factor in ["opt", "march", "pgo", "opt×march"] {
        assert!(named(factor), "no zlib effect of {factor}: {a}");
    }
    for e in effects {
        let (p, lo, hi) = (&e["change_pct"], &e["ci_low_pct"], &e["ci_high_pct"]);
        let (p, lo, hi) = (
            p.as_f64().unwrap(),
            lo.as_f64().unwrap(),
            hi.as_f64().unwrap(),
        );
        assert!(lo <= p && p <= hi, "estimate inside its CI: {e}");
    }
    let pgo = effects.iter().find(|e| e["factor"] == "pgo").unwrap();
    assert!(
        pgo["note"]
            .as_str()
            .unwrap()
            .contains("O3-native-pgo against O3-native"),
        "PGO is measured only with O3-native: {pgo}"
    );
    let flavors = a["flavors"].as_array().unwrap();
    assert_eq!(flavors.len(), 5, "{a}");
    let native = flavors
        .iter()
        .find(|f| f["variant"] == "O3-native")
        .unwrap();
    assert_eq!(native["portable"], false, "{native}");
    let zlib = &native["libraries"][0];
    assert!(zlib["bytes"].as_u64().unwrap() > 0, "{zlib}");
    assert!(zlib["build_seconds"].as_f64().is_some(), "{zlib}");

    let page = dir.path().join("report");
    let out = run(&[
        "report",
        json.to_str().unwrap(),
        "-o",
        page.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let html = std::fs::read_to_string(page.join("index.html")).unwrap();
    assert!(
        html.contains("Which flag pays"),
        "the report's attribution section"
    );
    assert!(html.contains("id=\"chart-attribution\""), "its chart");
    assert!(html.contains("Cost beside gain"), "its costs");
}

#[test]
fn variants_without_factors_get_no_attribution() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("run.json");
    let libs = copy_system_libs(&["libz.so.1"]);
    let v = format!("a={}", libs.path().display());
    let w = format!("b={}", libs.path().display());
    let out = run(&[
        "run",
        "--quick",
        "--no-report",
        "--no-history",
        "--variant",
        &v,
        "--variant",
        &w,
        "--bench",
        "compress/zlib/l1/text",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("attribution"));
    assert!(read_json(&json).get("attribution").is_none());
}

#[test]
fn unknown_flavors_and_pgo_without_a_trainer_are_refused() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/demo-store");
    let dir = tempfile::tempdir().unwrap();
    for (args, why) in [
        (["--only", "zlib", "--flavors", "O4"], "unknown flavor 'O4'"),
        (
            ["--only", "xz", "--flavors", "O3-native-pgo"],
            "PGO training exists for zlib zstd only",
        ),
    ] {
        let out = Command::new(&script)
            .args(["--no-nix", "--out"])
            .arg(dir.path())
            .args(args)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{}", text(&out));
        assert!(text(&out).contains(why), "{}", text(&out));
    }
}
