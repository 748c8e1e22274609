//! Rust end to end: the machine's rustc and a byte-identical copy of it (its
//! `bin/rustc` copied, beside a link to the same toolchain's `lib/`) compiling
//! the shipped program, verified by running it, identified in provenance, and
//! labelled A/A.

mod common;

use common::*;
use std::path::PathBuf;
use std::process::Command;

/// The toolchain's own rustc, not rustup's proxy: `rustc --print sysroot`/bin/rustc.
fn machine_rustc() -> PathBuf {
    let out = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .expect("rustc runs (the toolchain that builds storebench)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sysroot = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    sysroot.join("bin/rustc")
}

#[test]
fn list_shows_both_rust_compiles_needing_rustc() {
    let out = run(&["list"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let listing = String::from_utf8_lossy(&out.stdout);
    for id in ["rust/compile/opt/process", "rust/compile/debug/process"] {
        let line = listing
            .lines()
            .find(|l| l.contains(id))
            .unwrap_or_else(|| panic!("{id} missing from:\n{listing}"));
        assert!(line.contains("rustc"), "{line}");
    }
}

#[test]
fn the_machines_rustc_against_a_byte_identical_copy_is_an_identified_a_a_pair() {
    let rustc = machine_rustc();
    let copy = tempfile::tempdir().unwrap();
    std::fs::create_dir(copy.path().join("bin")).unwrap();
    std::fs::copy(&rustc, copy.path().join("bin/rustc")).unwrap();
    // rustc finds its sysroot (librustc_driver, the standard library) beside
    // its bin/: the same files, through a link.
    std::os::unix::fs::symlink(
        rustc.parent().unwrap().parent().unwrap().join("lib"),
        copy.path().join("lib"),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("storebench.toml"),
        format!(
            "[variants.stock]\nrustc = \"{}\"\n[variants.copy]\nrustc = \"{}\"\n",
            rustc.display(),
            copy.path().join("bin/rustc").display()
        ),
    )
    .unwrap();
    let out = storebench()
        .current_dir(dir.path())
        .args([
            "run",
            "--no-report",
            "--no-history",
            "--bench",
            "rust/*",
            "--rounds",
            "1",
            "--slice",
            "0.01",
            "--json",
            "out.json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("A/A: `copy` loaded byte-identical files to `stock`"),
        "{stdout}"
    );
    let doc = read_json(&dir.path().join("out.json"));
    assert_eq!(doc["variants"][1]["same_files_as"][0], "stock");
    let id = &doc["variants"][1]["provenance"]["interpreters"][0];
    assert_eq!(id["interpreter"], "rustc");
    assert_eq!(id["path"], copy.path().join("bin/rustc").to_str().unwrap());
    assert_eq!(
        id["sha256"],
        doc["variants"][0]["provenance"]["interpreters"][0]["sha256"]
    );
    let vv = Command::new(&rustc).arg("-vV").output().unwrap();
    let vv = String::from_utf8_lossy(&vv.stdout);
    assert!(
        vv.contains(&format!("release: {}", id["version"].as_str().unwrap())),
        "{vv}"
    );
    assert!(
        vv.contains(id["build"]["commit-hash"].as_str().unwrap()),
        "{id}"
    );
    let results = doc["results"].as_array().unwrap();
    assert_eq!(results.len(), 4, "{results:?}");
    for r in results {
        assert_eq!(r["status"], "ok", "{r}");
        assert!(r["bench"].as_str().unwrap().starts_with("rust/compile/"));
    }
    // Nothing the compiles wrote is left behind.
    let left: Vec<_> = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("rust").exists())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".storebench-tmp-")
        })
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
