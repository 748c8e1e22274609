//! The smoke check after a switch, on real Nix profile generations built here
//! offline: one whose bin/ links the system's ls, cat, grep, git and nix-build
//! (passes), one whose grep prints the wrong count (broken, exit 3), one
//! without git (missing). Each generation also holds a copy of libz, so that
//! `run` can measure it as a `profile:` variant and record the check.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

const NIX: &str = r#"
let
  gen = name: script: derivation {
    inherit name;
    system = builtins.currentSystem;
    builder = "/bin/sh";
    args = [ "-c" script ];
    tools = "ls cat grep git nix-build";
    path = builtins.getEnv "SMOKE_PATH";
    libz = builtins.getEnv "SMOKE_LIBZ";
  };
  links = ''
    export PATH="$path"
    mkdir -p $out/bin $out/lib
    cp $libz $out/lib/libz.so.1
    for t in $tools; do
      for d in $(echo $path | tr : ' '); do
        if [ -x $d/$t ]; then ln -s $d/$t $out/bin/$t; break; fi
      done
    done
  '';
in {
  good = gen "smoke-good" links;
  badgrep = gen "smoke-badgrep" (links + ''
    rm $out/bin/grep
    printf '#!/bin/sh\necho 1\n' > $out/bin/grep
    chmod +x $out/bin/grep
  '');
  nogit = gen "smoke-nogit" (links + "rm $out/bin/git\n");
}
"#;

fn nix_options() -> Vec<String> {
    let mut o: Vec<String> = [
        "--option",
        "sandbox",
        "false",
        "--option",
        "substituters",
        "",
        "--option",
        "builders",
        "",
    ]
    .map(String::from)
    .to_vec();
    let no_group = !Command::new("getent")
        .args(["group", "nixbld"])
        .status()
        .is_ok_and(|s| s.success());
    if no_group {
        o.extend(["--option", "build-users-group", ""].map(String::from));
    }
    o
}

/// Builds the three generations and sets a profile to each in turn.
fn generations() -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("gens.nix"), NIX).unwrap();
    let libz = Path::new(SYSTEM_LIBS)
        .join("libz.so.1")
        .canonicalize()
        .unwrap();
    let profile = dir.path().join("profiles/smoke");
    std::fs::create_dir_all(profile.parent().unwrap()).unwrap();
    let mut links = vec![];
    for (n, attr) in ["good", "badgrep", "nogit"].iter().enumerate() {
        let result = dir.path().join(attr);
        let out = Command::new("nix-build")
            .arg(dir.path().join("gens.nix"))
            .args(["-A", attr, "-o"])
            .arg(&result)
            .args(nix_options())
            .env("SMOKE_PATH", std::env::var_os("PATH").unwrap())
            .env("SMOKE_LIBZ", &libz)
            .output()
            .expect("nix-build runs (nix-bin, scripts/deps/test.txt)");
        assert!(out.status.success(), "{}", text(&out));
        let out = Command::new("nix-env")
            .arg("--profile")
            .arg(&profile)
            .arg("--set")
            .arg(result.canonicalize().unwrap())
            .args(nix_options())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out));
        links.push(dir.path().join(format!("profiles/smoke-{}-link", n + 1)));
    }
    (dir, links)
}

#[test]
fn a_good_generation_passes_a_wrong_grep_is_broken_and_a_missing_git_is_reported() {
    let (dir, links) = generations();
    let variant = |name: &str, link: &Path| format!("{name}=profile:{}", link.display());
    let good = run(&["smoke", "--variant", &variant("good", &links[0])]);
    assert_eq!(good.status.code(), Some(0), "{}", text(&good));
    assert!(
        String::from_utf8_lossy(&good.stdout).contains("passed"),
        "{}",
        text(&good)
    );

    let json = dir.path().join("smoke.json");
    let all = run(&[
        "smoke",
        "--variant",
        &variant("good", &links[0]),
        "--variant",
        &variant("bad", &links[1]),
        "--variant",
        &variant("nogit", &links[2]),
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(all.status.code(), Some(3), "{}", text(&all));
    let stdout = String::from_utf8_lossy(&all.stdout);
    assert!(
        stdout.contains("bad grep BROKEN") && stdout.contains("printed `1`, expected `5`"),
        "{stdout}"
    );
    let doc = read_json(&json);
    let status = |v: usize, c: &str| {
        doc["variants"][v]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["command"] == c)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(doc["variants"][0]["verdict"], "passed");
    for c in ["ls", "cat", "grep", "git", "nix-build"] {
        assert_eq!(status(0, c), "ok", "{c}: {doc}");
    }
    assert_eq!(doc["variants"][1]["verdict"], "broken");
    assert_eq!(status(1, "grep"), "broken");
    assert_eq!(status(1, "git"), "ok");
    assert_eq!(doc["variants"][2]["verdict"], "missing");
    assert_eq!(status(2, "git"), "missing");
    assert!(doc["variants"][1]["bin_dirs"][0]
        .as_str()
        .unwrap()
        .starts_with("/nix/store/"));

    // `run` checks a profile: variant before measuring it and records the check.
    let out_json = dir.path().join("run.json");
    let measured = run(&[
        "run",
        "--no-report",
        "--no-history",
        "--variant",
        &variant("good", &links[0]),
        "--variant",
        &variant("bad", &links[1]),
        "--bench",
        "compress/zlib/l1/text",
        "--quick",
        "--json",
        out_json.to_str().unwrap(),
    ]);
    assert_eq!(measured.status.code(), Some(3), "{}", text(&measured));
    assert!(
        String::from_utf8_lossy(&measured.stderr).contains("variant `bad` is broken"),
        "{}",
        text(&measured)
    );
    let doc = read_json(&out_json);
    assert_eq!(doc["variants"][0]["smoke"]["verdict"], "passed");
    assert_eq!(doc["variants"][1]["smoke"]["verdict"], "broken");
    assert_eq!(
        doc["results"][0]["status"], "ok",
        "the libraries are measured all the same"
    );
}

#[test]
fn a_variant_without_a_bin_directory_is_bad_input() {
    let empty = tempfile::tempdir().unwrap();
    let out = run(&[
        "smoke",
        "--variant",
        &format!("x={}", empty.path().display()),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("variant `x`"),
        "{}",
        text(&out)
    );
    let out = run(&["smoke"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}
