//! Impact: when the page is given a probe made with `--libraries` beside the
//! run, what the run's rebuild would save that workload (`storebench impact`'s
//! table). Absent otherwise.

use super::{pct_ci, Page};
use crate::impact;
use crate::report::Esc;
use std::fmt::Write;

pub fn render(page: &Page, out: &mut String) {
    let Some(probe) = page
        .docs
        .iter()
        .rev()
        .find(|d| d.probe.as_ref().is_some_and(|p| p.libraries.is_some()))
    else {
        return;
    };
    let Some(run) = page.docs.iter().rev().find(|d| !d.comparisons.is_empty()) else {
        return;
    };
    let Ok(i) = impact::project(probe, run, None) else {
        return;
    };
    let p = &i.projection;
    let _ = writeln!(
        out,
        "<section id=\"impact\">\n<h2>Impact on a probed workload</h2>\n<p class=\"lead\">\
         <code>{}</code> against <code>{}</code>, weighted by where the probe <code>{}</code> spent its CPU time \
         ({} samples): CPU time saved <strong>{}</strong>; ceiling if the measured objects took no time \
         {:.1} %. Objects the run did not measure are unknown, not zero.</p>",
        Esc(&i.variant),
        Esc(&i.baseline),
        Esc(probe.probe.as_ref().map_or("", |p| p.name.as_str())),
        i.samples,
        pct_ci(p.saving_pct, p.saving_ci_pct[0], p.saving_ci_pct[1]),
        p.ceiling_pct
    );
    let _ = writeln!(
        out,
        "<table>\n<thead><tr><th>object</th><th>share</th><th>change</th><th>time saved</th><th>saving</th></tr></thead>\n<tbody>"
    );
    for o in i
        .objects
        .iter()
        .filter(|o| o.change.is_some() || o.share_pct >= 1.0)
    {
        row(o, out);
    }
    let _ = writeln!(out, "</tbody>\n</table>");
    for c in &i.claims {
        let _ = writeln!(
            out,
            "<p>Claim <code>{}</code> ({}–{} %) for this workload: <strong>{}</strong>{}</p>",
            Esc(&c.id),
            c.range_pct[0],
            c.range_pct[1],
            Esc(&c.verdict),
            c.projection
                .as_ref()
                .map(|p| format!(
                    ", projected {}",
                    pct_ci(p.speedup_pct, p.speedup_ci_pct[0], p.speedup_ci_pct[1])
                ))
                .unwrap_or_default()
        );
    }
    let _ = writeln!(
        out,
        "<p class=\"lead\">CI: {}</p>\n</section>",
        Esc(impact::METHOD)
    );
}

/// One object: its share, the run's change for it, and the saving.
fn row(o: &impact::ObjectImpact, out: &mut String) {
    let share = format!(
        "{:.1} % <span class=\"ci\">({:.1} … {:.1})</span>",
        o.share_pct, o.share_ci_pct[0], o.share_ci_pct[1]
    );
    let (change, saved, saving) = match &o.change {
        Some(c) if c.not_rebuilt => (
            "not rebuilt: the same file in both variants".into(),
            "0".into(),
            "0 %".into(),
        ),
        Some(c) => (
            pct_ci(c.change_pct, c.change_ci_pct[0], c.change_ci_pct[1]),
            pct_ci(
                c.time_saved_pct,
                c.time_saved_ci_pct[0],
                c.time_saved_ci_pct[1],
            ),
            format!("{:+.2} %", o.saving_pct.unwrap_or_default()),
        ),
        None => ("unknown".into(), String::new(), "?".into()),
    };
    let _ = writeln!(
        out,
        "<tr><td><code>{}</code></td><td>{share}</td><td>{change}</td><td>{saved}</td><td>{saving}</td></tr>",
        Esc(&o.name)
    );
}
