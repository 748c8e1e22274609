//! Helpers shared by the integration tests: the real binary, copies of the system
//! libraries, and zlib builds made from the source that libz-sys ships.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

pub const SYSTEM_LIBS: &str = "/usr/lib/x86_64-linux-gnu";

pub fn storebench() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_storebench"));
    // Runs record in the history by default: never in the real home's, and not
    // in the system's temporary directory either, where it would stay behind.
    let data = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("storebench-test-data-{}", std::process::id()));
    cmd.env_remove("LD_LIBRARY_PATH")
        .env("NO_COLOR", "1")
        .env("XDG_DATA_HOME", data);
    cmd
}

pub fn run(args: &[&str]) -> Output {
    storebench().args(args).output().expect("storebench starts")
}

pub fn text(o: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A directory holding real copies (not links) of the system's files whose names
/// start with each of `sonames`, as the loader would find them.
pub fn copy_system_libs(sonames: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for soname in sonames {
        let src = Path::new(SYSTEM_LIBS).join(soname);
        let src = src
            .canonicalize()
            .unwrap_or_else(|e| panic!("{}: {e}", src.display()));
        std::fs::copy(&src, dir.path().join(soname)).unwrap();
    }
    dir
}

/// zlib's source directory inside the libz-sys crate this project builds with.
pub fn zlib_source() -> PathBuf {
    static SRC: OnceLock<PathBuf> = OnceLock::new();
    SRC.get_or_init(|| {
        let out = Command::new(env!("CARGO"))
            .args(["metadata", "--format-version", "1", "--manifest-path"])
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
            .output()
            .expect("cargo metadata");
        let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata JSON");
        let manifest = meta["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "libz-sys")
            .and_then(|p| p["manifest_path"].as_str())
            .expect("libz-sys is a dependency");
        Path::new(manifest).parent().unwrap().join("src/zlib")
    })
    .clone()
}

/// Builds `libz.so.1` from zlib's source into a fresh directory with `cflags`.
/// No version script is needed: the binary references zlib's symbols unversioned.
/// `shim`, when given, is C code compiled in with `deflate` renamed to
/// `real_deflate` everywhere else, so the shim's own `deflate` wraps the real one.
pub fn build_zlib(cflags: &[&str], shim: Option<&str>) -> tempfile::TempDir {
    let src = zlib_source();
    let out = tempfile::tempdir().unwrap();
    let mut files: Vec<PathBuf> = [
        "adler32", "compress", "crc32", "deflate", "gzclose", "gzlib", "gzread", "gzwrite",
        "infback", "inffast", "inflate", "inftrees", "trees", "uncompr", "zutil",
    ]
    .iter()
    .map(|f| src.join(format!("{f}.c")))
    .collect();
    let mut cmd = Command::new("cc");
    cmd.args(["-shared", "-fPIC", "-o"])
        .arg(out.path().join("libz.so.1"))
        .arg("-Wl,-soname,libz.so.1")
        .arg(format!("-I{}", src.display()))
        .args([
            "-DHAVE_UNISTD_H",
            "-DHAVE_STDARG_H",
            "-D_LARGEFILE64_SOURCE=1",
        ])
        .args(cflags);
    if let Some(code) = shim {
        let file = out.path().join("shim.c");
        std::fs::write(&file, code).unwrap();
        files.retain(|f| !f.ends_with("deflate.c"));
        // deflate.c itself is compiled with its `deflate` renamed.
        let renamed = out.path().join("deflate_renamed.c");
        std::fs::write(
            &renamed,
            format!(
                "#define deflate real_deflate\n#include \"{}\"\n",
                src.join("deflate.c").display()
            ),
        )
        .unwrap();
        files.push(renamed);
        files.push(file);
    }
    let status = cmd.args(&files).status().expect("cc runs");
    assert!(status.success(), "building zlib with {cflags:?} failed");
    out
}

/// A shim whose `deflate` flips one byte of what the real one wrote.
pub const CORRUPTING_DEFLATE: &str = r#"
#include "zlib.h"
int real_deflate(z_streamp strm, int flush);
int deflate(z_streamp strm, int flush) {
    Bytef *start = strm->next_out;
    int ret = real_deflate(strm, flush);
    if (strm->next_out > start + 64) start[64] ^= 0x5a;
    return ret;
}
"#;

/// A shim whose `deflate` writes through a null pointer, as a miscompiled library
/// would. (A `raise(SIGSEGV)` would not do: Rust's stack-overflow handler returns
/// from a signal that no fault caused.)
pub const CRASHING_DEFLATE: &str = r#"
#include "zlib.h"
int deflate(z_streamp strm, int flush) { (void)flush; *(volatile int *)(strm->state = 0) = 1; return Z_STREAM_ERROR; }
"#;

/// A shim whose `deflate` never returns.
pub const HANGING_DEFLATE: &str = r#"
#include <unistd.h>
#include "zlib.h"
int deflate(z_streamp strm, int flush) { (void)strm; (void)flush; for (;;) pause(); }
"#;

pub fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The rows of `table` in the history database `db`, after checking its integrity.
pub fn count(db: &Path, table: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}
