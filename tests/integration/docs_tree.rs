//! Reading a built docs tree back, without asking opsbook: which Markdown files a book has (by
//! walking its folder), which page of the site each was made from, and whether the links
//! written between them lead from page to page. Shared by the fixture tests of general
//! pages and the corpus suite.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::harness::links_in;

/// Every Markdown file of a book's folder, relative to it: the folders opsbook skips
/// (hidden ones, `target`, `node_modules`) skipped too.
pub fn markdown_files(book: &Path) -> BTreeSet<String> {
    walkdir::WalkDir::new(book)
        .into_iter()
        .filter_entry(|entry| {
            let name = entry.file_name().to_string_lossy();
            entry.depth() == 0
                || !(name.starts_with('.') || name == "target" || name == "node_modules")
        })
        .map(Result::unwrap)
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| relative(book, entry.path()))
        .filter(|path| path.ends_with(".md") || path.ends_with(".markdown"))
        .collect()
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

/// The page of the site made from each source file, by the `Source:` note every page of a
/// Markdown file carries: source path -> page path, both `/`-separated.
pub fn pages_by_source(site: &Path) -> BTreeMap<String, String> {
    // A service's page says it in its facts, other pages under their body.
    const NOTES: [&str; 2] = [
        r#"Source: <code class="path">"#,
        r#"<dt>Source</dt><dd><code class="path">"#,
    ];
    let mut pages = BTreeMap::new();
    for entry in walkdir::WalkDir::new(site) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "html") {
            continue;
        }
        let html = std::fs::read_to_string(entry.path()).unwrap();
        let note = NOTES
            .iter()
            .find_map(|note| Some(html.find(note)? + note.len()));
        if let Some(start) = note {
            let rest = &html[start..];
            let source = html_escape::decode_html_entities(&rest[..rest.find('<').unwrap()]);
            let page = relative(site, entry.path());
            let previous = pages.insert(source.to_string(), page.clone());
            assert!(
                previous.is_none(),
                "{source} is published twice: {previous:?} and {page}"
            );
        }
    }
    pages
}

/// A Markdown link written in one file of the book that names another: (from, to, as written).
pub type PageLink = (String, String, String);

/// The inline Markdown links (`[text](path)`, outside code) of each file that name another
/// Markdown file of the book, relative to the linking file: the file itself, the same with
/// `.md` added, or a folder whose own page is `_index.md`, `index.md` or `README.md`.
pub fn links_between_pages(book: &Path, files: &BTreeSet<String>) -> Vec<PageLink> {
    let mut found = Vec::new();
    for from in files {
        let text = std::fs::read_to_string(book.join(from)).unwrap_or_default();
        for written in inline_link_targets(&text) {
            if let Some(to) = named_file(files, from, &written) {
                found.push((from.clone(), to, written));
            }
        }
    }
    found
}

/// The destinations of `](...)` links outside fenced code blocks and code spans.
fn inline_link_targets(text: &str) -> Vec<String> {
    let mut targets = Vec::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") || line.trim_start().starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let outside_code: String = line.split('`').step_by(2).collect::<Vec<_>>().join(" ");
        let mut rest = outside_code.as_str();
        while let Some(start) = rest.find("](") {
            let after = &rest[start + 2..];
            let end = after.find([')', ' ']).unwrap_or(after.len());
            targets.push(after[..end].to_string());
            rest = &after[end..];
        }
    }
    targets
}

/// The Markdown file of `files` that `written` (in `from`) names, if any.
fn named_file(files: &BTreeSet<String>, from: &str, written: &str) -> Option<String> {
    if written.contains("://") || written.starts_with(['/', '#']) || written.contains(':') {
        return None;
    }
    let path = written.split(['#', '?']).next()?;
    if path.is_empty() {
        return None;
    }
    let folder = from.rsplit_once('/').map_or("", |(folder, _)| folder);
    let target = normalize(&format!("{folder}/{path}"))?;
    let within = |name: &str| {
        if target.is_empty() {
            name.to_string()
        } else {
            format!("{target}/{name}")
        }
    };
    [
        target.clone(),
        format!("{target}.md"),
        within("_index.md"),
        within("index.md"),
        within("README.md"),
    ]
    .into_iter()
    .find(|candidate| candidate != from && files.contains(candidate))
}

/// Asserts that each link between pages leads, on the built page of the file it is written
/// in, to the built page of the file it names. Returns how many links were followed.
pub fn assert_links_lead_between_pages(
    site: &Path,
    pages: &BTreeMap<String, String>,
    links: &[PageLink],
) -> usize {
    let mut unresolved = Vec::new();
    for (from, to, written) in links {
        let (Some(from_page), Some(to_page)) = (pages.get(from), pages.get(to)) else {
            unresolved.push(format!("{from} -> {to}: a page is missing"));
            continue;
        };
        let html = std::fs::read_to_string(site.join(from_page)).unwrap();
        let folder = from_page.rsplit_once('/').map_or("", |(folder, _)| folder);
        let leads_there = links_in(&html).iter().any(|href| {
            let path = href.split(['#', '?']).next().unwrap_or_default();
            let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
            normalize(&format!("{folder}/{decoded}")).as_deref() == Some(to_page.as_str())
        });
        if !leads_there {
            unresolved.push(format!(
                "{from}: `{written}` does not lead from {from_page} to {to_page}"
            ));
        }
    }
    assert!(
        unresolved.is_empty(),
        "{} of {} links between pages do not resolve:\n{}",
        unresolved.len(),
        links.len(),
        unresolved[..unresolved.len().min(30)].join("\n")
    );
    links.len()
}

/// `.` and `..` resolved in a `/`-separated path; `None` above the top.
fn normalize(path: &str) -> Option<String> {
    let parts = path.split('/').try_fold(Vec::new(), |mut parts, part| {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
        Some(parts)
    })?;
    Some(parts.join("/"))
}

/// Asserts that every Markdown file of `book` is published as a page of `site`, once.
pub fn assert_every_markdown_file_published(book: &Path, site: &Path) -> usize {
    let files = markdown_files(book);
    let pages = pages_by_source(site);
    let published: BTreeSet<&String> = pages.keys().collect();
    let missing: Vec<&String> = files.iter().filter(|f| !published.contains(f)).collect();
    assert!(
        missing.is_empty(),
        "{} of {} Markdown files are not published, e.g. {:?}",
        missing.len(),
        files.len(),
        &missing[..missing.len().min(10)]
    );
    files.len()
}
