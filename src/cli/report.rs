//! `storebench report`: render results documents as one HTML page; and the
//! report `run` writes by default.

use crate::error::{exit, Error, Result};
use crate::report;
use crate::results::Document;
use clap::Args;
use std::path::PathBuf;

#[derive(Args)]
pub(super) struct ReportArgs {
    /// Results documents (`run --json`); the newest is reported on, all of
    /// them make the history.
    #[arg(value_name = "RESULTS.json", required = true)]
    documents: Vec<PathBuf>,
    /// The directory to write index.html into. Default: reports/<start time of the newest>/.
    #[arg(short = 'o', long = "out", value_name = "DIR")]
    out: Option<PathBuf>,
    /// Open the page with xdg-open when there is a display.
    #[arg(long)]
    open: bool,
}

/// The report flags of a command that measures.
#[derive(Args)]
pub(super) struct RunReport {
    /// Do not write the HTML report.
    #[arg(long, conflicts_with = "report_dir")]
    no_report: bool,
    /// Where to write the HTML report. Default: reports/<start time>/.
    #[arg(long, value_name = "DIR")]
    report_dir: Option<PathBuf>,
}

impl RunReport {
    /// Fails when the report's directory (or `reports/`, by default) cannot be written.
    pub(super) fn check(&self) -> Result<()> {
        if self.no_report {
            return Ok(());
        }
        let dir = match &self.report_dir {
            Some(d) => d.clone(),
            None => report::default_dir(&Document::of_results(vec![]))
                .parent()
                .map(PathBuf::from)
                .unwrap_or_default(),
        };
        super::outputs::writable(&dir.join(report::PAGE), true)
    }

    /// Writes the report of `doc` unless told not to, and says where.
    pub(super) fn write(&self, doc: &Document) -> Result<()> {
        if self.no_report {
            return Ok(());
        }
        let dir = match &self.report_dir {
            Some(dir) => dir.clone(),
            None => report::new_dir(report::default_dir(doc))?,
        };
        let page = report::write(std::slice::from_ref(doc), &dir)?;
        eprintln!("report: {}", report::file_url(&page));
        Ok(())
    }
}

pub(super) fn report(args: ReportArgs) -> Result<i32> {
    let docs: Vec<Document> = args
        .documents
        .iter()
        .map(|p| Document::read(p))
        .collect::<Result<_>>()?;
    let newest = docs
        .iter()
        .max_by(|a, b| a.started.cmp(&b.started))
        .ok_or(Error::NoDocument)?;
    let dir = args.out.unwrap_or_else(|| report::default_dir(newest));
    let clock = std::time::Instant::now();
    let page = report::write(&docs, &dir)?;
    let url = report::file_url(&page);
    eprintln!("rendered in {:.0} ms", clock.elapsed().as_secs_f64() * 1e3);
    println!("{url}");
    if args.open {
        open(&url);
    }
    Ok(exit::OK)
}

/// Hands the page to the desktop, where there is one; a report is never
/// worth failing over, so problems are only told.
fn open(url: &str) {
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        eprintln!("no display (neither DISPLAY nor WAYLAND_DISPLAY is set): open {url} yourself");
        return;
    }
    if let Err(e) = std::process::Command::new("xdg-open")
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        eprintln!("could not run xdg-open ({e}): open {url} yourself");
    }
}
