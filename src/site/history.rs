//! History charts: how a service's level and failing checks, and the organisation's levels,
//! changed over the sampled commits, drawn at build time as small SVG bar charts.
//!
//! One bar per commit, its tooltip (`<title>`) naming the commit, and a link to the commit
//! when the repository's web address is known. Colours come from the theme's CSS classes
//! (`svg.history .level-gold`, `.failing`, ...). Each chart is an image with a title for
//! screen readers, and every view carries the same figures as a table.

use std::fmt::Write;

use serde::Serialize;

use crate::diagram::escape;
use crate::history::{Commit, History};
use crate::model::Level;

/// The history section of a page.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct HistoryView {
    /// Inline SVG charts, each with a caption.
    pub(crate) charts: Vec<ChartView>,
    /// Headings of the table's figures (after commit, date and subject).
    pub(crate) headers: Vec<&'static str>,
    pub(crate) rows: Vec<HistoryRow>,
    /// Why there are fewer points than asked for (a shallow clone).
    pub(crate) note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ChartView {
    pub(crate) caption: String,
    pub(crate) svg: String,
}

/// One commit, as the table shows it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct HistoryRow {
    pub(crate) short: String,
    pub(crate) url: Option<String>,
    pub(crate) date: String,
    pub(crate) subject: String,
    pub(crate) values: Vec<String>,
}

/// One bar: stacked segments (value, CSS class) and a tooltip.
struct Bar<'a> {
    commit: &'a Commit,
    segments: Vec<(usize, &'static str)>,
    label: String,
}

/// A service's history; `None` when it is in no sampled commit.
pub(crate) fn service(history: &History, id: &str) -> Option<HistoryView> {
    let points: Vec<_> = history
        .points
        .iter()
        .filter_map(|p| p.services.get(id).map(|s| (&p.commit, s)))
        .collect();
    let (_, latest) = points.last()?;
    let levels = points.iter().map(|(commit, s)| Bar {
        commit,
        segments: vec![(rank(s.level), level_class(s.level))],
        label: format!("{}, needs {}", s.level, s.required),
    });
    let failing = points.iter().map(|(commit, s)| Bar {
        commit,
        segments: vec![(s.failing, "failing")],
        label: plural(s.failing, "failing check"),
    });
    let level_axis: Vec<(usize, String)> = Level::ALL
        .iter()
        .map(|l| (rank(*l), l.to_string()))
        .collect();
    let max_failing = points.iter().map(|(_, s)| s.failing).max().unwrap_or(0);
    Some(HistoryView {
        charts: vec![
            chart(
                &format!("history-level-{id}"),
                &format!(
                    "Level of {id} at each of the last {}",
                    plural(points.len(), "commit")
                ),
                &levels.collect::<Vec<_>>(),
                &level_axis,
                Some(rank(latest.required)),
            ),
            failing_chart(id, failing.collect(), max_failing),
        ],
        headers: vec!["level", "required", "failing checks"],
        rows: points
            .iter()
            .map(|(commit, s)| {
                row(
                    commit,
                    vec![
                        s.level.to_string(),
                        s.required.to_string(),
                        s.failing.to_string(),
                    ],
                )
            })
            .collect(),
        note: history.note.clone(),
    })
}

/// The organisation's history; `None` without points.
pub(crate) fn organisation(history: &History) -> Option<HistoryView> {
    if history.points.is_empty() {
        return None;
    }
    let points = &history.points;
    let levels: Vec<Bar> = points
        .iter()
        .map(|p| {
            let o = &p.organisation;
            Bar {
                commit: &p.commit,
                segments: Level::ALL
                    .iter()
                    .map(|l| (o.by_level[*l as usize], level_class(*l)))
                    .collect(),
                label: format!(
                    "{} of {} meet their required level · {}",
                    o.meeting_required,
                    o.assessed,
                    by_level(&o.by_level)
                ),
            }
        })
        .collect();
    let failing: Vec<Bar> = points
        .iter()
        .map(|p| Bar {
            commit: &p.commit,
            segments: vec![(p.organisation.failing, "failing")],
            label: plural(p.organisation.failing, "failing check"),
        })
        .collect();
    let most = points
        .iter()
        .map(|p| p.organisation.assessed)
        .max()
        .unwrap_or(0);
    let max_failing = points
        .iter()
        .map(|p| p.organisation.failing)
        .max()
        .unwrap_or(0);
    Some(HistoryView {
        charts: vec![
            chart(
                "history-levels",
                &format!(
                    "Services by level at each of the last {}",
                    plural(points.len(), "commit")
                ),
                &levels,
                &[(0, "0".into()), (most.max(1), most.to_string())],
                None,
            ),
            failing_chart("organisation", failing, max_failing),
        ],
        headers: vec!["meeting required", "by level", "failing checks"],
        rows: points
            .iter()
            .map(|p| {
                let o = &p.organisation;
                row(
                    &p.commit,
                    vec![
                        format!("{} of {}", o.meeting_required, o.assessed),
                        by_level(&o.by_level),
                        o.failing.to_string(),
                    ],
                )
            })
            .collect(),
        note: history.note.clone(),
    })
}

fn failing_chart(id: &str, bars: Vec<Bar>, max: usize) -> ChartView {
    let count = bars.len();
    chart(
        &format!("history-failing-{id}"),
        &format!(
            "Failing checks at each of the last {}",
            plural(count, "commit")
        ),
        &bars,
        &[(0, "0".into()), (max.max(1), max.max(1).to_string())],
        None,
    )
}

fn row(commit: &Commit, values: Vec<String>) -> HistoryRow {
    HistoryRow {
        short: commit.short().to_string(),
        url: commit.url.clone(),
        date: commit.date.clone(),
        subject: commit.subject.clone(),
        values,
    }
}

/// Bars are at least one unit tall, so `none` is a visible level.
fn rank(level: Level) -> usize {
    level as usize + 1
}

fn level_class(level: Level) -> &'static str {
    match level {
        Level::None => "level-none",
        Level::Bronze => "level-bronze",
        Level::Silver => "level-silver",
        Level::Gold => "level-gold",
    }
}

fn by_level(counts: &[usize; 4]) -> String {
    Level::ALL
        .iter()
        .rev()
        .map(|l| format!("{l} {}", counts[*l as usize]))
        .collect::<Vec<_>>()
        .join(", ")
}

fn plural(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

const LEFT: usize = 52;
const TOP: usize = 8;
const PLOT: usize = 72;
const BOTTOM: usize = 18;
/// The plot is at least this wide, so a few commits still make a readable chart...
const MIN_PLOT_WIDTH: usize = 220;
/// ...and each bar has at least this much room.
const MIN_STEP: usize = 14;
const MAX_BAR: usize = 24;

/// A bar chart: one bar per commit, `axis` labels at their values, an optional dashed guide
/// (a required level) at a value. The largest axis value is the top of the chart.
fn chart(
    id: &str,
    caption: &str,
    bars: &[Bar],
    axis: &[(usize, String)],
    guide: Option<usize>,
) -> ChartView {
    let top_value = axis.iter().map(|(v, _)| *v).max().unwrap_or(1).max(1);
    let y = |value: usize| TOP + PLOT - value.min(top_value) * PLOT / top_value;
    let step = (MIN_PLOT_WIDTH / bars.len().max(1)).max(MIN_STEP);
    let bar_width = (step * 2 / 3).min(MAX_BAR);
    let width = LEFT + bars.len() * step + 8;
    let height = TOP + PLOT + BOTTOM;
    let id = escape(&crate::markdown::slug(id));
    let mut svg = format!(
        r#"<svg class="history" role="img" aria-labelledby="{id}" width="{width}" height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg"><title id="{id}">{}</title>"#,
        escape(caption)
    );
    for (value, label) in axis {
        let at = y(*value);
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{LEFT}" y1="{at}" x2="{}" y2="{at}"/><text class="axis" x="{}" y="{at}">{}</text>"#,
            width - 8,
            LEFT - 6,
            escape(label)
        );
    }
    if let Some(value) = guide {
        let at = y(value);
        let _ = write!(
            svg,
            r#"<line class="required" x1="{LEFT}" y1="{at}" x2="{}" y2="{at}"/>"#,
            width - 8
        );
    }
    for (index, bar) in bars.iter().enumerate() {
        let x = LEFT + index * step;
        draw_bar(&mut svg, (x, step, bar_width), bar, &y);
    }
    if let (Some(first), Some(last)) = (bars.first(), bars.last()) {
        let baseline = TOP + PLOT + BOTTOM - 4;
        let _ = write!(
            svg,
            r#"<text class="date" x="{LEFT}" y="{baseline}">{}</text>"#,
            escape(&first.commit.date)
        );
        if bars.len() > 1 {
            let _ = write!(
                svg,
                r#"<text class="date end" x="{}" y="{baseline}">{}</text>"#,
                width - 8,
                escape(&last.commit.date)
            );
        }
    }
    svg.push_str("</svg>");
    ChartView {
        caption: caption.to_string(),
        svg,
    }
}

/// One commit's bar in its slot (left edge, slot width, bar width): its stacked segments, a
/// tooltip naming the commit, a link to it.
fn draw_bar(
    svg: &mut String,
    (slot, step, width): (usize, usize, usize),
    bar: &Bar,
    y: &dyn Fn(usize) -> usize,
) {
    let x = slot + (step - width) / 2;
    let commit = bar.commit;
    let _ = write!(
        svg,
        r#"<g class="history-point" data-commit="{}"><title>{} · {} · {}&#10;{}</title>"#,
        escape(&commit.sha),
        escape(commit.short()),
        escape(&commit.date),
        escape(&commit.subject),
        escape(&bar.label)
    );
    if let Some(url) = &commit.url {
        let _ = write!(svg, r#"<a href="{}">"#, escape(url));
    }
    let _ = write!(
        svg,
        r#"<rect class="hit" x="{slot}" y="{TOP}" width="{step}" height="{PLOT}"/>"#
    );
    let mut stacked = 0;
    for (value, class) in &bar.segments {
        if *value == 0 {
            continue;
        }
        let (bottom, top) = (y(stacked), y(stacked + value));
        let _ = write!(
            svg,
            r#"<rect class="bar {class}" x="{x}" y="{top}" width="{width}" height="{}"/>"#,
            bottom - top
        );
        stacked += value;
    }
    if commit.url.is_some() {
        svg.push_str("</a>");
    }
    svg.push_str("</g>");
}
