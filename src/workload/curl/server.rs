//! The HTTP/1.1 server the curl workloads download from: inside the worker, on
//! 127.0.0.1 only, with a port the kernel picks. It serves fixed, generated
//! bodies ([`body`]) over keep-alive connections, in plain text or over TLS with
//! a self-signed certificate made at start (through the worker's OpenSSL, the
//! variant's, like the client side).
//!
//! Bounded: one accepting thread and one thread per connection, at most
//! [`MAX_CONNECTIONS`] connections over the server's life; a connection's thread
//! ends when the client closes it, the accepting thread when the [`Server`] is
//! dropped.

use openssl::ssl::{SslAcceptor, SslMethod};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Connections the server accepts in its life; libcurl reuses one.
pub const MAX_CONNECTIONS: usize = 16;
/// How long a connection may sit idle before its thread gives up on it.
const IDLE: Duration = Duration::from_secs(120);

/// The body served at `path`: `/small/K` (K < `small_count`) is `small` bytes,
/// `/large` is `large` bytes, each from its own seed. None is a 404.
pub fn body(path: &str, sizes: Sizes) -> Option<Vec<u8>> {
    let (seed, len) = match path.strip_prefix("/small/") {
        Some(k) => {
            let k: u64 = k.parse().ok()?;
            (k < sizes.small_count as u64).then_some((k, sizes.small))?
        }
        None if path == "/large" => (u64::MAX, sizes.large),
        None => return None,
    };
    let mut out = vec![0u8; len];
    ChaCha8Rng::seed_from_u64(seed).fill_bytes(&mut out);
    Some(out)
}

/// What the server serves.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    pub small_count: usize,
    pub small: usize,
    pub large: usize,
}

/// A running server; dropping it stops the accepting thread.
pub struct Server {
    pub port: u16,
    /// The certificate (PEM) a client must trust, when serving TLS.
    pub certificate: Option<Vec<u8>>,
    stop: Arc<AtomicBool>,
}

impl Server {
    pub fn start(sizes: Sizes, tls: bool) -> Result<Server, String> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .map_err(|e| format!("binding 127.0.0.1: {e}"))?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let (acceptor, certificate) = match tls {
            true => {
                let (a, pem) = acceptor().map_err(|e| format!("server TLS context: {e}"))?;
                (Some(a), Some(pem))
            }
            false => (None, None),
        };
        // Every reply whole, made once: serving one is a lookup and a write.
        let mut replies = std::collections::HashMap::new();
        let paths = (0..sizes.small_count).map(|k| format!("/small/{k}"));
        for path in paths.chain(["/large".to_string()]) {
            let reply = reply("200 OK", &body(&path, sizes).unwrap_or_default());
            replies.insert(path, reply);
        }
        let replies = Arc::new(Replies {
            found: replies,
            missing: reply("404 Not Found", b""),
        });
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        std::thread::spawn(move || {
            for conn in listener.incoming().take(MAX_CONNECTIONS) {
                if stopping.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(conn) = conn else { continue };
                let replies = Arc::clone(&replies);
                let acceptor = acceptor.clone();
                std::thread::spawn(move || {
                    let _ = conn.set_nodelay(true);
                    let _ = conn.set_read_timeout(Some(IDLE));
                    match acceptor {
                        Some(a) => {
                            if let Ok(s) = a.accept(conn) {
                                serve(s, &replies);
                            }
                        }
                        None => serve(conn, &replies),
                    }
                });
            }
        });
        Ok(Server {
            port,
            certificate,
            stop,
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accepting thread, which then sees the flag.
        let _ = TcpStream::connect((Ipv4Addr::LOCALHOST, self.port));
    }
}

/// The reply to every path served, and to any other.
struct Replies {
    found: std::collections::HashMap<String, Vec<u8>>,
    missing: Vec<u8>,
}

/// A whole HTTP reply: the header and the body, to go out in one write (a header
/// and a body in two segments would wait for a delayed ACK).
fn reply(status: &str, body: &[u8]) -> Vec<u8> {
    let mut reply = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\n\r\n",
        body.len()
    )
    .into_bytes();
    reply.extend_from_slice(body);
    reply
}

/// Answers GET requests on one keep-alive connection until the client closes it.
fn serve<S: Read + Write>(stream: S, replies: &Replies) {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let path = line.split_whitespace().nth(1).unwrap_or("");
        let reply = replies.found.get(path).unwrap_or(&replies.missing);
        // The headers, up to the empty line; their content does not matter.
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) if line == "\r\n" || line == "\n" => break,
                Ok(_) => {}
            }
        }
        let out = reader.get_mut();
        if out.write_all(reply).and_then(|_| out.flush()).is_err() {
            return;
        }
    }
}

/// A TLS acceptor with a fresh self-signed ECDSA P-256 certificate for
/// 127.0.0.1, and that certificate in PEM for the client to trust.
fn acceptor() -> Result<(SslAcceptor, Vec<u8>), openssl::error::ErrorStack> {
    let (key, cert) = crate::workload::tls::self_signed("storebench loopback", Some("127.0.0.1"))?;
    let mut b = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls_server())?;
    b.set_private_key(&key)?;
    b.set_certificate(&cert)?;
    b.check_private_key()?;
    Ok((b.build(), cert.to_pem()?))
}
