//! General pages: every Markdown file of a book is published, those of no service as the
//! book's general pages (a runbook library, guides), with a tree of their folders; pages kept
//! elsewhere are attached to services; every local file a doc links to is published; and a
//! stale link is a warning that marks the link, unless the book makes it an error.

use std::fs;
use std::path::PathBuf;

use crate::docs_tree;
use crate::harness::{TODAY, broken_links_as_errors, copy_of, fixture, opsbook, stderr};

const ORG: &str = "runbook-org";

fn build(book: &std::path::Path, site: &std::path::Path) -> std::process::Output {
    opsbook(
        book,
        &["build", ".", "-o", site.to_str().unwrap(), "--today", TODAY],
    )
}

/// The fixture organisation's site, built into a temporary folder (kept while the guard
/// lives): the site's folder and what the build said.
pub fn built_runbook_org() -> (tempfile::TempDir, PathBuf, String) {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let output = build(&fixture(ORG), &site);
    let log = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{log}");
    (out, site, log)
}

#[test]
fn every_page_of_a_catalog_less_runbook_tree_is_published_and_linked() {
    let book = fixture(ORG);
    let (_guard, site, log) = built_runbook_org();
    assert!(
        log.contains("built 19 pages for 2 services (0 meet their required level), 6 of them general pages outside services"),
        "{log}"
    );
    assert_eq!(
        docs_tree::assert_every_markdown_file_published(&book, &site),
        10
    );
    let pages = docs_tree::pages_by_source(&site);
    let files = docs_tree::markdown_files(&book);
    let links = docs_tree::links_between_pages(&book, &files);
    assert_eq!(
        docs_tree::assert_links_lead_between_pages(&site, &pages, &links),
        7,
        "{links:?}"
    );
    // Hugo's and Jekyll's keys are theirs: nothing is said of them.
    assert!(!log.contains("aliases") && !log.contains("cSpell"), "{log}");
    let paging = fs::read_to_string(site.join(&pages["runbooks/general/paging.md"])).unwrap();
    assert!(
        paging.contains("<h1>Paging the right team</h1>"),
        "the title from front matter"
    );
    assert!(
        paging.contains(r#"href="escalation.html""#),
        "a link without `.md` leads to the page: {paging}"
    );
}

#[test]
fn the_docs_section_shows_the_tree_of_folders_in_reading_order() {
    let (_guard, site, _) = built_runbook_org();
    let overview = fs::read_to_string(site.join("index.html")).unwrap();
    assert!(
        overview.contains(r#"<a href="docs/index.html""#),
        "the site's navigation has Docs"
    );
    let runbooks = fs::read_to_string(site.join("docs/runbooks/index.html")).unwrap();
    assert!(
        runbooks.contains("<h1 id=\"runbooks\">Runbooks</h1>"),
        "the README is the folder's page"
    );
    let listed = |html: &str, labels: &[&str]| {
        let mut at = 0;
        for label in labels {
            let found = html[at..].find(&format!(">{label}</a>"));
            assert!(found.is_some(), "{label} after position {at} in {html}");
            at += found.unwrap();
        }
    };
    // `general` has no weight; `database` has weight 2 from its `_index.md` title page.
    listed(&runbooks, &["Database", "general"]);
    let failover = fs::read_to_string(site.join("docs/runbooks/database/failover.html")).unwrap();
    assert!(
        failover.contains(
            r#"<span class="current-page" aria-current="page">Fail over the database</span>"#
        ),
        "the tree marks the page shown"
    );
    listed(&failover, &["Runbooks", "Database", "general"]);
    let general = fs::read_to_string(site.join("docs/runbooks/general/index.html")).unwrap();
    listed(&general, &["Paging the right team", "Escalation"]);
    // Hugo's TOML front matter gives a title and a weight too.
    let database = fs::read_to_string(site.join("docs/runbooks/database/index.html")).unwrap();
    listed(
        &database,
        &["Back up the database", "Fail over the database"],
    );
    let backup = fs::read_to_string(site.join("docs/runbooks/database/backup.html")).unwrap();
    assert!(!backup.contains("+++"), "{backup}");
}

#[test]
fn pages_kept_elsewhere_are_attached_to_their_services() {
    let (_guard, site, _) = built_runbook_org();
    let gitaly = fs::read_to_string(site.join("services/gitaly/index.html")).unwrap();
    assert!(
        gitaly
            .contains(r#"<a href="../../services/gitaly/restore.html">Restore a Gitaly node</a>"#),
        "`[pages] attach` gives gitaly the pages of docs/gitaly/: {gitaly}"
    );
    let registry = fs::read_to_string(site.join("services/registry/index.html")).unwrap();
    assert!(
        registry.contains(r#"href="../../services/registry/gc.html""#),
        "the doc's own `pages:` claims docs/registry-extra/: {registry}"
    );
    let index = fs::read_to_string(site.join("search-index.js")).unwrap();
    assert!(
        index.contains(r#""Restore a Gitaly node","services/gitaly/restore.html","Gitaly""#),
        "found by search under its service"
    );
}

#[test]
fn every_local_file_a_doc_links_to_is_published_as_it_is() {
    let book = fixture(ORG);
    let (_guard, site, _) = built_runbook_org();
    for (source, published) in [
        ("docs/gitaly/layout.pdf", "services/gitaly/layout.pdf"),
        (
            "runbooks/general/alerts.yaml",
            "docs/runbooks/general/alerts.yaml",
        ),
    ] {
        assert_eq!(
            fs::read(site.join(published)).unwrap(),
            fs::read(book.join(source)).unwrap(),
            "{published}"
        );
    }
    let restore = fs::read_to_string(site.join("services/gitaly/restore.html")).unwrap();
    assert!(restore.contains(r#"href="layout.pdf""#), "{restore}");
}

#[test]
fn a_stale_link_is_a_warning_and_marked_where_it_is_written() {
    let book = fixture(ORG);
    let (_guard, site, log) = built_runbook_org();
    assert!(
        log.contains("runbooks/general/paging.md:10:24: warning[OB0501]: links to `old-escalation.md`, which is not among the book's files"),
        "{log}"
    );
    let paging = fs::read_to_string(site.join("docs/runbooks/general/paging.html")).unwrap();
    assert!(
        paging.contains(r#"<span class="broken-link" title="Broken link: `old-escalation.md` is not among the files this site publishes">old process</span>"#),
        "{paging}"
    );
    let check = opsbook(&book, &["check", "--today", TODAY]);
    assert_eq!(
        check.status.code(),
        Some(1),
        "below required, but no error: {}",
        stderr(&check)
    );
    assert!(
        stderr(&check).contains(
            "read 2 service docs with 2 pages of their own, and 6 general pages outside services"
        ),
        "{}",
        stderr(&check)
    );
}

#[test]
fn with_broken_links_as_errors_the_same_book_writes_nothing() {
    let book = copy_of(&fixture(ORG));
    broken_links_as_errors(book.path());
    let site = book.path().join("site");
    let output = build(book.path(), &site);
    let log = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{log}");
    assert!(
        log.contains(
            "runbooks/general/paging.md:10:24: error[OB0501]: links to `old-escalation.md`"
        ),
        "{log}"
    );
    assert!(!site.exists(), "nothing is written");
}

#[test]
fn general_pages_are_in_the_sitemap() {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let output = opsbook(
        &fixture(ORG),
        &[
            "build",
            ".",
            "-o",
            site.to_str().unwrap(),
            "--site-url",
            "https://runbooks.example/",
            "--today",
            TODAY,
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let sitemap = fs::read_to_string(site.join("sitemap.xml")).unwrap();
    for url in [
        "https://runbooks.example/docs/runbooks/general/paging.html",
        "https://runbooks.example/docs/runbooks/database/",
        "https://runbooks.example/services/gitaly/restore.html",
    ] {
        assert!(
            sitemap.contains(&format!("<loc>{url}</loc>")),
            "{url} in {sitemap}"
        );
    }
}

#[test]
fn a_claimed_page_never_displaces_the_services_own() {
    // `docs/` sorts before `svc/`: the claimed page is read first, and must still give way.
    let book = crate::book::Book::new()
        .toml("[book]\nsrc = \".\"\n\n[pages]\nattach = [\"docs/{service}/**\"]\n")
        .file("svc/x/service.md", "---\nservice: x\n---\n# X\n")
        .file("svc/x/notes.md", "# Own notes\n")
        .file("docs/x/notes.md", "# Claimed notes\n");
    book.build()
        .exits(0)
        .stderr_has("docs/x/notes.md: warning[OB0405]: `x` claims this page, but its own `notes.md` is published at the same place; this one is skipped");
    let notes = fs::read_to_string(book.path().join("site/services/x/notes.html")).unwrap();
    assert!(notes.contains("Own notes"), "{notes}");
}

#[test]
fn a_file_a_runbook_link_names_is_published_too() {
    let book = crate::book::Book::new()
        .file(
            "x/service.md",
            "---\nservice: x\nrunbooks:\n  recovery:\n    - { failure: Disk full, link: runbooks/disk-full.pdf }\n---\n# X\n",
        )
        .file("x/runbooks/disk-full.pdf", "%PDF-1.4\n%%EOF\n");
    book.build().exits(0).stderr_lacks("disk-full.pdf");
    let published = fs::read(book.path().join("site/services/x/runbooks/disk-full.pdf")).unwrap();
    assert_eq!(published, b"%PDF-1.4\n%%EOF\n");
}

/// A file outside every service that a doc links to is published under `docs/`; with no
/// general page beside it there is no docs index, so no page may link to one.
#[test]
fn a_linked_file_outside_services_without_general_pages_adds_no_docs_link() {
    let book = crate::book::Book::new()
        .file(
            "pay/service.md",
            "---\nservice: pay\n---\nSee [notes](../notes.txt).\n",
        )
        .file("notes.txt", "hello\n");
    book.build().exits(0);
    assert!(book.path().join("site/docs/notes.txt").is_file());
    let index = std::fs::read_to_string(book.path().join("site/index.html")).unwrap();
    assert!(
        !index.contains("docs/index.html"),
        "no Docs link without a docs index"
    );
}
