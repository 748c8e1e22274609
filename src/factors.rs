//! Factors: the flags a variant was built with, as its config declares them
//! (`factors = { opt = "O3", march = "native", lto = true, pgo = false }`), and
//! what a build costs (`build_seconds = { zlib = 4.1 }`).
//!
//! A run whose variants declare factors can attribute each change to the flags
//! (`attribution`); this module only holds the declarations, checks them, and
//! says what a level means for portability. It knows nothing of measurements.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use std::fmt;

/// One factor's level: a switch (`lto = true`) or a named setting (`opt = "O3"`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Level {
    Switch(bool),
    Named(String),
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Level::Switch(true) => f.write_str("on"),
            Level::Switch(false) => f.write_str("off"),
            Level::Named(s) => f.write_str(s),
        }
    }
}

/// A variant's factors, in the order its config wrote them.
pub type Factors = IndexMap<String, Level>;

/// The factor whose level says which CPUs a build runs on.
pub const MARCH: &str = "march";

/// Whether a build of these factors runs on other CPUs of its architecture: a
/// `-march=native` build uses this CPU's instruction set, which another may lack.
pub fn portability(factors: &Factors) -> (bool, String) {
    match factors.get(MARCH) {
        None => (true, "any CPU (no march factor)".into()),
        Some(Level::Named(m)) if m == "native" => (
            false,
            "this CPU's instruction set only (-march=native)".into(),
        ),
        Some(Level::Named(m)) if matches!(m.as_str(), "generic" | "x86-64" | "default") => {
            (true, "any x86-64 CPU".into())
        }
        Some(level) => (false, format!("CPUs that have -march={level}")),
    }
}

/// The checks a config's `factors` and `build_seconds` of variant `name` must
/// pass: names a table can print, times that are times.
pub fn check(
    name: &str,
    factors: &Factors,
    build_seconds: &IndexMap<String, f64>,
) -> Result<(), String> {
    for (factor, level) in factors {
        let bad_name = factor.is_empty()
            || factor.len() > 40
            || !factor
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if bad_name {
            return Err(format!(
                "variants.{name}.factors: `{factor}` is not a factor name (letters, digits, - and _, at most 40)"
            ));
        }
        if let Level::Named(s) = level {
            if s.is_empty() || s.len() > 40 || s.chars().any(char::is_control) {
                return Err(format!(
                    "variants.{name}.factors.{factor}: a level is a short text without control characters"
                ));
            }
        }
    }
    for (library, secs) in build_seconds {
        if !secs.is_finite() || *secs < 0.0 || *secs > crate::bounds::MAX_SPAN_SECONDS {
            return Err(format!(
                "variants.{name}.build_seconds.{library}: {secs} is not a build time in seconds"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn factors(toml_text: &str) -> Factors {
        #[derive(Deserialize)]
        struct T {
            factors: Factors,
        }
        toml::from_str::<T>(toml_text).unwrap().factors
    }

    #[test]
    fn levels_keep_their_order_and_a_native_build_is_not_portable() {
        let f = factors(r#"factors = { opt = "O3", march = "native", lto = true }"#);
        assert_eq!(f.keys().collect::<Vec<_>>(), ["opt", "march", "lto"]);
        assert_eq!(f["lto"].to_string(), "on");
        assert!(!portability(&f).0);
        assert!(portability(&factors(r#"factors = { march = "generic" }"#)).0);
        assert!(!portability(&factors(r#"factors = { march = "x86-64-v3" }"#)).0);
    }

    #[test]
    fn bad_names_and_times_are_refused_with_the_key() {
        let none = IndexMap::new();
        let e = check("a", &factors(r#"factors = { "o pt" = "O3" }"#), &none).unwrap_err();
        assert!(e.contains("variants.a.factors"), "{e}");
        let secs: IndexMap<String, f64> = [("zlib".to_string(), -1.0)].into_iter().collect();
        let e = check("a", &Factors::new(), &secs).unwrap_err();
        assert!(e.contains("build_seconds.zlib"), "{e}");
    }
}
