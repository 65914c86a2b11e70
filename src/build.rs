//! The site build: evaluates the book (see [`crate::book`]), loads its theme, draws its
//! diagrams, renders every page, checks every link, and swaps the new site into place. With
//! errors, the previous output is left exactly as it was.
//!
//! Only failures of the machine (unwritable output, a broken theme) are `Err`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Result;

use crate::book::{self, Evaluated, Gathered};
use crate::config::{Config, SiteUrl};
use crate::diag::{Diagnostics, display_path};
use crate::fetch::Network;
use crate::fingerprint;
use crate::history;
use crate::model::Date;
use crate::report::Summary;
use crate::site;
use crate::site::drawings::{Drawings, LayoutCache};
use crate::site::theme::Theme;

/// What one build can hand to the next: `serve` keeps these between rebuilds, so a save
/// reads and parses only the files it changed and lays out only the diagrams it changed.
#[derive(Debug, Default)]
pub(crate) struct Caches {
    pub(crate) book: book::Caches,
    pub(crate) layouts: Arc<LayoutCache>,
}

/// What a build did.
#[derive(Debug)]
pub(crate) struct Built {
    /// Every problem, including those repeated from the last build when it was up to date.
    pub(crate) diagnostics: Diagnostics,
    pub(crate) summary: Summary,
    /// Where the site was written; `None` when errors stopped the build before writing.
    pub(crate) written_to: Option<PathBuf>,
    pub(crate) pages: usize,
    /// How many of the pages are general pages, outside services.
    pub(crate) general_pages: usize,
    /// Nothing the site is made from changed since the last build: the site was left as it was.
    pub(crate) up_to_date: bool,
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
pub(crate) struct Prepared {
    pub(crate) evaluated: Evaluated,
    /// `None` when problems stopped the build (see `evaluated.diagnostics`).
    pub(crate) site: Option<(Theme, Drawings)>,
}

/// Evaluates the book, loads its theme and draws its diagrams, unless it has errors (or
/// warnings, when they are denied). `build` renders every page of the result and writes it;
/// `serve` renders each page when it is asked for.
#[cfg(feature = "serve")]
pub(crate) fn prepare_book(
    dir: &Path,
    today: Date,
    deny_warnings: bool,
    caches: &mut Caches,
) -> Result<Prepared> {
    let gathered = book::gather(dir, &mut caches.book);
    prepare_gathered(gathered, today, deny_warnings, caches)
}

fn prepare_gathered(
    gathered: Gathered,
    today: Date,
    deny_warnings: bool,
    caches: &mut Caches,
) -> Result<Prepared> {
    let mut evaluated = book::evaluate_gathered(gathered, today, &mut caches.book);
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
pub(crate) struct BuildOptions {
    /// Instead of `[output] dir` of book.toml.
    pub(crate) output: Option<PathBuf>,
    /// Instead of `[output] site-url` of book.toml.
    pub(crate) site_url: Option<SiteUrl>,
    /// Replace the output folder even if opsbook did not write it.
    pub(crate) force: bool,
    pub(crate) deny_warnings: bool,
    pub(crate) network: Network,
    /// `--history N`: chart the last N commits (0: none), whatever book.toml's `[history]` says.
    pub(crate) history: Option<usize>,
}

/// Evaluates the book and, when it has no errors, renders the site and swaps it into place.
/// With errors, the previous output is left exactly as it was.
pub(crate) fn build_book(dir: &Path, today: Date, options: &BuildOptions) -> Result<Built> {
    let mut caches = Caches {
        book: book::Caches::new(options.network),
        ..Caches::default()
    };
    let gathered = book::gather(dir, &mut caches.book);
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
