//! The stable code of every kind of problem opsbook reports in a user's file: `OB` and four
//! digits, the first two naming the file or stage the problem is in. A code never changes
//! meaning and is never reused, so CI filters, SARIF rules and search results keep working
//! across versions. docs/diagnostics.md explains each one, with an example and the fix (and
//! `opsbook explain CODE` prints that section); a test keeps the two lists in step.

use serde::{Deserialize, Serialize};

/// Declares the codes once: the variant, its code, a short kebab-case name, and a summary.
macro_rules! codes {
    ($($variant:ident = $id:literal, $name:literal, $summary:literal;)*) => {
        /// What kind of problem a diagnostic is (see the module documentation).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub(crate) enum Code {
            $(#[doc = $summary] #[serde(rename = $id)] $variant,)*
        }

        impl Code {
            /// Every code, in the order of docs/diagnostics.md.
            pub(crate) const ALL: &[Code] = &[$(Code::$variant),*];

            /// `OB0103`.
            pub(crate) fn id(self) -> &'static str {
                match self { $(Code::$variant => $id,)* }
            }

            /// `book-unknown-key`: what the code is about, for people and SARIF rule names.
            pub(crate) fn name(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// One sentence saying what the problem is.
            pub(crate) fn summary(self) -> &'static str {
                match self { $(Code::$variant => $summary,)* }
            }
        }
    };
}

codes! {
    BookUnreadable = "OB0101", "book-unreadable", "book.toml exists but cannot be read.";
    BookSyntax = "OB0102", "book-syntax", "book.toml is not valid TOML.";
    BookUnknownKey = "OB0103", "book-unknown-key", "book.toml has a key opsbook does not know.";
    BookInvalidValue = "OB0104", "book-invalid-value", "A value in book.toml has the wrong type or is not one of the allowed values.";
    SourceEntryInvalid = "OB0105", "source-entry-invalid", "A `[[source]]` entry in book.toml cannot be used as written.";
    AttachPatternInvalid = "OB0106", "attach-pattern-invalid", "A `[pages] attach` pattern does not name `{service}` or is not a valid glob.";

    SourceFolderMissing = "OB0201", "source-folder-missing", "A source folder named in book.toml does not exist.";
    FileUnreadable = "OB0202", "file-unreadable", "A file in the sources cannot be read.";
    FileTooLarge = "OB0203", "file-too-large", "A file in the sources is larger than opsbook reads.";
    BuiltSiteSkipped = "OB0204", "built-site-skipped", "A folder in the sources is a site opsbook built; its pages are not read as docs.";
    SymlinkOutsideSource = "OB0205", "symlink-outside-source", "A symlink in the sources leads outside its source folder and is not read.";
    FolderUnreadable = "OB0206", "folder-unreadable", "A folder in the sources cannot be read, or links back to a folder above it.";
    GitUnavailable = "OB0207", "git-unavailable", "The book has git sources but git cannot be run.";
    SourceNotCached = "OB0208", "source-not-cached", "A git source has never been fetched and the build is offline.";
    SourceStale = "OB0209", "source-stale", "A git source could not be fetched and is built from an older copy.";
    SourceFetchFailed = "OB0210", "source-fetch-failed", "A git source cannot be fetched.";

    DocEmpty = "OB0301", "doc-empty", "A Markdown file is empty.";
    FrontMatterUnclosed = "OB0302", "front-matter-unclosed", "Front matter opened with `---` is never closed.";
    FrontMatterSyntax = "OB0303", "front-matter-syntax", "The front matter is not valid YAML.";
    DocNotText = "OB0304", "doc-not-text", "A Markdown file is not UTF-8 (or UTF-16) text.";
    DocUnknownKey = "OB0305", "doc-unknown-key", "A service doc's front matter has a key opsbook does not know; it is ignored.";
    DocInvalidValue = "OB0306", "doc-invalid-value", "A value in a service doc's front matter has the wrong type or is not one of the allowed values.";
    UnsafeAddress = "OB0307", "unsafe-address", "An address in the front matter has a scheme no page links to (`javascript:`, `data:`, `file:`).";
    WaiverUnknownCheck = "OB0308", "waiver-unknown-check", "A waiver names a check the checklist does not have.";

    DuplicateService = "OB0401", "duplicate-service", "Two service docs declare the same service id.";
    UnknownDependency = "OB0402", "unknown-dependency", "A service depends on an id no service doc declares.";
    UnknownComponent = "OB0403", "unknown-component", "An architecture link names a component the doc does not declare.";
    FileBetweenServices = "OB0404", "file-between-services", "A file sits beside several service docs, so it belongs to none.";
    ClaimedPageShadowed = "OB0405", "claimed-page-shadowed", "A page a service claims would be published where one of its own files is.";
    PagesEntryClaimsNothing = "OB0406", "pages-entry-claims-nothing", "A `pages` entry of a service doc is not a valid pattern or leaves the sources.";
    PageClaimedTwice = "OB0407", "page-claimed-twice", "Two services claim the same page.";

    BrokenLink = "OB0501", "broken-link", "A link leads to no file of the book.";
    LinkOutsideSources = "OB0502", "link-outside-sources", "A link leads to a file outside the sources, which cannot be published.";
    LinkToWithheldFile = "OB0503", "link-to-withheld-file", "A link leads to a file the site does not publish.";
    MissingHeading = "OB0504", "missing-heading", "A link names a heading the page does not have.";
    HtmlBrokenLink = "OB0505", "html-broken-link", "Raw HTML in a doc links to something the site does not have.";
    RawHtmlLeftOut = "OB0506", "raw-html-left-out", "A raw HTML element is left out of the page, or never closed.";
    HtmlTooTangled = "OB0507", "html-too-tangled", "Raw HTML nests too deep or leaves too many elements open to be shown as written.";
    DotSyntax = "OB0508", "dot-syntax", "A ```dot block cannot be read as a diagram.";
    DiagramNotDrawn = "OB0509", "diagram-not-drawn", "A diagram is too large to draw and is shown as code.";

    ChecklistUnreadable = "OB0601", "checklist-unreadable", "The checklist file named in book.toml cannot be read.";
    ChecklistSyntax = "OB0602", "checklist-syntax", "The checklist file is not valid YAML.";
    ChecklistUnknownKey = "OB0603", "checklist-unknown-key", "The checklist has a key opsbook does not know.";
    ChecklistInvalidValue = "OB0604", "checklist-invalid-value", "A value in the checklist has the wrong type or is not one of the allowed values.";
    DuplicateCheck = "OB0605", "duplicate-check", "Two checks of the checklist have the same id.";
    CheckWithoutLevel = "OB0606", "check-without-level", "A check has level `none`.";

    FileNotPublished = "OB0701", "file-not-published", "A file a doc links to is of a kind the site does not publish.";
    SvgCleaned = "OB0702", "svg-cleaned", "Something unsafe was removed from a published SVG image.";
    SvgRefused = "OB0703", "svg-refused", "An SVG image cannot be made safe and is not published.";

    BackstageSyntax = "OB0801", "backstage-syntax", "A Backstage catalog file is not valid YAML.";
    BackstageInvalidValue = "OB0802", "backstage-invalid-value", "A value of a Backstage entity has the wrong type or cannot be read into a service doc.";
    BackstageKindSkipped = "OB0803", "backstage-kind-skipped", "A Backstage entity is of a kind opsbook does not read.";
    BackstageBadReference = "OB0804", "backstage-bad-reference", "A Backstage entity reference is not valid.";
    BackstageUnnamed = "OB0805", "backstage-unnamed", "A Backstage entity has no `metadata.name`.";
    BackstageNameNotId = "OB0806", "backstage-name-not-id", "A Backstage entity's name cannot be made a service id.";
    BackstageNameAdjusted = "OB0807", "backstage-name-adjusted", "A Backstage name is not valid and is read as a nearby service id.";
    BackstageLifecycleUnknown = "OB0808", "backstage-lifecycle-unknown", "A Backstage lifecycle is not one opsbook knows.";
    ImportSyntax = "OB0809", "import-syntax", "A file of another tool (Datadog...) is not valid YAML or JSON.";
    ImportNotRecognised = "OB0810", "import-not-recognised", "A file named as another tool's file does not hold what that tool reads; it is skipped.";
    ImportInvalidValue = "OB0811", "import-invalid-value", "A value in another tool's file cannot be read into a service doc.";
    ImportNoId = "OB0812", "import-no-id", "An entry of another tool's file names no service, or a name that cannot be a service id.";
    ImportNameAdjusted = "OB0813", "import-name-adjusted", "A name in another tool's file is read as a nearby service id.";
    ImportUnknownValue = "OB0814", "import-unknown-value", "A tier or lifecycle in another tool's file is not one opsbook can map.";
    ImportUnknownReference = "OB0815", "import-unknown-reference", "Another tool's file depends on a component no file of the book describes.";
    OwnersRuleIgnored = "OB0816", "codeowners-rule-ignored", "A CODEOWNERS rule is written in a way GitHub does not read.";

    TemplateNotText = "OB0901", "template-not-text", "A theme template is not UTF-8 text.";
    TemplateError = "OB0902", "template-error", "A theme template cannot be read or rendered.";
    SiteBrokenLink = "OB0903", "site-broken-link", "A page the theme makes links to nothing the site has.";
    HistoryUnavailable = "OB0904", "history-unavailable", "The readiness history cannot be read from git.";
    BookFolderRemoved = "OB0905", "book-folder-removed", "`opsbook serve` lost the book folder.";
}

/// docs/diagnostics.md, built into the binary so `opsbook explain` works anywhere.
const EXPLANATIONS: &str = include_str!("../../docs/diagnostics.md");

/// The section of docs/diagnostics.md about the code `text` names (by id or name), from its
/// heading to the next code's (examples may hold headings of their own).
pub(crate) fn explanation(text: &str) -> Option<&'static str> {
    let code = Code::find(text.trim())?;
    let heading = format!("\n## {} ", code.id());
    let start = EXPLANATIONS.find(&heading)? + 1;
    let rest = &EXPLANATIONS[start..];
    let end = rest[1..].find("\n## OB").map_or(rest.len(), |end| end + 1);
    Some(rest[..end].trim_end())
}

/// The fix the code's explanation gives, as one paragraph of text.
pub(crate) fn fix(code: Code) -> Option<String> {
    let section = explanation(code.id())?;
    let paragraph = section.split("**Fix:** ").nth(1)?.split("\n\n").next()?;
    Some(paragraph.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Every code with its name and summary, one per line.
pub(crate) fn code_list() -> String {
    Code::ALL
        .iter()
        .map(|code| format!("{}  {:<28} {}\n", code.id(), code.name(), code.summary()))
        .collect()
}

impl Code {
    /// The code whose id or name is `text` (`OB0103`, `ob0103` or `book-unknown-key`).
    pub(crate) fn find(text: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|code| {
            code.id().eq_ignore_ascii_case(text) || code.name().eq_ignore_ascii_case(text)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let ids: BTreeSet<&str> = Code::ALL.iter().map(|c| c.id()).collect();
        let names: BTreeSet<&str> = Code::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(ids.len(), Code::ALL.len(), "a code is used twice");
        assert_eq!(names.len(), Code::ALL.len(), "a name is used twice");
        for code in Code::ALL {
            let digits = code.id().strip_prefix("OB").unwrap_or_default();
            assert!(
                digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit()),
                "{code:?}"
            );
            assert!(
                code.name()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{code:?}"
            );
        }
    }

    /// docs/diagnostics.md has a section per code, in order, headed `## OB0103 name` and
    /// opening with the code's summary; `opsbook explain` prints that section.
    #[test]
    fn the_explanations_list_every_code_with_its_summary() {
        let headings: Vec<&str> = EXPLANATIONS
            .lines()
            .filter(|line| line.starts_with("## OB"))
            .collect();
        let expected: Vec<String> = Code::ALL
            .iter()
            .map(|code| format!("## {} {}", code.id(), code.name()))
            .collect();
        assert_eq!(headings, expected, "docs/diagnostics.md is out of step");
        for code in Code::ALL {
            let section = explanation(code.id()).unwrap_or_default();
            let mut lines = section.lines().filter(|line| !line.is_empty());
            assert_eq!(lines.nth(1), Some(code.summary()), "{code:?}");
            assert!(
                fix(*code).is_some_and(|f| f.len() > 10),
                "{code:?} says no fix"
            );
            assert!(
                section.contains(&format!("[{}]: ", code.id())),
                "{code:?} shows no example of the problem"
            );
        }
    }

    /// A code is documented only if opsbook can report it: each is used outside this file.
    #[test]
    fn every_code_is_reported_somewhere() {
        let mut sources = String::new();
        for entry in walkdir::WalkDir::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")) {
            let entry = entry.unwrap();
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("diag/code.rs") {
                sources.push_str(&std::fs::read_to_string(path).unwrap());
            }
        }
        for code in Code::ALL {
            assert!(
                sources.contains(&format!("Code::{code:?}")),
                "{} is never reported",
                code.id()
            );
        }
    }

    #[test]
    fn codes_are_found_by_id_or_name() {
        assert_eq!(Code::find("OB0103"), Some(Code::BookUnknownKey));
        assert_eq!(Code::find("ob0103"), Some(Code::BookUnknownKey));
        assert_eq!(Code::find("book-unknown-key"), Some(Code::BookUnknownKey));
        assert_eq!(Code::find("OB9999"), None);
        assert!(
            explanation("OB0103")
                .unwrap()
                .starts_with("## OB0103 book-unknown-key\n")
        );
        assert!(!explanation("OB0103").unwrap().contains("## OB0104"));
        assert_eq!(explanation("nonsense"), None);
    }
}
