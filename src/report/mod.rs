//! The HTML report: one self-contained page that answers "which claims hold,
//! which do not, and how sure are we", then lets the reader drill into every
//! figure and see what each variant loaded.
//!
//! The page is inline SVG (drawn by plotters, see [`chart`]) and inline CSS: no
//! script, no font, nothing fetched, so it reads the same from a CI artefact,
//! offline, or printed. It draws what the results documents say and decides
//! nothing: verdicts come from the document, never from here.
//!
//! Every string that comes from input (variant names, paths, commands, claim
//! texts) goes through [`Esc`] before it reaches the page.

mod chart;
mod palette;
pub(crate) mod section;

use crate::error::{Error, Result};
use crate::results::Document;
use std::fmt;
use std::path::{Path, PathBuf};

/// The page's file name inside its report directory.
pub const PAGE: &str = "index.html";

/// Renders the page. The newest document (by start time) is the one reported
/// on; all of them make the history.
pub fn render(docs: &[Document]) -> Result<String> {
    let mut sorted: Vec<&Document> = docs.iter().collect();
    sorted.sort_by(|a, b| a.started.cmp(&b.started));
    let doc = *sorted.last().ok_or(Error::NoDocument)?;
    let page = section::Page {
        doc,
        variants: doc
            .variants
            .iter()
            .map(|v| v.variant.name.clone())
            .collect(),
        docs: sorted,
    };
    section::page(&page)
}

/// Renders the page into `dir/index.html` (creating `dir`) and returns its path.
/// The file is replaced whole, so a reader never sees half a page.
pub fn write(docs: &[Document], dir: &Path) -> Result<PathBuf> {
    let html = render(docs)?;
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let path = dir.join(PAGE);
    // A report is for reading by anyone, maybe through a web server.
    crate::atomic::write(&path, html.as_bytes(), Some(0o644))?;
    Ok(path)
}

/// `reports/<start time>`: one directory per run, sorted by time, without
/// characters that need quoting in a shell or a URL.
pub fn default_dir(doc: &Document) -> PathBuf {
    let stamp: String = doc
        .started
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let stamp = stamp.trim_matches('-');
    Path::new("reports").join(if stamp.is_empty() { "report" } else { stamp })
}

/// A new directory for the report of a new run: `base` ([`default_dir`]), or
/// when that is taken (two runs that started in the same second) the first free
/// of `<base>-2`, `-3`…, created here so that two runs at once never share one.
pub fn new_dir(base: PathBuf) -> Result<PathBuf> {
    if let Some(parent) = base.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    for n in 1..1000 {
        let dir = if n == 1 {
            base.clone()
        } else {
            let mut name = base.as_os_str().to_owned();
            name.push(format!("-{n}"));
            PathBuf::from(name)
        };
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(Error::io(&dir, e)),
        }
    }
    Err(Error::io(
        &base,
        std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            "999 reports started in this second already",
        ),
    ))
}

/// `file:///abs/path`, percent-encoded, for a terminal to make clickable.
pub fn file_url(path: &Path) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let mut url = String::from("file://");
    for b in abs.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

/// Text made safe for HTML, in element content and in quoted attribute values.
pub struct Esc<'a>(pub &'a str);

impl fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(i) = rest.find(['&', '<', '>', '"', '\'']) {
            f.write_str(&rest[..i])?;
            f.write_str(match rest.as_bytes()[i] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                _ => "&#39;",
            })?;
            rest = &rest[i + 1..];
        }
        f.write_str(rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escape(s: &str) -> String {
        Esc(s).to_string()
    }

    #[test]
    fn markup_in_input_becomes_text() {
        assert_eq!(
            escape("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(escape(r#"a"b'c&d"#), "a&quot;b&#39;c&amp;d");
        assert_eq!(escape("über → ok"), "über → ok");
        assert_eq!(escape(""), "");
    }

    #[test]
    fn a_comparison_without_figures_shows_a_dash_never_nan() {
        let mut doc = crate::export::tests::document("x", crate::results::ChangeVerdict::Broken);
        let c = &mut doc.comparisons[0];
        (c.change_pct, c.ci_low_pct, c.ci_high_pct, c.mde_pct) = (None, None, None, None);
        let page = render(&[doc]).expect("the page renders");
        assert!(!page.contains("NaN"), "NaN on the page");
        assert!(
            page.contains("<td class=\"num\">–</td>"),
            "no dash for the missing change"
        );
    }

    #[test]
    fn escaping_twice_escapes_the_ampersands_again() {
        assert_eq!(escape(&escape("&lt;")), "&amp;amp;lt;");
    }

    #[test]
    fn report_directories_are_named_for_the_start_time() {
        let mut doc: Document = serde_json::from_str(section::tests::MINIMAL).unwrap();
        doc.started = "2025-11-25T09:00:00Z".into();
        assert_eq!(default_dir(&doc), Path::new("reports/2025-11-25T09-00-00Z"));
    }

    #[test]
    fn two_runs_started_in_the_same_second_get_two_report_directories() {
        let tmp = tempfile::tempdir().unwrap();
        let mut doc: Document = serde_json::from_str(section::tests::MINIMAL).unwrap();
        doc.started = "2025-11-25T09:00:00Z".into();
        let base = tmp.path().join(default_dir(&doc));
        let first = new_dir(base.clone()).unwrap();
        let second = new_dir(base.clone()).unwrap();
        assert_eq!(first, tmp.path().join("reports/2025-11-25T09-00-00Z"));
        assert_eq!(second, tmp.path().join("reports/2025-11-25T09-00-00Z-2"));
        assert!(first.is_dir() && second.is_dir());
    }

    #[test]
    fn file_urls_are_absolute_and_encoded() {
        assert_eq!(
            file_url(Path::new("/tmp/a b/<x>.html")),
            "file:///tmp/a%20b/%3Cx%3E.html"
        );
        assert!(file_url(Path::new("rel")).starts_with("file:///"));
    }

    #[test]
    fn no_document_is_an_error() {
        assert!(matches!(render(&[]), Err(Error::NoDocument)));
    }
}
