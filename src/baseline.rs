//! Baselines: stored runs, the "before" of a before/after comparison.
//!
//! `--save NAME` writes `baselines/NAME.json` through a temporary file and a rename,
//! and never replaces a complete baseline with an incomplete run. Reading accepts a
//! storebench results document of this schema, or a hyperfine `--export-json` file;
//! anything else (a truncated, corrupt or newer-schema file) is an error that names
//! the file, never an empty run. This module also says what differs between two
//! runs' hosts, tools and loaded files, since a comparison across them is only as
//! good as their sameness.

use crate::compare;
use crate::error::{Error, Result};
use crate::results::{BenchResult, Document, Status, Tool, Unit, VariantRecord, SCHEMA};
use crate::stats;
use crate::variant::Variant;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Where `--save NAME` writes and `compare NAME` reads, unless `--baselines-dir`.
pub const DEFAULT_DIR: &str = "baselines";

/// The variant name a hyperfine export's commands are filed under.
pub const HYPERFINE_VARIANT: &str = "hyperfine";

fn bad(path: &Path, why: impl Into<String>) -> Error {
    Error::Baseline {
        path: path.to_owned(),
        why: why.into(),
    }
}

/// `DIR/NAME.json`; a name is a plain file stem.
pub fn path_for(dir: &Path, name: &str) -> Result<PathBuf> {
    let ok = !name.is_empty()
        && !name.starts_with('.')
        && !name.contains('/')
        && !name.chars().any(char::is_control);
    if !ok {
        return Err(bad(
            &dir.join(name),
            "a baseline name is a plain file name (no `/`, not starting with `.`), e.g. before-rebuild",
        ));
    }
    Ok(dir.join(format!("{name}.json")))
}

/// What the user named: a file when it exists or looks like a path, else the
/// baseline of that name in `dir`.
pub fn resolve(arg: &str, dir: &Path) -> Result<PathBuf> {
    let as_path = Path::new(arg);
    if as_path.is_file() || arg.contains('/') || arg.ends_with(".json") {
        return Ok(as_path.to_owned());
    }
    path_for(dir, arg)
}

/// What `save` did.
#[derive(Debug, PartialEq)]
pub enum Saved {
    Written(PathBuf),
    /// The run was incomplete, and no good baseline of that name existed.
    WrittenIncomplete(PathBuf),
    /// The run was incomplete and a good baseline of that name exists: it stays.
    Kept(PathBuf),
}

/// Whether every benchmark of every variant was measured with right results.
pub fn complete(doc: &Document) -> bool {
    !doc.results.is_empty()
        && doc
            .results
            .iter()
            .all(|r| r.status == Status::Ok && !r.figures().is_empty())
}

/// Stores `doc` as `DIR/NAME.json`, atomically. An incomplete run (a broken,
/// crashed or hung benchmark) never replaces a baseline that loads, nor, unless
/// `replace_unreadable`, a file this storebench cannot read (a newer schema may
/// hold a good run it cannot judge): that is an error.
pub fn save(doc: &Document, dir: &Path, name: &str, replace_unreadable: bool) -> Result<Saved> {
    let path = path_for(dir, name)?;
    if complete(doc) {
        doc.write_atomic(&path)?;
        return Ok(Saved::Written(path));
    }
    if path.exists() {
        match load(&path) {
            Ok(_) => return Ok(Saved::Kept(path)),
            Err(e) if !replace_unreadable => {
                return Err(bad(
                    &path,
                    format!("kept: this run is incomplete (a benchmark failed) and does not replace a file this storebench cannot read ({e}); pass --replace-baseline to replace it anyway, or --save another name"),
                ))
            }
            Err(_) => {}
        }
    }
    doc.write_atomic(&path)?;
    Ok(Saved::WrittenIncomplete(path))
}

/// Reads a stored run: a storebench document or a hyperfine export.
pub fn load(path: &Path) -> Result<Document> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(bad(path, "the file is empty; it is not a usable run"));
    }
    let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
        if e.is_eof() {
            bad(path, format!("the JSON is truncated (it ends at line {}); the file was cut short, so it is not a usable run", e.line()))
        } else {
            bad(path, format!("not valid JSON ({e}); the file is corrupt"))
        }
    })?;
    match value.get("schema") {
        Some(serde_json::Value::String(schema)) => {
            check_schema(path, schema)?;
            serde_json::from_value::<Document>(value)
                .map_err(|e| {
                    bad(
                        path,
                        format!("not a valid {SCHEMA} document ({e}); the file is corrupt"),
                    )
                })?
                .checked(path)
        }
        Some(_) => Err(bad(path, "`schema` is not a string; the file is corrupt")),
        None if looks_like_hyperfine(&value) => from_hyperfine(path, value)?.checked(path),
        None => Err(bad(
            path,
            "neither a storebench results document (it has no `schema`) nor a hyperfine --export-json file",
        )),
    }
}

fn check_schema(path: &Path, schema: &str) -> Result<()> {
    let version = |s: &str| -> Option<u32> { s.strip_prefix("storebench/")?.parse().ok() };
    let ours = version(SCHEMA).expect("SCHEMA is storebench/N");
    match version(schema) {
        Some(v) if v == ours => Ok(()),
        Some(v) if v > ours => Err(bad(
            path,
            format!("written by a newer storebench (schema {schema}); this one reads {SCHEMA}: upgrade storebench to compare with it"),
        )),
        Some(_) => Err(bad(
            path,
            format!("schema {schema} is older than {SCHEMA}, which this storebench reads; measure it again"),
        )),
        None => Err(bad(path, format!("unknown schema `{schema}`, expected {SCHEMA}"))),
    }
}

fn looks_like_hyperfine(v: &serde_json::Value) -> bool {
    v.get("results")
        .and_then(|r| r.as_array())
        .is_some_and(|rs| !rs.is_empty() && rs.iter().all(|r| r.get("command").is_some()))
}

#[derive(Deserialize)]
struct HyperfineExport {
    results: Vec<HyperfineResult>,
}

#[derive(Deserialize)]
struct HyperfineResult {
    command: String,
    #[serde(default)]
    times: Vec<f64>,
    #[serde(default)]
    exit_codes: Vec<Option<i32>>,
    #[serde(default)]
    parameters: BTreeMap<String, serde_json::Value>,
}

/// A hyperfine export as a run of one variant, `hyperfine`: each command is a
/// benchmark whose figures are its run times in seconds (lower is better).
fn from_hyperfine(path: &Path, value: serde_json::Value) -> Result<Document> {
    let export: HyperfineExport = serde_json::from_value(value)
        .map_err(|e| bad(path, format!("not a valid hyperfine export ({e})")))?;
    let mut results = Vec::new();
    for h in export.results {
        if h.times.is_empty() {
            return Err(bad(path, format!("hyperfine result `{}` has no `times`; export with a hyperfine that records each run", h.command)));
        }
        let failed = h.exit_codes.iter().any(|c| *c != Some(0));
        let mut r = BenchResult::new(
            &h.command,
            "command",
            HYPERFINE_VARIANT,
            Unit::Seconds,
            1,
            vec![],
            if failed { Status::Crashed } else { Status::Ok },
            failed.then(|| "a run exited non-zero".to_string()),
        );
        let timing = stats::summarize(&h.times);
        r.mean = timing.as_ref().map(|s| s.mean);
        r.median = timing.as_ref().map(|s| s.median);
        r.stddev = timing.as_ref().filter(|s| s.n > 1).map(|s| s.stddev);
        r.min = timing.as_ref().map(|s| s.min);
        r.max = timing.as_ref().map(|s| s.max);
        r.throughput = timing;
        r.exit_codes = h.exit_codes.iter().map(|c| c.unwrap_or(-1)).collect();
        r.parameters.extend(
            h.parameters
                .into_iter()
                .map(|(k, v)| (k, v.as_str().map_or_else(|| v.to_string(), String::from))),
        );
        r.values = h.times.clone();
        r.times = h.times;
        results.push(r);
    }
    let started = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .map(|t| humantime::format_rfc3339_seconds(t).to_string())
        .unwrap_or_default();
    let rounds = results.iter().map(|r| r.times.len() as u32).max();
    let mut doc = Document::of_results(results);
    doc.tool = Tool {
        name: "hyperfine".into(),
        version: String::new(),
    };
    doc.started = started;
    doc.settings.rounds = rounds.unwrap_or(0);
    doc.variants = vec![VariantRecord {
        variant: Variant {
            name: HYPERFINE_VARIANT.into(),
            description: Some(format!("hyperfine export {}", path.display())),
            ..Variant::system()
        },
        provenance: None,
        same_files_as: vec![],
        smoke: None,
    }];
    Ok(doc)
}

/// One stored run, as `storebench baselines` lists it.
pub struct Entry {
    pub name: String,
    pub doc: Document,
}

/// Every `*.json` in `dir`, by name, with the errors of those that do not load.
pub fn list(dir: &Path) -> Result<(Vec<Entry>, Vec<Error>)> {
    let mut paths: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => vec![],
        Err(e) => return Err(Error::io(dir, e)),
    };
    paths.sort();
    let (mut good, mut errors) = (Vec::new(), Vec::new());
    for path in paths {
        match load(&path) {
            Ok(doc) => good.push(Entry {
                name: path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                doc,
            }),
            Err(e) => errors.push(e),
        }
    }
    Ok((good, errors))
}

/// Why a comparison of `before` with `after` may mislead: different hosts, CPU
/// flags, tools or corpora.
pub fn warnings(before: &Document, after: &Document) -> Vec<String> {
    let mut out = Vec::new();
    let (a, b) = (&before.host, &after.host);
    let known = |s: &str| !s.is_empty();
    if known(&a.hostname) && known(&b.hostname) && a.hostname != b.hostname {
        out.push(format!(
            "the runs were made on different hosts ({} and {}): a difference may be the machine's, not the build's",
            a.hostname, b.hostname
        ));
    }
    if known(&a.cpu_model) && known(&b.cpu_model) && a.cpu_model != b.cpu_model {
        out.push(format!(
            "the runs were made on different CPUs ({} and {})",
            a.cpu_model, b.cpu_model
        ));
    }
    if !a.cpu_flags.is_empty() && !b.cpu_flags.is_empty() && a.cpu_flags != b.cpu_flags {
        let (fa, fb): (BTreeSet<_>, BTreeSet<_>) =
            (a.cpu_flags.iter().collect(), b.cpu_flags.iter().collect());
        let list = |s: Vec<&&String>| {
            let more = s.len().saturating_sub(8);
            let mut names: Vec<String> = s.iter().take(8).map(|f| f.to_string()).collect();
            if more > 0 {
                names.push(format!("and {more} more"));
            }
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(" ")
            }
        };
        out.push(format!(
            "the CPU flags differ (only before: {}; only now: {}): code built for one may take other paths on the other",
            list(fa.difference(&fb).collect()),
            list(fb.difference(&fa).collect())
        ));
    }
    if before.tool.name == after.tool.name && before.tool.version != after.tool.version {
        out.push(format!(
            "the runs were made by different {} versions ({} and {}): a change may be the tool's",
            after.tool.name, before.tool.version, after.tool.version
        ));
    }
    let hashes = |d: &Document| -> BTreeMap<String, String> {
        d.corpora
            .iter()
            .map(|c| (c.name.clone(), c.sha256.clone()))
            .collect()
    };
    let (ca, cb) = (hashes(before), hashes(after));
    if ca
        .iter()
        .any(|(name, h)| cb.get(name).is_some_and(|g| g != h))
    {
        out.push("the corpora differ between the runs (another seed, size or file): throughput is not comparable".into());
    }
    out
}

/// Whether every variant compared between the runs loaded byte-identical
/// libraries in both: "nothing changed between these runs".
pub fn nothing_changed(pairings: &[compare::Pairing]) -> bool {
    let unpaired: Vec<_> = pairings.iter().filter(|p| !p.paired).collect();
    !unpaired.is_empty() && unpaired.iter().all(|p| p.same_files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn a_hyperfine_export_becomes_a_run_of_timed_commands() {
        let tmp = tempfile::tempdir().unwrap();
        let p = write(
            tmp.path(),
            "hf.json",
            r#"{"results": [{"command": "sleep 0.1", "mean": 0.1, "stddev": 0.001,
               "median": 0.1, "user": 0.0, "system": 0.0, "min": 0.099, "max": 0.102,
               "times": [0.1, 0.099, 0.102], "exit_codes": [0, 0, 0],
               "parameters": {"n": "1"}}]}"#,
        );
        let doc = load(&p).unwrap();
        assert_eq!(doc.tool.name, "hyperfine");
        let r = &doc.results[0];
        assert_eq!(
            (r.bench.as_str(), r.variant.as_str()),
            ("sleep 0.1", HYPERFINE_VARIANT)
        );
        assert_eq!(r.unit, Unit::Seconds);
        assert_eq!(r.figures(), vec![0.1, 0.099, 0.102]);
        assert_eq!(r.status, Status::Ok);
        assert_eq!(r.parameters.get("n").map(String::as_str), Some("1"));
    }

    #[test]
    fn empty_truncated_corrupt_and_foreign_files_are_errors_naming_the_file() {
        let tmp = tempfile::tempdir().unwrap();
        for (name, text, expect) in [
            ("empty.json", "  \n", "empty"),
            (
                "cut.json",
                r#"{"schema": "storebench/1", "results": ["#,
                "truncated",
            ),
            ("junk.json", "{]", "not valid JSON"),
            ("other.json", r#"{"hello": 1}"#, "neither"),
            (
                "newer.json",
                r#"{"schema": "storebench/2"}"#,
                "newer storebench",
            ),
            (
                "bad.json",
                r#"{"schema": "storebench/1", "results": 3}"#,
                "corrupt",
            ),
        ] {
            let p = write(tmp.path(), name, text);
            let err = load(&p).unwrap_err().to_string();
            assert!(err.contains(name) && err.contains(expect), "{name}: {err}");
        }
    }

    #[test]
    fn names_resolve_to_the_baselines_directory_and_paths_stay_paths() {
        let dir = Path::new("/tmp/b");
        assert_eq!(resolve("before", dir).unwrap(), dir.join("before.json"));
        assert_eq!(resolve("./x.json", dir).unwrap(), PathBuf::from("./x.json"));
        assert!(path_for(dir, "../evil").is_err());
        assert!(path_for(dir, ".hidden").is_err());
    }
}
