//! Site URLs: where each source file is published, and relative links between pages.
//!
//! All links in the site are relative, so it works at `/`, under any sub-path and from disk.

use std::collections::HashMap;

use crate::catalog::Catalog;
use crate::links;

/// Output path (relative to the site root) of a service's page.
pub fn service_page(id: &str) -> String {
    format!("services/{id}/index.html")
}

/// Output path of an extra page or asset of a service.
pub fn service_file(id: &str, path_in_service: &str) -> String {
    format!("services/{id}/{}", markdown_to_html(path_in_service))
}

fn markdown_to_html(path: &str) -> String {
    for extension in [".md", ".markdown"] {
        if let Some(stem) = path.strip_suffix(extension) {
            return format!("{stem}.html");
        }
    }
    path.to_string()
}

/// The prefix that leads from a page back to the site root, e.g. `../../`.
pub fn root_prefix(page: &str) -> String {
    "../".repeat(page.matches('/').count())
}

/// Where every source file of the catalog is published: (source index, relative path) -> output path.
#[derive(Debug, Default)]
pub struct SourceMap {
    outputs: HashMap<(usize, String), String>,
    /// Each service doc's folder -> the service's page.
    folders: HashMap<(usize, String), String>,
}

impl SourceMap {
    pub fn new(catalog: &Catalog) -> Self {
        let mut outputs = HashMap::new();
        let mut folders = HashMap::new();
        for service in &catalog.services {
            let id = service.id().as_str();
            let origin = &service.source.origin;
            folders.insert(
                (origin.source_index, origin.folder().to_string()),
                service_page(id),
            );
            outputs.insert(
                (origin.source_index, origin.relative.clone()),
                service_page(id),
            );
            for page in &service.pages {
                outputs.insert(
                    (
                        page.source.origin.source_index,
                        page.source.origin.relative.clone(),
                    ),
                    service_file(id, &page.path_in_service),
                );
            }
            for asset in &service.assets {
                outputs.insert(
                    (
                        asset.source.origin.source_index,
                        asset.source.origin.relative.clone(),
                    ),
                    service_file(id, &asset.path_in_service),
                );
            }
        }
        SourceMap { outputs, folders }
    }

    /// Rewrites a link written in source file `from_relative` (published at `from_output`)
    /// so it points at the published page; a link to a service's folder points at the
    /// service's page. `None` leaves the link as written: external URLs, anchors, and files
    /// the site does not publish.
    pub fn resolve(
        &self,
        source_index: usize,
        from_relative: &str,
        from_output: &str,
        link: &str,
    ) -> Option<String> {
        let local = links::local(link)?;
        let target = links::target(from_relative, &local.path)?;
        let key = (source_index, target);
        let output = self.outputs.get(&key).or_else(|| self.folders.get(&key))?;
        Some(format!(
            "{}{}",
            relative_link(from_output, output),
            local.suffix
        ))
    }
}

/// A relative link from page `from` to file `to`, both relative to the site root.
pub fn relative_link(from: &str, to: &str) -> String {
    let from_dirs: Vec<&str> = from
        .split('/')
        .collect::<Vec<_>>()
        .split_last()
        .map(|(_, d)| d.to_vec())
        .unwrap_or_default();
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dirs
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut link = "../".repeat(from_dirs.len() - common);
    link.push_str(&to_parts[common..].join("/"));
    link
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links_between_pages() {
        assert_eq!(
            relative_link("services/a/index.html", "services/a/runbooks/x.html"),
            "runbooks/x.html"
        );
        assert_eq!(
            relative_link("services/a/runbooks/x.html", "services/b/index.html"),
            "../../b/index.html"
        );
        assert_eq!(
            relative_link("index.html", "services/b/index.html"),
            "services/b/index.html"
        );
        assert_eq!(root_prefix("services/a/runbooks/x.html"), "../../../");
    }

    /// Checkout at `shop/checkout/`, payments at `shop/payments/`, as `SourceMap::new` maps them.
    fn shop() -> SourceMap {
        let file = |relative: &str, output: &str| ((0, relative.to_string()), output.to_string());
        SourceMap {
            outputs: HashMap::from([
                file("shop/checkout/service.md", "services/checkout/index.html"),
                file(
                    "shop/checkout/runbooks/my notes.md",
                    "services/checkout/runbooks/my notes.html",
                ),
                file("shop/payments/service.md", "services/payments/index.html"),
            ]),
            folders: HashMap::from([
                file("shop/checkout", "services/checkout/index.html"),
                file("shop/payments", "services/payments/index.html"),
            ]),
        }
    }

    #[test]
    fn resolves_links_between_the_books_files() {
        let map = shop();
        let from_runbook = |link: &str| {
            map.resolve(
                0,
                "shop/checkout/runbooks/my notes.md",
                "services/checkout/runbooks/my notes.html",
                link,
            )
        };
        assert_eq!(
            from_runbook("../service.md").as_deref(),
            Some("../index.html")
        );
        assert_eq!(
            from_runbook("./../../payments/service.md#slo").as_deref(),
            Some("../../payments/index.html#slo")
        );
        assert_eq!(
            from_runbook("../../payments/service.md?plain=1#slo").as_deref(),
            Some("../../payments/index.html?plain=1#slo")
        );
        assert_eq!(
            from_runbook("my%20notes.md").as_deref(),
            Some("my notes.html"),
            "percent-encoded spaces name the file"
        );
        assert_eq!(
            from_runbook("../../payments/").as_deref(),
            Some("../../payments/index.html"),
            "a service's folder is its page"
        );
        assert_eq!(from_runbook(".."), Some("../index.html".into()));
    }

    #[test]
    fn leaves_other_links_as_written() {
        let map = shop();
        let from_service = |link: &str| {
            map.resolve(
                0,
                "shop/checkout/service.md",
                "services/checkout/index.html",
                link,
            )
        };
        for link in [
            "#slo",
            "https://x.example/service.md",
            "/shop/payments/service.md",
            "runbooks/missing.md",
            "../../../README.md",
            "runbooks/",
        ] {
            assert_eq!(from_service(link), None, "{link}");
        }
        assert_eq!(
            map.resolve(
                1,
                "shop/checkout/service.md",
                "x.html",
                "../payments/service.md"
            ),
            None,
            "another source folder is another tree"
        );
    }
}
