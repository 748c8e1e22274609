//! Which flag helps which library, at a glance: one row per library and
//! factor, the factor's effect as a dot coloured by its verdict, its 95 % CI
//! as a whisker, and the verdict in words beside it. Groups and claims are in
//! the tables; this chart answers the per-library question.

use super::claims::whisker;
use super::{label_font, padded_range, pct_tick, row_y, rows_height, Area, Chart};
use super::{row_frame, row_rule, DrawResult, RowAxis, ROW, WIDTH};
use crate::report::palette::{self, Look};
use crate::results::attribution::{Effect, EffectVerdict, ScopeKind};
use crate::results::ChangeVerdict;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub struct AttributionChart<'a> {
    effects: Vec<&'a Effect>,
}

impl<'a> AttributionChart<'a> {
    /// None when no library has a measured effect.
    pub fn new(effects: &'a [Effect]) -> Option<AttributionChart<'a>> {
        let effects: Vec<&Effect> = effects
            .iter()
            .filter(|e| e.scope_kind == ScopeKind::Library && e.change_pct.is_some())
            .collect();
        (!effects.is_empty()).then_some(AttributionChart { effects })
    }
}

/// The verdict's look, in the words of an attribution.
pub fn look(v: EffectVerdict) -> Look {
    let base = match v {
        EffectVerdict::Helps => ChangeVerdict::Improvement,
        EffectVerdict::Hurts => ChangeVerdict::Regression,
        EffectVerdict::NoChange | EffectVerdict::Aliased => ChangeVerdict::NoChange,
        EffectVerdict::Inconclusive => ChangeVerdict::Inconclusive,
    };
    Look {
        label: v.label(),
        ..palette::change(base)
    }
}

impl Chart for AttributionChart<'_> {
    fn id(&self) -> String {
        "attribution".into()
    }

    fn title(&self) -> String {
        "Which flag helps which library: the effect of each factor (dot, coloured by verdict) \
         with its 95 % confidence interval (whisker); positive is better"
            .into()
    }

    fn size(&self) -> (u32, u32) {
        (WIDTH, rows_height(self.effects.len(), ROW + 6))
    }

    fn draw(&self, area: &Area) -> DrawResult {
        let n = self.effects.len();
        let names: Vec<String> = self
            .effects
            .iter()
            .map(|e| format!("{} · {} ({})", e.scope, e.factor, e.levels))
            .collect();
        let values = self.effects.iter().flat_map(|e| {
            [e.change_pct, e.ci_low_pct, e.ci_high_pct]
                .into_iter()
                .flatten()
        });
        let (lo, hi) = padded_range(values, &[0.0]);
        let hi = hi + (hi - lo) * 0.2;
        let tick = |x: &f64| pct_tick(*x, hi - lo);
        let axis = RowAxis {
            desc: "effect, % (positive = better)".into(),
            tick: &tick,
            labels: None,
            right: 12,
        };
        let mut chart = row_frame(area, &names, lo..hi, axis)?;
        row_rule(&mut chart, 0.0, n)?;
        for (i, e) in self.effects.iter().enumerate() {
            let y = row_y(i, n);
            let Some(change) = e.change_pct.filter(|c| c.is_finite()) else {
                continue;
            };
            if let (Some(l), Some(h)) = (e.ci_low_pct, e.ci_high_pct) {
                chart.draw_series(whisker(l, h, y, 0.2, &palette::BLACK))?;
            }
            let look = look(e.verdict);
            chart.draw_series([
                Circle::new((change, y), 6, look.fill.filled()),
                Circle::new((change, y), 6, palette::BLACK.stroke_width(1)),
            ])?;
            let right = e.ci_high_pct.unwrap_or(change).max(change);
            let text = Text::new(
                look.label.to_string(),
                (10, 0),
                label_font().pos(Pos::new(HPos::Left, VPos::Center)),
            );
            chart.draw_series([EmptyElement::at((right, y)) + text])?;
        }
        Ok(())
    }
}
