//! Drawings: every diagram of the site, laid out once per distinct graph, when first needed.
//!
//! Builds the diagrams a reader needs (a service's neighbourhood, its architecture, each
//! system, the organisation) from the catalog and the report, adds the ```dot blocks of every
//! page, and lays them all out. Colours come from the report's levels; nothing here decides
//! readiness.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use petgraph::Direction;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use rayon::prelude::*;

use crate::book::Evaluated;
use crate::catalog::{self, Catalog};
use crate::config::DiagramSettings;
use crate::diag::{Code, Diagnostic, Diagnostics, Position};
use crate::diagram::{self, Diagram, DrawError, Edge, Node, Shape};
use crate::markdown::slug;
use crate::model::{DependencyKind, Kind};
use crate::site::url;

/// Above this many nodes the organisation graph is drawn as systems with edge counts: at 60
/// services with three edges each a full layout takes seconds and reads as a hairball.
pub(crate) const ORGANISATION_LIMIT: usize = 40;

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
            systems: systems(catalog)
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

/// The system a service belongs to, for grouping (`(no system)` when it names none).
pub(crate) fn system_of(catalog: &Catalog, index: usize) -> &str {
    catalog.services[index]
        .source
        .doc
        .system
        .as_deref()
        .unwrap_or(NO_SYSTEM)
}

pub(crate) const NO_SYSTEM: &str = "(no system)";

/// The organisation graph shows systems, not services: it has too many nodes to draw each.
pub(crate) fn organisation_by_system(catalog: &Catalog) -> bool {
    catalog.graph().node_count() > ORGANISATION_LIMIT
}

/// Every system named by a service, sorted, plus `(no system)` when some service names none,
/// with its services: grouped once, as a book may have as many systems as services.
fn systems(catalog: &Catalog) -> BTreeMap<String, Vec<usize>> {
    let mut systems: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for index in 0..catalog.services.len() {
        let name = system_of(catalog, index);
        match systems.get_mut(name) {
            Some(members) => members.push(index),
            None => {
                systems.insert(name.to_string(), vec![index]);
            }
        }
    }
    systems
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
/// level as `[diagrams]` says, at most [`NEIGHBOURS_PER_LEVEL`] of each level; the others of
/// a level are one "+N more" node that leads to the page's full lists.
fn neighbourhood(evaluated: &Evaluated, index: usize, settings: &DiagramSettings) -> Diagram {
    let catalog = &evaluated.catalog;
    let graph = catalog.graph();
    let start = catalog.node_of(index);
    let mut nodes = vec![start];
    let mut seen: BTreeSet<NodeIndex> = BTreeSet::from([start]);
    let mut more: Vec<More> = Vec::new();
    for (direction, depth) in [
        (Direction::Outgoing, settings.down),
        (Direction::Incoming, settings.up),
    ] {
        let mut level = vec![start];
        for _ in 0..depth {
            let mut next = Vec::new();
            let mut omitted: BTreeMap<NodeIndex, usize> = BTreeMap::new();
            for &node in &level {
                for neighbour in graph.neighbors_directed(node, direction) {
                    if !seen.insert(neighbour) {
                        continue;
                    }
                    if next.len() < NEIGHBOURS_PER_LEVEL {
                        next.push(neighbour);
                    } else {
                        *omitted.entry(node).or_default() += 1;
                    }
                }
            }
            // One node for the rest of the level, beside the node that has most of them.
            if let Some((&beside, _)) = omitted
                .iter()
                .max_by_key(|(n, count)| (**count, std::cmp::Reverse(**n)))
            {
                more.push(More {
                    beside,
                    count: omitted.values().sum(),
                    direction,
                });
            }
            next.sort_unstable();
            nodes.extend(&next);
            level = next;
        }
    }
    let page = url::service_page(catalog.services[index].id().as_str());
    let title = format!(
        "Dependencies of {}",
        catalog.services[index].source.doc.title_or_id()
    );
    let mut diagram = subgraph(evaluated, &nodes, &page, title, "neighbourhood");
    diagram.nodes[0].classes.push_str(" focus");
    for more in more {
        add_more_node(&mut diagram, &nodes, &more);
    }
    diagram
}

/// A neighbourhood draws at most this many nodes of each level around its service: a hub's
/// hundreds of dependents in one row are neither readable nor cheap to lay out.
pub(crate) const NEIGHBOURS_PER_LEVEL: usize = 8;

/// The neighbours of one level left out of a neighbourhood.
struct More {
    /// The drawn node most of them are next to.
    beside: NodeIndex,
    count: usize,
    direction: Direction,
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

/// At most this many services of one system are drawn on its page.
const SYSTEM_MEMBERS_LIMIT: usize = 60;
/// Dependencies that cross a system's border are grouped by the system across it; the
/// busiest this many groups are drawn.
const BORDER_GROUPS_LIMIT: usize = 12;
/// The systems graph keeps this many systems (the most connected) ...
const SYSTEMS_LIMIT: usize = 50;
/// ... and at most this many edges per system: more is a hairball, and layout-rs's cost grows
/// steeply with edge density.
const EDGES_PER_NODE: usize = 2;

/// What sits across a system's border: another system, or a node no system holds.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Across {
    System(String),
    Other(NodeIndex),
}

/// A system's services, their dependencies on each other, and every dependency that crosses
/// its border, grouped by the system on the other side.
fn system(evaluated: &Evaluated, name: &str, all_members: &[usize]) -> Diagram {
    let catalog = &evaluated.catalog;
    let graph = catalog.graph();
    let page = system_page(name);
    let members = &all_members[..all_members.len().min(SYSTEM_MEMBERS_LIMIT)];
    let member_position: HashMap<NodeIndex, usize> = members
        .iter()
        .enumerate()
        .map(|(p, &i)| (catalog.node_of(i), p))
        .collect();
    let mut inner: BTreeSet<(usize, usize, bool)> = BTreeSet::new();
    // (member, across, member depends on it) -> (count, every edge soft)
    let mut crossing: BTreeMap<(usize, Across, bool), (usize, bool)> = BTreeMap::new();
    // Every edge that touches a member: out of it, or into it from outside.
    let touching = member_position.keys().flat_map(|&member| {
        graph.edges_directed(member, Direction::Outgoing).chain(
            graph
                .edges_directed(member, Direction::Incoming)
                .filter(|e| !member_position.contains_key(&e.source())),
        )
    });
    for edge in touching {
        let soft = edge.weight().kind == DependencyKind::Soft;
        let (from, to) = (edge.source(), edge.target());
        match (member_position.get(&from), member_position.get(&to)) {
            (Some(&a), Some(&b)) => {
                inner.insert((a, b, soft));
            }
            (Some(&member), None) => add_crossing(&mut crossing, catalog, member, to, true, soft),
            (None, Some(&member)) => {
                add_crossing(&mut crossing, catalog, member, from, false, soft)
            }
            (None, None) => {}
        }
    }
    let mut busiest: BTreeMap<&Across, usize> = BTreeMap::new();
    for ((_, across, _), (count, _)) in &crossing {
        *busiest.entry(across).or_default() += count;
    }
    let mut groups: Vec<(&Across, usize)> = busiest.into_iter().collect();
    groups.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let hidden_groups = groups.len().saturating_sub(BORDER_GROUPS_LIMIT);
    groups.truncate(BORDER_GROUPS_LIMIT);
    groups.sort();

    let mut nodes: Vec<Node> = members
        .iter()
        .map(|&i| service_node(evaluated, i, &page))
        .collect();
    let mut group_position: HashMap<&Across, usize> = HashMap::new();
    for (across, count) in &groups {
        group_position.insert(across, nodes.len());
        nodes.push(border_node(evaluated, across, *count, &page));
    }
    let mut edges: Vec<Edge> = inner
        .into_iter()
        .map(|(from, to, soft)| Edge {
            from,
            to,
            soft,
            label: String::new(),
        })
        .collect();
    let mut border: Vec<(usize, Edge)> = crossing
        .iter()
        .filter_map(|((member, across, outgoing), (count, all_soft))| {
            let group = *group_position.get(across)?;
            let (from, to) = if *outgoing {
                (*member, group)
            } else {
                (group, *member)
            };
            let label = if *count > 1 {
                count.to_string()
            } else {
                String::new()
            };
            Some((
                *count,
                Edge {
                    from,
                    to,
                    soft: *all_soft,
                    label,
                },
            ))
        })
        .collect();
    // The busiest border crossings, up to what stays readable.
    border.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then((a.1.from, a.1.to).cmp(&(b.1.from, b.1.to)))
    });
    let room = (EDGES_PER_NODE * nodes.len()).saturating_sub(edges.len());
    let hidden_edges = border.len().saturating_sub(room);
    edges.extend(border.into_iter().take(room).map(|(_, edge)| edge));
    let mut title = format!("System {name}");
    if members.len() < all_members.len() {
        title.push_str(&format!(
            " (first {} of {} services)",
            members.len(),
            all_members.len()
        ));
    }
    if hidden_groups > 0 {
        title.push_str(&format!(
            ", {hidden_groups} more neighbouring systems not drawn"
        ));
    }
    if hidden_edges > 0 {
        title.push_str(&format!(
            ", only the {} busiest border crossings",
            edges.len()
        ));
    }
    Diagram {
        title,
        class: "system".into(),
        left_to_right: nodes.len() > 8,
        nodes,
        edges,
    }
}

fn add_crossing(
    crossing: &mut BTreeMap<(usize, Across, bool), (usize, bool)>,
    catalog: &Catalog,
    member: usize,
    other: NodeIndex,
    outgoing: bool,
    soft: bool,
) {
    let across = match &catalog.graph()[other] {
        catalog::Node::Documented(index) => Across::System(system_of(catalog, *index).to_string()),
        _ => Across::Other(other),
    };
    let entry = crossing
        .entry((member, across, outgoing))
        .or_insert((0, true));
    entry.0 += 1;
    entry.1 &= soft;
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
    let graph = catalog.graph();
    let page = "graph/index.html";
    if !organisation_by_system(catalog) {
        let nodes: Vec<NodeIndex> = graph.node_indices().collect();
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
    let mut counts: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    let mut sizes: BTreeMap<&str, usize> = BTreeMap::new();
    for index in 0..catalog.services.len() {
        *sizes.entry(system_of(catalog, index)).or_default() += 1;
    }
    for (from, to, _) in catalog.documented_edges() {
        let (a, b) = (system_of(catalog, from), system_of(catalog, to));
        if a != b {
            *counts.entry((a, b)).or_default() += 1;
        }
    }
    let mut degree: BTreeMap<&str, usize> = sizes.keys().map(|s| (*s, 0)).collect();
    for ((a, b), count) in &counts {
        *degree.entry(a).or_default() += count;
        *degree.entry(b).or_default() += count;
    }
    let mut kept: Vec<&str> = degree.keys().copied().collect();
    kept.sort_by(|a, b| degree[b].cmp(&degree[a]).then(a.cmp(b)));
    kept.truncate(SYSTEMS_LIMIT);
    kept.sort_unstable();
    let position: HashMap<&str, usize> = kept.iter().enumerate().map(|(i, s)| (*s, i)).collect();
    let mut edges: Vec<(usize, usize, usize)> = counts
        .iter()
        .filter_map(|((a, b), count)| Some((*position.get(a)?, *position.get(b)?, *count)))
        .collect();
    edges.sort_by(|x, y| y.2.cmp(&x.2).then((x.0, x.1).cmp(&(y.0, y.1))));
    let hidden_edges = edges.len().saturating_sub(EDGES_PER_NODE * kept.len());
    edges.truncate(EDGES_PER_NODE * kept.len());
    edges.sort_unstable();
    let nodes = kept
        .iter()
        .map(|name| Node {
            label: format!("{name}\n{} services", sizes[name]),
            classes: "node system".into(),
            shape: Shape::Box,
            link: Some(crate::links::relative_link(page, &system_page(name))),
            tooltip: format!("System {name}: {} services", sizes[name]),
        })
        .collect();
    let mut title = "Systems of the organisation".to_string();
    if kept.len() < sizes.len() {
        title.push_str(&format!(
            " (the {} most connected of {})",
            kept.len(),
            sizes.len()
        ));
    }
    if hidden_edges > 0 {
        title.push_str(&format!(
            ", the {} busiest links",
            EDGES_PER_NODE * kept.len()
        ));
    }
    let edges = edges
        .into_iter()
        .map(|(from, to, count)| Edge {
            from,
            to,
            soft: false,
            label: count.to_string(),
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
