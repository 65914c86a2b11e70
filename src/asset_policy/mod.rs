//! Asset policy: the one place that decides how a file from the sources (an image beside a
//! doc, any file a doc links to) may be published, by its name and its bytes.
//!
//! A published file is served from the site's origin: one a browser runs script from would
//! run it there, with the reader's access to everything the site can do. So each file is:
//! - published as it is, when browsers only display it (raster images, PDFs, text, data);
//! - rewritten, when it is an SVG image (`.svg`, `.svgz`, in any case): see [`svg`]; what was
//!   removed is a warning at the file;
//! - refused, with a warning at the file, when browsers run script from it (HTML, XHTML, XML,
//!   XSLT, JavaScript), or when its name says nothing and its bytes look like markup a
//!   browser would sniff as a page.
//!
//! HTML files are refused rather than sanitised: a sanitised page keeps little of what made it
//! worth publishing (its scripts and styles), and the sanitiser would meet untrusted markup of
//! up to 10 MB outside the Markdown it was tuned for.

mod css;
pub mod svg;
mod svg_names;

use std::io::{Read, Write};
use std::path::Path;

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;

use crate::diag::{Code, Diagnostic, Diagnostics, Position};
use crate::source::MAX_FILE_BYTES;

/// What happens to a file, by its name (and for unknown names, its first bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Treatment {
    AsIs,
    Svg,
    /// Gzip-compressed SVG: uncompressed, rewritten and compressed again.
    Svgz,
    /// Browsers run script from it: not published, for this reason.
    Refuse(&'static str),
}

/// Extensions of files browsers display without running anything in them.
const PASSIVE: &[&str] = &[
    "avif", "bmp", "csv", "gif", "ico", "jpeg", "jpg", "json", "log", "md", "pdf", "png", "tif",
    "tiff", "toml", "tsv", "txt", "webp", "yaml", "yml",
];

/// Extensions of files a browser runs script from, each with why.
const SCRIPTABLE: &[(&[&str], &str)] = &[
    (
        &["htm", "html", "mht", "mhtml", "shtml", "xht", "xhtml"],
        "an HTML page runs its scripts on the site's origin",
    ),
    (
        &[
            "atom", "mml", "rdf", "rss", "xml", "xsd", "xsl", "xslt", "xul",
        ],
        "an XML file can carry HTML or an XSLT style sheet, whose scripts run on the site's origin",
    ),
    (
        &["cjs", "htc", "hta", "js", "mjs", "swf"],
        "a script on the site's origin could be loaded by any page of it",
    ),
];

/// What happens to the file named `name` (a path or a file name) holding `bytes`.
pub(crate) fn treatment(name: &str, bytes: &[u8]) -> Treatment {
    let file_name = name.rsplit('/').next().unwrap_or(name);
    let extension = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "svg" => return Treatment::Svg,
        "svgz" => return Treatment::Svgz,
        e if PASSIVE.contains(&e) => return Treatment::AsIs,
        _ => {}
    }
    if let Some((_, why)) = SCRIPTABLE
        .iter()
        .find(|(e, _)| e.contains(&extension.as_str()))
    {
        return Treatment::Refuse(why);
    }
    if looks_like_markup(bytes) {
        Treatment::Refuse(
            "its name does not say what it is, and browsers that sniff it would take it for an HTML page",
        )
    } else {
        Treatment::AsIs
    }
}

/// Served with no type a browser knows, a file is sniffed: one starting with markup may be
/// shown as a page. Any `<` first (after a byte-order mark and white space) counts.
fn looks_like_markup(bytes: &[u8]) -> bool {
    without_bom(bytes)
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'<')
}

/// The bytes to publish for the file `name` read from `path`, or `None` when it must not be
/// published. What was changed, or why it was refused, is a warning at the file.
pub(crate) fn admit(
    path: &Path,
    name: &str,
    bytes: &[u8],
    diagnostics: &mut Diagnostics,
) -> Option<Vec<u8>> {
    match treatment(name, bytes) {
        Treatment::AsIs => Some(bytes.to_vec()),
        Treatment::Svg => publish_svg(path, bytes, diagnostics),
        Treatment::Svgz => {
            let svg = match gunzip(bytes) {
                Ok(svg) => svg,
                Err(message) => {
                    diagnostics.push(refused(path, message, None));
                    return None;
                }
            };
            let sanitised = publish_svg(path, &svg, diagnostics)?;
            let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
            // Writing to memory fails only if memory runs out.
            encoder.write_all(&sanitised).ok()?;
            encoder.finish().ok()
        }
        Treatment::Refuse(why) => {
            diagnostics.push(
                Diagnostic::warning(Code::FileNotPublished, path, format!("this file is not published: {why}"))
                    .with_help("link to where it is published already, or convert it (to Markdown, PDF or an image)"),
            );
            None
        }
    }
}

/// The SVG rewritten safe, with a warning for each kind of thing removed; `None` (and a
/// warning) when it cannot be.
fn publish_svg(path: &Path, bytes: &[u8], diagnostics: &mut Diagnostics) -> Option<Vec<u8>> {
    let at = |offset: usize| position(bytes, offset);
    match svg::sanitise(bytes) {
        Ok(sanitised) => {
            for (removed, others) in first_of_each(&sanitised.removed) {
                let more = match others {
                    0 => String::new(),
                    n => format!(" (and {n} more like it)"),
                };
                diagnostics.push(
                    Diagnostic::warning(Code::SvgCleaned,
                        path,
                        format!(
                            "{} was removed from the published image{more}: {}",
                            removed.what,
                            removed.why.reason()
                        ),
                    )
                    .at(at(removed.offset))
                    .with_help("the rest of the image is published; take this out of the file to publish it unchanged"),
                );
            }
            Some(sanitised.bytes)
        }
        Err(refusal) => {
            diagnostics.push(refused(path, refusal.message, refusal.offset.map(at)));
            None
        }
    }
}

fn refused(path: &Path, message: String, at: Option<Position>) -> Diagnostic {
    Diagnostic::warning(
        Code::SvgRefused,
        path,
        format!("this SVG image is not published: {message}"),
    )
    .at_opt(at)
    .with_help("save it again from a drawing program as plain SVG, or export it as PNG")
}

/// The first removal of each kind, with how many others of its kind there were: a thousand
/// handlers make one warning, at the first, so a file gives a handful of warnings at most.
fn first_of_each(removed: &[svg::Removed]) -> Vec<(&svg::Removed, usize)> {
    let mut kinds: Vec<(&svg::Removed, usize)> = Vec::new();
    for removal in removed {
        match kinds.iter_mut().find(|(first, _)| first.why == removal.why) {
            Some((_, others)) => *others += 1,
            None => kinds.push((removal, 0)),
        }
    }
    kinds
}

/// The line and column of `offset`, counted (as the sanitiser counts) after any byte-order mark.
fn position(bytes: &[u8], offset: usize) -> Position {
    let text = String::from_utf8_lossy(without_bom(bytes));
    Position::of_offset(&text, offset)
}

/// The bytes after a UTF-8 byte-order mark, which editors on Windows write first.
fn without_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// The SVG inside a gzip file, no larger than any file opsbook reads: a few kilobytes can
/// hold gigabytes of zeros (a gzip bomb).
fn gunzip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut svg = Vec::new();
    GzDecoder::new(bytes)
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut svg)
        .map_err(|error| format!("it is not a gzip-compressed SVG: {error}"))?;
    if svg.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "uncompressed it is more than {} MB, the most opsbook reads of a file",
            MAX_FILE_BYTES / 1_000_000
        ));
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_is_rewritten_in_any_case_of_its_name() {
        for name in ["a.svg", "dir/A.SVG", "b.Svg"] {
            assert_eq!(treatment(name, b"<svg/>"), Treatment::Svg, "{name}");
        }
        assert_eq!(treatment("c.SVGZ", b"\x1f\x8b"), Treatment::Svgz);
    }

    #[test]
    fn pages_and_scripts_are_refused_whatever_their_bytes() {
        for name in [
            "r.html", "r.HTM", "x.xhtml", "feed.xml", "t.xsl", "a.js", "p.mhtml",
        ] {
            assert!(
                matches!(treatment(name, b"hello"), Treatment::Refuse(_)),
                "{name}"
            );
        }
    }

    #[test]
    fn unknown_names_are_refused_only_when_they_look_like_markup() {
        assert!(matches!(
            treatment("notes", b"\xEF\xBB\xBF \n<!doctype html><script>"),
            Treatment::Refuse(_)
        ));
        assert_eq!(treatment("archive.bin", b"\x00\x01<"), Treatment::AsIs);
        // A known type is displayed as that type, whatever it holds.
        assert_eq!(treatment("x.png", b"<script>"), Treatment::AsIs);
        assert_eq!(treatment("x.txt", b"<script>"), Treatment::AsIs);
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn svgz_is_uncompressed_cleaned_and_compressed_again() {
        let evil = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><rect width="1"/></svg>"#;
        let mut diagnostics = Diagnostics::new();
        let published = admit(
            Path::new("a/evil.svgz"),
            "evil.svgz",
            &gzip(evil),
            &mut diagnostics,
        )
        .unwrap();
        let svg = gunzip(&published).unwrap();
        let svg = String::from_utf8(svg).unwrap();
        assert!(svg.contains("<rect") && !svg.contains("alert"), "{svg}");
        assert_eq!(
            diagnostics
                .sorted()
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            [
                "a/evil.svgz:1:41: warning[OB0702]: `<script>` was removed from the published image: a script in an SVG runs on the site's origin when the image is opened\n  help: the rest of the image is published; take this out of the file to publish it unchanged"
            ]
        );
    }

    #[test]
    fn a_gzip_bomb_is_refused_without_being_uncompressed_whole() {
        let zeros = vec![b' '; MAX_FILE_BYTES as usize + 10];
        let mut diagnostics = Diagnostics::new();
        let bomb = gzip(&zeros);
        assert!(bomb.len() < 100_000);
        assert_eq!(
            admit(Path::new("b.svgz"), "b.svgz", &bomb, &mut diagnostics),
            None
        );
        let warning = diagnostics.sorted()[0].to_string();
        assert!(
            warning.contains("uncompressed it is more than 10 MB"),
            "{warning}"
        );
        assert_eq!(
            admit(Path::new("c.svgz"), "c.svgz", b"<svg/>", &mut diagnostics),
            None
        );
    }

    #[test]
    fn a_byte_order_mark_neither_stops_an_image_nor_shifts_its_positions() {
        let svg = "\u{FEFF}<svg xmlns=\"http://www.w3.org/2000/svg\">\n  <script/>\n</svg>";
        let mut diagnostics = Diagnostics::new();
        admit(
            Path::new("e.svg"),
            "e.svg",
            svg.as_bytes(),
            &mut diagnostics,
        )
        .unwrap();
        assert_eq!(diagnostics.sorted()[0].location(), "e.svg:2:3");
    }

    #[test]
    fn many_of_one_attack_make_one_warning_at_the_first() {
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\">\n<g onclick=\"a()\"/>\n<g onclick=\"b()\"/>\n</svg>";
        let mut diagnostics = Diagnostics::new();
        admit(
            Path::new("d.svg"),
            "d.svg",
            svg.as_bytes(),
            &mut diagnostics,
        )
        .unwrap();
        let warnings: Vec<String> = diagnostics.sorted().iter().map(|d| d.location()).collect();
        assert_eq!(warnings, ["d.svg:2:1"]);
    }
}
