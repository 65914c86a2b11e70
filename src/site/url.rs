//! Site URLs: where each source file is published, and relative links between pages.
//!
//! All links in the site are relative, so it works at `/`, under any sub-path and from disk.

use std::collections::HashMap;

use crate::catalog::Catalog;
use crate::links::{self, relative_link};
use crate::markdown::{Destination, slug};

/// Output path (relative to the site root) of a service's page.
pub(crate) fn service_page(id: &str) -> String {
    format!("services/{id}/index.html")
}

/// Output path of an extra page or asset of a service.
pub(crate) fn service_file(id: &str, path_in_service: &str) -> String {
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
pub(crate) fn root_prefix(page: &str) -> String {
    "../".repeat(page.matches('/').count())
}

/// Where the general pages (those of no service) are published: under `docs/`, each source's
/// under `docs/<source>/` in a book of several sources.
#[derive(Debug, Clone)]
pub(crate) struct GeneralRoots(Vec<String>);

/// The general pages' section of the site.
pub(crate) const GENERAL_INDEX: &str = "docs/index.html";

impl GeneralRoots {
    /// The roots for a book whose sources have these names, in order.
    pub(crate) fn new(source_names: &[&str]) -> GeneralRoots {
        if source_names.len() < 2 {
            return GeneralRoots(vec!["docs/".to_string()]);
        }
        let mut taken = std::collections::HashSet::new();
        let roots = source_names
            .iter()
            .map(|name| {
                let base = slug(name.rsplit(['/', '\\']).next().unwrap_or(name));
                let base = if base.is_empty() {
                    "source".to_string()
                } else {
                    base
                };
                let mut root = base.clone();
                let mut number = 1;
                while !taken.insert(root.clone()) {
                    number += 1;
                    root = format!("{base}-{number}");
                }
                format!("docs/{root}/")
            })
            .collect();
        GeneralRoots(roots)
    }

    fn root(&self, source: usize) -> &str {
        self.0
            .get(source)
            .or(self.0.first())
            .map_or("docs/", String::as_str)
    }

    /// Where a general page or file is published; a folder's own page (`_index.md`,
    /// `index.md`, `README.md`) is the folder's `index.html`.
    pub(crate) fn file(&self, source: usize, relative: &str, folder_page: bool) -> String {
        if folder_page {
            let folder = relative.rsplit_once('/').map_or("", |(folder, _)| folder);
            return self.folder(source, folder);
        }
        let output = markdown_to_html(relative);
        // Only the folder's own page is its index: another `index.md` keeps its name apart.
        let output = match output.strip_suffix("index.html") {
            Some(folder) if folder.is_empty() || folder.ends_with('/') => {
                format!("{folder}index.md.html")
            }
            _ => output,
        };
        format!("{}{output}", self.root(source))
    }

    /// Where a folder of general pages is published.
    pub(crate) fn folder(&self, source: usize, folder: &str) -> String {
        if folder.is_empty() {
            format!("{}index.html", self.root(source))
        } else {
            format!("{}{folder}/index.html", self.root(source))
        }
    }
}

/// Where every source file of the catalog is published: (source index, relative path) -> output path.
#[derive(Debug, Default)]
pub(crate) struct SourceMap {
    outputs: HashMap<(usize, String), String>,
    /// Each service doc's folder -> the service's page; each folder of general pages -> its page.
    folders: HashMap<(usize, String), String>,
}

impl SourceMap {
    pub(crate) fn new(catalog: &Catalog, roots: &GeneralRoots) -> Self {
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
        let general = &catalog.general;
        for (source, folder) in general.folders.keys() {
            let key = (*source, folder.clone());
            folders
                .entry(key)
                .or_insert_with(|| roots.folder(*source, folder));
        }
        for (index, page) in general.pages.iter().enumerate() {
            let origin = &page.origin;
            let folder_page = general.folders[&(origin.source_index, origin.folder().to_string())]
                .page
                == Some(index);
            let output = roots.file(origin.source_index, &origin.relative, folder_page);
            outputs.insert((origin.source_index, origin.relative.clone()), output);
        }
        for file in &general.files {
            let origin = &file.origin;
            let output = roots.file(origin.source_index, &origin.relative, false);
            outputs.insert((origin.source_index, origin.relative.clone()), output);
        }
        SourceMap { outputs, folders }
    }

    /// Where the source file `relative` is published.
    pub(crate) fn output(&self, source_index: usize, relative: &str) -> Option<&str> {
        self.outputs
            .get(&(source_index, relative.to_string()))
            .map(String::as_str)
    }

    /// Where a link written in source file `from_relative` (published at `from_output`)
    /// leads on the site: the published page (a folder's page for a folder), as written
    /// (external URLs, anchors, paths from the server's root), or nowhere.
    pub(crate) fn resolve(
        &self,
        source_index: usize,
        from_relative: &str,
        from_output: &str,
        link: &str,
    ) -> Destination {
        let Some(local) = links::local(link) else {
            return Destination::AsWritten;
        };
        let lookup = |target: &str| {
            let key = (source_index, target.to_string());
            self.outputs.get(&key).or_else(|| self.folders.get(&key))
        };
        match links::resolve(from_relative, &local.path, lookup) {
            Some((_, output)) => Destination::Published(format!(
                "{}{}",
                relative_link(from_output, output),
                local.suffix
            )),
            None if links::target(from_relative, &local.path).is_none() => Destination::Broken(
                format!("Broken link: `{link}` is outside the book's sources"),
            ),
            None => Destination::Broken(format!(
                "Broken link: `{link}` is not among the files this site publishes"
            )),
        }
    }

    /// The URL of a link written in `from_relative`, from the site's root; `None` unless it
    /// leads to a published file.
    pub(crate) fn resolve_from_root(
        &self,
        source_index: usize,
        from_relative: &str,
        link: &str,
    ) -> Option<String> {
        match self.resolve(source_index, from_relative, "index.html", link) {
            Destination::Published(url) => Some(url),
            Destination::AsWritten | Destination::Broken(_) => None,
        }
    }
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

    /// The URL a link leads to, if it leads to a published file.
    fn published(destination: Destination) -> Option<String> {
        match destination {
            Destination::Published(url) => Some(url),
            _ => None,
        }
    }

    #[test]
    fn resolves_links_between_the_books_files() {
        let map = shop();
        let from_runbook = |link: &str| {
            published(map.resolve(
                0,
                "shop/checkout/runbooks/my notes.md",
                "services/checkout/runbooks/my notes.html",
                link,
            ))
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
    fn leaves_other_links_as_written_and_marks_broken_ones() {
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
        ] {
            assert_eq!(from_service(link), Destination::AsWritten, "{link}");
        }
        for link in ["runbooks/missing.md", "../../../README.md", "runbooks/"] {
            assert!(
                matches!(from_service(link), Destination::Broken(_)),
                "{link}"
            );
        }
        assert!(
            matches!(
                map.resolve(
                    1,
                    "shop/checkout/service.md",
                    "x.html",
                    "../payments/service.md"
                ),
                Destination::Broken(_)
            ),
            "another source folder is another tree"
        );
    }
}
