//! Claims at a glance: per claim, the claimed range as a band, the measured
//! change as a dot coloured by verdict, and its 95 % CI as a whisker.

use super::{label_font, padded_range, pct_tick, row_y, rows_height, Area, Chart};
use super::{row_frame, row_rule, DrawResult, RowAxis, ROW, WIDTH};
use crate::report::palette;
use crate::results::ClaimVerdict;
use plotters::coord::cartesian::Cartesian2d;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub struct ClaimsChart<'a> {
    claims: &'a [ClaimVerdict],
}

impl<'a> ClaimsChart<'a> {
    /// None when there is no claim to draw.
    pub fn new(claims: &'a [ClaimVerdict]) -> Option<ClaimsChart<'a>> {
        (!claims.is_empty()).then_some(ClaimsChart { claims })
    }
}

impl Chart for ClaimsChart<'_> {
    fn id(&self) -> String {
        "claims".into()
    }

    fn title(&self) -> String {
        "Claims: the claimed gain (band) against the measured change (dot, coloured by verdict) \
         and its 95 % confidence interval (whisker); positive is better"
            .into()
    }

    fn size(&self) -> (u32, u32) {
        (WIDTH, rows_height(self.claims.len(), 2 * ROW) - 50)
    }

    fn draw(&self, area: &Area) -> DrawResult {
        let n = self.claims.len();
        let names: Vec<String> = self.claims.iter().map(|c| c.title.clone()).collect();
        let values = self.claims.iter().flat_map(|c| {
            let measured = [c.change_pct, c.ci_low_pct, c.ci_high_pct];
            c.range_pct
                .into_iter()
                .chain(measured.into_iter().flatten())
        });
        let (lo, hi) = padded_range(values, &[0.0]);
        // Room on the right for the verdicts' words.
        let hi = hi + (hi - lo) * 0.2;
        let tick = |x: &f64| pct_tick(*x, hi - lo);
        let axis = RowAxis {
            desc: "change, % (positive = better)".into(),
            tick: &tick,
            labels: None,
            right: 12,
        };
        let mut chart = row_frame(area, &names, lo..hi, axis)?;
        row_rule(&mut chart, 0.0, n)?;
        for (i, claim) in self.claims.iter().enumerate() {
            let y = row_y(i, n);
            let [low, high] = claim.range_pct;
            chart.draw_series([
                Rectangle::new(
                    [(low, y - 0.32), (high, y + 0.32)],
                    palette::SKY_BLUE.mix(0.3).filled(),
                ),
                Rectangle::new(
                    [(low, y - 0.32), (high, y + 0.32)],
                    palette::SKY_BLUE.stroke_width(1),
                ),
            ])?;
            let look = palette::claim(claim.verdict);
            match (claim.change_pct, claim.ci_low_pct, claim.ci_high_pct) {
                (Some(change), ci_low, ci_high) if change.is_finite() => {
                    if let (Some(l), Some(h)) = (ci_low, ci_high) {
                        chart.draw_series(whisker(l, h, y, 0.18, &palette::BLACK))?;
                    }
                    chart.draw_series([
                        Circle::new((change, y), 7, look.fill.filled()),
                        Circle::new((change, y), 7, palette::BLACK.stroke_width(1)),
                    ])?;
                    // The verdict in words beside the dot: colour alone
                    // would leave out readers who cannot tell them apart.
                    let right = [change, ci_high.unwrap_or(change), high]
                        .into_iter()
                        .fold(f64::MIN, f64::max);
                    verdict_text(&mut chart, look.label, right, y)?;
                }
                _ => {
                    verdict_text(&mut chart, look.label, high.max(low), y)?;
                }
            }
        }
        Ok(())
    }
}

/// The verdict's word just right of `x`; pixel offsets keep it off the marks.
fn verdict_text(chart: &mut Plot, label: &str, x: f64, y: f64) -> DrawResult {
    let text = Text::new(
        label.to_string(),
        (10, 0),
        label_font().pos(Pos::new(HPos::Left, VPos::Center)),
    );
    chart.draw_series([EmptyElement::at((x, y)) + text])?;
    Ok(())
}

type Plot<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A horizontal CI whisker with end caps, `half` rows tall.
pub fn whisker(
    low: f64,
    high: f64,
    y: f64,
    half: f64,
    colour: &RGBColor,
) -> [PathElement<(f64, f64)>; 3] {
    let style = colour.stroke_width(2);
    [
        PathElement::new(vec![(low, y), (high, y)], style),
        PathElement::new(vec![(low, y - half), (low, y + half)], style),
        PathElement::new(vec![(high, y - half), (high, y + half)], style),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::chart::render;
    use crate::results::ClaimOutcome;

    fn claim(title: &str, verdict: ClaimOutcome, change: Option<f64>) -> ClaimVerdict {
        ClaimVerdict {
            id: title.into(),
            title: title.into(),
            range_pct: [3.0, 8.0],
            baseline: Some("stock".into()),
            variant: Some("opt".into()),
            change_pct: change,
            ci_low_pct: change.map(|c| c - 1.0),
            ci_high_pct: change.map(|c| c + 1.0),
            mde_pct: change.map(|_| 1.0),
            paired: Some(true),
            verdict,
            sentence: String::new(),
            benches: vec![],
            not_rebuilt: vec![],
            notes: vec![],
        }
    }

    #[test]
    fn a_measured_claim_is_a_dot_in_its_verdict_colour() {
        let claims = [
            claim("zlib", ClaimOutcome::Confirmed, Some(5.0)),
            claim("<b>video</b>", ClaimOutcome::NotMeasured, None),
        ];
        let svg = render(&ClaimsChart::new(&claims).unwrap()).unwrap();
        assert!(svg.contains("<circle"), "{svg}");
        assert!(svg.contains("#009E73"), "confirmed is bluish green: {svg}");
        assert!(svg.contains("not measured"));
        assert!(svg.contains("&lt;b&gt;video&lt;/b&gt;"));
    }

    #[test]
    fn no_claims_no_chart() {
        assert!(ClaimsChart::new(&[]).is_none());
    }
}
