//! General pages: the book's Markdown pages and files that belong to no service (runbook
//! libraries, guides, postmortems, ADRs), and the tree of folders they sit in, from which the
//! site draws their navigation.
//!
//! Pure: made from parsed files by the catalog.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::links::folder_page_rank;
use crate::parse::{AssetSource, PageSource};

/// The general pages and files of a book.
#[derive(Debug, Clone, Default)]
pub(crate) struct GeneralDocs {
    /// Sorted by source and path.
    pub(crate) pages: Vec<Arc<PageSource>>,
    pub(crate) files: Vec<Arc<AssetSource>>,
    /// Every folder that holds a page, or a folder that does, by (source index, path); the
    /// top of a source is `""`.
    pub(crate) folders: BTreeMap<(usize, String), Folder>,
}

/// A folder of general pages.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Folder {
    /// The page that stands for the folder (`_index.md`, `index.md`, `README.md`), as an
    /// index into [`GeneralDocs::pages`].
    pub(crate) page: Option<usize>,
    /// Its other pages, in reading order: by `weight`, then title.
    pub(crate) pages: Vec<usize>,
    /// Its subfolders' paths, in the same order, by their titles.
    pub(crate) folders: Vec<String>,
}

impl GeneralDocs {
    pub(crate) fn new(
        mut pages: Vec<Arc<PageSource>>,
        mut files: Vec<Arc<AssetSource>>,
    ) -> GeneralDocs {
        pages.sort_by(|a, b| a.origin.cmp(&b.origin));
        files.sort_by(|a, b| a.origin.cmp(&b.origin));
        let mut docs = GeneralDocs {
            pages,
            files,
            folders: BTreeMap::new(),
        };
        for index in 0..docs.pages.len() {
            let page = Arc::clone(&docs.pages[index]);
            let source = page.origin.source_index;
            let folder = page.origin.folder().to_string();
            docs.add_folder(source, &folder);
            let entry = docs.folders.get_mut(&(source, folder)).expect("just added");
            let current = entry
                .page
                .map(|current| (current, rank_of(&docs.pages[current])));
            match (rank_of(&page), current) {
                (Some(_), None) => entry.page = Some(index),
                (Some(rank), Some((current, current_rank))) if Some(rank) < current_rank => {
                    entry.pages.push(current);
                    entry.page = Some(index);
                }
                _ => entry.pages.push(index),
            }
        }
        docs.order();
        docs
    }

    /// Adds `folder` and every folder above it, each listed in its parent.
    fn add_folder(&mut self, source: usize, folder: &str) {
        let key = (source, folder.to_string());
        if self.folders.contains_key(&key) {
            return;
        }
        self.folders.insert(key, Folder::default());
        if let Some(parent) = parent(folder) {
            self.add_folder(source, parent);
            let siblings = &mut self.folders.get_mut(&(source, parent.to_string()));
            siblings
                .as_mut()
                .expect("just added")
                .folders
                .push(folder.to_string());
        }
    }

    fn order(&mut self) {
        let keys: Vec<(usize, String)> = self.folders.keys().cloned().collect();
        for key in &keys {
            let mut folder = std::mem::take(self.folders.get_mut(key).expect("a key"));
            folder
                .pages
                .sort_by(|a, b| self.page_order(&self.pages[*a], &self.pages[*b]));
            folder.folders.sort_by(|a, b| {
                let a = (self.folder_weight(key.0, a), self.folder_title(key.0, a));
                let b = (self.folder_weight(key.0, b), self.folder_title(key.0, b));
                by_weight_then_title(a, b)
            });
            self.folders.insert(key.clone(), folder);
        }
    }

    fn page_order(&self, a: &PageSource, b: &PageSource) -> Ordering {
        by_weight_then_title((a.meta.weight, a.title()), (b.meta.weight, b.title()))
            .then_with(|| a.origin.cmp(&b.origin))
    }

    fn folder_weight(&self, source: usize, folder: &str) -> Option<f64> {
        self.folder_page(source, folder)?.meta.weight
    }

    /// The page that stands for a folder, if it has one.
    pub(crate) fn folder_page(&self, source: usize, folder: &str) -> Option<&PageSource> {
        let index = self.folders.get(&(source, folder.to_string()))?.page?;
        Some(&self.pages[index])
    }

    /// A folder's title: its page's, or its name.
    pub(crate) fn folder_title<'a>(&'a self, source: usize, folder: &'a str) -> &'a str {
        match self.folder_page(source, folder) {
            Some(page) => page.title(),
            None => folder.rsplit('/').next().unwrap_or(folder),
        }
    }
}

/// Lower weights first, pages without one last; then by title, ignoring case.
fn by_weight_then_title(a: (Option<f64>, &str), b: (Option<f64>, &str)) -> Ordering {
    let weight = |w: Option<f64>| w.unwrap_or(f64::INFINITY);
    weight(a.0)
        .total_cmp(&weight(b.0))
        .then_with(|| a.1.to_lowercase().cmp(&b.1.to_lowercase()))
}

/// How well a page stands for its folder: `Some(0)` best, `None` when it does not.
fn rank_of(page: &PageSource) -> Option<usize> {
    folder_page_rank(&page.origin.relative)
}

/// The folder above `folder`; `None` at the top.
fn parent(folder: &str) -> Option<&str> {
    if folder.is_empty() {
        return None;
    }
    Some(folder.rsplit_once('/').map_or("", |(parent, _)| parent))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown;
    use crate::parse::{Origin, PageMeta};

    fn page(relative: &str, title: Option<&str>, weight: Option<f64>) -> Arc<PageSource> {
        Arc::new(PageSource {
            origin: Origin {
                display_path: relative.into(),
                source_index: 0,
                relative: relative.into(),
            },
            body: String::new(),
            facts: markdown::analyze("", 1),
            meta: PageMeta {
                title: title.map(String::from),
                weight,
            },
        })
    }

    fn titles(docs: &GeneralDocs, indices: &[usize]) -> Vec<String> {
        indices
            .iter()
            .map(|i| docs.pages[*i].title().to_string())
            .collect()
    }

    #[test]
    fn folders_hold_their_pages_in_reading_order_with_their_own_page_apart() {
        let docs = GeneralDocs::new(
            vec![
                page("runbooks/zeta.md", None, None),
                page("runbooks/alpha.md", None, None),
                page("runbooks/README.md", Some("Runbooks"), None),
                page("runbooks/_index.md", Some("All runbooks"), Some(2.0)),
                page("runbooks/first.md", Some("Start here"), Some(1.0)),
                page("runbooks/db/restore.md", None, None),
                page("guides/setup.md", None, None),
            ],
            Vec::new(),
        );
        let runbooks = &docs.folders[&(0, "runbooks".to_string())];
        assert_eq!(
            docs.pages[runbooks.page.unwrap()].title(),
            "All runbooks",
            "Hugo's section page stands for the folder before a README"
        );
        assert_eq!(
            titles(&docs, &runbooks.pages),
            ["Start here", "alpha", "Runbooks", "zeta"]
        );
        assert_eq!(runbooks.folders, ["runbooks/db"]);
        let top = &docs.folders[&(0, String::new())];
        assert_eq!(
            top.folders,
            ["runbooks", "guides"],
            "a folder's page gives it its weight; folders without one come after"
        );
        assert!(top.pages.is_empty() && top.page.is_none());
        assert_eq!(docs.folder_title(0, "runbooks/db"), "db");
        assert_eq!(docs.folder_title(0, "runbooks"), "All runbooks");
    }
}
