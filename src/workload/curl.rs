//! Transfers with the system `libcurl` from a server inside the worker
//! ([`server`], 127.0.0.1 only): many small requests over one reused
//! connection, and one large download per iteration, each over HTTP and over
//! HTTPS. libcurl's HTTPS runs on the OpenSSL the loader gave the worker, so the
//! `https` workloads measure a rebuilt OpenSSL as a curl user feels it.
//!
//! Every body is checked against the SHA-256 of what the server was given
//! (computed with the `sha2` crate, not with the libraries under test): each
//! iteration checks status and length, `verify` the hashes of the bodies last
//! received.

mod server;

use super::{BenchSpec, Broken, Source, Unit, Workload};
use crate::library::Library;
use ::curl::easy::{Easy2, Handler, HttpVersion, WriteError};
use server::{Server, Sizes};
use sha2::{Digest, Sha256};

/// Small requests per iteration; a figure is in requests per second.
const REQUESTS: usize = 5;
/// The distinct small bodies, requested in turn.
const SMALL_COUNT: usize = 64;
const SMALL: usize = 1024;
/// The large download, one per iteration (as the TLS transfer, well under a
/// runner's 10 ms turn).
pub const LARGE: usize = 128 << 10;
const SIZES: Sizes = Sizes {
    small_count: SMALL_COUNT,
    small: SMALL,
    large: LARGE,
};

pub fn catalog(out: &mut Vec<BenchSpec>) {
    for scheme in ["http", "https"] {
        let libraries = match scheme {
            "http" => vec![Library::Curl],
            _ => vec![Library::Crypto, Library::Ssl, Library::Curl],
        };
        for (name, unit) in [
            ("requests", Unit::OpsPerSecond),
            ("download", Unit::BytesPerSecond),
        ] {
            out.push(BenchSpec {
                id: format!("curl/{scheme}/{name}"),
                group: "curl",
                libraries: libraries.clone(),
                unit,
                source: Source::Worker,
            });
        }
    }
}

/// The bytes one iteration of `id` transfers when it is a download.
pub fn transfer_of(id: &str) -> Option<usize> {
    matches!(id, "curl/http/download" | "curl/https/download").then_some(LARGE)
}

fn err(what: &str, e: impl std::fmt::Display) -> Broken {
    Broken(format!("{what}: {e}"))
}

/// Collects a response body.
struct Sink(Vec<u8>);

impl Handler for Sink {
    fn write(&mut self, data: &[u8]) -> Result<usize, WriteError> {
        self.0.extend_from_slice(data);
        Ok(data.len())
    }
}

pub fn prepare(id: &str) -> Result<Box<dyn Workload>, Broken> {
    let parts: Vec<&str> = id.split('/').collect();
    let ["curl", scheme @ ("http" | "https"), kind @ ("requests" | "download")] = parts[..] else {
        return Err(Broken(format!("unknown curl benchmark {id}")));
    };
    let server = Server::start(SIZES, scheme == "https").map_err(|e| err("loopback server", e))?;
    let mut easy = Easy2::new(Sink(Vec::with_capacity(LARGE)));
    let setup = |easy: &mut Easy2<Sink>| -> Result<(), ::curl::Error> {
        easy.http_version(HttpVersion::V11)?;
        easy.timeout(std::time::Duration::from_secs(60))?;
        if let Some(pem) = &server.certificate {
            // Verified as any HTTPS client does: the chain and the address.
            easy.ssl_cainfo_blob(pem)?;
            easy.ssl_verify_peer(true)?;
            easy.ssl_verify_host(true)?;
        }
        Ok(())
    };
    setup(&mut easy).map_err(|e| err("curl_easy_setopt", e))?;
    let paths: Vec<String> = match kind {
        "requests" => (0..SMALL_COUNT).map(|k| format!("/small/{k}")).collect(),
        _ => vec!["/large".into()],
    };
    let expected = paths
        .iter()
        .map(|p| Sha256::digest(server::body(p, SIZES).unwrap_or_default()).into())
        .collect();
    let base = format!("{scheme}://127.0.0.1:{}", server.port);
    Ok(Box::new(Transfers {
        per_iter: if kind == "requests" { REQUESTS } else { 1 },
        bytes: kind == "download",
        received: vec![Vec::new(); paths.len()],
        urls: paths.iter().map(|p| format!("{base}{p}")).collect(),
        expected,
        next: 0,
        connects: 0,
        easy,
        _server: server,
    }))
}

/// One libcurl easy handle fetching the same URLs in turn, so that it keeps
/// its connection.
struct Transfers {
    easy: Easy2<Sink>,
    urls: Vec<String>,
    /// SHA-256 of each URL's body, from the server's generator.
    expected: Vec<[u8; 32]>,
    /// Each URL's body as last received (empty: not fetched yet).
    received: Vec<Vec<u8>>,
    next: usize,
    per_iter: usize,
    /// Whether a figure is in bytes (downloads) or requests.
    bytes: bool,
    /// Connections libcurl opened so far; one, if it kept it.
    connects: u64,
    _server: Server,
}

impl Transfers {
    fn fetch(&mut self) -> Result<(), Broken> {
        let i = self.next;
        self.next = (i + 1) % self.urls.len();
        let url = &self.urls[i];
        self.easy.get_mut().0.clear();
        self.easy.url(url).map_err(|e| err("CURLOPT_URL", e))?;
        self.easy
            .perform()
            .map_err(|e| err(&format!("GET {url}"), e))?;
        let code = self.easy.response_code().unwrap_or(0);
        self.connects += self.easy.num_connects().unwrap_or(0);
        let len = self.easy.get_ref().0.len();
        let want = if self.bytes { LARGE } else { SMALL };
        if code != 200 || len != want {
            return Err(Broken(format!(
                "GET {url}: status {code} with {len} bytes, expected 200 with {want}"
            )));
        }
        std::mem::swap(&mut self.received[i], &mut self.easy.get_mut().0);
        Ok(())
    }
}

impl Workload for Transfers {
    fn run(&mut self, iterations: u64) -> Result<(), Broken> {
        for _ in 0..iterations {
            for _ in 0..self.per_iter {
                self.fetch()?;
            }
        }
        Ok(())
    }

    /// Every body received last must hash as the server's, and libcurl must
    /// have kept its one connection (or this measured connection set-up).
    fn verify(&mut self) -> Result<(), Broken> {
        for (i, body) in self.received.iter().enumerate() {
            if !body.is_empty() && Sha256::digest(body).as_slice() != self.expected[i] {
                return Err(Broken(format!(
                    "GET {}: the body's SHA-256 differs from the server's",
                    self.urls[i]
                )));
            }
        }
        if self.connects > 1 {
            return Err(Broken(format!(
                "libcurl opened {} connections to the loopback server where it should have reused one",
                self.connects
            )));
        }
        Ok(())
    }

    fn work_per_iter(&self) -> u64 {
        match self.bytes {
            true => LARGE as u64,
            false => self.per_iter as u64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_transfer_runs_and_checks_its_bodies_over_one_connection() {
        let mut out = Vec::new();
        catalog(&mut out);
        assert_eq!(out.len(), 4);
        for b in out {
            let mut w = prepare(&b.id).unwrap_or_else(|e| panic!("{}: {e:?}", b.id));
            // More requests than distinct bodies: the handle cycles and keeps its connection.
            w.run(8).unwrap_or_else(|e| panic!("{}: {e:?}", b.id));
            w.verify().unwrap_or_else(|e| panic!("{}: {e:?}", b.id));
        }
    }

    #[test]
    fn a_body_that_differs_from_the_servers_is_broken() {
        let mut w = Transfers {
            received: vec![vec![1u8; SMALL]],
            expected: vec![Sha256::digest(server::body("/small/0", SIZES).unwrap()).into()],
            urls: vec!["http://127.0.0.1:1/small/0".into()],
            next: 0,
            per_iter: 1,
            bytes: false,
            connects: 1,
            easy: Easy2::new(Sink(Vec::new())),
            _server: Server::start(SIZES, false).unwrap(),
        };
        let e = w.verify().unwrap_err();
        assert!(e.0.contains("SHA-256 differs"), "{}", e.0);
    }

    #[test]
    fn the_server_answers_unknown_paths_with_nothing() {
        assert!(server::body("/small/64", SIZES).is_none());
        assert!(server::body("/etc/passwd", SIZES).is_none());
        assert_eq!(server::body("/large", SIZES).unwrap().len(), LARGE);
    }
}
