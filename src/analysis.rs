//! Analysis: the questions an on-call engineer and a reviewer ask of the dependency graph.
//!
//! Pure: computed once from the catalog, read by evaluation (the `deps.*` checks, risk) and by
//! the reports. Hard edges propagate failure; soft edges degrade and do not.

use std::collections::VecDeque;

use petgraph::graph::DiGraph;
use rayon::prelude::*;

use crate::catalog::Catalog;
use crate::model::{DependencyKind, Kind, Lifecycle};

/// What the graph says about one service. Indices are `Catalog::services` indices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceGraph {
    /// Documented services this one depends on directly (hard or soft), sorted.
    pub dependencies: Vec<usize>,
    /// Documented services that depend on this one directly (hard or soft), sorted.
    pub dependents: Vec<usize>,
    /// Every service that fails when this one fails: transitive dependents over hard edges.
    pub blast_radius: Vec<usize>,
    /// Every service this one needs: transitive dependencies over hard edges.
    pub stands_on: Vec<usize>,
    /// The number of hard dependency steps in the longest chain below this service (a cycle
    /// counts as one step).
    pub depth: usize,
    /// A cycle of hard dependencies through this service: `[self, a, b]` means
    /// self -> a -> b -> self.
    pub cycle: Option<Vec<usize>>,
    /// For each less critical service this one hard-depends on, directly or not, the shortest
    /// path to it, starting with this service.
    pub tier_inversions: Vec<Vec<usize>>,
    /// Deprecated services this one depends on directly.
    pub deprecated: Vec<usize>,
}

/// The graph facts of every service.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    pub services: Vec<ServiceGraph>,
}

impl Analysis {
    pub fn of(&self, index: usize) -> &ServiceGraph {
        &self.services[index]
    }
}

/// Hard and all edges between documented services, as adjacency lists.
struct Adjacency {
    hard_out: Vec<Vec<usize>>,
    hard_in: Vec<Vec<usize>>,
    all_out: Vec<Vec<usize>>,
    all_in: Vec<Vec<usize>>,
}

impl Adjacency {
    fn new(catalog: &Catalog) -> Self {
        let n = catalog.services.len();
        let mut adjacency = Adjacency {
            hard_out: vec![Vec::new(); n],
            hard_in: vec![Vec::new(); n],
            all_out: vec![Vec::new(); n],
            all_in: vec![Vec::new(); n],
        };
        for (from, to, kind) in catalog.documented_edges() {
            adjacency.all_out[from].push(to);
            adjacency.all_in[to].push(from);
            if kind == DependencyKind::Hard {
                adjacency.hard_out[from].push(to);
                adjacency.hard_in[to].push(from);
            }
        }
        for lists in [
            &mut adjacency.hard_out,
            &mut adjacency.hard_in,
            &mut adjacency.all_out,
            &mut adjacency.all_in,
        ] {
            for list in lists.iter_mut() {
                list.sort_unstable();
                list.dedup();
            }
        }
        adjacency
    }
}

/// Analyses the catalog's dependency graph.
pub fn analyze(catalog: &Catalog) -> Analysis {
    let adjacency = Adjacency::new(catalog);
    let depths = longest_hard_chains(&adjacency.hard_out);
    // Each service's searches are its own: run in parallel, collected in catalog order.
    let services = (0..catalog.services.len())
        .into_par_iter()
        .map(|index| ServiceGraph {
            dependencies: adjacency.all_out[index].clone(),
            dependents: adjacency.all_in[index].clone(),
            blast_radius: reachable(&adjacency.hard_in, index),
            stands_on: reachable(&adjacency.hard_out, index),
            depth: depths[index],
            cycle: shortest_cycle(&adjacency.hard_out, index),
            tier_inversions: tier_inversions(catalog, &adjacency.hard_out, index),
            deprecated: adjacency.all_out[index]
                .iter()
                .copied()
                .filter(|&d| catalog.services[d].source.doc.lifecycle == Lifecycle::Deprecated)
                .collect(),
        })
        .collect();
    Analysis { services }
}

/// Every node reachable from `start` (not counting `start` itself unless on a cycle), sorted.
fn reachable(edges: &[Vec<usize>], start: usize) -> Vec<usize> {
    let mut seen = vec![false; edges.len()];
    let mut queue = VecDeque::from([start]);
    let mut found = Vec::new();
    while let Some(node) = queue.pop_front() {
        for &next in &edges[node] {
            if !seen[next] {
                seen[next] = true;
                if next != start {
                    found.push(next);
                }
                queue.push_back(next);
            }
        }
    }
    found.sort_unstable();
    found
}

/// Shortest paths from `start` by breadth-first search: the predecessor of each reached node.
fn predecessors(edges: &[Vec<usize>], start: usize) -> Vec<Option<usize>> {
    let mut previous = vec![None; edges.len()];
    let mut queue = VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        for &next in &edges[node] {
            if previous[next].is_none() && next != start {
                previous[next] = Some(node);
                queue.push_back(next);
            }
        }
    }
    previous
}

/// The path from `start` to `end` recorded in `previous`, both ends included.
fn path_to(previous: &[Option<usize>], start: usize, end: usize) -> Vec<usize> {
    let mut path = vec![end];
    let mut node = end;
    while node != start {
        match previous[node] {
            Some(before) => {
                path.push(before);
                node = before;
            }
            None => break,
        }
    }
    path.reverse();
    path
}

/// The shortest cycle through `start`: a shortest path from `start` back to a node that
/// depends on `start`.
fn shortest_cycle(edges: &[Vec<usize>], start: usize) -> Option<Vec<usize>> {
    if edges[start].contains(&start) {
        return Some(vec![start]);
    }
    let previous = predecessors(edges, start);
    (0..edges.len())
        .filter(|&node| node != start && previous[node].is_some() && edges[node].contains(&start))
        .map(|last| path_to(&previous, start, last))
        .min_by_key(Vec::len)
}

fn tier_inversions(catalog: &Catalog, edges: &[Vec<usize>], start: usize) -> Vec<Vec<usize>> {
    let tier = catalog.services[start].source.doc.tier_or_default();
    let previous = predecessors(edges, start);
    reachable(edges, start)
        .into_iter()
        .filter(|&node| {
            let doc = &catalog.services[node].source.doc;
            doc.kind != Kind::External && doc.tier_or_default() > tier
        })
        .map(|node| path_to(&previous, start, node))
        .collect()
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

    #[test]
    fn reachability_and_shortest_cycles() {
        // 0 -> 1 -> 2 -> 0, 2 -> 3
        let e = edges(4, &[(0, 1), (1, 2), (2, 0), (2, 3)]);
        assert_eq!(reachable(&e, 0), vec![1, 2, 3]);
        assert_eq!(shortest_cycle(&e, 1), Some(vec![1, 2, 0]));
        assert_eq!(shortest_cycle(&e, 3), None);
    }

    #[test]
    fn longest_chains_count_a_cycle_as_one_step() {
        // 0 -> 1 -> 2, 0 -> 2, 3 <-> 4 -> 0
        let e = edges(5, &[(0, 1), (1, 2), (0, 2), (3, 4), (4, 3), (4, 0)]);
        assert_eq!(longest_hard_chains(&e), vec![2, 1, 0, 3, 3]);
    }
}
