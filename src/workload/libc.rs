//! libc-bound benchmarks: what a glibc rebuild can change. Every call goes through
//! the `libc` crate's FFI declarations, so it reaches whichever libc.so.6 the
//! worker's loader mapped (the variant's glibc, when it names one), with glibc's
//! own CPU dispatch of the string functions.
//!
//! Each result is verified with code that does not call the libc under test:
//! digests computed in Rust, sorted order checked element by element, numbers
//! parsed or printed back by Rust's own correctly rounded conversions.

use super::{BenchSpec, Broken, Source, Unit, Workload};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::hint::black_box;

const GROUP: &str = "libc";
const SIZES: [usize; 3] = [64, 4096, 1 << 20];
const SEED: u64 = 0x11bc;
/// malloc/free pairs per iteration, live blocks in the ring, numbers per pass.
const CHURN: usize = 1000;
const LIVE: usize = 64;
const SORTED: usize = 10_000;
const NUMBERS: usize = 1000;

pub fn catalog(out: &mut Vec<BenchSpec>) {
    let mut push = |id: String, unit| {
        out.push(BenchSpec {
            id,
            group: GROUP,
            libraries: vec![],
            unit,
            source: Source::Worker,
        })
    };
    for f in ["memcpy", "memmove", "strlen"] {
        for n in SIZES {
            push(format!("libc/{f}/{n}"), Unit::BytesPerSecond);
        }
    }
    for f in ["malloc-free", "qsort", "strtod", "snprintf"] {
        push(format!("libc/{f}"), Unit::OpsPerSecond);
    }
}

pub fn prepare(id: &str) -> Result<Box<dyn Workload>, Broken> {
    let parts: Vec<&str> = id.split('/').collect();
    let size = || -> Result<usize, Broken> {
        parts
            .get(2)
            .and_then(|n| n.parse().ok())
            .filter(|n| SIZES.contains(n))
            .ok_or_else(|| Broken(format!("unknown libc benchmark {id}")))
    };
    Ok(match parts.get(1).copied() {
        Some("memcpy") => Box::new(Copy::new(size()?)),
        Some("memmove") => Box::new(Move::new(size()?)),
        Some("strlen") => Box::new(Strlen::new(size()?)),
        Some("malloc-free") => Box::new(Churn::new()),
        Some("qsort") => Box::new(Sort::new()),
        Some("strtod") => Box::new(Strtod::new()),
        Some("snprintf") => Box::new(Snprintf::new()),
        _ => return Err(Broken(format!("unknown libc benchmark {id}"))),
    })
}

/// FNV-1a: a digest that calls nothing in libc.
fn digest(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

fn pattern(n: usize) -> Aligned {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let mut bytes = Aligned::zeroed(n);
    bytes.iter_mut().for_each(|b| *b = rng.gen_range(1..=255));
    bytes
}

const PAGE: usize = 4096;

/// Bytes that start on a page boundary in every worker. Where a buffer starts
/// changes the speed of memcpy and strlen by up to a fifth (4K aliasing, lines
/// split across pages); left to the heap it differs from one worker to the next,
/// and that would be noise between variants.
struct Aligned {
    buf: Vec<u8>,
    at: usize,
    len: usize,
}

impl Aligned {
    fn zeroed(len: usize) -> Aligned {
        let buf = vec![0; len + PAGE];
        let at = buf.as_ptr().align_offset(PAGE);
        Aligned { buf, at, len }
    }
}

impl std::ops::Deref for Aligned {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.buf[self.at..self.at + self.len]
    }
}

impl std::ops::DerefMut for Aligned {
    fn deref_mut(&mut self) -> &mut [u8] {
        &mut self.buf[self.at..self.at + self.len]
    }
}

struct Copy {
    src: Aligned,
    dst: Aligned,
}

impl Copy {
    fn new(n: usize) -> Copy {
        Copy {
            src: pattern(n),
            dst: Aligned::zeroed(n),
        }
    }
}

impl Workload for Copy {
    fn run(&mut self, iterations: u64) -> Result<(), Broken> {
        let n = self.src.len();
        for i in 0..iterations {
            // A byte that changes every time, so no copy can be skipped.
            self.src[i as usize % n] ^= 0x5a;
            // SAFETY: both buffers hold n bytes and do not overlap.
            unsafe {
                libc::memcpy(
                    black_box(self.dst.as_mut_ptr()).cast::<c_void>(),
                    black_box(self.src.as_ptr()).cast::<c_void>(),
                    black_box(n),
                )
            };
        }
        Ok(())
    }

    fn verify(&mut self) -> Result<(), Broken> {
        if digest(&self.dst) != digest(&self.src) {
            return Err(Broken(
                "memcpy: the destination differs from the source".into(),
            ));
        }
        Ok(())
    }

    fn work_per_iter(&self) -> u64 {
        self.src.len() as u64
    }
}

/// Overlapping moves by one byte, forth and back: after an even number of moves
/// the first n bytes are the original again, after an odd number they sit one
/// byte further.
struct Move {
    n: usize,
    buf: Aligned,
    original: u64,
    moves: u64,
}

impl Move {
    fn new(n: usize) -> Move {
        let mut buf = pattern(n + 1);
        buf[n] = 0;
        Move {
            n,
            original: digest(&buf[..n]),
            buf,
            moves: 0,
        }
    }
}

impl Workload for Move {
    fn run(&mut self, iterations: u64) -> Result<(), Broken> {
        let p = self.buf.as_mut_ptr();
        for _ in 0..iterations {
            let (to, from) = if self.moves % 2 == 0 { (1, 0) } else { (0, 1) };
            // SAFETY: both ranges lie within the n + 1 bytes of buf.
            unsafe {
                libc::memmove(
                    black_box(p.add(to)).cast::<c_void>(),
                    black_box(p.add(from)).cast::<c_void>(),
                    black_box(self.n),
                )
            };
            self.moves += 1;
        }
        Ok(())
    }

    fn verify(&mut self) -> Result<(), Broken> {
        let at = (self.moves % 2) as usize;
        if digest(&self.buf[at..at + self.n]) != self.original {
            return Err(Broken(format!(
                "memmove: after {} overlapping moves the bytes are not the original",
                self.moves
            )));
        }
        Ok(())
    }

    fn work_per_iter(&self) -> u64 {
        self.n as u64
    }
}

struct Strlen {
    s: Aligned,
}

impl Strlen {
    fn new(n: usize) -> Strlen {
        let mut s = pattern(n);
        s[n - 1] = 0;
        Strlen { s }
    }
}

impl Workload for Strlen {
    fn run(&mut self, iterations: u64) -> Result<(), Broken> {
        let want = self.s.len() - 1;
        for _ in 0..iterations {
            // SAFETY: the buffer ends with its only NUL.
            let got = unsafe { libc::strlen(black_box(self.s.as_ptr()).cast::<c_char>()) };
            if got != want {
                return Err(Broken(format!(
                    "strlen returned {got} for a string of {want} bytes"
                )));
            }
        }
        Ok(())
    }

    fn verify(&mut self) -> Result<(), Broken> {
        Ok(())
    }

    fn work_per_iter(&self) -> u64 {
        self.s.len() as u64
    }
}

/// A ring of live blocks: each operation frees the oldest (checking the tags
/// written into its first and last byte) and allocates a block of the next size.
struct Churn {
    sizes: Vec<usize>,
    live: Vec<(*mut u8, usize, u8)>,
    next: usize,
}

impl Churn {
    fn new() -> Churn {
        let mut rng = ChaCha8Rng::seed_from_u64(SEED);
        // Mostly small blocks, some up to 64 KiB, as a program's heap sees them.
        let sizes = (0..CHURN * 4)
            .map(|i| {
                if i % 16 == 0 {
                    rng.gen_range(4096..=65536)
                } else {
                    rng.gen_range(16..=512)
                }
            })
            .collect();
        Churn {
            sizes,
            live: vec![(std::ptr::null_mut(), 0, 0); LIVE],
            next: 0,
        }
    }

    fn check(block: (*mut u8, usize, u8)) -> Result<(), Broken> {
        let (p, n, tag) = block;
        // SAFETY: p points to a live block of n bytes that we tagged.
        if !p.is_null() && unsafe { (*p, *p.add(n - 1)) } != (tag, !tag) {
            return Err(Broken(format!(
                "malloc: a block of {n} bytes lost its contents before it was freed"
            )));
        }
        Ok(())
    }
}

impl Workload for Churn {
    fn run(&mut self, iterations: u64) -> Result<(), Broken> {
        for _ in 0..iterations * CHURN as u64 {
            let slot = self.next % LIVE;
            let n = self.sizes[self.next % self.sizes.len()];
            let tag = self.next as u8;
            Self::check(self.live[slot])?;
            // SAFETY: the slot's block came from malloc (or is null).
            unsafe { libc::free(self.live[slot].0.cast()) };
            let p = unsafe { libc::malloc(n) }.cast::<u8>();
            if p.is_null() {
                return Err(Broken(format!("malloc({n}) returned NULL")));
            }
            // SAFETY: p holds n >= 16 bytes.
            unsafe { (*p, *p.add(n - 1)) = (tag, !tag) };
            self.live[slot] = (p, n, tag);
            self.next += 1;
        }
        Ok(())
    }

    fn verify(&mut self) -> Result<(), Broken> {
        self.live.iter().try_for_each(|&b| Self::check(b))
    }

    fn work_per_iter(&self) -> u64 {
        CHURN as u64
    }
}

impl Drop for Churn {
    fn drop(&mut self) {
        for &(p, _, _) in &self.live {
            // SAFETY: each block came from malloc, or is null.
            unsafe { libc::free(p.cast()) };
        }
    }
}

struct Sort {
    input: Vec<u32>,
    work: Vec<u32>,
}

extern "C" fn compare_u32(a: *const c_void, b: *const c_void) -> c_int {
    // SAFETY: qsort hands us pointers to two elements of a u32 array.
    let (a, b) = unsafe { (*a.cast::<u32>(), *b.cast::<u32>()) };
    a.cmp(&b) as c_int
}

impl Sort {
    fn new() -> Sort {
        let mut rng = ChaCha8Rng::seed_from_u64(SEED);
        Sort {
            input: (0..SORTED).map(|_| rng.gen()).collect(),
            work: vec![0; SORTED],
        }
    }
}

impl Workload for Sort {
    fn run(&mut self, iterations: u64) -> Result<(), Broken> {
        for _ in 0..iterations {
            for (w, &x) in self.work.iter_mut().zip(&self.input) {
                *w = x;
            }
            // SAFETY: work holds SORTED u32s; the comparator reads two of them.
            unsafe {
                libc::qsort(
                    self.work.as_mut_ptr().cast(),
                    self.work.len(),
                    std::mem::size_of::<u32>(),
                    Some(compare_u32),
                )
            };
        }
        Ok(())
    }

    fn verify(&mut self) -> Result<(), Broken> {
        if let Some(i) = self.work.windows(2).position(|w| w[0] > w[1]) {
            return Err(Broken(format!(
                "qsort: elements {i} and {} are out of order",
                i + 1
            )));
        }
        let sums = |v: &[u32]| {
            v.iter()
                .fold((0u64, 0u32), |(s, x), &e| (s + u64::from(e), x ^ e))
        };
        if sums(&self.work) != sums(&self.input) {
            return Err(Broken(
                "qsort: the sorted array holds other elements than the input".into(),
            ));
        }
        Ok(())
    }

    fn work_per_iter(&self) -> u64 {
        SORTED as u64
    }
}

/// Doubles across many magnitudes, written by Rust in three styles.
fn numbers() -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    (0..NUMBERS)
        .map(|_| {
            let mantissa: f64 = rng.gen_range(-1.0..1.0);
            mantissa * 10f64.powi(rng.gen_range(-30..30))
        })
        .collect()
}

struct Strtod {
    texts: Vec<CString>,
    /// What Rust's correctly rounded parser makes of each text.
    want: Vec<u64>,
}

impl Strtod {
    fn new() -> Strtod {
        let texts: Vec<String> = numbers()
            .iter()
            .enumerate()
            .map(|(i, x)| match i % 3 {
                0 => format!("{x}"),
                1 => format!("{x:e}"),
                _ => format!("{x:.25e}"),
            })
            .collect();
        Strtod {
            want: texts
                .iter()
                .map(|t| {
                    t.parse::<f64>()
                        .expect("Rust parses its own output")
                        .to_bits()
                })
                .collect(),
            texts: texts
                .into_iter()
                .map(|t| CString::new(t).expect("no NUL"))
                .collect(),
        }
    }
}

impl Workload for Strtod {
    fn run(&mut self, iterations: u64) -> Result<(), Broken> {
        for _ in 0..iterations {
            for (t, &want) in self.texts.iter().zip(&self.want) {
                // SAFETY: a NUL-terminated string; strtod may leave endp null.
                let got = unsafe { libc::strtod(black_box(t.as_ptr()), std::ptr::null_mut()) };
                if got.to_bits() != want {
                    return Err(Broken(format!(
                        "strtod({t:?}) = {got:e}, correctly rounded it is {:e}",
                        f64::from_bits(want)
                    )));
                }
            }
        }
        Ok(())
    }

    fn verify(&mut self) -> Result<(), Broken> {
        Ok(())
    }

    fn work_per_iter(&self) -> u64 {
        self.texts.len() as u64
    }
}

struct Snprintf {
    values: Vec<f64>,
    buf: Vec<u8>,
}

impl Snprintf {
    fn new() -> Snprintf {
        Snprintf {
            values: numbers(),
            buf: vec![0; 64],
        }
    }

    /// `%.17g %d` of value i into the buffer; the text written.
    fn format(&mut self, i: usize) -> Result<&str, Broken> {
        // SAFETY: the format takes a double and an int, and buf holds 64 bytes.
        let n = unsafe {
            libc::snprintf(
                self.buf.as_mut_ptr().cast::<c_char>(),
                self.buf.len(),
                c"%.17g %d".as_ptr(),
                black_box(self.values[i]),
                i as c_int,
            )
        };
        if n <= 0 || n as usize >= self.buf.len() {
            return Err(Broken(format!("snprintf returned {n}")));
        }
        CStr::from_bytes_until_nul(&self.buf)
            .ok()
            .and_then(|s| s.to_str().ok())
            .ok_or_else(|| Broken("snprintf wrote no string".into()))
    }
}

impl Workload for Snprintf {
    fn run(&mut self, iterations: u64) -> Result<(), Broken> {
        for _ in 0..iterations {
            for i in 0..self.values.len() {
                black_box(self.format(i)?);
            }
        }
        Ok(())
    }

    fn verify(&mut self) -> Result<(), Broken> {
        for i in 0..self.values.len() {
            let want = self.values[i];
            let text = self.format(i)?.to_string();
            let back = text
                .split_once(' ')
                .and_then(|(x, n)| Some((x.parse::<f64>().ok()?, n.parse::<usize>().ok()?)));
            if back != Some((want, i)) {
                return Err(Broken(format!("snprintf(\"%.17g %d\", {want:e}, {i}) wrote {text:?}, which does not read back")));
            }
        }
        Ok(())
    }

    fn work_per_iter(&self) -> u64 {
        self.values.len() as u64
    }
}
