//! Inputs a workload prepares once per variant and run, kept for the workers of
//! the rounds after the first.
//!
//! Every round starts fresh workers (so that each round's process layout is an
//! independent draw), and each would otherwise prepare its inputs again: compress
//! the whole corpus with zstd -19 or xz -6 before a decompression benchmark can
//! start, or fill a 100,000-row sqlite table. Those seconds are not measured, yet
//! they were a fifth of a round. The first worker of a variant makes the input
//! with that variant's own libraries and leaves it in the variant's directory
//! (which the runner makes for the run and removes after it); the next workers of
//! that variant read it. Nothing here is trusted more than before: every worker
//! still checks its output against the corpus (round trips, `integrity_check`).
//!
//! Not here: anything shared between variants. Each variant's inputs are its own.

use super::Broken;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The directory a worker keeps its prepared inputs in; none: make them anew.
#[derive(Debug, Clone, Copy)]
pub struct Kept<'a>(pub Option<&'a Path>);

impl Kept<'_> {
    /// The blocks named `name`: read back when a worker of this variant made them
    /// before, else made by `make` and kept.
    pub fn blocks(
        self,
        name: &str,
        make: impl FnOnce() -> Result<Vec<Vec<u8>>, Broken>,
    ) -> Result<Vec<Vec<u8>>, Broken> {
        let Some(path) = self.path(name) else {
            return make();
        };
        if path.exists() {
            return read_blocks(&path);
        }
        let blocks = make()?;
        crate::tempfiles::replace(&path, |f| write_blocks(f, &blocks))
            .map_err(|e| io_err(&path, e))?;
        Ok(blocks)
    }

    /// Fills `dest` with the file named `name`: a copy of the one a worker of this
    /// variant made before, else made at `dest` by `make` and then copied by
    /// `copy` (which must write a complete, consistent file at the path given).
    pub fn file(
        self,
        name: &str,
        dest: &Path,
        make: impl FnOnce(&Path) -> Result<(), Broken>,
        copy: impl FnOnce(&Path) -> Result<(), Broken>,
    ) -> Result<(), Broken> {
        let Some(path) = self.path(name) else {
            return make(dest);
        };
        if path.exists() {
            return std::fs::copy(&path, dest)
                .map(drop)
                .map_err(|e| io_err(&path, e));
        }
        make(dest)?;
        let tmp = temporary(&path);
        copy(&tmp)?;
        std::fs::rename(&tmp, &path).map_err(|e| io_err(&path, e))
    }

    fn path(self, name: &str) -> Option<PathBuf> {
        self.0.map(|dir| dir.join(name))
    }
}

/// Where a kept file is written before it is renamed into place, so that a worker
/// killed while writing never leaves half a file under the real name.
fn temporary(path: &Path) -> PathBuf {
    path.with_extension(format!("part-{}", std::process::id()))
}

fn io_err(path: &Path, e: std::io::Error) -> Broken {
    Broken(format!("kept input {}: {e}", path.display()))
}

/// A count, then each block as its length and its bytes (little-endian u64s).
fn write_blocks(out: &mut impl Write, blocks: &[Vec<u8>]) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(out);
    out.write_all(&(blocks.len() as u64).to_le_bytes())?;
    for b in blocks {
        out.write_all(&(b.len() as u64).to_le_bytes())?;
        out.write_all(b)?;
    }
    out.flush()
}

fn read_blocks(path: &Path) -> Result<Vec<Vec<u8>>, Broken> {
    let bytes = std::fs::read(path).map_err(|e| io_err(path, e))?;
    parse_blocks(&bytes).ok_or_else(|| Broken(format!("kept input {} is damaged", path.display())))
}

fn parse_blocks(bytes: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut at = 0usize;
    let mut take = |n: usize| -> Option<&[u8]> {
        let piece = bytes.get(at..at.checked_add(n)?)?;
        at += n;
        Some(piece)
    };
    let count = read_len(take(8)?)?;
    let mut blocks = Vec::with_capacity(count.min(1 << 16));
    for _ in 0..count {
        let len = read_len(take(8)?)?;
        blocks.push(take(len)?.to_vec());
    }
    (at == bytes.len()).then_some(blocks)
}

fn read_len(le: &[u8]) -> Option<usize> {
    usize::try_from(u64::from_le_bytes(le.try_into().ok()?)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_made_once_and_read_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        let kept = Kept(Some(dir.path()));
        let want = vec![b"abc".to_vec(), vec![], vec![7; 5000]];
        let made = kept.blocks("x", || Ok(want.clone())).unwrap();
        assert_eq!(made, want);
        let again = kept
            .blocks("x", || Err(Broken("made twice".into())))
            .unwrap();
        assert_eq!(again, want);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no part file left"
        );
    }

    #[test]
    fn without_a_directory_every_call_makes_its_own() {
        let mut calls = 0;
        for _ in 0..2 {
            Kept(None)
                .blocks("x", || {
                    calls += 1;
                    Ok(vec![])
                })
                .unwrap();
        }
        assert_eq!(calls, 2);
    }

    #[test]
    fn a_damaged_kept_file_is_an_error_not_a_panic() {
        let mut good = Vec::new();
        write_blocks(&mut good, &[b"hello".to_vec(), b"world".to_vec()]).unwrap();
        assert!(parse_blocks(&good).is_some());
        for cut in 0..good.len() {
            assert!(parse_blocks(&good[..cut]).is_none(), "cut at {cut}");
        }
        let mut long = good.clone();
        long.push(0);
        assert!(parse_blocks(&long).is_none(), "trailing bytes");
        let mut huge = good;
        huge[8..16].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(parse_blocks(&huge).is_none());
    }

    #[test]
    fn a_file_is_made_in_place_then_copied_for_the_next_worker() {
        let dir = tempfile::tempdir().unwrap();
        let kept = Kept(Some(dir.path()));
        let (a, b) = (dir.path().join("a.db"), dir.path().join("b.db"));
        kept.file(
            "base.db",
            &a,
            |p| std::fs::write(p, "made").map_err(|e| Broken(e.to_string())),
            |to| {
                std::fs::copy(&a, to)
                    .map(drop)
                    .map_err(|e| Broken(e.to_string()))
            },
        )
        .unwrap();
        kept.file(
            "base.db",
            &b,
            |_| Err(Broken("made twice".into())),
            |_| Err(Broken("copied twice".into())),
        )
        .unwrap();
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "made");
    }
}
