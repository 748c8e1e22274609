//! The report's colours, in one place so that a verdict has the same colour in
//! a chart as in a badge, and a variant the same colour in every chart.
//!
//! Every colour comes from the Okabe–Ito palette, which stays distinguishable
//! with the common colour-vision deficiencies. Colour never carries meaning on
//! its own: badges carry their word, and variants also differ by marker shape.

use crate::results::{ChangeVerdict, ClaimOutcome};
use plotters::style::RGBColor;

pub const BLACK: RGBColor = RGBColor(0x00, 0x00, 0x00);
pub const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
pub const SKY_BLUE: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
pub const BLUISH_GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
pub const YELLOW: RGBColor = RGBColor(0xF0, 0xE4, 0x42);
pub const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
pub const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
pub const REDDISH_PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
/// Not an Okabe–Ito hue: the neutral for "nothing to see" (no change, not measured).
pub const GREY: RGBColor = RGBColor(0xAA, 0xAA, 0xAA);
/// Axes, grid and secondary text.
pub const INK: RGBColor = RGBColor(0x33, 0x33, 0x33);

/// Variants in the order of the document; yellow is last because it is hard to
/// see on white.
const VARIANTS: [RGBColor; 8] = [
    BLUE,
    ORANGE,
    BLUISH_GREEN,
    VERMILLION,
    REDDISH_PURPLE,
    SKY_BLUE,
    BLACK,
    YELLOW,
];

/// The colour of the variant at `index` in the document's `variants`.
pub fn variant(index: usize) -> RGBColor {
    VARIANTS[index % VARIANTS.len()]
}

/// How a verdict looks: its words, its CSS class, its fill and the text colour
/// that stays readable on that fill (contrast ≥ 4.5:1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Look {
    pub label: &'static str,
    pub class: &'static str,
    pub fill: RGBColor,
    pub text: RGBColor,
}

const WHITE: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);

const fn look(label: &'static str, class: &'static str, fill: RGBColor, text: RGBColor) -> Look {
    Look {
        label,
        class,
        fill,
        text,
    }
}

pub fn claim(outcome: ClaimOutcome) -> Look {
    match outcome {
        ClaimOutcome::Confirmed => look("confirmed", "v-confirmed", BLUISH_GREEN, BLACK),
        ClaimOutcome::Exceeded => look("exceeded", "v-exceeded", BLUE, WHITE),
        ClaimOutcome::Partly => look("partly", "v-partly", SKY_BLUE, BLACK),
        ClaimOutcome::BelowClaim => look("below claim", "v-below-claim", ORANGE, BLACK),
        ClaimOutcome::NoChange => look("no change", "v-no-change", GREY, BLACK),
        ClaimOutcome::Regression => look("regression", "v-regression", VERMILLION, BLACK),
        ClaimOutcome::Broken => look("broken", "v-broken", BLACK, WHITE),
        ClaimOutcome::Inconclusive => look("inconclusive", "v-inconclusive", YELLOW, BLACK),
        ClaimOutcome::NotMeasured => look("not measured", "v-not-measured", WHITE, INK),
    }
}

pub fn change(verdict: ChangeVerdict) -> Look {
    match verdict {
        ChangeVerdict::Improvement => look("improvement", "v-improvement", BLUISH_GREEN, BLACK),
        ChangeVerdict::NoChange => look("no change", "v-no-change", GREY, BLACK),
        ChangeVerdict::Regression => look("regression", "v-regression", VERMILLION, BLACK),
        ChangeVerdict::Broken => look("broken", "v-broken", BLACK, WHITE),
        ChangeVerdict::Inconclusive => look("inconclusive", "v-inconclusive", YELLOW, BLACK),
    }
}

/// `#rrggbb`, for CSS.
pub fn hex(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// The badge rules, generated from the same table the charts use.
pub fn badge_css() -> String {
    use ChangeVerdict as C;
    use ClaimOutcome as O;
    let claims = [
        O::Confirmed,
        O::Exceeded,
        O::Partly,
        O::BelowClaim,
        O::NoChange,
        O::Regression,
        O::Broken,
        O::Inconclusive,
        O::NotMeasured,
    ]
    .map(claim);
    let changes = [C::Improvement].map(change);
    claims
        .iter()
        .chain(&changes)
        .map(|l| {
            format!(
                ".{}{{background:{};color:{}}}\n",
                l.class,
                hex(l.fill),
                hex(l.text)
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// WCAG relative luminance.
    fn luminance(c: RGBColor) -> f64 {
        let lin = |v: u8| {
            let s = f64::from(v) / 255.0;
            if s <= 0.03928 {
                s / 12.92
            } else {
                ((s + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(c.0) + 0.7152 * lin(c.1) + 0.0722 * lin(c.2)
    }

    fn contrast(a: RGBColor, b: RGBColor) -> f64 {
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    #[test]
    fn every_badge_text_is_readable_on_its_fill() {
        for outcome in [
            ClaimOutcome::Confirmed,
            ClaimOutcome::Exceeded,
            ClaimOutcome::Partly,
            ClaimOutcome::BelowClaim,
            ClaimOutcome::NoChange,
            ClaimOutcome::Regression,
            ClaimOutcome::Broken,
            ClaimOutcome::Inconclusive,
            ClaimOutcome::NotMeasured,
        ] {
            let l = claim(outcome);
            assert!(contrast(l.fill, l.text) >= 4.5, "{l:?}");
        }
    }

    #[test]
    fn badge_css_has_a_rule_per_class() {
        let css = badge_css();
        assert!(css.contains(".v-confirmed{background:#009e73;color:#000000}"));
        assert!(css.contains(".v-improvement{"));
        assert_eq!(css.lines().count(), 10);
    }
}
