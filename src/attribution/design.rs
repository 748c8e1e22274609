//! The design matrix of a factorial run: which terms (factor levels and their
//! pairwise interactions) the variants let us estimate, and which are aliased.
//!
//! Rows are the variants other than the reference, columns 0/1 indicators
//! ("this variant has the factor's level, the reference has another").
//! Treatment coding: the reference row is all zeros and its log-ratio is zero
//! by definition, so there is no intercept. A term is kept when its column
//! adds rank; a column equal to a kept term's is aliased with it; a column that
//! adds no rank otherwise is "not separable". Pure: no measurements here.

/// One main-effect column: a factor at one non-reference level.
#[derive(Debug, Clone, PartialEq)]
pub struct MainColumn {
    /// The term's name: the factor's (`opt`), or `factor=level` when the factor
    /// has several non-reference levels.
    pub label: String,
    /// Which factor it belongs to (its columns never interact with each other).
    pub factor: usize,
    /// One 0/1 entry per non-reference variant.
    pub column: Vec<f64>,
}

/// An estimable term of the design.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    pub label: String,
    /// The main columns it is made of: one, or two for an interaction.
    pub parts: Vec<usize>,
    pub column: Vec<f64>,
    /// Other terms with the same column: the figure is theirs as much as its own.
    pub aliased_with: Vec<String>,
}

/// A term that has no figure of its own in this design.
#[derive(Debug, Clone, PartialEq)]
pub struct Unseparable {
    pub label: String,
    pub parts: Vec<usize>,
    /// The kept term whose column equals its own, when there is one.
    pub same_as: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    pub terms: Vec<Term>,
    /// Main effects that cannot be separated from the kept terms.
    pub unseparable: Vec<Unseparable>,
}

/// The interaction's name: `opt×march`.
pub fn interaction_label(a: &str, b: &str) -> String {
    format!("{a}×{b}")
}

impl Design {
    /// Keeps the main columns in order while they add rank, then the pairwise
    /// interactions of kept main columns of different factors likewise.
    /// Interactions never seen (a zero column) are left out silently; those
    /// equal to a kept term are named among its aliases.
    pub fn new(mains: &[MainColumn]) -> Design {
        let mut design = Design {
            terms: Vec::new(),
            unseparable: Vec::new(),
        };
        for (i, m) in mains.iter().enumerate() {
            design.add(&m.label, vec![i], m.column.clone(), true);
        }
        let kept: Vec<usize> = design.terms.iter().map(|t| t.parts[0]).collect();
        for (x, &a) in kept.iter().enumerate() {
            for &b in &kept[x + 1..] {
                if mains[a].factor == mains[b].factor {
                    continue;
                }
                let column: Vec<f64> = mains[a]
                    .column
                    .iter()
                    .zip(&mains[b].column)
                    .map(|(p, q)| p * q)
                    .collect();
                if column.iter().all(|v| *v == 0.0) {
                    continue;
                }
                let label = interaction_label(&mains[a].label, &mains[b].label);
                design.add(&label, vec![a, b], column, false);
            }
        }
        design
    }

    fn add(&mut self, label: &str, parts: Vec<usize>, column: Vec<f64>, main: bool) {
        if let Some(t) = self.terms.iter_mut().find(|t| t.column == column) {
            t.aliased_with.push(label.to_string());
            if main {
                self.unseparable.push(Unseparable {
                    label: label.to_string(),
                    parts,
                    same_as: Some(t.label.clone()),
                });
            }
            return;
        }
        let mut columns: Vec<&[f64]> = self.terms.iter().map(|t| t.column.as_slice()).collect();
        columns.push(&column);
        if rank(&columns) == columns.len() {
            self.terms.push(Term {
                label: label.to_string(),
                parts,
                column,
                aliased_with: vec![],
            });
        } else if main {
            self.unseparable.push(Unseparable {
                label: label.to_string(),
                parts,
                same_as: None,
            });
        }
    }

    /// The matrix, one row per non-reference variant, one column per term.
    pub fn rows(&self) -> Vec<Vec<f64>> {
        let n = self.terms.first().map_or(0, |t| t.column.len());
        (0..n)
            .map(|i| self.terms.iter().map(|t| t.column[i]).collect())
            .collect()
    }
}

/// The rank of the matrix whose columns are given, by Gaussian elimination
/// with partial pivoting.
pub fn rank(columns: &[&[f64]]) -> usize {
    let Some(first) = columns.first() else {
        return 0;
    };
    let rows = first.len();
    let mut m: Vec<Vec<f64>> = (0..rows)
        .map(|r| columns.iter().map(|c| c[r]).collect())
        .collect();
    let mut rank = 0;
    for col in 0..columns.len() {
        let pivot = (rank..rows).max_by(|&a, &b| m[a][col].abs().total_cmp(&m[b][col].abs()));
        let Some(p) = pivot.filter(|&p| m[p][col].abs() > 1e-9) else {
            continue;
        };
        m.swap(rank, p);
        let pivot_row = m[rank].clone();
        for (r, row) in m.iter_mut().enumerate() {
            if r != rank {
                let f = row[col] / pivot_row[col];
                for (x, q) in row.iter_mut().zip(&pivot_row).skip(col) {
                    *x -= f * q;
                }
            }
        }
        rank += 1;
    }
    rank
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The six flavors of `scripts/demo-store --flavors` against O2:
    /// O3, O2-native, O3-native, O3-native-lto, O3-native-pgo.
    pub(crate) fn six_flavors() -> Vec<MainColumn> {
        let col = |label: &str, factor: usize, v: [f64; 5]| MainColumn {
            label: label.into(),
            factor,
            column: v.to_vec(),
        };
        vec![
            col("opt", 0, [1.0, 0.0, 1.0, 1.0, 1.0]),
            col("march", 1, [0.0, 1.0, 1.0, 1.0, 1.0]),
            col("lto", 2, [0.0, 0.0, 0.0, 1.0, 0.0]),
            col("pgo", 3, [0.0, 0.0, 0.0, 0.0, 1.0]),
        ]
    }

    #[test]
    fn the_six_flavors_separate_every_flag_and_alias_lto_with_its_interactions() {
        let d = Design::new(&six_flavors());
        let labels: Vec<&str> = d.terms.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["opt", "march", "lto", "pgo", "opt×march"]);
        let lto = &d.terms[2];
        assert_eq!(lto.aliased_with, ["opt×lto", "march×lto"]);
        assert_eq!(d.terms[3].aliased_with, ["opt×pgo", "march×pgo"]);
        assert!(d.unseparable.is_empty());
    }

    #[test]
    fn flags_that_always_change_together_cannot_be_separated() {
        // stock against optimized: -O3 and -march=native in one step.
        let mains = vec![
            MainColumn {
                label: "opt".into(),
                factor: 0,
                column: vec![1.0],
            },
            MainColumn {
                label: "march".into(),
                factor: 1,
                column: vec![1.0],
            },
        ];
        let d = Design::new(&mains);
        assert_eq!(d.terms.len(), 1);
        assert_eq!(d.terms[0].aliased_with, ["march"]);
        assert_eq!(d.unseparable[0].same_as.as_deref(), Some("opt"));
    }

    #[test]
    fn a_column_that_is_a_sum_of_others_adds_no_rank() {
        let a = [1.0, 0.0, 1.0];
        let b = [0.0, 1.0, 1.0];
        let c = [1.0, 1.0, 2.0];
        assert_eq!(rank(&[&a, &b]), 2);
        assert_eq!(rank(&[&a, &b, &c]), 2);
    }
}
