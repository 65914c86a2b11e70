//! The driver: runs the pipeline stages in order for `build`, `check` and (later) `serve`.
//!
//! config -> sources -> parse -> catalog -> analysis -> checklist -> evaluate
//! [-> render -> link check -> write].
//! Problems in users' files are collected in [`Diagnostics`]; only failures of the machine
//! (unwritable output, a broken theme) are `Err`.

use std::path::{Path, PathBuf};

use std::collections::HashSet;
use std::sync::Arc;

use anyhow::Result;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::analysis::{self, Analysis};
use crate::backstage;
use crate::catalog::{self, Catalog};
use crate::checklist::{self, Checklist};
use crate::config::{self, Config, SiteUrl};
use crate::diag::{Diagnostics, display_path};
use crate::evaluate::evaluate;
use crate::fetch::{self, Network};
use crate::fingerprint;
use crate::history;
use crate::model::Date;
use crate::parse::{self, Parsed};
use crate::report::{Report, Summary};
use crate::site;
use crate::site::drawings::{Drawings, LayoutCache};
use crate::site::theme::Theme;
use crate::source;

/// Everything known about a book after evaluation.
#[derive(Debug)]
pub struct Evaluated {
    pub config: Config,
    pub catalog: Catalog,
    pub analysis: Analysis,
    pub checklist: Checklist,
    pub report: Report,
    pub diagnostics: Diagnostics,
}

/// What one build can hand to the next: `serve` keeps these between rebuilds, so a save
/// reads and parses only the files it changed and lays out only the diagrams it changed.
#[derive(Debug, Default)]
pub struct Caches {
    pub layouts: Arc<LayoutCache>,
    /// Each file's parse, by its path, with the stamp (modification time, size) it was read at.
    parsed: FxHashMap<PathBuf, ParsedFile>,
    /// The files of the last walk, while only their contents have changed since.
    found: Option<Vec<source::Found>>,
    /// How the next build may fetch git sources.
    pub network: Network,
}

impl Caches {
    /// Takes note of what a watcher saw change, and says whether anything did. What was read
    /// from a changed file is forgotten, whatever its stamp says (modification times can be
    /// too coarse to tell). A path that is gone and never was part of the book (an editor's
    /// temporary file, renamed over the doc it saves) changes nothing. The next build walks
    /// the sources again when the watcher lost track (`rescan`), a file of the book is gone,
    /// or a changed path is not one of its files (a new file, book.toml, a template); a doc
    /// saved again, in place or by renaming a new file over it, is only read again.
    pub fn note_changes(&mut self, changed: &[PathBuf], rescan: bool) -> bool {
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
        self.parsed.retain(|_, file| !changed.contains(&&file.path));
        if walk {
            self.found = None;
        }
        true
    }
}

#[derive(Debug, Clone)]
struct ParsedFile {
    path: PathBuf,
    /// The source folder it was found in: a folder listed twice finds a file twice.
    source_index: usize,
    /// How it was read: a file linked to is read as an image is, but only once linked to.
    kind: source::FileKind,
    stamp: Option<(std::time::SystemTime, u64)>,
    parsed: Option<Parsed>,
    problems: Diagnostics,
}

/// Reads and evaluates the book in `dir` as of `today`.
pub fn evaluate_book(dir: &Path, today: Date, network: Network) -> Evaluated {
    evaluate_with(
        dir,
        today,
        &mut Caches {
            network,
            ..Caches::default()
        },
    )
}

/// Evaluates a book whose configuration is already loaded (with the problems loading found):
/// `revision` loads a book.toml from an older commit and points its folders elsewhere first.
pub fn evaluate_config(
    config: Config,
    diagnostics: Diagnostics,
    today: Date,
    network: Network,
) -> Evaluated {
    let mut caches = Caches {
        network,
        ..Caches::default()
    };
    let gathered = gather_loaded(config, diagnostics, &mut caches);
    evaluate_gathered(gathered, today, &mut caches)
}

/// The book's configuration and the list of its files: what a build reads before it reads
/// any file, and all it needs to tell whether anything changed since the last build.
struct Gathered {
    config: Config,
    found: Vec<source::Found>,
    diagnostics: Diagnostics,
}

fn gather(dir: &Path, caches: &mut Caches) -> Gathered {
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

fn evaluate_gathered(gathered: Gathered, today: Date, caches: &mut Caches) -> Evaluated {
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
    let mut parsed = Vec::with_capacity(found_read.len());
    read_all(
        &config,
        &found_read,
        &mut files,
        &mut kept,
        &mut parsed,
        &mut diagnostics,
    );
    let linked: Vec<source::Found> = linked_files(&parsed, &others)
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
        &mut parsed,
        &mut diagnostics,
    );
    caches.parsed = kept;
    caches.found = Some(found);
    let parsed = backstage::into_services(parsed, &mut diagnostics);
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
    parsed: &mut Vec<Parsed>,
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
        parsed.extend(entry.parsed.clone());
        diagnostics.extend(entry.problems.clone());
        kept.insert(file.path.clone(), entry);
    }
}

/// The files among `others` (neither Markdown nor images) that a Markdown file links to or
/// embeds: the site publishes them, and only them, so only they are read.
fn linked_files<'f>(
    parsed: &[Parsed],
    others: &[&'f source::Found],
) -> impl Iterator<Item = &'f source::Found> {
    let mut wanted: HashSet<(usize, String)> = HashSet::new();
    for file in parsed {
        let (origin, facts) = match file {
            Parsed::Service(service) => (&service.origin, &service.facts),
            Parsed::Page(page) => (&page.origin, &page.facts),
            _ => continue,
        };
        for link in &facts.links {
            let Some(local) = crate::links::local(&link.destination) else {
                continue;
            };
            if let Some(target) = crate::links::target(&origin.relative, &local.path) {
                wanted.insert((origin.source_index, target));
            }
        }
    }
    others.iter().copied().filter(move |file| {
        !wanted.is_empty() && wanted.contains(&(file.source_index, file.relative.clone()))
    })
}

fn read_and_parse(config: &Config, file: &source::Found) -> ParsedFile {
    let mut problems = Diagnostics::new();
    let parsed = match source::read(config, file) {
        Ok(source) => parse::parse(&source, &mut problems),
        Err(problem) => {
            problems.push(problem);
            None
        }
    };
    // A file published as it is that cannot be: a link to it says why it leads nowhere.
    let parsed = parsed.or_else(|| {
        matches!(
            file.kind,
            source::FileKind::Asset | source::FileKind::Linked
        )
        .then(|| {
            Parsed::Withheld(parse::Origin {
                display_path: config.display(&file.path),
                source_index: file.source_index,
                relative: file.relative.clone(),
            })
        })
    });
    ParsedFile {
        path: file.path.clone(),
        source_index: file.source_index,
        kind: file.kind,
        stamp: file.stamp,
        parsed,
        problems,
    }
}

/// What a build did.
#[derive(Debug)]
pub struct Built {
    /// Every problem, including those repeated from the last build when it was up to date.
    pub diagnostics: Diagnostics,
    pub summary: Summary,
    /// Where the site was written; `None` when errors stopped the build before writing.
    pub written_to: Option<PathBuf>,
    pub pages: usize,
    /// How many of the pages are general pages, outside services.
    pub general_pages: usize,
    /// Nothing the site is made from changed since the last build: the site was left as it was.
    pub up_to_date: bool,
}

impl Built {
    fn failed(evaluated: Evaluated) -> Built {
        Built {
            summary: evaluated.report.summary(),
            diagnostics: evaluated.diagnostics,
            written_to: None,
            pages: 0,
            general_pages: 0,
            up_to_date: false,
        }
    }
}

/// A book ready to render: evaluated, its theme loaded and its diagrams laid out.
#[derive(Debug)]
pub struct Prepared {
    pub evaluated: Evaluated,
    /// `None` when problems stopped the build (see `evaluated.diagnostics`).
    pub site: Option<(Theme, Drawings)>,
}

/// Evaluates the book, loads its theme and draws its diagrams, unless it has errors (or
/// warnings, when they are denied). `build` renders every page of the result and writes it;
/// `serve` renders each page when it is asked for.
pub fn prepare_book(
    dir: &Path,
    today: Date,
    deny_warnings: bool,
    caches: &mut Caches,
) -> Result<Prepared> {
    let gathered = gather(dir, caches);
    prepare_gathered(gathered, today, deny_warnings, caches)
}

fn prepare_gathered(
    gathered: Gathered,
    today: Date,
    deny_warnings: bool,
    caches: &mut Caches,
) -> Result<Prepared> {
    let mut evaluated = evaluate_gathered(gathered, today, caches);
    let stop = |diagnostics: &Diagnostics| {
        diagnostics.has_errors() || (deny_warnings && !diagnostics.is_empty())
    };
    if stop(&evaluated.diagnostics) {
        return Ok(Prepared {
            evaluated,
            site: None,
        });
    }
    let theme = site::theme::Theme::load(&evaluated.config.root, &mut evaluated.diagnostics)?;
    let mut drawing_problems = Diagnostics::new();
    let drawings = Drawings::new(
        &evaluated,
        evaluated.config.diagrams,
        Arc::clone(&caches.layouts),
        &mut drawing_problems,
    );
    evaluated.diagnostics.extend(drawing_problems);
    if stop(&evaluated.diagnostics) {
        return Ok(Prepared {
            evaluated,
            site: None,
        });
    }
    Ok(Prepared {
        evaluated,
        site: Some((theme, drawings)),
    })
}

/// How `build` was asked to run.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Instead of `[output] dir` of book.toml.
    pub output: Option<PathBuf>,
    /// Instead of `[output] site-url` of book.toml.
    pub site_url: Option<SiteUrl>,
    /// Replace the output folder even if opsbook did not write it.
    pub force: bool,
    pub deny_warnings: bool,
    pub network: Network,
    /// `--history N`: chart the last N commits (0: none), whatever book.toml's `[history]` says.
    pub history: Option<usize>,
}

/// Evaluates the book and, when it has no errors, renders the site and swaps it into place.
/// With errors, the previous output is left exactly as it was.
pub fn build_book(dir: &Path, today: Date, options: &BuildOptions) -> Result<Built> {
    let mut caches = Caches {
        network: options.network,
        ..Caches::default()
    };
    let gathered = gather(dir, &mut caches);
    let out_dir = options
        .output
        .clone()
        .unwrap_or_else(|| gathered.config.output_dir.clone());
    site::write::check_placement(&out_dir, &kept_folders(&gathered.config), options.force)?;
    let settings = fingerprint::Settings {
        today,
        site_url: options.site_url.as_ref(),
        deny_warnings: options.deny_warnings,
    };
    let history_settings = history::settings(&gathered.config, options.history);
    // History reads commits, which no file stamp shows: a build with it always runs.
    let inputs = match history_settings {
        Some(_) => None,
        None => fingerprint::inputs(&gathered.config, &gathered.found, settings),
    };
    let listed = gathered.diagnostics.len();
    if let Some(built) = unchanged_since_last_build(&gathered, inputs.as_deref(), &out_dir) {
        return Ok(built);
    }
    let Prepared {
        mut evaluated,
        site,
    } = prepare_gathered(gathered, today, options.deny_warnings, &mut caches)?;
    let Some((theme, drawings)) = site else {
        return Ok(Built::failed(evaluated));
    };
    if let Some(site_url) = &options.site_url {
        evaluated.config.site_url = site_url.clone();
    }
    let staging = site::write::Staging::new(&out_dir, options.force)?;
    let history = history_settings
        .map(|settings| history::collect(&evaluated.config, &settings, &mut evaluated.diagnostics));
    if options.deny_warnings && !evaluated.diagnostics.is_empty() {
        return Ok(Built::failed(evaluated));
    }
    let site =
        site::render::Site::new(&evaluated, &theme, &drawings).with_history(history.as_ref());
    let written = site.render_into(&staging)?;
    let made_from = |path: &str| site.made_from(path);
    let authored = evaluated.config.broken_links.severity();
    let dead_links = site::links::check(&written, &made_from, &theme.overrides, authored);
    drop(site);
    let pages = written.page_count();
    if dead_links.has_errors() || (options.deny_warnings && !dead_links.is_empty()) {
        // The staging folder goes with `staging`: the previous site stays as it was.
        evaluated.diagnostics.extend(dead_links);
        return Ok(Built::failed(evaluated));
    }
    evaluated.diagnostics.extend(dead_links);
    let summary = evaluated.report.summary();
    let general_pages = evaluated.catalog.general.pages.len();
    let record = inputs.map(|inputs| fingerprint::Record {
        inputs,
        pages,
        general_pages,
        summary: summary.clone(),
        diagnostics: evaluated.diagnostics.after(listed).to_vec(),
    });
    staging.finish(record.as_ref())?;
    Ok(Built {
        diagnostics: evaluated.diagnostics,
        summary,
        written_to: Some(out_dir),
        pages,
        general_pages,
        up_to_date: false,
    })
}

/// The folders of the book a build must never replace, for [`site::write::check_placement`].
fn kept_folders(config: &Config) -> Vec<site::write::Kept<'_>> {
    let named = |folder: &Path| display_path(&config.display(folder));
    let mut kept = vec![
        site::write::Kept {
            name: "the book's folder (where book.toml is)".to_string(),
            folder: &config.root,
            inside: site::write::Inside::Allowed,
        },
        site::write::Kept {
            name: format!("opsbook's cache `{}`", named(&config.cache_dir)),
            folder: &config.cache_dir,
            inside: site::write::Inside::Refused,
        },
    ];
    kept.extend(config.sources.iter().map(|source| site::write::Kept {
        name: format!("the source folder `{}`", named(&source.folder)),
        folder: &source.folder,
        inside: site::write::Inside::Unforced,
    }));
    kept
}

/// The last build's result, when its site in `out_dir` was made from exactly these inputs
/// and nothing found so far is an error.
fn unchanged_since_last_build(
    gathered: &Gathered,
    inputs: Option<&str>,
    out_dir: &Path,
) -> Option<Built> {
    if gathered.diagnostics.has_errors() {
        return None;
    }
    let record = site::write::read_record(out_dir).filter(|r| Some(r.inputs.as_str()) == inputs)?;
    let mut diagnostics = gathered.diagnostics.clone();
    for diagnostic in record.diagnostics {
        diagnostics.push(diagnostic);
    }
    Some(Built {
        diagnostics,
        summary: record.summary,
        written_to: Some(out_dir.to_path_buf()),
        pages: record.pages,
        general_pages: record.general_pages,
        up_to_date: true,
    })
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
                    path: path.clone(),
                    source_index: 0,
                    kind: FileKind::Markdown,
                    stamp: None,
                    parsed: None,
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
