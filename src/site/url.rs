//! Site URLs: where each source file is published, and relative links between pages.
//!
//! All links in the site are relative, so it works at `/`, under any sub-path and from disk.

use std::collections::HashMap;

use crate::catalog::Catalog;

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
}

impl SourceMap {
    pub fn new(catalog: &Catalog) -> Self {
        let mut outputs = HashMap::new();
        for service in &catalog.services {
            let id = service.id().as_str();
            let origin = &service.source.origin;
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
        SourceMap { outputs }
    }

    /// Rewrites a link written in source file `from_relative` (published at `from_output`)
    /// so it points at the published page. `None` leaves the link as written: external
    /// URLs, anchors, and files the site does not publish.
    pub fn resolve(
        &self,
        source_index: usize,
        from_relative: &str,
        from_output: &str,
        link: &str,
    ) -> Option<String> {
        if link.is_empty() || link.starts_with('#') || link.starts_with('/') || has_scheme(link) {
            return None;
        }
        let (path, fragment) = match link.find(['#', '?']) {
            Some(i) => (&link[..i], &link[i..]),
            None => (link, ""),
        };
        let folder = from_relative
            .rsplit_once('/')
            .map_or("", |(folder, _)| folder);
        let target = normalize(&format!("{folder}/{path}"))?;
        let output = self.outputs.get(&(source_index, target))?;
        Some(format!("{}{fragment}", relative_link(from_output, output)))
    }
}

fn has_scheme(link: &str) -> bool {
    link.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    })
}

/// Resolves `.` and `..` in a `/`-separated path; `None` if it leaves the root.
fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
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

    #[test]
    fn normalizes_and_refuses_to_leave_the_root() {
        assert_eq!(normalize("a/./b/../c.md").as_deref(), Some("a/c.md"));
        assert_eq!(normalize("../x.md"), None);
    }

    #[test]
    fn schemes_are_external() {
        assert!(has_scheme("https://x"));
        assert!(has_scheme("mailto:a@b"));
        assert!(!has_scheme("runbooks/a.md"));
    }
}
