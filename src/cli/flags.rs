//! The value parsers of every number the command line takes: each refuses
//! what is not finite, not positive or out of bounds with a sentence naming the
//! value, so that clap exits 2 before anything converts it to a `Duration` or
//! sizes an allocation by it. The bounds are the results document's
//! ([`crate::bounds`]): a run storebench writes always loads back.

use crate::bounds::{
    MAX_CORPUS_BYTES, MAX_SAMPLES, MAX_SLICE_SECONDS, MAX_SPAN_SECONDS, MAX_TIMEOUT_SECONDS,
};
use std::time::Duration;

type Parsed<T> = std::result::Result<T, String>;

/// `--slice SECS`: a millisecond to a minute.
pub(super) fn slice(s: &str) -> Parsed<f64> {
    seconds(s, MAX_SLICE_SECONDS)
}

/// `--timeout SECS`: a millisecond to a day.
pub(super) fn timeout(s: &str) -> Parsed<f64> {
    seconds(s, MAX_TIMEOUT_SECONDS)
}

fn seconds(s: &str, max: f64) -> Parsed<f64> {
    match s.trim().parse::<f64>() {
        Ok(x) if (0.001..=max).contains(&x) => Ok(x),
        _ => Err(format!(
            "`{s}` is not a number of seconds from 0.001 to {max}"
        )),
    }
}

/// `--budget`, `--require-quiet`, a probe's `--duration` and
/// `--interval`: humantime's syntax (`90s`, `10m`), more than zero, at most a
/// week.
pub(super) fn span(s: &str) -> Parsed<Duration> {
    let d = humantime::parse_duration(s).map_err(|e| format!("`{s}`: {e}"))?;
    if d.is_zero() || d.as_secs_f64() > MAX_SPAN_SECONDS {
        return Err(format!(
            "`{s}` is not a time above zero and at most {}",
            humantime::format_duration(Duration::from_secs_f64(MAX_SPAN_SECONDS))
        ));
    }
    Ok(d)
}

/// `--rounds N`: 1 to [`MAX_SAMPLES`].
pub(super) fn rounds(s: &str) -> Parsed<u32> {
    count(s, 1)
}

/// `--confirm N`: 0 (judge at once) to [`MAX_SAMPLES`].
pub(super) fn confirm(s: &str) -> Parsed<u32> {
    count(s, 0)
}

fn count(s: &str, min: u32) -> Parsed<u32> {
    match s.trim().parse::<u32>() {
        Ok(n) if n >= min && n as usize <= MAX_SAMPLES => Ok(n),
        _ => Err(format!(
            "`{s}` is not a whole number from {min} to {MAX_SAMPLES}"
        )),
    }
}

/// `--corpus-kib KIB`: 1 KiB to [`MAX_CORPUS_BYTES`].
pub(super) fn kib(s: &str) -> Parsed<usize> {
    let max = MAX_CORPUS_BYTES / 1024;
    match s.trim().parse::<u64>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n as usize),
        _ => Err(format!("`{s}` is not a corpus size from 1 to {max} KiB")),
    }
}

/// `--noise PCT`: 0 to 100 %.
pub(super) fn non_negative(s: &str) -> Parsed<f64> {
    match s.trim_end_matches('%').trim().parse::<f64>() {
        Ok(x) if (0.0..=100.0).contains(&x) => Ok(x),
        _ => Err(format!("`{s}` is not a number of percent from 0 to 100")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn times_that_cannot_be_a_duration_are_refused() {
        for bad in [
            "0", "-1", "NaN", "inf", "-inf", "1e300", "61", "1e-400", "x", "",
        ] {
            assert!(slice(bad).is_err(), "--slice {bad}");
        }
        for bad in ["0", "-0.5", "nan", "1e20", "86401"] {
            assert!(timeout(bad).is_err(), "--timeout {bad}");
        }
        assert_eq!(slice("0.25"), Ok(0.25));
        assert_eq!(timeout("120"), Ok(120.0));
        assert!(slice("-1").unwrap_err().contains("seconds from 0.001"));
        assert!(slice("1e-320").is_err());
    }

    #[test]
    fn spans_must_be_above_zero_and_at_most_a_week() {
        assert_eq!(span("90s"), Ok(Duration::from_secs(90)));
        for bad in ["0s", "8days", "100000000000000y", "-1s", "soon"] {
            assert!(span(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn counts_sizes_and_percentages_are_bounded() {
        assert!(rounds("0").is_err());
        assert!(rounds("4000000000").is_err());
        assert_eq!(rounds("10"), Ok(10));
        assert_eq!(confirm("0"), Ok(0));
        assert!(confirm("10001").is_err());
        assert!(kib("0").is_err());
        assert!(kib("18446744073709551615").is_err());
        assert_eq!(kib("256"), Ok(256));
        assert!(non_negative("NaN").is_err());
        assert!(non_negative("1e308").is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Whatever the text, a number flag's parser answers, and what it
        /// accepts converts to a `Duration` without a panic.
        #[test]
        fn any_text_parses_or_is_refused_and_what_passes_is_a_duration(s in ".{0,24}") {
            if let Ok(x) = slice(&s) {
                prop_assert!(Duration::try_from_secs_f64(x).is_ok_and(|d| !d.is_zero()));
            }
            if let Ok(x) = timeout(&s) {
                prop_assert!(Duration::try_from_secs_f64(x).is_ok());
            }
            if let Ok(d) = span(&s) {
                prop_assert!(std::time::Instant::now().checked_add(d).is_some());
            }
            let _ = (rounds(&s), confirm(&s), kib(&s), non_negative(&s));
        }

        #[test]
        fn any_float_as_seconds_is_refused_or_a_duration(x in proptest::num::f64::ANY) {
            for text in [x.to_string(), format!("{x:e}")] {
                if let Ok(v) = slice(&text) {
                    prop_assert!((0.001..=MAX_SLICE_SECONDS).contains(&v));
                    let _ = Duration::from_secs_f64(v);
                }
                if let Ok(v) = timeout(&text) {
                    let _ = Duration::from_secs_f64(v);
                }
            }
        }
    }
}
