//! The link check: every link and image written in the book's Markdown (and the runbook
//! links of the front matter) leads to a file the site publishes and, with a `#fragment`, to a
//! heading that page has; every address of the front matter has a scheme a page may link to.
//!
//! Pure, and run while building the catalog, so `check` reports broken links as well as
//! `build`, each at the line and column it is written.

use rustc_hash::FxHashMap;

use rayon::prelude::*;

use crate::catalog::Catalog;
use crate::deserialize::Segment;
use crate::diag::{Code, Diagnostic, Diagnostics, Position, Severity, did_you_mean};
use crate::links::{fragment, has_scheme, local, relative_link, resolve, target};
use crate::markdown::Facts;
use crate::parse::{Origin, ServiceSource};

/// Front-matter keys whose values are addresses a page links to.
const ADDRESS_KEYS: &[&str] = &["repository", "oncall", "dashboard", "central", "link"];

/// An address in the front matter (a dashboard, an on-call schedule, a runbook, evidence of
/// testing) with a scheme a page must not link to (`javascript:`, `data:`, `file:`) is an
/// error at the value: it is never made a link, and it is surely not what was meant.
fn check_addresses(source: &ServiceSource, diagnostics: &mut Diagnostics) {
    let mut steps = Vec::new();
    visit_addresses(source.fields(), &mut steps, false, &mut |steps, value| {
        if has_scheme(value) && !crate::markdown::is_safe_url(value) {
            let scheme = value.split(':').next().unwrap_or_default();
            let path: Vec<Segment> = steps.iter().map(Step::segment).collect();
            let (file, at) = source.place_of(&path);
            diagnostics.push(
                Diagnostic::error(
                    Code::UnsafeAddress,
                    file,
                    format!(
                        "`{}` is a `{scheme}:` address, which no page links to",
                        crate::deserialize::path_to_string(&path)
                    ),
                )
                .at(at)
                .with_help("give an http(s) URL (or mailto: or tel:)"),
            );
        }
    });
}

/// A step into the front matter, borrowed from it while its addresses are visited: most
/// docs have none to report, so no path is built for them.
#[derive(Clone, Copy)]
enum Step<'v> {
    Key(&'v str),
    Index(usize),
}

impl Step<'_> {
    fn segment(&self) -> Segment {
        match *self {
            Step::Key(key) => Segment::Key(key.to_string()),
            Step::Index(index) => Segment::Index(index),
        }
    }
}

fn visit_addresses<'v>(
    value: &'v serde_json::Value,
    steps: &mut Vec<Step<'v>>,
    is_address: bool,
    found: &mut impl FnMut(&[Step], &str),
) {
    match value {
        serde_json::Value::String(text) if is_address => found(steps, text),
        serde_json::Value::Object(map) => {
            for (key, inner) in map {
                // Testing evidence is `true`, `false` or the address of the evidence.
                let address = ADDRESS_KEYS.contains(&key.as_str())
                    || matches!(steps.first(), Some(Step::Key("testing")));
                steps.push(Step::Key(key));
                visit_addresses(inner, steps, address, found);
                steps.pop();
            }
        }
        serde_json::Value::Array(items) => {
            for (index, inner) in items.iter().enumerate() {
                steps.push(Step::Index(index));
                visit_addresses(inner, steps, is_address, found);
                steps.pop();
            }
        }
        _ => {}
    }
}

/// What a path of a source folder is in the book.
#[derive(Clone, Copy)]
enum Found<'a> {
    /// A Markdown page, with its headings.
    Page(&'a Facts),
    /// A file published as it is.
    File,
    /// A folder with a page of its own: a service's folder (its service's page), or a folder
    /// of general pages (its own page's headings, if it has one).
    Folder(Option<&'a Facts>),
    /// A file the site does not publish.
    Withheld,
}

/// Every path of the book a link may lead to, and what is there.
struct Book<'a> {
    found: FxHashMap<(usize, &'a str), Found<'a>>,
    /// The files of each folder, for did-you-mean suggestions.
    by_folder: FxHashMap<(usize, &'a str), Vec<&'a str>>,
}

impl<'a> Book<'a> {
    fn new(catalog: &'a Catalog) -> Book<'a> {
        // Thousands of short keys, made again on every `serve` rebuild: a fast hash pays.
        let mut found: FxHashMap<(usize, &str), Found> = FxHashMap::default();
        let mut add = |origin: &'a Origin, what: Found<'a>| {
            found.insert((origin.source_index, origin.relative.as_str()), what);
        };
        for service in &catalog.services {
            add(&service.source.origin, Found::Page(&service.source.facts));
            for page in &service.pages {
                add(&page.source.origin, Found::Page(&page.source.facts));
            }
            for asset in &service.assets {
                add(&asset.source.origin, Found::File);
            }
        }
        let general = &catalog.general;
        for page in &general.pages {
            add(&page.origin, Found::Page(&page.facts));
        }
        for file in &general.files {
            add(&file.origin, Found::File);
        }
        for origin in &catalog.withheld {
            add(origin, Found::Withheld);
        }
        for service in &catalog.services {
            let origin = &service.source.origin;
            let folder = Found::Folder(Some(&service.source.facts));
            found.insert((origin.source_index, origin.folder()), folder);
        }
        for (source, folder) in general.folders.keys() {
            let page = general.folder_page(*source, folder).map(|p| &p.facts);
            found
                .entry((*source, folder.as_str()))
                .or_insert(Found::Folder(page));
        }
        let mut by_folder: FxHashMap<(usize, &str), Vec<&str>> = FxHashMap::default();
        for (source, path) in found.keys() {
            by_folder
                .entry((*source, folder_of(path)))
                .or_default()
                .push(path);
        }
        Book { found, by_folder }
    }

    /// Files beside the linking file and in the folder the link leads to, as links written
    /// in `origin`: what a mistyped link most likely meant.
    fn suggestions(&self, origin: &Origin, target: &str) -> Vec<String> {
        let mut folders = vec![origin.folder(), folder_of(target)];
        folders.dedup();
        folders
            .iter()
            .flat_map(|folder| {
                self.by_folder
                    .get(&(origin.source_index, *folder))
                    .into_iter()
                    .flatten()
            })
            .map(|file| relative_link(&origin.relative, file))
            .collect()
    }
}

/// The folder of a `/`-separated path ("" at the top).
fn folder_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(folder, _)| folder)
}

/// Checks every link and image of every Markdown file. A link to a file the book does not
/// have is a problem of `broken` severity; a missing heading is always a warning.
pub(crate) fn check(catalog: &Catalog, broken: Severity, diagnostics: &mut Diagnostics) {
    // Each doc's addresses are its own business: checked in parallel, once per parsed doc,
    // reported in order.
    let address_problems: Vec<&Diagnostics> = catalog
        .services
        .par_iter()
        .map(|service| {
            let source = &service.source;
            source.derived.address_problems.get_or_init(|| {
                let mut problems = Diagnostics::new();
                check_addresses(source, &mut problems);
                problems
            })
        })
        .collect();
    for problems in address_problems {
        diagnostics.extend(problems.clone());
    }
    let book = Book::new(catalog);
    for (origin, facts) in catalog.markdown_files() {
        for link in &facts.links {
            let at = Position::new(link.line, link.column);
            if let Some(problem) = check_link(&book, origin, facts, &link.destination, broken) {
                diagnostics.push(problem.at(at));
            }
        }
    }
    for service in &catalog.services {
        let source = &service.source;
        for (path, link) in source.doc.runbook_links() {
            if let Some(problem) = check_link(&book, &source.origin, &source.facts, link, broken) {
                diagnostics.push(problem.at(source.locate(&path, false)));
            }
        }
    }
}

fn check_link(
    book: &Book,
    origin: &Origin,
    facts: &Facts,
    destination: &str,
    broken: Severity,
) -> Option<Diagnostic> {
    let path = &origin.display_path;
    if destination.starts_with('#') {
        let fragment = fragment(destination)?;
        return missing_heading(facts, &fragment).map(|help| {
            Diagnostic::warning(
                Code::MissingHeading,
                path,
                format!("links to `{destination}`, but this page has no heading with that id"),
            )
            .with_help(help)
        });
    }
    let link = local(destination)?;
    let lookup = |target: &str| book.found.get(&(origin.source_index, target)).copied();
    let headings = match resolve(&origin.relative, &link.path, lookup) {
        Some((_, Found::Page(facts) | Found::Folder(Some(facts)))) => facts,
        Some((_, Found::File | Found::Folder(None))) => return None,
        Some((_, Found::Withheld)) => {
            let message = format!(
                "links to `{destination}`, a file the site does not publish (the problem with it is reported at the file)"
            );
            return Some(Diagnostic::new(broken, Code::LinkToWithheldFile, path, message).with_help(
                "link to a copy the site can publish (an image, a PDF, text), or with a full URL",
            ));
        }
        None => return Some(broken_link(book, origin, destination, &link.path, broken)),
    };
    let help = missing_heading(headings, link.fragment.as_deref()?)?;
    Some(
        Diagnostic::warning(
            Code::MissingHeading,
            path,
            format!("links to `{destination}`, but that page has no heading with that id"),
        )
        .with_help(help),
    )
}

/// A link that leads to nothing the book has, with what it most likely meant.
fn broken_link(
    book: &Book,
    origin: &Origin,
    destination: &str,
    path: &str,
    severity: Severity,
) -> Diagnostic {
    let Some(target) = target(&origin.relative, path) else {
        return Diagnostic::new(
            severity, Code::LinkOutsideSources,
            &origin.display_path,
            format!(
                "links to `{destination}`, which is outside the sources, so it cannot be published"
            ),
        )
        .with_help("link with a full URL (e.g. to the file in its repository), or move the file into the sources");
    };
    let candidates = book.suggestions(origin, &target);
    let help = match did_you_mean(path, candidates.iter().map(String::as_str)) {
        Some(suggestion) => format!("did you mean `{suggestion}`?"),
        None if book.by_folder.contains_key(&(origin.source_index, target.as_str())) => {
            "that is a folder without a page of its own (an `index.md` or `README.md`): link to a file in it".to_string()
        }
        None => "fix the path, or link with a full URL".to_string(),
    };
    Diagnostic::new(
        severity,
        Code::BrokenLink,
        &origin.display_path,
        format!("links to `{destination}`, which is not among the book's files"),
    )
    .with_help(help)
}

/// `None` when a page has a heading with id `fragment`; otherwise how to fix the link.
fn missing_heading(facts: &Facts, fragment: &str) -> Option<String> {
    let ids = || facts.headings.iter().map(|h| h.id.as_str());
    if ids().any(|id| id == fragment) {
        return None;
    }
    Some(match did_you_mean(fragment, ids()) {
        Some(suggestion) => format!("did you mean `#{suggestion}`?"),
        None if facts.headings.is_empty() => "the page has no headings".to_string(),
        None => format!(
            "its headings' ids are: {}",
            ids().take(12).collect::<Vec<_>>().join(", ")
        ),
    })
}
