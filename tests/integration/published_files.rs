//! Files beside the docs that the site publishes: an SVG is a document on the site's origin
//! when opened on its own, so what could run script or load other files is taken out of it
//! (or the file is refused), with a warning at the file.

use std::io::Write;
use std::path::Path;

use crate::harness::{TODAY, opsbook, stderr, write_file};

/// The attack of issue 22: a handler on the root and a script inside.
pub const EVIL: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"document.title='pwned'\">\n  <rect width=\"20\" height=\"20\" fill=\"teal\"/>\n  <script>document.title='pwned'</script>\n</svg>\n";

/// An image as drawing programs save it: gradients, a symbol used twice, a style sheet and
/// text; nothing in it may be lost.
pub const DRAWING: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="240" height="120" viewBox="0 0 240 120">
  <defs>
    <linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#4a90d9"/>
      <stop offset="1" stop-color="#1f5fbf"/>
    </linearGradient>
    <symbol id="box" viewBox="0 0 10 10"><rect width="10" height="10" rx="2"/></symbol>
    <style>.label { font: bold 16px sans-serif; fill: #fff } g > .box { fill: #f5e1cd }</style>
  </defs>
  <rect width="240" height="120" fill="url(#sky)"/>
  <g transform="translate(20 20)">
    <use href="#box" class="box" width="40" height="40"/>
    <use xlink:href="#box" class="box" x="60" width="40" height="40"/>
  </g>
  <text x="20" y="100" class="label">p99 &lt; 300 ms</text>
</svg>
"##;

/// A book whose service `a` links each of `files` from its doc.
pub fn book_with(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let book = tempfile::tempdir().unwrap();
    let folder = book.path().join("services/a");
    let links: String = files
        .iter()
        .map(|(name, _)| format!("[{name}]({name})\n\n"))
        .collect();
    write_file(
        &folder.join("service.md"),
        &format!("---\nservice: a\n---\n# a\n\n{links}"),
    );
    for (name, bytes) in files {
        std::fs::write(folder.join(name), bytes).unwrap();
    }
    book
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn gunzip(bytes: &[u8]) -> String {
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(bytes), &mut text).unwrap();
    text
}

fn build(book: &Path) -> String {
    let built = opsbook(book, &["build", "-o", "site", "--today", TODAY]);
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    stderr(&built)
}

#[test]
fn a_script_in_a_published_svg_is_removed_in_any_case_of_its_name_with_a_located_warning() {
    let book = book_with(&[
        ("evil.svg", EVIL.as_bytes()),
        ("EVIL2.SVG", EVIL.as_bytes()),
        ("evil3.svgz", &gzip(EVIL.as_bytes())),
    ]);
    let warnings = build(book.path());
    let site = book.path().join("site/services/a");
    let published = [
        std::fs::read_to_string(site.join("evil.svg")).unwrap(),
        std::fs::read_to_string(site.join("EVIL2.SVG")).unwrap(),
        gunzip(&std::fs::read(site.join("evil3.svgz")).unwrap()),
    ];
    for svg in published {
        assert!(!svg.contains("pwned") && !svg.contains("onload"), "{svg}");
        roxmltree::Document::parse(&svg).expect("the published image is well-formed");
        assert!(
            svg.contains(r#"<rect width="20" height="20" fill="teal"/>"#),
            "{svg}"
        );
    }
    for file in ["evil.svg", "EVIL2.SVG", "evil3.svgz"] {
        for (at, what) in [
            (
                "1:1",
                "the `onload` attribute was removed from the published image: an event handler is a script",
            ),
            (
                "3:3",
                "`<script>` was removed from the published image: a script in an SVG runs on the site's origin when the image is opened",
            ),
        ] {
            let expected = format!("services/a/{file}:{at}: warning[OB0702]: {what}");
            assert!(
                warnings.contains(&expected),
                "no `{expected}` in:\n{warnings}"
            );
        }
    }
}

#[test]
fn a_drawing_with_gradients_symbols_styles_and_text_is_published_whole_and_silently() {
    let book = book_with(&[("drawing.svg", DRAWING.as_bytes())]);
    let warnings = build(book.path());
    assert!(!warnings.contains("drawing.svg"), "{warnings}");
    let svg = std::fs::read_to_string(book.path().join("site/services/a/drawing.svg")).unwrap();
    let document = roxmltree::Document::parse(&svg).unwrap();
    let names: Vec<&str> = document
        .descendants()
        .filter(|n| n.is_element())
        .map(|n| n.tag_name().name())
        .collect();
    assert_eq!(
        names,
        [
            "svg",
            "defs",
            "linearGradient",
            "stop",
            "stop",
            "symbol",
            "rect",
            "style",
            "rect",
            "g",
            "use",
            "use",
            "text"
        ]
    );
    assert!(svg.contains(r##"<use href="#box""##) && svg.contains(r##"<use xlink:href="#box""##));
    assert!(svg.contains("p99 &lt; 300 ms") && svg.contains("g &gt; .box"));
}

#[test]
fn an_svg_that_cannot_be_made_safe_is_refused_with_a_located_warning() {
    let bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE svg [<!ENTITY a \"aaaaaaaaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><text>&b;</text></svg>\n";
    let book = book_with(&[("bomb.svg", bomb.as_bytes())]);
    let built = opsbook(book.path(), &["build", "-o", "site", "--today", TODAY]);
    let warnings = stderr(&built);
    assert!(
        warnings.contains("services/a/bomb.svg:2:1: warning[OB0703]: this SVG image is not published: the image declares entities in its DOCTYPE"),
        "{warnings}"
    );
    assert!(!book.path().join("site/services/a/bomb.svg").exists());
}
