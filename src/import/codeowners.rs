//! CODEOWNERS: GitHub's code owners, read as GitHub reads them. The owners of the file that
//! describes a service (its doc, or another tool's file), by the last rule that matches it,
//! name the service's team where nothing else does. A source's first of `.github/CODEOWNERS`,
//! `CODEOWNERS` and `docs/CODEOWNERS` is the one that counts; its patterns are relative to the
//! source's folder, which is the repository's top when the source is a repository.

use std::collections::BTreeMap;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde_json::{Map, Value};

use crate::config::ImportFormat;
use crate::diag::{Code, Diagnostic, Diagnostics, Position};
use crate::import::Record;
use crate::parse::Origin;
use crate::source::SourceFile;

/// A CODEOWNERS file: its rules, and one matcher for all of their patterns.
#[derive(Debug)]
pub struct CodeOwners {
    pub(crate) origin: Origin,
    rules: Vec<Rule>,
    patterns: GlobSet,
    /// The rule of each pattern of `patterns` (a rule is two globs: itself and what is under it).
    rule_of: Vec<usize>,
}

#[derive(Debug)]
struct Rule {
    line: usize,
    owners: Vec<String>,
}

/// Reads a CODEOWNERS file; lines GitHub would not read as intended are located warnings.
pub(crate) fn read(file: &SourceFile, diagnostics: &mut Diagnostics) -> Option<CodeOwners> {
    let text = crate::parse::read_text(file, diagnostics)?;
    let origin = Origin::of(file);
    let mut rules = Vec::new();
    let mut builder = GlobSetBuilder::new();
    let mut rule_of = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let mut words = line.split_whitespace();
        let Some(pattern) = words.next().filter(|p| !p.starts_with('#')) else {
            continue;
        };
        let owners: Vec<String> = words
            .take_while(|word| !word.starts_with('#'))
            .map(str::to_string)
            .collect();
        let unsupported = if pattern.starts_with('!') {
            Some("`!` negation")
        } else if pattern.contains('[') {
            Some("`[ ]` character ranges")
        } else {
            None
        };
        let globs = match unsupported {
            Some(what) => Err(format!("GitHub does not support {what} in CODEOWNERS")),
            None => globs(pattern),
        };
        match globs {
            Ok(globs) => {
                for glob in globs {
                    builder.add(glob);
                    rule_of.push(rules.len());
                }
                rules.push(Rule {
                    line: index + 1,
                    owners,
                });
            }
            Err(why) => diagnostics.push(
                Diagnostic::warning(
                    Code::OwnersRuleIgnored,
                    &origin.display_path,
                    format!("the rule for `{pattern}` is ignored: {why}"),
                )
                .at(Position::new(index + 1, 1))
                .with_help("write the pattern as GitHub reads it: gitignore's syntax without `!` and `[ ]`"),
            ),
        }
    }
    let patterns = builder.build().ok()?;
    Some(CodeOwners {
        origin,
        rules,
        patterns,
        rule_of,
    })
}

/// The globs of a CODEOWNERS pattern, as GitHub reads it: anchored at the top when a `/`
/// begins it or stands inside it, at any depth otherwise; matching what is under a folder
/// it names, too, unless its last part is a wildcard (`docs/*` owns `docs/a.md`, not
/// `docs/guide/a.md`, as GitHub's docs say).
fn globs(pattern: &str) -> Result<Vec<globset::Glob>, String> {
    let folder_only = pattern.ends_with('/');
    let body = pattern.trim_end_matches('/');
    let anchored = body.starts_with('/') || body.contains('/');
    let body = body.trim_start_matches('/');
    if body.is_empty() {
        return Err("it names no file".into());
    }
    let base = match anchored {
        true => body.to_string(),
        false => format!("**/{body}"),
    };
    let last = base.rsplit('/').next().unwrap_or_default();
    let mut patterns = Vec::new();
    if folder_only || !last.contains(['*', '?']) {
        patterns.push(format!("{base}/**"));
    }
    if !folder_only {
        patterns.push(base);
    }
    patterns
        .iter()
        .map(|glob| {
            GlobBuilder::new(glob)
                .literal_separator(true)
                .build()
                .map_err(|error| format!("it is not a valid pattern ({})", error.kind()))
        })
        .collect()
}

impl CodeOwners {
    /// The rule that decides who owns `path` (relative to the source folder): the last that
    /// matches it. `None` when none does.
    fn rule_for(&self, path: &str) -> Option<&Rule> {
        let last = self
            .patterns
            .matches(path)
            .into_iter()
            .map(|glob| self.rule_of[glob])
            .max()?;
        Some(&self.rules[last])
    }

    /// A record naming the team of service `id`, whose file is at `path`: the first team
    /// (`@org/team`) of the rule that decides its owners.
    pub(crate) fn record(&self, id: &str, path: &str) -> Option<Record> {
        let rule = self.rule_for(path)?;
        let team = rule
            .owners
            .iter()
            .find_map(|owner| owner.strip_prefix('@')?.split_once('/'))
            .map(|(_, team)| team)?;
        let mut fields = Map::new();
        fields.insert("service".into(), Value::String(id.to_string()));
        let mut owner = Map::new();
        owner.insert("team".into(), Value::String(team.to_string()));
        fields.insert("owner".into(), Value::Object(owner));
        Some(Record {
            format: ImportFormat::CodeOwners,
            origin: self.origin.clone(),
            first_line: rule.line,
            text: String::new(),
            fields,
            lines: BTreeMap::from([("owner.team".to_string(), rule.line)]),
            aliases: Vec::new(),
            references: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileKind;

    fn owners(text: &str) -> (CodeOwners, Vec<String>) {
        let file = SourceFile {
            display_path: ".github/CODEOWNERS".into(),
            source_index: 0,
            relative: ".github/CODEOWNERS".into(),
            kind: FileKind::Foreign(ImportFormat::CodeOwners),
            bytes: text.as_bytes().to_vec(),
        };
        let mut diagnostics = Diagnostics::new();
        let read = read(&file, &mut diagnostics).unwrap();
        let problems = diagnostics.sorted().iter().map(|d| d.to_string()).collect();
        (read, problems)
    }

    /// The owners of each path, as GitHub's rules give them: the last matching rule wins,
    /// an ownerless rule takes ownership away, `*` does not cross `/`, a pattern without
    /// a slash matches at any depth and one with a slash inside is anchored.
    #[test]
    fn the_last_matching_rule_decides_as_on_github() {
        let (file, problems) = owners(
            "# default\n*                   @acme/platform\n*.md                docs@acme.example\n/services/          @acme/backend\n/services/billing/  @acme/billing @alice\n/services/billing/generated\n**/fixtures         @bob\ndocs/*              @acme/writers # inline comment\nvendor/\n",
        );
        assert_eq!(problems, Vec::<String>::new());
        for (path, expected) in [
            ("README.md", Some(3)),
            ("services/api/main.rs", Some(4)),
            ("services/billing/src/lib.rs", Some(5)),
            ("services/billing/README.md", Some(5)),
            ("services/billing/generated/x.rs", Some(6)),
            ("services/billing/tests/fixtures/a.json", Some(7)),
            ("docs/intro.md", Some(8)),
            ("docs/guide/intro.md", Some(3)),
            ("lib/vendor/x.c", Some(9)),
            ("tools/docs/a.txt", Some(2)),
        ] {
            assert_eq!(file.rule_for(path).map(|r| r.line), expected, "{path}");
        }
        assert_eq!(
            file.rule_for("docs/intro.md").unwrap().owners,
            ["@acme/writers"]
        );
        let team = |path: &str| {
            file.record("x", path)
                .map(|r| r.fields["owner"]["team"].as_str().unwrap().to_string())
        };
        assert_eq!(
            team("services/billing/service.md").as_deref(),
            Some("billing")
        );
        assert_eq!(
            team("services/billing/generated/service.md"),
            None,
            "no owners"
        );
        assert_eq!(team("README.md"), None, "an email is not a team");
    }

    #[test]
    fn rules_github_would_not_read_are_located_warnings() {
        let (_, problems) = owners("!/generated @acme/x\n*.[ch] @acme/c\n");
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].starts_with(".github/CODEOWNERS:1:1: warning[OB0816]: the rule for `!/generated` is ignored: GitHub does not support `!` negation"), "{problems:?}");
        assert!(
            problems[1].contains("`[ ]` character ranges"),
            "{problems:?}"
        );
    }
}
