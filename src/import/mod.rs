//! Foreign formats: service metadata that other tools keep in files of their own, read into
//! service docs with provenance. One module per format, behind one interface: a file in
//! ([`read`]), and once every file of the book is read, services out (`into_services`),
//! merged with the service docs of the same id. The parser of service docs knows none of them.

use std::sync::Arc;

use crate::diag::Diagnostics;
use crate::parse::Parsed;
use crate::source::SourceFile;

pub(crate) mod backstage;

/// What a foreign file says, kept until every service doc of the book is known.
#[derive(Debug, Clone)]
pub enum Foreign {
    /// A Backstage catalog file (`catalog-info.yaml`): its entities.
    Backstage(Arc<backstage::CatalogFile>),
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
    backstage::into_services(&catalogs, parsed, diagnostics)
}
