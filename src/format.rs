//! How figures read on the terminal, in the report and in the exports: a figure
//! in its unit, a change with its interval. Formatting only; every view borrows
//! these, so that one figure reads the same everywhere.

use crate::compare::signed;
use crate::results::Unit;

/// A figure in its unit: rates with SI prefixes, durations in s, ms or µs,
/// memory in binary units.
pub fn human(value: f64, unit: Unit) -> String {
    match unit {
        Unit::Seconds => human_seconds(value),
        Unit::Bytes => human_bytes(value),
        Unit::CpuSecondsPerSecond => format!("{value:.2} {}", unit.symbol()),
        Unit::BytesPerSecond | Unit::OpsPerSecond => human_rate(value, unit.symbol()),
    }
}

/// `1.23 s`, `45.6 ms`, `789 µs`.
pub fn human_seconds(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 1e-3 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{:.0} µs", s * 1e6)
    }
}

/// `50.0 MiB`: memory in binary units, as `ps` and `smem` count it.
pub fn human_bytes(bytes: f64) -> String {
    for (scale, unit) in [(1u64 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")] {
        if bytes >= scale as f64 {
            return format!("{:.1} {unit}", bytes / scale as f64);
        }
    }
    format!("{bytes:.0} B")
}

/// `312.4 MB/s`, `1.23 Mop/s`: SI prefixes, as `zstd -b` and lzbench count.
pub fn human_rate(value: f64, unit: &str) -> String {
    let (unit_prefix, unit_rest) = unit.split_at(unit.find('/').unwrap_or(unit.len()));
    for (scale, prefix) in [(1e9, "G"), (1e6, "M"), (1e3, "k")] {
        if value >= scale {
            return format!("{:.2} {prefix}{unit_prefix}{unit_rest}", value / scale);
        }
    }
    format!("{value:.1} {unit}")
}

/// `+3.2 % (+1.0 … +5.1)`.
pub fn change_with_ci(pct: f64, low: f64, high: f64) -> String {
    format!("{} % ({} … {})", signed(pct), signed(low), signed(high))
}

/// [`change_with_ci`] of a change that may be missing; `absent` when it is.
pub fn optional_change(
    pct: Option<f64>,
    low: Option<f64>,
    high: Option<f64>,
    absent: &str,
) -> String {
    match (pct, low, high) {
        (Some(p), Some(l), Some(h)) => change_with_ci(p, l, h),
        _ => absent.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_use_binary_prefixes_from_kib_up() {
        assert_eq!(human_bytes(0.0), "0 B");
        assert_eq!(human_bytes(1023.0), "1023 B");
        assert_eq!(human_bytes(1536.0), "1.5 KiB");
        assert_eq!(human_bytes(240.4 * 1024.0 * 1024.0), "240.4 MiB");
        assert_eq!(human_bytes(3.0 * (1u64 << 30) as f64), "3.0 GiB");
    }

    #[test]
    fn durations_and_memory_read_in_their_own_units() {
        assert_eq!(human(1.234, Unit::Seconds), "1.23 s");
        assert_eq!(human(0.0456, Unit::Seconds), "45.6 ms");
        assert_eq!(human(0.000789, Unit::Seconds), "789 µs");
        assert_eq!(human(1536.0, Unit::Bytes), "1.5 KiB");
        assert_eq!(human(200.0 * 1048576.0, Unit::Bytes), "200.0 MiB");
        assert_eq!(human(2.5e9, Unit::BytesPerSecond), "2.50 GB/s");
    }
}
