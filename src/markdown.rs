//! Markdown: facts the checklist reads (headings, code blocks, images) and HTML rendering.
//!
//! Pure: pulldown-cmark with tables, footnotes, strikethrough, task lists and heading ids.
//! Rendering takes a link resolver so `.md` links become links to the generated pages; the
//! resolver (not this module) knows the site's URL scheme.

use std::collections::{BTreeSet, HashMap};

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::Serialize;

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// A heading of a document, with the id its anchor gets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    pub id: String,
}

/// What the checklist may ask of a document body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub headings: Vec<Heading>,
    /// Languages of fenced code blocks (`dot`, `sh`, ...), lower-case.
    pub code_languages: BTreeSet<String>,
    /// Lower-case text of each heading that has an image somewhere in its section.
    pub headings_with_images: BTreeSet<String>,
}

impl Facts {
    pub fn has_heading(&self, wanted: &str) -> bool {
        self.headings
            .iter()
            .any(|h| h.text.eq_ignore_ascii_case(wanted.trim()))
    }

    /// The first heading, used as a page title.
    pub fn title(&self) -> Option<&str> {
        self.headings.first().map(|h| h.text.as_str())
    }
}

/// Reads the facts of a document without rendering it.
pub fn analyze(body: &str) -> Facts {
    let mut facts = Facts::default();
    let mut ids = IdGenerator::default();
    let mut current_heading: Option<String> = None;
    let mut heading_text: Option<(u8, String)> = None;
    for event in Parser::new_ext(body, options()) {
        match event {
            Event::Start(Tag::Heading { .. }) => heading_text = Some((0, String::new())),
            Event::End(TagEnd::Heading(level)) => {
                if let Some((_, text)) = heading_text.take() {
                    let text = text.trim().to_string();
                    current_heading = Some(text.to_lowercase());
                    let id = ids.next(&text);
                    facts.headings.push(Heading {
                        level: heading_number(level),
                        text,
                        id,
                    });
                }
            }
            Event::Text(text) | Event::Code(text) => {
                if let Some((_, heading)) = heading_text.as_mut() {
                    heading.push_str(&text);
                }
            }
            Event::Start(Tag::CodeBlock(pulldown_cmark::CodeBlockKind::Fenced(info))) => {
                if let Some(language) = info.split_whitespace().next() {
                    facts.code_languages.insert(language.to_lowercase());
                }
            }
            Event::Start(Tag::Image { .. }) => {
                if let Some(heading) = &current_heading {
                    facts.headings_with_images.insert(heading.clone());
                }
            }
            _ => {}
        }
    }
    facts
}

fn heading_number(level: HeadingLevel) -> u8 {
    level as u8
}

/// Renders `body` to HTML. `resolve_link` maps a link or image destination to the URL to
/// use instead, or `None` to keep it as written.
pub fn render(body: &str, resolve_link: &dyn Fn(&str) -> Option<String>) -> String {
    let mut events: Vec<Event> = Parser::new_ext(body, options()).collect();
    assign_heading_ids(&mut events);
    for event in &mut events {
        if let Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) = event
            && let Some(resolved) = resolve_link(dest_url)
        {
            *dest_url = CowStr::from(resolved);
        }
    }
    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    html
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

pub fn slug(text: &str) -> String {
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

    #[test]
    fn headings_get_unique_ids() {
        let html = render("# Runbook\n## Steps\n## Steps\n", &|_| None);
        assert!(html.contains(r#"<h1 id="runbook">"#), "{html}");
        assert!(html.contains(r#"<h2 id="steps-1">"#), "{html}");
    }

    #[test]
    fn renders_tables_footnotes_strikethrough_and_tasks() {
        let html = render(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ text[^1]\n\n[^1]: note\n\n- [x] done\n",
            &|_| None,
        );
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("<del>old</del>"), "{html}");
        assert!(html.contains("footnote-definition"), "{html}");
        assert!(html.contains(r#"type="checkbox""#), "{html}");
    }

    #[test]
    fn rewrites_links_through_the_resolver() {
        let html = render("[run](runbooks/a.md) [web](https://x.example)", &|url| {
            url.strip_suffix(".md").map(|stem| format!("{stem}.html"))
        });
        assert!(html.contains(r#"href="runbooks/a.html""#), "{html}");
        assert!(html.contains(r#"href="https://x.example""#), "{html}");
    }

    #[test]
    fn facts_find_code_languages_and_images_under_headings() {
        let facts = analyze(
            "# Checkout\n## Architecture\n\n![diagram](arch.png)\n\n```dot\ndigraph {}\n```\n",
        );
        assert!(facts.has_heading("architecture"));
        assert!(facts.code_languages.contains("dot"));
        assert!(facts.headings_with_images.contains("architecture"));
        assert_eq!(facts.title(), Some("Checkout"));
    }
}
