//! Distributions: every round of every variant, per group, so the reader sees
//! the noise a confidence interval summarises.

use super::{figure, Page};
use crate::error::Result;
use crate::report::chart::DistributionChart;
use std::fmt::Write;

pub fn render(page: &Page, out: &mut String) -> Result<()> {
    let _ = writeln!(
        out,
        "<section id=\"distributions\">\n<h2>Distributions</h2>\n<p class=\"lead\">One mark per round and variant, \
         in percent of the reference variant's median; the black bar is each variant's median. \
         Marks far apart mean a noisy machine, and a wide confidence interval above.</p>"
    );
    for group in page.groups() {
        if let Some(chart) = DistributionChart::for_group(group, &page.doc.results, &page.variants)
        {
            figure(out, &chart)?;
        }
    }
    let _ = writeln!(out, "</section>");
    Ok(())
}
