//! `--export FORMAT=FILE`: the flag every command that makes a results
//! document flattens in, and the message for each file written.

use crate::error::Result;
use crate::export::{self, Request};
use crate::results::Document;
use clap::Args;

#[derive(Args)]
pub(super) struct Exports {
    #[arg(
        long = "export",
        value_name = "FORMAT=FILE",
        value_parser = export::parse,
        help = format!("Write the results as FORMAT to FILE too ({}); repeatable", export::names()),
        long_help = export::help()
    )]
    exports: Vec<Request>,
}

impl Exports {
    /// Writes every requested export of `doc`, and says where.
    pub(super) fn write(&self, doc: &Document) -> Result<()> {
        for request in &self.exports {
            for out in export::write(doc, request)? {
                let verb = if out.append { "appended" } else { "exported" };
                eprintln!(
                    "{verb} {} to {}",
                    request.exporter.name(),
                    out.path.display()
                );
            }
        }
        Ok(())
    }

    /// The files asked for.
    pub(super) fn paths(&self) -> impl Iterator<Item = &std::path::Path> {
        self.exports.iter().map(|r| r.path.as_path())
    }

    /// Writes every requested export of `doc`, each on its own; the failures.
    pub(super) fn write_each(&self, doc: &Document) -> Vec<crate::error::Error> {
        self.exports
            .iter()
            .filter_map(|request| {
                let one = Exports {
                    exports: vec![request.clone()],
                };
                one.write(doc).err()
            })
            .collect()
    }
}
