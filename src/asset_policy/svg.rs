//! SVG images, rewritten to what draws: an SVG opened on its own (a link to it, or its
//! address typed) is a document on the site's origin, and its scripts would run there.
//!
//! The image is read with quick-xml and written out again keeping only the elements and
//! attributes of `svg_names`: shapes, text, gradients, filters, `<use href="#id">`, styles
//! that refer only to the image itself. Everything else is removed, and each removal that
//! could change what a browser does is reported. Markup of other tools (Inkscape's
//! `sodipodi:`, RDF metadata), comments and the DOCTYPE are dropped without a word: browsers
//! ignore them. A file that is not well-formed UTF-8 XML, or that declares entities (a
//! DOCTYPE with an internal subset: entity bombs, and markup a sanitiser cannot see), is
//! refused whole.

use quick_xml::XmlVersion;
use quick_xml::escape::{escape, resolve_predefined_entity};
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use super::css;
use super::svg_names::{ATTRIBUTES, CSS_VALUED, ELEMENTS, SCRIPTS};

const SVG: &[u8] = b"http://www.w3.org/2000/svg";
const XLINK: &[u8] = b"http://www.w3.org/1999/xlink";
const XML: &[u8] = b"http://www.w3.org/XML/1998/namespace";
/// Elements of these namespaces get HTML's behaviour even inside SVG: `<html:script>` runs,
/// `<html:iframe>` loads.
const HTML_LIKE: &[&[u8]] = &[
    b"http://www.w3.org/1999/xhtml",
    b"http://www.w3.org/1998/Math/MathML",
];

/// The image as published, and what was taken out of it.
#[derive(Debug)]
pub struct Sanitised {
    pub bytes: Vec<u8>,
    pub removed: Vec<Removed>,
}

/// One thing taken out of an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removed {
    /// What it was, as written: "`<script>`", "the `onload` attribute".
    pub(crate) what: String,
    pub(crate) why: Why,
    /// Byte offset of the element it was in.
    pub(crate) offset: usize,
}

/// Why something was removed from an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Why {
    Script,
    Handler,
    Html,
    Reference,
    Css,
    Animation,
    Stylesheet,
    Unknown,
}

impl Why {
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Why::Script => "a script in an SVG runs on the site's origin when the image is opened",
            Why::Handler => "an event handler is a script",
            Why::Html => "HTML inside an SVG can run script and load pages",
            Why::Reference => {
                "it refers to another file or address, which could load a script or change after publishing"
            }
            Why::Css => "this CSS loads another file or is not known to be safe",
            Why::Animation => "an animation of a link or handler can turn it into a script",
            Why::Stylesheet => "a style sheet or XSLT from another file can run script",
            Why::Unknown => "opsbook publishes only SVG it knows to be safe",
        }
    }
}

/// Why a whole image is not published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub(crate) message: String,
    /// Byte offset it was found at, when there is one.
    pub(crate) offset: Option<usize>,
}

impl Refusal {
    fn at(offset: usize, message: impl Into<String>) -> Self {
        Refusal {
            message: message.into(),
            offset: Some(offset),
        }
    }
}

/// `bytes` rewritten as a safe SVG image, or why it cannot be.
pub fn sanitise(bytes: &[u8]) -> Result<Sanitised, Refusal> {
    let text = std::str::from_utf8(super::without_bom(bytes)).map_err(|error| {
        Refusal::at(
            error.valid_up_to(),
            "the image is not UTF-8 text (save it as UTF-8)",
        )
    })?;
    if let Some((offset, c)) = text.char_indices().find(|(_, c)| !is_xml_char(*c)) {
        return Err(Refusal::at(
            offset,
            format!(
                "the image holds the character U+{:04X}, which XML does not allow",
                c as u32
            ),
        ));
    }
    let mut sanitiser = Sanitiser::default();
    let mut reader = NsReader::from_str(text);
    loop {
        let offset = reader.buffer_position() as usize;
        let (namespace, event) = match reader.read_resolved_event() {
            Ok((namespace, event)) => (Namespace::of(namespace), event),
            Err(error) => {
                let message = format!("the image is not well-formed XML: {error}");
                return Err(Refusal::at(reader.error_position() as usize, message));
            }
        };
        match event {
            Event::Start(element) => {
                sanitiser.start(&reader, namespace, &element, offset, false)?;
            }
            Event::Empty(element) => sanitiser.start(&reader, namespace, &element, offset, true)?,
            Event::End(_) => sanitiser.end(),
            Event::Text(text) => sanitiser.text(&text.xml10_content().unwrap_or_default()),
            Event::CData(data) => sanitiser.text(&data.xml10_content().unwrap_or_default()),
            Event::GeneralRef(reference) => sanitiser.text(&resolve(&reference, offset)?),
            Event::DocType(doctype) if doctype.contains(&b'[') => {
                return Err(Refusal::at(
                    offset,
                    "the image declares entities in its DOCTYPE, which can expand without bound (an entity bomb) or hide markup",
                ));
            }
            Event::PI(instruction) => {
                if instruction.target().eq_ignore_ascii_case(b"xml-stylesheet") {
                    sanitiser.remove(offset, "`<?xml-stylesheet?>`", Why::Stylesheet);
                }
            }
            Event::Decl(_) | Event::Comment(_) | Event::DocType(_) => {}
            Event::Eof => break,
        }
    }
    sanitiser.finish()
}

/// The text of `&name;` or `&#n;`. No DOCTYPE declares entities (one that does is refused),
/// so only XML's own five exist.
fn resolve(reference: &BytesRef, offset: usize) -> Result<String, Refusal> {
    let name = reference.decode().unwrap_or_default();
    if reference.is_char_ref() {
        return match reference.resolve_char_ref() {
            Ok(Some(c)) if is_xml_char(c) => Ok(c.to_string()),
            _ => Err(Refusal::at(
                offset,
                format!("`&{name};` is not a character XML allows"),
            )),
        };
    }
    resolve_predefined_entity(&name)
        .map(str::to_string)
        .ok_or_else(|| Refusal::at(offset, format!("undefined entity `&{name};`")))
}

/// Characters XML 1.0 allows in a document; a browser stops at any other, so an image
/// holding one (even as `&#1;`) would not display.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// The namespace of an element or attribute, as far as the sanitiser cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Namespace {
    /// SVG, or none: an `<svg>` written without `xmlns` is published as SVG.
    Svg,
    Xlink,
    Xml,
    HtmlLike,
    /// Another tool's (Inkscape, RDF) or an undeclared prefix: browsers ignore it.
    Other,
}

impl Namespace {
    fn of(result: ResolveResult) -> Namespace {
        match result {
            ResolveResult::Unbound => Namespace::Svg,
            ResolveResult::Bound(ns) if ns.0 == SVG => Namespace::Svg,
            ResolveResult::Bound(ns) if ns.0 == XLINK => Namespace::Xlink,
            ResolveResult::Bound(ns) if ns.0 == XML => Namespace::Xml,
            ResolveResult::Bound(ns) if HTML_LIKE.contains(&ns.0) => Namespace::HtmlLike,
            _ => Namespace::Other,
        }
    }
}

/// An open element of the input.
enum Frame {
    /// Written out: its end tag is written too.
    Kept(String),
    /// Left out, with everything inside it.
    Dropped,
    /// A `<style>` element: written at its end, once its CSS is known to be safe.
    Style {
        start: String,
        css: String,
        offset: usize,
    },
}

/// Elements open at once. Drawings nest a few dozen deep; the XML reader counts open
/// elements in 16 bits, and its namespace lookups grow with depth.
const MAX_DEPTH: usize = 512;
/// Namespace declarations in force at once. Editors declare about ten, on the root; each
/// lookup of a name searches them all, so many nested declarations would make reading the
/// image quadratic.
const MAX_NAMESPACES: usize = 64;

#[derive(Default)]
struct Sanitiser {
    out: String,
    open: Vec<Frame>,
    /// Namespaces declared by each open element, and their sum.
    declared: Vec<usize>,
    in_scope: usize,
    /// How many of `open` are left out (`Dropped` or `Style`): counted, not searched for,
    /// so deep nesting costs no more than shallow.
    leaving_out: usize,
    removed: Vec<Removed>,
    root_seen: bool,
}

impl Sanitiser {
    fn remove(&mut self, offset: usize, what: impl Into<String>, why: Why) {
        self.removed.push(Removed {
            what: what.into(),
            why,
            offset,
        });
    }

    fn dropping(&self) -> bool {
        self.leaving_out > 0
    }

    fn start(
        &mut self,
        reader: &NsReader<&[u8]>,
        namespace: Namespace,
        element: &BytesStart,
        offset: usize,
        empty: bool,
    ) -> Result<(), Refusal> {
        self.enter(element, offset, empty)?;
        let name = String::from_utf8_lossy(element.local_name().into_inner()).into_owned();
        let root = self.open.is_empty();
        if root {
            if self.root_seen {
                return Err(Refusal::at(offset, "the image has a second root element"));
            }
            if namespace != Namespace::Svg || name != "svg" {
                return Err(Refusal::at(
                    offset,
                    format!("the file is not an SVG image: its root element is `<{name}>`"),
                ));
            }
            self.root_seen = true;
        }
        // The root is `<svg>`, which animates nothing: dropped, it would leave no image at all.
        let verdict = element_verdict(namespace, &name)
            .or_else(|| animates_a_link(element).filter(|_| !root));
        if self.dropping() {
            // Already left out; still say so if a script was inside.
            if verdict == Some(Why::Script) {
                self.remove(offset, format!("`<{name}>`"), Why::Script);
            }
            return self.push(Frame::Dropped, empty);
        }
        if let Some(why) = verdict {
            if namespace != Namespace::Other {
                self.remove(offset, format!("`<{name}>`"), why);
            }
            return self.push(Frame::Dropped, empty);
        }
        let tag = self.tag(reader, &name, element, offset)?;
        if name == "style" && !empty {
            return self.push(
                Frame::Style {
                    start: tag,
                    css: String::new(),
                    offset,
                },
                false,
            );
        }
        self.out.push_str(&tag);
        if empty {
            self.out.insert(self.out.len() - 1, '/');
            return Ok(());
        }
        self.push(Frame::Kept(name), false)
    }

    /// Keeps nesting and namespaces within bounds, for an element about to open.
    fn enter(&mut self, element: &BytesStart, offset: usize, empty: bool) -> Result<(), Refusal> {
        let declared = element
            .attributes()
            .flatten()
            .filter(|a| a.key.as_namespace_binding().is_some())
            .count();
        if self.in_scope + declared > MAX_NAMESPACES {
            return Err(Refusal::at(
                offset,
                format!("the image declares more than {MAX_NAMESPACES} XML namespaces at once"),
            ));
        }
        if !empty {
            if self.open.len() >= MAX_DEPTH {
                return Err(Refusal::at(
                    offset,
                    format!("the image nests elements more than {MAX_DEPTH} deep"),
                ));
            }
            self.declared.push(declared);
            self.in_scope += declared;
        }
        Ok(())
    }

    fn push(&mut self, frame: Frame, empty: bool) -> Result<(), Refusal> {
        if !empty {
            if !matches!(frame, Frame::Kept(_)) {
                self.leaving_out += 1;
            }
            self.open.push(frame);
        }
        Ok(())
    }

    /// The start tag of a kept element, with the attributes it may keep.
    fn tag(
        &mut self,
        reader: &NsReader<&[u8]>,
        name: &str,
        element: &BytesStart,
        offset: usize,
    ) -> Result<String, Refusal> {
        let mut tag = format!("<{name}");
        if self.open.is_empty() {
            tag.push_str(
                r#" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink""#,
            );
        }
        for attribute in element.attributes() {
            let attribute = attribute.map_err(|error| {
                Refusal::at(offset, format!("the image is not well-formed XML: {error}"))
            })?;
            let value = attribute
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|error| Refusal::at(offset, format!("in an attribute: {error}")))?;
            if let Some(c) = value.chars().find(|c| !is_xml_char(*c)) {
                return Err(Refusal::at(
                    offset,
                    format!(
                        "an attribute holds the character U+{:04X}, which XML does not allow",
                        c as u32
                    ),
                ));
            }
            let key = attribute.key;
            if key.as_namespace_binding().is_some() {
                continue;
            }
            let (namespace, local) = reader.resolver().resolve_attribute(key);
            let local = String::from_utf8_lossy(local.into_inner());
            let written = match Namespace::of(namespace) {
                Namespace::Svg => local.to_string(),
                Namespace::Xlink if local == "href" || local == "title" => format!("xlink:{local}"),
                Namespace::Xml if local == "space" || local == "lang" => format!("xml:{local}"),
                _ => continue,
            };
            match attribute_verdict(name, &local, &value) {
                None => {
                    tag.push_str(&format!(" {written}=\"{}\"", escape_attribute(&value)));
                }
                Some((what, why)) => self.remove(offset, what, why),
            }
        }
        tag.push('>');
        Ok(tag)
    }

    fn end(&mut self) {
        self.in_scope -= self.declared.pop().unwrap_or(0);
        let frame = self.open.pop();
        if matches!(frame, Some(Frame::Dropped | Frame::Style { .. })) {
            self.leaving_out -= 1;
        }
        match frame {
            Some(Frame::Kept(name)) => {
                self.out.push_str("</");
                self.out.push_str(&name);
                self.out.push('>');
            }
            // A `<style>` is only ever opened where nothing is left out.
            Some(Frame::Style { start, css, offset }) => match css::unsafe_part(&css) {
                None => {
                    self.out.push_str(&start);
                    self.out.push_str(&escape_text(css.as_str()));
                    self.out.push_str("</style>");
                }
                Some(what) => self.remove(offset, format!("`<style>` with {what}"), Why::Css),
            },
            Some(Frame::Dropped) | None => {}
        }
    }

    fn text(&mut self, text: &str) {
        match self.open.last_mut() {
            Some(Frame::Style { css, .. }) => css.push_str(text),
            // Kept elements are only ever opened where nothing is left out.
            Some(Frame::Kept(_)) => self.out.push_str(&escape_text(text)),
            // Outside the root only white space is well-formed; inside a dropped element
            // nothing is kept.
            _ => {}
        }
    }

    fn finish(self) -> Result<Sanitised, Refusal> {
        if !self.open.is_empty() || !self.root_seen {
            return Err(Refusal {
                message: "the image ends before its `<svg>` element is closed".into(),
                offset: None,
            });
        }
        Ok(Sanitised {
            bytes: self.out.into_bytes(),
            removed: self.removed,
        })
    }
}

/// `value` for an attribute in double quotes. Tabs and line breaks are written as
/// references: written as they are, they would be read back as spaces.
/// A parser reads a carriage return written as it is as a line feed: kept as a reference, a
/// `&#13;` the author wrote survives being read again.
fn escape_text(value: &str) -> String {
    escape(value).replace('\r', "&#13;")
}

/// In an attribute, a parser also reads tabs and line feeds as spaces.
fn escape_attribute(value: &str) -> String {
    escape_text(value)
        .replace('\t', "&#9;")
        .replace('\n', "&#10;")
}

/// `None` to keep the element, or why it goes.
fn element_verdict(namespace: Namespace, name: &str) -> Option<Why> {
    match namespace {
        Namespace::Svg if ELEMENTS.binary_search(&name).is_ok() => None,
        Namespace::Svg if SCRIPTS.binary_search(&name).is_ok() => Some(Why::Script),
        Namespace::Svg if name == "foreignObject" => Some(Why::Html),
        Namespace::HtmlLike if name.eq_ignore_ascii_case("script") => Some(Why::Script),
        Namespace::HtmlLike => Some(Why::Html),
        _ => Some(Why::Unknown),
    }
}

/// `None` to keep the attribute `name` of `element`, or what it was and why it goes.
fn attribute_verdict(element: &str, name: &str, value: &str) -> Option<(String, Why)> {
    let named = || format!("the `{name}` attribute");
    if is_handler(name) {
        return Some((named(), Why::Handler));
    }
    if name == "href" {
        return (!safe_reference(element, value))
            .then(|| (format!("the link to `{value}`"), Why::Reference));
    }
    if CSS_VALUED.binary_search(&name).is_ok() {
        return css::unsafe_part(value).map(|what| (format!("{} with {what}", named()), Why::Css));
    }
    let known = ATTRIBUTES.binary_search(&name).is_ok() || is_aria_or_data(name);
    (!known).then(|| (named(), Why::Unknown))
}

/// Event handlers: `onload`, `ONCLICK`, any attribute starting with `on`.
fn is_handler(name: &str) -> bool {
    name.len() > 2 && name.as_bytes()[..2].eq_ignore_ascii_case(b"on")
}

/// `aria-*` and `data-*` attributes carry no behaviour; their names are written as read, so
/// only plain ones pass.
fn is_aria_or_data(name: &str) -> bool {
    let rest = name
        .strip_prefix("aria-")
        .or_else(|| name.strip_prefix("data-"));
    rest.is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    })
}

/// An animation (`<set>`, `<animate>`) can give a link a `javascript:` address, or a
/// handler code, after the image has loaded: such an animation goes whole.
fn animates_a_link(element: &BytesStart) -> Option<Why> {
    let target = element.try_get_attribute("attributeName").ok()??;
    let target = String::from_utf8_lossy(&target.value);
    let target = target.trim();
    let local = target.rsplit(':').next().unwrap_or(target);
    let dangerous = local.eq_ignore_ascii_case("href")
        || is_handler(local)
        || local.eq_ignore_ascii_case("style");
    dangerous.then_some(Why::Animation)
}

/// References inside the image (`#id`) load nothing; a link (`<a>`) may lead to a web page
/// or another page of the site, and an image may embed a raster picture as a `data:` URL.
/// Anything else loads another file, or runs (`javascript:`).
fn safe_reference(element: &str, value: &str) -> bool {
    // Browsers ignore tabs and line breaks anywhere in a URL, and spaces around it.
    let url: String = value
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let url = url.trim_matches(|c: char| c <= ' ');
    if url.starts_with('#') {
        return true;
    }
    let scheme = url
        .split_once(':')
        .map(|(scheme, _)| scheme)
        .filter(|s| !s.contains(['/', '?', '#']))
        .map(str::to_ascii_lowercase);
    match element {
        "a" => matches!(scheme.as_deref(), None | Some("http" | "https" | "mailto")),
        "image" | "feImage" => {
            let lower = url.to_ascii_lowercase();
            ["png", "jpeg", "gif", "webp", "avif"]
                .iter()
                .any(|kind| lower.starts_with(&format!("data:image/{kind};")))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(svg: &str) -> (String, Vec<Removed>) {
        let sanitised = sanitise(svg.as_bytes()).unwrap();
        (
            String::from_utf8(sanitised.bytes).unwrap(),
            sanitised.removed,
        )
    }

    /// A drawing as editors save it: a DOCTYPE, Inkscape's markup, gradients, a symbol
    /// used twice, a safe style sheet and text.
    const REAL_WORLD: &str = r##"<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!-- Created with Inkscape -->
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
     xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
     width="240" height="120" viewBox="0 0 240 120" version="1.1" inkscape:version="1.3">
  <sodipodi:namedview id="base" pagecolor="#ffffff"/>
  <title>Checkout &amp; payments</title>
  <defs>
    <linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#4a90d9"/>
      <stop offset="1" style="stop-color:#1f5fbf;stop-opacity:1"/>
    </linearGradient>
    <symbol id="box" viewBox="0 0 10 10"><rect width="10" height="10" rx="2"/></symbol>
    <style type="text/css"><![CDATA[
      .label { font: 12px sans-serif; fill: #1c2128 }
      g > .box { fill: url(#sky) }
    ]]></style>
  </defs>
  <rect width="240" height="120" fill="url(#sky)" inkscape:label="background"/>
  <g class="boxes" transform="translate(20 20)">
    <use href="#box" class="box" x="0" y="0" width="40" height="40"/>
    <use xlink:href="#box" class="box" x="60" y="0" width="40" height="40"/>
  </g>
  <text x="20" y="100" class="label">p99 &lt; 300&#160;ms</text>
  <a href="https://example.com/runbook"><circle cx="200" cy="60" r="10"/></a>
</svg>
"##;

    #[test]
    fn a_real_world_image_keeps_what_it_draws_without_a_word() {
        let (svg, removed) = clean(REAL_WORLD);
        assert_eq!(removed, [], "{svg}");
        for kept in [
            r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="240" height="120" viewBox="0 0 240 120" version="1.1">"#,
            "<title>Checkout &amp; payments</title>",
            r##"<linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">"##,
            r#"<stop offset="1" style="stop-color:#1f5fbf;stop-opacity:1"/>"#,
            r#"<symbol id="box" viewBox="0 0 10 10"><rect width="10" height="10" rx="2"/></symbol>"#,
            "g &gt; .box { fill: url(#sky) }",
            r##"<rect width="240" height="120" fill="url(#sky)"/>"##,
            r##"<use href="#box" class="box" x="0" y="0" width="40" height="40"/>"##,
            r##"<use xlink:href="#box" class="box""##,
            "<text x=\"20\" y=\"100\" class=\"label\">p99 &lt; 300\u{a0}ms</text>",
            r#"<a href="https://example.com/runbook"><circle cx="200" cy="60" r="10"/></a>"#,
        ] {
            assert!(svg.contains(kept), "lost {kept} from {svg}");
        }
        for dropped in ["sodipodi", "inkscape", "DOCTYPE", "Created with"] {
            assert!(!svg.contains(dropped), "{dropped} in {svg}");
        }
        // What comes out is well-formed, and comes out again unchanged.
        assert_eq!(clean(&svg), (svg, vec![]));
    }

    /// Each way into a script or another file, and what the warning names.
    const ATTACKS: &[(&str, &str, Why)] = &[
        (r#"<script>alert(1)</script>"#, "`<script>`", Why::Script),
        (
            r#"<script xlink:href="https://evil.example/x.js"/>"#,
            "`<script>`",
            Why::Script,
        ),
        (
            r#"<g onclick="alert(1)"/>"#,
            "the `onclick` attribute",
            Why::Handler,
        ),
        (
            r#"<g ONLOAD="alert(1)"/>"#,
            "the `ONLOAD` attribute",
            Why::Handler,
        ),
        (
            r#"<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>"#,
            "`<foreignObject>`",
            Why::Html,
        ),
        (
            r#"<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>"#,
            "`<script>`",
            Why::Script,
        ),
        (
            r#"<h:iframe xmlns:h="http://www.w3.org/1999/xhtml" src="https://evil.example"/>"#,
            "`<iframe>`",
            Why::Html,
        ),
        (
            r#"<a href="javascript:alert(1)"><text>x</text></a>"#,
            "the link to `javascript:alert(1)`",
            Why::Reference,
        ),
        (
            r#"<a href=" java&#x09;script:alert(1)"><text>x</text></a>"#,
            "the link to ` java\tscript:alert(1)`",
            Why::Reference,
        ),
        (
            r#"<a xlink:href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">x</a>"#,
            "the link to `data:text/html,<script>alert(1)</script>`",
            Why::Reference,
        ),
        (
            r#"<use href="https://evil.example/sprite.svg#icon"/>"#,
            "the link to `https://evil.example/sprite.svg#icon`",
            Why::Reference,
        ),
        (
            r#"<use href="other.svg#icon"/>"#,
            "the link to `other.svg#icon`",
            Why::Reference,
        ),
        (
            r#"<image href="https://tracker.example/pixel.png"/>"#,
            "the link to `https://tracker.example/pixel.png`",
            Why::Reference,
        ),
        (
            r#"<image href="data:image/svg+xml;base64,PHN2Zz4="/>"#,
            "the link to `data:image/svg+xml;base64,PHN2Zz4=`",
            Why::Reference,
        ),
        (
            r#"<rect fill="url(https://evil.example/p.svg#x)"/>"#,
            "the `fill` attribute with the CSS `url(https://evil.example/p.svg#x)`",
            Why::Css,
        ),
        (
            r#"<rect style="fill:url(//evil.example/x)"/>"#,
            "the `style` attribute with the CSS `url(//evil.example/x)`",
            Why::Css,
        ),
        (
            r#"<style>@import url(https://evil.example/x.css);</style>"#,
            "`<style>` with the CSS rule `@import`",
            Why::Css,
        ),
        (
            r#"<style>rect { background: image-set("x.png" 1x) }</style>"#,
            "`<style>` with the CSS function `image-set()`",
            Why::Css,
        ),
        (
            r#"<a href="https://example.com"><set attributeName="href" to="javascript:alert(1)"/></a>"#,
            "`<set>`",
            Why::Animation,
        ),
        (
            r#"<animate attributeName="xlink:href" values="javascript:alert(1)"/>"#,
            "`<animate>`",
            Why::Animation,
        ),
        (
            r#"<?xml-stylesheet type="text/xsl" href="https://evil.example/x.xsl"?>"#,
            "`<?xml-stylesheet?>`",
            Why::Stylesheet,
        ),
        (r#"<blink/>"#, "`<blink>`", Why::Unknown),
        (
            r#"<rect srcdoc="x"/>"#,
            "the `srcdoc` attribute",
            Why::Unknown,
        ),
    ];

    #[test]
    fn each_attack_is_removed_and_named() {
        for (attack, what, why) in ATTACKS {
            let svg = format!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><rect id="kept" width="1" height="1"/>{attack}</svg>"#
            );
            let (out, removed) = clean(&svg);
            let named: Vec<(&str, Why)> =
                removed.iter().map(|r| (r.what.as_str(), r.why)).collect();
            assert_eq!(named, [(*what, *why)], "{attack} -> {out}");
            assert!(out.contains(r#"<rect id="kept""#), "{out}");
            for gone in [
                "alert",
                "evil.example",
                "tracker",
                "script",
                "other.svg",
                "image-set",
                "blink",
                "srcdoc",
                "base64",
            ] {
                assert!(!out.contains(gone), "{attack} left {gone} in {out}");
            }
        }
    }

    #[test]
    fn the_root_attack_is_removed_with_a_position() {
        let svg = "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\">\n  <script>alert(2)</script>\n</svg>";
        let (out, removed) = clean(svg);
        assert_eq!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\">\n  \n</svg>"
        );
        let at: Vec<(usize, Why)> = removed.iter().map(|r| (r.offset, r.why)).collect();
        assert_eq!(at, [(22, Why::Handler), (83, Why::Script)]);
    }

    #[test]
    fn a_script_hidden_in_another_tools_markup_is_still_named() {
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="urn:x"><x:meta><script>alert(1)</script></x:meta></svg>"#;
        let (out, removed) = clean(svg);
        assert!(!out.contains("alert"), "{out}");
        assert_eq!(removed.len(), 1);
        assert_eq!(removed[0].why, Why::Script);
    }

    #[test]
    fn a_carriage_return_written_as_a_reference_survives_a_second_reading() {
        let once =
            sanitise(br#"<svg xmlns="http://www.w3.org/2000/svg"><text>a&#xD;b</text></svg>"#)
                .unwrap()
                .bytes;
        let twice = sanitise(&once).unwrap().bytes;
        assert_eq!(
            String::from_utf8(twice).unwrap(),
            String::from_utf8(once).unwrap()
        );
    }

    #[test]
    fn the_root_is_never_dropped_for_an_attribute_only_animations_have() {
        let image = sanitise(
            br#"<svg xmlns="http://www.w3.org/2000/svg" attributeName="xlink:href"><rect width="1"/></svg>"#,
        )
        .unwrap();
        let text = String::from_utf8(image.bytes).unwrap();
        assert!(text.starts_with("<svg") && text.contains("<rect"), "{text}");
    }

    #[test]
    fn files_that_cannot_be_made_safe_are_refused() {
        let bomb = r#"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>"#;
        for (file, message) in [
            (bomb, "declares entities"),
            (
                "<svg xmlns=\"http://www.w3.org/2000/svg\"><text>&lol;</text></svg>",
                "undefined entity `&lol;`",
            ),
            (
                "<svg xmlns=\"http://www.w3.org/2000/svg\"><text>&#1;</text></svg>",
                "`&#1;` is not a character XML allows",
            ),
            (
                "<svg xmlns=\"http://www.w3.org/2000/svg\"><a href=\"java&#x10;script:x\"/></svg>",
                "an attribute holds the character U+0010, which XML does not allow",
            ),
            (
                "<html><script>alert(1)</script></html>",
                "its root element is `<html>`",
            ),
            (
                "<svg xmlns=\"http://www.w3.org/2000/svg\"><g></svg>",
                "not well-formed",
            ),
            (
                "<svg xmlns=\"http://www.w3.org/2000/svg\"><g>",
                "ends before",
            ),
            (
                "<svg xmlns=\"http://www.w3.org/2000/svg\" a=\"1\" a=\"2\"/>",
                "not well-formed",
            ),
            (
                "<svg xmlns=\"http://www.w3.org/2000/svg\"/><svg/>",
                "second root",
            ),
            ("", "ends before"),
            (
                &format!(
                    "<svg xmlns=\"http://www.w3.org/2000/svg\">{}",
                    "<g>".repeat(70_000)
                ),
                "more than 512 deep",
            ),
            (
                &format!(
                    "<svg xmlns=\"http://www.w3.org/2000/svg\">{}",
                    (0..100)
                        .map(|n| format!("<g xmlns:p{n}=\"urn:{n}\">"))
                        .collect::<String>()
                ),
                "more than 64 XML namespaces",
            ),
        ] {
            let refusal = sanitise(file.as_bytes()).unwrap_err();
            assert!(refusal.message.contains(message), "{file}: {refusal:?}");
        }
        let latin1 = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><text>caf\xE9</text></svg>";
        assert_eq!(sanitise(latin1).unwrap_err().offset, Some(49));
    }

    /// Pieces of markup a hostile or broken file might hold.
    const PIECES: &[&str] = &[
        "<",
        ">",
        "&",
        "\"",
        "'",
        "/>",
        "</g>",
        "<g>",
        "<![CDATA[",
        "]]>",
        "<!--",
        "-->",
        "<!DOCTYPE svg [<!ENTITY e \"x\">]>",
        "&e;",
        "&#60;",
        "&#x3c;script&#x3e;",
        " xmlns=\"http://www.w3.org/1999/xhtml\"",
        " xmlns:x=\"urn:x\"",
        "<x:a>",
        "</x:a>",
        " onload=\"a()\"",
        " href=\"javascript:a()\"",
        " style=\"fill:url(http://e)\"",
        "<script>a()</script>",
        "<foreignObject>",
        "</foreignObject>",
        "\u{2028}",
        "\u{0}",
        " xlink:href=\"data:text/html,x\"",
        "<style>@import 'x';</style>",
        "<?xml-stylesheet?>",
    ];

    #[test]
    fn whatever_a_file_holds_what_comes_out_is_safe_and_comes_out_again_unchanged() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(22);
        let attacks: Vec<&str> = ATTACKS.iter().map(|(attack, _, _)| *attack).collect();
        for _ in 0..3_000 {
            let mut file = REAL_WORLD.to_string();
            for _ in 0..rng.random_range(1..12) {
                let mut at = rng.random_range(0..=file.len());
                while !file.is_char_boundary(at) {
                    at -= 1;
                }
                let piece = if rng.random_range(0..3) == 0 {
                    attacks[rng.random_range(0..attacks.len())]
                } else {
                    PIECES[rng.random_range(0..PIECES.len())]
                };
                file.insert_str(at, piece);
            }
            let Ok(sanitised) = sanitise(file.as_bytes()) else {
                continue;
            };
            let out = String::from_utf8(sanitised.bytes).unwrap();
            let document = roxmltree::Document::parse(&out)
                .unwrap_or_else(|e| panic!("{e}: {out}\nfrom {file}"));
            for node in document.descendants().filter(|n| n.is_element()) {
                let name = node.tag_name().name();
                assert!(ELEMENTS.binary_search(&name).is_ok(), "<{name}> in {out}");
                for attribute in node.attributes() {
                    assert!(
                        attribute_verdict(name, attribute.name(), attribute.value()).is_none(),
                        "{}={:?} in {out}",
                        attribute.name(),
                        attribute.value()
                    );
                }
            }
            let again = sanitise(out.as_bytes()).unwrap();
            assert_eq!(again.removed, [], "{out}");
            assert_eq!(String::from_utf8(again.bytes).unwrap(), out);
        }
    }
}
