//! Markdown: facts the checklist and the link check read (headings, code blocks, images,
//! links) and HTML rendering.
//!
//! Pure: pulldown-cmark with tables, footnotes, strikethrough, task lists and heading ids.
//! Rendering takes a link resolver so `.md` links become links to the generated pages; the
//! resolver (not this module) knows the site's URL scheme.

use std::cell::Cell;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::ops::Range;

use pulldown_cmark::{
    CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, OffsetIter, Options, Parser, Tag, TagEnd,
};
use serde::Serialize;

use crate::diag::Position;
use crate::nesting::{self, Bounder, Cut};

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// A heading of a document, with the id its anchor gets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Heading {
    pub(crate) level: u8,
    /// File line (1-based) the heading is written on.
    pub(crate) line: usize,
    pub(crate) text: String,
    pub(crate) id: String,
}

/// A fenced code block that opsbook draws (```dot).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagramBlock {
    /// File line (1-based) of the block's first line of code.
    pub(crate) line: usize,
    pub(crate) code: String,
}

/// A link or image of a document, where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Link {
    /// The destination as written (reference links: as their definition writes it).
    pub(crate) destination: String,
    /// File line and column (1-based) of the link's opening `[` (or `!` of an image).
    pub(crate) line: usize,
    pub(crate) column: usize,
}

/// A `<script>` or `<style>` element written as raw HTML. Nobody reads its content: the
/// sanitiser removes it whole, and a browser runs or applies it. One never closed takes the
/// rest of the doc with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HiddenElement {
    /// `script` or `style`, as the sanitiser and browsers name it.
    pub(crate) tag: &'static str,
    /// File line and column (1-based) of its opening `<`.
    pub(crate) line: usize,
    pub(crate) column: usize,
    /// Whether a closing tag ends it in the doc's raw HTML.
    pub(crate) closed: bool,
}

/// Tags of a doc's HTML that the sanitiser is not given, because they nest too deep or
/// reopen formatting elements too often (see [`crate::nesting`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LeftOutTags {
    pub(crate) cut: Cut,
    /// File line and column (1-based) of the first one.
    pub(crate) line: usize,
    pub(crate) column: usize,
    /// How many there are.
    pub(crate) tags: usize,
}

/// Elements whose whole content HTML parsers take as text up to their closing tag, and which
/// the sanitiser drops with that content.
const HIDDEN_TAGS: &[&str] = &["script", "style"];

/// Languages of fenced code blocks that are drawn instead of shown as code.
pub(crate) const DIAGRAM_LANGUAGES: &[&str] = &["dot"];

/// What the checklist and the diagram stage may ask of a document body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub(crate) headings: Vec<Heading>,
    /// Languages of fenced code blocks (`dot`, `sh`, ...), lower-case, with the file line of
    /// each language's first block.
    pub(crate) code_languages: BTreeMap<String, usize>,
    /// Lower-case text of each heading that has an image somewhere in its section, with the
    /// file line of the first such image.
    pub(crate) headings_with_images: BTreeMap<String, usize>,
    /// Every ```dot block, in order.
    pub diagrams: Vec<DiagramBlock>,
    /// Every link and image, in order; e-mail autolinks are not links to check.
    pub(crate) links: Vec<Link>,
    /// Every `<script>` and `<style>` element of the doc's raw HTML, in order.
    pub(crate) hidden_elements: Vec<HiddenElement>,
    /// Tags left out when the doc is sanitised, which only a doc with raw HTML is.
    pub(crate) left_out: Option<LeftOutTags>,
    /// The file line the body starts on.
    pub(crate) first_line: usize,
}

impl Facts {
    /// Where `text` is first written in `body` (the body these facts are of), as a file
    /// position.
    pub(crate) fn locate_in(&self, body: &str, text: &str) -> Option<Position> {
        let offset = body.find(text)?;
        let before = &body[..offset];
        let line = self.first_line + before.matches('\n').count();
        let column = before.rsplit('\n').next().unwrap_or(before).chars().count() + 1;
        Some(Position::new(line, column))
    }

    /// The first heading whose text is `wanted`, ignoring case.
    pub(crate) fn heading(&self, wanted: &str) -> Option<&Heading> {
        self.headings
            .iter()
            .find(|h| h.text.eq_ignore_ascii_case(wanted.trim()))
    }

    /// The first heading, used as a page title.
    pub fn title(&self) -> Option<&str> {
        self.headings.first().map(|h| h.text.as_str())
    }
}

/// The language of a fenced code block, lower-case, if it names one.
fn fence_language(kind: &CodeBlockKind) -> Option<String> {
    match kind {
        CodeBlockKind::Fenced(info) => info.split_whitespace().next().map(str::to_lowercase),
        CodeBlockKind::Indented => None,
    }
}

/// Reads the facts of a document without rendering it. `first_line` is the file line the
/// body starts on, so positions can be reported in the file.
pub fn analyze(body: &str, first_line: usize) -> Facts {
    let mut facts = Facts {
        first_line,
        ..Facts::default()
    };
    let mut ids = IdGenerator::default();
    let mut current_heading: Option<String> = None;
    let mut heading_text: Option<String> = None;
    let mut diagram: Option<DiagramBlock> = None;
    let mut explicit_id: Option<String> = None;
    let mut heading_line = 0;
    let mut lines = PositionCounter::new(body, first_line);
    let mut hidden = HiddenElementScanner::default();
    let mut has_raw_html = false;
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        match event {
            Event::Html(_) | Event::InlineHtml(_) => {
                has_raw_html = true;
                hidden.scan(body, range, &mut lines, &mut facts.hidden_elements);
            }
            Event::Start(Tag::Heading { id, .. }) => {
                explicit_id = id.map(|id| id.to_string());
                heading_text = Some(String::new());
                heading_line = lines.at(range.start);
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some(text) = heading_text.take() {
                    let text = text.trim().to_string();
                    current_heading = Some(text.to_lowercase());
                    // Counted even when `{#id}` names the anchor, as rendering counts it.
                    let generated = ids.next(&text);
                    let id = explicit_id.take().unwrap_or(generated);
                    facts.headings.push(Heading {
                        level: heading_number(level),
                        line: heading_line,
                        text,
                        id,
                    });
                }
            }
            Event::Text(text) | Event::Code(text) => {
                if let Some(heading) = heading_text.as_mut() {
                    heading.push_str(&text);
                }
                if let Some(block) = diagram.as_mut() {
                    block.code.push_str(&text);
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                if let Some(language) = fence_language(&kind) {
                    let fence_line = lines.at(range.start);
                    if DIAGRAM_LANGUAGES.contains(&language.as_str()) {
                        diagram = Some(DiagramBlock {
                            line: fence_line + 1,
                            code: String::new(),
                        });
                    }
                    facts.code_languages.entry(language).or_insert(fence_line);
                }
            }
            Event::End(TagEnd::CodeBlock) => facts.diagrams.extend(diagram.take()),
            Event::Start(Tag::Image { dest_url, .. }) => {
                if let Some(heading) = &current_heading {
                    let line = lines.at(range.start);
                    facts
                        .headings_with_images
                        .entry(heading.clone())
                        .or_insert(line);
                }
                facts
                    .links
                    .push(link_at(&mut lines, range.start, &dest_url));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            }) if link_type != LinkType::Email => {
                facts
                    .links
                    .push(link_at(&mut lines, range.start, &dest_url));
            }
            _ => {}
        }
    }
    hidden.finish(&mut facts.hidden_elements);
    if has_raw_html {
        facts.left_out = left_out_tags(body, &mut lines);
    }
    facts
}

/// The tags that sanitising leaves out of `body`: its HTML as [`render`] writes it (heading
/// ids aside, which change no tag), given to the bound event by event, so that a tag left out
/// is found where it is written.
fn left_out_tags(body: &str, positions: &mut PositionCounter) -> Option<LeftOutTags> {
    let written = Cell::new((0, 0));
    let mut feed = Feed {
        bounder: Bounder::default(),
        body,
        written: &written,
    };
    let events = Rendering::new(body, &Unresolved, RawHtml::Sanitise).map(|(event, range)| {
        written.set((range.start, range.end));
        event
    });
    // Writing to the bound cannot fail.
    let _ = pulldown_cmark::html::write_html_fmt(&mut feed, events);
    let left_out = feed.bounder.finish().left_out?;
    let position = positions.position(left_out.offset);
    Some(LeftOutTags {
        cut: left_out.cut,
        line: position.line,
        column: position.column,
        tags: left_out.tags,
    })
}

/// Gives the HTML written for each event to the bound, with where the event is written.
struct Feed<'a> {
    bounder: Bounder,
    body: &'a str,
    /// The source range of the event being written.
    written: &'a Cell<(usize, usize)>,
}

impl fmt::Write for Feed<'_> {
    fn write_str(&mut self, html: &str) -> fmt::Result {
        let (start, end) = self.written.get();
        if self.body.get(start..end) == Some(html) {
            self.bounder.feed_copy(html, start);
        } else {
            self.bounder.feed(html, start);
        }
        Ok(())
    }
}

/// Leaves links as written and draws nothing: where tags are left out does not depend on
/// either.
struct Unresolved;

impl Resolver for Unresolved {
    fn link(&self, _: &str) -> Destination {
        Destination::AsWritten
    }

    fn diagram(&self, _: &str) -> String {
        String::new()
    }
}

/// Finds `<script>` and `<style>` elements in a doc's raw HTML, fed one piece at a time in
/// order (a block of HTML comes line by line), the way an HTML parser reads them: inside a
/// tag, quoted attribute values are skipped; inside a comment nothing counts; inside one of
/// these elements, only its closing tag does. Markdown text between the pieces is escaped
/// when rendered, so it can neither open nor close anything.
#[derive(Default)]
struct HiddenElementScanner {
    state: ScanState,
}

#[derive(Default)]
enum ScanState {
    #[default]
    Markup,
    Comment,
    /// Inside a tag, within a quoted value when `quote` is set; `opens` is the element the
    /// tag starts, if it is a hidden one.
    Tag {
        quote: Option<u8>,
        opens: Option<HiddenElement>,
    },
    Hidden(HiddenElement),
}

impl HiddenElementScanner {
    fn scan(
        &mut self,
        body: &str,
        range: std::ops::Range<usize>,
        positions: &mut PositionCounter,
        found: &mut Vec<HiddenElement>,
    ) {
        // The written bytes, not the event's text: their offsets give the position.
        let piece = body.as_bytes()[range.clone()].to_ascii_lowercase();
        let mut at = 0;
        while at < piece.len() {
            let rest = &piece[at..];
            match &mut self.state {
                ScanState::Markup => {
                    let Some(start) = rest.iter().position(|&b| b == b'<') else {
                        return;
                    };
                    let after = &rest[start + 1..];
                    at += start + 1;
                    if after.starts_with(b"!--") {
                        self.state = ScanState::Comment;
                        at += 3;
                    } else if after.first().is_some_and(u8::is_ascii_alphabetic) {
                        let opens = hidden_tag(after).map(|tag| {
                            let position = positions.position(range.start + at - 1);
                            HiddenElement {
                                tag,
                                line: position.line,
                                column: position.column,
                                closed: false,
                            }
                        });
                        self.state = ScanState::Tag { quote: None, opens };
                    }
                }
                ScanState::Comment => {
                    let Some(end) = find(rest, b"-->") else {
                        return;
                    };
                    self.state = ScanState::Markup;
                    at += end + 3;
                }
                ScanState::Tag { quote, opens } => {
                    let byte = rest[0];
                    match *quote {
                        Some(open) if byte == open => *quote = None,
                        Some(_) => {}
                        None if byte == b'"' || byte == b'\'' => *quote = Some(byte),
                        None if byte == b'>' => {
                            self.state = opens.take().map_or(ScanState::Markup, ScanState::Hidden);
                        }
                        None => {}
                    }
                    at += 1;
                }
                ScanState::Hidden(element) => {
                    let Some(end) = find(rest, format!("</{}", element.tag).as_bytes()) else {
                        return;
                    };
                    element.closed = true;
                    found.push(*element);
                    self.state = ScanState::Markup;
                    at += end + 2;
                }
            }
        }
    }

    /// Adds the element left open at the end of the doc, if any.
    fn finish(self, found: &mut Vec<HiddenElement>) {
        if let ScanState::Hidden(element) = self.state {
            found.push(element);
        }
    }
}

/// The hidden element a tag name (lower case, after its `<`) opens, if it is one.
fn hidden_tag(name: &[u8]) -> Option<&'static str> {
    HIDDEN_TAGS.iter().copied().find(|tag| {
        name.strip_prefix(tag.as_bytes()).is_some_and(|after| {
            after
                .first()
                .is_none_or(|&b| b.is_ascii_whitespace() || b == b'>' || b == b'/')
        })
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// File positions of byte offsets that mostly come in increasing order, counted
/// incrementally: finding each from the start of the body made a 1 MB doc of links take
/// 14 s, and one of 10 MB would have taken half an hour.
struct PositionCounter<'a> {
    body: &'a str,
    offset: usize,
    /// File line and column (1-based, in characters) of `offset`.
    line: usize,
    column: usize,
}

impl<'a> PositionCounter<'a> {
    fn new(body: &'a str, first_line: usize) -> Self {
        PositionCounter {
            body,
            offset: 0,
            line: first_line,
            column: 1,
        }
    }

    /// The file line of `offset`.
    fn at(&mut self, offset: usize) -> usize {
        self.position(offset).line
    }

    /// The file line and column of `offset`.
    fn position(&mut self, offset: usize) -> Position {
        let mut offset = offset.min(self.body.len());
        while !self.body.is_char_boundary(offset) {
            offset -= 1;
        }
        let bytes = self.body.as_bytes();
        if offset >= self.offset {
            for &byte in &bytes[self.offset..offset] {
                if byte == b'\n' {
                    self.line += 1;
                    self.column = 1;
                } else if byte & 0xC0 != 0x80 {
                    // The first byte of a character.
                    self.column += 1;
                }
            }
        } else {
            self.line -= count_newlines(&bytes[offset..self.offset]);
            let line_start = self.body[..offset].rfind('\n').map_or(0, |i| i + 1);
            self.column = self.body[line_start..offset].chars().count() + 1;
        }
        self.offset = offset;
        Position::new(self.line, self.column)
    }
}

fn count_newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

fn link_at(positions: &mut PositionCounter, offset: usize, destination: &str) -> Link {
    let position = positions.position(offset);
    Link {
        destination: destination.to_string(),
        line: position.line,
        column: position.column,
    }
}

fn heading_number(level: HeadingLevel) -> u8 {
    level as u8
}

/// Where a link or image written in a doc leads on the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Where it is written: a web address, an anchor, a path from the server's root.
    AsWritten,
    /// The published file it names, at this URL.
    Published(String),
    /// A file the site does not have, and why: the page shows the link's text marked as
    /// broken, and leads nowhere.
    Broken(String),
}

/// How a page's links and diagrams are turned into HTML; the site decides both.
pub trait Resolver {
    /// Where a link or image destination leads.
    fn link(&self, destination: &str) -> Destination;
    /// The HTML that replaces a ```dot block (see `DIAGRAM_LANGUAGES`).
    fn diagram(&self, code: &str) -> String;
}

/// Renders `body` to HTML.
pub fn render(body: &str, resolver: &dyn Resolver, raw_html: RawHtml) -> String {
    let mut rendering = Rendering::new(body, resolver, raw_html);
    let mut events: Vec<Event> = rendering.by_ref().map(|(event, _)| event).collect();
    assign_heading_ids(&mut events);
    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    if rendering.has_raw_html && raw_html == RawHtml::Sanitise {
        html = sanitiser().clean(&nesting::bound(&html).html).to_string();
    }
    for (index, svg) in rendering.drawn.iter().enumerate() {
        html = html.replacen(&diagram_token(index), svg, 1);
    }
    html
}

/// The events of a body as they are rendered, each with where it is written: links resolved
/// and ```dot blocks drawn. Heading ids are given apart ([`assign_heading_ids`]): each needs
/// the events after its heading.
struct Rendering<'a, 'r> {
    events: OffsetIter<'a>,
    resolver: &'r dyn Resolver,
    raw_html: RawHtml,
    /// The drawn diagrams: opsbook's own markup, which waits outside the sanitiser as a token
    /// in the events.
    drawn: Vec<String>,
    /// Whether an event so far is raw HTML.
    has_raw_html: bool,
    /// The links and images open at this point, each with whether it is broken.
    open_links: Vec<bool>,
}

impl<'a, 'r> Rendering<'a, 'r> {
    fn new(body: &'a str, resolver: &'r dyn Resolver, raw_html: RawHtml) -> Self {
        Rendering {
            events: Parser::new_ext(body, options()).into_offset_iter(),
            resolver,
            raw_html,
            drawn: Vec::new(),
            has_raw_html: false,
            open_links: Vec::new(),
        }
    }

    /// Draws the diagram whose block starts at `range`, up to the block's end: its token.
    fn draw(&mut self, mut range: Range<usize>) -> (Event<'a>, Range<usize>) {
        let mut code = String::new();
        for (event, at) in self.events.by_ref() {
            range = at;
            match event {
                Event::Text(text) => code.push_str(&text),
                Event::End(TagEnd::CodeBlock) => break,
                _ => {}
            }
        }
        let token = diagram_token(self.drawn.len());
        self.drawn.push(self.resolver.diagram(&code));
        (Event::Html(CowStr::from(token)), range)
    }

    /// Points a link or image at where it leads; a broken one becomes its text, marked. Links
    /// and images nest (an image in a link), so each end is matched with its start.
    fn resolve_link(&mut self, event: &mut Event) {
        match event {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                let mut broken = false;
                match self.resolver.link(dest_url) {
                    Destination::Published(url) => *dest_url = CowStr::from(url),
                    Destination::Broken(why) => {
                        broken = true;
                        *event = Event::InlineHtml(CowStr::from(format!(
                            r#"<span class="broken-link" title="{}">"#,
                            html_escape::encode_double_quoted_attribute(&why)
                        )));
                    }
                    Destination::AsWritten
                        if self.raw_html == RawHtml::Sanitise && !is_safe_url(dest_url) =>
                    {
                        *dest_url = CowStr::from("")
                    }
                    Destination::AsWritten => {}
                }
                self.open_links.push(broken);
            }
            Event::End(TagEnd::Link | TagEnd::Image) if self.open_links.pop() == Some(true) => {
                *event = Event::InlineHtml(CowStr::from("</span>"));
            }
            _ => {}
        }
    }
}

impl<'a> Iterator for Rendering<'a, '_> {
    type Item = (Event<'a>, Range<usize>);

    fn next(&mut self) -> Option<Self::Item> {
        let (mut event, range) = self.events.next()?;
        if let Event::Start(Tag::CodeBlock(kind)) = &event
            && fence_language(kind).is_some_and(|l| DIAGRAM_LANGUAGES.contains(&l.as_str()))
        {
            return Some(self.draw(range));
        }
        // Raw HTML the author wrote, not the marks of broken links this adds.
        self.has_raw_html |= matches!(event, Event::Html(_) | Event::InlineHtml(_));
        self.resolve_link(&mut event);
        Some((event, range))
    }
}

/// What to do with HTML written in a Markdown body (`[output] allow-raw-html`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawHtml {
    /// Keep the safe part: no scripts, event handlers, `javascript:` or `data:` URLs, frames
    /// or forms. Docs come from many repositories and everyone opens the site.
    Sanitise,
    /// The book trusts every author.
    Keep,
}

/// Where a drawn diagram goes, until the body has been sanitised. Private-use characters: a
/// Markdown body does not produce them by accident.
fn diagram_token(index: usize) -> String {
    format!("\u{E000}opsbook-diagram-{index}\u{E000}")
}

/// Link and image addresses a reader's browser may follow: relative ones, and the schemes
/// of the web, mail and phones.
pub(crate) fn is_safe_url(url: &str) -> bool {
    let url = url.trim_start_matches(|c: char| c.is_whitespace() || c.is_control());
    match url.split_once(':') {
        Some((scheme, _)) if !scheme.contains(['/', '?', '#']) => {
            ["http", "https", "mailto", "tel"].contains(&scheme.to_ascii_lowercase().as_str())
        }
        _ => true,
    }
}

/// The HTML a body may keep: ammonia's safe defaults, plus the ids, classes and table
/// alignment that rendered Markdown itself uses.
fn sanitiser() -> &'static ammonia::Builder<'static> {
    static SANITISER: std::sync::OnceLock<ammonia::Builder<'static>> = std::sync::OnceLock::new();
    SANITISER.get_or_init(|| {
        let mut builder = ammonia::Builder::default();
        builder
            .add_generic_attributes(["id", "class", "title"])
            .add_tags(["input"])
            .add_tag_attributes("input", ["type", "checked", "disabled"])
            .add_tag_attributes("th", ["style"])
            .add_tag_attributes("td", ["style"])
            .url_schemes(["http", "https", "mailto", "tel"].into())
            .link_rel(None);
        builder
    })
}

/// The words of `body` as a reader sees them, for the search index: markup, raw HTML and
/// drawn diagrams (whose code is not prose) are left out; blocks are kept apart by a space
/// so words of adjacent paragraphs never run together.
pub fn plain_text(body: &str) -> String {
    let mut text = String::with_capacity(body.len());
    let mut in_diagram = false;
    for event in Parser::new_ext(body, options()) {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                in_diagram =
                    fence_language(&kind).is_some_and(|l| DIAGRAM_LANGUAGES.contains(&l.as_str()));
            }
            Event::End(TagEnd::CodeBlock) => {
                in_diagram = false;
                text.push(' ');
            }
            Event::Text(t) | Event::Code(t) if !in_diagram => text.push_str(&t),
            // Inline markup can sit inside a word (`un*break*able`).
            Event::End(
                TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link,
            ) => {}
            Event::SoftBreak | Event::HardBreak | Event::End(_) => text.push(' '),
            _ => {}
        }
    }
    text
}

/// Gives every heading without an explicit `{#id}` the same id [`analyze`] computes.
fn assign_heading_ids(events: &mut [Event]) {
    let mut ids = IdGenerator::default();
    let mut index = 0;
    while index < events.len() {
        if let Event::Start(Tag::Heading { .. }) = &events[index] {
            let text = heading_text(&events[index + 1..]);
            let generated = ids.next(&text);
            if let Event::Start(Tag::Heading { id, .. }) = &mut events[index]
                && id.is_none()
            {
                *id = Some(CowStr::from(generated));
            }
        }
        index += 1;
    }
}

fn heading_text(events: &[Event]) -> String {
    let mut text = String::new();
    for event in events {
        match event {
            Event::End(TagEnd::Heading(_)) => break,
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            _ => {}
        }
    }
    text.trim().to_string()
}

/// Anchor ids from heading text: lower-case words joined by '-', made unique per page.
#[derive(Default)]
struct IdGenerator {
    seen: HashMap<String, usize>,
}

impl IdGenerator {
    fn next(&mut self, text: &str) -> String {
        let base = slug(text);
        let count = self.seen.entry(base.clone()).or_insert(0);
        *count += 1;
        if *count == 1 {
            base
        } else {
            format!("{base}-{}", *count - 1)
        }
    }
}

pub(crate) fn slug(text: &str) -> String {
    let mut slug = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if (c.is_whitespace() || c == '-' || c == '_') && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_matches('-');
    if slug.is_empty() {
        "section".to_string()
    } else {
        slug.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (tag, line, column, closed) of each hidden element of `body`, which starts on line 5.
    fn hidden(body: &str) -> Vec<(&'static str, usize, usize, bool)> {
        analyze(body, 5)
            .hidden_elements
            .iter()
            .map(|e| (e.tag, e.line, e.column, e.closed))
            .collect()
    }

    #[test]
    fn scripts_and_styles_are_found_where_written_and_whether_closed() {
        // A block, inline, upper case, and a closing tag several lines down.
        let body = "# Doc\n\n<script>\nalert(1)\n</script>\n\nText <STYLE type=x>p{}</style> more.\n\n<script src=x>\n\nstill script\n\n</script >\n";
        assert_eq!(
            hidden(body),
            [
                ("script", 7, 1, true),
                ("style", 11, 6, true),
                ("script", 13, 1, true)
            ]
        );
    }

    #[test]
    fn an_unclosed_script_is_found_open() {
        let body = "# Doc\n\n> quoted <script>\n\n## The rest\n";
        assert_eq!(hidden(body), [("script", 7, 10, false)]);
    }

    #[test]
    fn code_comments_and_lookalikes_hide_nothing() {
        // Markdown text, code, comments and attribute values cannot open an element; text
        // cannot close one.
        let body = "`<script>` and\n\n```html\n<script>\n```\n\n<!-- <script> -->\n<scripts> <styles>\n\n<a title='<script>' href=\"<style>\">a</a>\n\nText <style> then `</style>`\n";
        assert_eq!(hidden(body), [("style", 16, 6, false)]);
    }

    /// How many `<blockquote>` a sanitised rendering of `body` has: how deep its one line of
    /// nested quotes goes.
    fn quotes_deep(body: &str) -> usize {
        render(body, &Fake, RawHtml::Sanitise)
            .matches("<blockquote>")
            .count()
    }

    #[test]
    fn markdown_nested_past_the_limit_is_flattened_where_written() {
        // A tag of HTML anywhere makes the whole body go through the sanitiser.
        let body = format!("# Deep\n\n{} deep\n\n<b>raw</b>\n", ">".repeat(2_000));
        let facts = analyze(&body, 5);
        assert_eq!(
            facts.left_out,
            Some(LeftOutTags {
                cut: Cut::TooDeep,
                line: 7,
                column: nesting::MAX_OPEN_ELEMENTS + 1,
                // The quotes past the limit, and the paragraph in the deepest.
                tags: 2_000 - nesting::MAX_OPEN_ELEMENTS + 1,
            })
        );
        assert_eq!(quotes_deep(&body), nesting::MAX_OPEN_ELEMENTS);
    }

    #[test]
    fn markdown_without_html_is_not_sanitised_so_nothing_is_left_out() {
        let body = format!("{} deep\n", ">".repeat(2_000));
        assert_eq!(analyze(&body, 1).left_out, None);
        assert_eq!(quotes_deep(&body), 2_000);
    }

    #[test]
    fn nesting_is_never_recursed_into() {
        // Test threads have a 2 MiB stack, as rayon's and tokio's do: rendering 50,000 levels
        // of quotes recursively would overflow it.
        let body = format!("{} deep\n\n<b>raw</b>\n", ">".repeat(50_000));
        assert!(analyze(&body, 1).left_out.is_some());
        assert!(render(&body, &Fake, RawHtml::Sanitise).contains("deep"));
        assert!(render(&body, &Fake, RawHtml::Keep).contains("deep"));
    }

    #[test]
    fn plain_text_keeps_words_and_drops_markup_and_diagrams() {
        let body = "# Rotate *keys*\n\nRun `vault rotate` now.<br>\n\n```dot\ndigraph { secretnode }\n```\n\n| a | b |\n|---|---|\n| left | right |\n";
        let text = plain_text(body);
        let words: Vec<&str> = text.split_whitespace().collect();
        assert_eq!(
            words,
            [
                "Rotate", "keys", "Run", "vault", "rotate", "now.", "a", "b", "left", "right"
            ]
        );
        assert!(!text.contains("secretnode"), "{text}");
        assert!(!text.contains("<br>"), "{text}");
    }

    /// Rewrites `.md` links to `.html` and draws diagrams as a marker.
    struct Fake;

    impl Resolver for Fake {
        fn link(&self, destination: &str) -> Destination {
            if let Some(stem) = destination.strip_suffix(".md") {
                Destination::Published(format!("{stem}.html"))
            } else if destination.starts_with("missing") {
                Destination::Broken(format!("`{destination}` is not among the book's files"))
            } else {
                Destination::AsWritten
            }
        }
        fn diagram(&self, code: &str) -> String {
            format!("<figure>{}</figure>", code.trim())
        }
    }

    #[test]
    fn a_broken_link_shows_its_text_marked_and_leads_nowhere() {
        for raw_html in [RawHtml::Sanitise, RawHtml::Keep] {
            let html = render(
                "See [the <em>old</em> notes](missing.pdf), [![logo](missing.png)](a.md) and <b>raw</b>.\n",
                &Fake,
                raw_html,
            );
            assert!(
                html.contains(r#"<span class="broken-link" title="`missing.pdf` is not among the book's files">the <em>old</em> notes</span>"#),
                "{html}"
            );
            assert!(
                html.contains(r#"<a href="a.html"><span class="broken-link" title="`missing.png` is not among the book's files">logo</span></a>"#),
                "an image in a link: {html}"
            );
            assert!(!html.contains("missing.pdf\""), "{html}");
        }
    }

    #[test]
    fn headings_get_unique_ids() {
        let html = render("# Runbook\n## Steps\n## Steps\n", &Fake, RawHtml::Sanitise);
        assert!(html.contains(r#"<h1 id="runbook">"#), "{html}");
        assert!(html.contains(r#"<h2 id="steps-1">"#), "{html}");
    }

    #[test]
    fn renders_tables_footnotes_strikethrough_and_tasks() {
        let html = render(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ text[^1]\n\n[^1]: note\n\n- [x] done\n",
            &Fake,
            RawHtml::Sanitise,
        );
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("<del>old</del>"), "{html}");
        assert!(html.contains("footnote-definition"), "{html}");
        assert!(html.contains(r#"type="checkbox""#), "{html}");
    }

    #[test]
    fn rewrites_links_through_the_resolver() {
        let html = render(
            "[run](runbooks/a.md) [web](https://x.example)",
            &Fake,
            RawHtml::Sanitise,
        );
        assert!(html.contains(r#"href="runbooks/a.html""#), "{html}");
        assert!(html.contains(r#"href="https://x.example""#), "{html}");
    }

    #[test]
    fn dot_blocks_are_drawn_and_other_code_is_kept() {
        let html = render(
            "```dot\ndigraph { a -> b }\n```\n\n```sh\nls\n```\n",
            &Fake,
            RawHtml::Sanitise,
        );
        assert!(
            html.contains("<figure>digraph { a -> b }</figure>"),
            "{html}"
        );
        assert!(html.contains(r#"<code class="language-sh">ls"#), "{html}");
    }

    #[test]
    fn facts_find_code_languages_images_and_diagram_lines() {
        let facts = analyze(
            "# Checkout\n## Architecture\n\n![diagram](arch.png)\n\n```dot\ndigraph {}\n```\n",
            10,
        );
        assert!(facts.heading("architecture").is_some());
        assert_eq!(facts.code_languages.get("dot"), Some(&15));
        assert_eq!(facts.headings_with_images.get("architecture"), Some(&13));
        let lines: Vec<usize> = facts.headings.iter().map(|h| h.line).collect();
        assert_eq!(lines, [10, 11]);
        assert_eq!(facts.title(), Some("Checkout"));
        assert_eq!(
            facts.diagrams,
            vec![DiagramBlock {
                line: 16,
                code: "digraph {}\n".into()
            }]
        );
    }

    #[test]
    fn facts_locate_links_and_images_in_the_file() {
        let facts = analyze(
            "# Runbook {#rb}\n\nSee [a](a.md#x) and\n  ![d](d%20e.png), <https://x.example>, <me@x.example>,\n[ref].\n\n[ref]: ../b.md\n",
            7,
        );
        let found: Vec<(&str, usize, usize)> = facts
            .links
            .iter()
            .map(|l| (l.destination.as_str(), l.line, l.column))
            .collect();
        assert_eq!(
            found,
            vec![
                ("a.md#x", 9, 5),
                ("d%20e.png", 10, 3),
                ("https://x.example", 10, 20),
                ("../b.md", 11, 1),
            ]
        );
        assert_eq!(
            facts.headings[0].id, "rb",
            "an explicit id names the anchor"
        );
    }
}
