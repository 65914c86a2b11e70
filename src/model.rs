//! The typed service doc: what a service's YAML front matter may say.
//!
//! Pure data with serde derives. Values with rules of their own (ids, tiers, dates) are
//! newtypes that check themselves while deserializing, so problems are reported at the
//! offending value. Every struct denies unknown keys; the parse stage turns those into
//! did-you-mean warnings. The same structs serialize to the JSON the checklist rules read
//! (a missing field is `null` there, which rules treat as "not set").

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, de};

use crate::deserialize::Segment;

/// A service id: lowercase letters, digits and '-', starting with a letter or digit, at most
/// [`MAX_ID_CHARS`] long.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub(crate) struct ServiceId(String);

impl ServiceId {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for ServiceId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ServiceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The longest id: the longest a Backstage entity can give (a namespace and a name of up to
/// 63 characters each, as Kubernetes allows a DNS label, joined by `-`). An id names a folder
/// of the site and part of its URLs, and a file name has at most 255 bytes: a 100,000-character
/// id passed `check` and failed `build`.
pub(crate) const MAX_ID_CHARS: usize = 127;

impl TryFrom<String> for ServiceId {
    type Error = String;

    fn try_from(id: String) -> Result<Self, String> {
        let length = id.chars().count();
        if length > MAX_ID_CHARS {
            return Err(format!(
                "`{}` is not a valid id: it is {length} characters long; an id has at most {MAX_ID_CHARS}",
                crate::diag::shown(&id)
            ));
        }
        let wrong = match id.chars().find(|&c| !is_id_char(c)) {
            Some(c) => format!("it contains {}", describe(c)),
            None if id.is_empty() => "it is empty".to_string(),
            None if id.starts_with('-') => "it starts with '-'".to_string(),
            None => return Ok(ServiceId(id)),
        };
        Err(format!(
            "`{id}` is not a valid id: {wrong}; use lowercase letters, digits and '-' (for example `{}`)",
            suggest_id(&id)
        ))
    }
}

fn is_id_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
}

/// A character as a person can find it in their text: printable ASCII as itself, anything
/// else (invisible, a look-alike from another script) by code point and Unicode name.
fn describe(c: char) -> String {
    match c {
        ' ' => "a space".to_string(),
        c if c.is_ascii_graphic() => format!("`{c}`"),
        c => match unicode_names2::name(c) {
            Some(name) => format!("U+{:04X} {name}", c as u32),
            None => format!("U+{:04X}", c as u32),
        },
    }
}

fn suggest_id(id: &str) -> String {
    let slug: String = id
        .trim()
        .chars()
        // Invisible characters are likely pasted by accident: the rest is what was meant.
        .filter(|&c| crate::diag::prints(c))
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let slug = slug.trim_matches('-').to_string();
    if slug.is_empty() {
        "my-service".to_string()
    } else {
        slug
    }
}

impl<'de> Deserialize<'de> for ServiceId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        ServiceId::try_from(text).map_err(de::Error::custom)
    }
}

/// Criticality: 1 is the most critical, 4 the least.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub(crate) struct Tier(u8);

impl Tier {
    /// Services that say nothing are treated as tier 3.
    pub(crate) const DEFAULT: Tier = Tier(3);

    pub(crate) fn number(self) -> u8 {
        self.0
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl<'de> Deserialize<'de> for Tier {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TierVisitor;
        impl de::Visitor<'_> for TierVisitor {
            type Value = Tier;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a tier from 1 (most critical) to 4")
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Tier, E> {
                match n {
                    1..=4 => Ok(Tier(n as u8)),
                    _ => Err(E::custom(format!(
                        "tier `{n}` is out of range: expected 1 (most critical) to 4"
                    ))),
                }
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Tier, E> {
                match u64::try_from(n) {
                    Ok(n) => self.visit_u64(n),
                    Err(_) => self.visit_u64(0),
                }
            }
        }
        deserializer.deserialize_any(TierVisitor)
    }
}

/// A calendar date written as YYYY-MM-DD.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub(crate) struct Date(pub(crate) jiff::civil::Date);

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::str::FromStr for Date {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let well_formed =
            text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-';
        match text.parse::<jiff::civil::Date>() {
            Ok(date) if well_formed => Ok(Date(date)),
            _ => Err(format!(
                "`{text}` is not a date: expected YYYY-MM-DD, for example 2026-01-31"
            )),
        }
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DateVisitor;
        impl de::Visitor<'_> for DateVisitor {
            type Value = Date;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a date as YYYY-MM-DD")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Date, E> {
                text.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_str(DateVisitor)
    }
}

/// Readiness levels, cumulative: `silver` means every bronze and silver check passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Level {
    None,
    Bronze,
    Silver,
    Gold,
}

impl Level {
    pub(crate) const ALL: [Level; 4] = [Level::None, Level::Bronze, Level::Silver, Level::Gold];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Level::None => "none",
            Level::Bronze => "bronze",
            Level::Silver => "silver",
            Level::Gold => "gold",
        }
    }

    /// How many levels separate `self` from `other` when `self` is below it.
    pub(crate) fn steps_below(self, other: Level) -> usize {
        (other as usize).saturating_sub(self as usize)
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Kind {
    #[default]
    Service,
    /// A database, queue or cache: gets the ownership, monitoring and docs checks only.
    Resource,
    /// A third party, not run by the organisation: no checks.
    External,
}

impl Kind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Service => "service",
            Kind::Resource => "resource",
            Kind::External => "external",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Lifecycle {
    Experimental,
    #[default]
    Production,
    Deprecated,
}

impl Lifecycle {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Lifecycle::Experimental => "experimental",
            Lifecycle::Production => "production",
            Lifecycle::Deprecated => "deprecated",
        }
    }
}

/// One service doc's front matter, as validated by serde.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ServiceDoc {
    pub(crate) service: ServiceId,
    pub(crate) title: Option<String>,
    pub(crate) description: Option<String>,
    #[serde(default)]
    pub(crate) kind: Kind,
    pub(crate) tier: Option<Tier>,
    #[serde(default)]
    pub(crate) lifecycle: Lifecycle,
    pub(crate) system: Option<String>,
    pub(crate) reviewed: Option<Date>,
    pub(crate) owner: Option<Owner>,
    pub(crate) contacts: Option<Vec<Contact>>,
    pub(crate) repository: Option<String>,
    /// The programming languages it is written in (`[go, python]`).
    pub(crate) languages: Option<Vec<String>>,
    pub(crate) depends_on: Option<Vec<Dependency>>,
    pub(crate) architecture: Option<Architecture>,
    pub(crate) monitoring: Option<Monitoring>,
    pub(crate) logs: Option<Logs>,
    pub(crate) operations: Option<Operations>,
    pub(crate) runbooks: Option<Runbooks>,
    pub(crate) testing: Option<Testing>,
    pub(crate) scaling: Option<Scaling>,
    pub(crate) runtime: Option<Runtime>,
    pub(crate) twelve_factor: Option<TwelveFactor>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) waivers: Vec<Waiver>,
    /// Pages elsewhere in the sources that belong to this service: globs relative to the
    /// doc's folder (`../../docs/gitaly/**`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) pages: Vec<String>,
}

impl ServiceDoc {
    pub(crate) fn tier_or_default(&self) -> Tier {
        self.tier.unwrap_or(Tier::DEFAULT)
    }

    pub(crate) fn title_or_id(&self) -> &str {
        self.title.as_deref().unwrap_or(self.service.as_str())
    }

    pub(crate) fn dependencies(&self) -> &[Dependency] {
        self.depends_on.as_deref().unwrap_or_default()
    }

    /// The runbook links of a service doc's front matter, with where each is in the YAML. Both
    /// the link check and the files the site publishes read them.
    pub(crate) fn runbook_links(&self) -> Vec<([Segment; 4], &str)> {
        let Some(runbooks) = &self.runbooks else {
            return Vec::new();
        };
        let at = |list: &str, index: usize| {
            [
                Segment::Key("runbooks".into()),
                Segment::Key(list.into()),
                Segment::Index(index),
                Segment::Key("link".into()),
            ]
        };
        let routine = runbooks.routine.iter().flatten().map(|t| &t.link);
        let recovery = runbooks.recovery.iter().flatten().map(|p| &p.link);
        let routine = routine
            .enumerate()
            .map(|(i, link)| (at("routine", i), link));
        let recovery = recovery
            .enumerate()
            .map(|(i, link)| (at("recovery", i), link));
        routine
            .chain(recovery)
            .filter_map(|(path, link)| Some((path, link.as_deref()?)))
            .collect()
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Owner {
    pub(crate) team: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) phone: Option<String>,
    pub(crate) chat: Option<String>,
    pub(crate) oncall: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Contact {
    pub(crate) name: String,
    pub(crate) role: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) phone: Option<String>,
    pub(crate) chat: Option<String>,
}

#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub(crate) enum DependencyKind {
    /// If the dependency fails, this service fails.
    #[default]
    Hard,
    /// If the dependency fails, this service degrades.
    Soft,
}

impl DependencyKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            DependencyKind::Hard => "hard",
            DependencyKind::Soft => "soft",
        }
    }
}

/// What a dependency points at: a documented id, or a third party by name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Target {
    Service(ServiceId),
    External(String),
}

/// `depends_on` entry: a bare id (a hard dependency) or a mapping.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Dependency {
    #[serde(flatten)]
    pub(crate) target: Target,
    pub(crate) kind: DependencyKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) via: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DependencyEntry {
    #[serde(default)]
    service: Option<ServiceId>,
    #[serde(default)]
    external: Option<String>,
    #[serde(default)]
    kind: DependencyKind,
    #[serde(default)]
    via: Option<String>,
}

impl<'de> Deserialize<'de> for Dependency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DependencyVisitor;
        impl<'de> de::Visitor<'de> for DependencyVisitor {
            type Value = Dependency;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a service id, or a mapping with `service` or `external`")
            }
            fn visit_str<E: de::Error>(self, id: &str) -> Result<Dependency, E> {
                let id = ServiceId::try_from(id.to_string()).map_err(E::custom)?;
                Ok(Dependency {
                    target: Target::Service(id),
                    kind: DependencyKind::Hard,
                    via: None,
                })
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Dependency, A::Error> {
                let entry =
                    DependencyEntry::deserialize(de::value::MapAccessDeserializer::new(map))?;
                let target = match (entry.service, entry.external) {
                    (Some(id), None) => Target::Service(id),
                    (None, Some(name)) => Target::External(name),
                    _ => {
                        return Err(de::Error::custom(
                            "a dependency needs exactly one of `service` (a documented id) or `external` (a third party)",
                        ));
                    }
                };
                Ok(Dependency {
                    target,
                    kind: entry.kind,
                    via: entry.via,
                })
            }
        }
        deserializer.deserialize_any(DependencyVisitor)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Architecture {
    #[serde(default)]
    pub(crate) components: Vec<Component>,
    #[serde(default)]
    pub(crate) links: Vec<(String, String)>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Component {
    pub(crate) id: String,
    pub(crate) label: Option<String>,
    pub(crate) kind: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum AlertLevel {
    /// Worth seeing on a dashboard; nobody is woken.
    Observed,
    /// Resolved within the 24-hour SLO.
    Important,
    /// The SLA is broken: fix now.
    Emergency,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Alert {
    pub(crate) name: String,
    pub(crate) level: AlertLevel,
    pub(crate) condition: Option<String>,
    pub(crate) link: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Monitoring {
    pub(crate) dashboard: Option<String>,
    pub(crate) metrics: Option<Vec<String>>,
    pub(crate) alerts: Option<Vec<Alert>>,
    /// Free-form: a string ("99.9%") or a mapping of objectives.
    pub(crate) slo: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum LogFormat {
    Json,
    Logfmt,
    Otlp,
    Text,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Logs {
    pub(crate) location: Option<String>,
    pub(crate) format: Option<LogFormat>,
    pub(crate) rotated: Option<bool>,
    pub(crate) central: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Operations {
    pub(crate) start: Option<String>,
    pub(crate) stop: Option<String>,
    pub(crate) performance_config: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RoutineTask {
    pub(crate) task: String,
    pub(crate) cadence: Option<String>,
    pub(crate) link: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RecoveryProcedure {
    pub(crate) failure: String,
    pub(crate) link: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Runbooks {
    pub(crate) routine: Option<Vec<RoutineTask>>,
    pub(crate) recovery: Option<Vec<RecoveryProcedure>>,
    pub(crate) unknown_failures: Option<String>,
}

/// Evidence that a kind of testing happens: `true`/`false`, or a URL to the evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged, expecting = "`true`, `false` or a URL to the evidence")]
pub(crate) enum Evidence {
    Flag(bool),
    Link(String),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Testing {
    pub(crate) unit: Option<Evidence>,
    pub(crate) integration: Option<Evidence>,
    pub(crate) uat: Option<Evidence>,
    pub(crate) load: Option<Evidence>,
    pub(crate) performance: Option<Evidence>,
    pub(crate) stress: Option<Evidence>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Scaling {
    pub(crate) strategy: Option<String>,
    pub(crate) tested_multiplier: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Delivery {
    Container,
    FatJar,
    Other,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Runtime {
    pub(crate) delivery: Option<Delivery>,
    pub(crate) config_from_env: Option<bool>,
    pub(crate) health_endpoint: Option<String>,
    pub(crate) metrics: Option<Vec<String>>,
    pub(crate) test_components: Option<String>,
}

/// The twelve factors (12factor.net), each true when the service follows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TwelveFactor {
    pub(crate) codebase: Option<bool>,
    pub(crate) dependencies: Option<bool>,
    pub(crate) config: Option<bool>,
    pub(crate) backing_services: Option<bool>,
    pub(crate) build_release_run: Option<bool>,
    pub(crate) processes: Option<bool>,
    pub(crate) port_binding: Option<bool>,
    pub(crate) concurrency: Option<bool>,
    pub(crate) disposability: Option<bool>,
    pub(crate) dev_prod_parity: Option<bool>,
    pub(crate) logs: Option<bool>,
    pub(crate) admin_processes: Option<bool>,
}

/// An accepted gap: the check counts as passed until `until`, then fails as an expired waiver.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Waiver {
    pub(crate) check: String,
    pub(crate) reason: String,
    pub(crate) until: Date,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_lowercase_slugs() {
        assert!(ServiceId::try_from("checkout-api2".to_string()).is_ok());
        let error = ServiceId::try_from("Checkout API".to_string()).unwrap_err();
        assert!(error.contains("`checkout-api`"), "{error}");
        assert!(error.contains("it contains `C`"), "{error}");
    }

    #[test]
    fn an_id_that_looks_right_says_which_character_is_wrong() {
        for (id, found) in [
            ("pay\u{200b}ments", "U+200B ZERO WIDTH SPACE"),
            ("payments\u{202e}", "U+202E RIGHT-TO-LEFT OVERRIDE"),
            ("p\u{0430}yments", "U+0430 CYRILLIC SMALL LETTER A"),
            ("pay ments", "a space"),
        ] {
            let error = ServiceId::try_from(id.to_string()).unwrap_err();
            assert!(error.contains(&format!("it contains {found};")), "{error}");
        }
    }

    #[test]
    fn an_id_has_at_most_127_characters() {
        assert!(ServiceId::try_from("a".repeat(MAX_ID_CHARS)).is_ok());
        let error = ServiceId::try_from("a".repeat(100_000)).unwrap_err();
        assert!(
            error.ends_with(
                "…` is not a valid id: it is 100000 characters long; an id has at most 127"
            ),
            "{error}"
        );
        assert!(error.len() < 200, "{error}");
    }

    #[test]
    fn dates_must_be_iso() {
        assert!("2026-02-28".parse::<Date>().is_ok());
        assert!("2026-02-30".parse::<Date>().is_err());
        assert!("28/02/2026".parse::<Date>().is_err());
    }
}
