//! Chart kinds, one file each, behind the one [`Chart`] trait: a kind knows
//! what it draws; [`render`] knows how a drawing becomes an SVG string.
//!
//! Only plotters' SVG backend is used, and without its font features: text is
//! written as `<text>` elements that the browser lays out, so rendering needs no
//! system fonts. plotters escapes text and attribute values itself; the tests
//! here hold it to that, since variant names and benchmark ids reach the charts.

mod attribution;
mod claims;
mod distribution;
mod forest;
mod history;
mod throughput;

pub use attribution::{look as attribution_look, AttributionChart};
pub use claims::ClaimsChart;
pub use distribution::DistributionChart;
pub use forest::ForestChart;
pub use history::HistoryChart;
pub use throughput::ThroughputChart;

use crate::error::{Error, Result};
use crate::report::palette;
use plotters::chart::{ChartContext, MeshStyle};
use plotters::coord::cartesian::Cartesian2d;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::element::{Drawable, PointCollection};
use plotters::prelude::*;
use plotters_backend::{BackendCoord, DrawingErrorKind};

pub type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
pub type DrawResult = std::result::Result<(), DrawingAreaErrorKind<std::io::Error>>;

/// One chart on the page.
pub trait Chart {
    /// Unique on the page; becomes part of an HTML id.
    fn id(&self) -> String;
    /// What the chart shows, in one sentence: its caption and accessible name.
    fn title(&self) -> String;
    /// Width and height in pixels (the page scales it down to fit).
    fn size(&self) -> (u32, u32);
    fn draw(&self, area: &Area) -> DrawResult;
}

/// Draws `chart` into an SVG document (an `<svg>` element, ready to inline).
pub fn render(chart: &dyn Chart) -> Result<String> {
    let mut svg = String::new();
    let fail = |e: DrawingAreaErrorKind<std::io::Error>| Error::Chart {
        chart: chart.id(),
        why: e.to_string(),
    };
    {
        let area = SVGBackend::with_string(&mut svg, chart.size()).into_drawing_area();
        area.fill(&WHITE).map_err(fail)?;
        chart.draw(&area).map_err(fail)?;
        area.present().map_err(fail)?;
    }
    Ok(svg)
}

// Sizes of text in plotters' units (the SVG gets size / 1.24 px).
pub const LABEL: u32 = 17;
pub const AXIS: u32 = 18;

/// Pixels per row of a chart with one row per benchmark or claim.
pub const ROW: u32 = 22;
pub const WIDTH: u32 = 960;
/// Longer row labels are cut with an ellipsis.
const LABEL_CHARS: usize = 34;

pub fn label_font() -> TextStyle<'static> {
    ("sans-serif", LABEL).into_font().color(&palette::INK)
}

pub fn axis_font() -> TextStyle<'static> {
    ("sans-serif", AXIS).into_font().color(&palette::BLACK)
}

/// The house style of axes: bold grid lines only (light ones add ink, not
/// information), readable labels.
pub fn style_mesh<'m, 'a, 'b, X, Y, DB>(
    mesh: &'m mut MeshStyle<'a, 'b, X, Y, DB>,
) -> &'m mut MeshStyle<'a, 'b, X, Y, DB>
where
    X: Ranged,
    Y: Ranged,
    DB: DrawingBackend,
{
    mesh.max_light_lines(0)
        .bold_line_style(palette::GREY.mix(0.35))
        .axis_style(palette::INK)
        .label_style(label_font())
        .axis_desc_style(axis_font())
}

/// Room for the longest of `names` left of the plot (after [`shorten`]).
pub fn label_area(names: &[String]) -> u32 {
    let longest = names
        .iter()
        .map(|n| n.chars().count().min(LABEL_CHARS))
        .max()
        .unwrap_or(0);
    (24 + longest as u32 * 9).clamp(80, 340)
}

/// A percentage tick: `0 %`, `+5 %`, `-2.5 %`, with decimals only when the
/// axis spans little.
pub fn pct_tick(x: f64, span: f64) -> String {
    if x.abs() < span * 1e-6 {
        return "0 %".into();
    }
    if span >= 8.0 {
        format!("{x:+.0} %")
    } else {
        format!("{x:+.1} %")
    }
}

/// A row chart's y range: one unit per row, so that asking plotters for
/// [`rows_ticks`] labels puts a tick on every row and nowhere else.
pub fn rows_axis(n: usize) -> std::ops::Range<f64> {
    -0.5..n.max(1) as f64 - 0.5
}

/// The height of a chart with `n` rows of `per_row` pixels: room for the
/// legend and the x axis, and never so flat that one row is a sliver.
pub fn rows_height(n: usize, per_row: u32) -> u32 {
    130 + per_row * n.max(3) as u32
}

/// The number of y labels to ask for: one more than the rows, which makes
/// plotters choose a step of exactly one.
pub fn rows_ticks(n: usize) -> usize {
    n.max(1) + 1
}

/// The y value of row `i` of `n`, counted from the top.
pub fn row_y(i: usize, n: usize) -> f64 {
    (n - 1 - i) as f64
}

/// The name of the row a y tick sits on.
/// Where the `position`-th of `count` variants sits within a row: spread evenly
/// over `spread` of the row's height and centred on it, so markers do not overlap.
pub fn dodge(position: usize, count: usize, spread: f64) -> f64 {
    (position as f64 - (count as f64 - 1.0) / 2.0) * (spread / count as f64)
}

pub fn row_label(names: &[String], y: f64) -> String {
    let n = names.len();
    let i = n as f64 - 1.0 - y.round();
    if i < 0.0 || i >= n as f64 {
        return String::new();
    }
    shorten(&names[i as usize], LABEL_CHARS)
}

/// Keeps labels from running into the plot; the full text is in the tables.
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// A range that holds every value and `also`, with a margin on both sides.
pub fn padded_range(values: impl IntoIterator<Item = f64>, also: &[f64]) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.into_iter().chain(also.iter().copied()) {
        if v.is_finite() {
            // Past ±1e12 % no axis is readable, and padding such a range
            // overflows to infinity, where plotters' tick search never ends.
            let v = v.clamp(-1e12, 1e12);
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    if !lo.is_finite() {
        return (-1.0, 1.0);
    }
    if hi - lo < 1e-9 {
        let pad = (hi.abs() * 0.05).max(1.0);
        return (lo - pad, hi + pad);
    }
    let pad = (hi - lo) * 0.06;
    (lo - pad, hi + pad)
}

#[cfg(test)]
mod range_tests {
    use super::padded_range;

    #[test]
    fn a_range_of_extreme_or_subnormal_values_is_finite_and_wide() {
        for values in [
            vec![1e-320, 2e-320],
            vec![f64::MAX, -f64::MAX],
            vec![f64::MAX, 1e-320, f64::NAN, f64::INFINITY],
            vec![],
        ] {
            let (lo, hi) = padded_range(values.clone(), &[0.0]);
            assert!(
                lo.is_finite() && hi.is_finite() && hi - lo >= 1e-9,
                "{values:?}: {lo}..{hi}"
            );
        }
    }
}

/// A marker that differs by shape as well as colour, so variants stay apart in
/// grey print and for readers who cannot tell the colours apart: circle,
/// triangle, square, diamond, then again.
pub struct Marker<C> {
    at: C,
    variant: usize,
    size: i32,
}

/// The marker of the variant at `variant` in the document, `size` pixels in radius.
pub fn marker<C>(variant: usize, at: C, size: i32) -> Marker<C> {
    Marker { at, variant, size }
}

impl<'a, C> PointCollection<'a, C> for &'a Marker<C> {
    type Point = &'a C;
    type IntoIter = std::iter::Once<&'a C>;
    fn point_iter(self) -> Self::IntoIter {
        std::iter::once(&self.at)
    }
}

impl<C, DB: DrawingBackend> Drawable<DB> for Marker<C> {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        mut pos: I,
        backend: &mut DB,
        _: (u32, u32),
    ) -> std::result::Result<(), DrawingErrorKind<DB::ErrorType>> {
        let Some((x, y)) = pos.next() else {
            return Ok(());
        };
        let style = palette::variant(self.variant).filled();
        let s = self.size;
        match self.variant % 4 {
            0 => backend.draw_circle((x, y), s as u32, &style, true),
            1 => backend.fill_polygon(
                [(x, y - s - 1), (x + s + 1, y + s), (x - s - 1, y + s)],
                &style,
            ),
            2 => backend.draw_rect((x - s + 1, y - s + 1), (x + s - 1, y + s - 1), &style, true),
            _ => backend.fill_polygon(
                [
                    (x, y - s - 1),
                    (x + s + 1, y),
                    (x, y + s + 1),
                    (x - s - 1, y),
                ],
                &style,
            ),
        }
    }
}

/// A legend above the plot: one marker and name per variant, as `(index in
/// the document, name)`. Returns the area left for the plot.
pub fn legend<'a>(
    area: &Area<'a>,
    variants: &[(usize, String)],
) -> std::result::Result<Area<'a>, DrawingAreaErrorKind<std::io::Error>> {
    if variants.is_empty() {
        return Ok(area.clone());
    }
    let (top, rest) = area.split_vertically(34);
    let mut x = 70;
    for (index, name) in variants {
        top.draw(&marker(*index, (x, 20), 6))?;
        let name = shorten(name, 40);
        top.draw_text(&name, &label_font().color(&palette::BLACK), (x + 12, 11))?;
        x += 50 + 10 * name.chars().count() as i32;
    }
    Ok(rest)
}

/// A chart with one row per benchmark or claim, over an x axis of kind `X`.
pub type RowChart<'a, 'b, X> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<X, RangedCoordf64>>;

/// How a row chart's x axis reads.
pub struct RowAxis<'f> {
    pub desc: String,
    pub tick: &'f dyn Fn(&f64) -> String,
    /// How many x labels to ask for; None leaves it to plotters.
    pub labels: Option<usize>,
    /// Room right of the plot, for a last tick label that overhangs it.
    pub right: u32,
}

/// The frame every row chart shares: the plot over `x`, one row per name
/// counted from the top and labelled with it (cut to fit), no horizontal grid
/// lines, the x axis as `axis` says.
pub fn row_frame<'a, 'b, X>(
    plot: &'a Area<'b>,
    names: &[String],
    x: X,
    axis: RowAxis<'_>,
) -> std::result::Result<RowChart<'a, 'b, X::CoordDescType>, DrawingAreaErrorKind<std::io::Error>>
where
    X: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
{
    let n = names.len();
    let y_label = |y: &f64| row_label(names, *y);
    let mut chart = ChartBuilder::on(plot)
        .margin(12)
        .margin_right(axis.right)
        .x_label_area_size(50)
        .y_label_area_size(label_area(names))
        .build_cartesian_2d(x, rows_axis(n))?;
    let mut mesh = chart.configure_mesh();
    style_mesh(&mut mesh)
        .disable_y_mesh()
        .x_desc(axis.desc)
        .x_label_formatter(axis.tick)
        .y_labels(rows_ticks(n))
        .y_label_formatter(&y_label);
    if let Some(labels) = axis.labels {
        mesh.x_labels(labels);
    }
    mesh.draw()?;
    Ok(chart)
}

/// A vertical rule at `x` across all `n` rows: the line of no change.
pub fn row_rule<X: Ranged<ValueType = f64>>(
    chart: &mut RowChart<'_, '_, X>,
    x: f64,
    n: usize,
) -> DrawResult {
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(x, -0.5), (x, n as f64 - 0.5)],
        palette::INK.stroke_width(1),
    )))?;
    Ok(())
}

/// Human-readable figures on an axis: `120 MB/s`, `3.5 kop/s`.
pub fn rate_label(value: f64, unit: &str) -> String {
    if value <= 0.0 || !value.is_finite() {
        return format!("0 {unit}");
    }
    let (prefix, rest) = unit.split_at(unit.find('/').unwrap_or(unit.len()));
    for (scale, si) in [(1e9, "G"), (1e6, "M"), (1e3, "k")] {
        if value >= scale {
            return format!("{} {si}{prefix}{rest}", trim(value / scale));
        }
    }
    format!("{} {unit}", trim(value))
}

fn trim(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}").trim_end_matches(".0").to_string()
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Labels(Vec<String>);

    impl Chart for Labels {
        fn id(&self) -> String {
            "labels".into()
        }
        fn title(&self) -> String {
            "labels".into()
        }
        fn size(&self) -> (u32, u32) {
            (400, 200)
        }
        fn draw(&self, area: &Area) -> DrawResult {
            let mut chart = ChartBuilder::on(area)
                .y_label_area_size(150)
                .x_label_area_size(30)
                .build_cartesian_2d(0.0..1.0, rows_axis(self.0.len()))?;
            chart
                .configure_mesh()
                .y_label_formatter(&|y| row_label(&self.0, *y))
                .draw()?;
            Ok(())
        }
    }

    #[test]
    fn text_from_input_is_escaped_in_the_svg() {
        let svg = render(&Labels(vec![
            "<script>alert(1)</script>".into(),
            "a&b \"q\"".into(),
        ]))
        .unwrap();
        assert!(svg.starts_with("<svg"), "{svg:.80}");
        assert!(!svg.contains("<script"), "{svg}");
        assert!(
            svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{svg}"
        );
        assert!(svg.contains("a&amp;b &quot;q&quot;"), "{svg}");
    }

    #[test]
    fn rows_are_counted_from_the_top() {
        let names = vec!["first".to_string(), "second".into(), "third".into()];
        assert_eq!(row_y(0, 3), 2.0);
        assert_eq!(row_label(&names, row_y(0, 3)), "first");
        assert_eq!(row_label(&names, row_y(2, 3)), "third");
        assert_eq!(row_label(&names, 7.0), "");
    }

    #[test]
    fn rates_read_as_people_write_them() {
        assert_eq!(rate_label(312.4e6, "B/s"), "312 MB/s");
        assert_eq!(rate_label(1.5e9, "B/s"), "1.5 GB/s");
        assert_eq!(rate_label(12.0e3, "op/s"), "12 kop/s");
        assert_eq!(rate_label(0.5, "s"), "0.5 s");
    }

    #[test]
    fn ranges_hold_their_values_and_zero() {
        let (lo, hi) = padded_range([3.0, 8.0], &[0.0]);
        assert!(lo < 0.0 && hi > 8.0);
        let (lo, hi) = padded_range([f64::NAN], &[]);
        assert!(lo < hi);
        let (lo, hi) = padded_range([5.0, 5.0], &[]);
        assert!(lo < 5.0 && hi > 5.0);
    }
}
