//! `cargo bench`: the same workloads, with the same ids, measured by criterion
//! in-process against whatever libraries the dynamic loader resolves.
//!
//! - `STOREBENCH_LIBS=PATH[:PATH…]` re-executes the bench with that library path
//!   (same rules as `--variant`: store paths, directories, `profile:`, `closure:`).
//! - The provenance of what was loaded is written beside criterion's baselines
//!   (`target/criterion/storebench-provenance/<baseline>.json`, `new.json` when
//!   no `--save-baseline` names one), and a comparison
//!   (`-- --baseline NAME`) between two runs that loaded byte-identical libraries
//!   is called out loudly: it is an A/A comparison, whatever criterion says.

use criterion::{Criterion, Throughput};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::time::Duration;
use storebench::library::Library;
use storebench::provenance::Needs;
use storebench::provenance::Provenance;
use storebench::results::Unit;
use storebench::variant::Variant;
use storebench::workload::{self, corpus::CorpusSpec, Source};

const REEXEC: &str = "STOREBENCH_LIBS_APPLIED";

fn main() {
    reexec_with_libs();
    let provenance = Provenance::of_this_process().expect("reading /proc/self/maps");
    record_provenance(&provenance);

    let spec = CorpusSpec::Generated {
        seed: 1,
        bytes: 1 << 20,
    };
    let corpora = spec.load().expect("generated corpora");
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20)
        .configure_from_args();
    let filter = positional_filter();
    for b in workload::catalog(&spec.names().expect("names")) {
        // Interpreter scripts are whole processes: `storebench run` measures them.
        if b.source != Source::Worker {
            continue;
        }
        // Preparing costs (corpora compressed, tables filled): only for the selected.
        if filter.as_ref().is_some_and(|f| !b.id.contains(f.as_str())) {
            continue;
        }
        let mut w = match workload::prepare(&b.id, &corpora, workload::Kept(None)) {
            Ok(w) => w,
            Err(e) => panic!("{}: {}", b.id, e.0),
        };
        // Criterion names a benchmark GROUP/FUNCTION: split the id at its last `/`
        // so that criterion's id is storebench's (`compress/zlib/l6/text`).
        let (group_id, function_id) = b.id.rsplit_once('/').unwrap_or((b.id.as_str(), ""));
        let mut group = c.benchmark_group(group_id);
        if b.id.contains("/l19/") || b.id.contains("/xz/l6/") || b.id.contains("bzip2/l9") {
            group.sample_size(10);
        }
        group.throughput(match b.unit {
            Unit::BytesPerSecond => Throughput::Bytes(w.work_per_iter()),
            _ => Throughput::Elements(w.work_per_iter()),
        });
        group.bench_function(function_id, |bencher| {
            bencher.iter(|| w.run(1).unwrap_or_else(|e| panic!("{}: {}", b.id, e.0)))
        });
        group.finish();
        if let Err(e) = w.verify() {
            panic!("{}: wrong output with these libraries: {}", b.id, e.0);
        }
    }
    c.final_summary();
}

/// Applies `STOREBENCH_LIBS` by starting this bench again with `LD_LIBRARY_PATH`
/// set: the loader reads it only at process start.
fn reexec_with_libs() {
    let Ok(libs) = std::env::var("STOREBENCH_LIBS") else {
        return;
    };
    if std::env::var_os(REEXEC).is_some() {
        return;
    }
    let variant = Variant::from_arg(&format!("bench={libs}")).unwrap_or_else(|e| {
        eprintln!("STOREBENCH_LIBS: {e}");
        std::process::exit(2)
    });
    let exe = std::env::current_exe().expect("current exe");
    let mut cmd = std::process::Command::new(exe);
    cmd.args(std::env::args_os().skip(1)).env(REEXEC, "1");
    if let Some(path) = variant.library_path() {
        cmd.env("LD_LIBRARY_PATH", path);
    }
    let err = cmd.exec();
    eprintln!("STOREBENCH_LIBS: could not re-execute the bench: {err}");
    std::process::exit(2);
}

/// Criterion's positional filter, matched here as a substring of the id.
fn positional_filter() -> Option<String> {
    const TAKES_VALUE: [&str; 16] = [
        "--save-baseline",
        "--baseline",
        "--baseline-lenient",
        "--load-baseline",
        "--color",
        "--format",
        "--sample-size",
        "--warm-up-time",
        "--measurement-time",
        "--nresamples",
        "--noise-threshold",
        "--confidence-level",
        "--significance-level",
        "--plotting-backend",
        "--output-format",
        "--profile-time",
    ];
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if TAKES_VALUE.contains(&a.as_str()) {
            args.next();
        } else if !a.starts_with('-') {
            return Some(a);
        }
    }
    None
}

fn arg_value(flag: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1).cloned())
}

/// Writes what this run loaded as `<baseline>.json` (criterion's own naming: `new`
/// by default, the previous `new` becoming `base`) and warns when the run is
/// compared with a baseline that loaded the same files.
fn record_provenance(current: &Provenance) {
    let home = std::env::var_os("CRITERION_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/criterion"));
    let dir = home.join("storebench-provenance");
    if std::fs::create_dir_all(&dir).is_err() {
        return;
    }
    let saved = arg_value("--save-baseline");
    let against = arg_value("--baseline").or_else(|| arg_value("--baseline-lenient"));
    if saved.is_none() && against.is_none() && dir.join("new.json").exists() {
        let _ = std::fs::rename(dir.join("new.json"), dir.join("base.json"));
    }
    let compare_with = against.unwrap_or_else(|| "base".into());
    if let Ok(text) = std::fs::read_to_string(dir.join(format!("{compare_with}.json"))) {
        if let Ok(before) = serde_json::from_str::<Provenance>(&text) {
            let needs = Needs {
                libraries: Library::ALL.to_vec(),
                interpreters: vec![],
                libc: true,
            };
            if before.same_files(current, &needs) {
                eprintln!("\n!!! storebench: this run loaded byte-identical libraries to baseline `{compare_with}`.");
                eprintln!("!!! Any change criterion reports against it is noise: the rebuild did not take, or");
                eprintln!(
                    "!!! STOREBENCH_LIBS / LD_LIBRARY_PATH does not point at the new build.\n"
                );
            }
        }
    }
    // A comparison leaves the named baseline alone, as criterion does, but what
    // this run loaded is still written (as `new`), so it can be compared later.
    let name = saved.unwrap_or_else(|| "new".into());
    let path = dir.join(format!("{name}.json"));
    match serde_json::to_string_pretty(current).map(|json| std::fs::write(&path, json)) {
        Ok(Ok(())) => eprintln!(
            "storebench: provenance of this run written to {}",
            path.display()
        ),
        Ok(Err(e)) => eprintln!("storebench: could not write {}: {e}", path.display()),
        Err(e) => eprintln!("storebench: could not serialise the provenance: {e}"),
    }
}
