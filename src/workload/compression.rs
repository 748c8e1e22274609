//! Compression and decompression with zlib, zstd, xz and bzip2, each through its
//! system library. Every output is checked: a compressed buffer must decompress to
//! the input, a decompressed buffer must equal it.

use super::corpus::Corpus;
use super::{BenchSpec, Broken, Kept, Source, Unit, Workload};
use crate::library::Library;
use std::ops::Range;

/// (codec, levels) as the issue and lzbench's usual settings name them.
const CODECS: [(&str, Library, &[u32]); 4] = [
    ("zlib", Library::Zlib, &[1, 6, 9]),
    ("zstd", Library::Zstd, &[1, 3, 9, 19]),
    ("xz", Library::Lzma, &[0, 6]),
    ("bzip2", Library::Bzip2, &[1, 9]),
];

pub fn catalog(corpora: &[String], out: &mut Vec<BenchSpec>) {
    for dir in ["compress", "decompress"] {
        for (codec, lib, levels) in CODECS {
            for level in levels {
                for corpus in corpora {
                    out.push(BenchSpec {
                        id: format!("{dir}/{codec}/l{level}/{corpus}"),
                        group: "compression",
                        libraries: vec![lib],
                        unit: Unit::BytesPerSecond,
                        source: Source::Worker,
                    });
                }
            }
        }
    }
}

/// The block one iteration of `dir`/`codec`/`level` compresses or decompresses, in
/// bytes (as `lzbench -b` and `zstd -B`): the same for every run of this version,
/// not timed, so two runs split alike. Chosen so that an iteration takes about
/// 2 ms or less on the slowest generated corpus on a slow shared 2-core VM (a
/// turn is 10 ms); None keeps the whole corpus. Never under 4 KiB, where framing
/// and stream setup would be all that is measured.
pub fn block_size(dir: &str, codec: &str, level: u32) -> Option<usize> {
    const K: usize = 1024;
    let compressing = dir == "compress";
    Some(match (codec, level, compressing) {
        ("zlib", 1, true) => 32 * K,
        ("zlib", 6, true) => 8 * K,
        ("zlib", _, true) => 4 * K,
        ("zlib", _, false) => 128 * K,
        ("zstd", 1, true) => 128 * K,
        ("zstd", 3, true) => 64 * K,
        ("zstd", 9, true) => 16 * K,
        ("zstd", _, true) => 4 * K,
        ("zstd", _, false) => 256 * K,
        ("xz", 0, true) => 8 * K,
        ("xz", _, true) => 4 * K,
        ("xz", 0, false) => 16 * K,
        ("xz", _, false) => 32 * K,
        ("bzip2", _, true) => 8 * K,
        ("bzip2", 1, false) => 16 * K,
        ("bzip2", _, false) => 8 * K,
        _ => return None,
    })
}

/// The block `block` leaves of a corpus of `len` bytes: None when the corpus
/// fits in one, so that it is measured whole, as before blocks.
pub fn effective_block(block: Option<usize>, len: usize) -> Option<usize> {
    block.filter(|&b| b < len)
}

/// `len` bytes cut into blocks of `block` (all of it when None): equal lengths,
/// so every iteration does the same amount of work; the last one ends at the
/// end and overlaps its predecessor when `block` does not divide `len`.
pub fn blocks(len: usize, block: Option<usize>) -> Vec<Range<usize>> {
    let Some(b) = effective_block(block, len) else {
        return std::iter::once(0..len).collect();
    };
    let mut out: Vec<Range<usize>> = (0..len / b).map(|i| i * b..(i + 1) * b).collect();
    if len % b != 0 {
        out.push(len - b..len);
    }
    out
}

/// (direction, codec, level) of `compress/zstd/l3/text`.
fn parse(id: &str) -> Result<(&str, &str, u32, &str), Broken> {
    let parts: Vec<&str> = id.split('/').collect();
    let [dir, codec, level, corpus] = parts[..] else {
        return Err(Broken(format!("malformed compression id {id}")));
    };
    let level: u32 = level
        .strip_prefix('l')
        .and_then(|l| l.parse().ok())
        .ok_or_else(|| Broken(format!("bad level in {id}")))?;
    Ok((dir, codec, level, corpus))
}

/// The nominal block of benchmark `id` (see [`block_size`]); None for an id
/// that is not a compression benchmark.
pub fn block_of(id: &str) -> Option<usize> {
    let (dir, codec, level, _) = parse(id).ok()?;
    block_size(dir, codec, level)
}

/// `compress/zstd/l3/text` → a prepared workload.
pub fn prepare(id: &str, corpora: &[Corpus], kept: Kept) -> Result<Box<dyn Workload>, Broken> {
    let (dir, codec, level, corpus) = parse(id)?;
    let input = super::corpus_data(corpora, corpus)?;
    let block = effective_block(block_size(dir, codec, level), input.len());
    let codec: Box<dyn Codec> = match codec {
        "zlib" => Box::new(Zlib::new(level)),
        "zstd" => Box::new(Zstd::new(level)?),
        "xz" => Box::new(Xz::new(level, block)?),
        "bzip2" => Box::new(Bzip2(level)),
        _ => return Err(Broken(format!("unknown codec in {id}"))),
    };
    let blocks = blocks(input.len(), block);
    let len = blocks[0].len();
    let mut w = Roundtrip {
        codec,
        compressed: (0..blocks.len())
            .map(|_| Vec::with_capacity(bound(len)))
            .collect(),
        output: Vec::with_capacity(len),
        blocks,
        input,
        next: 0,
        decompressing: dir == "decompress",
    };
    if w.decompressing {
        // The compressed input comes from this variant's own library, so a broken
        // compressor is caught by the decompression check as well; the variant's
        // first worker makes it, the later ones read what it kept.
        let name = format!("{}-b{}", id.replace('/', "-"), w.blocks[0].len());
        w.compressed = kept.blocks(&name, || {
            let mut out = std::mem::take(&mut w.compressed);
            for (range, out) in w.blocks.iter().zip(&mut out) {
                w.codec.compress(&w.input[range.clone()], out)?;
            }
            Ok(out)
        })?;
        if w.compressed.len() != w.blocks.len() {
            return Err(Broken(format!(
                "{name}: {} kept blocks for {} blocks of the corpus",
                w.compressed.len(),
                w.blocks.len()
            )));
        }
    }
    Ok(Box::new(w))
}

/// Room for incompressible input plus each format's framing.
fn bound(n: usize) -> usize {
    n + n / 64 + 4096
}

/// One compression library's one-shot API.
trait Codec {
    fn compress(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), Broken>;
    fn decompress(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), Broken>;
}

/// A corpus cut into blocks; each iteration compresses (or decompresses) the next
/// block, cycling through the whole corpus.
struct Roundtrip {
    codec: Box<dyn Codec>,
    input: Vec<u8>,
    /// Equal-length ranges of `input` covering it (see [`blocks`]).
    blocks: Vec<Range<usize>>,
    /// Each block compressed: by the last iteration that compressed it, or (when
    /// decompressing) once, in [`prepare`]. Empty: not compressed yet.
    compressed: Vec<Vec<u8>>,
    output: Vec<u8>,
    /// The block the next iteration takes.
    next: usize,
    decompressing: bool,
}

impl Workload for Roundtrip {
    fn run(&mut self, iterations: u64) -> Result<(), Broken> {
        for _ in 0..iterations {
            let i = self.next;
            self.next = (i + 1) % self.blocks.len();
            let range = self.blocks[i].clone();
            if self.decompressing {
                self.output.clear();
                self.codec
                    .decompress(&self.compressed[i], &mut self.output)?;
                if self.output.len() != range.len() {
                    return Err(Broken(format!(
                        "block {i} decompressed to {} bytes, not {}",
                        self.output.len(),
                        range.len()
                    )));
                }
            } else {
                self.compressed[i].clear();
                self.codec
                    .compress(&self.input[range], &mut self.compressed[i])?;
            }
        }
        Ok(())
    }

    /// Every block compressed so far must decompress to its bytes of the input.
    fn verify(&mut self) -> Result<(), Broken> {
        for (i, range) in self.blocks.iter().enumerate() {
            if self.compressed[i].is_empty() {
                continue;
            }
            self.output.clear();
            self.codec
                .decompress(&self.compressed[i], &mut self.output)?;
            let want = &self.input[range.clone()];
            if self.output != want {
                let at = self.output.iter().zip(want).position(|(a, b)| a != b);
                return Err(Broken(format!(
                    "round trip of block {i} (bytes {}..{}) differs from the input ({} bytes out, {} in, first difference at {})",
                    range.start,
                    range.end,
                    self.output.len(),
                    want.len(),
                    at.map_or("the end".into(), |i| format!("byte {i}"))
                )));
            }
        }
        Ok(())
    }

    fn work_per_iter(&self) -> u64 {
        self.blocks[0].len() as u64
    }
}

fn lib_err(what: &str, e: impl std::fmt::Debug) -> Broken {
    Broken(format!("{what} failed: {e:?}"))
}

/// One deflate and one inflate stream, reset for every block rather than made
/// anew (deflateReset, inflateReset), as a program compressing many buffers does.
struct Zlib {
    c: flate2::Compress,
    d: flate2::Decompress,
}

impl Zlib {
    fn new(level: u32) -> Zlib {
        Zlib {
            c: flate2::Compress::new(flate2::Compression::new(level), true),
            d: flate2::Decompress::new(true),
        }
    }
}

impl Codec for Zlib {
    fn compress(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), Broken> {
        use flate2::{FlushCompress, Status};
        self.c.reset();
        match self.c.compress_vec(input, out, FlushCompress::Finish) {
            Ok(Status::StreamEnd) => Ok(()),
            other => Err(lib_err("deflate", other)),
        }
    }

    fn decompress(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), Broken> {
        use flate2::{FlushDecompress, Status};
        self.d.reset(true);
        let want = out.capacity();
        match self.d.decompress_vec(input, out, FlushDecompress::Finish) {
            Ok(Status::StreamEnd) => Ok(()),
            Ok(_) if out.len() == want => {
                Err(Broken("inflate produced more than the input's size".into()))
            }
            other => Err(lib_err("inflate", other)),
        }
    }
}

struct Zstd {
    c: zstd::bulk::Compressor<'static>,
    d: zstd::bulk::Decompressor<'static>,
}

impl Zstd {
    fn new(level: u32) -> Result<Zstd, Broken> {
        Ok(Zstd {
            c: zstd::bulk::Compressor::new(level as i32)
                .map_err(|e| lib_err("ZSTD_createCCtx", e))?,
            d: zstd::bulk::Decompressor::new().map_err(|e| lib_err("ZSTD_createDCtx", e))?,
        })
    }
}

impl Codec for Zstd {
    fn compress(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), Broken> {
        self.c
            .compress_to_buffer(input, out)
            .map(drop)
            .map_err(|e| lib_err("ZSTD_compress2", e))
    }

    fn decompress(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), Broken> {
        self.d
            .decompress_to_buffer(input, out)
            .map(drop)
            .map_err(|e| lib_err("ZSTD_decompressDCtx", e))
    }
}

/// xz at a preset. On blocks, the preset's options with the dictionary cut to the
/// block (rounded up to a power of two, at least liblzma's 4 KiB): a dictionary
/// larger than the input holds nothing more, and liblzma would allocate
/// match-finder tables for all of it (about 90 MiB at -6) and clear their hash
/// tables for every block. Each block is its own .xz stream.
struct Xz {
    level: u32,
    filters: Option<liblzma::stream::Filters>,
}

impl Xz {
    fn new(level: u32, block: Option<usize>) -> Result<Xz, Broken> {
        use liblzma::stream::{Filters, LzmaOptions};
        let filters = match block {
            None => None,
            Some(b) => {
                let mut opts =
                    LzmaOptions::new_preset(level).map_err(|e| lib_err("lzma_lzma_preset", e))?;
                let dict = b.next_power_of_two().max(4096) as u32;
                opts.dict_size(dict);
                let mut f = Filters::new();
                f.lzma2(&opts);
                Some(f)
            }
        };
        Ok(Xz { level, filters })
    }
}

impl Codec for Xz {
    fn compress(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), Broken> {
        use liblzma::stream::{Action, Check, Status, Stream};
        let mut s = match &self.filters {
            Some(f) => Stream::new_stream_encoder(f, Check::Crc64)
                .map_err(|e| lib_err("lzma_stream_encoder", e))?,
            None => Stream::new_easy_encoder(self.level, Check::Crc64)
                .map_err(|e| lib_err("lzma_easy_encoder", e))?,
        };
        match s.process_vec(input, out, Action::Finish) {
            Ok(Status::StreamEnd) => Ok(()),
            other => Err(lib_err("lzma_code (encode)", other)),
        }
    }

    fn decompress(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), Broken> {
        use liblzma::stream::{Action, Status, Stream};
        let mut s = Stream::new_stream_decoder(u64::MAX, 0)
            .map_err(|e| lib_err("lzma_stream_decoder", e))?;
        match s.process_vec(input, out, Action::Finish) {
            Ok(Status::StreamEnd) => Ok(()),
            other => Err(lib_err("lzma_code (decode)", other)),
        }
    }
}

struct Bzip2(u32);

impl Codec for Bzip2 {
    fn compress(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), Broken> {
        use bzip2::{Action, Compress, Compression, Status};
        let mut c = Compress::new(Compression::new(self.0), 30);
        loop {
            let consumed = c.total_in() as usize;
            match c.compress_vec(&input[consumed..], out, Action::Finish) {
                Ok(Status::StreamEnd) => return Ok(()),
                Ok(_) if out.len() < out.capacity() => continue,
                other => return Err(lib_err("BZ2_bzCompress", other)),
            }
        }
    }

    fn decompress(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), Broken> {
        use bzip2::{Decompress, Status};
        let mut d = Decompress::new(false);
        loop {
            let consumed = d.total_in() as usize;
            match d.decompress_vec(&input[consumed..], out) {
                Ok(Status::StreamEnd) => return Ok(()),
                Ok(_) if out.len() < out.capacity() && consumed < input.len() => continue,
                other => return Err(lib_err("BZ2_bzDecompress", other)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_compression_benchmark_works_on_a_bounded_block() {
        // The table bounds an iteration's work: no block over 256 KiB, none under
        // the 4 KiB where framing would be all that is measured, and the slowest
        // codecs (zstd -19, xz -6, zlib -9) at 4 KiB.
        let mut out = Vec::new();
        catalog(&["text".into()], &mut out);
        assert_eq!(out.len(), 2 * 11);
        for b in &out {
            let block = block_of(&b.id).unwrap_or_else(|| panic!("{} has no block", b.id));
            assert!((4 << 10..=256 << 10).contains(&block), "{}: {block}", b.id);
            assert!(block.is_power_of_two(), "{}: {block}", b.id);
        }
        for slow in [
            "compress/zstd/l19/x",
            "compress/xz/l6/x",
            "compress/zlib/l9/x",
        ] {
            assert_eq!(block_of(slow), Some(4 << 10), "{slow}");
        }
    }

    #[test]
    #[allow(clippy::single_range_in_vec_init)]
    fn blocks_are_equal_and_cover_the_corpus() {
        assert_eq!(blocks(10, Some(4)), vec![0..4, 4..8, 6..10]);
        assert_eq!(blocks(8, Some(4)), vec![0..4, 4..8]);
        assert_eq!(blocks(3, Some(4)), vec![0..3]);
        assert_eq!(blocks(4, Some(4)), vec![0..4]);
        assert_eq!(blocks(10, None), vec![0..10]);
    }

    #[test]
    fn iterations_cycle_through_every_block_and_each_round_trips() {
        let spec = super::super::corpus::CorpusSpec::Generated {
            seed: 5,
            bytes: (20 << 10) + 100,
        };
        let corpora = spec.load().unwrap();
        for id in ["compress/xz/l6/text", "decompress/bzip2/l9/json"] {
            let mut w = prepare(id, &corpora, Kept(None)).unwrap();
            let block = block_of(id).unwrap();
            assert_eq!(w.work_per_iter(), block as u64, "{id}");
            let n = corpora[0].data.len().div_ceil(block) as u64;
            w.run(n + 1).unwrap();
            w.verify().unwrap();
        }
    }
}
