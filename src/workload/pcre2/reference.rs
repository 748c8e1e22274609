//! The matches each pcre2 pattern must find, computed without PCRE2 (and without
//! any regex engine): plain scans that follow the pattern's leftmost-first,
//! non-overlapping semantics on ASCII text. They are what a variant's libpcre2 is
//! checked against, so a library that matches wrongly cannot vouch for itself.
//!
//! ASCII only: on ASCII, PCRE2's `\w` (with or without UCP) is `[A-Za-z0-9_]`,
//! `\p{L}` is `[A-Za-z]` and `\s` is space, tab, LF, VT, FF and CR. The generated
//! corpora are ASCII; the workload refuses any other input before measuring.

use std::ops::Range;

/// `benchmark`: every occurrence (it has no border, so overlapping and
/// non-overlapping counts agree).
pub fn literal(hay: &[u8], needle: &[u8]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i + needle.len() <= hay.len() {
        if &hay[i..i + needle.len()] == needle {
            out.push(i..i + needle.len());
            i += needle.len();
        } else {
            i += 1;
        }
    }
    out
}

/// `a|b|c…`: at each position the first alternative (in pattern order) that
/// matches there, as a backtracking engine tries them.
pub fn alternation(hay: &[u8], alternatives: &[&str]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < hay.len() {
        let found = alternatives
            .iter()
            .map(|a| a.as_bytes())
            .find(|a| hay[i..].starts_with(a));
        match found {
            Some(a) => {
                out.push(i..i + a.len());
                i += a.len();
            }
            None => i += 1,
        }
    }
    out
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// `(?i)\bPREFIX\p{L}+` in UCP mode: a word start, `prefix` in either case, then
/// one or more letters, as many as there are.
pub fn caseless_prefix_word(hay: &[u8], prefix: &[u8]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i + prefix.len() < hay.len() {
        let boundary = i == 0 || !is_word(hay[i - 1]);
        if boundary
            && hay[i..i + prefix.len()].eq_ignore_ascii_case(prefix)
            && hay[i + prefix.len()].is_ascii_alphabetic()
        {
            let end = (i + prefix.len()..hay.len())
                .find(|&j| !hay[j].is_ascii_alphabetic())
                .unwrap_or(hay.len());
            out.push(i..end);
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

/// `\b(\w+)\s+\1\b`: a word, whitespace only, then the same word again. `\w+`
/// must take the whole first word (only whitespace may follow it) and `\1\b`
/// the whole second one, so each match is a pair of equal adjacent words; the
/// search goes on after the pair.
pub fn repeated_word(hay: &[u8]) -> Vec<Range<usize>> {
    let words = words(hay);
    let mut out = Vec::new();
    let mut k = 0;
    while k + 1 < words.len() {
        let (a, b) = (&words[k], &words[k + 1]);
        let gap = &hay[a.end..b.start];
        if gap.iter().all(|&c| is_space(c)) && hay[a.clone()] == hay[b.clone()] {
            out.push(a.start..b.end);
            k += 2;
        } else {
            k += 1;
        }
    }
    out
}

/// The maximal runs of word characters.
fn words(hay: &[u8]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, &c) in hay.iter().enumerate() {
        match (is_word(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(s..hay.len());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_scan_finds_what_the_pattern_means() {
        assert_eq!(
            literal(b"a benchmark, benchmarks", b"benchmark"),
            vec![2..11, 13..22]
        );
        assert_eq!(
            alternation(
                b"rivers of the winter garden",
                &["river", "winter", "garden"]
            ),
            vec![0..5, 14..20, 21..27]
        );
        assert_eq!(
            caseless_prefix_word(b"The other THEME, th x_thy Th", b"th"),
            vec![0..3, 10..15]
        );
        assert_eq!(
            repeated_word(b"the the the, of of\nof is is_ a  a"),
            vec![0..7, 13..18, 29..33]
        );
    }

    #[test]
    fn a_repeated_word_needs_whitespace_only_and_the_whole_word() {
        assert!(repeated_word(b"the, the").is_empty());
        assert!(repeated_word(b"the theme").is_empty());
        assert!(repeated_word(b"ing king").is_empty());
        assert_eq!(repeated_word(b"x\t\r\nx"), vec![0..5]);
    }
}
