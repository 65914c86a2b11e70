//! Drawings: every diagram of the site, laid out once per distinct graph, when first needed.
//!
//! Builds the diagrams a reader needs (a service's neighbourhood, its architecture, each
//! system, the organisation) from what `analysis::selection` chose to show and the report,
//! adds the ```dot blocks of every page, and lays them all out. Colours come from the report's
//! levels; nothing here decides readiness or which services a drawing shows.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use petgraph::Direction;
use petgraph::graph::NodeIndex;
use rayon::prelude::*;

use crate::analysis::selection::{self, Across, Link, More};
use crate::book::Evaluated;
use crate::catalog::{self, Catalog};
use crate::config::DiagramSettings;
use crate::diag::{Code, Diagnostic, Diagnostics, Position};
use crate::diagram::{self, Diagram, DrawError, Edge, Node, Shape};
use crate::markdown::slug;
use crate::model::{DependencyKind, Kind};
use crate::site::url;

/// The site's diagrams, each described and laid out the first time a page asks for it:
/// `build` renders every page and so draws everything once, in parallel; `serve` draws only
/// what the pages a person opens show. ```dot blocks are drawn up front, because failures to
/// draw them are warnings of the build.
///
/// Every method takes the [`Evaluated`] book the drawings were made for.
#[derive(Debug)]
pub(crate) struct Drawings {
    settings: DiagramSettings,
    layouts: Arc<LayoutCache>,
    /// Per service index.
    neighbourhoods: Vec<Slot>,
    /// Per service index: its `architecture:` block, drawn.
    architectures: Vec<Slot>,
    /// Per system name: its services (by index), and its drawing.
    systems: BTreeMap<String, (Vec<usize>, Slot)>,
    organisation: Slot,
    /// ```dot blocks by fingerprint of their source.
    dots: HashMap<String, Drawn>,
}

/// A diagram drawn the first time a page asks for it; `None` when it cannot be drawn.
type Slot = OnceLock<Option<Arc<str>>>;

impl Drawings {
    /// Draws the ```dot blocks of every page and prepares the other diagrams to be drawn on
    /// demand. Layout failures of ```dot blocks are warnings at the block; syntax errors were
    /// reported when the book was read.
    pub(crate) fn new(
        evaluated: &Evaluated,
        settings: DiagramSettings,
        layouts: Arc<LayoutCache>,
        diagnostics: &mut Diagnostics,
    ) -> Drawings {
        layouts.start_build();
        let catalog = &evaluated.catalog;
        let slots = |count: usize| (0..count).map(|_| OnceLock::new()).collect();
        let drawings = Drawings {
            settings,
            neighbourhoods: slots(catalog.services.len()),
            architectures: slots(catalog.services.len()),
            systems: selection::systems(catalog)
                .into_iter()
                .map(|(name, members)| (name, (members, OnceLock::new())))
                .collect(),
            organisation: OnceLock::new(),
            dots: draw_dots(catalog, &layouts),
            layouts,
        };
        report_dot_failures(catalog, &drawings, diagnostics);
        drawings
    }

    pub(crate) fn neighbourhood(&self, evaluated: &Evaluated, index: usize) -> Option<&str> {
        self.neighbourhoods[index]
            .get_or_init(|| self.drawn(&neighbourhood(evaluated, index, &self.settings)))
            .as_deref()
    }

    pub(crate) fn architecture(&self, evaluated: &Evaluated, index: usize) -> Option<&str> {
        self.architectures[index]
            .get_or_init(|| {
                architecture(&evaluated.catalog.services[index]).and_then(|d| self.drawn(&d))
            })
            .as_deref()
    }

    pub(crate) fn system(&self, evaluated: &Evaluated, name: &str) -> Option<&str> {
        let (members, drawn) = self.systems.get(name)?;
        drawn
            .get_or_init(|| self.drawn(&system(evaluated, name, members)))
            .as_deref()
    }

    /// The services of a system, by index: none for a name no service gives.
    pub(crate) fn members(&self, name: &str) -> &[usize] {
        self.systems.get(name).map_or(&[], |(members, _)| members)
    }

    pub(crate) fn organisation(&self, evaluated: &Evaluated) -> Option<&str> {
        self.organisation
            .get_or_init(|| self.drawn(&organisation(evaluated)))
            .as_deref()
    }

    pub(crate) fn dot(&self, code: &str) -> Result<&str, DrawError> {
        match self.dots.get(&diagram::fingerprint(&code)) {
            Some(Ok(svg)) => Ok(svg),
            Some(Err(error)) => Err(error.clone()),
            None => Err(DrawError::Empty),
        }
    }

    fn drawn(&self, diagram: &Diagram) -> Option<Arc<str>> {
        self.layouts
            .get_or_lay_out(diagram::fingerprint(diagram), || {
                diagram::draw(diagram).map(Arc::from)
            })
            .ok()
    }
}

/// A diagram laid out and drawn as inline SVG, or why it could not be.
type Drawn = Result<Arc<str>, DrawError>;

/// Laid-out diagrams by content fingerprint. `serve` keeps one between rebuilds, so an edit
/// lays out again only the diagrams it changed.
#[derive(Debug, Default)]
pub(crate) struct LayoutCache {
    /// Each diagram, with the build that last used it.
    entries: Mutex<HashMap<String, (Drawn, u64)>>,
    build: AtomicU64,
}

/// Diagrams that this many builds in a row have not used are forgotten: a long `serve`
/// session keeps what its recent edits drew, not every version of every diagram.
const UNUSED_BUILDS_KEPT: u64 = 4;

impl LayoutCache {
    fn start_build(&self) {
        let build = self.build.fetch_add(1, Ordering::Relaxed) + 1;
        self.lock()
            .retain(|_, (_, used)| build - *used <= UNUSED_BUILDS_KEPT);
    }

    /// The diagram with fingerprint `key`, laid out now unless an earlier request (of this
    /// build or a recent one) did. Layouts run outside the lock, so they run in parallel.
    fn get_or_lay_out(&self, key: String, lay_out: impl FnOnce() -> Drawn) -> Drawn {
        let build = self.build.load(Ordering::Relaxed);
        if let Some((drawn, used)) = self.lock().get_mut(&key) {
            *used = build;
            return drawn.clone();
        }
        let drawn = lay_out();
        self.lock().insert(key, (drawn.clone(), build));
        drawn
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Drawn, u64)>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Every ```dot block of every page, each distinct one drawn once, in parallel.
fn draw_dots(catalog: &Catalog, layouts: &LayoutCache) -> HashMap<String, Drawn> {
    let mut sources: BTreeMap<String, &str> = BTreeMap::new();
    for service in &catalog.services {
        for block in service
            .markdown_files()
            .flat_map(|(_, facts)| &facts.diagrams)
        {
            sources.insert(diagram::fingerprint(&block.code.as_str()), &block.code);
        }
    }
    sources
        .into_par_iter()
        .map(|(key, code)| {
            let drawn = layouts.get_or_lay_out(key.clone(), || {
                diagram::draw_dot(code, "diagram").map(Arc::from)
            });
            (key, drawn)
        })
        .collect()
}

fn report_dot_failures(catalog: &Catalog, drawings: &Drawings, diagnostics: &mut Diagnostics) {
    for service in &catalog.services {
        for (origin, facts) in service.markdown_files() {
            for block in &facts.diagrams {
                match drawings.dot(&block.code) {
                    // Reported by `check` (see `catalog::check_drawings`).
                    Ok(_) | Err(DrawError::Syntax { .. } | DrawError::TooDeep { .. }) => {}
                    Err(error) => {
                        let warning = Diagnostic::warning(
                            Code::DiagramNotDrawn,
                            &origin.display_path,
                            format!("this diagram is shown as code: {error}"),
                        )
                        .at(Position::new(block.line, 1));
                        diagnostics.push(match error {
                            DrawError::TooLarge { .. } | DrawError::Tangled { .. } => warning
                                .with_help(
                                    "split it into smaller diagrams, each of the part that matters",
                                ),
                            DrawError::ManyPaths { .. } => warning.with_help(
                                "drop edges that a longer path already shows, or split it into smaller diagrams",
                            ),
                            _ => warning,
                        });
                    }
                }
            }
        }
    }
}

/// The system page of a system.
pub(crate) fn system_page(system: &str) -> String {
    format!("systems/{}/index.html", slug(system))
}

/// How a documented service is drawn: shape by kind, colour by level, a link to its page.
fn service_node(evaluated: &Evaluated, index: usize, from_page: &str) -> Node {
    let doc = &evaluated.catalog.services[index].source.doc;
    let report = &evaluated.report.services[index];
    let (shape, kind) = match doc.kind {
        Kind::Service => (Shape::Box, "service"),
        Kind::Resource => (Shape::Ellipse, "resource"),
        Kind::External => (Shape::Box, "external"),
    };
    let mut classes = format!("node {kind}");
    let tooltip = if report.assessed {
        classes.push_str(&format!(" level-{}", report.level));
        if !report.meets_required() {
            classes.push_str(" below");
        }
        format!(
            "{}: {} (needs {}), tier {}",
            doc.title_or_id(),
            report.level,
            report.required,
            doc.tier_or_default()
        )
    } else {
        format!("{}: external, not assessed", doc.title_or_id())
    };
    Node {
        label: doc.title_or_id().to_string(),
        classes,
        shape,
        link: Some(crate::links::relative_link(
            from_page,
            &url::service_page(doc.service.as_str()),
        )),
        tooltip,
    }
}

fn catalog_node(evaluated: &Evaluated, node: &catalog::Node, from_page: &str) -> Node {
    match node {
        catalog::Node::Documented(index) => service_node(evaluated, *index, from_page),
        catalog::Node::External(name) => Node {
            label: name.clone(),
            classes: "node external".into(),
            tooltip: format!("{name}: external, not documented here"),
            ..Node::default()
        },
        catalog::Node::Unknown(id) => Node {
            label: id.to_string(),
            classes: "node unknown".into(),
            tooltip: format!("{id}: no service doc declares it"),
            ..Node::default()
        },
    }
}

/// A service's neighbourhood as drawn on its page: its dependencies and dependents, level by
/// level as `[diagrams]` says (see [`selection::neighbourhood`]); the others of a level are
/// one "+N more" node that leads to the page's full lists.
fn neighbourhood(evaluated: &Evaluated, index: usize, settings: &DiagramSettings) -> Diagram {
    let catalog = &evaluated.catalog;
    let selected = selection::neighbourhood(catalog, index, settings.up, settings.down);
    let page = url::service_page(catalog.services[index].id().as_str());
    let title = format!(
        "Dependencies of {}",
        catalog.services[index].source.doc.title_or_id()
    );
    let mut diagram = subgraph(evaluated, &selected.nodes, &page, title, "neighbourhood");
    diagram.nodes[0].classes.push_str(" focus");
    for more in &selected.more {
        add_more_node(&mut diagram, &selected.nodes, more);
    }
    diagram
}

fn add_more_node(diagram: &mut Diagram, nodes: &[NodeIndex], more: &More) {
    let Some(beside) = nodes.iter().position(|n| *n == more.beside) else {
        return;
    };
    let (what, anchor) = match more.direction {
        Direction::Outgoing => ("dependencies", "#deps-h"),
        Direction::Incoming => ("dependents", "#dependents-h"),
    };
    let position = diagram.nodes.len();
    diagram.nodes.push(Node {
        label: format!("+{} more", more.count),
        classes: "node more".into(),
        shape: Shape::Box,
        link: Some(anchor.into()),
        tooltip: format!(
            "{} more {what} at this level: see the lists on this page",
            more.count
        ),
    });
    let (from, to) = match more.direction {
        Direction::Outgoing => (beside, position),
        Direction::Incoming => (position, beside),
    };
    diagram.edges.push(Edge {
        from,
        to,
        soft: false,
        label: String::new(),
    });
}

/// The nodes given and every dependency edge between them, drawn for the page at `page`.
pub(crate) fn subgraph(
    evaluated: &Evaluated,
    nodes: &[NodeIndex],
    page: &str,
    title: String,
    class: &str,
) -> Diagram {
    let graph = evaluated.catalog.graph();
    let edges = evaluated
        .catalog
        .edges_among(nodes)
        .into_iter()
        .map(|(from, to, kind)| Edge {
            from,
            to,
            soft: kind == DependencyKind::Soft,
            label: String::new(),
        })
        .collect();
    Diagram {
        title,
        class: class.to_string(),
        nodes: nodes
            .iter()
            .map(|n| catalog_node(evaluated, &graph[*n], page))
            .collect(),
        edges,
        left_to_right: false,
    }
}

/// A system's services, their dependencies on each other, and every dependency that crosses
/// its border, grouped by the system on the other side (see [`selection::system`]).
fn system(evaluated: &Evaluated, name: &str, all_members: &[usize]) -> Diagram {
    let page = system_page(name);
    let selected = selection::system(&evaluated.catalog, all_members);
    let mut nodes: Vec<Node> = selected
        .members
        .iter()
        .map(|&i| service_node(evaluated, i, &page))
        .collect();
    nodes.extend(
        selected
            .groups
            .iter()
            .map(|(across, count)| border_node(evaluated, across, *count, &page)),
    );
    let mut title = format!("System {name}");
    if selected.members.len() < selected.all_members {
        title.push_str(&format!(
            " (first {} of {} services)",
            selected.members.len(),
            selected.all_members
        ));
    }
    if selected.hidden_groups > 0 {
        title.push_str(&format!(
            ", {} more neighbouring systems not drawn",
            selected.hidden_groups
        ));
    }
    if selected.hidden_edges > 0 {
        title.push_str(&format!(
            ", only the {} busiest border crossings",
            selected.edges.len()
        ));
    }
    Diagram {
        title,
        class: "system".into(),
        left_to_right: nodes.len() > 8,
        nodes,
        edges: selected.edges.iter().map(counted_edge).collect(),
    }
}

/// An edge labelled with how many dependencies it stands for, when more than one.
fn counted_edge(link: &Link) -> Edge {
    Edge {
        from: link.from,
        to: link.to,
        soft: link.soft,
        label: match link.count {
            1 => String::new(),
            count => count.to_string(),
        },
    }
}

fn border_node(evaluated: &Evaluated, across: &Across, count: usize, page: &str) -> Node {
    match across {
        Across::System(system) => Node {
            label: system.clone(),
            classes: "node system outside".into(),
            shape: Shape::Box,
            link: Some(crate::links::relative_link(page, &system_page(system))),
            tooltip: format!("System {system}: {count} dependencies cross to it"),
        },
        Across::Other(node) => {
            let mut drawn = catalog_node(evaluated, &evaluated.catalog.graph()[*node], page);
            drawn.classes.push_str(" outside");
            drawn
        }
    }
}

/// The whole organisation, or its systems with edge counts when it is too large to read.
fn organisation(evaluated: &Evaluated) -> Diagram {
    let catalog = &evaluated.catalog;
    let page = "graph/index.html";
    if !selection::organisation_by_system(catalog) {
        let nodes: Vec<NodeIndex> = catalog.graph().node_indices().collect();
        let mut diagram = subgraph(
            evaluated,
            &nodes,
            page,
            "The organisation".into(),
            "organisation",
        );
        // Dependency graphs are wide and shallow: drawn left to right they fit a screen.
        diagram.left_to_right = true;
        return diagram;
    }
    let selected = selection::systems_overview(catalog);
    let nodes = selected
        .systems
        .iter()
        .map(|(name, size)| Node {
            label: format!("{name}\n{size} services"),
            classes: "node system".into(),
            shape: Shape::Box,
            link: Some(crate::links::relative_link(page, &system_page(name))),
            tooltip: format!("System {name}: {size} services"),
        })
        .collect();
    let mut title = "Systems of the organisation".to_string();
    if selected.systems.len() < selected.all_systems {
        title.push_str(&format!(
            " (the {} most connected of {})",
            selected.systems.len(),
            selected.all_systems
        ));
    }
    if selected.hidden_links > 0 {
        title.push_str(&format!(", the {} busiest links", selected.links.len()));
    }
    let edges = selected
        .links
        .iter()
        .map(|link| Edge {
            label: link.count.to_string(),
            ..counted_edge(link)
        })
        .collect();
    Diagram {
        title,
        class: "organisation".into(),
        nodes,
        edges,
        left_to_right: true,
    }
}

/// A service's `architecture:` block as a diagram of its components.
fn architecture(service: &catalog::Service) -> Option<Diagram> {
    let block = service.source.doc.architecture.as_ref()?;
    let position: HashMap<&str, usize> = block
        .components
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let nodes = block
        .components
        .iter()
        .map(|component| {
            let datastore = component
                .kind
                .as_deref()
                .is_some_and(|k| k == "datastore" || k == "database");
            Node {
                label: component
                    .label
                    .clone()
                    .unwrap_or_else(|| component.id.clone()),
                classes: format!(
                    "node component{}",
                    if datastore { " datastore" } else { "" }
                ),
                shape: if datastore {
                    Shape::Ellipse
                } else {
                    Shape::Box
                },
                link: None,
                tooltip: component.id.clone(),
            }
        })
        .collect();
    let edges = block
        .links
        .iter()
        .filter_map(|(from, to)| {
            Some(Edge {
                from: *position.get(from.as_str())?,
                to: *position.get(to.as_str())?,
                soft: false,
                label: String::new(),
            })
        })
        .collect();
    let title = format!("Architecture of {}", service.source.doc.title_or_id());
    Some(Diagram {
        title,
        class: "architecture".into(),
        nodes,
        edges,
        left_to_right: true,
    })
}
