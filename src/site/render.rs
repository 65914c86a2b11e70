//! Render: the evaluated book -> the files of the site, in memory.
//!
//! Pure apart from the theme it is given: builds a view per page and runs it through Tera.
//! Every output path can be rendered on its own ([`Site::render_path`]): `build` renders them
//! all, in parallel; `serve` renders a page when it is asked for. Writing to disk is `write`'s
//! job, so a failed render never touches the output.

use std::collections::BTreeMap;

use anyhow::{Result, anyhow};
use rayon::prelude::*;
use serde::Serialize;

use crate::book::Evaluated;
use crate::catalog::Service;
use crate::diagram::escape;
use crate::export::{self, GraphFormat, Selection};
use crate::history::History;
use crate::markdown;
use crate::model::Kind;
use crate::parse::Origin;
use crate::report::json;
use crate::site::drawings::{self, Drawings};
use crate::site::history;
use crate::site::links::{MadeFrom, SiteIndex};
use crate::site::search;
use crate::site::theme::{Theme, template_error};
use crate::site::url::{self, GENERAL_INDEX, GeneralRoots, SourceMap};
use crate::site::view::docs::{Navigation, Place};
use crate::site::view::{self, SiteView};
use crate::site::write::Staging;
use crate::site::{badge, sitemap};

/// Pages of the site that are not about one service or system: (output, template, section).
const ORGANISATION_PAGES: &[(&str, &str, &str)] = &[
    ("index.html", "index.html", "index"),
    ("checks/index.html", "checks.html", "checks"),
    ("teams/index.html", "teams.html", "teams"),
    ("gaps/index.html", "gaps.html", "gaps"),
    ("graph/index.html", "graph.html", "graph"),
    ("404.html", "404.html", "404"),
];

/// What a page may run, for hosts that send no policy of their own (GitHub Pages cannot):
/// scripts from the site's own files only, so a script that got into a page by any way
/// does not run. `file:` keeps the site working opened from disk in browsers where `'self'`
/// does not cover files.
const CONTENT_POLICY: &str = "script-src 'self' file:; object-src 'none'; base-uri 'none'";

/// Tells GitHub Pages to publish the files as they are, not through Jekyll.
const NO_JEKYLL: &str = ".nojekyll";
const SITEMAP: &str = "sitemap.xml";

/// Everything needed to render any page of the site.
pub(crate) struct Site<'a> {
    evaluated: &'a Evaluated,
    theme: &'a Theme,
    drawings: &'a Drawings,
    sources: SourceMap,
    roots: GeneralRoots,
    /// Each source's name, by source index.
    source_names: Vec<&'a str>,
    /// What each output path of the general pages shows.
    general: BTreeMap<String, General>,
    /// Each system's name by the slug its page is published under.
    systems: BTreeMap<String, &'a str>,
    view: SiteView<'a>,
    /// Readiness over the last commits, drawn on the overview and service pages.
    history: Option<&'a History>,
}

/// What an output path of the general pages shows.
#[derive(Debug, Clone)]
enum General {
    /// A page that is not its folder's own, by index into the general pages.
    Page(usize),
    /// A folder's page (its own, or a list of what it holds): (source index, folder).
    Folder(usize, String),
    /// A file published as it is, by index into the general files.
    File(usize),
    /// The index of a book of several sources, one entry per source.
    Sources,
}

impl<'a> Site<'a> {
    pub(crate) fn new(evaluated: &'a Evaluated, theme: &'a Theme, drawings: &'a Drawings) -> Self {
        let source_names = source_names(evaluated);
        let roots = GeneralRoots::new(&source_names);
        let sources = SourceMap::new(&evaluated.catalog, &roots);
        let general = general_outputs(evaluated, &roots, &sources);
        Site {
            evaluated,
            theme,
            drawings,
            sources,
            roots,
            source_names,
            systems: view::system_names(&evaluated.catalog)
                .into_iter()
                .map(|name| (markdown::slug(name), name))
                .collect(),
            view: SiteView {
                title: &evaluated.config.title,
                description: evaluated.config.description.as_deref(),
                evaluated_on: evaluated.report.today.to_string(),
                version: env!("CARGO_PKG_VERSION"),
                levels: ["none", "bronze", "silver", "gold"],
                content_policy: (!evaluated.config.allow_raw_html).then_some(CONTENT_POLICY),
                docs_url: general.contains_key(GENERAL_INDEX).then_some(GENERAL_INDEX),
            },
            general,
            history: None,
        }
    }

    /// The site with charts of `history` on its overview and service pages.
    pub(crate) fn with_history(mut self, history: Option<&'a History>) -> Self {
        self.history = history;
        self
    }

    /// Renders every file of the site straight into `staging`, in parallel, holding no more
    /// of it in memory than the pages being rendered, and scans each page for the link check.
    pub(crate) fn render_into(&self, staging: &Staging) -> Result<SiteIndex> {
        let files: Vec<_> = self
            .paths()
            .into_par_iter()
            .map(|path| {
                let bytes = self
                    .render_path(&path)
                    .unwrap_or_else(|| Err(anyhow!("nothing renders {path}")))?;
                staging.put(&path, &bytes)?;
                SiteIndex::scan_file(path, &bytes)
            })
            .collect::<Result<_>>()?;
        Ok(files.into_iter().collect())
    }

    fn raw_html(&self) -> markdown::RawHtml {
        if self.evaluated.config.allow_raw_html {
            markdown::RawHtml::Keep
        } else {
            markdown::RawHtml::Sanitise
        }
    }

    /// What made the file at `path`, so a problem in it can name a file a user can fix.
    pub(crate) fn made_from(&self, path: &str) -> Option<MadeFrom<'_>> {
        if let Some((_, template, _)) = ORGANISATION_PAGES.iter().find(|(o, _, _)| *o == path) {
            return Some(MadeFrom::Template(template));
        }
        if path.starts_with("systems/") {
            return Some(MadeFrom::Template("system.html"));
        }
        if let Some(general) = self.general.get(path) {
            let docs = &self.evaluated.catalog.general;
            let page = match general {
                General::Page(index) => Some(&*docs.pages[*index]),
                General::Folder(source, folder) => docs.folder_page(*source, folder),
                General::File(_) | General::Sources => None,
            };
            return Some(match page {
                Some(page) => MadeFrom::Source {
                    path: &page.origin.display_path,
                    facts: &page.facts,
                    body: &page.body,
                    template: "doc.html",
                },
                None => MadeFrom::Template("doc.html"),
            });
        }
        let (id, _) = path.strip_prefix("services/")?.split_once('/')?;
        let service = &self.evaluated.catalog.services[self.evaluated.catalog.index_of(id)?];
        if path == url::service_page(id) {
            let source = &service.source;
            return Some(MadeFrom::Source {
                path: &source.origin.display_path,
                facts: &source.facts,
                body: &source.body,
                template: "service.html",
            });
        }
        let page = service
            .pages
            .iter()
            .find(|p| url::service_file(id, &p.path_in_service) == path)?;
        Some(MadeFrom::Source {
            path: &page.source.origin.display_path,
            facts: &page.source.facts,
            body: &page.source.body,
            template: "page.html",
        })
    }

    /// Every output path of the site.
    pub(crate) fn paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = ORGANISATION_PAGES
            .iter()
            .map(|(output, _, _)| output.to_string())
            .collect();
        paths.extend(["readiness.json", "graph.json", NO_JEKYLL, search::PATH].map(String::from));
        if self.evaluated.config.site_url.absolute().is_some() {
            paths.push(SITEMAP.into());
        }
        paths.extend(
            self.theme
                .assets
                .keys()
                .map(|name| format!("assets/{name}")),
        );
        paths.extend(
            self.systems
                .values()
                .map(|name| drawings::system_page(name)),
        );
        paths.extend(self.general.keys().cloned());
        for service in &self.evaluated.catalog.services {
            let id = service.id().as_str();
            paths.push(url::service_page(id));
            if service.source.doc.kind != Kind::External {
                paths.push(badge::badge_path(id));
            }
            paths.extend(
                service
                    .pages
                    .iter()
                    .map(|p| url::service_file(id, &p.path_in_service)),
            );
            paths.extend(
                service
                    .assets
                    .iter()
                    .map(|a| url::service_file(id, &a.path_in_service)),
            );
        }
        paths
    }

    /// The contents of one output path, or `None` when the site has no such file.
    pub(crate) fn render_path(&self, path: &str) -> Option<Result<Vec<u8>>> {
        if let Some((_, template, section)) = ORGANISATION_PAGES
            .iter()
            .find(|(output, _, _)| *output == path)
        {
            return Some(
                self.organisation_page(path, template, section)
                    .map(String::into_bytes),
            );
        }
        if let Some(file) = self.machine_file(path) {
            return Some(Ok(file.into_bytes()));
        }
        if let Some(id) = path
            .strip_prefix("badges/")
            .and_then(|p| p.strip_suffix(".svg"))
        {
            let report = &self.evaluated.report.services[self.evaluated.catalog.index_of(id)?];
            return report
                .assessed
                .then(|| Ok(badge::badge(report).into_bytes()));
        }
        if let Some(general) = self.general.get(path) {
            return Some(self.general_file(general, path));
        }
        if path == search::PATH {
            let documents = view::search_documents(self.evaluated, &self.sources);
            return Some(Ok(search::Index::build(&documents).to_script()));
        }
        if let Some(name) = path.strip_prefix("assets/") {
            return self.theme.assets.get(name).map(|bytes| Ok(bytes.clone()));
        }
        if let Some(rest) = path.strip_prefix("systems/") {
            let wanted = rest.strip_suffix("/index.html")?;
            let name = self.systems.get(wanted)?;
            let system = view::system(self.evaluated, self.drawings, name);
            return Some(
                self.page("system.html", path, "graph", &system)
                    .map(String::into_bytes),
            );
        }
        let (id, file) = path.strip_prefix("services/")?.split_once('/')?;
        let index = self.evaluated.catalog.index_of(id)?;
        self.service_file(index, path, file)
    }

    /// The files for machines (reports, sitemap) rather than people.
    fn machine_file(&self, path: &str) -> Option<String> {
        let evaluated = self.evaluated;
        match path {
            "readiness.json" => Some(json::render_compact(&json::build(evaluated))),
            "graph.json" => {
                export::export(evaluated, GraphFormat::Json, &Selection::default()).ok()
            }
            NO_JEKYLL => Some(String::new()),
            SITEMAP => {
                let site_url = evaluated.config.site_url.absolute()?;
                Some(sitemap::sitemap(site_url, &self.paths()))
            }
            _ => None,
        }
    }

    fn organisation_page(&self, output: &str, template: &str, section: &str) -> Result<String> {
        let (evaluated, drawings) = (self.evaluated, self.drawings);
        match template {
            "index.html" => {
                let mut index = view::index(evaluated);
                index.history = self.history.and_then(history::organisation);
                self.page(template, output, section, &index)
            }
            "checks.html" => self.page(template, output, section, &view::checks(evaluated)),
            "teams.html" => self.page(template, output, section, &view::teams(evaluated)),
            "gaps.html" => self.page(template, output, section, &view::gaps(evaluated)),
            "graph.html" => self.page(template, output, section, &view::graph(evaluated, drawings)),
            _ => self.page(template, output, section, &()),
        }
    }

    /// A general page, a folder's page, a file beside them, or the index of their sources.
    fn general_file(&self, general: &General, output: &str) -> Result<Vec<u8>> {
        let docs = &self.evaluated.catalog.general;
        let navigation = Navigation {
            docs,
            sources: &self.sources,
            roots: &self.roots,
            source_names: &self.source_names,
        };
        let (place, page) = match general {
            General::File(index) => return Ok(docs.files[*index].bytes.clone()),
            General::Sources => {
                let view = navigation.sources_view();
                return self
                    .page("doc.html", output, "docs", &view)
                    .map(String::into_bytes);
            }
            General::Page(index) => (Place::Page(*index), Some(&*docs.pages[*index])),
            General::Folder(source, folder) => (
                Place::Folder(*source, folder),
                docs.folder_page(*source, folder),
            ),
        };
        let body_html = page.map_or_else(String::new, |page| {
            let resolver = PageResolver {
                site: self,
                origin: &page.origin,
                output,
            };
            markdown::render(&page.body, &resolver, self.raw_html())
        });
        let view = navigation.view(place, body_html);
        self.page("doc.html", output, "docs", &view)
            .map(String::into_bytes)
    }

    /// A service's page (`index.html`), one of its extra pages, or one of its assets.
    fn service_file(&self, index: usize, output: &str, file: &str) -> Option<Result<Vec<u8>>> {
        let service = &self.evaluated.catalog.services[index];
        let report = &self.evaluated.report.services[index];
        if file == "index.html" {
            return Some(
                self.service_page(service, report, output)
                    .map(String::into_bytes),
            );
        }
        let id = service.id().as_str();
        if let Some(page) = service
            .pages
            .iter()
            .find(|p| url::service_file(id, &p.path_in_service) == output)
        {
            let resolver = PageResolver {
                site: self,
                origin: &page.source.origin,
                output,
            };
            let body_html = markdown::render(&page.source.body, &resolver, self.raw_html());
            let page_view = view::page(self.evaluated, report, page, body_html);
            return Some(
                self.page("page.html", output, "services", &page_view)
                    .map(String::into_bytes),
            );
        }
        let asset = service
            .assets
            .iter()
            .find(|a| url::service_file(id, &a.path_in_service) == output)?;
        Some(Ok(asset.source.bytes.clone()))
    }

    fn service_page(
        &self,
        service: &Service,
        report: &crate::report::ServiceReport,
        output: &str,
    ) -> Result<String> {
        let origin = &service.source.origin;
        let resolver = PageResolver {
            site: self,
            origin,
            output,
        };
        let body_html = markdown::render(&service.source.body, &resolver, self.raw_html());
        // Front-matter links (runbooks) are shown through templates, which want root-relative URLs.
        let resolve_from_root = |link: &str| {
            self.sources
                .resolve_from_root(origin.source_index, &origin.relative, link)
        };
        let mut page_view = view::service(
            self.evaluated,
            self.drawings,
            report,
            body_html,
            &resolve_from_root,
        );
        page_view.history = self
            .history
            .and_then(|h| history::service(h, service.id().as_str()));
        self.page("service.html", output, "services", &page_view)
    }

    /// Renders `template` for the page published at `output`.
    fn page(
        &self,
        template: &str,
        output: &str,
        section: &str,
        page: &impl Serialize,
    ) -> Result<String> {
        let mut context = tera::Context::new();
        context.insert("site", &self.view);
        // GitHub Pages serves the 404 page at whatever address was missing, at any depth, so
        // its links start from the site's own path instead.
        let root = if output == "404.html" {
            self.evaluated.config.site_url.path().to_string()
        } else {
            url::root_prefix(output)
        };
        context.insert("root", &root);
        context.insert("section", section);
        context.insert("page", page);
        self.theme.tera.render(template, &context).map_err(|error| {
            anyhow!(
                "rendering {output} with template {template}: {}",
                template_error(&error)
            )
        })
    }
}

/// Resolves the links and diagrams of one Markdown file published at `output`.
struct PageResolver<'a> {
    site: &'a Site<'a>,
    origin: &'a Origin,
    output: &'a str,
}

impl markdown::Resolver for PageResolver<'_> {
    fn link(&self, destination: &str) -> markdown::Destination {
        self.site.sources.resolve(
            self.origin.source_index,
            &self.origin.relative,
            self.output,
            destination,
        )
    }

    fn diagram(&self, code: &str) -> String {
        match self.site.drawings.dot(code) {
            Ok(svg) => format!(r#"<figure class="diagram-figure">{svg}</figure>"#),
            Err(error) => format!(
                r#"<figure class="diagram-error"><pre><code>{}</code></pre><figcaption>{}</figcaption></figure>"#,
                escape(code),
                escape(&error.to_string())
            ),
        }
    }
}

/// Each source's name, in order.
fn source_names(evaluated: &Evaluated) -> Vec<&str> {
    evaluated
        .config
        .sources
        .iter()
        .map(|source| source.name.as_str())
        .collect()
}

/// What each output path of the general pages shows.
fn general_outputs(
    evaluated: &Evaluated,
    roots: &GeneralRoots,
    sources: &SourceMap,
) -> BTreeMap<String, General> {
    let docs = &evaluated.catalog.general;
    let mut outputs = BTreeMap::new();
    for (source, folder) in docs.folders.keys() {
        outputs.insert(
            roots.folder(*source, folder),
            General::Folder(*source, folder.clone()),
        );
    }
    let pages = (docs.pages.iter().enumerate()).map(|(i, page)| (&page.origin, General::Page(i)));
    let files = (docs.files.iter().enumerate()).map(|(i, file)| (&file.origin, General::File(i)));
    for (origin, general) in pages.chain(files) {
        if let Some(output) = sources.output(origin.source_index, &origin.relative) {
            outputs.entry(output.to_string()).or_insert(general);
        }
    }
    if evaluated.config.sources.len() > 1 && !outputs.is_empty() {
        outputs.insert(GENERAL_INDEX.to_string(), General::Sources);
    }
    outputs
}
