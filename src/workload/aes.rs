//! AES through OpenSSL's EVP interface, in the shape of `openssl speed -evp`: one
//! context, re-initialised with a fresh IV per buffer. Known-answer vectors (NIST
//! SP 800-38A, and the GCM specification's test cases) are checked before measuring.

use super::{BenchSpec, Broken, Source, Unit, Workload};
use crate::library::Library;
use openssl::cipher::{Cipher, CipherRef};
use openssl::cipher_ctx::CipherCtx;

const MODES: [&str; 4] = ["128-gcm", "256-gcm", "256-cbc", "256-ctr"];
const SIZES: [usize; 3] = [16, 1024, 16384];
const TAG: usize = 16;

pub fn catalog(out: &mut Vec<BenchSpec>) {
    for mode in MODES {
        for dir in ["encrypt", "decrypt"] {
            for size in SIZES {
                out.push(BenchSpec {
                    id: format!("aes/{mode}/{dir}/{size}"),
                    group: "aes",
                    libraries: vec![Library::Crypto],
                    unit: Unit::BytesPerSecond,
                    source: Source::Worker,
                });
            }
        }
    }
}

fn cipher(mode: &str) -> Option<&'static CipherRef> {
    Some(match mode {
        "128-gcm" => Cipher::aes_128_gcm(),
        "256-gcm" => Cipher::aes_256_gcm(),
        "256-cbc" => Cipher::aes_256_cbc(),
        "256-ctr" => Cipher::aes_256_ctr(),
        _ => return None,
    })
}

pub fn prepare(id: &str) -> Result<Box<dyn Workload>, Broken> {
    let parts: Vec<&str> = id.split('/').collect();
    let ["aes", mode, dir, size] = parts[..] else {
        return Err(Broken(format!("malformed aes id {id}")));
    };
    let cipher = cipher(mode).ok_or_else(|| Broken(format!("unknown mode in {id}")))?;
    let size: usize = size
        .parse()
        .map_err(|_| Broken(format!("bad size in {id}")))?;
    known_answer(mode, cipher)?;
    let gcm = mode.ends_with("gcm");
    let key = vec![0x5au8; cipher.key_length()];
    let iv = vec![0xa5u8; cipher.iv_length()];
    let plain: Vec<u8> = (0..size).map(|i| (i * 131 % 251) as u8).collect();
    let mut w = Aes {
        enc: CipherCtx::new().map_err(err)?,
        dec: CipherCtx::new().map_err(err)?,
        gcm,
        iv,
        sealed: vec![0; size + TAG],
        opened: vec![0; size + TAG],
        tag: [0; TAG],
        decrypting: dir == "decrypt",
        plain,
    };
    w.enc
        .encrypt_init(Some(cipher), Some(&key), Some(&w.iv))
        .map_err(err)?;
    w.dec
        .decrypt_init(Some(cipher), Some(&key), Some(&w.iv))
        .map_err(err)?;
    w.enc.set_padding(false);
    w.dec.set_padding(false);
    w.seal()?;
    Ok(Box::new(w))
}

fn err(e: openssl::error::ErrorStack) -> Broken {
    Broken(format!("OpenSSL: {e}"))
}

struct Aes {
    enc: CipherCtx,
    dec: CipherCtx,
    gcm: bool,
    iv: Vec<u8>,
    plain: Vec<u8>,
    sealed: Vec<u8>,
    opened: Vec<u8>,
    tag: [u8; TAG],
    decrypting: bool,
}

impl Aes {
    fn seal(&mut self) -> Result<(), Broken> {
        self.enc
            .encrypt_init(None, None, Some(&self.iv))
            .map_err(err)?;
        let n = self
            .enc
            .cipher_update(&self.plain, Some(&mut self.sealed))
            .map_err(err)?;
        self.enc.cipher_final(&mut self.sealed[n..]).map_err(err)?;
        if self.gcm {
            self.enc.tag(&mut self.tag).map_err(err)?;
        }
        Ok(())
    }

    fn open(&mut self) -> Result<(), Broken> {
        let len = self.plain.len();
        self.dec
            .decrypt_init(None, None, Some(&self.iv))
            .map_err(err)?;
        if self.gcm {
            self.dec.set_tag(&self.tag).map_err(err)?;
        }
        let n = self
            .dec
            .cipher_update(&self.sealed[..len], Some(&mut self.opened))
            .map_err(err)?;
        self.dec.cipher_final(&mut self.opened[n..]).map_err(|e| {
            Broken(format!(
                "decryption rejected the ciphertext (authentication tag?): {e}"
            ))
        })?;
        Ok(())
    }
}

impl Workload for Aes {
    fn run(&mut self, iterations: u64) -> Result<(), Broken> {
        for _ in 0..iterations {
            if self.decrypting {
                self.open()?;
            } else {
                self.seal()?;
            }
        }
        Ok(())
    }

    fn verify(&mut self) -> Result<(), Broken> {
        self.open()?;
        if self.opened[..self.plain.len()] != self.plain[..] {
            return Err(Broken(
                "decrypting the ciphertext does not give the plaintext back".into(),
            ));
        }
        Ok(())
    }

    fn work_per_iter(&self) -> u64 {
        self.plain.len() as u64
    }
}

/// (mode, key, iv, plaintext, ciphertext followed by the tag for GCM), all hex.
const VECTORS: [(&str, &str, &str, &str, &str); 4] = [
    // GCM specification, test case 2 (AES-128, zero key and block).
    ("128-gcm", "00000000000000000000000000000000", "000000000000000000000000",
     "00000000000000000000000000000000",
     "0388dace60b6a392f328c2b971b2fe78ab6e47d42cec13bdf53a67b21257bddf"),
    // GCM specification, test case 14 (AES-256).
    ("256-gcm", "0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000",
     "00000000000000000000000000000000",
     "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919"),
    // SP 800-38A F.2.5, CBC-AES256.Encrypt.
    ("256-cbc", "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4", "000102030405060708090a0b0c0d0e0f",
     "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710",
     "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b"),
    // SP 800-38A F.5.5, CTR-AES256.Encrypt.
    ("256-ctr", "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4", "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
     "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710",
     "601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c52b0930daa23de94ce87017ba2d84988ddfc9c58db67aada613c2dd08457941a6"),
];

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap_or(0))
        .collect()
}

/// Encrypts the mode's vector with a fresh context and compares every byte.
fn known_answer(mode: &str, cipher: &CipherRef) -> Result<(), Broken> {
    let Some(&(_, key, iv, plain, expected)) = VECTORS.iter().find(|v| v.0 == mode) else {
        return Ok(());
    };
    let (key, iv, plain, expected) = (unhex(key), unhex(iv), unhex(plain), unhex(expected));
    let mut ctx = CipherCtx::new().map_err(err)?;
    ctx.encrypt_init(Some(cipher), Some(&key), Some(&iv))
        .map_err(err)?;
    ctx.set_padding(false);
    let mut out = vec![0; plain.len() + cipher.block_size()];
    let n = ctx.cipher_update(&plain, Some(&mut out)).map_err(err)?;
    let n = n + ctx.cipher_final(&mut out[n..]).map_err(err)?;
    out.truncate(n);
    if mode.ends_with("gcm") {
        let mut tag = [0; TAG];
        ctx.tag(&mut tag).map_err(err)?;
        out.extend_from_slice(&tag);
    }
    if out != expected {
        return Err(Broken(format!(
            "AES-{mode} known-answer test failed: got {}, expected {}",
            crate::provenance::hex(&out),
            crate::provenance::hex(&expected)
        )));
    }
    Ok(())
}
