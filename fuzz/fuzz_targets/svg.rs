//! An image published from the sources, through the SVG sanitiser. What it publishes must be
//! well-formed XML (read back by another parser, roxmltree) with no element or attribute that
//! runs script, and sanitising it again must change nothing: a second pass that still finds
//! something to remove means the first left it in.

#![no_main]

use libfuzzer_sys::fuzz_target;
use opsbook::asset_policy::svg;

/// Elements that run script or embed HTML wherever they are.
const ACTIVE: &[&str] = &["script", "foreignObject", "handler", "listener", "iframe"];

/// Attributes whose value is CSS that can name another file with `url()`.
const CSS_VALUED: &[&str] = &[
    "style",
    "fill",
    "stroke",
    "filter",
    "clip-path",
    "mask",
    "marker-start",
    "marker-mid",
    "marker-end",
    "cursor",
];

/// Elements that set another attribute of their parent over time.
const ANIMATIONS: &[&str] = &["set", "animate", "animateMotion", "animateTransform"];

/// Whether CSS in `value` calls `url()` on an address other than `#id`. A `url(` that follows
/// a name character (in CSS any letter, digit or non-ASCII character), `#` or `@` is part of
/// a name (`#4a90durl(` is a colour, `3\u{34c}url(` a dimension), not a function.
fn loads_from_afar(css: &str) -> bool {
    let value = outside_strings_and_comments(css);
    value.match_indices("url(").any(|(at, _)| {
        let function = value[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_ascii_alphanumeric() || !c.is_ascii() || "-_\\#@".contains(c)));
        let target =
            value[at + 4..].trim_start_matches(|c: char| c <= ' ' || c == '"' || c == '\'');
        function && !target.starts_with('#')
    })
}

/// CSS without its strings (but the address in `url("...")`) and comments, where `url(` is
/// only text.
fn outside_strings_and_comments(css: &str) -> String {
    let mut outside = String::new();
    let mut chars = css.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // An escaped character is part of a name, never the start of a string.
            '\\' => {
                outside.push(c);
                outside.extend(chars.next());
            }
            '"' | '\'' => {
                // A string right after `url(` is its address. Only where it points is kept
                // (`#` or elsewhere): its text could hold `url(` again, and an unclosed string
                // runs to the end of the CSS, as it does in a browser.
                let address = outside.trim_end().ends_with("url(");
                let mut string = String::new();
                while let Some(inner) = chars.next() {
                    match inner {
                        '\\' => {
                            chars.next();
                        }
                        '\n' => break,
                        _ if inner == c => break,
                        _ => string.push(inner),
                    }
                }
                if address {
                    // A URL parser drops leading spaces and control characters.
                    let target = string.trim_start_matches(|c: char| c <= ' ');
                    outside.push_str(if target.starts_with('#') {
                        "#"
                    } else {
                        "elsewhere"
                    });
                }
                outside.push(' ');
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for inner in chars.by_ref() {
                    if last == '*' && inner == '/' {
                        break;
                    }
                    last = inner;
                }
                outside.push(' ');
            }
            _ => outside.push(c),
        }
    }
    outside
}

fn check_published(bytes: &[u8]) {
    let text = std::str::from_utf8(bytes).expect("a published SVG is UTF-8");
    let document = roxmltree::Document::parse_with_options(
        text,
        roxmltree::ParsingOptions {
            allow_dtd: false,
            ..Default::default()
        },
    )
    .unwrap_or_else(|error| panic!("a published SVG is well-formed: {error}\n{text}"));
    for node in document.descendants().filter(|n| n.is_element()) {
        let name = node.tag_name().name();
        assert!(
            !ACTIVE.iter().any(|a| a.eq_ignore_ascii_case(name)),
            "<{name}> published\n{text}"
        );
        if name == "style" {
            let css = node.text().unwrap_or_default().to_ascii_lowercase();
            assert!(
                !loads_from_afar(&css) && !outside_strings_and_comments(&css).contains("@import"),
                "<style>{css}</style> published\n{text}"
            );
        }
        if ANIMATIONS.contains(&name) {
            let target = node.attribute("attributeName").unwrap_or_default();
            let local = target.rsplit(':').next().unwrap_or_default().trim();
            // `on` alone names no event handler: an attribute needs more after the `on`.
            let handler = local.len() > 2 && local.to_ascii_lowercase().starts_with("on");
            assert!(
                !(local == "href" || local == "style" || handler),
                "<{name} attributeName=\"{target}\"> published\n{text}"
            );
        }
        for attribute in node.attributes() {
            let attribute_name = attribute.name().to_ascii_lowercase();
            assert!(
                !attribute_name.starts_with("on"),
                "{attribute_name} published\n{text}"
            );
            let value = attribute.value().to_ascii_lowercase();
            // What a browser reads as the scheme: control characters and spaces dropped.
            let scheme: String = value
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect();
            assert!(
                !(attribute_name == "href" && scheme.starts_with("javascript:"))
                    && !(CSS_VALUED.contains(&attribute_name.as_str()) && loads_from_afar(&value)),
                "{attribute_name}=\"{value}\" published\n{text}"
            );
        }
    }
}

fuzz_target!(|bytes: &[u8]| {
    let Ok(first) = svg::sanitise(bytes) else {
        return;
    };
    check_published(&first.bytes);
    let second = svg::sanitise(&first.bytes).expect("a published SVG is accepted again");
    assert!(
        second.removed.is_empty(),
        "a second pass removed {:?}",
        second.removed
    );
    assert_eq!(second.bytes, first.bytes, "a second pass changed the image");
});
