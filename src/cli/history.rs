//! `storebench history`, and the `--history PATH` / `--no-history` options with
//! which `run` and `compare` record what they measured.

use crate::baseline;
use crate::change;
use crate::error::{exit, Result};
use crate::history::{self, History, Point};
use crate::results::{Unit, DEFAULT_NOISE_PCT};
use crate::workload;
use clap::{Args, Subcommand};
use std::io::Write;
use std::path::PathBuf;

pub const ABOUT: &str = "\
The history is a SQLite database (WAL mode; schema versioned with PRAGMA user_version
and migrated on open). `run` and a measuring `compare` record every run in it, in
one transaction: a run killed midway leaves nothing behind. Default:
$XDG_DATA_HOME/storebench/history.db, else ~/.local/share/storebench/history.db.

Examples:
  storebench history
  storebench history --bench 'compress/zlib/*'
  storebench history import before.json hyperfine.json

The trend lists each benchmark's median per run and variant, the change from the
previous run, and which benchmarked library file (by content hash) changed then.
Night-to-night changes are not paired, so a step is found against the nights
before it: a night whose median lies more than 3 robust standard deviations
(1.4826 × MAD of up to 10 earlier nights at the current level, at least 1 % of
their median) from their median, followed by a night out of line the same way,
starts a step; the nights after it are judged against the new level. It needs 3
earlier nights. A last night out of line is marked as one night so far.

Exit codes: 0 listed or imported, 2 the database or a file could not be read.";

/// Where runs are recorded; flattened into the measuring commands.
#[derive(Args)]
pub struct Recording {
    /// The history database to record the run in.
    /// Default: $XDG_DATA_HOME/storebench/history.db (else ~/.local/share/…).
    #[arg(long, value_name = "PATH", conflicts_with = "no_history")]
    history: Option<PathBuf>,
    /// Do not record the run.
    #[arg(long)]
    no_history: bool,
}

impl Recording {
    /// The database to read earlier runs from and record in; None with
    /// `--no-history` (or when there is no home to keep it in).
    pub fn open(&self) -> Result<Option<History>> {
        if self.no_history {
            return Ok(None);
        }
        let path = self.history.clone().or_else(history::default_path);
        path.map(|p| History::open(&p)).transpose()
    }

    /// Fails when `--history` does not open; warns, before anything is measured,
    /// when the default database does not.
    pub fn check(&self) -> Result<()> {
        if self.no_history {
            return Ok(());
        }
        match (&self.history, history::default_path()) {
            (Some(p), _) => History::open(p).map(drop),
            (None, Some(p)) => {
                if let Err(e) = History::open(&p) {
                    eprintln!("warning: the run will not be recorded: {e} (give --history PATH or --no-history)");
                }
                Ok(())
            }
            (None, None) => Ok(()),
        }
    }

    /// Records `doc`. A failure is an error when `--history` was given, and a
    /// warning for the default database (a read-only home must not lose a run's
    /// printed results).
    pub fn record(&self, doc: &crate::results::Document, source: &str) -> Result<()> {
        if self.no_history {
            return Ok(());
        }
        let (path, explicit) = match (&self.history, history::default_path()) {
            (Some(p), _) => (p.clone(), true),
            (None, Some(p)) => (p, false),
            (None, None) => return Ok(()),
        };
        match History::open(&path).and_then(|mut h| h.record(doc, source)) {
            Ok(id) => {
                eprintln!("recorded run {id} in {}", path.display());
                Ok(())
            }
            Err(e) if !explicit => {
                eprintln!(
                    "warning: the run was not recorded: {e} (give --history PATH or --no-history)"
                );
                Ok(())
            }
            Err(e) => Err(e),
        }
    }
}

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct HistoryArgs {
    #[command(subcommand)]
    action: Option<Action>,
    /// Print the trend of the benchmarks matching this glob (`*` crosses `/`).
    #[arg(long = "bench", value_name = "GLOB")]
    bench: Option<String>,
    #[command(flatten)]
    db: Db,
}

#[derive(Args)]
struct Db {
    /// The history database. Default: $XDG_DATA_HOME/storebench/history.db.
    #[arg(long, value_name = "PATH")]
    history: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Action {
    /// Record stored runs (storebench results documents or hyperfine
    /// --export-json files) in the history.
    Import {
        #[arg(value_name = "FILE", required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        db: Db,
    },
}

impl Db {
    fn open(&self) -> Result<History> {
        let path = self.history.clone().or_else(history::default_path);
        let path = path.unwrap_or_else(|| PathBuf::from("history.db"));
        History::open(&path)
    }

    /// The database, to list or trend: read-only, so a history that cannot be
    /// written still reads.
    fn open_read_only(&self) -> Result<History> {
        let path = self.history.clone().or_else(history::default_path);
        let path = path.unwrap_or_else(|| PathBuf::from("history.db"));
        History::open_read_only(&path)
    }
}

pub fn history(args: HistoryArgs) -> Result<i32> {
    match args.action {
        Some(Action::Import { files, db }) => import(&files, &db),
        None => {
            let h = args.db.open_read_only()?;
            match args.bench {
                Some(glob) => trend(&h, &glob),
                None => list(&h),
            }
        }
    }
}

fn import(files: &[PathBuf], db: &Db) -> Result<i32> {
    // Every file is read before any is recorded: a bad file imports nothing.
    let docs = files
        .iter()
        .map(|f| baseline::load(f).map(|d| (f, d)))
        .collect::<Result<Vec<_>>>()?;
    let mut h = db.open()?;
    for (file, doc) in docs {
        if let Some(id) = h.recorded_as(&doc)? {
            eprintln!(
                "note: {} is run {id}, recorded already; not recorded again",
                file.display()
            );
            continue;
        }
        let id = h.record(&doc, &format!("import {}", file.display()))?;
        println!("imported {} as run {id}", file.display());
    }
    Ok(exit::OK)
}

fn list(h: &History) -> Result<i32> {
    let runs = h.runs()?;
    let mut out = std::io::stdout().lock();
    if runs.is_empty() {
        let _ = writeln!(out, "no runs recorded in {}", h.path().display());
    }
    for r in runs {
        let _ = writeln!(
            out,
            "{:>5}  {}  {:<16} {:>4} results  {:<24} {}",
            r.id,
            r.started,
            r.hostname,
            r.results,
            r.variants.join(","),
            r.source
        );
    }
    Ok(exit::OK)
}

fn trend(h: &History, glob: &str) -> Result<i32> {
    let points = h.trend(glob)?;
    let mut out = std::io::stdout().lock();
    if points.is_empty() {
        let _ = writeln!(out, "no recorded result matches `{glob}`");
    }
    for series in points.chunk_by(|a, b| a.bench == b.bench && a.variant == b.variant) {
        let _ = writeln!(out, "{} [{}]", series[0].bench, series[0].variant);
        let series = &only_used_libraries(series);
        let steps = steps(series);
        let mut previous: Option<&Point> = None;
        for (i, p) in series.iter().enumerate() {
            let mut s = line(previous, p);
            if let Some(step) = steps.iter().find(|st| st.at == i) {
                s.push_str(&format!(
                    "  ← step {} % from here{}",
                    crate::compare::signed(step.change_pct),
                    if step.confirmed {
                        ""
                    } else {
                        " (one night so far)"
                    }
                ));
            }
            let _ = writeln!(out, "  {s}");
            previous = Some(p);
        }
    }
    Ok(exit::OK)
}

/// The series with each run's libraries cut to those the benchmark uses: a
/// zlib benchmark's step is never blamed on liblzma. The libraries of a command
/// or a probe are unknown, so all stay.
fn only_used_libraries(series: &[Point]) -> Vec<Point> {
    let uses = workload::libraries_of(&series[0].bench);
    series
        .iter()
        .cloned()
        .map(|mut p| {
            if let Some(uses) = &uses {
                p.libraries
                    .retain(|(soname, _, _)| uses.iter().any(|l| l.soname() == soname));
            }
            p
        })
        .collect()
}

/// The steps of one series of medians (see `storebench::change`).
fn steps(series: &[Point]) -> Vec<change::Step> {
    let Some(unit) = unit_of(&series[0]) else {
        return vec![];
    };
    if series.iter().any(|p| p.median.is_none()) {
        return vec![];
    }
    let medians: Vec<f64> = series.iter().filter_map(|p| p.median).collect();
    change::steps(&medians, unit.higher_is_better(), DEFAULT_NOISE_PCT)
}

fn unit_of(p: &Point) -> Option<Unit> {
    serde_json::from_value(p.unit.clone().into()).ok()
}

/// One run of a trend: date, run, median, the change from the run before, and
/// the library files that differ from it.
fn line(previous: Option<&Point>, p: &Point) -> String {
    let unit = unit_of(p);
    let figure = match (p.median, unit) {
        (Some(m), Some(u)) => crate::format::human(m, u),
        (Some(m), None) => format!("{m:.4} {}", p.unit),
        (None, _) => "—".into(),
    };
    let mut s = format!("{}  run {:>4}  {figure:>14}", p.started, p.run);
    let Some(q) = previous else { return s };
    if let (Some(a), Some(b), Some(u)) = (q.median, p.median, unit) {
        let change = if u.higher_is_better() {
            (b / a - 1.0) * 100.0
        } else {
            (1.0 - b / a) * 100.0
        };
        s.push_str(&format!("  {} %", crate::compare::signed(change)));
    }
    for (soname, hash, path) in &p.libraries {
        let before = q.libraries.iter().find(|(n, _, _)| n == soname);
        if let Some((_, old_hash, old_path)) = before.filter(|(_, h, _)| h != hash) {
            s.push_str("  ← ");
            s.push_str(&crate::provenance::changed(
                soname,
                (old_path, old_hash),
                (path, hash),
            ));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(run: i64, bench: &str, zlib: &str, lzma: &str) -> Point {
        Point {
            run,
            started: format!("2026-11-2{run}T02:00:00Z"),
            bench: bench.into(),
            variant: "stock".into(),
            unit: "B/s".into(),
            median: Some(1e8),
            libraries: vec![
                (
                    "liblzma.so.5".into(),
                    lzma.into(),
                    "/lib/liblzma.so.5".into(),
                ),
                ("libz.so.1".into(), zlib.into(), "/lib/libz.so.1".into()),
            ],
        }
    }

    #[test]
    fn a_step_names_only_the_libraries_its_benchmark_uses() {
        let series = [
            point(1, "compress/zlib/l1/text", "aa", "11"),
            point(2, "compress/zlib/l1/text", "aa", "22"),
        ];
        let cut = only_used_libraries(&series);
        let l = line(Some(&cut[0]), &cut[1]);
        assert!(!l.contains("liblzma"), "{l}");
        let zlib_changed = [
            point(1, "compress/zlib/l1/text", "aa", "11"),
            point(2, "compress/zlib/l1/text", "bb", "22"),
        ];
        let cut = only_used_libraries(&zlib_changed);
        let l = line(Some(&cut[0]), &cut[1]);
        assert!(
            l.contains("libz.so.1 changed") && !l.contains("liblzma"),
            "{l}"
        );
        // A command's libraries are unknown: every changed one is named.
        let command = [
            point(1, "command/x/wall", "aa", "11"),
            point(2, "command/x/wall", "aa", "22"),
        ];
        let cut = only_used_libraries(&command);
        assert!(line(Some(&cut[0]), &cut[1]).contains("liblzma.so.5 changed"));
    }
}
