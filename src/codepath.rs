//! The code path each build ran: what a loaded library chose at run time and what
//! its file was compiled for.
//!
//! Read in the worker, the process that loaded the variant's libraries:
//! - libcrypto's capability vector as it sees it (`OPENSSL_info(OPENSSL_INFO_CPU_SETTINGS)`,
//!   after any `OPENSSL_ia32cap` mask), decoded for the AES workloads;
//! - glibc's IFUNC picks for `memcpy`, `memmove`, `strlen`: the address `dlsym` resolves
//!   to, named through libc's symbol table (its own, or libc6-dbg's by build-id);
//! - each library file's instruction-set level: its x86 ISA-level note when it has one,
//!   else the instruction sets its executable text uses (decoded with iced-x86).

use iced_x86::{CpuidFeature, Decoder, DecoderOptions, Instruction, Mnemonic};
use object::{Object, ObjectSection, ObjectSymbol};
use serde::{Deserialize, Serialize};
use sha2::Digest;
use std::collections::BTreeMap;
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::path::{Path, PathBuf};

/// What a worker's libraries chose and were built for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CodePath {
    /// libcrypto's capability vector in effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openssl: Option<OpensslCaps>,
    /// glibc's IFUNC picks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub glibc: Option<IfuncPicks>,
    /// Every benchmarked library file and libc: what its code was built for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub builds: Vec<BuiltFor>,
    /// Whether libzstd took its BMI2 code, when zstd was loaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zstd_bmi2: Option<String>,
}

/// `OPENSSL_ia32cap` as libcrypto sees it, and the bits the AES workloads depend on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpensslCaps {
    /// What `OPENSSL_info(OPENSSL_INFO_CPU_SETTINGS)` answers.
    pub info: String,
    pub aes_ni: bool,
    pub pclmulqdq: bool,
    pub avx: bool,
    pub avx2: bool,
    pub vaes: bool,
    pub vpclmulqdq: bool,
}

/// The implementation glibc's IFUNC resolver picked for each function.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IfuncPicks {
    pub memcpy: String,
    pub memmove: String,
    pub strlen: String,
    /// The file the names were read from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbols: Option<PathBuf>,
}

/// What one library file's code was compiled for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuiltFor {
    pub file: PathBuf,
    /// `x86-64-v1` … `x86-64-v4`.
    pub level: String,
    /// `isa-note` (GNU_PROPERTY_X86_ISA_1_NEEDED) or `text` (the highest level an
    /// instruction of its executable text needs, run-time dispatched code included).
    pub source: String,
    /// The extensions of the top level found in its text, most used first (empty
    /// for a note).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<String>,
    /// Share of the text's instructions that need that level, per cent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_level_pct: Option<f64>,
}

/// Where the IFUNC names cannot be read.
pub const NO_SYMBOLS: &str = "unknown (no symbol table; install libc6-dbg)";

impl CodePath {
    /// Reads this process's code path for `libcrypto` (when loaded), glibc, and the
    /// given library files (soname or name, file).
    pub fn of_this_process(files: &[PathBuf], libcrypto: bool, zstd: bool) -> CodePath {
        CodePath {
            openssl: libcrypto.then(openssl_caps).flatten(),
            glibc: ifunc_picks(),
            builds: files.iter().filter_map(|f| built_for(f)).collect(),
            zstd_bmi2: zstd.then(|| {
                "cannot be read (libzstd keeps its BMI2 choice in private context state)".into()
            }),
        }
    }
}

impl CodePath {
    /// One line each, as the table and the report show them.
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![];
        if let Some(o) = &self.openssl {
            let on = o.aes_relevant();
            out.push(format!(
                "libcrypto at run time: {} ({})",
                if on.is_empty() {
                    "none of AES-NI, PCLMULQDQ, AVX, AVX2, VAES, VPCLMULQDQ".into()
                } else {
                    on.join(", ")
                },
                o.info
            ));
        }
        if let Some(g) = &self.glibc {
            out.push(format!(
                "glibc IFUNC picks: memcpy → {}, memmove → {}, strlen → {}",
                g.memcpy, g.memmove, g.strlen
            ));
        }
        for b in &self.builds {
            let name = b
                .file
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default();
            let how = match (b.source.as_str(), b.top_level_pct) {
                ("isa-note", _) => "its ISA-level note".to_string(),
                (_, Some(pct)) => format!(
                    "its text: {pct} % of instructions need it, {}",
                    b.extensions.join(", ")
                ),
                _ => "its text".to_string(),
            };
            out.push(format!("{name} built for {} (from {how})", b.level));
        }
        if let Some(z) = &self.zstd_bmi2 {
            out.push(format!("zstd's BMI2 choice: {z}"));
        }
        out
    }
}

/// Notes for a claim over `benches` when both variants ran the same code path for
/// what those benchmarks exercise: AES and TLS with the same AES-relevant
/// capabilities, libc benchmarks with the same IFUNC picks.
pub fn same_path_notes(a: &CodePath, b: &CodePath, benches: &[String]) -> Vec<String> {
    let mut notes = vec![];
    let any = |prefix: &str| benches.iter().any(|id| id.starts_with(prefix));
    if any("aes/") || any("tls/") {
        if let (Some(x), Some(y)) = (&a.openssl, &b.openssl) {
            let (cx, cy) = (x.aes_relevant(), y.aes_relevant());
            if cx == cy && x.aes_ni {
                notes.push(format!(
                    "both builds use AES-NI at run time ({}): a rebuild cannot add it",
                    cx.join(", ")
                ));
            } else if cx == cy {
                notes.push("both builds run the same AES code path (no AES-NI in either)".into());
            }
        }
    }
    if any("libc/") {
        if let (Some(x), Some(y)) = (&a.glibc, &b.glibc) {
            if x == y && x.memcpy != NO_SYMBOLS {
                notes.push(format!(
                    "both variants' glibc picked the same implementations (memcpy → {}, strlen → {})",
                    x.memcpy, x.strlen
                ));
            }
        }
    }
    notes
}

extern "C" {
    fn OPENSSL_info(t: c_int) -> *const c_char;
}
const OPENSSL_INFO_CPU_SETTINGS: c_int = 1008;

fn openssl_caps() -> Option<OpensslCaps> {
    // SAFETY: OPENSSL_info returns a pointer to a static string, or NULL.
    let ptr = unsafe { OPENSSL_info(OPENSSL_INFO_CPU_SETTINGS) };
    if ptr.is_null() {
        return None;
    }
    let info = unsafe { CStr::from_ptr(ptr) }
        .to_string_lossy()
        .into_owned();
    decode_caps(&info)
}

/// Decodes "CPUINFO: OPENSSL_ia32cap=0xA:0xB env:…": A is CPUID.1 EDX (low 32 bits)
/// and ECX (high), B is CPUID.7.0 EBX (low) and ECX (high); see OpenSSL's
/// doc/man3/OPENSSL_ia32cap.pod and crypto/info.c.
pub fn decode_caps(info: &str) -> Option<OpensslCaps> {
    let caps = info.split("OPENSSL_ia32cap=").nth(1)?;
    let caps = caps.split_whitespace().next()?;
    let (a, b) = caps.split_once(':')?;
    let num = |s: &str| u64::from_str_radix(s.trim_start_matches("0x"), 16).ok();
    let (a, b) = (num(a)?, num(b)?);
    let bit = |w: u64, n: u32| w >> n & 1 == 1;
    Some(OpensslCaps {
        info: info.to_string(),
        aes_ni: bit(a, 57),
        pclmulqdq: bit(a, 33),
        avx: bit(a, 60),
        avx2: bit(b, 5),
        vaes: bit(b, 32 + 9),
        vpclmulqdq: bit(b, 32 + 10),
    })
}

impl OpensslCaps {
    /// The AES-relevant capabilities in effect, by name ("AES-NI, PCLMULQDQ, AVX2").
    pub fn aes_relevant(&self) -> Vec<&'static str> {
        [
            (self.aes_ni, "AES-NI"),
            (self.pclmulqdq, "PCLMULQDQ"),
            (self.avx, "AVX"),
            (self.avx2, "AVX2"),
            (self.vaes, "VAES"),
            (self.vpclmulqdq, "VPCLMULQDQ"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect()
    }
}

fn ifunc_picks() -> Option<IfuncPicks> {
    let name = CString::new(crate::glibc::LIBC).ok()?;
    // SAFETY: RTLD_NOLOAD only returns a handle to a library already loaded.
    let handle = unsafe { libc::dlopen(name.as_ptr(), libc::RTLD_NOW | libc::RTLD_NOLOAD) };
    if handle.is_null() {
        return None;
    }
    let resolved = |f: &str| -> Option<(u64, PathBuf)> {
        let f = CString::new(f).ok()?;
        // SAFETY: dlsym on a valid handle; dladdr fills the struct it is given.
        let addr = unsafe { libc::dlsym(handle, f.as_ptr()) };
        let mut info: libc::Dl_info = unsafe { std::mem::zeroed() };
        if addr.is_null() || unsafe { libc::dladdr(addr as *const c_void, &mut info) } == 0 {
            return None;
        }
        let file = unsafe { CStr::from_ptr(info.dli_fname) }.to_string_lossy();
        Some((
            addr as u64 - info.dli_fbase as u64,
            Path::new(file.as_ref()).canonicalize().ok()?,
        ))
    };
    let (memcpy, libc_file) = resolved("memcpy")?;
    let (memmove, _) = resolved("memmove")?;
    let (strlen, _) = resolved("strlen")?;
    let table = symbol_table(&libc_file);
    let name = |off: u64| match &table {
        Some((_, names)) => names
            .get(&off)
            .cloned()
            .unwrap_or_else(|| format!("unknown (no symbol at offset {off:#x})")),
        None => NO_SYMBOLS.to_string(),
    };
    Some(IfuncPicks {
        memcpy: name(memcpy),
        memmove: name(memmove),
        strlen: name(strlen),
        symbols: table.map(|(p, _)| p),
    })
}

/// The function symbols of `file` by address, from its own `.symtab` or from its
/// detached debug file (`/usr/lib/debug/.build-id/xx/rest.debug`).
fn symbol_table(file: &Path) -> Option<(PathBuf, BTreeMap<u64, String>)> {
    let data = std::fs::read(file).ok()?;
    let elf = object::File::parse(&*data).ok()?;
    if let Some(t) = functions(&elf) {
        return Some((file.to_owned(), t));
    }
    let id = elf.build_id().ok()??;
    let hex: String = id.iter().map(|b| format!("{b:02x}")).collect();
    let debug = PathBuf::from(format!(
        "/usr/lib/debug/.build-id/{}/{}.debug",
        &hex[..2],
        &hex[2..]
    ));
    let data = std::fs::read(&debug).ok()?;
    let elf = object::File::parse(&*data).ok()?;
    functions(&elf).map(|t| (debug, t))
}

/// Address → name of every function in `.symtab`; the first name wins, except that
/// an implementation's own name (`__memmove_avx_unaligned_erms`) beats an alias.
fn functions(elf: &object::File) -> Option<BTreeMap<u64, String>> {
    let mut out = BTreeMap::new();
    for s in elf.symbols() {
        if s.kind() != object::SymbolKind::Text || s.address() == 0 {
            continue;
        }
        let Ok(name) = s.name() else { continue };
        let e = out.entry(s.address()).or_insert_with(|| name.to_string());
        if name.starts_with("__") && name.contains('_') && name.len() > e.len() {
            *e = name.to_string();
        }
    }
    (!out.is_empty()).then_some(out)
}

/// What `file` was built for, cached by its hash.
fn built_for(file: &Path) -> Option<BuiltFor> {
    let data = std::fs::read(file).ok()?;
    let sha: String = sha2::Sha256::digest(&data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let cache = cache_dir().map(|d| d.join(format!("{sha}.json")));
    if let Some(b) = cache
        .as_ref()
        .and_then(|c| std::fs::read(c).ok())
        .and_then(|b| serde_json::from_slice::<BuiltFor>(&b).ok())
    {
        return Some(BuiltFor {
            file: file.to_owned(),
            ..b
        });
    }
    let b = read_built_for(file, &data)?;
    if let Some(c) = cache {
        let _ = std::fs::create_dir_all(c.parent()?);
        let _ = serde_json::to_vec(&b).map(|j| crate::atomic::write(&c, &j, None));
    }
    Some(b)
}

fn cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache")))?;
    Some(base.join("storebench").join("codepath"))
}

/// Reads the ISA-level note, else decodes the executable sections.
pub fn read_built_for(file: &Path, data: &[u8]) -> Option<BuiltFor> {
    let elf = object::File::parse(data).ok()?;
    if let Some(level) = isa_note(&elf) {
        return Some(BuiltFor {
            file: file.to_owned(),
            level: format!("x86-64-v{level}"),
            source: "isa-note".into(),
            extensions: vec![],
            top_level_pct: None,
        });
    }
    let mut counts: BTreeMap<CpuidFeature, u64> = BTreeMap::new();
    let mut total = 0u64;
    for s in elf.sections() {
        if s.kind() != object::SectionKind::Text {
            continue;
        }
        let Ok(bytes) = s.data() else { continue };
        let mut dec = Decoder::with_ip(64, bytes, s.address(), DecoderOptions::NONE);
        let mut ins = Instruction::default();
        while dec.can_decode() {
            dec.decode_out(&mut ins);
            total += 1;
            // `rep bsf`, which gcc emits for any target: TZCNT where BMI1 is, BSF elsewhere.
            if ins.mnemonic() == Mnemonic::Tzcnt {
                continue;
            }
            if let Some(&f) = ins.cpuid_features().iter().max_by_key(|&&f| level_of(f)) {
                *counts.entry(f).or_default() += 1;
            }
        }
    }
    let top = counts.keys().map(|&f| level_of(f)).max().unwrap_or(1);
    let mut exts: Vec<(u64, CpuidFeature)> = counts
        .iter()
        .filter(|(&f, _)| level_of(f) == top && top > 1)
        .map(|(&f, &n)| (n, f))
        .collect();
    exts.sort_by_key(|e| std::cmp::Reverse(e.0));
    let at_top: u64 = exts.iter().map(|e| e.0).sum();
    Some(BuiltFor {
        file: file.to_owned(),
        level: format!("x86-64-v{top}"),
        source: "text".into(),
        extensions: exts.iter().take(4).map(|e| format!("{:?}", e.1)).collect(),
        top_level_pct: (top > 1 && total > 0)
            .then(|| (at_top as f64 * 1000.0 / total as f64).round() / 10.0),
    })
}

/// The x86-64 micro-architecture level an instruction set belongs to (1 = baseline;
/// extensions outside the levels, such as AES or SHA, count as baseline).
fn level_of(f: CpuidFeature) -> u8 {
    use CpuidFeature as F;
    match f {
        F::CMPXCHG16B | F::POPCNT | F::SSE3 | F::SSSE3 | F::SSE4_1 | F::SSE4_2 => 2,
        F::AVX | F::AVX2 | F::BMI1 | F::BMI2 | F::F16C | F::FMA | F::LZCNT | F::MOVBE => 3,
        _ if format!("{f:?}").starts_with("AVX512") => 4,
        _ => 1,
    }
}

/// The highest level named in a GNU_PROPERTY_X86_ISA_1_NEEDED note.
fn isa_note(elf: &object::File) -> Option<u8> {
    const NEEDED: u32 = 0xc000_8002;
    let sec = elf.section_by_name(".note.gnu.property")?;
    let d = sec.data().ok()?;
    let u32_at = |i: usize| Some(u32::from_le_bytes(d.get(i..i + 4)?.try_into().ok()?));
    // One note: namesz, descsz, type, "GNU\0", then properties (type, size, data, pad to 8).
    let (namesz, descsz) = (u32_at(0)? as usize, u32_at(4)? as usize);
    let mut i = 12 + namesz.div_ceil(4) * 4;
    let end = (i + descsz).min(d.len());
    while i + 8 <= end {
        let (ty, size) = (u32_at(i)?, u32_at(i + 4)? as usize);
        if ty == NEEDED && size >= 4 {
            let bits = u32_at(i + 8)?;
            return Some(
                (1..=4)
                    .rev()
                    .find(|b| bits & (1 << (b - 1)) != 0)
                    .unwrap_or(1),
            );
        }
        i += 8 + size.div_ceil(8) * 8;
    }
    None
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn the_aes_ni_mask_clears_aes_ni_and_pclmulqdq() {
        let c =
            decode_caps("CPUINFO: OPENSSL_ia32cap=0x7cd8220d078bffff:0x2c1 env:~0x200000200000000")
                .unwrap();
        assert!(!c.aes_ni && !c.pclmulqdq && c.avx && !c.avx2);
        let c = decode_caps("CPUINFO: OPENSSL_ia32cap=0x7efa320b078bffff:0x60009c01ea9").unwrap();
        assert!(c.aes_ni && c.pclmulqdq && c.avx && c.avx2 && c.vaes && c.vpclmulqdq);
        assert_eq!(decode_caps("CPUINFO: nothing"), None);
    }

    #[test]
    fn this_process_names_the_ifunc_picks_or_says_why_not() {
        let p = ifunc_picks().expect("libc is loaded");
        for name in [&p.memcpy, &p.memmove, &p.strlen] {
            assert!(name.starts_with("__") || name == NO_SYMBOLS, "{p:?}");
        }
    }

    pub(crate) fn with_caps(info: &str, memcpy: &str) -> CodePath {
        CodePath {
            openssl: decode_caps(info),
            glibc: Some(IfuncPicks {
                memcpy: memcpy.into(),
                memmove: memcpy.into(),
                strlen: "__strlen_avx2".into(),
                symbols: None,
            }),
            ..CodePath::default()
        }
    }

    pub(crate) const AES_ON: &str = "CPUINFO: OPENSSL_ia32cap=0x7efa320b078bffff:0x2c1";
    pub(crate) const AES_OFF: &str =
        "CPUINFO: OPENSSL_ia32cap=0x7cd8220d078bffff:0x2c1 env:~0x200000200000000";

    #[test]
    fn the_same_aes_caps_or_ifunc_picks_give_a_note_for_the_benchmarks_they_concern() {
        let on = with_caps(AES_ON, "__memmove_avx_unaligned_erms");
        let aes = ["aes/256-gcm/encrypt/16384".to_string()];
        let notes = same_path_notes(&on, &on.clone(), &aes);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].starts_with("both builds use AES-NI at run time (AES-NI, PCLMULQDQ, AVX)")
                && notes[0].ends_with("a rebuild cannot add it"),
            "{notes:?}"
        );
        let off = with_caps(AES_OFF, "__memmove_avx_unaligned_erms");
        assert!(
            same_path_notes(&on, &off, &aes).is_empty(),
            "AES-NI masked on one side"
        );
        assert_eq!(
            same_path_notes(&off, &off, &aes),
            ["both builds run the same AES code path (no AES-NI in either)"]
        );
        // Not about AES: no OpenSSL note; libc benchmarks get the IFUNC note.
        let libc = ["libc/memcpy/4096".to_string()];
        let notes = same_path_notes(&on, &off, &libc);
        assert_eq!(
            notes,
            ["both variants' glibc picked the same implementations (memcpy → __memmove_avx_unaligned_erms, strlen → __strlen_avx2)"]
        );
        let sse = with_caps(AES_ON, "__memmove_sse2_unaligned_erms");
        assert!(same_path_notes(&on, &sse, &libc).is_empty());
        let unnamed = with_caps(AES_ON, NO_SYMBOLS);
        assert!(same_path_notes(&unnamed, &unnamed, &libc).is_empty());
        let zlib = ["compress/zlib/l6/text".to_string()];
        assert!(same_path_notes(&on, &on, &zlib).is_empty());
        assert!(same_path_notes(&CodePath::default(), &on, &aes).is_empty());
    }

    #[test]
    fn a_system_library_has_a_level() {
        let exe = std::env::current_exe().unwrap();
        let b = read_built_for(&exe, &std::fs::read(&exe).unwrap()).unwrap();
        assert!(b.level.starts_with("x86-64-v"), "{b:?}");
    }
}
