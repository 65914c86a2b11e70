//! Analysis: the questions an on-call engineer and a reviewer ask of the dependency graph.
//!
//! Pure: computed once from the catalog, read by evaluation (the `deps.*` checks, risk) and by
//! the reports. Hard edges propagate failure; soft edges degrade and do not.
//!
//! Each service's questions cost a breadth-first search each way, O(V + E), and keep only what
//! their readers show: counts, a few shortest routes with their middles left out, and lists of
//! names within a budget for the whole book. In a chain of thousands of services each reaches
//! thousands of others: anything kept per service and per service reached grows with the
//! square of the book.

pub(crate) mod selection;

use std::cmp::Reverse;

use petgraph::graph::DiGraph;
use rayon::prelude::*;

use crate::catalog::Catalog;
use crate::model::{DependencyKind, Kind, Lifecycle, Tier};

/// The `blast_radius` lists of a book name every service they count while they name at most
/// this many per service of the book, and so do its `stands_on` lists. An organisation of
/// 10,000 services with hubs that thousands depend on names about 75 per service; a chain of
/// 5,000 would name 2,500. When they do not fit, each list names this many at most: the most
/// critical.
pub(crate) const LISTED_PER_SERVICE: usize = 200;

/// A failing `deps.tier` names this many of the less critical services, the least critical
/// first; the message counts the rest.
pub(crate) const TIER_INVERSIONS_NAMED: usize = 3;

/// A route of more services than twice this, plus one, shows this many at each end.
const ROUTE_ENDS: usize = 4;

/// What the graph says about one service. Indices are `Catalog::services` indices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ServiceGraph {
    /// Documented services this one depends on directly (hard or soft), sorted.
    pub(crate) dependencies: Vec<usize>,
    /// Documented services that depend on this one directly (hard or soft), sorted.
    pub(crate) dependents: Vec<usize>,
    /// Every service that fails when this one fails: transitive dependents over hard edges.
    pub(crate) blast_radius: Reach,
    /// Every service this one needs: transitive dependencies over hard edges.
    pub(crate) stands_on: Reach,
    /// The number of hard dependency steps in the longest chain below this service (a cycle
    /// counts as one step).
    pub(crate) depth: usize,
    /// A shortest cycle of hard dependencies through this service: the services after it, up
    /// to the one that depends on it (none when it depends on itself).
    pub(crate) cycle: Option<Route>,
    /// The less critical services this one hard-depends on, directly or not.
    pub(crate) tier_inversions: TierInversions,
    /// Deprecated services this one depends on directly.
    pub(crate) deprecated: Vec<usize>,
}

/// The services one service reaches over hard edges, in one direction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Reach {
    /// How many there are.
    pub(crate) count: usize,
    /// How many of them are of tier 1, 2, 3 and 4.
    pub(crate) by_tier: [usize; 4],
    /// Sorted by id: every one of them, unless the book's lists would be too long (see
    /// [`LISTED_PER_SERVICE`]); then the most critical (lowest tier first, then by id), as
    /// many as that allows.
    pub(crate) listed: Vec<usize>,
}

impl Reach {
    /// Whether `listed` names every service counted.
    pub(crate) fn is_complete(&self) -> bool {
        self.listed.len() == self.count
    }
}

/// Less critical services that a service hard-depends on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TierInversions {
    /// How many there are.
    pub(crate) count: usize,
    /// The least critical, the nearest first among equals, at most [`TIER_INVERSIONS_NAMED`].
    pub(crate) worst: Vec<TierInversion>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TierInversion {
    /// The less critical service.
    pub(crate) to: usize,
    /// The services between the two on a shortest path.
    pub(crate) via: Route,
}

/// Services in a row along hard edges. A long route keeps only its ends: a cycle through
/// thousands of services is still named in one sentence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Route {
    head: Vec<usize>,
    /// How many services are left out between `head` and `tail`.
    hidden: usize,
    tail: Vec<usize>,
}

/// One step of a route as shown: a service, or how many are left out there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    Service(usize),
    Hidden(usize),
}

impl Route {
    fn of(path: &[usize]) -> Route {
        if path.len() <= 2 * ROUTE_ENDS + 1 {
            return Route {
                head: path.to_vec(),
                ..Route::default()
            };
        }
        Route {
            head: path[..ROUTE_ENDS].to_vec(),
            hidden: path.len() - 2 * ROUTE_ENDS,
            tail: path[path.len() - ROUTE_ENDS..].to_vec(),
        }
    }

    pub(crate) fn first(&self) -> Option<usize> {
        self.head.first().copied()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.head.is_empty()
    }

    pub(crate) fn steps(&self) -> impl Iterator<Item = Step> + '_ {
        let hidden = (self.hidden > 0).then_some(Step::Hidden(self.hidden));
        self.head
            .iter()
            .map(|&s| Step::Service(s))
            .chain(hidden)
            .chain(self.tail.iter().map(|&s| Step::Service(s)))
    }
}

/// The graph facts of every service.
#[derive(Debug, Clone, Default)]
pub(crate) struct Analysis {
    pub(crate) services: Vec<ServiceGraph>,
}

impl Analysis {
    pub(crate) fn of(&self, index: usize) -> &ServiceGraph {
        &self.services[index]
    }
}

/// Hard and all edges between documented services, as adjacency lists, and what the
/// questions read of each service.
struct Graph {
    hard_out: Vec<Vec<usize>>,
    hard_in: Vec<Vec<usize>>,
    all_out: Vec<Vec<usize>>,
    all_in: Vec<Vec<usize>>,
    tiers: Vec<Tier>,
    /// Externals cap nothing: they are not assessed.
    external: Vec<bool>,
}

impl Graph {
    fn new(catalog: &Catalog) -> Self {
        let n = catalog.services.len();
        let docs = || catalog.services.iter().map(|s| &s.source.doc);
        let mut graph = Graph {
            hard_out: vec![Vec::new(); n],
            hard_in: vec![Vec::new(); n],
            all_out: vec![Vec::new(); n],
            all_in: vec![Vec::new(); n],
            tiers: docs().map(|doc| doc.tier_or_default()).collect(),
            external: docs().map(|doc| doc.kind == Kind::External).collect(),
        };
        for (from, to, kind) in catalog.documented_edges() {
            graph.all_out[from].push(to);
            graph.all_in[to].push(from);
            if kind == DependencyKind::Hard {
                graph.hard_out[from].push(to);
                graph.hard_in[to].push(from);
            }
        }
        for lists in [
            &mut graph.hard_out,
            &mut graph.hard_in,
            &mut graph.all_out,
            &mut graph.all_in,
        ] {
            for list in lists.iter_mut() {
                list.sort_unstable();
                list.dedup();
            }
        }
        graph
    }

    fn len(&self) -> usize {
        self.tiers.len()
    }

    /// What the last search reached: counted, and the `most` most critical named.
    fn reach(&self, search: &mut Search, most: usize) -> Reach {
        // Chosen in the search's own buffer: a list keeps no room for what was left out.
        let reached = &mut search.order;
        let mut by_tier = [0; 4];
        for &node in reached.iter() {
            by_tier[usize::from(self.tiers[node].number()) - 1] += 1;
        }
        let count = reached.len();
        if count > most {
            reached.select_nth_unstable_by_key(most, |&node| (self.tiers[node], node));
            reached.truncate(most);
        }
        let mut listed = reached.clone();
        listed.sort_unstable();
        Reach {
            count,
            by_tier,
            listed,
        }
    }
}

/// Analyses the catalog's dependency graph.
pub(crate) fn analyze(catalog: &Catalog) -> Analysis {
    let graph = Graph::new(catalog);
    let depths = longest_hard_chains(&graph.hard_out);
    // Each service's searches are its own: run in parallel, collected in catalog order.
    let mut services: Vec<ServiceGraph> = (0..graph.len())
        .into_par_iter()
        .map_init(
            || Search::new(graph.len()),
            |search, index| ServiceGraph {
                depth: depths[index],
                deprecated: graph.all_out[index]
                    .iter()
                    .copied()
                    .filter(|&d| catalog.services[d].source.doc.lifecycle == Lifecycle::Deprecated)
                    .collect(),
                ..searched(&graph, search, index)
            },
        )
        .collect();
    list_whole(&graph, &mut services);
    Analysis { services }
}

/// What the searches from `start` find, naming at most [`LISTED_PER_SERVICE`] of each reach.
fn searched(graph: &Graph, search: &mut Search, start: usize) -> ServiceGraph {
    search.run(&graph.hard_out, start);
    let tier_inversions = tier_inversions(graph, search, start);
    let cycle = shortest_cycle(graph, search, start);
    let stands_on = graph.reach(search, LISTED_PER_SERVICE);
    search.run(&graph.hard_in, start);
    ServiceGraph {
        dependencies: graph.all_out[start].clone(),
        dependents: graph.all_in[start].clone(),
        blast_radius: graph.reach(search, LISTED_PER_SERVICE),
        stands_on,
        cycle,
        tier_inversions,
        ..ServiceGraph::default()
    }
}

/// Names every service of every reach when the book's lists fit (see [`LISTED_PER_SERVICE`]):
/// searching again only for the reaches that named fewer, which together reach at most that
/// many services per service.
fn list_whole(graph: &Graph, services: &mut [ServiceGraph]) {
    let budget = LISTED_PER_SERVICE * services.len();
    let fits =
        |count: fn(&ServiceGraph) -> usize| services.iter().map(count).sum::<usize>() <= budget;
    let blast_fits = fits(|s| s.blast_radius.count);
    let stands_fits = fits(|s| s.stands_on.count);
    services.par_iter_mut().enumerate().for_each_init(
        || Search::new(graph.len()),
        |search, (index, service)| {
            if blast_fits && !service.blast_radius.is_complete() {
                search.run(&graph.hard_in, index);
                service.blast_radius = graph.reach(search, usize::MAX);
            }
            if stands_fits && !service.stands_on.is_complete() {
                search.run(&graph.hard_out, index);
                service.stands_on = graph.reach(search, usize::MAX);
            }
        },
    );
}

/// A breadth-first search, reused from service to service: its buffers are sized for the
/// graph once, and each search touches only what it reaches.
struct Search {
    /// The search that last reached each node, by number.
    reached_by: Vec<usize>,
    number: usize,
    /// For each node the current search reached: the node it came from, and how far it is.
    previous: Vec<usize>,
    distance: Vec<usize>,
    /// The nodes the current search reached, nearest first.
    order: Vec<usize>,
}

impl Search {
    fn new(nodes: usize) -> Self {
        Search {
            reached_by: vec![0; nodes],
            number: 0,
            previous: vec![0; nodes],
            distance: vec![0; nodes],
            order: Vec::new(),
        }
    }

    /// Searches from `start` over `edges`. `start` is never among the nodes reached, even on
    /// a cycle.
    fn run(&mut self, edges: &[Vec<usize>], start: usize) {
        self.number += 1;
        self.order.clear();
        self.reached_by[start] = self.number;
        self.distance[start] = 0;
        let mut node = start;
        let mut next = 0;
        loop {
            for &to in &edges[node] {
                if self.reached_by[to] != self.number {
                    self.reached_by[to] = self.number;
                    self.previous[to] = node;
                    self.distance[to] = self.distance[node] + 1;
                    self.order.push(to);
                }
            }
            let Some(&after) = self.order.get(next) else {
                break;
            };
            node = after;
            next += 1;
        }
    }

    /// What the last search reached, nearest first (and in adjacency order among equals).
    fn reached(&self) -> &[usize] {
        &self.order
    }

    fn has_reached(&self, node: usize) -> bool {
        self.reached_by[node] == self.number
    }

    /// The shortest path the last search found from its start to `node`, both included.
    fn path_to(&self, node: usize) -> Vec<usize> {
        let mut path = vec![node];
        let mut at = node;
        for _ in 0..self.distance[node] {
            at = self.previous[at];
            path.push(at);
        }
        path.reverse();
        path
    }
}

/// The shortest cycle through `start`, after a search from it over hard dependencies: a
/// shortest path back to a node that depends on `start`, the first such node by id.
fn shortest_cycle(graph: &Graph, search: &Search, start: usize) -> Option<Route> {
    if graph.hard_out[start].contains(&start) {
        return Some(Route::default());
    }
    let last = graph.hard_in[start]
        .iter()
        .copied()
        .filter(|&node| node != start && search.has_reached(node))
        .min_by_key(|&node| (search.distance[node], node))?;
    Some(Route::of(&search.path_to(last)[1..]))
}

/// The less critical services `start` hard-depends on, after a search from it over hard
/// dependencies.
fn tier_inversions(graph: &Graph, search: &Search, start: usize) -> TierInversions {
    let tier = graph.tiers[start];
    let mut count = 0;
    // The least critical first, then the nearest, then by id.
    let mut worst: Vec<(Reverse<Tier>, usize, usize)> = Vec::new();
    for &node in search.reached() {
        if graph.external[node] || graph.tiers[node] <= tier {
            continue;
        }
        count += 1;
        let key = (Reverse(graph.tiers[node]), search.distance[node], node);
        let at = worst.partition_point(|kept| *kept < key);
        if at < TIER_INVERSIONS_NAMED {
            worst.insert(at, key);
            worst.truncate(TIER_INVERSIONS_NAMED);
        }
    }
    let worst = worst
        .into_iter()
        .map(|(_, _, to)| {
            let path = search.path_to(to);
            TierInversion {
                to,
                via: Route::of(&path[1..path.len() - 1]),
            }
        })
        .collect();
    TierInversions { count, worst }
}

/// For every node, the longest chain of hard dependencies below it, counting a cycle as one
/// step: longest paths in the graph of strongly connected components.
fn longest_hard_chains(edges: &[Vec<usize>]) -> Vec<usize> {
    let mut graph: DiGraph<usize, ()> = DiGraph::new();
    let nodes: Vec<_> = (0..edges.len()).map(|i| graph.add_node(i)).collect();
    for (from, targets) in edges.iter().enumerate() {
        for &to in targets {
            graph.add_edge(nodes[from], nodes[to], ());
        }
    }
    // Tarjan's algorithm yields components in reverse topological order: dependencies first.
    let components = petgraph::algo::tarjan_scc(&graph);
    let mut component_of = vec![0; edges.len()];
    for (c, members) in components.iter().enumerate() {
        for node in members {
            component_of[graph[*node]] = c;
        }
    }
    let mut chain = vec![0usize; components.len()];
    for (c, members) in components.iter().enumerate() {
        let below = members
            .iter()
            .flat_map(|node| &edges[graph[*node]])
            .map(|&to| component_of[to])
            .filter(|&other| other != c)
            .map(|other| chain[other] + 1)
            .max()
            .unwrap_or(0);
        chain[c] = below;
    }
    (0..edges.len())
        .map(|node| chain[component_of[node]])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edges(n: usize, pairs: &[(usize, usize)]) -> Vec<Vec<usize>> {
        let mut edges = vec![Vec::new(); n];
        for &(a, b) in pairs {
            edges[a].push(b);
        }
        edges
    }

    /// A graph of hard edges between services of the given tiers.
    fn graph(tiers: &[u8], pairs: &[(usize, usize)]) -> Graph {
        let hard_out = edges(tiers.len(), pairs);
        let reversed: Vec<(usize, usize)> = pairs.iter().map(|&(a, b)| (b, a)).collect();
        Graph {
            hard_in: edges(tiers.len(), &reversed),
            all_out: hard_out.clone(),
            all_in: edges(tiers.len(), &reversed),
            hard_out,
            tiers: tiers
                .iter()
                .map(|&t| serde_json::from_value(t.into()).unwrap())
                .collect(),
            external: vec![false; tiers.len()],
        }
    }

    fn searched_from(graph: &Graph, start: usize) -> ServiceGraph {
        searched(graph, &mut Search::new(graph.len()), start)
    }

    #[test]
    fn reachability_and_shortest_cycles() {
        // 0 -> 1 -> 2 -> 0, 2 -> 3
        let g = graph(&[3, 3, 3, 3], &[(0, 1), (1, 2), (2, 0), (2, 3)]);
        let mut search = Search::new(4);
        search.run(&g.hard_out, 0);
        assert_eq!(search.reached(), [1, 2, 3]);
        assert_eq!(searched_from(&g, 1).cycle, Some(Route::of(&[2, 0])));
        assert_eq!(searched_from(&g, 3).cycle, None);
        assert_eq!(searched_from(&g, 3).blast_radius.count, 3);
    }

    #[test]
    fn a_long_route_keeps_its_ends() {
        let path: Vec<usize> = (0..100).collect();
        let steps: Vec<Step> = Route::of(&path).steps().collect();
        let service = |range: std::ops::Range<usize>| range.map(Step::Service);
        let expected: Vec<Step> = service(0..4)
            .chain([Step::Hidden(92)])
            .chain(service(96..100))
            .collect();
        assert_eq!(steps, expected);
        let short: Vec<Step> = Route::of(&path[..9]).steps().collect();
        assert_eq!(short, service(0..9).collect::<Vec<_>>());
    }

    #[test]
    fn tier_inversions_name_the_least_critical_nearest_first_and_count_the_rest() {
        // 0 (tier 1) -> 1 (2) -> 2 (4) -> 3 (3) -> 4 (4) -> 5 (2) -> 6 (4)
        let g = graph(
            &[1, 2, 4, 3, 4, 2, 4],
            &[(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 6)],
        );
        let inversions = searched_from(&g, 0).tier_inversions;
        assert_eq!(inversions.count, 6);
        let named: Vec<(usize, Route)> = inversions
            .worst
            .into_iter()
            .map(|i| (i.to, i.via))
            .collect();
        assert_eq!(
            named,
            [
                (2, Route::of(&[1])),
                (4, Route::of(&[1, 2, 3])),
                (6, Route::of(&[1, 2, 3, 4, 5]))
            ]
        );
    }

    #[test]
    fn a_cut_list_keeps_the_most_critical() {
        // 0 stands on 1..=5, of tiers 4, 1, 3, 1, 2.
        let g = graph(
            &[1, 4, 1, 3, 1, 2],
            &[(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)],
        );
        let mut search = Search::new(g.len());
        search.run(&g.hard_out, 0);
        let cut = g.reach(&mut search, 3);
        assert_eq!(
            (cut.count, cut.by_tier, cut.listed),
            (5, [2, 1, 1, 1], vec![2, 4, 5])
        );
        search.run(&g.hard_out, 0);
        assert_eq!(g.reach(&mut search, 9).listed, [1, 2, 3, 4, 5]);
    }

    #[test]
    fn longest_chains_count_a_cycle_as_one_step() {
        // 0 -> 1 -> 2, 0 -> 2, 3 <-> 4 -> 0
        let e = edges(5, &[(0, 1), (1, 2), (0, 2), (3, 4), (4, 3), (4, 0)]);
        assert_eq!(longest_hard_chains(&e), vec![2, 1, 0, 3, 3]);
    }
}
