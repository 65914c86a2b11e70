//! Inputs the fuzz targets (fuzz/, scripts/fuzz) found trouble with, kept as files in
//! `tests/fixtures/fuzz/` and built through the binary as the body of a service doc.

use crate::harness::{TODAY, fixture, opsbook, opsbook_within, stderr, write_file};

/// Builds a book of one service `found` whose body is the fixture `name`; its page and what
/// the build printed.
fn page_of(name: &str) -> (String, String) {
    let body = std::fs::read_to_string(fixture("fuzz").join(name)).unwrap();
    let book = tempfile::tempdir().unwrap();
    write_file(
        &book.path().join("found/service.md"),
        &format!("---\nservice: found\n---\n{body}"),
    );
    let output = opsbook(book.path(), &["build", "-o", "site", "--today", TODAY]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let page = std::fs::read_to_string(book.path().join("site/services/found/index.html")).unwrap();
    (page, stderr(&output))
}

#[test]
fn an_unclosed_script_before_a_dot_block_is_dropped_with_it() {
    // `#<script>` then an unclosed ```dot block: the sanitiser reads everything after the
    // `<script>` as its content and drops it, the drawing's placeholder included. The fuzz
    // target expected the drawing to survive; what matters is that no script does, and no
    // placeholder is left on the page. The author is told, at the `<script>`.
    let (page, message) = page_of("markdown-unclosed-script-before-dot.md");
    assert!(
        message.contains("found/service.md:4:2: warning[OB0506]: `<script>` is never closed: the page leaves it out with everything after it, to the end of the doc\n"),
        "{message}"
    );
    let doc = &page[page
        .find("class=\"doc-section")
        .expect("the doc is on the page")..];
    assert!(!doc.contains("<script"), "{doc}");
    assert!(!doc.contains("opsbook-diagram-"), "{doc}");
    assert!(doc.contains("<p>#</p>"), "{doc}");
}

#[test]
fn small_dot_blocks_of_tangled_chains_draw_in_a_blink() {
    // Three ~1 KB blocks of `--` and `->` chains over repeated names took 7 to 12 s each in a
    // debug build: layout-rs re-checked the whole graph for cycles after every edge, with a
    // search that walks every path. opsbook turns that check off (it lowers the graph itself
    // first); all three now draw within a few seconds of CPU time.
    let book = tempfile::tempdir().unwrap();
    let names = ["dot-07e51c587a35", "dot-d57ce5c4a78d", "dot-dd64cc4a71d1"];
    for name in names {
        let block = std::fs::read_to_string(fixture("fuzz").join(format!("{name}.dot"))).unwrap();
        write_file(
            &book.path().join(format!("{name}/service.md")),
            &format!("---\nservice: {name}\n---\n# Drawn\n\n```dot\n{block}\n```\n"),
        );
    }
    let output = opsbook_within(5, book.path(), &["build", "-o", "site", "--today", TODAY]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        !stderr(&output).contains("shown as code"),
        "{}",
        stderr(&output)
    );
    for name in names {
        let page =
            std::fs::read_to_string(book.path().join(format!("site/services/{name}/index.html")))
                .unwrap();
        assert!(page.contains("class=\"diagram dot\""), "{name} is drawn");
    }
}
