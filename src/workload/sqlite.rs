//! SQLite through the system `libsqlite3`, on a file database in a temporary
//! directory. Every value the table holds follows from its id, so each query's
//! answer is checked against arithmetic, and `PRAGMA integrity_check` runs at the end.
//!
//! An iteration stays well under the runner's 10 ms turn: 100 lookups or range
//! scans (1,000 before blocks; each is still one operation), 1,000-row
//! transactions for inserts and updates (unchanged), and `group-by-range` groups
//! a 2,000-row range of the table where `group-by` grouped all 100,000 rows
//! (80 ms; renamed, since its operation changed).

use super::{BenchSpec, Broken, Kept, Source, Unit, Workload};
use crate::library::Library;
use rusqlite::{params, Connection};

const ROWS: i64 = 100_000;
/// Rows per transaction of the insert and update benchmarks; a figure is in rows
/// per second.
const BATCH: i64 = 1_000;
/// Lookups or range scans per iteration; a figure is in queries per second.
const QUERIES: i64 = 100;
/// Rows one `group-by-range` query groups.
const RANGE: i64 = 2_000;
const GROUPS: i64 = 97;

const BENCHES: [&str; 5] = [
    "insert-batch",
    "point-lookup",
    "range-scan",
    "group-by-range",
    "update",
];

pub fn catalog(out: &mut Vec<BenchSpec>) {
    for name in BENCHES {
        out.push(BenchSpec {
            id: format!("sqlite/{name}"),
            group: "sqlite",
            libraries: vec![Library::Sqlite],
            unit: Unit::OpsPerSecond,
            source: Source::Worker,
        });
    }
}

fn k_of(id: i64) -> i64 {
    id.wrapping_mul(7919) % 1_000_003
}

/// How many of the ids 1..=n fall in group `grp`.
fn in_group(n: i64, grp: i64) -> i64 {
    match grp {
        0 => n / GROUPS,
        g if n >= g => (n - g) / GROUPS + 1,
        _ => 0,
    }
}

fn err(e: rusqlite::Error) -> Broken {
    Broken(format!("sqlite: {e}"))
}

pub fn prepare(id: &str, kept: Kept) -> Result<Box<dyn Workload>, Broken> {
    let name = BENCHES
        .into_iter()
        .find(|n| id.strip_prefix("sqlite/") == Some(n));
    let name = name.ok_or_else(|| Broken(format!("unknown sqlite benchmark {id}")))?;
    let dir = crate::tempfiles::dir().map_err(|e| Broken(format!("temporary directory: {e}")))?;
    let path = dir.path().join("bench.db");
    // The variant's first worker fills the table; the later ones start from a copy
    // of what it wrote (made by this variant's library, checked by every worker).
    kept.file("sqlite-base.db", &path, fill, |to| {
        let db = Connection::open(&path).map_err(err)?;
        db.execute("VACUUM INTO ?1", params![to.to_string_lossy()])
            .map(drop)
            .map_err(err)
    })?;
    let db = Connection::open(&path).map_err(err)?;
    // The disk is not under test: without fsync the figure is the library's.
    db.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;")
        .map_err(err)?;
    Ok(Box::new(Sqlite {
        db,
        _dir: dir,
        name,
        cursor: 0,
    }))
}

/// The tables every sqlite benchmark starts from, made at `path`.
fn fill(path: &std::path::Path) -> Result<(), Broken> {
    let db = Connection::open(path).map_err(err)?;
    db.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;
         CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER NOT NULL, grp INTEGER NOT NULL, v TEXT NOT NULL);
         CREATE TABLE ins(id INTEGER PRIMARY KEY, k INTEGER NOT NULL, v TEXT NOT NULL);",
    )
    .map_err(err)?;
    let tx = db.unchecked_transaction().map_err(err)?;
    {
        let mut st = tx
            .prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4)")
            .map_err(err)?;
        for id in 1..=ROWS {
            st.execute(params![
                id,
                k_of(id),
                id % GROUPS,
                format!("row {id} value")
            ])
            .map_err(err)?;
        }
    }
    tx.commit().map_err(err)?;
    db.execute_batch("CREATE INDEX t_k ON t(k); ANALYZE;")
        .map_err(err)
}

struct Sqlite {
    db: Connection,
    _dir: tempfile::TempDir,
    name: &'static str,
    /// Moves through the table so successive iterations touch other rows.
    cursor: i64,
}

impl Sqlite {
    fn next_ids(&mut self, n: i64) -> impl Iterator<Item = i64> {
        let start = self.cursor;
        self.cursor = (self.cursor + n) % ROWS;
        (0..n).map(move |i| (start + i * 37) % ROWS + 1)
    }

    fn insert_batch(&mut self) -> Result<(), Broken> {
        let tx = self.db.unchecked_transaction().map_err(err)?;
        tx.execute("DELETE FROM ins", []).map_err(err)?;
        let mut st = tx
            .prepare_cached("INSERT INTO ins VALUES (?1, ?2, ?3)")
            .map_err(err)?;
        for id in 1..=BATCH {
            st.execute(params![id, k_of(id), "inserted row"])
                .map_err(err)?;
        }
        drop(st);
        tx.commit().map_err(err)
    }

    fn point_lookup(&mut self) -> Result<(), Broken> {
        let ids: Vec<i64> = self.next_ids(QUERIES).collect();
        let mut st = self
            .db
            .prepare_cached("SELECT k, grp FROM t WHERE id = ?1")
            .map_err(err)?;
        for id in ids {
            let (k, grp): (i64, i64) = st
                .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(err)?;
            if k != k_of(id) || grp != id % GROUPS {
                return Err(Broken(format!("row {id} read back as k={k} grp={grp}")));
            }
        }
        Ok(())
    }

    /// Each indexed range scan (about a hundred rows) is one operation.
    fn range_scan(&mut self) -> Result<(), Broken> {
        let starts: Vec<i64> = self.next_ids(QUERIES).map(k_of).collect();
        let mut st = self
            .db
            .prepare_cached("SELECT count(*) FROM t WHERE k BETWEEN ?1 AND ?2")
            .map_err(err)?;
        for lo in starts {
            let n: i64 = st.query_row([lo, lo + 1_000], |r| r.get(0)).map_err(err)?;
            if !(0..=ROWS).contains(&n) {
                return Err(Broken(format!("range count {n} is impossible")));
            }
        }
        Ok(())
    }

    /// One GROUP BY over the next [`RANGE`] ids, each group's count checked.
    fn group_by_range(&mut self) -> Result<(), Broken> {
        let lo = self.cursor % (ROWS - RANGE) + 1;
        self.cursor = (self.cursor + RANGE) % ROWS;
        let hi = lo + RANGE - 1;
        let mut st = self
            .db
            .prepare_cached(
                "SELECT grp, count(*) FROM t WHERE id BETWEEN ?1 AND ?2 GROUP BY grp ORDER BY grp",
            )
            .map_err(err)?;
        let rows = st
            .query_map([lo, hi], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))
            .map_err(err)?;
        let mut total = 0;
        for (i, row) in rows.enumerate() {
            let (grp, n) = row.map_err(err)?;
            let expected = in_group(hi, grp) - in_group(lo - 1, grp);
            if grp != i as i64 || n != expected {
                return Err(Broken(format!(
                    "group {grp} of ids {lo}..={hi} counted {n}, expected {expected}"
                )));
            }
            total += n;
        }
        if total != RANGE {
            return Err(Broken(format!(
                "groups of ids {lo}..={hi} sum to {total} rows, expected {RANGE}"
            )));
        }
        Ok(())
    }

    fn update(&mut self) -> Result<(), Broken> {
        let ids: Vec<i64> = self.next_ids(BATCH).collect();
        let tx = self.db.unchecked_transaction().map_err(err)?;
        let mut st = tx
            .prepare_cached("UPDATE t SET v = ?2 WHERE id = ?1")
            .map_err(err)?;
        for id in ids {
            if st
                .execute(params![id, format!("row {id} updated")])
                .map_err(err)?
                != 1
            {
                return Err(Broken(format!("update of row {id} changed no row")));
            }
        }
        drop(st);
        tx.commit().map_err(err)
    }
}

impl Workload for Sqlite {
    fn run(&mut self, iterations: u64) -> Result<(), Broken> {
        for _ in 0..iterations {
            match self.name {
                "insert-batch" => self.insert_batch()?,
                "point-lookup" => self.point_lookup()?,
                "range-scan" => self.range_scan()?,
                "group-by-range" => self.group_by_range()?,
                _ => self.update()?,
            }
        }
        Ok(())
    }

    fn verify(&mut self) -> Result<(), Broken> {
        let check: String = self
            .db
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(err)?;
        if check != "ok" {
            return Err(Broken(format!("PRAGMA integrity_check: {check}")));
        }
        let (n, sum): (i64, i64) = self
            .db
            .query_row("SELECT count(*), sum(k) FROM t", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map_err(err)?;
        let expected: i64 = (1..=ROWS).map(k_of).sum();
        if n != ROWS || sum != expected {
            return Err(Broken(format!(
                "table holds {n} rows summing to {sum}, expected {ROWS} and {expected}"
            )));
        }
        Ok(())
    }

    fn work_per_iter(&self) -> u64 {
        match self.name {
            "group-by-range" => 1,
            "point-lookup" | "range-scan" => QUERIES as u64,
            _ => BATCH as u64,
        }
    }
}
