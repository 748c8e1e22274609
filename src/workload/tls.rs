//! TLS 1.3 over an in-memory socket pair: what users of a rebuilt OpenSSL feel, and
//! the workload that needs libssl (AES through EVP alone lives in libcrypto).
//!
//! A server thread holds the other end. `transfer` sends 256 KiB per iteration
//! (1 MiB before blocks; 256 KiB keeps an iteration well under a runner's turn) and the
//! server answers with a checksum of what it decrypted; `handshake` makes a full
//! handshake (ECDHE + ECDSA certificate) per iteration.

use super::{BenchSpec, Broken, Source, Unit, Workload};
use crate::library::Library;
use openssl::asn1::Asn1Time;
use openssl::bn::BigNum;
use openssl::ec::{EcGroup, EcKey};
use openssl::error::ErrorStack;
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::ssl::{Ssl, SslContext, SslMethod, SslStream, SslVerifyMode, SslVersion};
use openssl::x509::extension::SubjectAlternativeName;
use openssl::x509::{X509NameBuilder, X509};
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::sync::mpsc;

pub const TRANSFER: usize = 256 << 10;
pub const TRANSFER_ID: &str = "tls/1.3/transfer";
const SUITE: &str = "TLS_AES_256_GCM_SHA384";

pub fn catalog(out: &mut Vec<BenchSpec>) {
    for (name, unit) in [
        ("transfer", Unit::BytesPerSecond),
        ("handshake", Unit::OpsPerSecond),
    ] {
        out.push(BenchSpec {
            id: format!("tls/1.3/{name}"),
            group: "tls",
            libraries: vec![Library::Crypto, Library::Ssl],
            unit,
            source: Source::Worker,
        });
    }
}

fn err(what: &str, e: impl std::fmt::Display) -> Broken {
    Broken(format!("{what}: {e}"))
}

/// A fresh ECDSA P-256 key and a one-day certificate for it that it signs
/// itself, named `cn`, and valid for the address `ip` too when given (a loopback
/// server's).
pub(super) fn self_signed(cn: &str, ip: Option<&str>) -> Result<(PKey<Private>, X509), ErrorStack> {
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1)?;
    let key = PKey::from_ec_key(EcKey::generate(&group)?)?;
    let mut name = X509NameBuilder::new()?;
    name.append_entry_by_text("CN", cn)?;
    let name = name.build();
    let mut cert = X509::builder()?;
    cert.set_version(2)?;
    let serial = BigNum::from_u32(1)?.to_asn1_integer()?;
    cert.set_serial_number(&serial)?;
    cert.set_subject_name(&name)?;
    cert.set_issuer_name(&name)?;
    cert.set_pubkey(&key)?;
    let (from, to) = (Asn1Time::days_from_now(0)?, Asn1Time::days_from_now(1)?);
    cert.set_not_before(&from)?;
    cert.set_not_after(&to)?;
    if let Some(ip) = ip {
        let san = SubjectAlternativeName::new()
            .ip(ip)
            .build(&cert.x509v3_context(None, None))?;
        cert.append_extension(san)?;
    }
    cert.sign(&key, MessageDigest::sha256())?;
    Ok((key, cert.build()))
}

fn contexts() -> Result<(SslContext, SslContext), ErrorStack> {
    let (key, cert) = self_signed("storebench", None)?;

    let tls13 =
        |b: &mut openssl::ssl::SslContextBuilder| -> Result<(), openssl::error::ErrorStack> {
            b.set_min_proto_version(Some(SslVersion::TLS1_3))?;
            b.set_ciphersuites(SUITE)
        };
    let mut server = SslContext::builder(SslMethod::tls())?;
    tls13(&mut server)?;
    server.set_private_key(&key)?;
    server.set_certificate(&cert)?;
    let mut client = SslContext::builder(SslMethod::tls())?;
    tls13(&mut client)?;
    client.cert_store_mut().add_cert(cert)?;
    client.set_verify(SslVerifyMode::PEER);
    Ok((server.build(), client.build()))
}

/// The sum of the buffer's 64-bit words: cheap enough not to slow the server
/// down, and any wrong decrypted byte changes it.
fn checksum(data: &[u8]) -> u64 {
    data.chunks(8).fold(0u64, |acc, c| {
        let mut w = [0u8; 8];
        w[..c.len()].copy_from_slice(c);
        acc.wrapping_add(u64::from_le_bytes(w))
    })
}

pub fn prepare(id: &str) -> Result<Box<dyn Workload>, Broken> {
    let (server, client) = contexts().map_err(|e| err("building TLS contexts", e))?;
    match id {
        TRANSFER_ID => {
            let (a, b) = UnixStream::pair().map_err(|e| err("socketpair", e))?;
            std::thread::spawn(move || serve_transfer(&server, b));
            let stream = Ssl::new(&client)
                .map(|s| s.connect(a))
                .map_err(|e| err("TLS client", e))?
                .map_err(|e| err("TLS handshake", e))?;
            check_suite(&stream)?;
            let payload: Vec<u8> = (0..TRANSFER).map(|i| (i * 7 % 253) as u8).collect();
            Ok(Box::new(Transfer {
                sum: checksum(&payload),
                payload,
                stream,
            }))
        }
        "tls/1.3/handshake" => {
            let (tx, rx) = mpsc::channel::<UnixStream>();
            std::thread::spawn(move || {
                for s in rx {
                    if let Ok(Ok(mut s)) = Ssl::new(&server).map(|ssl| ssl.accept(s)) {
                        let mut b = [0u8; 1];
                        let _ = s.read_exact(&mut b).and_then(|_| s.write_all(&b));
                    }
                }
            });
            Ok(Box::new(Handshake { client, server: tx }))
        }
        _ => Err(Broken(format!("unknown tls benchmark {id}"))),
    }
}

fn check_suite(s: &SslStream<UnixStream>) -> Result<(), Broken> {
    let got = s.ssl().current_cipher().map(|c| c.name()).unwrap_or("none");
    if s.ssl().version2() != Some(SslVersion::TLS1_3) || got != SUITE {
        return Err(Broken(format!(
            "negotiated {} with {got}, expected TLS 1.3 with {SUITE}",
            s.ssl().version_str()
        )));
    }
    Ok(())
}

fn serve_transfer(ctx: &SslContext, sock: UnixStream) {
    let Ok(Ok(mut s)) = Ssl::new(ctx).map(|ssl| ssl.accept(sock)) else {
        return;
    };
    let mut buf = vec![0u8; TRANSFER];
    while s.read_exact(&mut buf).is_ok() {
        if s.write_all(&checksum(&buf).to_le_bytes()).is_err() {
            return;
        }
    }
}

struct Transfer {
    payload: Vec<u8>,
    sum: u64,
    stream: SslStream<UnixStream>,
}

impl Workload for Transfer {
    fn run(&mut self, iterations: u64) -> Result<(), Broken> {
        for _ in 0..iterations {
            self.stream
                .write_all(&self.payload)
                .map_err(|e| err("TLS write", e))?;
            let mut reply = [0u8; 8];
            self.stream
                .read_exact(&mut reply)
                .map_err(|e| err("TLS read", e))?;
            if u64::from_le_bytes(reply) != self.sum {
                return Err(Broken(
                    "the server decrypted other bytes than the client sent".into(),
                ));
            }
        }
        Ok(())
    }

    fn verify(&mut self) -> Result<(), Broken> {
        check_suite(&self.stream)
    }

    fn work_per_iter(&self) -> u64 {
        TRANSFER as u64
    }
}

struct Handshake {
    client: SslContext,
    server: mpsc::Sender<UnixStream>,
}

impl Handshake {
    fn once(&mut self) -> Result<SslStream<UnixStream>, Broken> {
        let (a, b) = UnixStream::pair().map_err(|e| err("socketpair", e))?;
        self.server
            .send(b)
            .map_err(|_| Broken("the TLS server thread is gone".into()))?;
        let mut s = Ssl::new(&self.client)
            .map_err(|e| err("TLS client", e))?
            .connect(a)
            .map_err(|e| err("TLS handshake", e))?;
        let mut b = [42u8; 1];
        s.write_all(&b)
            .and_then(|_| s.read_exact(&mut b))
            .map_err(|e| err("TLS echo", e))?;
        Ok(s)
    }
}

impl Workload for Handshake {
    fn run(&mut self, iterations: u64) -> Result<(), Broken> {
        for _ in 0..iterations {
            self.once()?;
        }
        Ok(())
    }

    fn verify(&mut self) -> Result<(), Broken> {
        check_suite(&self.once()?)
    }

    fn work_per_iter(&self) -> u64 {
        1
    }
}
