//! Which object each sample's instruction pointer was in, and each object's
//! share of the samples with a 95 % confidence interval.
//!
//! User-space addresses are placed through each process's executable mappings:
//! those `/proc/PID/maps` lists when a process is first seen, kept current by
//! the `mmap2`, fork and exec records the kernel writes beside the samples (so
//! a child that has exited is still placed). A sample outside every known
//! mapping re-reads `/proc/PID/maps` once; what is still not in a file (JIT
//! code, `[vdso]`, a process gone before it could be read) is "other". Kernel
//! samples are "kernel".
//!
//! The interval is a block bootstrap over time: samples are counted in blocks
//! of [`BLOCK_NS`] of sample time, and blocks (not samples) are resampled,
//! because a program's phases make neighbouring samples alike; a binomial
//! interval that takes every sample as independent would be too narrow.
//! This module does no I/O beyond reading `/proc/PID/maps`.

use super::perf::Record;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The length of a bootstrap block of sample time: 100 ms.
pub const BLOCK_NS: u64 = 100_000_000;
/// Bootstrap resamples of the blocks.
pub const RESAMPLES: usize = 2000;

/// Where a sample was.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Object {
    Kernel,
    /// JIT code, `[vdso]`, anonymous memory, an address no mapping held.
    Other,
    /// A mapped file, by the path the kernel shows.
    File(String),
}

/// One executable mapping: `start..end` of `file` (None: not a file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub start: u64,
    pub end: u64,
    pub file: Option<String>,
}

/// The executable mappings of `/proc/PID/maps` text, sorted by address.
pub fn parse_maps(text: &str) -> Vec<Region> {
    let mut out: Vec<Region> = text
        .lines()
        .filter_map(|line| {
            let mut f = line.split_whitespace();
            let (range, perms) = (f.next()?, f.next()?);
            if perms.as_bytes().get(2) != Some(&b'x') {
                return None;
            }
            let (a, b) = range.split_once('-')?;
            let path = f.nth(3).map(|_| line_path(line)).unwrap_or_default();
            Some(Region {
                start: u64::from_str_radix(a, 16).ok()?,
                end: u64::from_str_radix(b, 16).ok()?,
                file: file_of(&path),
            })
        })
        .collect();
    out.sort_by_key(|r| r.start);
    out
}

/// The path column of a maps line: everything after the fifth field (it may hold spaces).
fn line_path(line: &str) -> String {
    let mut rest = line;
    for _ in 0..5 {
        rest = rest.trim_start();
        rest = rest.find(char::is_whitespace).map_or("", |i| &rest[i..]);
    }
    rest.trim().to_string()
}

/// A mapping's file: a path, without the ` (deleted)` a replaced file gets.
fn file_of(path: &str) -> Option<String> {
    path.starts_with('/')
        .then(|| path.trim_end_matches(" (deleted)").to_string())
}

/// The region of sorted `regions` holding `ip`.
pub fn lookup(regions: &[Region], ip: u64) -> Option<&Region> {
    let i = regions.partition_point(|r| r.start <= ip);
    regions[..i].last().filter(|r| ip < r.end)
}

/// Adds a mapping, dropping the ones it replaces.
fn insert(regions: &mut Vec<Region>, r: Region) {
    regions.retain(|o| o.end <= r.start || o.start >= r.end);
    let i = regions.partition_point(|o| o.start < r.start);
    regions.insert(i, r);
}

/// The samples of a window, placed and counted by time block.
#[derive(Debug, Default)]
pub struct Tally {
    spaces: HashMap<u32, Vec<Region>>,
    reread: HashSet<u32>,
    objects: Vec<Object>,
    index: HashMap<Object, usize>,
    /// Per block (by index from the first sample): counts per object index.
    blocks: BTreeMap<u64, Vec<u64>>,
    first_time: Option<u64>,
    pub samples: u64,
    pub lost: u64,
}

impl Tally {
    /// Learns `pid`'s mappings from `/proc/PID/maps`, if it can be read.
    pub fn read_maps(&mut self, pid: u32) {
        if let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/maps")) {
            let space = self.spaces.entry(pid).or_default();
            for r in parse_maps(&text) {
                insert(space, r);
            }
        }
    }

    /// Applies records in time order: mappings first change, then samples count.
    pub fn apply(&mut self, records: &[Record]) {
        for r in records {
            match r {
                Record::Mmap {
                    pid,
                    start,
                    len,
                    path,
                    ..
                } => {
                    let region = Region {
                        start: *start,
                        end: start.saturating_add(*len),
                        file: file_of(path),
                    };
                    insert(self.spaces.entry(*pid).or_default(), region);
                }
                Record::Exec { pid, .. } => {
                    self.spaces.insert(*pid, Vec::new());
                    self.reread.remove(pid);
                }
                Record::Fork { pid, ppid, .. } if pid != ppid => {
                    let parent = self.spaces.get(ppid).cloned().unwrap_or_default();
                    self.spaces.insert(*pid, parent);
                }
                Record::Fork { .. } => {}
                Record::Lost { count, .. } => self.lost += count,
                Record::Sample {
                    pid,
                    ip,
                    time,
                    kernel,
                    ..
                } => {
                    let object = if *kernel {
                        Object::Kernel
                    } else {
                        self.place(*pid, *ip)
                    };
                    self.count(object, *time);
                }
            }
        }
    }

    fn place(&mut self, pid: u32, ip: u64) -> Object {
        let found = |spaces: &HashMap<u32, Vec<Region>>| {
            spaces
                .get(&pid)
                .and_then(|s| lookup(s, ip))
                .map(|r| r.file.clone())
        };
        let mut hit = found(&self.spaces);
        if hit.is_none() && self.reread.insert(pid) {
            self.read_maps(pid);
            hit = found(&self.spaces);
        }
        match hit.flatten() {
            Some(path) => Object::File(path),
            None => Object::Other,
        }
    }

    fn count(&mut self, object: Object, time: u64) {
        let n = self.objects.len();
        let i = *self.index.entry(object.clone()).or_insert(n);
        if i == n {
            self.objects.push(object);
        }
        let first = *self.first_time.get_or_insert(time);
        let block = self
            .blocks
            .entry(time.saturating_sub(first) / BLOCK_NS)
            .or_default();
        if block.len() <= i {
            block.resize(i + 1, 0);
        }
        block[i] += 1;
        self.samples += 1;
    }

    /// Every object's share, largest first.
    pub fn shares(&self, seed: u64) -> Vec<Share> {
        let width = self.objects.len();
        let blocks: Vec<Vec<u64>> = self
            .blocks
            .values()
            .map(|b| {
                let mut b = b.clone();
                b.resize(width, 0);
                b
            })
            .collect();
        let mut out: Vec<Share> = block_shares(&blocks, RESAMPLES, seed)
            .into_iter()
            .zip(&self.objects)
            .map(|(s, o)| Share {
                object: o.clone(),
                ..s
            })
            .collect();
        out.sort_by(|a, b| b.samples.cmp(&a.samples).then(a.object.cmp(&b.object)));
        out
    }

    pub fn blocks(&self) -> usize {
        self.blocks.len()
    }
}

/// One object's samples and share of all, in percent with its 95 % CI.
#[derive(Debug, Clone, PartialEq)]
pub struct Share {
    pub object: Object,
    pub samples: u64,
    pub pct: f64,
    pub low: f64,
    pub high: f64,
}

/// Each column's share of the total of `blocks` (rows: time blocks, columns:
/// objects), with a percentile interval from `resamples` block resamples.
pub fn block_shares(blocks: &[Vec<u64>], resamples: usize, seed: u64) -> Vec<Share> {
    let width = blocks.first().map_or(0, Vec::len);
    let sums = |rows: &mut dyn Iterator<Item = &Vec<u64>>| {
        let mut s = vec![0u64; width];
        for row in rows {
            for (acc, v) in s.iter_mut().zip(row) {
                *acc += v;
            }
        }
        s
    };
    let total_of = |s: &[u64]| s.iter().sum::<u64>().max(1) as f64;
    let whole = sums(&mut blocks.iter());
    let mut draws: Vec<Vec<f64>> = vec![Vec::with_capacity(resamples); width];
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for _ in 0..resamples {
        if blocks.is_empty() {
            break;
        }
        let s = sums(&mut (0..blocks.len()).map(|_| &blocks[rng.gen_range(0..blocks.len())]));
        let t = total_of(&s);
        for (d, v) in draws.iter_mut().zip(&s) {
            d.push(*v as f64 / t * 100.0);
        }
    }
    let t = total_of(&whole);
    whole
        .iter()
        .zip(draws)
        .map(|(&n, mut d)| {
            d.sort_by(f64::total_cmp);
            let q = |p: f64| {
                d.get(((d.len() as f64 - 1.0) * p).round() as usize)
                    .copied()
            };
            let pct = n as f64 / t * 100.0;
            Share {
                object: Object::Other,
                samples: n,
                pct,
                low: q(0.025).unwrap_or(pct),
                high: q(0.975).unwrap_or(pct),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAPS: &str = "\
55d0c0a00000-55d0c0a6e000 r--p 00000000 fd:01 1 /usr/bin/python3.11
55d0c0a6e000-55d0c0d60000 r-xp 0006e000 fd:01 1 /usr/bin/python3.11
7f0000000000-7f0000010000 r-xp 00002000 fd:01 2 /usr/lib/x86_64-linux-gnu/libz.so.1.2.13
7f0000020000-7f0000030000 r-xp 00000000 00:00 0 
7f0000040000-7f0000050000 r-xp 00000000 fd:01 3 /tmp/my lib.so (deleted)
7ffd00000000-7ffd00002000 r-xp 00000000 00:00 0                          [vdso]
";

    #[test]
    fn maps_keep_executable_regions_with_their_files() {
        let r = parse_maps(MAPS);
        assert_eq!(r.len(), 5);
        assert_eq!(r[0].file.as_deref(), Some("/usr/bin/python3.11"));
        assert_eq!(r[2].file, None);
        assert_eq!(r[3].file.as_deref(), Some("/tmp/my lib.so"));
        assert_eq!(r[4].file, None);
    }

    #[test]
    fn an_ip_is_placed_in_the_region_that_holds_it_and_nowhere_else() {
        let r = parse_maps(MAPS);
        let file = |ip| lookup(&r, ip).and_then(|x| x.file.clone());
        assert_eq!(
            file(0x7f00_0000_0000).unwrap(),
            "/usr/lib/x86_64-linux-gnu/libz.so.1.2.13"
        );
        assert_eq!(
            file(0x7f00_0000_ffff).unwrap(),
            "/usr/lib/x86_64-linux-gnu/libz.so.1.2.13"
        );
        assert!(lookup(&r, 0x7f00_0001_0000).is_none());
        assert!(lookup(&r, 0x55d0_c0a0_0000).is_none(), "not executable");
        assert!(lookup(&r, 0x10).is_none());
    }

    fn sample(pid: u32, ip: u64, time: u64) -> Record {
        Record::Sample {
            pid,
            tid: pid,
            ip,
            time,
            kernel: false,
        }
    }

    #[test]
    fn a_forked_child_keeps_its_parents_maps_until_it_execs_and_maps_anew() {
        let mut t = Tally::default();
        let pid = 4_000_000; // beyond pid_max: /proc has nothing to re-read
        t.apply(&[
            Record::Mmap {
                pid,
                start: 0x1000,
                len: 0x1000,
                path: "/lib/libz.so.1".into(),
                time: 1,
            },
            Record::Fork {
                pid: pid + 1,
                ppid: pid,
                time: 2,
            },
            sample(pid + 1, 0x1800, 3),
            Record::Exec {
                pid: pid + 1,
                time: 4,
            },
            sample(pid + 1, 0x1800, 5),
            Record::Mmap {
                pid: pid + 1,
                start: 0x1000,
                len: 0x2000,
                path: "/bin/git".into(),
                time: 6,
            },
            sample(pid + 1, 0x2800, 7),
            Record::Sample {
                pid,
                tid: pid,
                ip: 1,
                time: 8,
                kernel: true,
            },
        ]);
        let s = t.shares(1);
        let of = |o: Object| s.iter().find(|x| x.object == o).map(|x| x.samples);
        assert_eq!(of(Object::File("/lib/libz.so.1".into())), Some(1));
        assert_eq!(of(Object::File("/bin/git".into())), Some(1));
        assert_eq!(of(Object::Other), Some(1));
        assert_eq!(of(Object::Kernel), Some(1));
        assert_eq!(t.samples, 4);
    }

    #[test]
    fn shares_sum_to_100_and_their_interval_holds_the_estimate() {
        let blocks: Vec<Vec<u64>> = (0..20).map(|i| vec![60 + i % 5, 40 - i % 5]).collect();
        let s = block_shares(&blocks, 500, 7);
        assert!((s[0].pct + s[1].pct - 100.0).abs() < 1e-9);
        for x in &s {
            assert!(x.low <= x.pct && x.pct <= x.high, "{x:?}");
            assert!(x.high - x.low < 5.0, "{x:?}");
        }
        assert_eq!(s, block_shares(&blocks, 500, 7), "seeded");
    }

    #[test]
    fn phases_that_differ_between_blocks_widen_the_interval() {
        let steady: Vec<Vec<u64>> = (0..20).map(|_| vec![50, 50]).collect();
        let phased: Vec<Vec<u64>> = (0..20)
            .map(|i| {
                if i % 2 == 0 {
                    vec![90, 10]
                } else {
                    vec![10, 90]
                }
            })
            .collect();
        let width = |b: &[Vec<u64>]| {
            let s = &block_shares(b, 500, 3)[0];
            s.high - s.low
        };
        assert_eq!(width(&steady), 0.0);
        assert!(width(&phased) > 10.0);
    }
}
