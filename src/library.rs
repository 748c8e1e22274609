//! The shared libraries storebench benchmarks, by the names a user and the loader know them.
//!
//! This module owns the table that links a library to its soname and to the function
//! it reports its own version through. It does not load anything; `provenance` asks
//! the loaded libraries for their versions, `variant` checks that a root provides them.

use serde::{Deserialize, Serialize};
use std::ffi::{c_char, CStr};

/// One benchmarked library. The order is the order of reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Library {
    Zlib,
    Zstd,
    Lzma,
    Bzip2,
    Crypto,
    Ssl,
    Sqlite,
    Pcre2,
    Curl,
}

impl Library {
    pub const ALL: [Library; 9] = [
        Library::Zlib,
        Library::Zstd,
        Library::Lzma,
        Library::Bzip2,
        Library::Crypto,
        Library::Ssl,
        Library::Sqlite,
        Library::Pcre2,
        Library::Curl,
    ];

    /// The soname the binary is linked against. A file whose name starts with it
    /// (`libz.so.1.3.1`) is that library; bzip2 is `libbz2.so.1.0` on Debian and
    /// `libbz2.so.1` on nixpkgs, so the shorter prefix serves both.
    pub fn soname(self) -> &'static str {
        match self {
            Library::Zlib => "libz.so.1",
            Library::Zstd => "libzstd.so.1",
            Library::Lzma => "liblzma.so.5",
            Library::Bzip2 => "libbz2.so.1",
            Library::Crypto => "libcrypto.so.3",
            Library::Ssl => "libssl.so.3",
            Library::Sqlite => "libsqlite3.so.0",
            Library::Pcre2 => "libpcre2-8.so.0",
            Library::Curl => "libcurl.so.4",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Library::Zlib => "zlib",
            Library::Zstd => "zstd",
            Library::Lzma => "xz",
            Library::Bzip2 => "bzip2",
            Library::Crypto => "libcrypto",
            Library::Ssl => "libssl",
            Library::Sqlite => "sqlite",
            Library::Pcre2 => "pcre2",
            Library::Curl => "curl",
        }
    }

    /// Whether `file_name` (no directory) is a file of this library.
    pub fn matches_file(self, file_name: &str) -> bool {
        file_name.starts_with(self.soname())
    }

    /// The version the loaded library reports through its own API. Called in the
    /// worker, so it answers for whichever file the loader chose. libssl has no
    /// version function of its own (`OpenSSL_version` lives in libcrypto), so it has none.
    pub fn loaded_version(self) -> Option<String> {
        // SAFETY: each function returns a pointer to a static NUL-terminated string.
        let ptr = unsafe {
            match self {
                Library::Zlib => zlibVersion(),
                Library::Zstd => ZSTD_versionString(),
                Library::Lzma => lzma_version_string(),
                Library::Bzip2 => BZ2_bzlibVersion(),
                Library::Crypto => return Some(openssl::version::version().to_string()),
                Library::Ssl => return None,
                Library::Sqlite => return Some(rusqlite::version().to_string()),
                Library::Pcre2 => return pcre2_version(),
                Library::Curl => return Some(curl_version()),
            }
        };
        Some(
            unsafe { CStr::from_ptr(ptr) }
                .to_string_lossy()
                .into_owned(),
        )
    }
}

/// `pcre2_config(PCRE2_CONFIG_VERSION)`: "10.42 2022-12-11".
fn pcre2_version() -> Option<String> {
    use pcre2_sys::{pcre2_config_8, PCRE2_CONFIG_VERSION};
    let mut buf = [0u8; 64];
    // SAFETY: with a buffer, pcre2_config writes the version, NUL included
    // (at most 24 code units, fewer than 64), and returns its length.
    let n = unsafe { pcre2_config_8(PCRE2_CONFIG_VERSION, buf.as_mut_ptr().cast()) };
    let s = CStr::from_bytes_until_nul(&buf[..usize::try_from(n).ok()?.min(buf.len())]).ok()?;
    Some(s.to_string_lossy().into_owned())
}

/// `curl_version_info`: libcurl's version and the TLS library it runs with,
/// which libcurl asks at run time: "7.88.1 (OpenSSL/3.0.17)".
fn curl_version() -> String {
    let v = curl::Version::get();
    match v.ssl_version() {
        Some(ssl) => format!("{} ({ssl})", v.version()),
        None => v.version().to_string(),
    }
}

extern "C" {
    fn zlibVersion() -> *const c_char;
    fn ZSTD_versionString() -> *const c_char;
    fn lzma_version_string() -> *const c_char;
    fn BZ2_bzlibVersion() -> *const c_char;
}
