//! Compression and decompression with zlib, zstd, xz and bzip2, each through its
//! system library. Every output is checked: a compressed buffer must decompress to
//! the input, a decompressed buffer must equal it.

use super::corpus::Corpus;
use super::{BenchSpec, Broken, Source, Unit, Workload};
use crate::library::Library;

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

/// `compress/zstd/l3/text` → a prepared workload.
pub fn prepare(id: &str, corpora: &[Corpus]) -> Result<Box<dyn Workload>, Broken> {
    let parts: Vec<&str> = id.split('/').collect();
    let [dir, codec, level, corpus] = parts[..] else {
        return Err(Broken(format!("malformed compression id {id}")));
    };
    let level: u32 = level
        .strip_prefix('l')
        .and_then(|l| l.parse().ok())
        .ok_or_else(|| Broken(format!("bad level in {id}")))?;
    let input = corpora
        .iter()
        .find(|c| c.name == corpus)
        .ok_or_else(|| Broken(format!("no corpus named {corpus}")))?
        .data
        .clone();
    let codec: Box<dyn Codec> = match codec {
        "zlib" => Box::new(Zlib(level)),
        "zstd" => Box::new(Zstd::new(level)?),
        "xz" => Box::new(Xz(level)),
        "bzip2" => Box::new(Bzip2(level)),
        _ => return Err(Broken(format!("unknown codec in {id}"))),
    };
    let mut w = Roundtrip {
        codec,
        compressed: Vec::with_capacity(bound(input.len())),
        output: Vec::with_capacity(input.len()),
        input,
        decompressing: dir == "decompress",
    };
    if w.decompressing {
        // The compressed input comes from this variant's own library, so a broken
        // compressor is caught by the decompression check as well.
        w.codec.compress(&w.input, &mut w.compressed)?;
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

struct Roundtrip {
    codec: Box<dyn Codec>,
    input: Vec<u8>,
    compressed: Vec<u8>,
    output: Vec<u8>,
    decompressing: bool,
}

impl Workload for Roundtrip {
    fn run(&mut self, iterations: u64) -> Result<(), Broken> {
        for _ in 0..iterations {
            if self.decompressing {
                self.output.clear();
                self.codec.decompress(&self.compressed, &mut self.output)?;
            } else {
                self.compressed.clear();
                self.codec.compress(&self.input, &mut self.compressed)?;
            }
        }
        Ok(())
    }

    fn verify(&mut self) -> Result<(), Broken> {
        if !self.decompressing {
            self.output.clear();
            self.codec.decompress(&self.compressed, &mut self.output)?;
        }
        if self.output != self.input {
            let at = self
                .output
                .iter()
                .zip(&self.input)
                .position(|(a, b)| a != b);
            return Err(Broken(format!(
                "round trip differs from the input ({} bytes out, {} in, first difference at {})",
                self.output.len(),
                self.input.len(),
                at.map_or("the end".into(), |i| format!("byte {i}"))
            )));
        }
        Ok(())
    }

    fn work_per_iter(&self) -> u64 {
        self.input.len() as u64
    }
}

fn lib_err(what: &str, e: impl std::fmt::Debug) -> Broken {
    Broken(format!("{what} failed: {e:?}"))
}

struct Zlib(u32);

impl Codec for Zlib {
    fn compress(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), Broken> {
        use flate2::{Compress, Compression, FlushCompress, Status};
        let mut c = Compress::new(Compression::new(self.0), true);
        match c.compress_vec(input, out, FlushCompress::Finish) {
            Ok(Status::StreamEnd) => Ok(()),
            other => Err(lib_err("deflate", other)),
        }
    }

    fn decompress(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), Broken> {
        use flate2::{Decompress, FlushDecompress, Status};
        let mut d = Decompress::new(true);
        let want = out.capacity();
        match d.decompress_vec(input, out, FlushDecompress::Finish) {
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

struct Xz(u32);

impl Codec for Xz {
    fn compress(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), Broken> {
        use liblzma::stream::{Action, Check, Status, Stream};
        let mut s = Stream::new_easy_encoder(self.0, Check::Crc64)
            .map_err(|e| lib_err("lzma_easy_encoder", e))?;
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
