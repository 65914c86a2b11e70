//! Measures how long layout-rs takes to lay out dependency-like graphs of growing size, with
//! and without its crossing reduction; the figures behind the limits in `src/diagram`.
//!
//! `cargo run --release --example layout-cost`

use std::time::Instant;

use opsbook::diagram::{self, Diagram, Edge, Node};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A graph like a service neighbourhood: every node depends on up to three earlier ones.
fn graph(nodes: usize, seed: u64) -> Diagram {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut diagram = Diagram::default();
    for i in 0..nodes {
        diagram.nodes.push(Node {
            label: format!("service-{i:04}"),
            tooltip: String::new(),
            ..Node::default()
        });
        for _ in 0..rng.random_range(0..=3) {
            if i > 0 {
                diagram.edges.push(Edge {
                    from: i,
                    to: rng.random_range(0..i),
                    soft: rng.random_bool(0.3),
                    label: String::new(),
                });
            }
        }
    }
    diagram
}

fn median_ms(runs: usize, mut work: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn main() {
    println!("| nodes | with crossing reduction (ms) | without (ms) |");
    println!("|---:|---:|---:|");
    for nodes in [10, 20, 30, 40, 60, 80, 120, 150] {
        let diagram = graph(nodes, nodes as u64);
        let runs = if nodes <= 40 { 5 } else { 3 };
        let optimised = if nodes <= 80 {
            format!(
                "{:.1}",
                median_ms(runs, || drop(diagram::draw_tuned(&diagram, true)))
            )
        } else {
            "(skipped: too slow)".to_string()
        };
        let plain = median_ms(runs, || drop(diagram::draw_tuned(&diagram, false)));
        println!("| {nodes} | {optimised} | {plain:.1} |");
    }
}
