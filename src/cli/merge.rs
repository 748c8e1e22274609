//! `storebench merge`: run documents of the same variants, measured in parts
//! (`scripts/demo` measures each part of its store as soon as it is built), as
//! one document, judged, printed, reported and recorded as one run.

use super::outputs::{self, Outputs};
use super::{conclude, present, report, Judging, Store};
use crate::baseline;
use crate::claims::{self, Claims};
use crate::error::{Error, Result};
use crate::results::Document;
use clap::Args;
use std::path::PathBuf;

pub(super) const ABOUT: &str = "\
The documents must be `run` documents of the same variants (in the same order), on
the same host, with the same seed, rounds and slice, and no benchmark in two of them.
A variant may hold more library directories in a later document (a part of the
store built later); it must still hold every earlier one's. The merged document's
comparisons, groups and claims are judged anew over all the results.

Example:
  storebench run --seed 1 --bench 'compress/*' --json a.json --no-report --no-history
  storebench run --seed 1 --bench 'aes/*' --json b.json --no-report --no-history
  storebench merge a.json b.json --json run.json

Exit codes: 0 done, 2 bad input (documents that do not merge), 3 a variant produced
wrong results or its worker failed in one of them.";

#[derive(Args)]
pub struct MergeArgs {
    /// Results documents (`run --json`), in the order they were measured.
    #[arg(value_name = "RESULTS.json", num_args = 2.., required = true)]
    docs: Vec<PathBuf>,
    /// Write the merged results document.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    #[command(flatten)]
    exports: super::export::Exports,
    #[command(flatten)]
    report: report::RunReport,
    #[command(flatten)]
    judging: Judging,
    #[command(flatten)]
    recording: super::history::Recording,
}

pub fn merge(args: MergeArgs) -> Result<i32> {
    let claims = Claims::load(args.judging.claims.as_deref())?;
    let mut docs = vec![];
    for p in &args.docs {
        docs.push((p.clone(), Document::read(p)?));
    }
    let mut doc = crate::merge::merge(docs).map_err(|m| Error::NoMerge {
        path: m.path,
        why: m.why,
    })?;
    let store = Store {
        baselines_dir: baseline::DEFAULT_DIR.into(),
        replace_baseline: false,
    };
    let outputs = Outputs {
        json: args.json.as_deref(),
        save: None,
        store: &store,
        exports: &args.exports,
        report: &args.report,
        recording: Some((&args.recording, "run")),
    };
    outputs.check()?;
    let opts = args.judging.options(doc.seed);
    claims::analyse(&mut doc, None, &claims, opts);
    present(&doc, None);
    let failed = outputs.write(&doc);
    Ok(outputs::exit_code(conclude(&doc, None), &failed))
}
