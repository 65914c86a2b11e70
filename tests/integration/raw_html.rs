//! HTML written in service docs: sanitised by default (docs come from many repositories and
//! everyone opens the site), kept as written with `[output] allow-raw-html = true`; and
//! addresses in the front matter, which must be ones a page may link to.

use std::path::Path;

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

#[test]
fn a_script_address_in_the_front_matter_is_a_located_error() {
    let book = tempfile::tempdir().unwrap();
    let folder = book.path().join("services/sneaky");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("service.md"),
        "---\nservice: sneaky\nmonitoring:\n  dashboard: \"javascript:alert(1)\"\ntesting:\n  unit: \"data:text/html,hi\"\n  integration: true\nowner:\n  team: ops\n  oncall: https://oncall.example.com\n---\n# Sneaky\n",
    )
    .unwrap();
    let output = opsbook(book.path(), &["check", "--today", TODAY]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains("services/sneaky/service.md:4:14: error: `monitoring.dashboard` is a `javascript:` address, which no page links to"),
        "{message}"
    );
    assert!(
        message
            .contains("services/sneaky/service.md:6:9: error: `testing.unit` is a `data:` address"),
        "{message}"
    );
    assert_eq!(
        message.matches("error:").count(),
        2,
        "the https on-call is fine: {message}"
    );
}
