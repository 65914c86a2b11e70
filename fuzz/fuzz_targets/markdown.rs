//! A Markdown body: the facts the checklist and the link check read, the search index's plain
//! text, and rendering to HTML both sanitised and kept raw. Sanitised output must never keep a
//! `<script>` element, whatever the body says.

#![no_main]

use libfuzzer_sys::fuzz_target;
use opsbook::markdown::{self, Destination, RawHtml, Resolver};

/// Rewrites `.md` links as the site does, marks links to `.pdf` files as broken, and stands
/// in for drawn diagrams with markup the sanitiser would remove, to check drawings are put
/// back after sanitising, not before.
struct Site;

impl Resolver for Site {
    fn link(&self, destination: &str) -> Destination {
        if let Some(page) = destination.strip_suffix(".md") {
            Destination::Published(format!("{page}/index.html"))
        } else if destination.ends_with(".pdf") {
            Destination::Broken(format!("`{destination}` is not among the book's files"))
        } else {
            Destination::AsWritten
        }
    }

    fn diagram(&self, code: &str) -> String {
        format!("<svg class=\"drawn\"><title>{}</title></svg>", code.len())
    }
}

fuzz_target!(|bytes: &[u8]| {
    let Ok(body) = std::str::from_utf8(bytes) else {
        return;
    };
    let facts = markdown::analyze(body, 1);
    let _ = facts.title();
    let _ = markdown::plain_text(body);
    let _ = markdown::render(body, &Site, RawHtml::Keep);
    let sanitised = markdown::render(body, &Site, RawHtml::Sanitise);
    assert!(
        !sanitised.to_ascii_lowercase().contains("<script"),
        "a script survived sanitising: {sanitised}"
    );
    // At most once, not exactly: HTML after an unclosed `<script>` or `<style>` is that
    // element's content, which the sanitiser drops with everything in it, drawings included
    // (found by this target: tests/fixtures/fuzz/markdown-unclosed-script-before-dot.md).
    assert!(
        sanitised.matches("<svg class=\"drawn\">").count() <= facts.diagrams.len(),
        "a ```dot block is drawn more than once"
    );
});
