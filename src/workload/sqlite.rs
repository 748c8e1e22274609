//! SQLite through the system `libsqlite3`, on a file database in a temporary
//! directory. Every value the table holds follows from its id, so each query's
//! answer is checked against arithmetic, and `PRAGMA integrity_check` runs at the end.

use super::{BenchSpec, Broken, Source, Unit, Workload};
use crate::library::Library;
use rusqlite::{params, Connection};

const ROWS: i64 = 100_000;
/// Rows or queries per iteration, so a figure is in rows or queries per second.
const BATCH: i64 = 1_000;
const GROUPS: i64 = 97;

const BENCHES: [&str; 5] = [
    "insert-batch",
    "point-lookup",
    "range-scan",
    "group-by",
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

fn err(e: rusqlite::Error) -> Broken {
    Broken(format!("sqlite: {e}"))
}

pub fn prepare(id: &str) -> Result<Box<dyn Workload>, Broken> {
    let name = BENCHES
        .into_iter()
        .find(|n| id.strip_prefix("sqlite/") == Some(n));
    let name = name.ok_or_else(|| Broken(format!("unknown sqlite benchmark {id}")))?;
    let dir = crate::tempfiles::dir().map_err(|e| Broken(format!("temporary directory: {e}")))?;
    let db = Connection::open(dir.path().join("bench.db")).map_err(err)?;
    // The disk is not under test: without fsync the figure is the library's.
    db.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;
         CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER NOT NULL, grp INTEGER NOT NULL, v TEXT NOT NULL);
         CREATE TABLE ins(id INTEGER PRIMARY KEY, k INTEGER NOT NULL, v TEXT NOT NULL);",
    )
    .map_err(err)?;
    {
        let tx = db.unchecked_transaction().map_err(err)?;
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
        drop(st);
        tx.commit().map_err(err)?;
    }
    db.execute_batch("CREATE INDEX t_k ON t(k); ANALYZE;")
        .map_err(err)?;
    Ok(Box::new(Sqlite {
        db,
        _dir: dir,
        name,
        cursor: 0,
    }))
}

struct Sqlite {
    db: Connection,
    _dir: tempfile::TempDir,
    name: &'static str,
    /// Moves through the table so successive iterations touch other rows.
    cursor: i64,
}

impl Sqlite {
    fn next_ids(&mut self) -> impl Iterator<Item = i64> {
        let start = self.cursor;
        self.cursor = (self.cursor + BATCH) % ROWS;
        (0..BATCH).map(move |i| (start + i * 37) % ROWS + 1)
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
        let ids: Vec<i64> = self.next_ids().collect();
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
        let starts: Vec<i64> = self.next_ids().map(k_of).collect();
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

    fn group_by(&mut self) -> Result<(), Broken> {
        let mut st = self
            .db
            .prepare_cached("SELECT grp, count(*) FROM t GROUP BY grp ORDER BY grp")
            .map_err(err)?;
        let rows = st
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))
            .map_err(err)?;
        let mut total = 0;
        for (i, row) in rows.enumerate() {
            let (grp, n) = row.map_err(err)?;
            let expected = if grp == 0 {
                ROWS / GROUPS
            } else {
                (ROWS - grp) / GROUPS + 1
            };
            if grp != i as i64 || n != expected {
                return Err(Broken(format!(
                    "group {grp} counted {n}, expected {expected}"
                )));
            }
            total += n;
        }
        if total != ROWS {
            return Err(Broken(format!(
                "groups sum to {total} rows, expected {ROWS}"
            )));
        }
        Ok(())
    }

    fn update(&mut self) -> Result<(), Broken> {
        let ids: Vec<i64> = self.next_ids().collect();
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
                "group-by" => self.group_by()?,
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
        if self.name == "group-by" {
            1
        } else {
            BATCH as u64
        }
    }
}
