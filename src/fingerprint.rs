//! Up to date: a fingerprint of everything a build reads, kept with what the build reported
//! in the output folder's marker, so a build whose inputs have not changed stops early,
//! repeats the warnings of the last one, and leaves the site alone.
//!
//! Inputs are known by their modification time and size, as make and cargo know theirs:
//! every source file, book.toml, the checklist, the theme overrides, and the opsbook binary
//! itself, with the options and the date that change what is written.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::config::{Config, SiteUrl};
use crate::diag::Diagnostic;
use crate::model::Date;
use crate::report::Summary;
use crate::site::theme::OVERRIDE_DIR;
use crate::source::Found;

/// What a finished build leaves in its marker for the next one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Record {
    /// The fingerprint of the inputs the site was built from.
    pub(crate) inputs: String,
    pub(crate) pages: usize,
    /// How many of the pages are general pages, outside services.
    #[serde(default)]
    pub(crate) general_pages: usize,
    pub(crate) summary: Summary,
    /// Problems found after the sources were listed (fetching and finding run every time).
    pub(crate) diagnostics: Vec<Diagnostic>,
}

/// The options of a build that change its output.
#[derive(Debug, Clone, Copy, Hash)]
pub(crate) struct Settings<'a> {
    pub(crate) today: Date,
    pub(crate) site_url: Option<&'a SiteUrl>,
    pub(crate) deny_warnings: bool,
}

/// The fingerprint of a build's inputs, or `None` when one of them cannot be stamped (then
/// the build always runs).
pub(crate) fn inputs(config: &Config, found: &[Found], settings: Settings) -> Option<String> {
    let mut hasher = DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    stamp(&std::env::current_exe().ok()?)?.hash(&mut hasher);
    settings.hash(&mut hasher);
    // A missing book.toml or checklist is an input too: creating one changes the build.
    stamp(&config.book_file).hash(&mut hasher);
    config
        .checklist
        .file
        .as_deref()
        .map(stamp)
        .hash(&mut hasher);
    for source in &config.sources {
        (source.unavailable, &source.stale_since).hash(&mut hasher);
    }
    theme_stamps(&config.root.join(OVERRIDE_DIR))?.hash(&mut hasher);
    for file in found {
        (file.source_index, &file.relative, stamp_of(file.stamp?)).hash(&mut hasher);
    }
    Some(format!("{:016x}", hasher.finish()))
}

/// Modification time (nanoseconds since 1970) and size of a file.
fn stamp(path: &Path) -> Option<(u128, u64)> {
    let metadata = std::fs::metadata(path).ok()?;
    Some(stamp_of((metadata.modified().ok()?, metadata.len())))
}

fn stamp_of((modified, size): (SystemTime, u64)) -> (u128, u64) {
    let nanos = modified
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    (nanos, size)
}

/// Every file of the theme overrides folder with its stamp; empty when there is none.
fn theme_stamps(folder: &Path) -> Option<Vec<(String, (u128, u64))>> {
    if !folder.exists() {
        return Some(Vec::new());
    }
    let mut stamps = Vec::new();
    for entry in walkdir::WalkDir::new(folder).sort_by_file_name() {
        let entry = entry.ok()?;
        if entry.file_type().is_file() {
            let name = entry.path().to_string_lossy().into_owned();
            stamps.push((name, stamp(entry.path())?));
        }
    }
    Some(stamps)
}
