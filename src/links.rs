//! Link targets: which destinations written in the Markdown (and the runbook links of the
//! front matter) name files of the book, which file or folder of the sources each leads to,
//! and the relative link from one published page to another.
//!
//! Pure path arithmetic: the check that each link leads somewhere is
//! `crate::catalog::link_check`'s, and where each file is published is the site's.

use percent_encoding::percent_decode_str;

/// A link destination that names a path of the book rather than a URL or an anchor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LocalLink<'a> {
    /// The path, percent-decoded (`my%20page.md` is the file `my page.md`).
    pub(crate) path: String,
    /// The query and fragment as written (`?x#y`), kept when the link is rewritten.
    pub(crate) suffix: &'a str,
    /// The fragment, percent-decoded, if the link has a non-empty one.
    pub(crate) fragment: Option<String>,
}

/// The local path a destination names, or `None` for URLs with a scheme, anchors in the same
/// page, and paths from the web server's root (which opsbook cannot know).
pub(crate) fn local(destination: &str) -> Option<LocalLink<'_>> {
    let destination = destination.trim();
    if destination.starts_with('#') || destination.starts_with('/') || has_scheme(destination) {
        return None;
    }
    let (path, suffix) = match destination.find(['?', '#']) {
        Some(i) => destination.split_at(i),
        None => (destination, ""),
    };
    if path.is_empty() {
        return None;
    }
    Some(LocalLink {
        path: decode(path),
        suffix,
        fragment: fragment(suffix),
    })
}

/// The fragment of a link (`a.md#x`, `#x`), percent-decoded, if it has a non-empty one.
pub(crate) fn fragment(link: &str) -> Option<String> {
    link.split_once('#')
        .map(|(_, fragment)| decode(fragment))
        .filter(|fragment| !fragment.is_empty())
}

fn decode(text: &str) -> String {
    percent_decode_str(text).decode_utf8_lossy().into_owned()
}

/// Whether a link starts with a URL scheme (`https:`, `mailto:`, `data:`...).
pub(crate) fn has_scheme(link: &str) -> bool {
    link.split_once(':').is_some_and(|(scheme, _)| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    })
}

/// The path (relative to the source folder) that `path`, written in the file at
/// `from_relative`, leads to; `None` if it climbs above the source folder.
pub(crate) fn target(from_relative: &str, path: &str) -> Option<String> {
    let folder = from_relative
        .rsplit_once('/')
        .map_or("", |(folder, _)| folder);
    normalize(&format!("{folder}/{path}"))
}

/// The names of a folder's own page, most telling first: Hugo's section page, the index page
/// of most site generators, a repository's README.
const FOLDER_PAGES: &[&str] = &["_index", "index", "readme"];

/// How well the file at `relative` stands for its folder: `Some(0)` best, `None` when it
/// does not.
pub(crate) fn folder_page_rank(relative: &str) -> Option<usize> {
    let name = relative.rsplit('/').next().unwrap_or(relative);
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    let stem = stem.to_ascii_lowercase();
    FOLDER_PAGES.iter().position(|page| *page == stem)
}

/// A relative link from page `from` to file `to`, both relative to the site root.
pub(crate) fn relative_link(from: &str, to: &str) -> String {
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

/// Resolves `.` and `..` in a `/`-separated path; `None` if it leaves the root.
pub(crate) fn normalize(path: &str) -> Option<String> {
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

/// The path of the book a local link names: the first of its readings that `lookup` knows,
/// with what `lookup` says of it. The readings, in order:
/// - the path as written, relative to the linking file (a file, or a folder: a folder's
///   page stands for it);
/// - the same with `.md` added, as site generators let authors write (`../setup` for
///   `setup.md`);
/// - both again from the page's own address, as Hugo publishes a page (`guide.md` at
///   `guide/`, so `../setup` written in it means `setup` beside it).
pub(crate) fn resolve<T>(
    from_relative: &str,
    path: &str,
    mut lookup: impl FnMut(&str) -> Option<T>,
) -> Option<(String, T)> {
    let mut read = |target: String, markdown: bool| {
        if let Some(found) = lookup(&target) {
            return Some((target, found));
        }
        let target = format!("{target}.md");
        let found = lookup(&target).filter(|_| markdown)?;
        Some((target, found))
    };
    let as_written = target(from_relative, path)?;
    let markdown = !as_written.ends_with(".md") && !as_written.ends_with(".markdown");
    let first = read(as_written, markdown);
    if first.is_some() || folder_page_rank(from_relative).is_some() {
        return first;
    }
    let page_address = format!("{}/", from_relative.rsplit_once('.')?.0);
    read(target(&page_address, path)?, markdown)
}

/// A relative path as the book names it, whatever the platform: parts joined by `/`.
pub(crate) fn slash_path(relative: &std::path::Path) -> String {
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(destination: &str) -> Option<(String, &str, Option<String>)> {
        local(destination).map(|l| (l.path, l.suffix, l.fragment))
    }

    #[test]
    fn urls_anchors_and_root_paths_are_not_local() {
        for destination in [
            "https://x.example/a.md",
            "mailto:a@b.example",
            "tel:+441234",
            "data:image/png;base64,AAAA",
            "#slo",
            "/runbooks/a.md",
            "//cdn.example/a.js",
            "",
            "?tab=2",
        ] {
            assert_eq!(parts(destination), None, "{destination}");
        }
    }

    #[test]
    fn splits_queries_and_fragments_and_decodes_spaces() {
        assert_eq!(
            parts("runbooks/a.md#slo"),
            Some(("runbooks/a.md".into(), "#slo", Some("slo".into())))
        );
        assert_eq!(
            parts("a.md?plain=1#l-10"),
            Some(("a.md".into(), "?plain=1#l-10", Some("l-10".into())))
        );
        assert_eq!(
            parts("my%20runbook.md#caf%C3%A9"),
            Some(("my runbook.md".into(), "#caf%C3%A9", Some("café".into())))
        );
        assert_eq!(parts("a.md#"), Some(("a.md".into(), "#", None)));
        assert_eq!(parts("a.md?x"), Some(("a.md".into(), "?x", None)));
    }

    #[test]
    fn targets_are_relative_to_the_linking_file() {
        assert_eq!(
            target("checkout/service.md", "./runbooks/a.md").as_deref(),
            Some("checkout/runbooks/a.md")
        );
        assert_eq!(
            target("checkout/runbooks/a.md", "../../payments/service.md").as_deref(),
            Some("payments/service.md")
        );
        assert_eq!(
            target("checkout/runbooks/a.md", "..").as_deref(),
            Some("checkout")
        );
        assert_eq!(target("checkout/service.md", "../../README.md"), None);
        assert_eq!(target("service.md", "../x.md"), None);
    }

    #[test]
    fn schemes_are_letters_first() {
        assert!(has_scheme("https://x"));
        assert!(has_scheme("mailto:a@b"));
        assert!(!has_scheme("runbooks/a.md"));
        assert!(!has_scheme("2026:notes.md"));
    }
}
