//! How deep a doc's HTML nests, bounded before the sanitiser reads it.
//!
//! The sanitiser (ammonia) builds its tree with html5ever, whose tree builder looks down its
//! stack of open elements for most tags it reads. HTML nested n elements deep costs it n for
//! every tag: 200,000 nested `<div>` took 200 s, and the HTML that Markdown writes for block
//! quotes in block quotes or lists in lists costs as much. It also reopens, at the next text,
//! every formatting element (`<b>`, `<i>`, `<a>`...) that a block closed before its end tag, in
//! every block that follows, so a few hundred left open multiply the tree by hundreds.
//!
//! So the HTML goes first through the same tokenizer and tree builder, over a sink that keeps
//! no tree but counts the elements the tree builder still holds: open ones, and formatting ones
//! waiting to be reopened. A start tag that would take that count past `MAX_OPEN_ELEMENTS` is
//! left out (what it held stays in the element at the limit, as browsers flatten HTML deeper
//! than 512 elements), and once the tree builder has made far more elements than it was
//! given start tags, the rest of the doc keeps its text but loses its tags. The tokens kept are
//! written out again for the sanitiser, whose tree builder is then given exactly the tokens
//! the count was taken on: it never holds more than the limit either, and both passes take
//! time linear in the size of the HTML.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use html5ever::buffer_queue::BufferQueue;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use html5ever::tree_builder::{
    ElementFlags, NodeOrText, QuirksMode, TreeBuilder, TreeBuilderOpts, TreeSink, create_element,
};
use html5ever::{Attribute, QualName, TokenizerResult, local_name, ns};

/// Elements the tree builder may hold at once, open or waiting to be reopened: the depth at
/// which browsers (Blink) flatten HTML too.
pub(crate) const MAX_OPEN_ELEMENTS: usize = 512;

/// Elements the tree builder may make for each start tag it is given, over a doc: its own, and
/// a table's implied body and row. Reopening formatting elements over and over makes more.
const ELEMENTS_PER_START_TAG: usize = 4;

/// Why tags were left out of a doc's HTML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cut {
    /// Start tags that would have nested more than [`MAX_OPEN_ELEMENTS`] deep.
    TooDeep,
    /// Every tag from the point where formatting elements left open had been reopened too
    /// many times: the rest of the doc is text.
    Reopened,
}

/// The tags left out of a doc's HTML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LeftOut {
    pub(crate) cut: Cut,
    /// Where the first one is, in the offsets given to [`Bounder::feed`].
    pub(crate) offset: usize,
    /// How many there are.
    pub(crate) tags: usize,
}

/// HTML that the sanitiser reads in linear time.
#[derive(Debug)]
pub(crate) struct Bounded {
    pub(crate) html: String,
    pub(crate) left_out: Option<LeftOut>,
}

/// `html` with its nesting bounded.
pub(crate) fn bound(html: &str) -> Bounded {
    let mut bounder = Bounder::default();
    bounder.feed(html, 0);
    bounder.finish()
}

/// Reads HTML piece by piece and writes it out again, bounded.
pub(crate) struct Bounder {
    tokenizer: Tokenizer<Filter>,
    input: BufferQueue,
}

impl Default for Bounder {
    /// Parses as ammonia does: a fragment in a `<div>`, with html5ever's default options.
    fn default() -> Self {
        let sink = Sink::default();
        let context = create_element(
            &sink,
            QualName::new(None, ns!(html), local_name!("div")),
            vec![],
        );
        let builder =
            TreeBuilder::new_for_fragment(sink, context, None, TreeBuilderOpts::default());
        let options = TokenizerOpts {
            initial_state: Some(builder.tokenizer_state_for_context_elem(false)),
            ..TokenizerOpts::default()
        };
        Bounder {
            tokenizer: Tokenizer::new(Filter::new(builder), options),
            input: BufferQueue::default(),
        }
    }
}

impl Bounder {
    /// Reads `html`, written for what the source has at `offset`.
    pub(crate) fn feed(&mut self, html: &str, offset: usize) {
        self.tokenizer.sink.offset.set(offset);
        self.input.push_back(StrTendril::from_slice(html));
        // A script's end tag pauses the tokenizer, for a browser to run it; nothing runs here.
        while let TokenizerResult::Script(_) = self.tokenizer.feed(&self.input) {}
    }

    /// Reads `html`, a copy of the source from `offset`, so that a tag left out is located at
    /// its own `<`: a tag is read when its `>` is.
    pub(crate) fn feed_copy(&mut self, html: &str, offset: usize) {
        let mut start = 0;
        for (at, _) in html.match_indices('<').chain([(html.len(), "")]) {
            if at > start {
                self.feed(&html[start..at], offset + start);
            }
            start = at;
        }
    }

    /// What was read, bounded, and the tags left out of it.
    pub(crate) fn finish(self) -> Bounded {
        self.tokenizer.end();
        let filter = self.tokenizer.sink;
        Bounded {
            html: filter.out.into_inner(),
            left_out: filter.left_out.get(),
        }
    }
}

/// How the tokenizer reads text at this point, which decides how text is written out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Text {
    /// Markup, where `<` opens a tag and `&` a character reference.
    Markup,
    /// A `<textarea>` or `<title>`: no tags, but character references.
    Rcdata,
    /// A `<script>`, `<style>` and the like: read as it is, to its end tag.
    Raw,
}

/// Sits between the tokenizer and the tree builder: passes on the tokens that keep the tree
/// builder within bounds, and writes them out again.
struct Filter {
    builder: TreeBuilder<Handle, Sink>,
    /// Elements held by the tree builder before the doc starts: the context and root.
    held_at_start: usize,
    out: RefCell<String>,
    text: Cell<Text>,
    /// Where the piece being read is in the source.
    offset: Cell<usize>,
    start_tags: Cell<usize>,
    /// Set once the tree builder has made too many elements: tags are left out from then on.
    text_only: Cell<bool>,
    left_out: Cell<Option<LeftOut>>,
}

impl Filter {
    fn new(builder: TreeBuilder<Handle, Sink>) -> Self {
        Filter {
            held_at_start: builder.sink.held.get(),
            builder,
            out: RefCell::new(String::new()),
            text: Cell::new(Text::Markup),
            offset: Cell::new(0),
            start_tags: Cell::new(0),
            text_only: Cell::new(false),
            left_out: Cell::new(None),
        }
    }

    fn admits(&self, tag: &Tag) -> bool {
        match tag.kind {
            // In raw text the only tag is the end tag that closes it; it goes through so that
            // the sanitiser's tokenizer leaves raw text where this one did.
            TagKind::EndTag => !self.text_only.get() || self.text.get() != Text::Markup,
            TagKind::StartTag => {
                let held = self
                    .builder
                    .sink
                    .held
                    .get()
                    .saturating_sub(self.held_at_start);
                !self.text_only.get() && held < MAX_OPEN_ELEMENTS
            }
        }
    }

    fn leave_out(&self) {
        let left_out = self.left_out.get().unwrap_or(LeftOut {
            cut: if self.text_only.get() {
                Cut::Reopened
            } else {
                Cut::TooDeep
            },
            offset: self.offset.get(),
            tags: 0,
        });
        self.left_out.set(Some(LeftOut {
            tags: left_out.tags + 1,
            ..left_out
        }));
    }

    fn write(&self, token: &Token) {
        let mut out = self.out.borrow_mut();
        match token {
            Token::TagToken(tag) => write_tag(&mut out, tag),
            Token::CharacterTokens(text) if self.text.get() == Text::Raw => out.push_str(text),
            Token::CharacterTokens(text) => {
                html_escape::encode_text_minimal_to_string(text, &mut out);
            }
            Token::NullCharacterToken => out.push('\0'),
            _ => {}
        }
    }

    /// How text is read after a token the tree builder answered with `result`.
    fn text_after(&self, was_tag: bool, result: &TokenSinkResult<Handle>) -> Text {
        match result {
            TokenSinkResult::RawData(RawKind::Rcdata) => Text::Rcdata,
            TokenSinkResult::RawData(_) | TokenSinkResult::Plaintext => Text::Raw,
            // Raw text and RCDATA end at the one tag they can hold.
            _ if was_tag => Text::Markup,
            _ => self.text.get(),
        }
    }

    /// Leaves out every tag from now on once the tree builder has made many more elements
    /// than it was given: only reopened formatting elements do that, and text alone reopens
    /// them once at most.
    fn keep_elements_in_proportion(&self) {
        let allowed = ELEMENTS_PER_START_TAG * self.start_tags.get() + MAX_OPEN_ELEMENTS;
        if self.builder.sink.created.get() > allowed {
            self.text_only.set(true);
        }
    }
}

impl TokenSink for Filter {
    type Handle = Handle;

    fn process_token(&self, token: Token, line_number: u64) -> TokenSinkResult<Handle> {
        match &token {
            // The sanitiser drops comments, and neither they nor doctypes shape the tree.
            Token::CommentToken(_) | Token::DoctypeToken(_) | Token::ParseError(_) => {
                return TokenSinkResult::Continue;
            }
            Token::TagToken(tag) if !self.admits(tag) => {
                self.leave_out();
                return TokenSinkResult::Continue;
            }
            Token::TagToken(tag) if tag.kind == TagKind::StartTag => {
                self.start_tags.set(self.start_tags.get() + 1);
            }
            _ => {}
        }
        self.write(&token);
        let was_tag = matches!(token, Token::TagToken(_));
        let result = self.builder.process_token(token, line_number);
        self.text.set(self.text_after(was_tag, &result));
        self.keep_elements_in_proportion();
        result
    }

    fn end(&self) {
        self.builder.end();
    }

    fn adjusted_current_node_present_but_not_in_html_namespace(&self) -> bool {
        self.builder
            .adjusted_current_node_present_but_not_in_html_namespace()
    }
}

/// Writes a tag the way the tokenizer read it: name, attributes (values decoded, so encoded
/// again) and whether it closes itself.
fn write_tag(out: &mut String, tag: &Tag) {
    out.push('<');
    if tag.kind == TagKind::EndTag {
        out.push('/');
    }
    out.push_str(&tag.name);
    if tag.kind == TagKind::StartTag {
        for attribute in &tag.attrs {
            write_attribute(out, attribute);
        }
        if tag.self_closing {
            out.push_str(" /");
        }
    }
    out.push('>');
}

fn write_attribute(out: &mut String, attribute: &Attribute) {
    out.push(' ');
    out.push_str(&attribute.name.local);
    out.push_str("=\"");
    html_escape::encode_double_quoted_attribute_to_string(&attribute.value, out);
    out.push('"');
}

/// A node the tree builder knows of. The sink keeps none: a node lives as long as the tree
/// builder holds it, and an element counts itself while it lives.
struct Node {
    name: QualName,
    integration_point: bool,
    held: Option<Rc<Cell<usize>>>,
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(held) = &self.held {
            held.set(held.get() - 1);
        }
    }
}

type Handle = Rc<Node>;

/// A tree sink that builds no tree: it only names elements for the tree builder and counts
/// them.
struct Sink {
    document: Handle,
    /// Elements alive, which are the ones the tree builder holds.
    held: Rc<Cell<usize>>,
    /// Elements ever made.
    created: Cell<usize>,
}

impl Default for Sink {
    fn default() -> Self {
        Sink {
            document: other_node(),
            held: Rc::new(Cell::new(0)),
            created: Cell::new(0),
        }
    }
}

/// A document, comment or template contents: nothing the tree builder keeps on its stack.
fn other_node() -> Handle {
    Rc::new(Node {
        name: QualName::new(None, ns!(), local_name!("")),
        integration_point: false,
        held: None,
    })
}

impl TreeSink for Sink {
    type Handle = Handle;
    type Output = ();
    type ElemName<'a> = &'a QualName;

    fn finish(self) {}

    fn parse_error(&self, _message: std::borrow::Cow<'static, str>) {}

    fn get_document(&self) -> Handle {
        self.document.clone()
    }

    fn elem_name<'a>(&'a self, target: &'a Handle) -> &'a QualName {
        &target.name
    }

    fn create_element(&self, name: QualName, _: Vec<Attribute>, flags: ElementFlags) -> Handle {
        self.created.set(self.created.get() + 1);
        self.held.set(self.held.get() + 1);
        Rc::new(Node {
            name,
            integration_point: flags.mathml_annotation_xml_integration_point,
            held: Some(self.held.clone()),
        })
    }

    fn create_comment(&self, _: StrTendril) -> Handle {
        other_node()
    }

    fn create_pi(&self, _: StrTendril, _: StrTendril) -> Handle {
        other_node()
    }

    fn append(&self, _: &Handle, _: NodeOrText<Handle>) {}

    fn append_based_on_parent_node(&self, _: &Handle, _: &Handle, _: NodeOrText<Handle>) {}

    fn append_doctype_to_document(&self, _: StrTendril, _: StrTendril, _: StrTendril) {}

    fn get_template_contents(&self, _: &Handle) -> Handle {
        other_node()
    }

    fn same_node(&self, x: &Handle, y: &Handle) -> bool {
        Rc::ptr_eq(x, y)
    }

    fn set_quirks_mode(&self, _: QuirksMode) {}

    fn append_before_sibling(&self, _: &Handle, _: NodeOrText<Handle>) {}

    fn add_attrs_if_missing(&self, _: &Handle, _: Vec<Attribute>) {}

    fn remove_from_parent(&self, _: &Handle) {}

    fn reparent_children(&self, _: &Handle, _: &Handle) {}

    fn is_mathml_annotation_xml_integration_point(&self, handle: &Handle) -> bool {
        handle.integration_point
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use rand::{RngExt, SeedableRng};

    /// What a sanitiser that keeps every tag it can shows of `html`.
    fn sanitised(html: &str) -> String {
        ammonia::Builder::default()
            .add_tags([
                "select", "option", "optgroup", "textarea", "template", "button",
            ])
            .add_generic_attributes(["id", "class", "title"])
            .clean(html)
            .to_string()
    }

    /// `html` bounded, checked to sanitise exactly as it did before.
    fn kept_whole(html: &str) -> String {
        let bounded = bound(html);
        assert_eq!(bounded.left_out, None, "{html}");
        assert_eq!(sanitised(&bounded.html), sanitised(html), "{html}");
        bounded.html
    }

    /// The deepest nesting of elements in HTML as html5ever writes it: every element but a
    /// void one has its end tag, and text has no `<`.
    fn depth(html: &str) -> usize {
        const VOID: &[&str] = &["br", "hr", "img", "input", "wbr", "col", "area"];
        let (mut depth, mut deepest) = (0usize, 0);
        for tag in html.split('<').skip(1) {
            let name: String = tag
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect();
            if tag.starts_with('/') {
                depth -= 1;
            } else if !VOID.contains(&name.as_str()) {
                depth += 1;
                deepest = deepest.max(depth);
            }
        }
        deepest
    }

    #[test]
    fn html_nested_too_deep_loses_the_start_tags_past_the_limit() {
        let html = "<div>".repeat(2_000) + "text" + &"</div>".repeat(2_000);
        let mut bounder = Bounder::default();
        bounder.feed_copy(&html, 0);
        let bounded = bounder.finish();
        assert_eq!(
            bounded.left_out,
            Some(LeftOut {
                cut: Cut::TooDeep,
                offset: 5 * MAX_OPEN_ELEMENTS,
                tags: 2_000 - MAX_OPEN_ELEMENTS,
            })
        );
        let shown = sanitised(&bounded.html);
        assert_eq!(depth(&shown), MAX_OPEN_ELEMENTS);
        assert!(shown.contains("text"), "the text stays");
    }

    #[test]
    fn elements_closed_without_end_tags_do_not_count_as_nested() {
        // Each closes the one before it (or closes itself) without an end tag, as html5ever
        // and browsers read them.
        let rows = "<tr><td>a<td>b".repeat(2_000);
        for html in [
            "<p>para".repeat(2_000),
            format!("<ul>{}</ul>", "<li>item".repeat(2_000)),
            format!("<dl>{}</dl>", "<dt>term<dd>definition".repeat(2_000)),
            format!("<table>{rows}</table>"),
            format!("<select>{}</select>", "<option>one".repeat(2_000)),
            format!("<svg>{}</svg>", "<path d=\"M0\"/>".repeat(2_000)),
            "<h1>a<h2>b".repeat(2_000),
            "<br><img src=\"a.png\"><hr><input>".repeat(2_000),
        ] {
            kept_whole(&html);
        }
    }

    #[test]
    fn tags_in_raw_text_are_text() {
        let tags = "<div>".repeat(2_000);
        for html in [
            format!("<textarea>{tags}</textarea><p>after</p>"),
            format!("<title>{tags}</title><p>after</p>"),
            format!("<script>{tags}</script><p>after</p>"),
            format!("<style>{tags}</style><p>after</p>"),
            format!("<xmp>{tags}</xmp><p>after</p>"),
            format!("<!-- {tags} --><p>after</p>"),
        ] {
            kept_whole(&html);
        }
    }

    #[test]
    fn what_is_kept_is_written_as_the_tokenizer_read_it() {
        let html = kept_whole(
            "<P CLASS=x title='a \"q\" &amp; b'>1 &lt; 2 &amp;&amp; caf&eacute;<br/><!-- gone -->\
             <script>if (a < b && c) {}</script><textarea>&lt;kept&gt;</textarea>",
        );
        assert_eq!(
            html,
            "<p class=\"x\" title=\"a &quot;q&quot; &amp; b\">1 &lt; 2 &amp;&amp; café<br />\
             <script>if (a < b && c) {}</script><textarea>&lt;kept></textarea>"
        );
    }

    /// A hundred `<b>` left open in a paragraph, and 2,000 paragraphs after it: each closes
    /// them all and the next reopens them all.
    fn reopening() -> String {
        let open: String = (0..100).map(|i| format!("<b id=b{i}>")).collect();
        format!("<p>{open}</p>{}", "<p>x</p>".repeat(2_000))
    }

    #[test]
    fn formatting_elements_reopened_over_and_over_leave_the_rest_as_text() {
        let bounded = bound(&reopening());
        let left_out = bounded.left_out.expect("tags are left out");
        assert_eq!(left_out.cut, Cut::Reopened);
        let shown = sanitised(&bounded.html);
        assert!(
            shown.matches("<b").count() < ELEMENTS_PER_START_TAG * 2_200 + MAX_OPEN_ELEMENTS,
            "the tree stays in proportion to the tags"
        );
        assert_eq!(shown.matches('x').count(), 2_000, "the text stays");
    }

    #[test]
    fn a_few_formatting_elements_left_open_still_carry_over() {
        let html = kept_whole(&format!(
            "<p><b><i>bold</p>{}",
            "<p>still bold</p>".repeat(500)
        ));
        assert_eq!(
            sanitised(&html).matches("<b><i>still bold</i></b>").count(),
            500
        );
    }

    fn any_of<'a>(random: &mut impl RngExt, pieces: &[&'a str]) -> &'a str {
        pieces[random.random_range(0..pieces.len())]
    }

    /// Tag soup from tags whose handling differs most between the tree builder's modes.
    fn soup(random: &mut impl RngExt, pieces: usize) -> String {
        // Separated by `|`.
        const PIECES: &str = concat!(
            "<div>|</div>|<p>|</p>|<b>|</b>|<i class=x>|</i>|<a href=x>|</a>|<table>|</table>|",
            "<tr>|<td>|</td>|<th>|<caption>|<colgroup>|<col>|<tbody>|<ul>|<li>|</li>|<dd>|",
            "<select>|<option>|</select>|<svg>|</svg>|<math>|<mi>|<foreignObject>|<desc>|",
            "<template>|</template>|<textarea>|</textarea>|<style>|</style>|<script>|</script>|",
            "<form>|</form>|<button>|<nobr>|<h1>|<pre>|\n|<![CDATA[x]]>|<!--|-->|<br>|</br>|",
            "<img>|<frameset>|<body>|</html>|<plaintext>|text|&amp;|\0|<x/>",
        );
        let pieces_of_soup: Vec<&str> = PIECES.split('|').collect();
        (0..random.random_range(1..pieces))
            .map(|_| any_of(random, &pieces_of_soup))
            .collect()
    }

    /// Tag soup that goes deep: mostly start tags, of elements that nest in every mode of the
    /// tree builder, with formatting elements that differ so all of them are kept reopening.
    fn deep_soup(random: &mut impl RngExt, pieces: usize) -> String {
        const OPEN: &str = concat!(
            "<div>|<span>|<blockquote>|<p>|<a>|<table>|<tr>|<td>|<th>|<caption>|<ul>|<li>|",
            "<dl>|<dd>|<select>|<option>|<svg>|<g>|<math>|<mi>|<foreignObject>|<template>|",
            "<button>|<form>|<nobr>|<h1>|<object>|<ruby>|<rt>",
        );
        const CLOSE: &str = "</p>|</li>|</td>|</table>|</div>|</b>|</a>|x|</template>";
        let (open, close): (Vec<&str>, Vec<&str>) =
            (OPEN.split('|').collect(), CLOSE.split('|').collect());
        // Some soups close more than others.
        let opening = random.random_range(2..7);
        (0..pieces)
            .map(|_| match random.random_range(0..10) {
                n if n < opening => any_of(random, &open).to_string(),
                n if n < opening + 2 => format!("<b class={}>", random.random_range(0..1_000)),
                _ => any_of(random, &close).to_string(),
            })
            .collect()
    }

    #[test]
    fn whatever_is_kept_is_sanitised_as_it_was() {
        let mut random = rand_chacha::ChaCha8Rng::seed_from_u64(22);
        for _ in 0..3_000 {
            kept_whole(&soup(&mut random, 60));
        }
    }

    #[test]
    fn the_sanitiser_reads_bounded_html_within_the_bounds() {
        // The sanitiser's tree builder is the one the bound runs, so a second bound, given
        // what the first wrote, sees it hold no more elements than the first let it.
        let mut random = rand_chacha::ChaCha8Rng::seed_from_u64(4);
        let soups = (0..12).map(|_| deep_soup(&mut random, 20_000));
        for html in soups.chain([reopening()]) {
            let bounded = bound(&html);
            assert!(bounded.left_out.is_some());
            assert_eq!(bound(&bounded.html).left_out, None, "{html}");
        }
    }
}
