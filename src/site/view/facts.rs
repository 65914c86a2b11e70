//! The facts of a service's front matter as the "at a glance" tables show them.

use crate::model::{Evidence, ServiceDoc};
use serde::Serialize;

/// One labelled fact of the front matter, shown in the "at a glance" tables.
#[derive(Debug, Default, Serialize)]
pub(crate) struct Fact {
    pub(crate) label: &'static str,
    pub(crate) value: String,
    pub(crate) url: Option<String>,
    /// A command or path, shown as code.
    pub(crate) code: bool,
    /// For lists: the items, shown one per line (`value` then says "none" when empty).
    pub(crate) items: Vec<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct FactGroup {
    pub(crate) title: &'static str,
    pub(crate) facts: Vec<Fact>,
}

#[derive(Debug, Serialize)]
pub(crate) struct AlertView<'a> {
    pub(crate) name: &'a str,
    pub(crate) level: &'static str,
    pub(crate) condition: Option<&'a str>,
}

#[derive(Debug, Serialize)]
pub(crate) struct ContactView<'a> {
    pub(crate) name: &'a str,
    pub(crate) role: Option<&'a str>,
    pub(crate) email: Option<&'a str>,
    pub(crate) phone: Option<&'a str>,
    pub(crate) chat: Option<&'a str>,
}

pub(crate) fn alert_level(level: crate::model::AlertLevel) -> &'static str {
    match level {
        crate::model::AlertLevel::Observed => "observed",
        crate::model::AlertLevel::Important => "important",
        crate::model::AlertLevel::Emergency => "emergency",
    }
}

pub(crate) fn fact(label: &'static str, value: Option<&str>) -> Option<Fact> {
    value.map(|v| Fact {
        label,
        value: v.to_string(),
        ..Fact::default()
    })
}

pub(crate) fn command(label: &'static str, value: Option<&str>) -> Option<Fact> {
    fact(label, value).map(|f| Fact { code: true, ..f })
}

pub(crate) fn link_fact(label: &'static str, value: Option<&str>) -> Option<Fact> {
    fact(label, value).map(|f| Fact {
        url: is_web_url(&f.value).then(|| f.value.clone()),
        ..f
    })
}

pub(crate) fn is_web_url(text: &str) -> bool {
    text.starts_with("https://") || text.starts_with("http://")
}

pub(crate) fn flag(label: &'static str, value: Option<bool>) -> Option<Fact> {
    fact(label, value.map(|v| if v { "yes" } else { "no" }))
}

pub(crate) fn evidence(label: &'static str, value: Option<&Evidence>) -> Option<Fact> {
    match value? {
        Evidence::Flag(v) => flag(label, Some(*v)),
        Evidence::Link(link) => link_fact(label, Some(link)),
    }
}

pub(crate) fn list(label: &'static str, value: Option<&Vec<String>>) -> Option<Fact> {
    value.map(|items| Fact {
        label,
        value: if items.is_empty() {
            "none".to_string()
        } else {
            items.join(", ")
        },
        items: items.clone(),
        ..Fact::default()
    })
}

/// How a serde enum is spelt in a service doc (`fat-jar`, `json`).
pub(crate) fn spelling<T: Serialize>(value: T) -> Option<String> {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
}

/// The front matter, grouped as the checklist is, for the "at a glance" section.
pub(crate) fn facts(doc: &ServiceDoc, resolve: &dyn Fn(&str) -> Option<String>) -> Vec<FactGroup> {
    let monitoring = doc.monitoring.as_ref();
    let logs = doc.logs.as_ref();
    let operations = doc.operations.as_ref();
    let testing = doc.testing.as_ref();
    let scaling = doc.scaling.as_ref();
    let runtime = doc.runtime.as_ref();
    let owner = doc.owner.as_ref();
    let slo = monitoring.and_then(|m| m.slo.as_ref()).map(slo_text);
    let multiplier = scaling
        .and_then(|s| s.tested_multiplier)
        .map(|m| format!("{m}x expected peak"));
    let groups = vec![
        (
            "Contacts",
            vec![link_fact(
                "On call",
                owner.and_then(|o| o.oncall.as_deref()),
            )],
        ),
        (
            "Monitoring",
            vec![
                link_fact("Dashboard", monitoring.and_then(|m| m.dashboard.as_deref())),
                list("Metrics shown", monitoring.and_then(|m| m.metrics.as_ref())),
                fact("SLO", slo.as_deref()),
            ],
        ),
        (
            "Logs",
            vec![
                command("Location", logs.and_then(|l| l.location.as_deref())),
                fact(
                    "Format",
                    logs.and_then(|l| l.format).and_then(spelling).as_deref(),
                ),
                flag("Rotated", logs.and_then(|l| l.rotated)),
                link_fact("Central", logs.and_then(|l| l.central.as_deref())),
            ],
        ),
        (
            "Operations",
            vec![
                command("Start", operations.and_then(|o| o.start.as_deref())),
                command("Stop", operations.and_then(|o| o.stop.as_deref())),
                list(
                    "Performance config",
                    operations.and_then(|o| o.performance_config.as_ref()),
                ),
            ],
        ),
        ("Runbooks", runbook_facts(doc, resolve)),
        (
            "Testing",
            vec![
                evidence("Unit", testing.and_then(|t| t.unit.as_ref())),
                evidence("Integration", testing.and_then(|t| t.integration.as_ref())),
                evidence("UAT", testing.and_then(|t| t.uat.as_ref())),
                evidence("Load", testing.and_then(|t| t.load.as_ref())),
                evidence("Performance", testing.and_then(|t| t.performance.as_ref())),
                evidence("Stress", testing.and_then(|t| t.stress.as_ref())),
            ],
        ),
        (
            "Scaling",
            vec![
                fact("Strategy", scaling.and_then(|s| s.strategy.as_deref())),
                fact("Load tested at", multiplier.as_deref()),
            ],
        ),
        (
            "Runtime",
            vec![
                fact(
                    "Delivery",
                    runtime
                        .and_then(|r| r.delivery)
                        .and_then(spelling)
                        .as_deref(),
                ),
                flag(
                    "Config from environment",
                    runtime.and_then(|r| r.config_from_env),
                ),
                fact(
                    "Health endpoint",
                    runtime.and_then(|r| r.health_endpoint.as_deref()),
                ),
                list("Metrics", runtime.and_then(|r| r.metrics.as_ref())),
                link_fact(
                    "Test components",
                    runtime.and_then(|r| r.test_components.as_deref()),
                ),
            ],
        ),
    ];
    groups
        .into_iter()
        .map(|(title, facts)| FactGroup {
            title,
            facts: facts.into_iter().flatten().collect(),
        })
        .filter(|group| !group.facts.is_empty())
        .collect()
}

pub(crate) fn runbook_facts(
    doc: &ServiceDoc,
    resolve: &dyn Fn(&str) -> Option<String>,
) -> Vec<Option<Fact>> {
    let Some(runbooks) = doc.runbooks.as_ref() else {
        return Vec::new();
    };
    let link_of = |link: Option<&String>| {
        link.and_then(|l| resolve(l).or_else(|| is_web_url(l).then(|| l.clone())))
    };
    let mut facts: Vec<Option<Fact>> = Vec::new();
    for task in runbooks.routine.iter().flatten() {
        let cadence = task.cadence.as_deref().unwrap_or("no cadence");
        facts.push(Some(Fact {
            label: "Routine",
            value: format!("{} ({cadence})", task.task),
            url: link_of(task.link.as_ref()),
            ..Fact::default()
        }));
    }
    for procedure in runbooks.recovery.iter().flatten() {
        facts.push(Some(Fact {
            label: "Recovery",
            value: procedure.failure.clone(),
            url: link_of(procedure.link.as_ref()),
            ..Fact::default()
        }));
    }
    facts.push(link_fact(
        "Unknown failures",
        runbooks.unknown_failures.as_deref(),
    ));
    facts
}

pub(crate) fn slo_text(slo: &serde_json::Value) -> String {
    match slo {
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}: {}",
                    k.replace('_', " "),
                    v.as_str().map_or_else(|| v.to_string(), str::to_string)
                )
            })
            .collect::<Vec<_>>()
            .join(", "),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
