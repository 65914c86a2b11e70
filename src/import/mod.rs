//! Foreign formats: service metadata that other tools keep in files of their own, read into
//! service docs with provenance. One module per format, behind one interface: a file in
//! ([`read`]), and once every file of the book is read, [`Record`]s out, which `merge` makes
//! into services together with the service docs of the same id. The parser of service docs
//! knows none of them.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::deserialize::ProblemCodes;
use crate::diag::Diagnostics;
use crate::parse::{Origin, Parsed};
use crate::source::SourceFile;

pub(crate) mod backstage;
mod merge;

/// What a foreign file says, kept until every file of the book is read (a Backstage entity
/// needs the book's Groups and APIs to be read into a service).
#[derive(Debug, Clone)]
pub enum Foreign {
    /// A Backstage catalog file (`catalog-info.yaml`): its entities.
    Backstage(Arc<backstage::CatalogFile>),
}

/// The tool a record's file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Backstage,
}

impl Format {
    /// How pages name where a service's fields came from: "From {label} (file:line)".
    pub(crate) fn label(self) -> &'static str {
        match self {
            Format::Backstage => "the Backstage catalog",
        }
    }

    /// The codes of problems in the fields a record of this format supplies.
    fn problem_codes(self) -> ProblemCodes {
        match self {
            Format::Backstage => backstage::ENTITY_CODES,
        }
    }
}

/// What one file of another tool says of one service, in a service doc's own shape: the
/// front-matter keys and values it supplies (`service` always).
#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub(crate) format: Format,
    /// The foreign file.
    pub(crate) origin: Origin,
    /// Where the service's entry starts in it.
    pub(crate) first_line: usize,
    /// The entry's text.
    pub(crate) text: String,
    pub(crate) fields: Map<String, Value>,
}

impl Record {
    /// The service id it describes.
    fn id(&self) -> &str {
        self.fields
            .get("service")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }
}

/// Reads a file of a foreign source; its problems are located diagnostics.
pub fn read(file: &SourceFile, diagnostics: &mut Diagnostics) -> Option<Foreign> {
    backstage::parse_file(file, diagnostics).map(Foreign::Backstage)
}

/// The parsed docs with what the foreign files say merged in: fields of docs of the same id,
/// and services no doc describes.
pub(crate) fn into_services(
    parsed: Vec<Parsed>,
    foreign: &[Foreign],
    diagnostics: &mut Diagnostics,
) -> Vec<Parsed> {
    let catalogs: Vec<Arc<backstage::CatalogFile>> = foreign
        .iter()
        .map(|Foreign::Backstage(file)| Arc::clone(file))
        .collect();
    let records = backstage::records(&catalogs, diagnostics);
    merge::into_services(records, parsed, diagnostics)
}
