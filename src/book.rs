//! The evaluated book: reads a book and runs every stage up to the report (config -> sources
//! -> parse -> catalog -> analysis -> checklist -> evaluate), for every command. What a
//! command does with the result (the site, a report, a diff) is the business of the modules
//! that take an `Evaluated`.
//!
//! Problems in users' files are collected in [`Diagnostics`], never printed here.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::analysis::{self, Analysis};
use crate::catalog::{self, Catalog};
use crate::checklist::{self, Checklist};
use crate::config::{self, Config};
use crate::diag::Diagnostics;
use crate::evaluate::evaluate;
use crate::evaluate::report::Report;
use crate::fetch::{self, Network};
use crate::import::{self, Foreign};
use crate::model::Date;
use crate::parse::{self, Parsed};
use crate::source;

/// Everything known about a book after evaluation.
#[derive(Debug)]
pub(crate) struct Evaluated {
    pub(crate) config: Config,
    pub(crate) catalog: Catalog,
    pub(crate) analysis: Analysis,
    pub(crate) checklist: Checklist,
    pub(crate) report: Report,
    pub(crate) diagnostics: Diagnostics,
}

/// What one evaluation can hand to the next: `serve` keeps these between rebuilds, so a save
/// reads and parses only the files it changed.
#[derive(Debug, Default)]
pub(crate) struct Caches {
    /// Each file's parse, by its path, with the stamp (modification time, size) it was read at.
    parsed: FxHashMap<PathBuf, ParsedFile>,
    /// The files of the last walk, while only their contents have changed since.
    found: Option<Vec<source::Found>>,
    /// How the next build may fetch git sources.
    pub(crate) network: Network,
}

impl Caches {
    /// Nothing read yet; the first evaluation may fetch git sources as `network` allows.
    pub(crate) fn new(network: Network) -> Caches {
        Caches {
            network,
            ..Caches::default()
        }
    }

    /// Takes note of what a watcher saw change, and says whether anything did. What was read
    /// from a changed file is forgotten, whatever its stamp says (modification times can be
    /// too coarse to tell). A path that is gone and never was part of the book (an editor's
    /// temporary file, renamed over the doc it saves) changes nothing. The next build walks
    /// the sources again when the watcher lost track (`rescan`), a file of the book is gone,
    /// or a changed path is not one of its files (a new file, book.toml, a template); a doc
    /// saved again, in place or by renaming a new file over it, is only read again.
    #[cfg(feature = "serve")]
    pub(crate) fn note_changes(&mut self, changed: &[PathBuf], rescan: bool) -> bool {
        let found: HashSet<&Path> = self
            .found
            .iter()
            .flatten()
            .map(|f| f.path.as_path())
            .collect();
        let folders: HashSet<&Path> = found.iter().flat_map(|p| p.ancestors().skip(1)).collect();
        let part_of_book = |path: &Path| found.contains(path) || folders.contains(path);
        let changed: Vec<&PathBuf> = changed
            .iter()
            .filter(|path| path.exists() || part_of_book(path))
            .collect();
        if changed.is_empty() && !rescan {
            return false;
        }
        let walk = rescan
            || changed
                .iter()
                .any(|path| !found.contains(path.as_path()) || !path.exists());
        self.parsed.retain(|path, _| !changed.contains(&path));
        if walk {
            self.found = None;
        }
        true
    }
}

#[derive(Debug, Clone)]
struct ParsedFile {
    /// The source folder it was found in: a folder listed twice finds a file twice.
    source_index: usize,
    /// How it was read: a file linked to is read as an image is, but only once linked to.
    kind: source::FileKind,
    stamp: Option<(std::time::SystemTime, u64)>,
    read: Option<Read>,
    problems: Diagnostics,
}

/// What one file gave: a doc, page or asset, or what a file of another tool says.
#[derive(Debug, Clone)]
enum Read {
    Doc(Parsed),
    Foreign(Foreign),
}

/// What the book's files gave, in the order they were found.
#[derive(Default)]
struct ReadFiles {
    parsed: Vec<Parsed>,
    foreign: Vec<Foreign>,
}

/// Reads and evaluates the book in `dir` as of `today`.
pub(crate) fn evaluate_book(dir: &Path, today: Date, network: Network) -> Evaluated {
    evaluate_with(dir, today, &mut Caches::new(network))
}

/// Evaluates a book whose configuration is already loaded (with the problems loading found):
/// `revision` loads a book.toml from an older commit and points its folders elsewhere first.
pub(crate) fn evaluate_config(
    config: Config,
    diagnostics: Diagnostics,
    today: Date,
    network: Network,
) -> Evaluated {
    let mut caches = Caches::new(network);
    let gathered = gather_loaded(config, diagnostics, &mut caches);
    evaluate_gathered(gathered, today, &mut caches)
}

/// The book's configuration and the list of its files: what a build reads before it reads
/// any file, and all it needs to tell whether anything changed since the last build.
pub(crate) struct Gathered {
    pub(crate) config: Config,
    pub(crate) found: Vec<source::Found>,
    pub(crate) diagnostics: Diagnostics,
}

pub(crate) fn gather(dir: &Path, caches: &mut Caches) -> Gathered {
    let mut diagnostics = Diagnostics::new();
    let config = config::load(dir, &mut diagnostics);
    gather_loaded(config, diagnostics, caches)
}

fn gather_loaded(
    mut config: Config,
    mut diagnostics: Diagnostics,
    caches: &mut Caches,
) -> Gathered {
    fetch::fetch_sources(&mut config, caches.network, &mut diagnostics);
    let found = match caches.found.take() {
        Some(found) => found,
        None => source::find(&config, &mut diagnostics),
    };
    Gathered {
        config,
        found,
        diagnostics,
    }
}

fn evaluate_with(dir: &Path, today: Date, caches: &mut Caches) -> Evaluated {
    let gathered = gather(dir, caches);
    evaluate_gathered(gathered, today, caches)
}

pub(crate) fn evaluate_gathered(gathered: Gathered, today: Date, caches: &mut Caches) -> Evaluated {
    let Gathered {
        config,
        found,
        mut diagnostics,
    } = gathered;
    // Files read and parse independently: in parallel, each with its own problems. A file
    // with the stamp it had last time is neither read nor parsed again. Files of other types
    // are read only once a doc links to them (see `linked_files`).
    let (others, found_read): (Vec<&source::Found>, Vec<&source::Found>) = found
        .iter()
        .partition(|file| file.kind == source::FileKind::Other);
    let mut files = std::mem::take(&mut caches.parsed);
    let mut kept = FxHashMap::with_capacity_and_hasher(found_read.len(), Default::default());
    let mut read = ReadFiles::default();
    read_all(
        &config,
        &found_read,
        &mut files,
        &mut kept,
        &mut read,
        &mut diagnostics,
    );
    // Other tools' files are read for what they say, and published too when a doc links
    // to one, as any other file is.
    let linkable: Vec<&source::Found> = others
        .iter()
        .copied()
        .chain(
            found_read
                .iter()
                .copied()
                .filter(|file| matches!(file.kind, source::FileKind::Foreign(_))),
        )
        .collect();
    let linked: Vec<source::Found> = linked_files(&read.parsed, &linkable)
        .map(|file| source::Found {
            kind: source::FileKind::Linked,
            ..file.clone()
        })
        .collect();
    let linked: Vec<&source::Found> = linked.iter().collect();
    read_all(
        &config,
        &linked,
        &mut files,
        &mut kept,
        &mut read,
        &mut diagnostics,
    );
    caches.parsed = kept;
    caches.found = Some(found);
    let parsed = import::into_services(&config, read.parsed, &read.foreign, &mut diagnostics);
    let options = catalog::Options {
        broken_links: config.broken_links.severity(),
        attach: &config.attach,
    };
    let catalog = Catalog::build(parsed, options, &mut diagnostics);
    catalog.check_raw_html(!config.allow_raw_html, &mut diagnostics);
    let checklist = checklist::load(&config, &mut diagnostics);
    checklist::validate_waivers(&catalog, &checklist, &mut diagnostics);
    let analysis = analysis::analyze(&catalog);
    let report = evaluate(
        &catalog,
        &analysis,
        &checklist,
        &config.checklist.required,
        today,
    );
    Evaluated {
        config,
        catalog,
        analysis,
        checklist,
        report,
        diagnostics,
    }
}

/// Reads and parses `found` (in parallel) into `parsed`, reusing what `known` holds for files
/// whose stamp did not change; each file's parse moves to `kept` for the next build.
fn read_all(
    config: &Config,
    found: &[&source::Found],
    known: &mut FxHashMap<PathBuf, ParsedFile>,
    kept: &mut FxHashMap<PathBuf, ParsedFile>,
    read: &mut ReadFiles,
    diagnostics: &mut Diagnostics,
) {
    let fresh: Vec<Option<ParsedFile>> = found
        .par_iter()
        .map(|file| {
            let unchanged = known
                .get(&file.path)
                .filter(|k| k.source_index == file.source_index && k.kind == file.kind)
                .is_some_and(|k| file.stamp.is_some() && k.stamp == file.stamp);
            (!unchanged).then(|| read_and_parse(config, file))
        })
        .collect();
    for (file, fresh) in found.iter().zip(fresh) {
        let entry = fresh
            .or_else(|| known.remove(&file.path))
            .filter(|k| k.source_index == file.source_index)
            .unwrap_or_else(|| read_and_parse(config, file));
        match entry.read.clone() {
            Some(Read::Doc(parsed)) => read.parsed.push(parsed),
            Some(Read::Foreign(foreign)) => read.foreign.push(foreign),
            None => {}
        }
        diagnostics.extend(entry.problems.clone());
        kept.insert(file.path.clone(), entry);
    }
}

/// The files among `others` (neither Markdown nor images) that a Markdown file links to or
/// embeds, or a runbook `link:` names: the site publishes them, and only them, so only they
/// are read.
fn linked_files<'f>(
    parsed: &[Parsed],
    others: &[&'f source::Found],
) -> impl Iterator<Item = &'f source::Found> {
    // By source, then path: a file is looked up without copying its path.
    let mut wanted: FxHashMap<usize, HashSet<String>> = FxHashMap::default();
    for file in parsed {
        let (origin, links): (_, Vec<&str>) = match file {
            Parsed::Service(service) => {
                let written = service.facts.links.iter().map(|l| l.destination.as_str());
                let runbooks = service
                    .doc
                    .runbook_links()
                    .into_iter()
                    .map(|(_, link)| link);
                (&service.origin, written.chain(runbooks).collect())
            }
            Parsed::Page(page) => (
                &page.origin,
                page.facts
                    .links
                    .iter()
                    .map(|l| l.destination.as_str())
                    .collect(),
            ),
            _ => continue,
        };
        for link in links {
            let Some(local) = crate::links::local(link) else {
                continue;
            };
            if let Some(target) = crate::links::target(&origin.relative, &local.path) {
                wanted
                    .entry(origin.source_index)
                    .or_default()
                    .insert(target);
            }
        }
    }
    others.iter().copied().filter(move |file| {
        wanted
            .get(&file.source_index)
            .is_some_and(|paths| paths.contains(file.relative.as_str()))
    })
}

fn read_and_parse(config: &Config, file: &source::Found) -> ParsedFile {
    let mut problems = Diagnostics::new();
    let read = match source::read(config, file) {
        Ok(source) => match file.kind {
            source::FileKind::Foreign(format) => {
                import::read(&source, format, config, &mut problems).map(Read::Foreign)
            }
            _ => parse::parse(&source, &mut problems).map(Read::Doc),
        },
        Err(problem) => {
            problems.push(problem);
            None
        }
    };
    // A file published as it is that cannot be: a link to it says why it leads nowhere.
    let read = read.or_else(|| {
        matches!(
            file.kind,
            source::FileKind::Asset | source::FileKind::Linked
        )
        .then(|| {
            Read::Doc(Parsed::Withheld(parse::Origin {
                display_path: config.display(&file.path),
                source_index: file.source_index,
                relative: file.relative.clone(),
            }))
        })
    });
    ParsedFile {
        source_index: file.source_index,
        kind: file.kind,
        stamp: file.stamp,
        read,
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileKind, Found};

    /// Caches that found `docs` (created under `root`) and parsed each of them.
    fn caches_of(root: &Path, docs: &[&str]) -> Caches {
        let mut caches = Caches::default();
        let mut found = Vec::new();
        for doc in docs {
            let path = root.join(doc);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "---\nservice: x\n---\n").unwrap();
            caches.parsed.insert(
                path.clone(),
                ParsedFile {
                    source_index: 0,
                    kind: FileKind::Markdown,
                    stamp: None,
                    read: None,
                    problems: Diagnostics::new(),
                },
            );
            found.push(Found {
                path,
                source_index: 0,
                relative: doc.to_string(),
                kind: FileKind::Markdown,
                stamp: None,
            });
        }
        caches.found = Some(found);
        caches
    }

    #[test]
    fn a_doc_saved_by_renaming_a_new_file_over_it_is_read_again_without_a_walk() {
        let dir = tempfile::tempdir().unwrap();
        let mut caches = caches_of(dir.path(), &["a/service.md", "b/service.md"]);
        // What `sed -i` or an editor's safe save leaves for the watcher: its temporary file
        // (gone, renamed over the doc) and the doc.
        let changed = [
            dir.path().join("a/sedX1b2c3"),
            dir.path().join("a/service.md"),
        ];
        assert!(caches.note_changes(&changed, false));
        assert!(caches.found.is_some(), "no new walk");
        let kept: Vec<&PathBuf> = caches.parsed.keys().collect();
        assert_eq!(kept, [&dir.path().join("b/service.md")]);
    }

    #[test]
    fn a_temporary_file_that_came_and_went_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut caches = caches_of(dir.path(), &["a/service.md"]);
        assert!(!caches.note_changes(&[dir.path().join("a/4913")], false));
        assert!(caches.found.is_some());
        assert_eq!(caches.parsed.len(), 1);
        assert!(
            caches.note_changes(&[dir.path().join("a/4913")], true),
            "unless events were lost"
        );
        assert!(caches.found.is_none());
    }

    #[test]
    fn new_gone_and_moved_files_need_a_new_walk() {
        let dir = tempfile::tempdir().unwrap();
        let walks = |change: &dyn Fn(&Path) -> PathBuf| {
            let mut caches = caches_of(dir.path(), &["a/service.md", "b/service.md"]);
            let path = change(dir.path());
            assert!(caches.note_changes(&[path], false));
            caches.found.is_none()
        };
        assert!(walks(&|root| {
            std::fs::write(root.join("a/runbook.md"), "# New").unwrap();
            root.join("a/runbook.md")
        }));
        assert!(walks(&|root| {
            std::fs::remove_file(root.join("b/service.md")).unwrap();
            root.join("b/service.md")
        }));
        // A folder moved out of the sources: its files' events never come, the folder's does.
        assert!(walks(&|root| {
            std::fs::rename(root.join("a"), root.join("moved-away")).unwrap();
            root.join("a")
        }));
    }
}
