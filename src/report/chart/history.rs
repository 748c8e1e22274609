//! History: how a group moved over several stored runs. When the runs carry
//! group comparisons, the trend of each compared variant's change with its CI;
//! otherwise each variant's speed as a percentage of its first run.

use super::{legend, marker, padded_range, style_mesh, Area, Chart, DrawResult, WIDTH};
use crate::report::palette;
use crate::results::{Document, Status};
use crate::stats;
use plotters::prelude::*;

pub struct HistoryChart {
    group: String,
    /// One label per run, oldest first.
    runs: Vec<String>,
    /// Per variant (index for its colour, name): (run, estimate, CI) points.
    series: Vec<((usize, String), Vec<Point>)>,
    measure: Measure,
}

#[derive(Clone, Copy)]
struct Point {
    run: usize,
    value: f64,
    ci: Option<(f64, f64)>,
}

#[derive(Clone, Copy, PartialEq)]
enum Measure {
    /// The group's geometric-mean change against the baseline, in %.
    Change,
    /// The variant's speed in % of its first run in these documents.
    Index,
}

impl HistoryChart {
    /// `docs` oldest first. None unless the group was measured in two runs.
    pub fn for_group(group: &str, docs: &[&Document]) -> Option<HistoryChart> {
        let latest = docs.last()?;
        let colour = |name: &str| {
            latest
                .variants
                .iter()
                .position(|v| v.variant.name == name)
                .unwrap_or(latest.variants.len())
        };
        let with_groups = docs
            .iter()
            .filter(|d| d.groups.iter().any(|g| g.group == group))
            .count();
        let (measure, points) = if with_groups >= 2 {
            (Measure::Change, change_points(group, docs))
        } else {
            (Measure::Index, index_points(group, docs))
        };
        let runs_seen = {
            let mut r: Vec<usize> = points.iter().map(|(_, p)| p.run).collect();
            r.sort_unstable();
            r.dedup();
            r.len()
        };
        if runs_seen < 2 {
            return None;
        }
        let mut series: Vec<((usize, String), Vec<Point>)> = Vec::new();
        for (name, p) in points {
            match series.iter_mut().find(|((_, n), _)| *n == name) {
                Some((_, list)) => list.push(p),
                None => series.push(((colour(&name), name), vec![p])),
            }
        }
        series.sort_by_key(|((i, _), _)| *i);
        Some(HistoryChart {
            group: group.into(),
            runs: docs.iter().map(|d| run_label(&d.started)).collect(),
            series,
            measure,
        })
    }
}

fn change_points(group: &str, docs: &[&Document]) -> Vec<(String, Point)> {
    docs.iter()
        .enumerate()
        .flat_map(|(run, d)| {
            d.groups
                .iter()
                .filter(|g| g.group == group && g.change_pct.is_finite())
                .map(move |g| {
                    (
                        g.variant.clone(),
                        Point {
                            run,
                            value: g.change_pct,
                            ci: Some((g.ci_low_pct, g.ci_high_pct)),
                        },
                    )
                })
        })
        .collect()
}

/// Per run and variant: the geometric mean over the group's benchmarks of the
/// median figure against the same benchmark's median in the variant's first
/// run, turned so that above 100 % is better whatever the unit.
fn index_points(group: &str, docs: &[&Document]) -> Vec<(String, Point)> {
    let median = |d: &Document, bench: &str, variant: &str| {
        d.result(bench, variant)
            .filter(|r| r.status == Status::Ok)
            .and_then(|r| stats::median(&r.figures()).map(|m| (m, r.unit.higher_is_better())))
            .filter(|(m, _)| *m > 0.0)
    };
    let mut out = Vec::new();
    for (run, d) in docs.iter().enumerate() {
        for v in &d.variants {
            let name = &v.variant.name;
            let ratios: Vec<f64> = d
                .results
                .iter()
                .filter(|r| r.group == group && r.variant == *name)
                .filter_map(|r| {
                    let (now, higher) = median(d, &r.bench, name)?;
                    let first = docs.iter().find_map(|e| median(e, &r.bench, name))?.0;
                    Some(if higher { now / first } else { first / now })
                })
                .collect();
            if let Some(g) = stats::geomean(&ratios) {
                out.push((
                    name.clone(),
                    Point {
                        run,
                        value: 100.0 * g,
                        ci: None,
                    },
                ));
            }
        }
    }
    out
}

impl HistoryChart {
    /// Labels only whole run numbers; plotters may ask for others between them.
    fn run_label(&self, x: f64) -> String {
        if (x - x.round()).abs() > 1e-6 || x < -0.5 {
            return String::new();
        }
        self.runs
            .get(x.round() as usize)
            .cloned()
            .unwrap_or_default()
    }
}

/// `2025-11-25T09:00:00Z` → `2025-11-25 09:00`.
fn run_label(started: &str) -> String {
    let s: String = started.chars().take(16).collect();
    s.replace('T', " ")
}

impl Chart for HistoryChart {
    fn id(&self) -> String {
        format!("history-{}", self.group)
    }

    fn title(&self) -> String {
        match self.measure {
            Measure::Change => format!(
                "{}: change against the baseline in each run (geometric mean over the group, whisker: 95 % CI)",
                self.group
            ),
            Measure::Index => format!(
                "{}: speed of each variant in percent of its first run (geometric mean of the medians over the group; above 100 % is better)",
                self.group
            ),
        }
    }

    fn size(&self) -> (u32, u32) {
        (WIDTH, 420)
    }

    fn draw(&self, area: &Area) -> DrawResult {
        let m = self.runs.len();
        let values = self.series.iter().flat_map(|(_, p)| {
            p.iter().flat_map(|p| {
                [
                    p.value,
                    p.ci.map_or(p.value, |c| c.0),
                    p.ci.map_or(p.value, |c| c.1),
                ]
            })
        });
        let reference = if self.measure == Measure::Change {
            0.0
        } else {
            100.0
        };
        let (lo, hi) = padded_range(values, &[reference]);
        let plot = legend(
            area,
            &self
                .series
                .iter()
                .map(|(v, _)| v.clone())
                .collect::<Vec<_>>(),
        )?;
        let y_desc = match self.measure {
            Measure::Change => "change vs baseline, %",
            Measure::Index => "% of first run",
        };
        let mut chart = ChartBuilder::on(&plot)
            .margin(12)
            .margin_right(40)
            .x_label_area_size(50)
            .y_label_area_size(90)
            .build_cartesian_2d(-0.3..m as f64 - 0.7, lo..hi)?;
        style_mesh(&mut chart.configure_mesh())
            .x_labels(m.min(8))
            .x_desc("run (start time, UTC)")
            .y_desc(y_desc)
            .x_label_formatter(&|x| self.run_label(*x))
            .y_label_formatter(&|y| format!("{y:.0} %"))
            .draw()?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(-0.3, reference), (m as f64 - 0.7, reference)],
            palette::INK.stroke_width(1),
        )))?;
        for ((index, _), points) in &self.series {
            let colour = palette::variant(*index);
            chart.draw_series(LineSeries::new(
                points.iter().map(|p| (p.run as f64, p.value)),
                colour.stroke_width(2),
            ))?;
            for p in points {
                let x = p.run as f64;
                if let Some((low, high)) = p.ci {
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(x, low), (x, high)],
                        colour.stroke_width(2),
                    )))?;
                }
                chart.draw_series([marker(*index, (x, p.value), 5)])?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::chart::render;
    use crate::results::Unit;
    use crate::results::{BenchResult, RoundSample};

    fn run(started: &str, seconds: f64) -> Document {
        let mut doc: Document =
            serde_json::from_str(crate::report::section::tests::MINIMAL).unwrap();
        doc.started = started.into();
        doc.variants = serde_json::from_str(
            r#"[{"name": "stock", "roots": [], "lib_dirs": [], "provenance": null}]"#,
        )
        .unwrap();
        let rounds = vec![RoundSample {
            round: 0,
            iterations: 1,
            seconds,
            user_seconds: seconds,
            system_seconds: 0.0,
            ..Default::default()
        }];
        for (bench, unit) in [("fast", Unit::BytesPerSecond), ("rss", Unit::Seconds)] {
            let mut r = BenchResult::new(
                bench,
                "g",
                "stock",
                unit,
                1,
                rounds.clone(),
                Status::Ok,
                None,
            );
            if unit == Unit::Seconds {
                r.values = vec![seconds];
            }
            doc.results.push(r);
        }
        doc
    }

    #[test]
    fn without_comparisons_each_variant_is_indexed_to_its_first_run() {
        let (a, b) = (
            run("2025-01-01T00:00:00Z", 2.0),
            run("2025-01-02T00:00:00Z", 1.0),
        );
        let chart = HistoryChart::for_group("g", &[&a, &b]).unwrap();
        assert!(chart.measure == Measure::Index);
        let values: Vec<f64> = chart.series[0].1.iter().map(|p| p.value).collect();
        // Twice the throughput and half the seconds: twice as good, both ways.
        assert_eq!(values, [100.0, 200.0]);
        assert_eq!(chart.runs, ["2025-01-01 00:00", "2025-01-02 00:00"]);
        assert!(render(&chart).unwrap().contains("2025-01-02 00:00"));
    }

    #[test]
    fn one_run_has_no_history() {
        let a = run("2025-01-01T00:00:00Z", 2.0);
        assert!(HistoryChart::for_group("g", &[&a]).is_none());
        assert!(HistoryChart::for_group("other", &[&a, &a]).is_none());
    }
}
