//! Badges: a small shields-style SVG of a service's level against its required level, for
//! the service's README (`badges/<service>.svg`).

use crate::diagram::escape;
use crate::model::Level;
use crate::report::ServiceReport;

/// Where a service's badge is published.
pub(crate) fn badge_path(id: &str) -> String {
    format!("badges/{id}.svg")
}

/// The badge of an assessed service: "readiness | silver", or "readiness | bronze, needs
/// silver" in red when it falls short.
pub(crate) fn badge(report: &ServiceReport) -> String {
    let (message, colour) = if report.meets_required() {
        (report.level.to_string(), level_colour(report.level))
    } else {
        (
            format!("{}, needs {}", report.level, report.required),
            "#c62828",
        )
    };
    draw("readiness", &message, colour)
}

fn level_colour(level: Level) -> &'static str {
    match level {
        Level::Gold => "#2e7d32",
        Level::Silver => "#388e3c",
        Level::Bronze => "#689f38",
        Level::None => "#757575",
    }
}

/// Text widths are estimated (the badge is drawn without fonts at hand), generously enough
/// that Verdana at 11 px, which shields-style badges use, fits.
fn text_width(text: &str) -> f64 {
    text.chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '!' | '|' => 3.5,
            'f' | 'r' | 't' | ' ' | '-' | '(' | ')' => 4.6,
            'm' | 'w' => 10.0,
            'M' | 'W' => 11.5,
            c if c.is_ascii_uppercase() => 7.8,
            c if c.is_ascii_digit() => 7.0,
            _ => 7.0,
        })
        .sum()
}

fn draw(label: &str, message: &str, colour: &str) -> String {
    const PADDING: f64 = 6.0;
    let label_width = (text_width(label) + 2.0 * PADDING).round();
    let message_width = (text_width(message) + 2.0 * PADDING).round();
    let width = label_width + message_width;
    let (label, message) = (escape(label), escape(message));
    let label_x = label_width / 2.0;
    let message_x = label_width + message_width / 2.0;
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" aria-label="{label}: {message}"><title>{label}: {message}</title><linearGradient id="shine" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient><clipPath id="round"><rect width="{width}" height="20" rx="3" fill="#fff"/></clipPath><g clip-path="url(#round)"><rect width="{label_width}" height="20" fill="#555"/><rect x="{label_width}" width="{message_width}" height="20" fill="{colour}"/><rect width="{width}" height="20" fill="url(#shine)"/></g><g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11"><text x="{label_x}" y="15" fill="#010101" fill-opacity=".3">{label}</text><text x="{label_x}" y="14">{label}</text><text x="{message_x}" y="15" fill="#010101" fill-opacity=".3">{message}</text><text x="{message_x}" y="14">{message}</text></g></svg>
"##
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longer_messages_make_wider_badges_and_text_is_escaped() {
        let short = draw("readiness", "gold", "#000");
        let long = draw("readiness", "bronze, needs gold", "#000");
        let width = |svg: &str| -> f64 {
            let start = svg.find("width=\"").unwrap() + 7;
            svg[start..].split('"').next().unwrap().parse().unwrap()
        };
        assert!(width(&long) > width(&short) + 50.0);
        let hostile = draw("readiness", "<script>", "#000");
        assert!(!hostile.contains("<script>") && hostile.contains("&lt;script&gt;"));
    }
}
