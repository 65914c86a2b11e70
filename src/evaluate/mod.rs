//! Evaluate: catalog + checklist -> report.
//!
//! A pure function of its inputs (`today` is passed in, so waivers and review dates are
//! testable). It decides pass, fail, waived and levels; it knows nothing of HTML.

use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::Value;

use crate::analysis::{Analysis, Reach, Step};
use crate::catalog::Catalog;
use crate::checklist::{Check, Checklist, Consistency, Declared, GraphRule, Rule};
use crate::config::RequiredLevels;
use crate::diag::display_path;
use crate::model::{Date, Kind, Level, Target, Tier};
use crate::parse::{Claim, Discovered, ServiceSource};
pub(crate) mod report;

use self::report::{CheckResult, Location, Report, ServiceReport, Status};

/// Evaluates every service of the catalog.
pub(crate) fn evaluate(
    catalog: &Catalog,
    analysis: &Analysis,
    checklist: &Checklist,
    required: &RequiredLevels,
    today: Date,
) -> Report {
    let context = Context {
        catalog,
        analysis,
        today,
    };
    // Services evaluate independently; collecting keeps them in catalog order.
    let mut services: Vec<ServiceReport> = (0..catalog.services.len())
        .into_par_iter()
        .map(|index| evaluate_service(&context, checklist, required, index))
        .collect();
    for service in &mut services {
        let tier = catalog.services[service.service]
            .source
            .doc
            .tier_or_default();
        service.risk = risk(service, tier, &analysis.of(service.service).blast_radius);
    }
    Report { today, services }
}

/// How much a service's failure would hurt, times how far it is from ready.
///
/// Impact: the service and everything in its blast radius, each weighted by its tier (tier 1
/// counts 8, tier 2 4, tier 3 2, tier 4 1). Unreadiness: the levels it lacks to its required
/// level, plus the share of its checks that fail. A service that meets its level and fails
/// nothing has no risk; externals are not assessed and have none.
fn risk(service: &ServiceReport, tier: Tier, blast_radius: &Reach) -> f64 {
    if !service.assessed {
        return 0.0;
    }
    let weight = |tier: u8| f64::from(1u8 << (4 - tier));
    let impact: f64 = weight(tier.number())
        + (blast_radius.by_tier.iter().zip(1..))
            .map(|(&count, tier)| count as f64 * weight(tier))
            .sum::<f64>();
    let unreadiness = service.shortfall() as f64 + (1.0 - service.score);
    (impact * unreadiness * 10.0).round() / 10.0
}

/// What every rule may read besides the service itself.
struct Context<'a> {
    catalog: &'a Catalog,
    analysis: &'a Analysis,
    today: Date,
}

/// The verdict of a rule, with the sentence that explains it and the line that decided it.
struct Outcome {
    passed: bool,
    message: String,
    /// `None` when nothing more precise than the service's own line can be cited.
    cite: Option<Cite>,
    /// More lines that decided it, beside `cite`.
    also: Vec<Cite>,
}

impl Outcome {
    fn pass(message: impl Into<String>) -> Self {
        Outcome {
            passed: true,
            message: message.into(),
            cite: None,
            also: Vec::new(),
        }
    }
    fn fail(message: impl Into<String>) -> Self {
        Outcome {
            passed: false,
            message: message.into(),
            cite: None,
            also: Vec::new(),
        }
    }
    fn cite(self, cite: Option<Cite>) -> Self {
        Outcome { cite, ..self }
    }
}

/// A line of the service doc, or a line of the file of another tool that supplied the
/// field (the file by its place in the service's `imported`).
#[derive(Clone, Copy)]
enum Cite {
    Doc(usize),
    Imported(usize, usize),
    /// The line of what another file says in a disagreement (by its place in the service's
    /// `disagreements`), or of the value it disagrees with.
    Disagreement(usize),
    Kept(usize),
    /// The line of a dependency a running file shows (by its place in `discovered`).
    Discovered(usize),
}

fn evaluate_service(
    context: &Context,
    checklist: &Checklist,
    required: &RequiredLevels,
    index: usize,
) -> ServiceReport {
    let source = &context.catalog.services[index].source;
    let doc = &source.doc;
    // Rules read the front matter as the model serializes it: validated and normalised.
    let fields = source.fields();
    let mut subject = Subject {
        context,
        index,
        fields,
        path: Arc::from(source.origin.display_path.as_path()),
        service_line: None,
    };
    subject.service_line = subject.field("service");
    let results: Vec<CheckResult> = checklist
        .checks
        .iter()
        .enumerate()
        .map(|(check_index, check)| result_for(&subject, check_index, check))
        .collect();
    let assessed = doc.kind != Kind::External;
    let (level, required) = if assessed {
        (
            achieved_level(checklist, &results),
            required.for_service(doc.tier_or_default(), doc.lifecycle),
        )
    } else {
        (Level::None, Level::None)
    };
    ServiceReport {
        risk: 0.0,
        service: index,
        level,
        required,
        assessed,
        score: score(&results),
        results,
    }
}

fn result_for(subject: &Subject, check_index: usize, check: &Check) -> CheckResult {
    let doc = &subject.context.catalog.services[subject.index].source.doc;
    if !check.applies_to.contains(&doc.kind) {
        return CheckResult {
            check: check_index,
            status: Status::NotApplicable,
            message: format!("does not apply to a {}", doc.kind.as_str()),
            waiver: None,
            location: subject.location(subject.field("kind")),
            also: Vec::new(),
        };
    }
    let outcome = subject.apply(&check.rule);
    let waiver = doc.waivers.iter().find(|w| w.check == check.id).cloned();
    let status = match (&outcome, &waiver) {
        (Outcome { passed: true, .. }, _) => Status::Pass,
        (_, Some(waiver)) if waiver.until >= subject.context.today => Status::Waived,
        (_, Some(_)) => Status::ExpiredWaiver,
        (_, None) => Status::Fail,
    };
    let waiver = if status == Status::Pass { None } else { waiver };
    CheckResult {
        check: check_index,
        status,
        message: outcome.message,
        waiver,
        location: subject.location(outcome.cite),
        also: outcome
            .also
            .iter()
            .map(|cite| subject.location(Some(*cite)))
            .collect(),
    }
}

/// Where a file writes a value.
fn claimed(claim: &Claim) -> Location {
    Location {
        path: Arc::from(claim.file.as_path()),
        line: claim.line,
    }
}

/// The highest level whose checks (and all lower levels' checks) all pass or are waived.
fn achieved_level(checklist: &Checklist, results: &[CheckResult]) -> Level {
    let mut achieved = Level::None;
    for level in [Level::Bronze, Level::Silver, Level::Gold] {
        let blocked = results
            .iter()
            .any(|r| r.status.is_failing() && checklist.checks[r.check].level <= level);
        if blocked {
            break;
        }
        achieved = level;
    }
    achieved
}

fn score(results: &[CheckResult]) -> f64 {
    let applicable = results
        .iter()
        .filter(|r| r.status != Status::NotApplicable)
        .count();
    if applicable == 0 {
        return 1.0;
    }
    let passed = results
        .iter()
        .filter(|r| matches!(r.status, Status::Pass | Status::Waived))
        .count();
    passed as f64 / applicable as f64
}

/// One service under evaluation.
struct Subject<'a> {
    context: &'a Context<'a>,
    index: usize,
    fields: &'a Value,
    /// The service doc's path, shared by the location of each of its results.
    path: Arc<Path>,
    /// Where the doc names the service: what results cite when nothing is closer.
    service_line: Option<Cite>,
}

impl Subject<'_> {
    fn source(&self) -> &ServiceSource {
        &self.context.catalog.services[self.index].source
    }

    fn apply(&self, rule: &Rule) -> Outcome {
        let today = self.context.today;
        let (outcome, field) = match rule {
            Rule::Present(path) => (present(self.fields, path), path.as_str()),
            Rule::IsUrl(path) => (is_url(self.fields, path), path.as_str()),
            Rule::IsTrue(path) => (is_true(self.fields, path), path.as_str()),
            Rule::Evidence(path) => (evidence(self.fields, path), path.as_str()),
            Rule::OneOf(spec) => (one_of(self.fields, &spec.path, &spec.values), &*spec.path),
            Rule::ContainsAll(spec) => (
                contains_all(self.fields, &spec.path, &spec.values),
                list_path(&spec.path),
            ),
            Rule::MinItems(spec) => (
                min_items(self.fields, &spec.path, spec.count, &spec.having_any),
                &*spec.path,
            ),
            Rule::AtLeastNumber(spec) => (
                at_least_number(self.fields, &spec.path, spec.min),
                &*spec.path,
            ),
            Rule::DateWithin(spec) => (
                date_within(self.fields, &spec.path, spec.days, today),
                &*spec.path,
            ),
            Rule::Heading(spec) => return self.heading(&spec.text, spec.with_image),
            Rule::CodeBlock(language) => return self.code_block(language),
            Rule::Graph(question) => return self.graph(*question),
            Rule::Consistent(Consistency::Metadata) => return self.consistent(),
            Rule::Declared(Declared::Dependencies) => return self.declared(),
            Rule::Any(rules) => return self.any(rules),
            Rule::All(rules) => return self.all(rules),
        };
        outcome.cite(self.field(field))
    }

    /// Where `path` is written, or where it belongs: its closest written ancestor.
    fn field(&self, path: &str) -> Option<Cite> {
        let source = self.source();
        if let Some(cite) = source
            .imported
            .iter()
            .enumerate()
            .find_map(|(file, p)| Some(Cite::Imported(file, p.line_of(path)?)))
        {
            return Some(cite);
        }
        let line = source.positions.line_of(path)?;
        Some(Cite::Doc(line + source.yaml_first_line - 1))
    }

    /// The line of the `depends_on` entry that points at service `target`.
    fn dependency_on(&self, target: usize) -> Option<Cite> {
        let catalog = self.context.catalog;
        let entry = self
            .source()
            .doc
            .dependencies()
            .iter()
            .position(|d| catalog.resolve(d) == Some(target))?;
        self.field(&format!("depends_on.{entry}"))
    }

    /// The place a result cites: the front matter's `service:` line when nothing is closer.
    fn location(&self, cite: Option<Cite>) -> Location {
        let source = self.source();
        match cite.or(self.service_line) {
            Some(Cite::Doc(line)) => Location {
                path: self.path.clone(),
                line,
            },
            Some(Cite::Imported(file, line)) => Location {
                path: Arc::from(source.imported[file].file.as_path()),
                line,
            },
            Some(Cite::Disagreement(index)) => claimed(&source.disagreements[index].other),
            Some(Cite::Kept(index)) => claimed(&source.disagreements[index].kept),
            Some(Cite::Discovered(index)) => {
                let found = &source.discovered[index];
                Location {
                    path: Arc::from(found.file.as_path()),
                    line: found.line,
                }
            }
            None => Location {
                path: self.path.clone(),
                line: source.yaml_first_line,
            },
        }
    }

    fn any(&self, rules: &[Rule]) -> Outcome {
        let outcomes: Vec<Outcome> = rules.iter().map(|r| self.apply(r)).collect();
        match outcomes.iter().find(|o| o.passed) {
            Some(passed) => Outcome::pass(passed.message.clone()).cite(passed.cite),
            None => Outcome::fail(join(outcomes.iter(), " and ")).cite(first_cite(&outcomes)),
        }
    }

    fn all(&self, rules: &[Rule]) -> Outcome {
        let outcomes: Vec<Outcome> = rules.iter().map(|r| self.apply(r)).collect();
        if outcomes.iter().all(|o| o.passed) {
            Outcome::pass(join(outcomes.iter(), "; ")).cite(first_cite(&outcomes))
        } else {
            let failing: Vec<Outcome> = outcomes.into_iter().filter(|o| !o.passed).collect();
            Outcome::fail(join(failing.iter(), "; ")).cite(first_cite(&failing))
        }
    }

    fn heading(&self, text: &str, with_image: bool) -> Outcome {
        let facts = &self.source().facts;
        let line = if with_image {
            facts
                .headings_with_images
                .get(&text.to_lowercase())
                .copied()
        } else {
            facts.heading(text).map(|h| h.line)
        };
        let outcome = match (line.is_some(), with_image) {
            (true, true) => Outcome::pass(format!("the doc has an image under `{text}`")),
            (true, false) => Outcome::pass(format!("the doc has a `{text}` heading")),
            (false, true) => {
                Outcome::fail(format!("the doc has no image under the heading `{text}`"))
            }
            (false, false) => Outcome::fail(format!("the doc has no heading `{text}`")),
        };
        outcome.cite(line.map(Cite::Doc))
    }

    fn code_block(&self, language: &str) -> Outcome {
        let facts = &self.source().facts;
        match facts.code_languages.get(&language.to_lowercase()) {
            Some(&line) => Outcome::pass(format!("the doc has a ```{language} block"))
                .cite(Some(Cite::Doc(line))),
            None => Outcome::fail(format!("the doc has no ```{language} block")),
        }
    }

    /// Whether the files that describe the service agree; a failure names every value that
    /// differs from the one kept, both with their lines, and cites the first that differs.
    fn consistent(&self) -> Outcome {
        let source = self.source();
        if source.disagreements.is_empty() {
            return Outcome::pass(match source.imported.is_empty() {
                true => "one file describes it",
                false => "the files that describe it agree",
            });
        }
        let at = |claim: &Claim| format!("`{}:{}`", display_path(&claim.file), claim.line);
        let each: Vec<String> = source
            .disagreements
            .iter()
            .map(|d| {
                format!(
                    "`{}` is {} at {}, but {} at {}",
                    d.field,
                    d.kept.value,
                    at(&d.kept),
                    d.other.value,
                    at(&d.other)
                )
            })
            .collect();
        // Every line that takes part, once: the first other value is the result's location.
        let mut also: Vec<Cite> = Vec::new();
        let mut seen = vec![(
            &source.disagreements[0].other.file,
            source.disagreements[0].other.line,
        )];
        for (index, d) in source.disagreements.iter().enumerate() {
            for (cite, claim) in [
                (Cite::Kept(index), &d.kept),
                (Cite::Disagreement(index), &d.other),
            ] {
                if !seen.contains(&(&claim.file, claim.line)) {
                    seen.push((&claim.file, claim.line));
                    also.push(cite);
                }
            }
        }
        Outcome {
            also,
            ..Outcome::fail(each.join("; ")).cite(Some(Cite::Disagreement(0)))
        }
    }

    /// Whether `depends_on` names every dependency the files the service runs from (Compose,
    /// Kubernetes) show; the
    /// first missing one is cited at the line that shows it. Declared dependencies that
    /// nothing shows are only said.
    fn declared(&self) -> Outcome {
        let source = self.source();
        if source.discovered.is_empty() {
            return Outcome::pass("no file it runs from shows its dependencies");
        }
        let declared: Vec<&str> = source
            .doc
            .dependencies()
            .iter()
            .map(|d| target_name(&d.target))
            .collect();
        let missing: Vec<(usize, &Discovered)> = source
            .discovered
            .iter()
            .enumerate()
            .filter(|(_, d)| !declared.contains(&d.service.as_str()))
            .collect();
        let unshown: Vec<String> = declared
            .iter()
            .filter(|name| !source.discovered.iter().any(|d| d.service == **name))
            .map(|name| format!("`{name}`"))
            .collect();
        let unshown = match unshown.is_empty() {
            true => String::new(),
            false => format!(
                "; declared, but no file it runs from shows: {}",
                unshown.join(", ")
            ),
        };
        let Some((first, _)) = missing.first() else {
            return Outcome::pass(format!(
                "declares every dependency the files it runs from show{unshown}"
            ));
        };
        let each: Vec<String> = missing
            .iter()
            .map(|(_, d)| {
                format!(
                    "`{}` (at `{}:{}`)",
                    d.service,
                    display_path(&d.file),
                    d.line
                )
            })
            .collect();
        Outcome::fail(format!(
            "`depends_on` does not name {}, which the files it runs from show{unshown}",
            each.join(", ")
        ))
        .cite(Some(Cite::Discovered(*first)))
    }

    fn graph(&self, question: GraphRule) -> Outcome {
        match question {
            GraphRule::Resolved => self.unresolved(),
            GraphRule::Acyclic => self.acyclic(),
            GraphRule::Tier => self.tier_inversions(),
            GraphRule::Lifecycle => self.deprecated_dependencies(),
        }
    }

    fn id(&self, index: usize) -> &str {
        self.context.catalog.services[index].id().as_str()
    }

    /// `a -> b -> c`, with ids in backticks.
    fn path(&self, steps: impl Iterator<Item = Step>) -> String {
        steps
            .map(|step| match step {
                Step::Service(i) => format!("`{}`", self.id(i)),
                Step::Hidden(count) => format!("... {count} more ..."),
            })
            .collect::<Vec<_>>()
            .join(" -> ")
    }

    fn unresolved(&self) -> Outcome {
        let catalog = self.context.catalog;
        let doc = &catalog.services[self.index].source.doc;
        let unknown: Vec<(usize, String)> = doc
            .dependencies()
            .iter()
            .enumerate()
            .filter(|(_, d)| matches!(d.target, Target::Service(_)) && catalog.resolve(d).is_none())
            .map(|(entry, d)| (entry, format!("`{}`", target_name(&d.target))))
            .collect();
        match unknown.first() {
            None => Outcome::pass("every dependency is documented or external")
                .cite(self.field("depends_on")),
            Some((entry, _)) => {
                let names: Vec<&str> = unknown.iter().map(|(_, name)| name.as_str()).collect();
                Outcome::fail(format!("no service doc declares {}", names.join(", ")))
                    .cite(self.field(&format!("depends_on.{entry}")))
            }
        }
    }

    fn acyclic(&self) -> Outcome {
        match &self.context.analysis.of(self.index).cycle {
            None => Outcome::pass("in no cycle of hard dependencies"),
            Some(cycle) => {
                let this = std::iter::once(Step::Service(self.index));
                let around = this.clone().chain(cycle.steps()).chain(this);
                Outcome::fail(format!(
                    "in a cycle of hard dependencies: {}",
                    self.path(around)
                ))
                .cite(cycle.first().and_then(|next| self.dependency_on(next)))
            }
        }
    }

    fn tier_inversions(&self) -> Outcome {
        let catalog = self.context.catalog;
        let tier_of = |i: usize| catalog.services[i].source.doc.tier_or_default();
        let tier = tier_of(self.index);
        let inversions = &self.context.analysis.of(self.index).tier_inversions;
        // The least critical first: they cap this service's availability the most.
        let Some(worst) = inversions.worst.first() else {
            return Outcome::pass(format!("stands on nothing less critical than tier {tier}"));
        };
        let shown: Vec<String> = inversions
            .worst
            .iter()
            .map(|inversion| {
                let via = if inversion.via.is_empty() {
                    String::new()
                } else {
                    format!(" via {}", self.path(inversion.via.steps()))
                };
                let end = inversion.to;
                format!("`{}` (tier {}){via}", self.id(end), tier_of(end))
            })
            .collect();
        let more = match inversions.count - shown.len() {
            0 => String::new(),
            n => format!(" and {n} more"),
        };
        let first_hop = worst.via.first().unwrap_or(worst.to);
        Outcome::fail(format!(
            "tier {tier}, but hard-depends on {}{more}",
            shown.join(", ")
        ))
        .cite(self.dependency_on(first_hop))
    }

    fn deprecated_dependencies(&self) -> Outcome {
        let deprecated = &self.context.analysis.of(self.index).deprecated;
        if deprecated.is_empty() {
            Outcome::pass("no dependency is deprecated")
        } else {
            let names: Vec<String> = deprecated
                .iter()
                .map(|&i| format!("`{}`", self.id(i)))
                .collect();
            Outcome::fail(format!("depends on deprecated {}", names.join(", ")))
                .cite(self.dependency_on(deprecated[0]))
        }
    }
}

fn target_name(target: &Target) -> &str {
    match target {
        Target::Service(id) => id.as_str(),
        Target::External(name) => name,
    }
}

/// The first line any of `outcomes` cites.
fn first_cite(outcomes: &[Outcome]) -> Option<Cite> {
    outcomes.iter().find_map(|o| o.cite)
}

/// The list a `a[].b` path reads from (`a`); a plain path is the list itself.
fn list_path(path: &str) -> &str {
    path.split("[]").next().unwrap_or(path)
}

fn join<'a>(outcomes: impl Iterator<Item = &'a Outcome>, separator: &str) -> String {
    outcomes
        .map(|o| o.message.as_str())
        .collect::<Vec<_>>()
        .join(separator)
}

/// The values at a dotted path; `a[].b` collects `b` from every item of list `a`.
fn lookup<'v>(root: &'v Value, path: &str) -> Vec<&'v Value> {
    let mut current = vec![root];
    for part in path.split('.') {
        let (key, spread) = match part.strip_suffix("[]") {
            Some(key) => (key, true),
            None => (part, false),
        };
        let mut next = Vec::new();
        for value in current {
            match value.get(key) {
                Some(Value::Array(items)) if spread => next.extend(items.iter()),
                Some(Value::Null) | None => {}
                Some(found) => next.push(found),
            }
        }
        current = next;
    }
    current
}

fn lookup_one<'v>(root: &'v Value, path: &str) -> Option<&'v Value> {
    if path.contains("[]") {
        return lookup(root, path).into_iter().next();
    }
    // A plain path leads to one value at most: walked without collecting (most rules).
    path.split('.')
        .try_fold(root, |value, key| value.get(key))
        .filter(|value| !value.is_null())
}

fn is_set(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::String(s) => !s.trim().is_empty(),
        _ => true,
    }
}

/// A value as a result's message shows it (cut short, see `diag::shown`).
fn show(value: &Value) -> String {
    match value {
        Value::String(s) => crate::diag::shown(s),
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            _ => n.to_string(),
        },
        other => crate::diag::shown(&other.to_string()),
    }
}

fn not_set(path: &str) -> Outcome {
    Outcome::fail(format!("`{path}` is not set"))
}

fn present(fields: &Value, path: &str) -> Outcome {
    match lookup_one(fields, path) {
        Some(value) if is_set(value) => Outcome::pass(format!("`{path}` is set")),
        _ => not_set(path),
    }
}

fn is_url(fields: &Value, path: &str) -> Outcome {
    match lookup_one(fields, path) {
        Some(Value::String(s)) if s.starts_with("https://") || s.starts_with("http://") => {
            Outcome::pass(format!("`{path}` is {}", crate::diag::shown(s)))
        }
        Some(value) if is_set(value) => {
            Outcome::fail(format!("`{path}` is `{}`, not an http(s) URL", show(value)))
        }
        _ => not_set(path),
    }
}

fn is_true(fields: &Value, path: &str) -> Outcome {
    match lookup_one(fields, path) {
        Some(Value::Bool(true)) => Outcome::pass(format!("`{path}` is true")),
        Some(value) if is_set(value) => {
            Outcome::fail(format!("`{path}` is `{}`, not true", show(value)))
        }
        _ => not_set(path),
    }
}

fn evidence(fields: &Value, path: &str) -> Outcome {
    match lookup_one(fields, path) {
        Some(Value::Bool(true)) => Outcome::pass(format!("`{path}` is true")),
        Some(Value::String(s)) if s.starts_with("https://") || s.starts_with("http://") => {
            Outcome::pass(format!("`{path}` is {}", crate::diag::shown(s)))
        }
        Some(value) if is_set(value) => Outcome::fail(format!(
            "`{path}` is `{}`; expected true or a URL to the evidence",
            show(value)
        )),
        _ => not_set(path),
    }
}

fn one_of(fields: &Value, path: &str, allowed: &[String]) -> Outcome {
    match lookup_one(fields, path) {
        Some(value) if allowed.contains(&show(value)) => {
            Outcome::pass(format!("`{path}` is {}", show(value)))
        }
        Some(value) if is_set(value) => Outcome::fail(format!(
            "`{path}` is `{}`; expected one of {}",
            show(value),
            allowed.join(", ")
        )),
        _ => not_set(path),
    }
}

fn contains_all(fields: &Value, path: &str, wanted: &[String]) -> Outcome {
    // `a[].b` already spreads the list; a plain path names the list itself.
    let values: Vec<&Value> = if path.contains("[]") {
        lookup(fields, path)
    } else {
        lookup_one(fields, path)
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default()
    };
    let found: Vec<String> = values.iter().map(|v| show(v)).collect();
    let missing: Vec<&str> = wanted
        .iter()
        .filter(|w| !found.contains(w))
        .map(String::as_str)
        .collect();
    if missing.is_empty() {
        Outcome::pass(format!("`{path}` has {}", wanted.join(", ")))
    } else if lookup_one(fields, list_path(path)).is_none() {
        not_set(list_path(path))
    } else {
        Outcome::fail(format!("`{path}` lacks {}", missing.join(", ")))
    }
}

fn min_items(fields: &Value, path: &str, count: usize, having_any: &[String]) -> Outcome {
    let Some(items) = lookup_one(fields, path).and_then(Value::as_array) else {
        return not_set(path);
    };
    let counted = items
        .iter()
        .filter(|item| {
            having_any.is_empty() || having_any.iter().any(|f| item.get(f).is_some_and(is_set))
        })
        .count();
    let qualifier = if having_any.is_empty() {
        String::new()
    } else {
        format!(" with {}", having_any.join(" or "))
    };
    if counted >= count {
        Outcome::pass(format!("`{path}` has {counted} entries{qualifier}"))
    } else {
        Outcome::fail(format!(
            "`{path}` has {counted} entries{qualifier}; needs at least {count}"
        ))
    }
}

fn at_least_number(fields: &Value, path: &str, min: f64) -> Outcome {
    match lookup_one(fields, path) {
        Some(Value::Number(n)) if n.as_f64().is_some_and(|n| n >= min) => {
            Outcome::pass(format!("`{path}` is {n}"))
        }
        Some(value) if is_set(value) => {
            Outcome::fail(format!("`{path}` is {}; needs at least {min}", show(value)))
        }
        _ => not_set(path),
    }
}

fn date_within(fields: &Value, path: &str, days: i64, today: Date) -> Outcome {
    let Some(Value::String(text)) = lookup_one(fields, path) else {
        return not_set(path);
    };
    let Ok(date) = text.parse::<Date>() else {
        return Outcome::fail(format!("`{path}` is `{text}`, not a date"));
    };
    let age_days = i64::from((today.0 - date.0).get_days()).max(0);
    if age_days <= days {
        Outcome::pass(format!("`{path}` is {date}, {age_days} days ago"))
    } else {
        Outcome::fail(format!(
            "`{path}` is {date}, {age_days} days ago; needs to be within {days} days"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lookup_spreads_lists() {
        let fields =
            json!({"monitoring": {"alerts": [{"level": "observed"}, {"level": "emergency"}]}});
        let levels: Vec<String> = lookup(&fields, "monitoring.alerts[].level")
            .iter()
            .map(|v| show(v))
            .collect();
        assert_eq!(levels, ["observed", "emergency"]);
    }

    #[test]
    fn present_accepts_empty_lists_but_not_empty_strings() {
        assert!(present(&json!({"depends_on": []}), "depends_on").passed);
        assert!(!present(&json!({"logs": {"location": " "}}), "logs.location").passed);
        assert_eq!(
            present(&json!({}), "logs.location").message,
            "`logs.location` is not set"
        );
    }

    #[test]
    fn is_url_wants_http() {
        assert!(is_url(&json!({"d": "https://grafana.example.com"}), "d").passed);
        let outcome = is_url(&json!({"d": "grafana"}), "d");
        assert!(!outcome.passed);
        assert_eq!(outcome.message, "`d` is `grafana`, not an http(s) URL");
    }

    #[test]
    fn is_true_rejects_false_and_missing() {
        assert!(is_true(&json!({"x": true}), "x").passed);
        assert!(!is_true(&json!({"x": false}), "x").passed);
        assert!(!is_true(&json!({"x": "https://ci"}), "x").passed);
        assert!(!is_true(&json!({}), "x").passed);
    }

    #[test]
    fn evidence_is_true_or_a_url() {
        assert!(evidence(&json!({"t": true}), "t").passed);
        assert!(evidence(&json!({"t": "https://ci.example.com/job/1"}), "t").passed);
        assert_eq!(
            evidence(&json!({"t": false}), "t").message,
            "`t` is `false`; expected true or a URL to the evidence"
        );
        assert!(!evidence(&json!({"t": "yes"}), "t").passed);
    }

    #[test]
    fn one_of_names_the_allowed_values() {
        let values = vec!["json".to_string(), "logfmt".to_string()];
        assert!(one_of(&json!({"f": "json"}), "f", &values).passed);
        assert_eq!(
            one_of(&json!({"f": "text"}), "f", &values).message,
            "`f` is `text`; expected one of json, logfmt"
        );
    }

    #[test]
    fn contains_all_names_what_is_missing() {
        let wanted: Vec<String> = ["observed", "important", "emergency"]
            .map(String::from)
            .to_vec();
        let fields = json!({"m": {"alerts": [{"level": "observed"}]}});
        let outcome = contains_all(&fields, "m.alerts[].level", &wanted);
        assert!(!outcome.passed);
        assert_eq!(
            outcome.message,
            "`m.alerts[].level` lacks important, emergency"
        );
        assert_eq!(
            contains_all(&json!({}), "m.alerts[].level", &wanted).message,
            "`m.alerts` is not set"
        );
        let list = json!({"metrics": ["host", "application", "logs"]});
        assert!(contains_all(&list, "metrics", &["host".to_string(), "logs".to_string()]).passed);
    }

    #[test]
    fn min_items_counts_only_qualifying_items() {
        let fields = json!({"contacts": [{"name": "a"}, {"name": "b", "email": "b@x"}]});
        assert!(
            min_items(
                &fields,
                "contacts",
                1,
                &["email".to_string(), "phone".to_string()]
            )
            .passed
        );
        assert!(!min_items(&fields, "contacts", 2, &["email".to_string()]).passed);
        assert!(!min_items(&json!({}), "contacts", 1, &[]).passed);
    }

    #[test]
    fn at_least_number_compares() {
        assert!(at_least_number(&json!({"m": 10}), "m", 10.0).passed);
        assert!(at_least_number(&json!({"m": 12.5}), "m", 10.0).passed);
        assert_eq!(
            at_least_number(&json!({"m": 5}), "m", 10.0).message,
            "`m` is 5; needs at least 10"
        );
    }

    #[test]
    fn date_within_counts_days_before_today() {
        let today: Date = "2026-11-28".parse().unwrap();
        assert!(date_within(&json!({"r": "2026-06-01"}), "r", 180, today).passed);
        let stale = date_within(&json!({"r": "2026-05-01"}), "r", 180, today);
        assert!(!stale.passed);
        assert_eq!(
            stale.message,
            "`r` is 2026-05-01, 211 days ago; needs to be within 180 days"
        );
    }
}
