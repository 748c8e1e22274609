//! Throughput per variant: for each benchmark of a group, every variant's
//! median figure with a whisker from the slowest to the fastest round. A log
//! axis when the benchmarks span more than a decade, else a linear one from 0.

use super::{dodge, row_frame, Area, Chart, DrawResult, RowAxis, RowChart, ROW, WIDTH};
use super::{label_font, legend, marker, rate_label, row_y, rows_height};
use crate::report::palette;
use crate::results::{BenchResult, Status, Unit};
use crate::stats;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub struct ThroughputChart {
    group: String,
    unit: Unit,
    /// Benchmarks in catalog order, each with one cell per variant.
    rows: Vec<(String, Vec<Cell>)>,
    /// Variants as (index in the document, name).
    variants: Vec<(usize, String)>,
}

struct Cell {
    variant: usize,
    figure: Figure,
}

enum Figure {
    Measured { median: f64, min: f64, max: f64 },
    Missing(Status),
}

impl ThroughputChart {
    /// One chart per unit the group's benchmarks report in (usually one).
    pub fn for_group(
        group: &str,
        results: &[BenchResult],
        variants: &[String],
    ) -> Vec<ThroughputChart> {
        let mine: Vec<&BenchResult> = results.iter().filter(|r| r.group == group).collect();
        let mut units: Vec<Unit> = Vec::new();
        for r in &mine {
            if !units.contains(&r.unit) {
                units.push(r.unit);
            }
        }
        units
            .into_iter()
            .map(|unit| {
                let mut rows: Vec<(String, Vec<Cell>)> = Vec::new();
                for r in mine.iter().filter(|r| r.unit == unit) {
                    let cell = Cell {
                        variant: variants.iter().position(|v| *v == r.variant).unwrap_or(0),
                        figure: figure(r),
                    };
                    match rows.iter_mut().find(|(b, _)| *b == r.bench) {
                        Some((_, cells)) => cells.push(cell),
                        None => rows.push((r.bench.clone(), vec![cell])),
                    }
                }
                let mut present: Vec<usize> = rows
                    .iter()
                    .flat_map(|(_, c)| c.iter().map(|c| c.variant))
                    .collect();
                present.sort_unstable();
                present.dedup();
                ThroughputChart {
                    group: group.into(),
                    unit,
                    rows,
                    variants: present
                        .into_iter()
                        .map(|i| (i, variants.get(i).cloned().unwrap_or_default()))
                        .collect(),
                }
            })
            .collect()
    }

    fn offset(&self, variant: usize) -> f64 {
        let k = self.variants.len();
        let j = self
            .variants
            .iter()
            .position(|(i, _)| *i == variant)
            .unwrap_or(0);
        dodge(j, k, 0.6)
    }

    fn measured(&self) -> impl Iterator<Item = (f64, f64, f64)> + '_ {
        self.rows.iter().flat_map(|(_, cells)| {
            cells.iter().filter_map(|c| match c.figure {
                Figure::Measured { median, min, max } => Some((median, min, max)),
                Figure::Missing(_) => None,
            })
        })
    }

    fn describe_unit(&self) -> String {
        let direction = if self.unit.higher_is_better() {
            "higher"
        } else {
            "lower"
        };
        format!("{} ({direction} is better)", self.unit.symbol())
    }
}

fn figure(r: &BenchResult) -> Figure {
    match (r.status, stats::summarize(&r.figures())) {
        (Status::Ok, Some(s)) => Figure::Measured {
            median: s.median,
            min: s.min,
            max: s.max,
        },
        (Status::Ok, None) => Figure::Missing(Status::Crashed),
        (status, _) => Figure::Missing(status),
    }
}

impl Chart for ThroughputChart {
    fn id(&self) -> String {
        format!("throughput-{}-{}", self.group, self.unit.symbol())
    }

    fn title(&self) -> String {
        format!(
            "{}: {} per variant, median of the rounds with a whisker from the lowest to the highest round",
            self.group,
            self.describe_unit()
        )
    }

    fn size(&self) -> (u32, u32) {
        let per_row = ROW + 6 * (self.variants.len() as u32).saturating_sub(1);
        (WIDTH, rows_height(self.rows.len(), per_row))
    }

    fn draw(&self, area: &Area) -> DrawResult {
        let names: Vec<String> = self.rows.iter().map(|(b, _)| b.clone()).collect();
        let (lo, hi) = self
            .measured()
            // A subnormal or astronomically large figure has no place on an
            // axis: its logarithm's tick search would not end.
            .filter(|(_, min, max)| *min >= 1e-30 && *max <= 1e30)
            .fold((f64::INFINITY, 0.0f64), |(lo, hi), (_, min, max)| {
                (lo.min(min), hi.max(max))
            });
        let plot = legend(area, &self.variants)?;
        let unit = self.unit.symbol();
        let tick = |x: &f64| rate_label(*x, unit);
        let axis = |log: bool| RowAxis {
            desc: format!(
                "{}{}; dot: median, whisker: lowest to highest round",
                self.describe_unit(),
                if log { ", log scale" } else { "" }
            ),
            tick: &tick,
            labels: (!log).then_some(6),
            right: 30,
        };
        if lo.is_finite() && hi / lo > 10.0 {
            let (lo, hi) = (
                10f64.powf(lo.log10().floor()),
                10f64.powf(hi.log10().ceil()),
            );
            let mut chart = row_frame(&plot, &names, (lo..hi).log_scale(), axis(true))?;
            self.draw_rows(&mut chart, lo, true)
        } else {
            let hi = if hi > 0.0 { hi * 1.05 } else { 1.0 };
            let mut chart = row_frame(&plot, &names, 0.0..hi, axis(false))?;
            self.draw_rows(&mut chart, 0.0, false)
        }
    }
}

impl ThroughputChart {
    fn draw_rows<X: Ranged<ValueType = f64>>(
        &self,
        chart: &mut RowChart<'_, '_, X>,
        left: f64,
        log: bool,
    ) -> DrawResult {
        let n = self.rows.len();
        for (i, (_, cells)) in self.rows.iter().enumerate() {
            for cell in cells {
                let y = row_y(i, n) + self.offset(cell.variant);
                let colour = palette::variant(cell.variant);
                let text = match cell.figure {
                    // A log axis has no place for nothing (an unused swap).
                    Figure::Measured { median, .. } if log && median <= 0.0 => {
                        format!("0 {}", self.unit.symbol())
                    }
                    Figure::Measured { median, min, max } => {
                        chart.draw_series(std::iter::once(PathElement::new(
                            vec![(min, y), (max, y)],
                            colour.stroke_width(2),
                        )))?;
                        chart.draw_series([marker(cell.variant, (median, y), 5)])?;
                        continue;
                    }
                    Figure::Missing(status) => {
                        format!("{}: no figure", format!("{status:?}").to_lowercase())
                    }
                };
                chart.draw_series([Text::new(
                    text,
                    (left, y),
                    label_font()
                        .color(&palette::BLACK)
                        .pos(Pos::new(HPos::Left, VPos::Center)),
                )])?;
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

    fn result(bench: &str, variant: &str, seconds: f64, status: Status) -> BenchResult {
        let rounds = (0..3)
            .map(|round| RoundSample {
                round,
                iterations: 10,
                seconds: seconds * (1.0 + f64::from(round) / 100.0),
                user_seconds: seconds,
                system_seconds: 0.0,
                ..Default::default()
            })
            .collect();
        BenchResult::new(
            bench,
            "g",
            variant,
            Unit::BytesPerSecond,
            1 << 20,
            rounds,
            status,
            None,
        )
    }

    #[test]
    fn wide_ranges_get_a_log_axis_and_broken_cells_say_so() {
        let results = [
            result("fast", "a", 0.001, Status::Ok),
            result("fast", "b", 0.001, Status::Broken),
            result("slow", "a", 1.0, Status::Ok),
            result("slow", "b", 1.1, Status::Ok),
        ];
        let charts = ThroughputChart::for_group("g", &results, &["a".into(), "b".into()]);
        assert_eq!(charts.len(), 1);
        let svg = render(&charts[0]).unwrap();
        assert!(svg.contains("log scale"));
        assert!(svg.contains("broken: no figure"));
        assert!(svg.contains("GB/s") && svg.contains("MB/s"), "{svg}");
    }
}
