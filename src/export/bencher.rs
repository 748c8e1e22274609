//! `bencher`: Bencher Metric Format (BMF) JSON, `{benchmark: {measure: {value,
//! lower_value, upper_value}}}`, for `bencher run --adapter json --file FILE`.
//!
//! The benchmark is `bench [variant]`; the measure is named for the unit
//! (`throughput-bytes` B/s, `throughput` op/s, `latency`, `memory` B,
//! `cpu-usage` cpu-s/s). `latency` is given in nanoseconds, the unit of
//! Bencher's built-in Latency measure. The value is the median over the
//! rounds, the bounds the smallest and largest round. Entries without a figure
//! are left out: BMF needs a number.

use super::{label, measure, Exporter, Output};
use crate::results::{Document, Unit};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

pub struct Bencher;

#[derive(Serialize)]
struct Metric {
    value: f64,
    lower_value: f64,
    upper_value: f64,
}

impl Exporter for Bencher {
    fn name(&self) -> &'static str {
        "bencher"
    }

    fn about(&self) -> &'static str {
        "Bencher Metric Format JSON (bencher run --adapter json --file FILE): benchmark `bench [variant]`, measure named for the unit (throughput-bytes, throughput, latency in ns, memory, cpu-usage), value the median, lower_value/upper_value the extreme rounds"
    }

    fn render(&self, doc: &Document, path: &Path) -> Vec<Output> {
        let mut bmf: BTreeMap<String, BTreeMap<&str, Metric>> = BTreeMap::new();
        for r in &doc.results {
            let Some(s) = &r.throughput else { continue };
            let scale = if r.unit == Unit::Seconds { 1e9 } else { 1.0 };
            bmf.entry(label(r)).or_default().insert(
                measure(r.unit),
                Metric {
                    value: s.median * scale,
                    lower_value: s.min * scale,
                    upper_value: s.max * scale,
                },
            );
        }
        let mut json = serde_json::to_vec_pretty(&bmf).expect("plain data serializes");
        json.push(b'\n');
        vec![Output::replace(path, json)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::ChangeVerdict;

    #[test]
    fn each_variant_is_a_benchmark_with_its_measure_bounded_by_the_rounds() {
        let doc = super::super::tests::document("compress/zlib/l6/text", ChangeVerdict::NoChange);
        let out = Bencher.render(&doc, Path::new("bmf.json"));
        let v: serde_json::Value = serde_json::from_slice(&out[0].bytes).unwrap();
        assert_eq!(v.as_object().unwrap().len(), 2);
        let m = &v["compress/zlib/l6/text [a]"]["throughput-bytes"];
        let (lo, mid, hi) = (
            m["lower_value"].as_f64().unwrap(),
            m["value"].as_f64().unwrap(),
            m["upper_value"].as_f64().unwrap(),
        );
        assert!(lo < mid && mid < hi, "{m}");
    }
}
