//! Diagrams: graphs laid out by layout-rs and drawn as SVG, at build time, in pure Rust.
//!
//! Two inputs: a [`Diagram`] opsbook builds (dependency neighbourhoods, systems, architecture
//! blocks), and DOT source from ```dot blocks. layout-rs panics on some input and prints to
//! stdout on parse errors, so every call into it is contained here: a failure is a
//! [`DrawError`], never a crash.

mod canvas;

use std::cell::Cell;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use layout::core::base::Orientation;
use layout::core::geometry::Point;
use layout::core::style::{LineStyleKind, StyleAttr};
use layout::gv::{DotParser, GraphBuilder};
use layout::std_shapes::shapes::{Arrow, Element, LineEndKind, ShapeKind};
use layout::topo::layout::VisualGraph;

use canvas::Canvas;
pub use canvas::escape;

/// A graph to draw. Node and edge order is kept, so the same input draws the same picture.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Diagram {
    /// Read by screen readers and shown as a tooltip.
    pub title: String,
    /// CSS class of the `<svg>` element (`neighbourhood`, `system`, ...).
    pub class: String,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    pub left_to_right: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Node {
    pub label: String,
    /// CSS classes of the shape: kind, readiness level, `focus`.
    pub classes: String,
    pub shape: Shape,
    /// Where clicking the node leads (relative to the page the diagram is on).
    pub link: Option<String>,
    pub tooltip: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Shape {
    #[default]
    Box,
    Ellipse,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    /// Drawn dashed: a soft dependency.
    pub soft: bool,
    /// Shown beside the edge (a count); empty for none.
    pub label: String,
}

/// Why a diagram could not be drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DrawError {
    /// Nothing to draw.
    Empty,
    /// Too many nodes to lay out in reasonable time and read.
    TooLarge { nodes: usize, limit: usize },
    /// DOT that does not parse; `line` is 1-based within the DOT source.
    Syntax { line: usize, message: String },
    /// The layout engine failed on this input.
    Crashed(String),
}

impl std::fmt::Display for DrawError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DrawError::Empty => f.write_str("the diagram has no nodes"),
            DrawError::TooLarge { nodes, limit } => {
                write!(
                    f,
                    "the diagram has {nodes} nodes; at most {limit} can be drawn"
                )
            }
            DrawError::Syntax { message, .. } => {
                // The parser's own words are terse ("port"): say what it was reading.
                let message = match message.trim().trim_end_matches('.') {
                    "port" => "expected a node name",
                    other => other,
                };
                write!(f, "invalid DOT: {}", message.to_lowercase())
            }
            DrawError::Crashed(message) => {
                write!(f, "the layout engine failed on this graph: {message}")
            }
        }
    }
}

/// Layout time grows steeply with size (about 10 s at 100 nodes with every optimisation on);
/// beyond this many nodes a graph is neither quick to lay out nor readable.
pub const MAX_NODES: usize = 150;

/// Above this many nodes the crossing-reduction passes are skipped: they cost far more than
/// they improve (measured in bench/README.md). Every service's neighbourhood (at most 28
/// nodes) stays below it; dense system pages of 31-40 nodes took 58 % of all layout time at
/// 1,000 services, for a drawing about as tangled either way.
const OPTIMISE_UP_TO: usize = 30;

const FONT_WIDTH: f64 = 7.4;
const LINE_HEIGHT: f64 = 18.0;

/// A stable id for a diagram's content: equal diagrams share a layout and an id.
pub fn fingerprint(content: &impl Hash) -> String {
    let mut hasher = DefaultHasher::new();
    content.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// Lays out and draws `diagram` as an inline `<svg>` element.
pub fn draw(diagram: &Diagram) -> Result<String, DrawError> {
    draw_tuned(diagram, diagram.nodes.len() <= OPTIMISE_UP_TO)
}

/// [`draw`], choosing whether layout-rs reduces edge crossings (slow on large graphs).
pub fn draw_tuned(diagram: &Diagram, reduce_crossings: bool) -> Result<String, DrawError> {
    if diagram.nodes.is_empty() {
        return Err(DrawError::Empty);
    }
    if diagram.nodes.len() > MAX_NODES {
        return Err(DrawError::TooLarge {
            nodes: diagram.nodes.len(),
            limit: MAX_NODES,
        });
    }
    let id = fingerprint(diagram);
    contained(|| {
        let orientation = if diagram.left_to_right {
            Orientation::LeftToRight
        } else {
            Orientation::TopToBottom
        };
        let mut graph = VisualGraph::new(orientation);
        let handles: Vec<_> = diagram
            .nodes
            .iter()
            .map(|node| graph.add_node(element(node, orientation)))
            .collect();
        for edge in &diagram.edges {
            let style = if edge.soft {
                LineStyleKind::Dashed
            } else {
                LineStyleKind::Normal
            };
            let arrow = Arrow::new(
                LineEndKind::None,
                LineEndKind::Arrow,
                style,
                &edge.label,
                &StyleAttr::simple(),
                &None,
                &None,
            );
            graph.add_edge(arrow, handles[edge.from], handles[edge.to]);
        }
        let mut canvas = Canvas::new(&id);
        graph.do_it(false, !reduce_crossings, false, &mut canvas);
        for (node, handle) in diagram.nodes.iter().zip(&handles) {
            if let Some(link) = &node.link {
                let (top_left, bottom_right) = graph.pos(*handle).bbox(false);
                canvas.push_raw(&format!(
                    r#"<a href="{}"><title>{}</title><rect class="hit" x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}"/></a>"#,
                    escape(link),
                    escape(&node.tooltip),
                    top_left.x,
                    top_left.y,
                    bottom_right.x - top_left.x,
                    bottom_right.y - top_left.y
                ));
            }
        }
        canvas.finish(&diagram.class, &diagram.title)
    })
}

fn element(node: &Node, orientation: Orientation) -> Element {
    let lines: Vec<&str> = node.label.lines().collect();
    let widest = lines
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(1)
        .max(3);
    let mut size = Point::new(
        widest as f64 * FONT_WIDTH + 26.0,
        lines.len().max(1) as f64 * LINE_HEIGHT + 16.0,
    );
    let shape = match node.shape {
        Shape::Box => ShapeKind::Box(node.label.clone()),
        Shape::Ellipse => {
            size = Point::new(size.x + 24.0, size.y + 8.0);
            ShapeKind::Circle(node.label.clone())
        }
    };
    let mut look = StyleAttr::simple();
    look.font_size = 13;
    Element::create_with_properties(shape, look, orientation, size, node.classes.clone())
}

/// Checks that DOT source parses, without laying it out.
pub fn check_dot(source: &str) -> Result<(), DrawError> {
    parse_dot(source).map(|_| ())
}

/// Lays out and draws DOT source as an inline `<svg>` element.
pub fn draw_dot(source: &str, title: &str) -> Result<String, DrawError> {
    let graph = parse_dot(source)?;
    let id = fingerprint(&source);
    contained(|| {
        let mut builder = GraphBuilder::new();
        builder.visit_graph(&graph);
        let mut visual = builder.get();
        let nodes = visual.num_nodes();
        if nodes == 0 {
            return Err(DrawError::Empty);
        }
        if nodes > MAX_NODES {
            return Err(DrawError::TooLarge {
                nodes,
                limit: MAX_NODES,
            });
        }
        let mut canvas = Canvas::new(&id);
        visual.do_it(false, nodes > OPTIMISE_UP_TO, false, &mut canvas);
        Ok(canvas.finish("dot", title))
    })?
}

fn parse_dot(source: &str) -> Result<layout::gv::parser::ast::Graph, DrawError> {
    let message = match contained(|| DotParser::new(source).process()) {
        Ok(Ok(graph)) => return Ok(graph),
        Ok(Err(message)) => message,
        Err(DrawError::Crashed(message)) => message,
        Err(other) => return Err(other),
    };
    Err(DrawError::Syntax {
        line: error_line(source, &message),
        message,
    })
}

/// The parser reports no position. The first prefix of the source (in whole lines) that fails
/// with the same message contains the error, so its last line is where the error is.
fn error_line(source: &str, message: &str) -> usize {
    let lines: Vec<&str> = source.lines().collect();
    let same_error = |count: usize| {
        let prefix = lines[..count].join("\n");
        matches!(contained(|| DotParser::new(&prefix).process()), Ok(Err(m)) if m == message)
    };
    (1..=lines.len().min(2000))
        .find(|&count| same_error(count))
        .unwrap_or(lines.len().max(1))
}

thread_local! {
    /// Set while layout-rs runs on this thread: its panics are expected and reported as
    /// errors, so the panic hook stays quiet about them.
    static CONTAINED: Cell<bool> = const { Cell::new(false) };
}

fn contained<T>(work: impl FnOnce() -> T) -> Result<T, DrawError> {
    static QUIET_HOOK: Once = Once::new();
    QUIET_HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !CONTAINED.with(Cell::get) {
                previous(info);
            }
        }));
    });
    CONTAINED.with(|c| c.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(work));
    CONTAINED.with(|c| c.set(false));
    result.map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown failure".to_string());
        DrawError::Crashed(message)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(label: &str) -> Node {
        Node {
            label: label.into(),
            classes: "service".into(),
            link: Some(format!("{label}.html")),
            tooltip: label.into(),
            ..Node::default()
        }
    }

    #[test]
    fn draws_nodes_edges_and_links() {
        let diagram = Diagram {
            title: "deps".into(),
            nodes: vec![node("checkout"), node("payments")],
            edges: vec![Edge {
                from: 0,
                to: 1,
                soft: true,
                label: String::new(),
            }],
            ..Diagram::default()
        };
        let svg = draw(&diagram).unwrap();
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.contains(">checkout</tspan>"));
        assert!(svg.contains(r#"<a href="payments.html">"#));
        assert!(svg.contains(r#"class="edge soft""#));
    }

    #[test]
    fn escapes_hostile_labels() {
        let diagram = Diagram {
            nodes: vec![node("<script>&\"é'")],
            ..Diagram::default()
        };
        let svg = draw(&diagram).unwrap();
        assert!(svg.contains("&lt;script&gt;&amp;&quot;é&#39;"), "{svg}");
        assert!(!svg.contains("<script>"));
    }

    #[test]
    fn empty_and_huge_diagrams_are_refused() {
        assert_eq!(draw(&Diagram::default()), Err(DrawError::Empty));
        let huge = Diagram {
            nodes: vec![node("x"); MAX_NODES + 1],
            ..Diagram::default()
        };
        assert!(matches!(draw(&huge), Err(DrawError::TooLarge { .. })));
    }

    #[test]
    fn dot_errors_name_their_line() {
        let error = draw_dot("digraph {\n  a -> b;\n  c -> ;\n}\n", "t").unwrap_err();
        assert!(
            matches!(error, DrawError::Syntax { line: 3, .. }),
            "{error:?}"
        );
        assert!(
            draw_dot("digraph { a -> b; b -> c }", "t")
                .unwrap()
                .contains(">c</tspan>")
        );
        assert_eq!(draw_dot("digraph { }", "t"), Err(DrawError::Empty));
    }
}
