//! Claims: pages and files outside a service's folder that belong to it all the same, because
//! its doc says so (`pages: ["../../docs/gitaly/**"]`) or book.toml maps folders to services
//! by id (`[pages] attach = ["docs/{service}/**"]`).
//!
//! Pure: globs are matched against paths of the source folders, nothing is read.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::catalog::Service;
use crate::config::SERVICE_PLACEHOLDER;
use crate::deserialize::Segment;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::links::normalize;
use crate::parse::Origin;

/// Every claim of a book, matched together: a file is compared once, not once per service.
#[derive(Default)]
pub(crate) struct Claims {
    set: Option<GlobSet>,
    claims: Vec<Claim>,
}

struct Claim {
    service: usize,
    /// The source folder the pattern applies to; `None` for book.toml's, which apply to each.
    source_index: Option<usize>,
    /// The folder the pattern starts from: a claimed file's path below it is its path below
    /// the service's folder.
    base: String,
}

impl Claims {
    /// The claims of `services` (by index) and of book.toml's `attach` patterns.
    pub(crate) fn new(
        services: &[Service],
        attach: &[String],
        diagnostics: &mut Diagnostics,
    ) -> Claims {
        let mut builder = GlobSetBuilder::new();
        let mut claims = Vec::new();
        let mut add = |pattern: &str, service: usize, source_index: Option<usize>| {
            for (glob, base) in globs_of(pattern) {
                builder.add(GlobBuilder::new(&glob).literal_separator(true).build()?);
                claims.push(Claim {
                    service,
                    source_index,
                    base,
                });
            }
            Ok::<(), globset::Error>(())
        };
        for (service, entry) in services.iter().enumerate() {
            let source = &entry.source;
            for (index, written) in source.doc.pages.iter().enumerate() {
                let at = [Segment::Key("pages".into()), Segment::Index(index)];
                let problem = match normalize(&format!("{}/{written}", source.origin.folder())) {
                    None => {
                        "climbs above the source folder, where opsbook reads nothing".to_string()
                    }
                    Some(pattern) => {
                        match add(&pattern, service, Some(source.origin.source_index)) {
                            Ok(()) => continue,
                            Err(error) => format!("is not a valid pattern: {}", error.kind()),
                        }
                    }
                };
                diagnostics.push(
                    Diagnostic::warning(Code::PagesEntryClaimsNothing,
                        &source.origin.display_path,
                        format!("`pages` entry `{written}` {problem}; it claims no page"),
                    )
                    .at(source.locate(&at, false))
                    .with_help("give a folder of the same source, relative to this doc, e.g. `../../docs/checkout/**`"),
                );
            }
            for pattern in attach {
                let pattern = pattern.replace(SERVICE_PLACEHOLDER, entry.id().as_str());
                // Checked when book.toml was read: with an id in place, the pattern is valid.
                add(&pattern, service, None).ok();
            }
        }
        if claims.is_empty() {
            return Claims::default();
        }
        Claims {
            set: builder.build().ok(),
            claims,
        }
    }

    /// The service that claims the file at `origin`, with the file's path below the claim's
    /// folder. The most specific claim wins; two services that claim a file as specifically
    /// are a warning, and the first in id order gets it.
    pub(crate) fn owner(
        &self,
        services: &[Service],
        origin: &Origin,
        diagnostics: &mut Diagnostics,
    ) -> Option<(usize, String)> {
        let set = self.set.as_ref()?;
        let mut matching: Vec<&Claim> = set
            .matches(&origin.relative)
            .into_iter()
            .map(|index| &self.claims[index])
            .filter(|claim| {
                claim
                    .source_index
                    .is_none_or(|index| index == origin.source_index)
            })
            .collect();
        matching.sort_by(|a, b| {
            b.base
                .len()
                .cmp(&a.base.len())
                .then(a.service.cmp(&b.service))
        });
        matching.dedup_by_key(|claim| claim.service);
        let first = matching.first()?;
        if let Some(second) = matching.get(1).filter(|c| c.base.len() == first.base.len()) {
            diagnostics.push(
                Diagnostic::warning(
                    Code::PageClaimedTwice,
                    &origin.display_path,
                    format!(
                        "both `{}` and `{}` claim this page; it goes to `{}`",
                        services[first.service].id(),
                        services[second.service].id(),
                        services[first.service].id()
                    ),
                )
                .with_help("narrow one of the `pages` patterns so each page has one service"),
            );
        }
        let below = origin.relative[first.base.len()..].trim_start_matches('/');
        Some((first.service, below.to_string()))
    }
}

/// The globs a claim's pattern stands for, each with the folder it starts from. A pattern
/// without a wildcard names a file, or a folder and everything below it.
fn globs_of(pattern: &str) -> Vec<(String, String)> {
    let pattern = pattern.trim_end_matches('/');
    if pattern.contains(WILDCARDS) {
        return vec![(pattern.to_string(), base_of(pattern))];
    }
    let folder = pattern.rsplit_once('/').map_or("", |(folder, _)| folder);
    vec![
        (pattern.to_string(), folder.to_string()),
        (format!("{pattern}/**"), pattern.to_string()),
    ]
}

const WILDCARDS: [char; 4] = ['*', '?', '[', '{'];

/// The folders of a pattern before its first wildcard: `docs/gitaly` for `docs/gitaly/**/*.md`.
fn base_of(pattern: &str) -> String {
    pattern
        .split('/')
        .take_while(|part| !part.contains(WILDCARDS))
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base_is_the_folder_before_the_first_wildcard() {
        assert_eq!(base_of("docs/gitaly/**"), "docs/gitaly");
        assert_eq!(base_of("docs/gitaly/*.md"), "docs/gitaly");
        assert_eq!(base_of("docs/{a,b}/x.md"), "docs");
        assert_eq!(base_of("**/*.md"), "");
    }

    #[test]
    fn a_pattern_without_wildcards_is_a_file_or_a_folder() {
        assert_eq!(
            globs_of("docs/gitaly/"),
            [
                ("docs/gitaly".to_string(), "docs".to_string()),
                ("docs/gitaly/**".to_string(), "docs/gitaly".to_string())
            ]
        );
        assert_eq!(
            globs_of("docs/*.md"),
            [("docs/*.md".to_string(), "docs".to_string())]
        );
    }
}
