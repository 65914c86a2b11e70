//! Selection: which services and dependencies each drawing of the graph shows.
//!
//! A drawing must stay readable, and cheap to lay out, at any size of book: a hub's hundreds
//! of dependents in one row, or every edge of a large system, are neither. So each selection
//! has limits, and says what it left out, for the drawing's title or a "+N more" node. Pure,
//! on the catalog: the site turns a selection into a diagram (labels, colours, links), and
//! `opsbook graph` exports one.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use petgraph::Direction;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;

use crate::catalog::{self, Catalog};
use crate::model::DependencyKind;

/// Above this many nodes the organisation graph is drawn as systems with edge counts: at 60
/// services with three edges each a full layout takes seconds and reads as a hairball.
pub(crate) const ORGANISATION_LIMIT: usize = 40;

/// A neighbourhood draws at most this many nodes of each level around its service: a hub's
/// hundreds of dependents in one row are neither readable nor cheap to lay out.
pub(crate) const NEIGHBOURS_PER_LEVEL: usize = 8;

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

/// The name services without a `system` are grouped under.
const NO_SYSTEM: &str = "(no system)";

/// The system a service belongs to, for grouping (`(no system)` when it names none).
pub(crate) fn system_of(catalog: &Catalog, index: usize) -> &str {
    catalog.services[index]
        .source
        .doc
        .system
        .as_deref()
        .unwrap_or(NO_SYSTEM)
}

/// The organisation graph shows systems, not services: it has too many nodes to draw each.
pub(crate) fn organisation_by_system(catalog: &Catalog) -> bool {
    catalog.graph().node_count() > ORGANISATION_LIMIT
}

/// Every system named by a service, sorted, plus `(no system)` when some service names none,
/// with its services: grouped once, as a book may have as many systems as services.
pub(crate) fn systems(catalog: &Catalog) -> BTreeMap<String, Vec<usize>> {
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

/// A service's graph node, then what it depends on (`down` steps) and what depends on it
/// (`up` steps), breadth first: the closest come first. Unbounded: for exports.
pub(crate) fn neighbourhood_nodes(
    catalog: &Catalog,
    index: usize,
    up: usize,
    down: usize,
) -> Vec<NodeIndex> {
    let graph = catalog.graph();
    let start = catalog.node_of(index);
    let mut order = vec![start];
    let mut seen: BTreeSet<NodeIndex> = BTreeSet::from([start]);
    for (direction, depth) in [(Direction::Outgoing, down), (Direction::Incoming, up)] {
        let mut queue = VecDeque::from([(start, 0)]);
        while let Some((node, distance)) = queue.pop_front() {
            if distance == depth {
                continue;
            }
            for next in graph.neighbors_directed(node, direction) {
                if seen.insert(next) {
                    order.push(next);
                    queue.push_back((next, distance + 1));
                }
            }
        }
    }
    order
}

/// A service's neighbourhood as its page draws it.
#[derive(Debug)]
pub(crate) struct Neighbourhood {
    /// The service's node first, then each level's nodes.
    pub(crate) nodes: Vec<NodeIndex>,
    /// What each cut level left out.
    pub(crate) more: Vec<More>,
}

/// The neighbours of one level left out of a neighbourhood.
#[derive(Debug)]
pub(crate) struct More {
    /// The drawn node most of them are next to.
    pub(crate) beside: NodeIndex,
    pub(crate) count: usize,
    pub(crate) direction: Direction,
}

/// A service's dependencies (`down` levels) and dependents (`up` levels), at most
/// [`NEIGHBOURS_PER_LEVEL`] of each level.
pub(crate) fn neighbourhood(
    catalog: &Catalog,
    index: usize,
    up: usize,
    down: usize,
) -> Neighbourhood {
    let graph = catalog.graph();
    let start = catalog.node_of(index);
    let mut nodes = vec![start];
    let mut seen: BTreeSet<NodeIndex> = BTreeSet::from([start]);
    let mut more: Vec<More> = Vec::new();
    for (direction, depth) in [(Direction::Outgoing, down), (Direction::Incoming, up)] {
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
    Neighbourhood { nodes, more }
}

/// What sits across a system's border: another system, or a node no system holds.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Across {
    System(String),
    Other(NodeIndex),
}

/// A system as its page draws it: its services, then one node per group of what their
/// dependencies cross the border to.
#[derive(Debug)]
pub(crate) struct SystemSelection<'m> {
    /// The services drawn, by index: the first [`SYSTEM_MEMBERS_LIMIT`].
    pub(crate) members: &'m [usize],
    /// How many services the system has.
    pub(crate) all_members: usize,
    /// The busiest groups across the border, sorted, with how many dependencies cross to each.
    pub(crate) groups: Vec<(Across, usize)>,
    /// Groups left out.
    pub(crate) hidden_groups: usize,
    /// Edges between the drawn nodes: positions in `members` followed by `groups`.
    pub(crate) edges: Vec<Link>,
    /// Border crossings left out.
    pub(crate) hidden_edges: usize,
}

/// An edge of a selection, between positions of its nodes; `count` dependencies drawn as one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Link {
    pub(crate) from: usize,
    pub(crate) to: usize,
    /// Every dependency it stands for is soft.
    pub(crate) soft: bool,
    pub(crate) count: usize,
}

/// A system's services (`all_members`, by index), their dependencies on each other, and
/// every dependency that crosses its border, grouped by the system on the other side.
pub(crate) fn system<'m>(catalog: &Catalog, all_members: &'m [usize]) -> SystemSelection<'m> {
    let graph = catalog.graph();
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
    let (groups, hidden_groups) = busiest_groups(&crossing);
    let group_position: HashMap<&Across, usize> = groups
        .iter()
        .enumerate()
        .map(|(i, (across, _))| (across, members.len() + i))
        .collect();
    let mut edges: Vec<Link> = inner
        .into_iter()
        .map(|(from, to, soft)| Link {
            from,
            to,
            soft,
            count: 1,
        })
        .collect();
    let mut border: Vec<Link> = crossing
        .iter()
        .filter_map(|((member, across, outgoing), (count, all_soft))| {
            let group = *group_position.get(across)?;
            let (from, to) = if *outgoing {
                (*member, group)
            } else {
                (group, *member)
            };
            Some(Link {
                from,
                to,
                soft: *all_soft,
                count: *count,
            })
        })
        .collect();
    // The busiest border crossings, up to what stays readable.
    border.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then((a.from, a.to).cmp(&(b.from, b.to)))
    });
    let room = (EDGES_PER_NODE * (members.len() + groups.len())).saturating_sub(edges.len());
    let hidden_edges = border.len().saturating_sub(room);
    edges.extend(border.into_iter().take(room));
    SystemSelection {
        members,
        all_members: all_members.len(),
        groups,
        hidden_groups,
        edges,
        hidden_edges,
    }
}

/// The [`BORDER_GROUPS_LIMIT`] groups most dependencies cross to, sorted, and how many more
/// there are.
fn busiest_groups(
    crossing: &BTreeMap<(usize, Across, bool), (usize, bool)>,
) -> (Vec<(Across, usize)>, usize) {
    let mut busiest: BTreeMap<&Across, usize> = BTreeMap::new();
    for ((_, across, _), (count, _)) in crossing {
        *busiest.entry(across).or_default() += count;
    }
    let mut groups: Vec<(&Across, usize)> = busiest.into_iter().collect();
    groups.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let hidden = groups.len().saturating_sub(BORDER_GROUPS_LIMIT);
    groups.truncate(BORDER_GROUPS_LIMIT);
    groups.sort();
    let groups = groups
        .into_iter()
        .map(|(across, count)| (across.clone(), count))
        .collect();
    (groups, hidden)
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

/// The organisation drawn as its systems, for a book too large to draw each service.
#[derive(Debug)]
pub(crate) struct SystemsSelection<'c> {
    /// The most connected systems, sorted by name, with their numbers of services.
    pub(crate) systems: Vec<(&'c str, usize)>,
    /// How many systems the book has.
    pub(crate) all_systems: usize,
    /// The busiest links between the drawn systems: positions in `systems`, and how many
    /// dependencies each stands for.
    pub(crate) links: Vec<Link>,
    /// Links left out.
    pub(crate) hidden_links: usize,
}

/// The [`SYSTEMS_LIMIT`] most connected systems and the busiest links between them.
pub(crate) fn systems_overview(catalog: &Catalog) -> SystemsSelection<'_> {
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
    let mut links: Vec<Link> = counts
        .iter()
        .filter_map(|((a, b), count)| {
            Some(Link {
                from: *position.get(a)?,
                to: *position.get(b)?,
                soft: false,
                count: *count,
            })
        })
        .collect();
    links.sort_by(|x, y| {
        y.count
            .cmp(&x.count)
            .then((x.from, x.to).cmp(&(y.from, y.to)))
    });
    let hidden_links = links.len().saturating_sub(EDGES_PER_NODE * kept.len());
    links.truncate(EDGES_PER_NODE * kept.len());
    links.sort_unstable_by_key(|link| (link.from, link.to, link.count));
    SystemsSelection {
        systems: kept.iter().map(|name| (*name, sizes[name])).collect(),
        all_systems: sizes.len(),
        links,
        hidden_links,
    }
}
