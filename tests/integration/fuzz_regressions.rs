//! Inputs the fuzz targets (fuzz/, scripts/fuzz) found trouble with, kept as files in
//! `tests/fixtures/fuzz/` and built through the binary as the body of a service doc.

use crate::harness::{TODAY, fixture, opsbook, stderr, write_file};

/// Builds a book of one service `found` whose body is the fixture `name`; its page.
fn page_of(name: &str) -> String {
    let body = std::fs::read_to_string(fixture("fuzz").join(name)).unwrap();
    let book = tempfile::tempdir().unwrap();
    write_file(
        &book.path().join("found/service.md"),
        &format!("---\nservice: found\n---\n{body}"),
    );
    let output = opsbook(book.path(), &["build", "-o", "site", "--today", TODAY]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    std::fs::read_to_string(book.path().join("site/services/found/index.html")).unwrap()
}

#[test]
fn an_unclosed_script_before_a_dot_block_is_dropped_with_it() {
    // `#<script>` then an unclosed ```dot block: the sanitiser reads everything after the
    // `<script>` as its content and drops it, the drawing's placeholder included. The fuzz
    // target expected the drawing to survive; what matters is that no script does, and no
    // placeholder is left on the page.
    let page = page_of("markdown-unclosed-script-before-dot.md");
    let doc = &page[page
        .find("class=\"doc-section")
        .expect("the doc is on the page")..];
    assert!(!doc.contains("<script"), "{doc}");
    assert!(!doc.contains("opsbook-diagram-"), "{doc}");
    assert!(doc.contains("<p>#</p>"), "{doc}");
}
