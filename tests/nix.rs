//! Nix end to end: real derivations built by `scripts/demo-store`, a profile with two
//! generations, `discover`, and `profile:`/`closure:` variants checked by provenance.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Builds zlib stock and optimized as Nix derivations (installing Nix when it is
/// missing) and sets a profile of our own to two generations.
fn zlib_profile() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profiles/demo");
    std::fs::create_dir_all(profile.parent().unwrap()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/demo-store");
    let out = Command::new(script)
        .args(["--nix", "--only", "zlib", "--out"])
        .arg(dir.path().join("demo"))
        .arg("--profile")
        .arg(&profile)
        .output()
        .expect("scripts/demo-store runs");
    assert!(out.status.success(), "{}", text(&out));
    (dir, profile)
}

fn link(profile: &Path, n: u32) -> PathBuf {
    profile.with_file_name(format!(
        "{}-{n}-link",
        profile.file_name().unwrap().to_string_lossy()
    ))
}

#[test]
fn two_generations_are_discovered_and_each_loads_its_own_zlib() {
    let (_dir, profile) = zlib_profile();
    let out = run(&["discover", profile.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let listing = String::from_utf8_lossy(&out.stdout);
    assert!(
        listing.contains("2 generations") && listing.contains("changed"),
        "{listing}"
    );
    assert!(
        listing.contains("stock") && listing.contains("optimized"),
        "{listing}"
    );
    assert!(
        listing.contains(&format!("profile:{}", link(&profile, 2).display())),
        "{listing}"
    );

    let json = tempfile::NamedTempFile::new().unwrap();
    let out = run(&[
        "run",
        "--no-report",
        "--variant",
        &format!("gen-1=profile:{}", link(&profile, 1).display()),
        "--variant",
        &format!("gen-2=profile:{}", link(&profile, 2).display()),
        "--bench",
        "compress/zlib/l1/text",
        "--quick",
        "--json",
        json.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let doc = read_json(json.path());
    let zlib = |v: usize| doc["variants"][v]["provenance"]["libraries"][0].clone();
    assert_eq!(zlib(0)["library"], "zlib");
    let (a, b) = (zlib(0), zlib(1));
    assert!(a["store_path"].as_str().unwrap().ends_with("-stock"), "{a}");
    assert!(
        b["store_path"].as_str().unwrap().ends_with("-optimized"),
        "{b}"
    );
    assert_ne!(a["sha256"], b["sha256"]);
    assert!(doc["variants"][1].get("same_files_as").is_none());
    // Only the directories that hold benchmarked libraries are on the path.
    for dir in doc["variants"][0]["lib_dirs"].as_array().unwrap() {
        assert!(
            Path::new(dir.as_str().unwrap()).join("libz.so.1").exists(),
            "{dir}"
        );
    }

    // `ci --nix-generations` measures the newest generation against the one
    // before it that differs.
    let out = run(&[
        "ci",
        "--no-report",
        "--no-history",
        "--against",
        "none",
        "--nix-generations",
        profile.to_str().unwrap(),
        "--bench",
        "compress/zlib/l1/text",
        "--quick",
        "--json",
        json.path().to_str().unwrap(),
    ]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("comparing generation 2 (current) with generation 1 (previous)"),
        "{}",
        text(&out)
    );
    let doc = read_json(json.path());
    assert_eq!(doc["variants"][0]["name"], "previous");
    assert_eq!(doc["variants"][1]["name"], "current");
    assert!(
        doc["variants"][1]["provenance"]["libraries"][0]["store_path"]
            .as_str()
            .unwrap()
            .ends_with("-optimized")
    );

    // A closure of the same generation resolves to the same file.
    let out = run(&[
        "run",
        "--no-report",
        "--variant",
        &format!("c=closure:{}", link(&profile, 1).display()),
        "--bench",
        "compress/zlib/l1/json",
        "--quick",
        "--json",
        json.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        read_json(json.path())["variants"][0]["provenance"]["libraries"][0]["sha256"],
        a["sha256"]
    );

    // A store path that lacks the library names both.
    let store = a["store_path"].as_str().unwrap();
    let out = run(&[
        "run",
        "--no-report",
        "--variant",
        &format!("z={store}"),
        "--bench",
        "compress/zstd/l1/text",
        "--quick",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("libzstd.so.1"));

    // Without nix-store on PATH a closure cannot be queried: say what to install.
    let empty = tempfile::tempdir().unwrap();
    let out = storebench()
        .env("PATH", empty.path())
        .args([
            "run",
            "--no-report",
            "--variant",
            &format!("c=closure:{store}"),
            "--quick",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("install Nix"),
        "{}",
        text(&out)
    );
}

#[test]
fn bad_nix_input_exits_2_and_says_what_was_expected() {
    let cases: [(&str, &str); 3] = [
        ("p=profile:/tmp", "not a symbolic link"),
        ("c=closure:/usr/lib", "not a Nix store path"),
        ("s=/nix/store/not-a-store-path", "does not exist"),
    ];
    for (arg, expected) in cases {
        let out = run(&[
            "run",
            "--no-report",
            "--variant",
            arg,
            "--quick",
            "--bench",
            "sqlite/update",
        ]);
        assert_eq!(out.status.code(), Some(2), "{arg}: {}", text(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(expected),
            "{arg}: {}",
            text(&out)
        );
    }
}

/// A store built without Nix is reused once Nix is installed (as `scripts/test`
/// installs nix-bin between two `scripts/demo`): nothing is rebuilt, and the
/// script says why it keeps the plain directories.
#[test]
fn a_plain_demo_store_is_reused_when_nix_appears_later() {
    assert!(
        Command::new("nix-build").arg("--version").output().is_ok(),
        "this test needs Nix installed (scripts/deps/test.txt)"
    );
    let dir = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/demo-store");
    let demo = |extra: &[&str]| {
        Command::new(&script)
            .args(["--only", "zlib", "--no-check", "--no-profile", "--out"])
            .arg(dir.path())
            .args(extra)
            .output()
            .expect("scripts/demo-store runs")
    };
    let first = demo(&["--no-nix"]);
    assert!(first.status.success(), "{}", text(&first));
    let toml = std::fs::read_to_string(dir.path().join("storebench.toml")).unwrap();
    let second = demo(&[]);
    assert!(second.status.success(), "{}", text(&second));
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(err.contains("reusing those plain directories"), "{err}");
    assert!(!err.contains("building zlib"), "nothing is rebuilt: {err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("storebench.toml")).unwrap(),
        toml,
        "the config still names the same store"
    );
}
