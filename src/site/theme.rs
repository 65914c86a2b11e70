//! The theme: Tera templates and static assets, embedded in the binary so opsbook runs from
//! anywhere. A `theme/` folder beside book.toml overrides any file (`theme/templates/x.html`,
//! `theme/assets/x.css`) and may add assets of its own.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{Context as _, Result};

use crate::diag::{Code, Diagnostic, Diagnostics, Position};

/// Templates every theme has, by name.
const TEMPLATES: &[(&str, &str)] = &[
    (
        "base.html",
        include_str!("../../themes/default/templates/base.html"),
    ),
    (
        "index.html",
        include_str!("../../themes/default/templates/index.html"),
    ),
    (
        "service.html",
        include_str!("../../themes/default/templates/service.html"),
    ),
    (
        "page.html",
        include_str!("../../themes/default/templates/page.html"),
    ),
    (
        "doc.html",
        include_str!("../../themes/default/templates/doc.html"),
    ),
    (
        "checks.html",
        include_str!("../../themes/default/templates/checks.html"),
    ),
    (
        "teams.html",
        include_str!("../../themes/default/templates/teams.html"),
    ),
    (
        "gaps.html",
        include_str!("../../themes/default/templates/gaps.html"),
    ),
    (
        "graph.html",
        include_str!("../../themes/default/templates/graph.html"),
    ),
    (
        "system.html",
        include_str!("../../themes/default/templates/system.html"),
    ),
    (
        "404.html",
        include_str!("../../themes/default/templates/404.html"),
    ),
    (
        "wide-diagram.html",
        include_str!("../../themes/default/templates/wide-diagram.html"),
    ),
    (
        "level-pair.html",
        include_str!("../../themes/default/templates/level-pair.html"),
    ),
    (
        "legend.html",
        include_str!("../../themes/default/templates/legend.html"),
    ),
    (
        "risk-list.html",
        include_str!("../../themes/default/templates/risk-list.html"),
    ),
    (
        "gap-location.html",
        include_str!("../../themes/default/templates/gap-location.html"),
    ),
    (
        "history.html",
        include_str!("../../themes/default/templates/history.html"),
    ),
];

const ASSETS: &[(&str, &[u8])] = &[
    (
        "opsbook.css",
        include_bytes!("../../themes/default/assets/opsbook.css"),
    ),
    (
        "opsbook.js",
        include_bytes!("../../themes/default/assets/opsbook.js"),
    ),
    (
        "favicon.svg",
        include_bytes!("../../themes/default/assets/favicon.svg"),
    ),
    (
        "search.js",
        include_bytes!("../../themes/default/assets/search.js"),
    ),
];

/// Folder beside book.toml whose files override the embedded theme.
pub(crate) const OVERRIDE_DIR: &str = "theme";

/// Compiled templates and the assets to publish under `assets/`.
pub(crate) struct Theme {
    pub(crate) tera: tera::Tera,
    pub(crate) assets: BTreeMap<String, Vec<u8>>,
    /// Names of the templates the book's `theme/templates/` replaces or adds, so problems
    /// in pages can be blamed on the book's own templates rather than opsbook's.
    pub(crate) overrides: BTreeSet<String>,
}

impl std::fmt::Debug for Theme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Theme")
            .field("assets", &self.assets.keys())
            .finish()
    }
}

impl Theme {
    /// The embedded theme with the book's overrides laid over it. Problems in the book's own
    /// templates are diagnostics; the embedded theme failing to compile is a bug (`Err`).
    pub(crate) fn load(book_root: &Path, diagnostics: &mut Diagnostics) -> Result<Theme> {
        let overrides = book_root.join(OVERRIDE_DIR);
        let mut sources: BTreeMap<String, (String, Option<String>)> = TEMPLATES
            .iter()
            .map(|(name, text)| (name.to_string(), (text.to_string(), None)))
            .collect();
        for (name, bytes) in read_folder(&overrides.join("templates"))? {
            let display = format!("{OVERRIDE_DIR}/templates/{name}");
            match String::from_utf8(bytes) {
                Ok(text) => {
                    sources.insert(name, (text, Some(display)));
                }
                Err(_) => diagnostics.push(Diagnostic::error(
                    Code::TemplateNotText,
                    display,
                    "the template is not UTF-8 text",
                )),
            }
        }
        let mut tera = tera::Tera::new();
        tera.autoescape_on([".html"]);
        tera.register_filter(
            "code_spans",
            |text: &str, _: tera::Kwargs, _: &tera::State| {
                tera::Value::safe_string(&code_spans(text))
            },
        );
        // All at once: templates include and extend each other, in any order.
        let templates = sources
            .iter()
            .map(|(name, (text, _))| (name.as_str(), text.as_str()));
        if let Err(error) = tera.add_raw_templates(templates) {
            let culprit = failing_template(&error).and_then(|name| sources.get(name));
            match culprit {
                Some((_, Some(path))) => diagnostics.push(template_diagnostic(path, &error)),
                _ => {
                    return Err(anyhow::anyhow!(
                        "built-in theme: {}",
                        template_error(&error)
                    ));
                }
            }
        }
        let mut assets: BTreeMap<String, Vec<u8>> = ASSETS
            .iter()
            .map(|(name, bytes)| (name.to_string(), bytes.to_vec()))
            .collect();
        assets.extend(read_folder(&overrides.join("assets"))?);
        let overrides = sources
            .into_iter()
            .filter_map(|(name, (_, path))| path.map(|_| name))
            .collect();
        Ok(Theme {
            tera,
            assets,
            overrides,
        })
    }
}

/// The template an error is in, when Tera says.
fn failing_template(error: &tera::Error) -> Option<&str> {
    match error.kind() {
        tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
            Some(report.filename())
        }
        tera::ErrorKind::MissingParent { current, .. } => Some(current),
        _ => None,
    }
}

/// A problem in a template of the book's own theme, located when Tera says where.
fn template_diagnostic(path: &str, error: &tera::Error) -> Diagnostic {
    match error.kind() {
        tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
            let span = report.span();
            Diagnostic::error(Code::TemplateError, path, report.message().to_string())
                .at(Position::new(span.start_line, span.start_col + 1))
        }
        _ => Diagnostic::error(Code::TemplateError, path, template_error(error)),
    }
}

/// Tera's message with its causes, on one line each.
pub(crate) fn template_error(error: &tera::Error) -> String {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    message
}

/// Files directly inside `folder` (none if it does not exist), by name.
fn read_folder(folder: &Path) -> Result<BTreeMap<String, Vec<u8>>> {
    let mut files = BTreeMap::new();
    if !folder.is_dir() {
        return Ok(files);
    }
    for entry in
        std::fs::read_dir(folder).with_context(|| format!("cannot read {}", folder.display()))?
    {
        let entry = entry.with_context(|| format!("cannot read {}", folder.display()))?;
        if entry.file_type()?.is_file() {
            let bytes = std::fs::read(entry.path())
                .with_context(|| format!("cannot read {}", entry.path().display()))?;
            files.insert(entry.file_name().to_string_lossy().into_owned(), bytes);
        }
    }
    Ok(files)
}

/// The `code_spans` filter of templates: `text` escaped, with each `quoted` span as a `<code>`
/// element, the way checks write field names in their titles, messages and fixes. A run of
/// three backticks is text, and so is every backtick of a text with an odd number of them.
pub(crate) fn code_spans(text: &str) -> String {
    let mut delimiters = Vec::new();
    let mut at = 0;
    while let Some(found) = text[at..].find('`') {
        let start = at + found;
        if text[start..].starts_with("```") {
            at = start + 3;
        } else {
            delimiters.push(start);
            at = start + 1;
        }
    }
    if delimiters.len() % 2 == 1 {
        delimiters.clear();
    }
    let mut html = Vec::with_capacity(text.len() + 16 * delimiters.len());
    let mut from = 0;
    for span in delimiters.chunks(2) {
        escape_into(&text[from..span[0]], &mut html);
        html.extend_from_slice(b"<code>");
        escape_into(&text[span[0] + 1..span[1]], &mut html);
        html.extend_from_slice(b"</code>");
        from = span[1] + 1;
    }
    escape_into(&text[from..], &mut html);
    String::from_utf8(html).unwrap_or_default()
}

fn escape_into(text: &str, html: &mut Vec<u8>) {
    // Writing to a Vec cannot fail.
    let _ = tera::escape_html(text, html);
}

#[cfg(test)]
mod tests {
    use super::code_spans;

    #[test]
    fn code_spans_become_code_elements_and_everything_is_escaped() {
        assert_eq!(
            code_spans("Set `owner.email` or `owner.chat` (<team> & co)"),
            "Set <code>owner.email</code> or <code>owner.chat</code> (&lt;team&gt; &amp; co)"
        );
        assert_eq!(
            code_spans("`logs.location`, e.g. `a -> b`"),
            "<code>logs.location</code>, e.g. <code>a -&gt; b</code>"
        );
    }

    #[test]
    fn fences_and_unpaired_backticks_stay_text() {
        assert_eq!(
            code_spans("a ```dot block and `x`"),
            "a ```dot block and <code>x</code>"
        );
        assert_eq!(code_spans("one ` alone <b>"), "one ` alone &lt;b&gt;");
    }
}
