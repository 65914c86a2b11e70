//! Render: the evaluated book -> every file of the site, in memory.
//!
//! Pure apart from the theme it is given: builds a view per page and runs it through Tera.
//! Writing to disk is `write`'s job, so a failed render never touches the output.

use anyhow::{Result, anyhow};
use serde::Serialize;

use crate::build::Evaluated;
use crate::markdown;
use crate::report::json;
use crate::site::SiteFiles;
use crate::site::theme::{Theme, template_error};
use crate::site::url::{self, SourceMap};
use crate::site::view::{self, SiteView};

/// Renders the whole site.
pub fn render(evaluated: &Evaluated, theme: &Theme) -> Result<SiteFiles> {
    let site = SiteView {
        title: &evaluated.config.title,
        description: evaluated.config.description.as_deref(),
        evaluated_on: evaluated.report.today.to_string(),
        version: env!("CARGO_PKG_VERSION"),
        levels: ["none", "bronze", "silver", "gold"],
    };
    let renderer = Renderer { theme, site: &site };
    let mut files = SiteFiles::default();
    files.insert(
        "index.html",
        renderer.page("index.html", "index.html", "index", &view::index(evaluated))?,
    );
    files.insert(
        "checks/index.html",
        renderer.page(
            "checks.html",
            "checks/index.html",
            "checks",
            &view::checks(evaluated),
        )?,
    );
    files.insert(
        "teams/index.html",
        renderer.page(
            "teams.html",
            "teams/index.html",
            "teams",
            &view::teams(evaluated),
        )?,
    );
    files.insert(
        "gaps/index.html",
        renderer.page(
            "gaps.html",
            "gaps/index.html",
            "gaps",
            &view::gaps(evaluated),
        )?,
    );
    render_services(evaluated, &renderer, &mut files)?;
    let report = json::build(evaluated);
    files.insert("readiness.json", json::render(&report));
    for (name, bytes) in &theme.assets {
        files.insert(format!("assets/{name}"), bytes.clone());
    }
    Ok(files)
}

fn render_services(
    evaluated: &Evaluated,
    renderer: &Renderer,
    files: &mut SiteFiles,
) -> Result<()> {
    let sources = SourceMap::new(&evaluated.catalog);
    for report in &evaluated.report.services {
        let service = &evaluated.catalog.services[report.service];
        let id = service.id().as_str();
        let origin = &service.source.origin;
        let output = url::service_page(id);
        let resolve =
            |link: &str| sources.resolve(origin.source_index, &origin.relative, &output, link);
        let body_html = markdown::render(&service.source.body, &resolve);
        // Front-matter links (runbooks) are shown through templates, which want root-relative URLs.
        let resolve_from_root =
            |link: &str| sources.resolve(origin.source_index, &origin.relative, "index.html", link);
        let page_view = view::service(evaluated, report, body_html, &resolve_from_root);
        files.insert(
            output.clone(),
            renderer.page("service.html", &output, "services", &page_view)?,
        );
        for page in &service.pages {
            let output = url::service_file(id, &page.path_in_service);
            let resolve = |link: &str| {
                sources.resolve(
                    page.origin.source_index,
                    &page.origin.relative,
                    &output,
                    link,
                )
            };
            let body_html = markdown::render(&page.body, &resolve);
            let page_view = view::page(evaluated, report, page, body_html);
            files.insert(
                output.clone(),
                renderer.page("page.html", &output, "services", &page_view)?,
            );
        }
        for asset in &service.assets {
            files.insert(
                url::service_file(id, &asset.path_in_service),
                asset.bytes.clone(),
            );
        }
    }
    Ok(())
}

struct Renderer<'a> {
    theme: &'a Theme,
    site: &'a SiteView<'a>,
}

impl Renderer<'_> {
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
