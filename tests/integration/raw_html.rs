//! HTML written in service docs: sanitised by default (docs come from many repositories and
//! everyone opens the site), kept as written with `[output] allow-raw-html = true`; and
//! addresses in the front matter, which must be ones a page may link to.

use std::path::Path;

use crate::book::Book;
use crate::harness::{TODAY, opsbook, stderr};

const HOSTILE: &str = r#"---
service: hostile
---
# Hostile

<script>alert("script")</script>

<img src="https://example.com/d.png" onerror="alert('handler')">

[a link](javascript:alert('link')) and [another](  JaVaScRiPt:alert('case'))

<a href="data:text/html,<script>alert('data')</script>">data</a>

<iframe src="https://evil.example/"></iframe>

<details><summary>More</summary>kept as it is</details>

| left | right |
|:-----|------:|
| a    | b     |

```dot
digraph { a -> b }
```
"#;

fn book(allow_raw_html: bool) -> tempfile::TempDir {
    let book = tempfile::tempdir().unwrap();
    let folder = book.path().join("services/hostile");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("service.md"), HOSTILE).unwrap();
    let toml = format!("[book]\nsrc = \"services\"\n[output]\nallow-raw-html = {allow_raw_html}\n");
    std::fs::write(book.path().join("book.toml"), toml).unwrap();
    book
}

/// The rendered doc of the service page.
fn rendered_doc(book: &Path) -> String {
    let built = opsbook(book, &["build", "-o", "site", "--today", TODAY]);
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    let page = std::fs::read_to_string(book.join("site/services/hostile/index.html")).unwrap();
    let start = page
        .find("class=\"doc-section")
        .expect("the doc is on the page");
    page[start..].to_string()
}

#[test]
fn scripts_handlers_and_dangerous_urls_never_reach_the_page() {
    let book = book(false);
    let doc = rendered_doc(book.path());
    for banned in [
        "<script",
        "onerror",
        "javascript:",
        "JaVaScRiPt",
        "data:text",
        "<iframe",
        "alert(",
    ] {
        assert!(
            !doc.to_lowercase().contains(&banned.to_lowercase()),
            "{banned} survived:\n{doc}"
        );
    }
    assert!(doc.contains("<details><summary>More</summary>kept as it is</details>"));
    assert!(
        doc.contains("<img src=\"https://example.com/d.png\">"),
        "the image stays, without its handler"
    );
    assert!(
        doc.contains("style=\"text-align: right\""),
        "table alignment stays"
    );
    assert!(
        doc.contains("<svg"),
        "opsbook's own diagram is not sanitised away"
    );
    assert!(doc.contains("id=\"hostile\""), "heading anchors stay");
}

#[test]
fn a_book_that_trusts_its_authors_keeps_their_html() {
    let book = book(true);
    let doc = rendered_doc(book.path());
    assert!(doc.contains(r#"<script>alert("script")</script>"#), "{doc}");
    assert!(doc.contains("onerror"));
}

/// The warnings a build of `book` prints about `<script>` and `<style>` elements.
fn hidden_element_warnings(book: &Path) -> Vec<String> {
    let built = opsbook(book, &["build", "-o", "site", "--today", TODAY]);
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    let message = stderr(&built);
    let lines: Vec<&str> = message.lines().collect();
    lines
        .windows(2)
        .filter(|pair| pair[0].contains("warning[OB0506]: `<"))
        .map(|pair| pair.join("\n"))
        .collect()
}

#[test]
fn the_author_is_told_what_the_page_leaves_out() {
    // The `<script>` inside the `data:` link's address is an attribute value, not an element.
    let book = book(false);
    assert_eq!(
        hidden_element_warnings(book.path()),
        [
            "services/hostile/service.md:6:1: warning[OB0506]: `<script>` is left out of the page: the site shows no script elements from docs\n  help: remove it; a book that trusts every author can keep raw HTML with `allow-raw-html = true` under `[output]` in book.toml"
        ]
    );
}

#[test]
fn an_unclosed_script_is_a_warning_whether_or_not_html_is_kept() {
    // Everything after an unclosed `<script>` is script to an HTML parser: the sanitiser
    // drops it, and a browser would run it rather than show it.
    for (allow_raw_html, consequence, help) in [
        (
            false,
            "the page leaves it out with everything after it, to the end of the doc",
            "remove it (the site shows no script elements from docs), or at least close it with `</script>`",
        ),
        (
            true,
            "browsers read everything after it, to the end of the doc, as script and show none of it",
            "close it with `</script>`",
        ),
    ] {
        let book = book(allow_raw_html);
        let doc = book.path().join("services/hostile/service.md");
        let text = std::fs::read_to_string(&doc).unwrap();
        std::fs::write(
            &doc,
            format!("{text}\nSee <script src=\"https://cdn.example.com/x.js\">\n\n## Rollback\n"),
        )
        .unwrap();
        let warnings = hidden_element_warnings(book.path());
        let unclosed = format!(
            "services/hostile/service.md:26:5: warning[OB0506]: `<script>` is never closed: {consequence}\n  help: {help}"
        );
        assert_eq!(
            warnings.last(),
            Some(&unclosed),
            "allow-raw-html = {allow_raw_html}"
        );
        assert_eq!(warnings.len(), if allow_raw_html { 1 } else { 2 });
    }
}

#[test]
fn a_script_address_in_the_front_matter_is_a_located_error() {
    let run = Book::new()
        .file(
            "services/sneaky/service.md",
            "---\nservice: sneaky\nmonitoring:\n  dashboard: \"javascript:alert(1)\"\ntesting:\n  unit: \"data:text/html,hi\"\n  integration: true\nowner:\n  team: ops\n  oncall: https://oncall.example.com\n---\n# Sneaky\n",
        )
        .check()
        .exits(2)
        .stderr_has("services/sneaky/service.md:4:14: error[OB0307]: `monitoring.dashboard` is a `javascript:` address, which no page links to")
        .stderr_has("services/sneaky/service.md:6:9: error[OB0307]: `testing.unit` is a `data:` address");
    let message = run.stderr();
    assert_eq!(
        message.matches("error[").count(),
        2,
        "the https on-call is fine: {message}"
    );
}
