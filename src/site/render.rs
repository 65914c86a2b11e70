//! Render: the evaluated book -> every file of the site, in memory.
//!
//! Pure apart from the theme it is given: builds a view per page and runs it through Tera.
//! Writing to disk is `write`'s job, so a failed render never touches the output.

use anyhow::{Result, anyhow};
use rayon::prelude::*;
use serde::Serialize;

use crate::build::Evaluated;
use crate::diagram::escape;
use crate::markdown;
use crate::parse::Origin;
use crate::report::ServiceReport;
use crate::report::json;
use crate::site::SiteFiles;
use crate::site::drawings::{self, Drawings};
use crate::site::theme::{Theme, template_error};
use crate::site::url::{self, SourceMap};
use crate::site::view::{self, SiteView};

/// Renders the whole site.
pub fn render(evaluated: &Evaluated, theme: &Theme, drawings: &Drawings) -> Result<SiteFiles> {
    let site = SiteView {
        title: &evaluated.config.title,
        description: evaluated.config.description.as_deref(),
        evaluated_on: evaluated.report.today.to_string(),
        version: env!("CARGO_PKG_VERSION"),
        levels: ["none", "bronze", "silver", "gold"],
    };
    let renderer = Renderer { theme, site: &site };
    let mut files = SiteFiles::default();
    renderer.add(
        &mut files,
        "index.html",
        "index.html",
        "index",
        &view::index(evaluated),
    )?;
    renderer.add(
        &mut files,
        "checks.html",
        "checks/index.html",
        "checks",
        &view::checks(evaluated),
    )?;
    renderer.add(
        &mut files,
        "teams.html",
        "teams/index.html",
        "teams",
        &view::teams(evaluated),
    )?;
    renderer.add(
        &mut files,
        "gaps.html",
        "gaps/index.html",
        "gaps",
        &view::gaps(evaluated),
    )?;
    renderer.add(
        &mut files,
        "graph.html",
        "graph/index.html",
        "graph",
        &view::graph(evaluated, drawings),
    )?;
    renderer.add(&mut files, "404.html", "404.html", "404", &())?;
    for system in view::systems(evaluated, drawings) {
        let output = drawings::system_page(system.name);
        renderer.add(&mut files, "system.html", &output, "graph", &system)?;
    }
    render_services(evaluated, drawings, &renderer, &mut files)?;
    files.insert("readiness.json", json::render(&json::build(evaluated)));
    for (name, bytes) in &theme.assets {
        files.insert(format!("assets/{name}"), bytes.clone());
    }
    Ok(files)
}

/// Resolves the links and diagrams of one Markdown file published at `output`.
struct PageResolver<'a> {
    sources: &'a SourceMap,
    drawings: &'a Drawings,
    origin: &'a Origin,
    output: &'a str,
}

impl markdown::Resolver for PageResolver<'_> {
    fn link(&self, destination: &str) -> Option<String> {
        self.sources.resolve(
            self.origin.source_index,
            &self.origin.relative,
            self.output,
            destination,
        )
    }

    fn diagram(&self, code: &str) -> String {
        match self.drawings.dot(code) {
            Ok(svg) => format!(r#"<figure class="diagram-figure">{svg}</figure>"#),
            Err(error) => format!(
                r#"<figure class="diagram-error"><pre><code>{}</code></pre><figcaption>{}</figcaption></figure>"#,
                escape(code),
                escape(&error.to_string())
            ),
        }
    }
}

fn render_services(
    evaluated: &Evaluated,
    drawings: &Drawings,
    renderer: &Renderer,
    files: &mut SiteFiles,
) -> Result<()> {
    let sources = SourceMap::new(&evaluated.catalog);
    // Services render independently, in parallel; the site is a sorted map, so the output is
    // the same whatever order they finish in.
    let rendered: Vec<SiteFiles> = evaluated
        .report
        .services
        .par_iter()
        .map(|report| render_service(evaluated, drawings, renderer, &sources, report))
        .collect::<Result<_>>()?;
    for service_files in rendered {
        files.files.extend(service_files.files);
    }
    Ok(())
}

/// A service's page, its extra pages and its assets.
fn render_service(
    evaluated: &Evaluated,
    drawings: &Drawings,
    renderer: &Renderer,
    sources: &SourceMap,
    report: &ServiceReport,
) -> Result<SiteFiles> {
    let mut files = SiteFiles::default();
    let service = &evaluated.catalog.services[report.service];
    let id = service.id().as_str();
    let origin = &service.source.origin;
    let output = url::service_page(id);
    let resolver = PageResolver {
        sources,
        drawings,
        origin,
        output: &output,
    };
    let body_html = markdown::render(&service.source.body, &resolver);
    // Front-matter links (runbooks) are shown through templates, which want root-relative URLs.
    let resolve_from_root =
        |link: &str| sources.resolve(origin.source_index, &origin.relative, "index.html", link);
    let page_view = view::service(evaluated, drawings, report, body_html, &resolve_from_root);
    renderer.add(&mut files, "service.html", &output, "services", &page_view)?;
    for page in &service.pages {
        let output = url::service_file(id, &page.path_in_service);
        let resolver = PageResolver {
            sources,
            drawings,
            origin: &page.origin,
            output: &output,
        };
        let body_html = markdown::render(&page.body, &resolver);
        let page_view = view::page(evaluated, report, page, body_html);
        renderer.add(&mut files, "page.html", &output, "services", &page_view)?;
    }
    for asset in &service.assets {
        files.insert(
            url::service_file(id, &asset.path_in_service),
            asset.bytes.clone(),
        );
    }
    Ok(files)
}

struct Renderer<'a> {
    theme: &'a Theme,
    site: &'a SiteView<'a>,
}

impl Renderer<'_> {
    /// Renders a page and adds it to the site.
    fn add(
        &self,
        files: &mut SiteFiles,
        template: &str,
        output: &str,
        section: &str,
        page: &impl Serialize,
    ) -> Result<()> {
        files.insert(output, self.page(template, output, section, page)?);
        Ok(())
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
        context.insert("site", self.site);
        context.insert("root", &url::root_prefix(output));
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
