//! Per-round distributions: every round's figure of every variant, one strip
//! per benchmark, as a percentage of the reference variant's median. This is
//! the noise a confidence interval summarises, shown point by point.

use super::{dodge, row_frame, row_rule, Area, Chart, DrawResult, RowAxis, ROW, WIDTH};
use super::{label_font, legend, marker, padded_range, row_y, rows_height};
use crate::report::palette;
use crate::results::{BenchResult, Status};
use crate::stats;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub struct DistributionChart {
    group: String,
    /// Per benchmark: the reference variant's name and one strip per variant.
    rows: Vec<(String, Vec<Strip>)>,
    variants: Vec<(usize, String)>,
    reference: String,
}

struct Strip {
    variant: usize,
    /// Each round's figure in percent of the reference median; empty when the
    /// variant has no figure (`status` says why).
    percent: Vec<f64>,
    median: Option<f64>,
    status: Status,
}

impl DistributionChart {
    /// None when the group has no result. The reference is the first variant
    /// of the document that measured the benchmark.
    pub fn for_group(
        group: &str,
        results: &[BenchResult],
        variants: &[String],
    ) -> Option<DistributionChart> {
        let index = |name: &str| variants.iter().position(|v| v == name).unwrap_or(0);
        let mut benches: Vec<&str> = Vec::new();
        for r in results.iter().filter(|r| r.group == group) {
            if !benches.contains(&r.bench.as_str()) {
                benches.push(&r.bench);
            }
        }
        if benches.is_empty() {
            return None;
        }
        let mut used: Vec<usize> = Vec::new();
        let mut reference = String::new();
        let rows = benches
            .iter()
            .map(|&bench| {
                let mut mine: Vec<&BenchResult> =
                    results.iter().filter(|r| r.bench == bench).collect();
                mine.sort_by_key(|r| index(&r.variant));
                let base = mine
                    .iter()
                    .filter(|r| r.status == Status::Ok)
                    .find_map(|r| {
                        stats::median(&r.figures())
                            .filter(|m| *m > 0.0)
                            .map(|m| (r, m))
                    });
                if let Some((r, _)) = base {
                    if reference.is_empty() {
                        reference = r.variant.clone();
                    }
                }
                let strips = mine
                    .iter()
                    .map(|r| {
                        used.push(index(&r.variant));
                        let percent: Vec<f64> = match (r.status, base) {
                            (Status::Ok, Some((_, m))) => {
                                r.figures().iter().map(|f| 100.0 * f / m).collect()
                            }
                            _ => vec![],
                        };
                        Strip {
                            variant: index(&r.variant),
                            median: stats::median(&percent),
                            percent,
                            status: r.status,
                        }
                    })
                    .collect();
                (bench.to_string(), strips)
            })
            .collect();
        used.sort_unstable();
        used.dedup();
        Some(DistributionChart {
            group: group.into(),
            rows,
            variants: used
                .into_iter()
                .map(|i| (i, variants.get(i).cloned().unwrap_or_default()))
                .collect(),
            reference,
        })
    }

    fn offset(&self, variant: usize) -> f64 {
        let k = self.variants.len();
        let j = self
            .variants
            .iter()
            .position(|(i, _)| *i == variant)
            .unwrap_or(0);
        dodge(j, k, 0.7)
    }
}

impl Chart for DistributionChart {
    fn id(&self) -> String {
        format!("distribution-{}", self.group)
    }

    fn title(&self) -> String {
        format!(
            "{}: every round of every variant, in percent of the median of {} (one mark per round, bar: median)",
            self.group, self.reference
        )
    }

    fn size(&self) -> (u32, u32) {
        let per_row = ROW + 10 * (self.variants.len() as u32).saturating_sub(1);
        (WIDTH, rows_height(self.rows.len(), per_row))
    }

    fn draw(&self, area: &Area) -> DrawResult {
        let n = self.rows.len();
        let names: Vec<String> = self.rows.iter().map(|(b, _)| b.clone()).collect();
        let values = self
            .rows
            .iter()
            .flat_map(|(_, s)| s.iter().flat_map(|s| s.percent.iter().copied()));
        let (lo, hi) = padded_range(values, &[100.0]);
        let plot = legend(area, &self.variants)?;
        let desc = format!(
            "each round's figure, % of the median of {} (100 % = {})",
            self.reference, self.reference
        );
        let tick = |x: &f64| format!("{x:.0} %");
        let axis = RowAxis {
            desc,
            tick: &tick,
            labels: None,
            right: 12,
        };
        let mut chart = row_frame(&plot, &names, lo..hi, axis)?;
        row_rule(&mut chart, 100.0, n)?;
        let band = 0.5 / self.variants.len() as f64;
        for (i, (_, strips)) in self.rows.iter().enumerate() {
            for strip in strips {
                let y = row_y(i, n) + self.offset(strip.variant);
                if strip.percent.is_empty() {
                    let text = match strip.status {
                        Status::Ok => "no percentage: the reference median is 0".to_string(),
                        status => format!("{}: no figure", format!("{status:?}").to_lowercase()),
                    };
                    chart.draw_series([Text::new(
                        text,
                        (lo, y),
                        label_font()
                            .color(&palette::BLACK)
                            .pos(Pos::new(HPos::Left, VPos::Center)),
                    )])?;
                    continue;
                }
                // The median first, so that the rounds are drawn over it.
                if let Some(m) = strip.median {
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(m, y - band * 0.8), (m, y + band * 0.8)],
                        palette::BLACK.stroke_width(3),
                    )))?;
                }
                // A fixed jitter by round keeps equal values apart, and the
                // same document always draws the same picture.
                let jitter = |k: usize| ((k % 5) as f64 - 2.0) / 4.0 * band * 0.5;
                chart.draw_series(
                    strip
                        .percent
                        .iter()
                        .enumerate()
                        .map(|(k, &p)| marker(strip.variant, (p, y + jitter(k)), 3)),
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::chart::render;
    use crate::results::RoundSample;
    use crate::results::Unit;

    fn result(variant: &str, seconds: &[f64]) -> BenchResult {
        let rounds = seconds
            .iter()
            .enumerate()
            .map(|(i, &s)| RoundSample {
                round: i as u32,
                iterations: 1,
                seconds: s,
                user_seconds: s,
                system_seconds: 0.0,
                ..Default::default()
            })
            .collect();
        BenchResult::new(
            "b",
            "g",
            variant,
            Unit::OpsPerSecond,
            1,
            rounds,
            Status::Ok,
            None,
        )
    }

    #[test]
    fn rounds_are_percent_of_the_reference_median() {
        let results = [
            result("ref", &[1.0, 0.5, 2.0]),
            result("opt", &[0.5, 0.5, 0.5]),
        ];
        let chart =
            DistributionChart::for_group("g", &results, &["ref".into(), "opt".into()]).unwrap();
        let strips = &chart.rows[0].1;
        assert_eq!(strips[0].percent, [100.0, 200.0, 50.0]);
        assert_eq!(strips[1].median, Some(200.0));
        let svg = render(&chart).unwrap();
        assert!(svg.matches("<circle").count() >= 3, "{svg}");
    }
}
