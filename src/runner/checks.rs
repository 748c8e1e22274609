//! Start-up checks: what the plan asks of every variant before anything runs, and
//! what every first-round worker reports about the files it loaded. A variant
//! that would measure something other than what it names is refused here, with
//! an error that says which file came from where; nothing is timed first.

use super::handle::{Ready, Worker};
use super::Plan;
use crate::error::{Error, Result};

use crate::library::Library;
use crate::provenance::Needs;
use crate::provenance::Provenance;
use crate::results::CorpusInfo;
use crate::results::VariantRecord;
use crate::variant::Variant;
use crate::workload::Job;

/// Refuses a variant that lacks a library or an interpreter the benchmarks
/// need, or a command line for a selected command.
pub(super) fn plan(plan: &Plan, needs: &Needs) -> Result<()> {
    for v in &plan.variants {
        v.check_provides(&needs.libraries)?;
        v.check_interpreters(&plan.benches)?;
    }
    check_commands(plan)
}

/// Every variant has a command line for every selected command, and every
/// per-variant command line names a variant of the run.
fn check_commands(plan: &Plan) -> Result<()> {
    for bench in &plan.benches {
        let Some(Job::Command(c)) = bench.process().map(|p| &p.job) else {
            continue;
        };
        let bad = |why: String| Error::Command {
            command: c.name.clone(),
            why,
        };
        if let Some(v) = plan.variants.iter().find(|v| c.argv_for(&v.name).is_none()) {
            return Err(bad(format!(
                "no `argv` and no `variants.{}` command line for variant `{}`",
                v.name, v.name
            )));
        }
        if let Some(name) = c
            .per_variant
            .keys()
            .find(|n| !plan.variants.iter().any(|v| &v.name == *n))
        {
            let known: Vec<&str> = plan.variants.iter().map(|v| v.name.as_str()).collect();
            return Err(bad(format!(
                "`variants.{name}` names no variant of this run ({})",
                known.join(", ")
            )));
        }
        c.check_programs(&plan.variants)?;
    }
    Ok(())
}

/// The first round's workers, one per variant in plan order, and what they
/// reported.
pub(super) struct Started {
    pub workers: Vec<Option<Worker>>,
    pub records: Vec<VariantRecord>,
    /// The corpora every variant read (the first variant's; all are the same).
    pub corpora: Vec<CorpusInfo>,
}

/// Starts the first round's workers, with provenance, and refuses variants whose
/// libraries came from elsewhere or whose corpora differ.
pub(super) fn start(plan: &Plan, needs: &Needs, kept: &super::KeptDirs) -> Result<Started> {
    let mut workers = Vec::new();
    let mut records: Vec<VariantRecord> = Vec::new();
    let mut corpora: Option<(String, Vec<CorpusInfo>)> = None;
    for (v, variant) in plan.variants.iter().enumerate() {
        let (worker, ready) =
            Worker::start_with_provenance(plan, variant, kept.of(v)).map_err(|f| {
                Error::WorkerStart {
                    variant: variant.name.clone(),
                    why: f.describe(variant, "start-up"),
                    crashed: !matches!(f, super::Failure::Died { status: None, .. }),
                }
            })?;
        let Ready {
            provenance,
            corpora: infos,
        } = ready;
        let provenance = checked_provenance(plan, variant, provenance, &needs.libraries)?;
        match &corpora {
            None => corpora = Some((variant.name.clone(), infos)),
            Some((first, known)) => same_corpora(first, known, &variant.name, &infos)?,
        }
        let mut record = VariantRecord {
            variant: variant.clone(),
            same_files_as: vec![],
            smoke: None,
            provenance: Some(provenance),
        };
        record.same_files_as = same_files_as(&records, &record, needs);
        records.push(record);
        workers.push(Some(worker));
    }
    Ok(Started {
        workers,
        records,
        corpora: corpora.map(|c| c.1).unwrap_or_default(),
    })
}

/// `variant`'s provenance with its interpreters identified, unless its glibc or
/// one of `libs` was loaded from outside the variant.
fn checked_provenance(
    plan: &Plan,
    variant: &Variant,
    mut provenance: Provenance,
    libs: &[Library],
) -> Result<Provenance> {
    for (&i, path) in &variant.interpreters {
        let identity = crate::provenance::identify_interpreter(variant, i, path, plan.timeout)
            .map_err(|why| Error::Interpreter {
                variant: variant.name.clone(),
                interpreter: i.name(),
                path: path.clone(),
                why,
            })?;
        provenance.interpreters.push(identity);
    }
    if let Some((what, loaded)) = variant
        .glibc
        .as_ref()
        .and_then(|g| provenance.foreign_glibc(g))
    {
        return Err(Error::WrongGlibc {
            variant: variant.name.clone(),
            what,
            loaded,
            expected: variant
                .glibc
                .as_ref()
                .map(|g| g.lib_dir.clone())
                .unwrap_or_default(),
        });
    }
    if let Some((lib, loaded)) = provenance.foreign_library(variant, libs) {
        return Err(Error::WrongLibrary {
            variant: variant.name.clone(),
            library: lib.name(),
            soname: lib.soname(),
            loaded,
            expected: variant
                .lib_dirs
                .iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    if let Some(s) = provenance.shadowed(variant) {
        return Err(Error::ShadowedLibrary {
            variant: variant.name.clone(),
            process: s.process,
            file: s.file,
            loaded: s.loaded,
            own: s.own,
        });
    }
    Ok(provenance)
}

/// Variant `b` read the same corpora as variant `a`, the first one.
fn same_corpora(a: &str, known: &[CorpusInfo], b: &str, infos: &[CorpusInfo]) -> Result<()> {
    match known.iter().zip(infos).find(|(x, y)| x.sha256 != y.sha256) {
        Some((x, y)) => Err(Error::CorpusMismatch {
            name: x.name.clone(),
            a: a.to_string(),
            hash_a: x.sha256.clone(),
            b: b.to_string(),
            hash_b: y.sha256.clone(),
        }),
        None => Ok(()),
    }
}

/// The variants already started that loaded the same files as `record`, in the
/// same environment (same files but another OPENSSL_ia32cap or PYTHONPATH is not
/// the same build run twice): an A/A pair.
fn same_files_as(records: &[VariantRecord], record: &VariantRecord, needs: &Needs) -> Vec<String> {
    records
        .iter()
        .filter(|r| r.same_subject(record, needs))
        .map(|r| r.variant.name.clone())
        .collect()
}
