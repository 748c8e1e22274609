//! A compiled PCRE2 pattern and its match loop, straight on libpcre2-8's C API
//! (`pcre2_compile`, `pcre2_jit_compile`, `pcre2_match`), as a C program uses it.
//!
//! Not through a wrapper crate: a UTF pattern is matched with
//! `PCRE2_NO_UTF_CHECK` once its subject was checked (here: it is ASCII), as PHP's
//! `preg_match_all` does. Without it, every `pcre2_match` call re-validates the
//! rest of the subject, and a block with many matches would measure that scan
//! (quadratic in the block) rather than the matching.

use pcre2_sys::*;
use std::ops::Range;
use std::ptr;

/// A pattern compiled (and, with the JIT, JIT-compiled), with its match data.
pub struct Compiled {
    code: *mut pcre2_code_8,
    data: *mut pcre2_match_data_8,
    /// `PCRE2_NO_UTF_CHECK` for a UTF pattern: the caller vouched for its subjects.
    match_options: u32,
}

/// The message PCRE2 gives for `code`.
fn message(code: i32) -> String {
    let mut buf = [0u8; 256];
    // SAFETY: PCRE2 writes at most `buf.len()` code units, NUL included.
    let n = unsafe { pcre2_get_error_message_8(code, buf.as_mut_ptr(), buf.len()) };
    let n = usize::try_from(n).unwrap_or(0).min(buf.len());
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

impl Compiled {
    /// Compiles `pattern`; `unicode_caseless` adds PCRE2_UTF | PCRE2_UCP |
    /// PCRE2_CASELESS (every subject must then be valid UTF-8, which the caller
    /// checks once); `jit` JIT-compiles it, and fails when the library has no JIT.
    pub fn new(pattern: &str, unicode_caseless: bool, jit: bool) -> Result<Compiled, String> {
        let options = if unicode_caseless {
            PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS
        } else {
            0
        };
        let (mut err, mut at) = (0, 0usize);
        // SAFETY: the pattern is passed with its length; PCRE2 copies what it keeps.
        let code = unsafe {
            pcre2_compile_8(
                pattern.as_ptr(),
                pattern.len(),
                options,
                &mut err,
                &mut at,
                ptr::null_mut(),
            )
        };
        if code.is_null() {
            return Err(format!("pcre2_compile at {at}: {}", message(err)));
        }
        // SAFETY: `code` is a valid compiled pattern.
        let data = unsafe { pcre2_match_data_create_from_pattern_8(code, ptr::null_mut()) };
        let compiled = Compiled {
            code,
            data,
            match_options: if unicode_caseless {
                PCRE2_NO_UTF_CHECK
            } else {
                0
            },
        };
        if data.is_null() {
            return Err("pcre2_match_data_create_from_pattern: out of memory".into());
        }
        if jit {
            // SAFETY: as above.
            let rc = unsafe { pcre2_jit_compile_8(code, PCRE2_JIT_COMPLETE) };
            if rc != 0 {
                return Err(format!("pcre2_jit_compile: {}", message(rc)));
            }
        }
        Ok(compiled)
    }

    /// Every match in `subject`, leftmost-first and non-overlapping, as
    /// `(start, end)` handed to `each`; the number of matches.
    pub fn for_each_match(
        &mut self,
        subject: &[u8],
        mut each: impl FnMut(Range<usize>),
    ) -> Result<usize, String> {
        let (mut start, mut found) = (0usize, 0usize);
        while start <= subject.len() {
            // SAFETY: `subject` is passed with its length and outlives the call;
            // `code` and `data` belong to this pattern.
            let rc = unsafe {
                pcre2_match_8(
                    self.code,
                    subject.as_ptr(),
                    subject.len(),
                    start,
                    self.match_options,
                    self.data,
                    ptr::null_mut(),
                )
            };
            if rc == PCRE2_ERROR_NOMATCH {
                break;
            }
            if rc < 0 {
                return Err(format!("pcre2_match at {start}: {}", message(rc)));
            }
            // SAFETY: after a match the ovector holds at least one pair.
            let (s, e) = unsafe {
                let ov = pcre2_get_ovector_pointer_8(self.data);
                (*ov, *ov.add(1))
            };
            if s > e || e > subject.len() {
                return Err(format!("pcre2_match returned the span {s}..{e}"));
            }
            each(s..e);
            found += 1;
            // An empty match moves on by one, as every `find_all` does.
            start = if e == s { e + 1 } else { e };
        }
        Ok(found)
    }
}

impl Drop for Compiled {
    fn drop(&mut self) {
        // SAFETY: both were made by PCRE2 for this pattern and are freed once;
        // PCRE2 ignores a null pointer.
        unsafe {
            pcre2_match_data_free_8(self.data);
            pcre2_code_free_8(self.code);
        }
    }
}
