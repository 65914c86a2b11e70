//! The output link check: every relative `href` and `src` of every HTML file of the rendered
//! site must lead to a file of the site and, with a `#fragment`, to an `id` (or `<a name>`)
//! in that page.
//!
//! Runs on the files in memory, after rendering and before writing, so a site with a dead
//! link is never written. It knows nothing of where links come from: whatever the theme, a
//! user's Markdown or a later stage of opsbook puts in a page is checked the same way. Each
//! problem is blamed on the file a user can fix: the Markdown file a page was made from, or
//! the template that made it.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use lol_html::{HtmlRewriter, Settings, element};
use rayon::prelude::*;

use crate::diag::{Code, Diagnostic, Diagnostics, Severity};
use crate::links::{fragment, has_scheme, normalize};
use crate::markdown::Facts;
use crate::site::theme::OVERRIDE_DIR;

/// What made a page of the site.
#[derive(Debug, Clone, Copy)]
pub(crate) enum MadeFrom<'a> {
    /// A user's Markdown file (service doc, extra page or general page), through a template.
    Source {
        path: &'a Path,
        facts: &'a Facts,
        /// Its Markdown body, where links written as HTML are found.
        body: &'a str,
        template: &'a str,
    },
    /// A template alone (the organisation's pages).
    Template(&'a str),
}

/// A rendered site as the link check sees it: the path of every file, and the anchors and
/// links of every HTML page. Pages are scanned as they are rendered, so the site itself need
/// not be held in memory.
#[derive(Debug, Default)]
pub(crate) struct SiteIndex {
    paths: HashSet<String>,
    scans: HashMap<String, Scan>,
}

impl SiteIndex {
    /// One file of the site, scanned if it is an HTML page.
    pub(crate) fn scan_file(path: String, bytes: &[u8]) -> Result<(String, Option<Scan>)> {
        if !path.ends_with(".html") {
            return Ok((path, None));
        }
        let scan = scan(bytes).with_context(|| format!("reading {path}"))?;
        Ok((path, Some(scan)))
    }

    pub(crate) fn page_count(&self) -> usize {
        self.scans.len()
    }

    fn contains(&self, path: &str) -> bool {
        self.paths.contains(path)
    }
}

impl FromIterator<(String, Option<Scan>)> for SiteIndex {
    fn from_iter<I: IntoIterator<Item = (String, Option<Scan>)>>(files: I) -> Self {
        let mut index = SiteIndex::default();
        for (path, scan) in files {
            if let Some(scan) = scan {
                index.scans.insert(path.clone(), scan);
            }
            index.paths.insert(path);
        }
        index
    }
}

/// The anchors and links of one HTML page.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    anchors: HashSet<String>,
    /// `href` and `src` values, entities decoded, in document order.
    links: Vec<String>,
}

/// Finds every `id`, `<a name>`, `href` and `src` of a page.
fn scan(html: &[u8]) -> Result<Scan> {
    let mut anchors = HashSet::new();
    let mut links = Vec::new();
    let decode = |value: String| html_escape::decode_html_entities(&value).into_owned();
    {
        // One handler reading the attributes of every element: faster than selectors for
        // `[id]`, `[href]` and `[src]` (200 ms against 290 ms on a 1,000-service site).
        let settings = Settings::new().append_element_content_handler(element!("*", |el| {
            for attribute in el.attributes() {
                match attribute.name().as_str() {
                    "id" => {
                        anchors.insert(decode(attribute.value()));
                    }
                    "name" if el.tag_name() == "a" => {
                        anchors.insert(decode(attribute.value()));
                    }
                    "href" | "src" => links.push(decode(attribute.value())),
                    _ => {}
                }
            }
            Ok(())
        }));
        let mut rewriter = HtmlRewriter::new(settings, |_: &[u8]| {});
        rewriter.write(html)?;
        rewriter.end()?;
    }
    Ok(Scan { anchors, links })
}

/// Why a link is dead.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Dead {
    /// The site has no file at this path.
    NoFile(String),
    /// The page exists but has no such anchor: (page, anchor).
    NoAnchor(String, String),
    /// The link climbs above the site's root.
    OutsideSite,
}

/// One dead link on one page.
#[derive(Debug)]
struct Problem<'a> {
    page: &'a str,
    href: String,
    dead: Dead,
}

/// Checks every link of every HTML page of `site`. `made_from` says which file made a page,
/// so each problem names a file a user can fix; `overrides` are the templates the book's
/// theme replaces. A dead link an author wrote as HTML in a doc is a problem of `authored`
/// severity (`[output] broken-links`), as one written in Markdown is; every other is an error.
pub(crate) fn check<'m>(
    site: &SiteIndex,
    made_from: &(dyn Fn(&str) -> Option<MadeFrom<'m>> + Sync),
    overrides: &BTreeSet<String>,
    authored: Severity,
) -> Diagnostics {
    let pages: Vec<&String> = site.scans.keys().collect();
    let mut problems: Vec<Problem> = pages
        .par_iter()
        .flat_map_iter(|page| {
            let scan = &site.scans[*page];
            scan.links.iter().filter_map(|href| {
                let dead = dead_link(site, page, href)?;
                Some(Problem {
                    page,
                    href: href.clone(),
                    dead,
                })
            })
        })
        .collect();
    problems.retain(|problem| !warned_already(problem, made_from));
    let mut diagnostics = Diagnostics::new();
    problems.retain(
        |problem| match written_in_doc(problem, made_from, authored) {
            Some(diagnostic) => {
                diagnostics.push(diagnostic);
                false
            }
            None => true,
        },
    );
    diagnostics.extend(report(problems, made_from, overrides));
    diagnostics
}

/// The problem, at the line it is written, when a dead link is in a doc's own HTML: HTML
/// is published as it is written, so what it links to must be the site's address.
fn written_in_doc<'m>(
    problem: &Problem,
    made_from: &(dyn Fn(&str) -> Option<MadeFrom<'m>> + Sync),
    severity: Severity,
) -> Option<Diagnostic> {
    let Some(MadeFrom::Source {
        path, facts, body, ..
    }) = made_from(problem.page)
    else {
        return None;
    };
    let at = facts.locate_in(body, &problem.href)?;
    let what = match &problem.dead {
        Dead::NoFile(_) => "which is not among the site's files",
        Dead::NoAnchor(..) => "but that page has no element with that id",
        Dead::OutsideSite => "which leads outside the site",
    };
    Some(
        Diagnostic::new(
            severity, Code::HtmlBrokenLink,
            path,
            format!("HTML here links to `{}`, {what}", problem.href),
        )
        .at(at)
        .with_help(format!(
            "HTML in a doc is published as it is written, so its links are not rewritten: write the link in Markdown (`[text]({})`), which leads to the published page",
            problem.href
        )),
    )
}

/// Why `href` on `page` is dead, or `None` if it leads somewhere (or off the site).
fn dead_link(site: &SiteIndex, page: &str, href: &str) -> Option<Dead> {
    let href = href.trim();
    // Root paths depend on where the site is served; protocol-relative ones leave the site.
    if href.starts_with('/') || has_scheme(href) {
        return None;
    }
    let path = href.split(['?', '#']).next().unwrap_or_default();
    let target = if path.is_empty() {
        page.to_string()
    } else {
        let path = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
        let folder = page.rsplit_once('/').map_or("", |(folder, _)| folder);
        let Some(target) = normalize(&format!("{folder}/{path}")) else {
            return Some(Dead::OutsideSite);
        };
        // A folder is served as its index.html.
        if path.ends_with('/') || target.is_empty() || !site.contains(&target) {
            let index = match target.as_str() {
                "" => "index.html".to_string(),
                folder => format!("{folder}/index.html"),
            };
            if site.contains(&index) { index } else { target }
        } else {
            target
        }
    };
    if !site.contains(&target) {
        return Some(Dead::NoFile(target));
    }
    let anchor = fragment(href)?;
    let scan = site.scans.get(target.as_str())?;
    (!scan.anchors.contains(&anchor)).then_some(Dead::NoAnchor(target, anchor))
}

/// A dead anchor the user wrote in Markdown was reported (as a warning) where it is written;
/// failing the build for it here would turn that warning into an error.
fn warned_already<'m>(
    problem: &Problem,
    made_from: &(dyn Fn(&str) -> Option<MadeFrom<'m>> + Sync),
) -> bool {
    let Dead::NoAnchor(_, anchor) = &problem.dead else {
        return false;
    };
    matches!(made_from(problem.page), Some(MadeFrom::Source { facts, .. })
        if facts.links.iter().any(|link| fragment(&link.destination).as_ref() == Some(anchor)))
}

/// One diagnostic per dead target: a broken link in a shared template would otherwise be
/// reported once for every page.
fn report<'m>(
    problems: Vec<Problem>,
    made_from: &(dyn Fn(&str) -> Option<MadeFrom<'m>> + Sync),
    overrides: &BTreeSet<String>,
) -> Diagnostics {
    let mut by_target: BTreeMap<&Dead, Vec<&Problem>> = BTreeMap::new();
    for problem in &problems {
        by_target.entry(&problem.dead).or_default().push(problem);
    }
    let mut diagnostics = Diagnostics::new();
    for (dead, mut group) in by_target {
        group.sort_by_key(|p| p.page);
        let first = group[0];
        let blamed: BTreeSet<PathBuf> = group
            .iter()
            .map(|p| blame(p.page, made_from(p.page), overrides).0)
            .collect();
        let (path, made_by, help) = blame(first.page, made_from(first.page), overrides);
        let what = match dead {
            Dead::NoFile(_) => "which is not among the site's files".to_string(),
            Dead::NoAnchor(target, anchor) => {
                format!("but `{target}` has no element with id `{anchor}`")
            }
            Dead::OutsideSite => "which leads outside the site".to_string(),
        };
        let mut message = format!(
            "`{}`{made_by} links to `{}`, {what}",
            first.page, first.href
        );
        let mut help = help;
        if group.len() > 1 {
            let others = group.len() - 1;
            let pages = if others == 1 { "page" } else { "pages" };
            message.push_str(&format!(" (and on {others} other {pages})"));
            if blamed.len() > 1 {
                help = format!(
                    "pages made from different files share the link, so it most likely comes from a template they share{}",
                    overrides_note(overrides)
                );
            }
        }
        // An overridden template that drops an id opsbook's pages link to is the one to fix.
        let mut path = path;
        if let Dead::NoAnchor(target, _) = dead
            && let Some(MadeFrom::Template(template)) = made_from(target)
            && overrides.contains(template)
        {
            path = PathBuf::from(format!("{OVERRIDE_DIR}/templates/{template}"));
            help = format!(
                "this template replaces opsbook's `{template}`: keep the ids other pages link to"
            );
        }
        diagnostics.push(Diagnostic::error(Code::SiteBrokenLink, path, message).with_help(help));
    }
    diagnostics
}

/// The file to blame for a page, how the message says what made it, and a help line.
fn blame(
    page: &str,
    made_from: Option<MadeFrom>,
    overrides: &BTreeSet<String>,
) -> (PathBuf, String, String) {
    match made_from {
        Some(MadeFrom::Source { path, template, .. }) => (
            path.to_path_buf(),
            ", the page of this file,".to_string(),
            format!(
                "the link is in this file (its Markdown, HTML or front matter) or in the `{template}` template{}",
                overrides_note(overrides)
            ),
        ),
        Some(MadeFrom::Template(template)) if overrides.contains(template) => (
            PathBuf::from(format!("{OVERRIDE_DIR}/templates/{template}")),
            ", made by this template,".to_string(),
            "fix the link in this template".to_string(),
        ),
        Some(MadeFrom::Template(template)) => (
            PathBuf::from(page),
            format!(" (opsbook's own `{template}` template)"),
            match overrides_note(overrides) {
                note if note.is_empty() => {
                    "this is a bug in opsbook's default theme: please report it".to_string()
                }
                note => format!("the link most likely comes from a template it shares{note}"),
            },
        ),
        None => (
            PathBuf::from(page),
            String::new(),
            "this is a bug in opsbook: please report it".to_string(),
        ),
    }
}

fn overrides_note(overrides: &BTreeSet<String>) -> String {
    if overrides.is_empty() {
        return String::new();
    }
    let names: Vec<&str> = overrides.iter().map(String::as_str).collect();
    format!(
        "; the book's `{OVERRIDE_DIR}/templates/` replaces {}",
        names.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(pairs: &[(&str, &str)]) -> SiteIndex {
        pairs
            .iter()
            .map(|(path, text)| SiteIndex::scan_file(path.to_string(), text.as_bytes()))
            .collect::<Result<SiteIndex>>()
            .unwrap()
    }

    fn problems(site: &SiteIndex) -> Vec<String> {
        let made_from = |page: &str| {
            Some(MadeFrom::Template(match page {
                "index.html" => "index.html",
                _ => "page.html",
            }))
        };
        let diagnostics = check(site, &made_from, &BTreeSet::new(), Severity::Error);
        diagnostics
            .sorted()
            .iter()
            .map(|d| d.message.clone())
            .collect()
    }

    #[test]
    fn good_links_pass() {
        let files = site(&[
            (
                "index.html",
                r##"<a href="services/a/">a</a> <a href="services/a/index.html#slo">slo</a>
                <a href="#top" id="top">top</a> <img src="logo%20big.svg">
                <a href="https://x.example/nope.html">web</a> <a href="mailto:a@b.example">m</a>
                <a href="services/a/index.html?tab=1#s%C3%A9">q</a> <a href="?x">self</a>
                <a href="/served/elsewhere.html">root</a> <a href="#named">named</a><a name="named"></a>
                <a href="./services/../services/a/index.html">dots</a>"##,
            ),
            (
                "services/a/index.html",
                r#"<h2 id="slo">SLO</h2><h2 id="sé">é</h2><a href="../../index.html">up</a>
                <svg><a href="../../"><rect/></a></svg> <a href="..&#x2F;..&#x2F;index.html#top">e</a>"#,
            ),
            ("logo big.svg", "<svg/>"),
        ]);
        assert_eq!(problems(&files), Vec::<String>::new());
    }

    #[test]
    fn dead_files_anchors_and_escapes_are_reported_once_each() {
        let files = site(&[
            (
                "index.html",
                r#"<a href="services/b/index.html">b</a> <a href="services/a/index.html#gone">x</a>
                <a href="../outside.html">out</a> <img src="services/a/missing.png">"#,
            ),
            (
                "services/a/index.html",
                r##"<a href="../b/index.html">b</a> <a href="#nope">self</a>"##,
            ),
        ]);
        assert_eq!(
            problems(&files),
            vec![
                "`index.html` (opsbook's own `index.html` template) links to `../outside.html`, which leads outside the site",
                "`index.html` (opsbook's own `index.html` template) links to `services/a/index.html#gone`, but `services/a/index.html` has no element with id `gone`",
                "`index.html` (opsbook's own `index.html` template) links to `services/a/missing.png`, which is not among the site's files",
                "`index.html` (opsbook's own `index.html` template) links to `services/b/index.html`, which is not among the site's files (and on 1 other page)",
                "`services/a/index.html` (opsbook's own `page.html` template) links to `#nope`, but `services/a/index.html` has no element with id `nope`",
            ]
        );
    }

    #[test]
    fn scripts_styles_comments_and_other_attributes_hold_no_links() {
        let files = site(&[(
            "index.html",
            r##"<script>document.write('<a href="gone.html">');</script>
            <style>a[href="gone.css"] { color: red }</style><!-- <a href="gone-too.html"> -->
            <a title='<a href="nope.html">' data-href="nope.html" name="x" href="#y">a</a>
            <p name="y" id=y>p</p>"##,
        )]);
        assert_eq!(problems(&files), Vec::<String>::new());
        let anchors = &files.scans["index.html"].anchors;
        assert_eq!(anchors.len(), 2, "{anchors:?}");
    }

    #[test]
    fn an_override_that_drops_a_linked_id_is_blamed() {
        let files = site(&[
            ("teams/index.html", "<p>our teams</p>"),
            (
                "services/a/index.html",
                r#"<a href="../../teams/index.html#team-x">team</a>"#,
            ),
        ]);
        let made_from = |page: &str| {
            Some(MadeFrom::Template(match page {
                "teams/index.html" => "teams.html",
                _ => "page.html",
            }))
        };
        let overrides = BTreeSet::from(["teams.html".to_string()]);
        let diagnostics = check(&files, &made_from, &overrides, Severity::Error);
        let blamed: Vec<String> = diagnostics.sorted().iter().map(|d| d.location()).collect();
        assert_eq!(blamed, vec!["theme/templates/teams.html"]);
    }
}
