//! Values as other tools write them, read as opsbook's: tiers (`1`, `"1"`, `tier1`,
//! `Tier 1`, `tier_1`, `critical`), lifecycles (`Active`, `public_ga`, `beta`,
//! `end-of-life`) and names (`Shopping_Cart`). The common spellings are known; book.toml's
//! `[import]` tables add an organisation's own.

use serde_json::Value;

use crate::config::ImportSettings;
use crate::model::Lifecycle;

/// The tier `value` stands for, when it is one opsbook can tell: a number from 0 to 4 with
/// or without `tier` in front (tier 0 is the most critical, as opsbook's tier 1), or a
/// word of the critical/high/medium/low scale. Book.toml's mapping comes first.
pub(crate) fn tier(value: &Value, settings: &ImportSettings) -> Option<u8> {
    let text = match value {
        Value::Number(number) => number.to_string(),
        Value::String(text) => text.trim().to_string(),
        _ => return None,
    };
    if let Some(tier) = settings.tiers.get(&text) {
        return Some(tier.number());
    }
    let folded = fold(&text);
    match folded.strip_prefix("tier").unwrap_or(&folded) {
        "0" | "1" | "critical" | "p0" | "p1" => Some(1),
        "2" | "high" | "p2" => Some(2),
        "3" | "medium" | "p3" => Some(3),
        "4" | "low" | "p4" => Some(4),
        _ => None,
    }
}

/// The lifecycle `value` stands for, when it is one opsbook can tell. Book.toml's mapping
/// comes first.
pub(crate) fn lifecycle(value: &Value, settings: &ImportSettings) -> Option<Lifecycle> {
    let text = value.as_str()?.trim();
    if let Some(lifecycle) = settings.lifecycles.get(text) {
        return Some(*lifecycle);
    }
    match fold(text).as_str() {
        "production" | "prod" | "active" | "live" | "ga" | "generallyavailable" | "publicga"
        | "stable" | "mature" => Some(Lifecycle::Production),
        "experimental" | "alpha" | "prealpha" | "beta" | "publicbeta" | "privatebeta"
        | "prerelease" | "preview" | "development" | "dev" | "sandbox" | "incubating"
        | "planned" | "proposed" => Some(Lifecycle::Experimental),
        "deprecated" | "endoflife" | "eol" | "retired" | "sunset" | "sunsetting"
        | "decommissioned" | "legacy" => Some(Lifecycle::Deprecated),
        _ => None,
    }
}

/// Lower case without spaces, `-`, `_` or `.`: `Tier 1`, `tier_1` and `TIER-1` all fold to
/// `tier1`.
pub(super) fn fold(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_' | '.'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// A name as a service id: lower case, every run of characters an id cannot hold made one
/// `-`, none at either end. Empty when nothing is left.
pub(crate) fn service_id(name: &str) -> String {
    let mut id = String::new();
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            id.push(c);
        } else if !id.is_empty() && !id.ends_with('-') {
            id.push('-');
        }
    }
    id.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn settings() -> ImportSettings {
        ImportSettings::default()
    }

    #[test]
    fn tiers_in_the_spellings_found_in_the_wild() {
        let tier_of = |value: Value| tier(&value, &settings());
        for (value, expected) in [
            (json!(1), Some(1)),
            (json!("1"), Some(1)),
            (json!("tier1"), Some(1)),
            (json!("tier_2"), Some(2)),
            (json!("Tier 3"), Some(3)),
            (json!("TIER-4"), Some(4)),
            (json!("tier0"), Some(1)),
            (json!("critical"), Some(1)),
            (json!("High"), Some(2)),
            (json!("low"), Some(4)),
            (json!("gold"), None),
            (json!(7), None),
            (json!(true), None),
        ] {
            assert_eq!(tier_of(value.clone()), expected, "{value}");
        }
    }

    #[test]
    fn book_toml_maps_an_organisations_own_values_first() {
        let mut settings = settings();
        settings
            .tiers
            .insert("gold".into(), serde_json::from_value(json!(1)).unwrap());
        settings
            .lifecycles
            .insert("ramping".into(), Lifecycle::Experimental);
        assert_eq!(tier(&json!("gold"), &settings), Some(1));
        assert_eq!(
            lifecycle(&json!("ramping"), &settings),
            Some(Lifecycle::Experimental)
        );
    }

    #[test]
    fn lifecycles_in_the_spellings_found_in_the_wild() {
        for (value, expected) in [
            ("Active", Some(Lifecycle::Production)),
            ("public_ga", Some(Lifecycle::Production)),
            ("generally_available", Some(Lifecycle::Production)),
            ("beta", Some(Lifecycle::Experimental)),
            ("Pre-release", Some(Lifecycle::Experimental)),
            ("end-of-life", Some(Lifecycle::Deprecated)),
            ("Deprecated", Some(Lifecycle::Deprecated)),
            ("unknown", None),
        ] {
            assert_eq!(lifecycle(&json!(value), &settings()), expected, "{value}");
        }
    }

    #[test]
    fn names_become_ids() {
        assert_eq!(service_id("Shopping_Cart"), "shopping-cart");
        assert_eq!(service_id("  web--api.v2 "), "web-api-v2");
        assert_eq!(service_id("___"), "");
    }
}
