//! The general pages (those of no service): each page with the tree of folders around it,
//! and a page for each folder listing what it holds.
//!
//! The tree beside a page shows the folders from the top down to the page's own, each with
//! its entries; a folder of many entries shows those around the way down and links to the
//! folder for the rest. So every page costs what its depth costs, never what the book holds:
//! a folder of 2,000 runbooks makes 2,000 pages, not 2,000 pages of 2,000 links.

use serde::Serialize;

use crate::catalog::general::GeneralDocs;
use crate::site::url::{GENERAL_INDEX, GeneralRoots, SourceMap};

/// A folder's entries that the tree shows at most, around the one on the way down.
const TREE_ENTRIES: usize = 25;

/// What a general page, or a folder's page, shows.
#[derive(Debug, Serialize)]
pub(crate) struct GeneralPageView<'a> {
    pub(crate) title: &'a str,
    /// The file it is made from; `None` for a folder without a page of its own.
    pub(crate) source: Option<String>,
    pub(crate) body_html: String,
    /// Whether the page shows its title above the body: the body does not start with one.
    pub(crate) show_title: bool,
    /// From the general pages' index down to the folder holding this page.
    pub(crate) breadcrumbs: Vec<Entry<'a>>,
    pub(crate) tree: Vec<TreeEntry>,
    /// What a folder holds, on the folder's page.
    pub(crate) listing: Option<Listing<'a>>,
}

/// A link to a page or folder, root-relative.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Entry<'a> {
    pub(crate) label: &'a str,
    pub(crate) url: String,
}

/// One line of the tree beside a page.
#[derive(Debug, Serialize)]
pub(crate) struct TreeEntry {
    pub(crate) label: String,
    pub(crate) url: String,
    pub(crate) depth: usize,
    pub(crate) folder: bool,
    /// On the way down to the page shown (a folder), or the page itself.
    pub(crate) open: bool,
    pub(crate) current: bool,
}

/// The folders and pages a folder holds.
#[derive(Debug, Serialize)]
pub(crate) struct Listing<'a> {
    pub(crate) folders: Vec<Entry<'a>>,
    pub(crate) pages: Vec<Entry<'a>>,
}

/// Where a general page is, for its navigation.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Place<'a> {
    /// A page, by index into [`GeneralDocs::pages`], that is not its folder's own.
    Page(usize),
    /// A folder's page: (source index, folder).
    Folder(usize, &'a str),
}

/// Makes the views of general pages.
pub(crate) struct Navigation<'a> {
    pub(crate) docs: &'a GeneralDocs,
    pub(crate) sources: &'a SourceMap,
    pub(crate) roots: &'a GeneralRoots,
    /// Each source's name, for books of several.
    pub(crate) source_names: &'a [&'a str],
}

impl<'a> Navigation<'a> {
    /// The view of the page at `place`, around its rendered body.
    pub(crate) fn view(&self, place: Place<'a>, body_html: String) -> GeneralPageView<'a> {
        let (source, folder) = match place {
            Place::Page(index) => {
                let origin = &self.docs.pages[index].origin;
                (origin.source_index, origin.folder())
            }
            Place::Folder(source, folder) => (source, folder),
        };
        let (title, own_page) = match place {
            Place::Page(index) => {
                let page = &*self.docs.pages[index];
                (page.title(), Some(page))
            }
            Place::Folder(source, folder) => (
                self.folder_label(source, folder),
                self.docs.folder_page(source, folder),
            ),
        };
        let mut tree = Vec::new();
        self.add_level(source, "", 0, place, &mut tree);
        let starts_with_title = own_page
            .and_then(|page| page.facts.headings.first())
            .is_some_and(|heading| heading.level == 1);
        GeneralPageView {
            title,
            source: own_page.map(|p| crate::diag::display_path(&p.origin.display_path)),
            show_title: !starts_with_title,
            body_html,
            breadcrumbs: self.breadcrumbs(source, folder, place),
            tree,
            listing: matches!(place, Place::Folder(..)).then(|| self.listing(source, folder)),
        }
    }

    /// The view of the general pages' index in a book of several sources: one entry each.
    pub(crate) fn sources_view(&self) -> GeneralPageView<'a> {
        let folders = self
            .docs
            .folders
            .keys()
            .filter(|(_, folder)| folder.is_empty())
            .map(|(source, _)| Entry {
                label: self.source_title(*source),
                url: self.roots.folder(*source, ""),
            })
            .collect();
        GeneralPageView {
            title: "Docs",
            source: None,
            body_html: String::new(),
            show_title: true,
            breadcrumbs: Vec::new(),
            tree: Vec::new(),
            listing: Some(Listing {
                folders,
                pages: Vec::new(),
            }),
        }
    }

    fn source_title(&self, source: usize) -> &'a str {
        match self.source_names {
            [_] | [] => "Docs",
            names => names.get(source).copied().unwrap_or("Docs"),
        }
    }

    fn breadcrumbs(&self, source: usize, folder: &'a str, place: Place) -> Vec<Entry<'a>> {
        let mut crumbs = Vec::new();
        if self.source_names.len() > 1 {
            crumbs.push(Entry {
                label: "Docs",
                url: GENERAL_INDEX.to_string(),
            });
        }
        let mut path = Vec::new();
        let mut current = Some(folder);
        while let Some(at) = current {
            path.push(at);
            current = (!at.is_empty()).then(|| at.rsplit_once('/').map_or("", |(up, _)| up));
        }
        for at in path.into_iter().rev() {
            if matches!(place, Place::Folder(_, shown) if shown == at) {
                break;
            }
            crumbs.push(Entry {
                label: self.folder_label(source, at),
                url: self.roots.folder(source, at),
            });
        }
        crumbs
    }

    /// The entries of `folder` at `depth`, and below the one on the way to `place`, its own.
    fn add_level(
        &self,
        source: usize,
        folder: &str,
        depth: usize,
        place: Place,
        tree: &mut Vec<TreeEntry>,
    ) {
        let Some(entries) = self.docs.folders.get(&(source, folder.to_string())) else {
            return;
        };
        let shown_folder = match place {
            Place::Folder(_, shown) => shown,
            Place::Page(index) => self.docs.pages[index].origin.folder(),
        };
        let on_the_way =
            |sub: &str| shown_folder == sub || shown_folder.starts_with(&format!("{sub}/"));
        let mut lines: Vec<(Option<&String>, Option<usize>)> = Vec::new();
        lines.extend(entries.folders.iter().map(|f| (Some(f), None)));
        lines.extend(entries.pages.iter().map(|p| (None, Some(*p))));
        let is_open = |line: &(Option<&String>, Option<usize>)| match line {
            (Some(sub), _) => on_the_way(sub),
            (_, Some(page)) => matches!(place, Place::Page(shown) if shown == *page),
            _ => false,
        };
        let open_at = lines.iter().position(is_open).unwrap_or(0);
        let first = open_at
            .saturating_sub(TREE_ENTRIES / 2)
            .min(lines.len().saturating_sub(TREE_ENTRIES));
        let window = first..(first + TREE_ENTRIES).min(lines.len());
        for line in &lines[window.clone()] {
            let open = is_open(line);
            match line {
                (Some(sub), _) => {
                    tree.push(TreeEntry {
                        label: self.docs.folder_title(source, sub).to_string(),
                        url: self.roots.folder(source, sub),
                        depth,
                        folder: true,
                        open,
                        current: matches!(place, Place::Folder(_, shown) if shown == sub.as_str()),
                    });
                    if open {
                        self.add_level(source, sub, depth + 1, place, tree);
                    }
                }
                (_, Some(page)) => tree.push(TreeEntry {
                    label: self.docs.pages[*page].title().to_string(),
                    url: self.page_url(*page),
                    depth,
                    folder: false,
                    open,
                    current: open,
                }),
                _ => {}
            }
        }
        let hidden = lines.len() - window.len();
        if hidden > 0 {
            tree.push(TreeEntry {
                label: format!("{hidden} more in {}", self.folder_label(source, folder)),
                url: self.roots.folder(source, folder),
                depth,
                folder: true,
                open: false,
                current: false,
            });
        }
    }

    /// A folder's title: its page's, its name, or at the top of a source, the source's.
    fn folder_label(&self, source: usize, folder: &'a str) -> &'a str {
        match self.docs.folder_page(source, folder) {
            None if folder.is_empty() => self.source_title(source),
            _ => self.docs.folder_title(source, folder),
        }
    }

    fn listing(&self, source: usize, folder: &'a str) -> Listing<'a> {
        let Some(entries) = self.docs.folders.get(&(source, folder.to_string())) else {
            return Listing {
                folders: Vec::new(),
                pages: Vec::new(),
            };
        };
        Listing {
            folders: entries
                .folders
                .iter()
                .map(|sub| Entry {
                    label: self.docs.folder_title(source, sub),
                    url: self.roots.folder(source, sub),
                })
                .collect(),
            pages: entries
                .pages
                .iter()
                .map(|page| Entry {
                    label: self.docs.pages[*page].title(),
                    url: self.page_url(*page),
                })
                .collect(),
        }
    }

    /// Where a general page is published, root-relative.
    pub(crate) fn page_url(&self, page: usize) -> String {
        let origin = &self.docs.pages[page].origin;
        self.sources
            .output(origin.source_index, &origin.relative)
            .unwrap_or_default()
            .to_string()
    }
}
