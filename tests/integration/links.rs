//! Links: broken links in users' Markdown are reported where they are written, and a dead
//! link anywhere in the rendered site (a theme override's, say) stops the build before it
//! replaces the previous site.

use std::fs;
use std::path::Path;

use crate::harness::{TODAY, broken_links_as_errors, copy_of, files_in, fixture, opsbook, stderr};

const SERVICE: &str = "services/checkout/service.md";

/// The fixture's checkout doc without its section of broken links and with its runbook.
fn without_broken_links(book: &Path) {
    let doc = fs::read_to_string(book.join(SERVICE)).unwrap();
    let doc = doc.replace("runbooks/replay.md", "runbooks/stuck-orders.md");
    let good = doc.split("## Broken").next().unwrap();
    fs::write(book.join(SERVICE), good).unwrap();
}

fn build(book: &Path, site: &Path) -> std::process::Output {
    opsbook(
        book,
        &["build", "-o", site.to_str().unwrap(), "--today", TODAY],
    )
}

#[track_caller]
fn assert_reports(diagnostics: &str, expected: &str) {
    assert!(
        diagnostics.contains(expected),
        "expected `{expected}` in:\n{diagnostics}"
    );
}

#[test]
fn good_links_lead_to_the_published_pages() {
    let book = copy_of(&fixture("links"));
    without_broken_links(book.path());
    let site = book.path().join("site");
    let output = build(book.path(), &site);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!stderr(&output).contains("error:"), "{}", stderr(&output));
    let html = fs::read_to_string(site.join("services/checkout/index.html")).unwrap();
    for link in [
        r#"href="runbooks/stuck-orders.html""#,
        r#"href="runbooks/stuck-orders.html#mitigation""#,
        r#"href="../payments/index.html#slo""#,
        r#"href="../payments/index.html""#,
        r#"src="architecture.svg""#,
        r#"href="runbooks/my%20notes.html""#,
    ] {
        assert!(html.contains(link), "the checkout page has {link}");
    }
    assert!(
        site.join("services/checkout/runbooks/my notes.html")
            .exists()
    );
    let notes = fs::read_to_string(site.join("services/checkout/runbooks/my notes.html")).unwrap();
    assert!(
        notes.contains(r#"href="../index.html""#),
        "a link to the service's folder leads to its page"
    );
}

/// What the fixture's broken links are reported as, each at its line, as `severity`.
fn assert_broken_links_reported(d: &str, severity: &str) {
    for (at, link, help) in [
        ("7:53", "runbooks/replay.md", ""),
        (
            "21:11",
            "runbooks/stuck-order.md",
            "\n  help: did you mean `runbooks/stuck-orders.md`?",
        ),
        (
            "22:9",
            "runbooks/retired.md",
            "\n  help: fix the path, or link with a full URL",
        ),
        (
            "26:28",
            "runbooks/",
            "\n  help: that is a folder without a page of its own (an `index.md` or `README.md`): link to a file in it",
        ),
    ] {
        assert_reports(
            d,
            &format!(
                "{SERVICE}:{at}: {severity}[OB0501]: links to `{link}`, which is not among the book's files{help}"
            ),
        );
    }
    assert_reports(
        d,
        &format!(
            "{SERVICE}:24:22: {severity}[OB0502]: links to `../../README.md`, which is outside the sources, so it cannot be published"
        ),
    );
    assert_reports(
        d,
        "services/checkout/service.md:23:32: warning[OB0504]: links to `../payments/service.md#slos`, but that page has no heading with that id\n  help: did you mean `#slo`?",
    );
    assert_reports(
        d,
        "services/checkout/runbooks/stuck-orders.md:5:42: warning[OB0504]: links to `#verify`, but this page has no heading with that id\n  help: its headings' ids are: stuck-orders, mitigation",
    );
}

#[test]
fn broken_links_are_located_warnings_and_marked_in_the_page() {
    let book = copy_of(&fixture("links"));
    let site = book.path().join("site");
    let output = build(book.path(), &site);
    let d = stderr(&output);
    assert_eq!(
        output.status.code(),
        Some(0),
        "a stale link does not stop the site: {d}"
    );
    assert_broken_links_reported(&d, "warning");
    assert!(
        d.contains("0 error(s), 7 warning(s)"),
        "external links, mail and good anchors are not reported:\n{d}"
    );
    let html = fs::read_to_string(site.join("services/checkout/index.html")).unwrap();
    assert!(
        html.contains(r#"<span class="broken-link" title="Broken link: `runbooks/retired.md` is not among the files this site publishes">the retired page</span>"#),
        "the reader sees the link is broken, and why: {html}"
    );
    assert!(
        html.contains(r#"<span class="broken-link" title="Broken link: `../../README.md` is outside the book&#x27;s sources">the readme</span>"#)
            || html.contains(r#"<span class="broken-link" title="Broken link: `../../README.md` is outside the book's sources">the readme</span>"#),
        "{html}"
    );
    for dead in [
        "runbooks/retired.md",
        "runbooks/stuck-order.md",
        "../../README.md",
    ] {
        assert!(
            !html.contains(&format!(r#"href="{dead}""#)),
            "a broken link leads nowhere: {dead}"
        );
    }
    assert!(html.contains(r#"href="https://example.com/x.md""#));
}

#[test]
fn with_broken_links_as_errors_the_previous_site_survives() {
    let book = copy_of(&fixture("links"));
    let broken_doc = fs::read_to_string(book.path().join(SERVICE)).unwrap();
    without_broken_links(book.path());
    broken_links_as_errors(book.path());
    let site = book.path().join("site");
    assert_eq!(build(book.path(), &site).status.code(), Some(0));
    let before = files_in(&site);

    fs::write(book.path().join(SERVICE), broken_doc).unwrap();
    let output = build(book.path(), &site);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let d = stderr(&output);
    assert_broken_links_reported(&d, "error");
    assert!(d.contains("5 error(s), 2 warning(s)"), "{d}");
    assert!(
        files_in(&site) == before,
        "a failed build leaves the previous site exactly as it was"
    );
    let check = opsbook(book.path(), &["check", "--today", TODAY]);
    assert_eq!(check.status.code(), Some(2), "`check` fails on them too");
}

#[test]
fn broken_links_fail_with_deny_warnings() {
    let book = copy_of(&fixture("links"));
    let site = book.path().join("site");
    let output = opsbook(
        book.path(),
        &[
            "build",
            "-o",
            site.to_str().unwrap(),
            "--today",
            TODAY,
            "--deny-warnings",
        ],
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(!site.exists(), "nothing is written");
}

#[test]
fn a_dead_anchor_written_in_markdown_stays_a_warning() {
    let book = copy_of(&fixture("links"));
    without_broken_links(book.path());
    let output = build(book.path(), &book.path().join("site"));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_reports(
        &stderr(&output),
        "services/checkout/runbooks/stuck-orders.md:5:42: warning[OB0504]: links to `#verify`",
    );
}

#[test]
fn a_dead_link_in_a_theme_override_stops_the_build() {
    let book = copy_of(&fixture("links"));
    without_broken_links(book.path());
    let site = book.path().join("site");
    assert_eq!(build(book.path(), &site).status.code(), Some(0));
    let before = files_in(&site);

    let templates = book.path().join("theme/templates");
    fs::create_dir_all(&templates).unwrap();
    fs::write(
        templates.join("gaps.html"),
        r#"{% extends "base.html" %}
{% block content %}<p><a href="{{ root }}home.html">Home</a>, <a href="{{ root }}checks/index.html#no-such-check">checks</a></p>{% endblock content %}
"#,
    )
    .unwrap();
    let output = build(book.path(), &site);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let d = stderr(&output);
    assert_reports(
        &d,
        "theme/templates/gaps.html: error[OB0903]: `gaps/index.html`, made by this template, links to `../home.html`, which is not among the site's files\n  help: fix the link in this template",
    );
    assert_reports(
        &d,
        "theme/templates/gaps.html: error[OB0903]: `gaps/index.html`, made by this template, links to `../checks/index.html#no-such-check`, but `checks/index.html` has no element with id `no-such-check`",
    );
    assert!(files_in(&site) == before, "the previous site is kept");
}

#[test]
fn the_404_page_resolves_its_links_from_the_site_url() {
    let book = copy_of(&fixture("links"));
    without_broken_links(book.path());
    let toml = fs::read_to_string(book.path().join("book.toml")).unwrap();
    fs::write(
        book.path().join("book.toml"),
        format!("{toml}\n[output]\nsite-url = \"/shop\"\n"),
    )
    .unwrap();
    let site = book.path().join("site");
    assert_eq!(build(book.path(), &site).status.code(), Some(0));
    // A server sends 404.html for a missing page at any depth, where relative links
    // (`index.html`, `assets/opsbook.css`) would lead nowhere: it links from the site's path.
    let page = fs::read_to_string(site.join("404.html")).unwrap();
    assert!(
        page.contains(r#"href="/shop/assets/opsbook.css""#),
        "{page}"
    );
    assert!(page.contains(r#"href="/shop/index.html""#), "{page}");
    let index = fs::read_to_string(site.join("index.html")).unwrap();
    assert!(
        index.contains(r#"href="assets/opsbook.css""#),
        "other pages stay relative"
    );
}
