use super::*;
use crate::results::{BenchResult, Unit};

fn doc(benches: &[&str], dirs: &[&str]) -> Document {
    let mut results = vec![];
    for b in benches {
        for v in ["stock", "optimized"] {
            results.push(BenchResult::from_values(
                b,
                "g",
                v,
                Unit::BytesPerSecond,
                vec![1.0, 2.0],
            ));
        }
    }
    let mut d = Document::of_results(results);
    for v in &mut d.variants {
        v.variant.lib_dirs = dirs
            .iter()
            .map(|d| PathBuf::from(format!("/s/{}-{d}", v.variant.name)))
            .collect();
    }
    d.corpora = vec![CorpusInfo {
        name: "text".into(),
        bytes: 4,
        sha256: "aa".into(),
        source: "generated".into(),
    }];
    d
}

fn two(a: Document, b: Document) -> Result<Document, Mismatch> {
    merge(vec![("a.json".into(), a), ("b.json".into(), b)])
}

#[test]
fn results_of_both_are_kept_with_the_later_variants() {
    let m = two(
        doc(&["x/1", "x/2"], &["zlib"]),
        doc(&["y/1"], &["zlib", "openssl"]),
    )
    .unwrap();
    assert_eq!(m.results.len(), 6);
    assert!(m.result("x/2", "optimized").is_some() && m.result("y/1", "stock").is_some());
    assert_eq!(m.variants[0].variant.lib_dirs.len(), 2);
    assert_eq!(m.corpora.len(), 1);
    assert!(m.comparisons.is_empty() && m.claims.is_empty());
}

#[test]
fn a_benchmark_measured_twice_is_refused() {
    let e = two(doc(&["x/1"], &["zlib"]), doc(&["x/1"], &["zlib"])).unwrap_err();
    assert_eq!(e.path, PathBuf::from("b.json"));
    assert!(e.why.contains("x/1"), "{}", e.why);
}

#[test]
fn a_variant_that_lost_a_library_directory_is_refused() {
    let e = two(doc(&["x/1"], &["zlib", "bzip2"]), doc(&["y/1"], &["zlib"])).unwrap_err();
    assert!(e.why.contains("bzip2"), "{}", e.why);
}

#[test]
fn other_variants_seeds_rounds_or_corpora_are_refused() {
    let mut b = doc(&["y/1"], &["zlib"]);
    b.variants.reverse();
    assert!(two(doc(&["x/1"], &["zlib"]), b)
        .unwrap_err()
        .why
        .contains("variants"));
    let mut b = doc(&["y/1"], &["zlib"]);
    b.seed = 7;
    assert!(two(doc(&["x/1"], &["zlib"]), b)
        .unwrap_err()
        .why
        .contains("seed"));
    let mut b = doc(&["y/1"], &["zlib"]);
    b.settings.rounds += 1;
    assert!(two(doc(&["x/1"], &["zlib"]), b)
        .unwrap_err()
        .why
        .contains("rounds"));
    let mut b = doc(&["y/1"], &["zlib"]);
    b.corpora[0].sha256 = "bb".into();
    assert!(two(doc(&["x/1"], &["zlib"]), b)
        .unwrap_err()
        .why
        .contains("corpus text"));
}
