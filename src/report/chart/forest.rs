//! A forest plot per group: the change of each benchmark against the baseline
//! with its 95 % CI, sorted by effect, and the group's geometric mean as a
//! diamond at the bottom. Several compared variants sit side by side in a row.

use super::claims::whisker;
use super::{
    label_font, legend, marker, padded_range, pct_tick, row_frame, row_rule, row_y, rows_height,
};
use super::{Area, Chart, DrawResult, RowAxis, RowChart, ROW, WIDTH};
use crate::report::palette;
use crate::results::{ChangeVerdict, Comparison, GroupComparison};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub struct ForestChart<'a> {
    group: String,
    /// Benchmarks, largest gain first, each with its comparisons.
    rows: Vec<(String, Vec<&'a Comparison>)>,
    summary: Vec<&'a GroupComparison>,
    /// Compared variants as (index in the document, name).
    variants: Vec<(usize, String)>,
}

const MEAN: &str = "geometric mean";

impl<'a> ForestChart<'a> {
    /// None when the group has no comparison. `variants` are the document's
    /// variant names, which fix each variant's colour.
    pub fn new(
        group: &str,
        comparisons: &'a [Comparison],
        groups: &'a [GroupComparison],
        variants: &[String],
    ) -> Option<ForestChart<'a>> {
        let mine: Vec<&Comparison> = comparisons.iter().filter(|c| c.group == group).collect();
        if mine.is_empty() {
            return None;
        }
        let mut rows: Vec<(String, Vec<&Comparison>)> = Vec::new();
        for c in &mine {
            match rows.iter_mut().find(|(b, _)| *b == c.bench) {
                Some((_, list)) => list.push(c),
                None => rows.push((c.bench.clone(), vec![c])),
            }
        }
        rows.sort_by(|a, b| effect(&b.1).total_cmp(&effect(&a.1)));
        let mut compared: Vec<(usize, String)> = Vec::new();
        for c in &mine {
            if !compared.iter().any(|(_, n)| *n == c.variant) {
                let index = variants
                    .iter()
                    .position(|v| *v == c.variant)
                    .unwrap_or(compared.len() + 1);
                compared.push((index, c.variant.clone()));
            }
        }
        Some(ForestChart {
            group: group.into(),
            rows,
            summary: groups.iter().filter(|g| g.group == group).collect(),
            variants: compared,
        })
    }

    fn baseline(&self) -> &str {
        self.rows
            .first()
            .and_then(|(_, list)| list.first())
            .map_or("baseline", |c| c.baseline.as_str())
    }

    fn row_count(&self) -> usize {
        self.rows.len() + usize::from(!self.summary.is_empty())
    }

    /// Where variant `name` sits inside a row, so several do not overlap.
    fn offset(&self, name: &str) -> f64 {
        let k = self.variants.len();
        let j = self
            .variants
            .iter()
            .position(|(_, n)| n == name)
            .unwrap_or(0);
        (j as f64 - (k as f64 - 1.0) / 2.0) * (0.6 / k as f64)
    }

    fn colour_index(&self, name: &str) -> usize {
        self.variants
            .iter()
            .find(|(_, n)| n == name)
            .map_or(0, |(i, _)| *i)
    }
}

/// The sort key: the mean change over the row's variants; unmeasured rows last.
fn effect(list: &[&Comparison]) -> f64 {
    let measured: Vec<f64> = list.iter().filter_map(|c| c.change_pct).collect();
    if measured.is_empty() {
        return f64::NEG_INFINITY;
    }
    measured.iter().sum::<f64>() / measured.len() as f64
}

impl Chart for ForestChart<'_> {
    fn id(&self) -> String {
        format!("forest-{}", self.group)
    }

    fn title(&self) -> String {
        format!(
            "{}: change of each benchmark against {} with its 95 % confidence interval, largest gain first",
            self.group,
            self.baseline()
        )
    }

    fn size(&self) -> (u32, u32) {
        let per_row = ROW + 6 * (self.variants.len() as u32).saturating_sub(1);
        (WIDTH, rows_height(self.row_count(), per_row))
    }

    fn draw(&self, area: &Area) -> DrawResult {
        let n = self.row_count();
        let mut names: Vec<String> = self.rows.iter().map(|(b, _)| b.clone()).collect();
        if !self.summary.is_empty() {
            names.push(MEAN.into());
        }
        let values = self
            .rows
            .iter()
            .flat_map(|(_, l)| {
                l.iter()
                    .flat_map(|c| [c.change_pct, c.ci_low_pct, c.ci_high_pct])
                    .flatten()
            })
            .chain(
                self.summary
                    .iter()
                    .flat_map(|g| [g.ci_low_pct, g.ci_high_pct]),
            );
        let (lo, hi) = padded_range(values, &[0.0]);
        let plot = legend(area, &self.variants)?;
        let x_desc = format!(
            "change vs {}, % (positive = better; whisker: 95 % CI)",
            self.baseline()
        );
        let tick = |x: &f64| pct_tick(*x, hi - lo);
        let axis = RowAxis {
            desc: x_desc,
            tick: &tick,
            labels: None,
            right: 12,
        };
        let mut chart = row_frame(&plot, &names, lo..hi, axis)?;
        row_rule(&mut chart, 0.0, n)?;
        for (i, (_, list)) in self.rows.iter().enumerate() {
            for c in list {
                let y = row_y(i, n) + self.offset(&c.variant);
                let index = self.colour_index(&c.variant);
                let (pct, low, high) = match (c.change_pct, c.ci_low_pct, c.ci_high_pct) {
                    (Some(pct), Some(low), Some(high)) if c.verdict != ChangeVerdict::Broken => {
                        (pct, low, high)
                    }
                    _ => {
                        let text = Text::new(
                            "broken: no figure".to_string(),
                            (0.0, y),
                            label_font()
                                .color(&palette::BLACK)
                                .pos(Pos::new(HPos::Left, VPos::Center)),
                        );
                        chart.draw_series([text])?;
                        continue;
                    }
                };
                chart.draw_series(whisker(low, high, y, 0.12, &palette::variant(index)))?;
                chart.draw_series([marker(index, (pct, y), 5)])?;
            }
        }
        self.draw_summary(&mut chart, (lo, hi), n)
    }
}

impl ForestChart<'_> {
    /// The groups' geometric means in the last row, below a rule: diamonds as
    /// wide as their 95 % CI.
    fn draw_summary(
        &self,
        chart: &mut RowChart<'_, '_, RangedCoordf64>,
        (lo, hi): (f64, f64),
        n: usize,
    ) -> DrawResult {
        if self.summary.is_empty() {
            return Ok(());
        }
        let y0 = row_y(n - 1, n);
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(lo, y0 + 0.5), (hi, y0 + 0.5)],
            palette::INK.stroke_width(1),
        )))?;
        for g in &self.summary {
            let y = y0 + self.offset(&g.variant);
            let h = 0.3 / self.variants.len() as f64 + 0.05;
            let colour = palette::variant(self.colour_index(&g.variant));
            chart.draw_series([Polygon::new(
                vec![
                    (g.ci_low_pct, y),
                    (g.change_pct, y + h),
                    (g.ci_high_pct, y),
                    (g.change_pct, y - h),
                ],
                colour.filled(),
            )])?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::chart::render;

    fn comparison(bench: &str, variant: &str, change: f64) -> Comparison {
        Comparison {
            bench: bench.into(),
            group: bench.split('/').next().unwrap().into(),
            baseline: "stock".into(),
            variant: variant.into(),
            change_pct: Some(change),
            ci_low_pct: Some(change - 2.0),
            ci_high_pct: Some(change + 2.0),
            mde_pct: Some(2.0),
            paired: true,
            verdict: ChangeVerdict::Improvement,
            not_rebuilt: vec![],
        }
    }

    #[test]
    fn rows_are_sorted_by_effect_and_the_mean_is_last() {
        let comparisons = [
            comparison("aes/small", "opt", 1.0),
            comparison("aes/big", "opt", 30.0),
            comparison("aes/mid", "opt", 10.0),
            comparison("compress/x", "opt", 99.0),
        ];
        let groups = [GroupComparison {
            group: "aes".into(),
            baseline: "stock".into(),
            variant: "opt".into(),
            benches: 3,
            change_pct: 12.0,
            ci_low_pct: 8.0,
            ci_high_pct: 16.0,
            paired: true,
            rebuilt: true,
            not_rebuilt: vec![],
            left_out: 0,
        }];
        let names = ["stock".to_string(), "opt".into()];
        let chart = ForestChart::new("aes", &comparisons, &groups, &names).unwrap();
        let order: Vec<&str> = chart.rows.iter().map(|(b, _)| b.as_str()).collect();
        assert_eq!(order, ["aes/big", "aes/mid", "aes/small"]);
        assert_eq!(chart.variants, [(1, "opt".to_string())]);
        let svg = render(&chart).unwrap();
        assert!(svg.contains(MEAN));
        assert!(svg.contains("<polygon"), "the mean is a diamond");
        assert!(!svg.contains("compress/x"));
    }

    #[test]
    fn a_group_without_comparisons_has_no_forest() {
        assert!(ForestChart::new("aes", &[], &[], &[]).is_none());
    }
}
