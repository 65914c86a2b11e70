//! Export: the dependency graph, or one service's neighbourhood, as DOT, JSON or SVG, for
//! other tools (`opsbook graph`).

use std::fmt::Write;

use petgraph::graph::NodeIndex;
use serde::Serialize;

use crate::book::Evaluated;
use crate::catalog::Node;
use crate::diag::did_you_mean;
use crate::diagram;
use crate::model::{DependencyKind, Level};
use crate::site::{drawings, url};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GraphFormat {
    Dot,
    Json,
    Svg,
}

/// What to export: everything, or a service with `depth` steps of dependencies and dependents.
#[derive(Debug, Clone, Default)]
pub(crate) struct Selection {
    pub(crate) service: Option<String>,
    pub(crate) depth: Option<usize>,
}

/// The exported graph as text. Links (DOT `URL`, SVG) are relative to the site's root.
pub(crate) fn export(
    evaluated: &Evaluated,
    format: GraphFormat,
    selection: &Selection,
) -> Result<String, String> {
    let nodes = select(evaluated, selection)?;
    match format {
        GraphFormat::Dot => Ok(dot(evaluated, &nodes)),
        GraphFormat::Json => Ok(json(evaluated, &nodes)),
        GraphFormat::Svg => svg(evaluated, &nodes),
    }
}

fn select(evaluated: &Evaluated, selection: &Selection) -> Result<Vec<NodeIndex>, String> {
    let catalog = &evaluated.catalog;
    let Some(id) = &selection.service else {
        return Ok(catalog.graph().node_indices().collect());
    };
    let Some(index) = catalog.index_of(id) else {
        let ids = catalog.services.iter().map(|s| s.id().as_str());
        return Err(match did_you_mean(id, ids) {
            Some(suggestion) => format!("no service `{id}`; did you mean `{suggestion}`?"),
            None => format!("no service `{id}` in this book"),
        });
    };
    let settings = evaluated.config.diagrams;
    let (up, down) = selection
        .depth
        .map_or((settings.up, settings.down), |d| (d, d));
    Ok(crate::analysis::selection::neighbourhood_nodes(
        catalog, index, up, down,
    ))
}

/// How a node is named in exports: its id, or the name of an external.
fn node_id(node: &Node, evaluated: &Evaluated) -> String {
    match node {
        Node::Documented(index) => evaluated.catalog.services[*index].id().to_string(),
        Node::External(name) => name.clone(),
        Node::Unknown(id) => id.to_string(),
    }
}

fn quoted(text: &str) -> String {
    format!(
        "\"{}\"",
        text.replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n")
    )
}

fn dot(evaluated: &Evaluated, nodes: &[NodeIndex]) -> String {
    let graph = evaluated.catalog.graph();
    let mut out = String::from("digraph opsbook {\n  node [shape=box];\n");
    for &n in nodes {
        let id = node_id(&graph[n], evaluated);
        let attributes = match &graph[n] {
            Node::Documented(index) => {
                let doc = &evaluated.catalog.services[*index].source.doc;
                let report = &evaluated.report.services[*index];
                let shape = if doc.kind == crate::model::Kind::Resource {
                    ", shape=ellipse"
                } else {
                    ""
                };
                format!(
                    "label={}, tooltip={}, URL={}{shape}",
                    quoted(doc.title_or_id()),
                    quoted(&format!("{} (needs {})", report.level, report.required)),
                    quoted(&url::service_page(doc.service.as_str()))
                )
            }
            Node::External(_) => "style=dashed, tooltip=\"external\"".to_string(),
            Node::Unknown(_) => "style=dashed, color=red, tooltip=\"not documented\"".to_string(),
        };
        let _ = writeln!(out, "  {} [{attributes}];", quoted(&id));
    }
    for (from, to, kind) in evaluated.catalog.edges_among(nodes) {
        let style = if kind == DependencyKind::Soft {
            " [style=dashed]"
        } else {
            ""
        };
        let (a, b) = (
            node_id(&graph[nodes[from]], evaluated),
            node_id(&graph[nodes[to]], evaluated),
        );
        let _ = writeln!(out, "  {} -> {}{style};", quoted(&a), quoted(&b));
    }
    out.push_str("}\n");
    out
}

#[derive(Serialize)]
struct JsonGraph {
    nodes: Vec<JsonNode>,
    edges: Vec<JsonEdge>,
}

#[derive(Serialize)]
struct JsonNode {
    id: String,
    kind: &'static str,
    documented: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tier: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    level: Option<Level>,
    #[serde(skip_serializing_if = "Option::is_none")]
    required: Option<Level>,
}

#[derive(Serialize)]
struct JsonEdge {
    from: String,
    to: String,
    kind: &'static str,
}

fn json(evaluated: &Evaluated, nodes: &[NodeIndex]) -> String {
    let graph = evaluated.catalog.graph();
    let json_nodes = nodes
        .iter()
        .map(|&n| {
            let id = node_id(&graph[n], evaluated);
            match &graph[n] {
                Node::Documented(index) => {
                    let doc = &evaluated.catalog.services[*index].source.doc;
                    let report = &evaluated.report.services[*index];
                    JsonNode {
                        id,
                        kind: doc.kind.as_str(),
                        documented: true,
                        title: Some(doc.title_or_id().to_string()),
                        tier: Some(doc.tier_or_default().number()),
                        level: report.assessed.then_some(report.level),
                        required: report.assessed.then_some(report.required),
                    }
                }
                Node::External(_) => JsonNode {
                    id,
                    kind: "external",
                    documented: false,
                    title: None,
                    tier: None,
                    level: None,
                    required: None,
                },
                Node::Unknown(_) => JsonNode {
                    id,
                    kind: "unknown",
                    documented: false,
                    title: None,
                    tier: None,
                    level: None,
                    required: None,
                },
            }
        })
        .collect();
    let json_edges = evaluated
        .catalog
        .edges_among(nodes)
        .into_iter()
        .map(|(from, to, kind)| JsonEdge {
            from: node_id(&graph[nodes[from]], evaluated),
            to: node_id(&graph[nodes[to]], evaluated),
            kind: kind.as_str(),
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&JsonGraph {
        nodes: json_nodes,
        edges: json_edges,
    })
    .unwrap_or_default();
    text.push('\n');
    text
}

/// Colours for an SVG opened on its own, without the site's stylesheet.
const STANDALONE_STYLE: &str = "<style>.shape{fill:#fff;stroke:#98a4b3;stroke-width:1.5}.label{font:13px sans-serif;text-anchor:middle;dominant-baseline:central;fill:#1c2128}.edge{fill:none;stroke:#5c6673;stroke-width:1.4}.edge.soft{stroke-dasharray:5 4}.arrowhead{fill:#5c6673}.level-none{fill:#eceef1}.level-bronze{fill:#f5e1cd;stroke:#c98b55}.level-silver{fill:#e3e8ee}.level-gold{fill:#fbeaa9;stroke:#d2a526}.below{stroke:#b3261e}.external,.unknown{stroke-dasharray:4 3}.unknown{stroke:#b3261e}.focus{stroke:#1f5fbf;stroke-width:3}.hit{fill:transparent}</style>";

fn svg(evaluated: &Evaluated, nodes: &[NodeIndex]) -> Result<String, String> {
    let diagram = drawings::subgraph(
        evaluated,
        nodes,
        "index.html",
        "Dependencies".into(),
        "export",
    );
    let svg = diagram::draw(&diagram).map_err(|error| match error {
        diagram::DrawError::TooLarge { .. }
        | diagram::DrawError::Tangled { .. }
        | diagram::DrawError::ManyPaths { .. } => {
            format!("{error}: export one service with --service ID")
        }
        other => other.to_string(),
    })?;
    let styled = svg.replacen("<defs>", &format!("{STANDALONE_STYLE}<defs>"), 1);
    Ok(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{styled}\n"
    ))
}
