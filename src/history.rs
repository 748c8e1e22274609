//! The run history: every recorded run in one SQLite database, so a nightly job
//! can compare with the nights before and name the library whose file changed.
//!
//! It owns the schema and its migrations (`PRAGMA user_version`), writing a
//! results document as one transaction, and the two read-outs: the list of runs
//! and one benchmark's trend. It does not judge changes; that is `compare`'s.
//!
//! The database runs in WAL mode with a busy timeout, so two runs that record at
//! once wait for each other instead of failing, and a process killed midway
//! leaves either the whole run or none of it.

use crate::change::Nights;
use crate::error::{Error, Result};
use crate::results::Document;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// One migration per schema version: `MIGRATIONS[i]` takes `user_version` i to i + 1.
const MIGRATIONS: &[&str] = &[r"
CREATE TABLE hosts (
    id INTEGER PRIMARY KEY,
    hostname TEXT NOT NULL, kernel TEXT NOT NULL, cpu_model TEXT NOT NULL,
    cpus INTEGER NOT NULL, memory_bytes INTEGER NOT NULL, governor TEXT NOT NULL,
    UNIQUE (hostname, kernel, cpu_model, cpus, memory_bytes, governor)
);
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    started TEXT NOT NULL,
    recorded TEXT NOT NULL,
    host_id INTEGER NOT NULL REFERENCES hosts(id),
    config TEXT NOT NULL,
    seed INTEGER NOT NULL,
    rounds INTEGER NOT NULL,
    command_line TEXT NOT NULL,
    source TEXT NOT NULL,
    -- The whole results document, so a later night can be compared with it
    -- exactly as `compare` compares two stored runs.
    document TEXT NOT NULL
);
CREATE TABLE variants (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (run_id, name)
);
CREATE TABLE libraries (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    variant TEXT NOT NULL,
    soname TEXT NOT NULL,
    real_path TEXT NOT NULL,
    store_path TEXT,
    sha256 TEXT NOT NULL,
    version TEXT,
    PRIMARY KEY (run_id, variant, soname)
);
CREATE TABLE results (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    bench TEXT NOT NULL,
    grp TEXT NOT NULL,
    variant TEXT NOT NULL,
    unit TEXT NOT NULL,
    median REAL,
    n INTEGER NOT NULL,
    status TEXT NOT NULL,
    PRIMARY KEY (run_id, bench, variant)
);
CREATE TABLE comparisons (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    bench TEXT NOT NULL,
    baseline TEXT NOT NULL,
    variant TEXT NOT NULL,
    change_pct REAL, ci_low_pct REAL, ci_high_pct REAL,
    paired INTEGER NOT NULL,
    verdict TEXT NOT NULL
);
CREATE TABLE claims (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    claim TEXT NOT NULL,
    baseline TEXT, variant TEXT,
    change_pct REAL, ci_low_pct REAL, ci_high_pct REAL,
    verdict TEXT NOT NULL
);
CREATE INDEX results_bench ON results (bench, variant);
CREATE INDEX runs_config ON runs (host_id, config);
"];

/// The schema version this build writes.
pub const VERSION: u32 = MIGRATIONS.len() as u32;

/// Where the history lives unless `--history PATH` says otherwise:
/// `$XDG_DATA_HOME/storebench/history.db`, else `~/.local/share/storebench/history.db`.
pub fn default_path() -> Option<PathBuf> {
    path_from(std::env::var_os("XDG_DATA_HOME"), std::env::var_os("HOME"))
}

fn path_from(xdg_data_home: Option<OsString>, home: Option<OsString>) -> Option<PathBuf> {
    let data = match xdg_data_home.filter(|d| !d.is_empty()) {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(home?).join(".local/share"),
    };
    Some(data.join("storebench/history.db"))
}

/// An open history database.
pub struct History {
    conn: Connection,
    path: PathBuf,
}

/// One recorded run, as `storebench history` lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRow {
    pub id: i64,
    pub started: String,
    pub hostname: String,
    pub variants: Vec<String>,
    pub results: usize,
    pub source: String,
}

/// One point of a benchmark's trend: its median in one variant of one run, and
/// the library files that variant loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub run: i64,
    pub started: String,
    pub bench: String,
    pub variant: String,
    pub unit: String,
    pub median: Option<f64>,
    /// (soname, sha256, real path) of every benchmarked library the variant loaded.
    pub libraries: Vec<(String, String, String)>,
}

/// How long a run waits for another to finish writing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

impl History {
    /// Opens (creating it and its directory when missing) and migrates the database.
    pub fn open(path: &Path) -> Result<History> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let fail = |e: rusqlite::Error| bad(path, e);
        let conn = Connection::open(path).map_err(fail)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(fail)?;
        // Switching a new database to WAL takes a lock that SQLite does not wait
        // for through the busy handler: two runs opening it at once must retry.
        let start = std::time::Instant::now();
        loop {
            match conn.pragma_update(None, "journal_mode", "WAL") {
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if e.code == rusqlite::ErrorCode::DatabaseBusy
                        && start.elapsed() < BUSY_TIMEOUT =>
                {
                    std::thread::sleep(Duration::from_millis(20));
                }
                other => break other.map_err(fail)?,
            }
        }
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(fail)?;
        let mut history = History {
            conn,
            path: path.to_owned(),
        };
        history.migrate()?;
        Ok(history)
    }

    /// Opens an existing database only to read it, as `storebench history` does:
    /// nothing is created, migrated or locked for writing, so a history on a
    /// read-only file or file system lists. A database in WAL mode whose
    /// directory we cannot write is read as immutable (no `-shm` can be made).
    pub fn open_read_only(path: &Path) -> Result<History> {
        use rusqlite::OpenFlags;
        let fail = |e: rusqlite::Error| bad(path, e);
        if !path.exists() {
            // Nothing to read: an empty history, made as a run would make it.
            return History::open(path);
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI;
        let version =
            |c: &Connection| c.pragma_query_value(None, "user_version", |r| r.get::<_, u32>(0));
        let conn = match Connection::open_with_flags(path, flags) {
            Ok(c) if version(&c).is_ok() => c,
            _ => {
                let mut uri = OsString::from("file:");
                uri.push(path.as_os_str());
                uri.push("?immutable=1");
                Connection::open_with_flags(Path::new(&uri), flags).map_err(fail)?
            }
        };
        conn.busy_timeout(BUSY_TIMEOUT).map_err(fail)?;
        let found = version(&conn).map_err(fail)?;
        if found != VERSION {
            return Err(bad(
                path,
                format!("the history has schema version {found}, this storebench reads {VERSION}; open it once where it can be written (storebench run) to migrate it, or use a storebench of its version"),
            ));
        }
        Ok(History {
            conn,
            path: path.to_owned(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn migrate(&mut self) -> Result<()> {
        let path = self.path.clone();
        let fail = |e: rusqlite::Error| bad(&path, e);
        // IMMEDIATE: two processes opening a new database must not both migrate it.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(fail)?;
        let version: u32 = tx
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(fail)?;
        if version > VERSION {
            return Err(bad(
                &path,
                format!("the history has schema version {version}, newer than this storebench's {VERSION}; use a newer storebench or another --history"),
            ));
        }
        for sql in &MIGRATIONS[version as usize..] {
            tx.execute_batch(sql).map_err(fail)?;
        }
        tx.pragma_update(None, "user_version", VERSION)
            .map_err(fail)?;
        tx.commit().map_err(fail)
    }

    /// Records an analysed document as one run, in one transaction; `source`
    /// says where it came from (`run`, `compare`, `ci`, `import FILE`).
    pub fn record(&mut self, doc: &Document, source: &str) -> Result<i64> {
        let path = self.path.clone();
        let fail = |e: rusqlite::Error| bad(&path, e);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(fail)?;
        let id = insert_run(&tx, doc, source).map_err(fail)?;
        insert_details(&tx, id, doc).map_err(fail)?;
        // A failpoint for the test that kills a run while it records.
        if let Some(ms) = std::env::var("STOREBENCH_TEST_RECORD_DELAY_MS")
            .ok()
            .and_then(|v| v.parse().ok())
        {
            std::thread::sleep(Duration::from_millis(ms));
        }
        tx.commit().map_err(fail)?;
        Ok(id)
    }

    /// The run already recorded from the same run as `doc`: the same start
    /// time, seed, command line and config on the same host. Importing a
    /// document that `run` recorded already would count that night twice.
    pub fn recorded_as(&self, doc: &Document) -> Result<Option<i64>> {
        self.conn
            .query_row(
                "SELECT r.id FROM runs r JOIN hosts h ON h.id = r.host_id
                 WHERE r.started = ?1 AND r.seed = ?2 AND r.command_line = ?3
                   AND r.config = ?4 AND h.hostname = ?5
                 ORDER BY r.id LIMIT 1",
                params![
                    doc.started,
                    doc.seed as i64,
                    doc.command_line.join(" "),
                    config_key(doc),
                    doc.host.hostname
                ],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| bad(&self.path, e))
    }

    /// Every run, oldest first.
    pub fn runs(&self) -> Result<Vec<RunRow>> {
        let fail = |e: rusqlite::Error| bad(&self.path, e);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT r.id, r.started, h.hostname, r.source,
                    (SELECT group_concat(name, ',') FROM
                        (SELECT name FROM variants WHERE run_id = r.id ORDER BY position)),
                    (SELECT count(*) FROM results WHERE run_id = r.id)
                 FROM runs r JOIN hosts h ON h.id = r.host_id ORDER BY r.started, r.id",
            )
            .map_err(fail)?;
        let rows = stmt
            .query_map([], |r| {
                let variants: Option<String> = r.get(4)?;
                Ok(RunRow {
                    id: r.get(0)?,
                    started: r.get(1)?,
                    hostname: r.get(2)?,
                    source: r.get(3)?,
                    variants: variants
                        .map(|v| v.split(',').map(str::to_owned).collect())
                        .unwrap_or_default(),
                    results: r.get::<_, i64>(5)? as usize,
                })
            })
            .map_err(fail)?;
        rows.collect::<rusqlite::Result<_>>().map_err(fail)
    }

    /// The trend of every benchmark whose id matches `glob`, oldest run first.
    pub fn trend(&self, glob: &str) -> Result<Vec<Point>> {
        let matcher = globset::Glob::new(glob)
            .map_err(|e| Error::BadPattern {
                pattern: glob.into(),
                why: e.kind().to_string(),
            })?
            .compile_matcher();
        let fail = |e: rusqlite::Error| bad(&self.path, e);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT r.id, r.started, x.bench, x.variant, x.unit, x.median
                 FROM results x JOIN runs r ON r.id = x.run_id
                 ORDER BY x.bench, x.variant, r.started, r.id",
            )
            .map_err(fail)?;
        let mut libs = self
            .conn
            .prepare(
                "SELECT soname, sha256, real_path FROM libraries
                 WHERE run_id = ?1 AND variant = ?2 ORDER BY soname",
            )
            .map_err(fail)?;
        let mut points = vec![];
        let mut rows = stmt.query([]).map_err(fail)?;
        while let Some(r) = rows.next().map_err(fail)? {
            let bench: String = r.get(2).map_err(fail)?;
            if !matcher.is_match(&bench) {
                continue;
            }
            let (run, variant): (i64, String) = (r.get(0).map_err(fail)?, r.get(3).map_err(fail)?);
            let libraries = libs
                .query_map(params![run, variant], |l| {
                    Ok((l.get(0)?, l.get(1)?, l.get(2)?))
                })
                .map_err(fail)?
                .collect::<rusqlite::Result<_>>()
                .map_err(fail)?;
            points.push(Point {
                run,
                started: r.get(1).map_err(fail)?,
                bench,
                variant,
                unit: r.get(4).map_err(fail)?,
                median: r.get(5).map_err(fail)?,
                libraries,
            });
        }
        Ok(points)
    }
}

impl History {
    /// The most recent recorded run of config `key` (see [`config_key`]) on the
    /// host named `hostname`: what `--against last` compares with.
    pub fn last(&self, hostname: &str, key: &str) -> Result<Option<(i64, Document)>> {
        let fail = |e: rusqlite::Error| bad(&self.path, e);
        let row: Option<(i64, String)> = self
            .conn
            .query_row(
                "SELECT r.id, r.document FROM runs r JOIN hosts h ON h.id = r.host_id
                 WHERE h.hostname = ?1 AND r.config = ?2 ORDER BY r.started DESC, r.id DESC LIMIT 1",
                params![hostname, key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(fail)?;
        let Some((id, json)) = row else {
            return Ok(None);
        };
        let before: Document = serde_json::from_str(&json).map_err(|e| {
            bad(
                &self.path,
                format!("run {id}'s document is unreadable ({e})"),
            )
        })?;
        let before = before.checked(&self.path)?;
        Ok(Some((id, before)))
    }

    /// The medians of the last `window` recorded runs of config `key` on the
    /// host `hostname`, per (benchmark, variant), oldest first: the nights a
    /// new night is judged against.
    pub fn nights(&self, hostname: &str, key: &str, window: usize) -> Result<Nights> {
        let fail = |e: rusqlite::Error| bad(&self.path, e);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT x.bench, x.variant, x.median FROM results x
                 JOIN (SELECT r.id, r.started FROM runs r JOIN hosts h ON h.id = r.host_id
                       WHERE h.hostname = ?1 AND r.config = ?2
                       ORDER BY r.started DESC, r.id DESC LIMIT ?3) n ON n.id = x.run_id
                 WHERE x.median IS NOT NULL ORDER BY n.started, n.id",
            )
            .map_err(fail)?;
        let mut nights = Nights::new();
        let mut rows = stmt
            .query(params![hostname, key, window as i64])
            .map_err(fail)?;
        while let Some(r) = rows.next().map_err(fail)? {
            let key = (r.get(0).map_err(fail)?, r.get(1).map_err(fail)?);
            nights.entry(key).or_default().push(r.get(2).map_err(fail)?);
        }
        Ok(nights)
    }
}

/// What makes two runs "the same config": the variant names and the benchmark
/// patterns, so `ci --against last` compares like with like.
pub fn config_key(doc: &Document) -> String {
    let names: Vec<&str> = doc
        .variants
        .iter()
        .map(|v| v.variant.name.as_str())
        .collect();
    key_of(&names, &doc.settings.bench_patterns)
}

/// [`config_key`] before the run is made.
pub fn key_of(variants: &[&str], bench_patterns: &[String]) -> String {
    format!(
        "variants={};bench={}",
        variants.join(","),
        bench_patterns.join(",")
    )
}

fn insert_run(tx: &Transaction, doc: &Document, source: &str) -> rusqlite::Result<i64> {
    let h = &doc.host;
    let governor = h.governor.as_deref().unwrap_or("");
    tx.execute(
        "INSERT OR IGNORE INTO hosts (hostname, kernel, cpu_model, cpus, memory_bytes, governor)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            h.hostname,
            h.kernel,
            h.cpu_model,
            h.cpus as i64,
            h.memory_bytes as i64,
            governor
        ],
    )?;
    let host: i64 = tx.query_row(
        "SELECT id FROM hosts WHERE hostname = ?1 AND kernel = ?2 AND cpu_model = ?3
         AND cpus = ?4 AND memory_bytes = ?5 AND governor = ?6",
        params![
            h.hostname,
            h.kernel,
            h.cpu_model,
            h.cpus as i64,
            h.memory_bytes as i64,
            governor
        ],
        |r| r.get(0),
    )?;
    let recorded = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    tx.execute(
        "INSERT INTO runs (started, recorded, host_id, config, seed, rounds, command_line, source, document)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            doc.started,
            recorded,
            host,
            config_key(doc),
            doc.seed as i64,
            doc.settings.rounds,
            doc.command_line.join(" "),
            source,
            serde_json::to_string(doc).map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.into()))?
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

fn insert_details(tx: &Transaction, run: i64, doc: &Document) -> rusqlite::Result<()> {
    for (i, v) in doc.variants.iter().enumerate() {
        let name = &v.variant.name;
        tx.execute(
            "INSERT INTO variants (run_id, position, name) VALUES (?1, ?2, ?3)",
            params![run, i as i64, name],
        )?;
        for lib in v.provenance.iter().flat_map(|p| &p.libraries) {
            tx.execute(
                "INSERT OR REPLACE INTO libraries (run_id, variant, soname, real_path, store_path, sha256, version)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    run,
                    name,
                    lib.library.soname(),
                    lib.object.real_path.to_string_lossy(),
                    lib.object.store_path.as_ref().map(|p| p.to_string_lossy().into_owned()),
                    lib.object.sha256,
                    lib.version
                ],
            )?;
        }
    }
    for r in &doc.results {
        tx.execute(
            "INSERT OR REPLACE INTO results (run_id, bench, grp, variant, unit, median, n, status)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                run,
                r.bench,
                r.group,
                r.variant,
                r.unit.symbol(),
                r.throughput.as_ref().map(|s| s.median),
                r.throughput.as_ref().map_or(0, |s| s.n as i64),
                label(&r.status)
            ],
        )?;
    }
    for c in &doc.comparisons {
        tx.execute(
            "INSERT INTO comparisons (run_id, bench, baseline, variant, change_pct, ci_low_pct, ci_high_pct, paired, verdict)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                run,
                c.bench,
                c.baseline,
                c.variant,
                c.change_pct,
                c.ci_low_pct,
                c.ci_high_pct,
                c.paired,
                c.verdict.label()
            ],
        )?;
    }
    for c in &doc.claims {
        tx.execute(
            "INSERT INTO claims (run_id, claim, baseline, variant, change_pct, ci_low_pct, ci_high_pct, verdict)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                run,
                c.id,
                c.baseline,
                c.variant,
                c.change_pct,
                c.ci_low_pct,
                c.ci_high_pct,
                c.verdict.label()
            ],
        )?;
    }
    Ok(())
}

fn label<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn bad(path: &Path, why: impl std::fmt::Display) -> Error {
    Error::History {
        path: path.to_owned(),
        why: why.to_string(),
    }
}

#[cfg(test)]
pub(crate) mod tests;
