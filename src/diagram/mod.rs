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
use layout::gv::{DotParser, GraphBuilder, Lexer, Token};
use layout::std_shapes::shapes::{Arrow, Element, LineEndKind, ShapeKind};
use layout::topo::layout::VisualGraph;

use crate::diag::Position;
use canvas::Canvas;
pub(crate) use canvas::escape;

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
    /// Few enough nodes, but so many edges, or edges skipping so many levels, that laying
    /// them out would take minutes (see `lower`).
    Tangled {
        nodes: usize,
        edges: usize,
        size: usize,
        limit: usize,
    },
    /// Few enough nodes and edges, but so many paths between them that layout-rs's search
    /// for cycles would take minutes (see `CycleSearch`).
    ManyPaths {
        nodes: usize,
        edges: usize,
        limit: usize,
    },
    /// DOT that does not parse; `line` is 1-based within the DOT source.
    Syntax { line: usize, message: String },
    /// DOT nesting `{` deeper than `MAX_DOT_DEPTH`; `at` is the first brace past the limit,
    /// within the DOT source.
    TooDeep { at: Position, limit: usize },
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
            DrawError::Tangled {
                nodes,
                edges,
                size,
                limit,
            } => write!(
                f,
                "the diagram's {nodes} nodes and {edges} edges make {size} pieces to lay out (edges that skip levels count once a level); at most {limit} can be drawn"
            ),
            DrawError::ManyPaths {
                nodes,
                edges,
                limit,
            } => write!(
                f,
                "the diagram's {nodes} nodes and {edges} edges join up in so many ways that the layout engine would take more than {limit} steps to find their cycles"
            ),
            DrawError::Syntax { message, .. } => {
                // The parser's own words are terse ("port"): say what it was reading.
                let message = match message.trim().trim_end_matches('.') {
                    "port" => "expected a node name",
                    other => other,
                };
                write!(f, "invalid DOT: {}", message.to_lowercase())
            }
            DrawError::TooDeep { limit, .. } => write!(
                f,
                "invalid DOT: subgraphs nest deeper than {limit} levels of `{{`"
            ),
            DrawError::Crashed(message) => {
                write!(f, "the layout engine failed on this graph: {message}")
            }
        }
    }
}

/// Layout time grows steeply with size (about 10 s at 100 nodes with every optimisation on);
/// beyond this many nodes a graph is neither quick to lay out nor readable.
pub(crate) const MAX_NODES: usize = 150;

/// Layout time grows with the pieces layout-rs places, not with the nodes alone: an edge that
/// skips levels becomes a chain of hidden nodes, one a level. 150 nodes with 300 edges between
/// random pairs make about 10,000 pieces and take minutes; 2,000 take a tenth of a second (in
/// a debug build).
pub(crate) const MAX_LAYOUT_SIZE: usize = 2000;

/// layout-rs checks each edge for a cycle with a search that walks every path (see
/// `CycleSearch`), a few nanoseconds a step: this many steps take it about 20 ms.
pub(crate) const MAX_SEARCH_STEPS: usize = 5_000_000;

/// Above this many nodes the crossing-reduction passes are skipped: they cost far more than
/// they improve (measured in bench/README.md). Every service's neighbourhood (at most 28
/// nodes) stays below it; dense system pages of 31-40 nodes took 58 % of all layout time at
/// 1,000 services, for a drawing about as tangled either way.
const OPTIMISE_UP_TO: usize = 30;

/// The passes' cost grows with the pieces laid out too: 40 nodes with 100 edges between
/// random pairs (1,700 pieces) take 12 s in a debug build with them, 0.1 s without.
const OPTIMISE_SIZE_UP_TO: usize = 500;

/// How deep the braces of a ```dot block may nest (the graph's own `{` is the first level).
/// layout-rs parses, builds and frees a graph by recursion, a few stack frames a level, with
/// no limit of its own: 10,000 levels overflowed the main thread and 3,000 a 2 MiB worker.
/// Real diagrams nest clusters a handful deep. A debug build fills the 2 MiB of the smallest
/// opsbook thread at about 380 levels (some 5.5 KB a level), so this leaves a sixfold margin.
pub(crate) const MAX_DOT_DEPTH: usize = 64;

const FONT_WIDTH: f64 = 7.4;
const LINE_HEIGHT: f64 = 18.0;

/// A stable id for a diagram's content: equal diagrams share a layout and an id.
pub(crate) fn fingerprint(content: &impl Hash) -> String {
    let mut hasher = DefaultHasher::new();
    content.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// Lays out and draws `diagram` as an inline `<svg>` element.
pub(crate) fn draw(diagram: &Diagram) -> Result<String, DrawError> {
    draw_tuned(diagram, diagram.nodes.len() <= OPTIMISE_UP_TO)
}

/// `draw`, choosing whether layout-rs reduces edge crossings (slow on large graphs).
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
    let lowering = lower_within_limits(diagram.nodes.len(), &layout_edges(diagram))?;
    lay_out(
        diagram,
        reduce_crossings && lowering.size <= OPTIMISE_SIZE_UP_TO && !lowering.uncrossed,
    )
}

/// The edges of a diagram as layout-rs lays them out.
fn layout_edges(diagram: &Diagram) -> Vec<LayoutEdge> {
    diagram
        .edges
        .iter()
        .map(|e| LayoutEdge {
            from: e.from,
            to: e.to,
            labelled: !e.label.is_empty(),
        })
        .collect()
}

/// Lays out and draws a diagram known to be within the limits.
fn lay_out(diagram: &Diagram, reduce_crossings: bool) -> Result<String, DrawError> {
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
        graph.dag.set_validate(false);
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
    // Sized from the syntax tree before layout-rs builds anything: a block of 50,000 nodes
    // is refused in the time it takes to read it.
    let (nodes, edges) = dot_shape(&graph);
    if nodes > MAX_NODES {
        return Err(DrawError::TooLarge {
            nodes,
            limit: MAX_NODES,
        });
    }
    // Not skipped when uncrossed: layout-rs's `GraphBuilder` orders the nodes of DOT source
    // itself, so the first placement `lower` reasons about is not known for certain.
    let size = lower_within_limits(nodes, &edges)?.size;
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
        let reduce_crossings = nodes <= OPTIMISE_UP_TO && size <= OPTIMISE_SIZE_UP_TO;
        visual.dag.set_validate(false);
        visual.do_it(false, !reduce_crossings, false, &mut canvas);
        Ok(canvas.finish("dot", title))
    })?
}

fn parse_dot(source: &str) -> Result<layout::gv::parser::ast::Graph, DrawError> {
    if let Some(at) = too_deep(source) {
        return Err(DrawError::TooDeep {
            at,
            limit: MAX_DOT_DEPTH,
        });
    }
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

/// Where `source` first nests braces deeper than [`MAX_DOT_DEPTH`], if it does. Read before
/// parsing, in one pass, with layout-rs's own lexer, so the braces counted are exactly those
/// its parser will see (not those in strings or comments). Its parser descends a level at
/// each `{` and climbs one at each `}` (anything else in their place is an error), so the
/// depth counted here is never below the depth it reaches.
fn too_deep(source: &str) -> Option<Position> {
    // A trailing space changes no token, and means a `{` is never the last character, so
    // the lexer has always read one character past it.
    let mut lexer = Lexer::from_string(&format!("{source} "));
    let mut depth = 0usize;
    loop {
        match lexer.next_token() {
            Token::OpenBrace => depth += 1,
            Token::CloseBrace => depth = depth.saturating_sub(1),
            Token::EOF | Token::Error(_) => return None,
            _ => {}
        }
        if depth > MAX_DOT_DEPTH {
            let brace = lexer.pos - 2;
            let offset = source.char_indices().nth(brace).map_or(0, |(i, _)| i);
            return Some(Position::of_offset(source, offset));
        }
    }
}

/// An edge as layout-rs lays it out: an edge with a label goes through a node of its own.
#[derive(Debug, Clone, Copy)]
struct LayoutEdge {
    from: usize,
    to: usize,
    labelled: bool,
}

/// The [`lower`]ing of a graph, if it is within [`MAX_LAYOUT_SIZE`] and layout-rs can
/// orient its edges within [`MAX_SEARCH_STEPS`].
fn lower_within_limits(nodes: usize, edges: &[LayoutEdge]) -> Result<Lowering, DrawError> {
    let lowering = lower(nodes, edges);
    if lowering.size > MAX_LAYOUT_SIZE {
        return Err(DrawError::Tangled {
            nodes,
            edges: edges.len(),
            size: lowering.size,
            limit: MAX_LAYOUT_SIZE,
        });
    }
    if lowering.search_steps > MAX_SEARCH_STEPS {
        return Err(DrawError::ManyPaths {
            nodes,
            edges: edges.len(),
            limit: MAX_SEARCH_STEPS,
        });
    }
    Ok(lowering)
}

/// What laying out a graph would cost layout-rs, found without laying anything out.
#[derive(Debug, PartialEq, Eq)]
struct Lowering {
    /// How many pieces it would place (see [`lower`]).
    size: usize,
    /// How many steps its searches for cycles would take, counted up to just past
    /// [`MAX_SEARCH_STEPS`].
    search_steps: usize,
    /// Its first placement has no crossing edges, and no hidden node for a long edge that its
    /// rank optimisation could move: crossing reduction, which only ever keeps a better
    /// placement, would leave it exactly as it is.
    uncrossed: bool,
}

/// Lowers a graph the way layout-rs does, counting instead of placing: edges that would close
/// a cycle are turned around, in the order they are written; every node sits one level below
/// its lowest predecessor; an edge that skips levels gets a hidden node on each level it
/// crosses, and a label node of its own if it has a label; the size is the nodes, hidden
/// nodes and edge segments. Stops once past [`MAX_LAYOUT_SIZE`] or [`MAX_SEARCH_STEPS`], so a
/// graph of many thousand edges is refused quickly.
fn lower(nodes: usize, edges: &[LayoutEdge]) -> Lowering {
    if nodes + edges.len() > MAX_LAYOUT_SIZE {
        return Lowering {
            size: nodes + edges.len(),
            search_steps: 0,
            uncrossed: false,
        };
    }
    let mut search = CycleSearch::new(nodes);
    let mut successors: Vec<Vec<usize>> = vec![Vec::new(); nodes];
    let mut self_edges = 0;
    for edge in edges {
        let (mut from, mut to) = (edge.from, edge.to);
        if from == to {
            self_edges += 1;
            continue;
        }
        if search.reaches(to, from) {
            std::mem::swap(&mut from, &mut to);
        }
        if search.steps > MAX_SEARCH_STEPS {
            break;
        }
        search.add_edge(from, to);
        if edge.labelled {
            let label = successors.len();
            successors.push(vec![to]);
            successors[from].push(label);
        } else {
            successors[from].push(to);
        }
    }
    let levels = longest_path_levels(&successors);
    let hidden: usize = successors
        .iter()
        .enumerate()
        .flat_map(|(from, next)| next.iter().map(move |&to| (from, to)))
        .map(|(from, to)| levels[to] - levels[from] - 1)
        .sum();
    let segments: usize = successors.iter().map(Vec::len).sum::<usize>() + hidden;
    Lowering {
        // A self edge is drawn through one extra node, with two segments.
        size: successors.len() + hidden + segments + 3 * self_edges,
        search_steps: search.steps,
        // Hidden and label nodes join the rows later, at their ends: only a graph without
        // them is placed exactly as counted here.
        uncrossed: hidden == 0
            && successors.len() == nodes
            && placed_without_crossings(&successors, &levels),
    }
}

/// Whether layout-rs's first placement of a graph whose edges each go one level down has no
/// crossing edges. It puts each node in its level's row in the order the nodes were added;
/// between two rows, edges (u, v) and (u', v') cross when u is left of u' and v right of v'.
fn placed_without_crossings(successors: &[Vec<usize>], levels: &[usize]) -> bool {
    let mut row_lengths = vec![0; levels.len()];
    let position: Vec<usize> = levels
        .iter()
        .map(|&level| {
            row_lengths[level] += 1;
            row_lengths[level] - 1
        })
        .collect();
    let mut edges_below: Vec<Vec<(usize, usize)>> = vec![Vec::new(); levels.len()];
    for (from, next) in successors.iter().enumerate() {
        for &to in next {
            edges_below[levels[from]].push((position[from], position[to]));
        }
    }
    edges_below.iter().all(|edges| {
        edges
            .iter()
            .all(|a| edges.iter().all(|b| !(a.0 < b.0 && a.1 > b.1)))
    })
}

/// layout-rs's search for a path between two nodes, step for step. Its depth-first search
/// unmarks a node when it backs out of it, so it walks every path rather than every node:
/// a ladder of 24 diamonds has 16 million paths and took 2.7 s. Counting the same steps
/// here tells how long the real search would take before it starts.
struct CycleSearch {
    successors: Vec<Vec<usize>>,
    on_path: Vec<bool>,
    /// Steps taken by every search so far; once past [`MAX_SEARCH_STEPS`], searches stop.
    steps: usize,
}

impl CycleSearch {
    fn new(nodes: usize) -> Self {
        CycleSearch {
            successors: vec![Vec::new(); nodes],
            on_path: vec![false; nodes],
            steps: 0,
        }
    }

    fn add_edge(&mut self, from: usize, to: usize) {
        self.successors[from].push(to);
    }

    /// Whether `to` can be reached from `from` (not to be trusted once the budget is spent).
    fn reaches(&mut self, from: usize, to: usize) -> bool {
        let found = self.walk(from, to);
        self.on_path.fill(false);
        found
    }

    fn walk(&mut self, from: usize, to: usize) -> bool {
        self.steps += 1;
        if from == to {
            return true;
        }
        if self.on_path[from] || self.steps > MAX_SEARCH_STEPS {
            return false;
        }
        self.on_path[from] = true;
        for index in 0..self.successors[from].len() {
            if self.walk(self.successors[from][index], to) {
                return true;
            }
        }
        self.on_path[from] = false;
        false
    }
}

/// Each node's level in a DAG: 0 for nodes without predecessors, else one more than its
/// deepest predecessor.
fn longest_path_levels(successors: &[Vec<usize>]) -> Vec<usize> {
    let mut incoming = vec![0usize; successors.len()];
    for next in successors {
        for &to in next {
            incoming[to] += 1;
        }
    }
    let mut ready: Vec<usize> = (0..successors.len())
        .filter(|&n| incoming[n] == 0)
        .collect();
    let mut levels = vec![0usize; successors.len()];
    while let Some(node) = ready.pop() {
        for &to in &successors[node] {
            levels[to] = levels[to].max(levels[node] + 1);
            incoming[to] -= 1;
            if incoming[to] == 0 {
                ready.push(to);
            }
        }
    }
    levels
}

/// The nodes and edges layout-rs's `GraphBuilder` would make of a parsed DOT graph: nodes by
/// name in order of first mention, one edge per arrow of each `a -> b -> c` chain. An edge
/// is counted as labelled if it or an `edge [...]` statement anywhere sets a label (an upper
/// bound is enough for a limit).
fn dot_shape(graph: &layout::gv::parser::ast::Graph) -> (usize, Vec<LayoutEdge>) {
    use layout::gv::parser::ast::{AttrStmtTarget, Stmt};
    use std::collections::HashMap;

    fn has_label(list: &layout::gv::parser::ast::AttributeList) -> bool {
        list.iter().any(|(key, _)| key == "label")
    }
    fn visit<'g>(
        graph: &'g layout::gv::parser::ast::Graph,
        names: &mut HashMap<&'g str, usize>,
        edges: &mut Vec<LayoutEdge>,
        edge_labels: &mut bool,
    ) {
        for stmt in &graph.list.list {
            match stmt {
                Stmt::Edge(edge) => {
                    let mut from = id_of(names, &edge.from.name);
                    for (to, _) in &edge.to {
                        let to = id_of(names, &to.name);
                        edges.push(LayoutEdge {
                            from,
                            to,
                            labelled: has_label(&edge.list),
                        });
                        from = to;
                    }
                }
                Stmt::Node(node) => {
                    id_of(names, &node.id.name);
                }
                Stmt::Attribute(attribute) => {
                    if matches!(attribute.target, AttrStmtTarget::Edge)
                        && has_label(&attribute.list)
                    {
                        *edge_labels = true;
                    }
                }
                Stmt::SubGraph(inner) => visit(inner, names, edges, edge_labels),
            }
        }
    }
    fn id_of<'g>(names: &mut HashMap<&'g str, usize>, name: &'g str) -> usize {
        let next = names.len();
        *names.entry(name).or_insert(next)
    }

    let mut names = HashMap::new();
    let mut edges = Vec::new();
    let mut edge_labels = false;
    visit(graph, &mut names, &mut edges, &mut edge_labels);
    if edge_labels {
        for edge in &mut edges {
            edge.labelled = true;
        }
    }
    (names.len(), edges)
}

/// The parser reports no position. A prefix of the source (in whole lines) that ends past the
/// error fails with the same message; one that ends before it fails at its end, with another
/// (almost always). So the fewest lines that fail the same way end at the error, found by
/// bisection: trying every prefix from the first took seconds for a block of 2,000 lines.
fn error_line(source: &str, message: &str) -> usize {
    let lines: Vec<&str> = source.lines().collect();
    let same_error = |count: usize| {
        let prefix = lines[..count].join("\n");
        matches!(contained(|| DotParser::new(&prefix).process()), Ok(Err(m)) if m == message)
    };
    // The whole source fails with the message; `fails_otherwise` lines (none, at first) not.
    let (mut fails_otherwise, mut fails_so) = (0, lines.len());
    while fails_so - fails_otherwise > 1 {
        let middle = fails_otherwise + (fails_so - fails_otherwise) / 2;
        match same_error(middle) {
            true => fails_so = middle,
            false => fails_otherwise = middle,
        }
    }
    fails_so.max(1)
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

    /// A chain of 150 nodes and an edge from each of the first 75 to its mirror image: few
    /// enough nodes, but the long edges make thousands of pieces (minutes of layout).
    fn tangled_dot() -> String {
        let mut dot = String::from("digraph {\n");
        for n in 0..149 {
            dot.push_str(&format!("  n{n} -> n{};\n", n + 1));
        }
        for n in 0..75 {
            dot.push_str(&format!("  n{n} -> n{};\n", 149 - n));
        }
        dot.push('}');
        dot
    }

    #[test]
    fn tangled_graphs_are_refused_before_layout() {
        let started = std::time::Instant::now();
        let error = draw_dot(&tangled_dot(), "t").unwrap_err();
        assert!(
            matches!(
                error,
                DrawError::Tangled {
                    nodes: 150,
                    edges: 224,
                    size,
                    limit: MAX_LAYOUT_SIZE
                } if size > MAX_LAYOUT_SIZE
            ),
            "{error:?}"
        );
        let diagram = Diagram {
            nodes: vec![node("x"); 150],
            edges: (0..149)
                .map(|n| (n, n + 1))
                .chain((0..75).map(|n| (n, 149 - n)))
                .map(|(from, to)| Edge {
                    from,
                    to,
                    ..Edge::default()
                })
                .collect(),
            ..Diagram::default()
        };
        assert!(matches!(draw(&diagram), Err(DrawError::Tangled { .. })));
        assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
    }

    /// DOT whose braces nest `depth` deep, with an edge in the innermost subgraph.
    fn nested_dot(depth: usize) -> String {
        format!(
            "digraph {{\n{}a -> b\n{}}}\n",
            "subgraph {\n".repeat(depth - 1),
            "}\n".repeat(depth - 1)
        )
    }

    #[test]
    fn the_deepest_dot_allowed_draws_on_the_smallest_stack_and_one_level_more_is_refused() {
        let drawn = crate::on_smallest_stack(|| draw_dot(&nested_dot(MAX_DOT_DEPTH), "deep"));
        assert!(drawn.is_ok(), "{drawn:?}");
        let refused = crate::on_smallest_stack(|| check_dot(&nested_dot(MAX_DOT_DEPTH + 1)));
        assert_eq!(
            refused,
            Err(DrawError::TooDeep {
                at: Position::new(MAX_DOT_DEPTH + 1, 10),
                limit: MAX_DOT_DEPTH
            })
        );
    }

    #[test]
    fn nesting_is_refused_before_parsing_however_deep() {
        // 1,000,000 levels: parsed, this would overflow any stack.
        let deep = format!("digraph {{ {}", "subgraph {".repeat(1_000_000));
        assert_eq!(
            check_dot(&deep),
            Err(DrawError::TooDeep {
                at: Position::new(1, 10 + 10 * MAX_DOT_DEPTH),
                limit: MAX_DOT_DEPTH
            })
        );
    }

    #[test]
    fn braces_in_strings_and_comments_do_not_nest() {
        let braces = "{".repeat(MAX_DOT_DEPTH * 2);
        let source =
            format!("digraph {{ a [label=\"{braces}\"] // {braces}\n /* {braces} */ b }}\n");
        assert_eq!(check_dot(&source), Ok(()));
    }

    #[test]
    fn lowering_counts_hidden_nodes_labels_and_self_edges() {
        let edge = |from, to, labelled| LayoutEdge { from, to, labelled };
        // a -> b -> c: 3 nodes, 2 segments.
        assert_eq!(lower(3, &[edge(0, 1, false), edge(1, 2, false)]).size, 5);
        // Plus a -> c, skipping b's level: 1 hidden node, 2 segments.
        assert_eq!(
            lower(
                3,
                &[edge(0, 1, false), edge(1, 2, false), edge(0, 2, false)]
            )
            .size,
            8
        );
        // c -> a closes a cycle: turned around, it is a -> c.
        assert_eq!(
            lower(
                3,
                &[edge(0, 1, false), edge(1, 2, false), edge(2, 0, false)]
            )
            .size,
            8
        );
        // A label is a node of its own: a -> label -> b.
        assert_eq!(lower(2, &[edge(0, 1, true)]).size, 5);
        assert_eq!(lower(1, &[edge(0, 0, false)]).size, 4);
    }

    /// Small graphs of every shape, the same on every run: each node may depend on a few
    /// earlier ones, and now and then on a later one (a cycle).
    fn assorted_diagrams() -> impl Iterator<Item = Diagram> {
        let mut seed: u64 = 7;
        let mut next = move |below: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % below
        };
        (0..300).map(move |_| {
            let nodes = 2 + next(12) as usize;
            let mut edges = Vec::new();
            for to in 1..nodes {
                for _ in 0..next(3) {
                    let from = if next(10) == 0 {
                        nodes - 1
                    } else {
                        next(to as u64) as usize
                    };
                    edges.push(Edge {
                        from,
                        to,
                        ..Edge::default()
                    });
                }
            }
            Diagram {
                nodes: (0..nodes).map(|n| node(&format!("n{n}"))).collect(),
                edges,
                ..Diagram::default()
            }
        })
    }

    #[test]
    fn crossing_reduction_leaves_an_uncrossed_placement_as_it_is() {
        let (mut uncrossed, mut changed_by_reduction) = (0, 0);
        for diagram in assorted_diagrams() {
            let edges = layout_edges(&diagram);
            let reduced = lay_out(&diagram, true).unwrap();
            let placed = lay_out(&diagram, false).unwrap();
            if lower(diagram.nodes.len(), &edges).uncrossed {
                uncrossed += 1;
                assert_eq!(reduced, placed, "{diagram:?}");
            } else if reduced != placed {
                changed_by_reduction += 1;
            }
        }
        // Both kinds are common, so the comparison above means something.
        assert!(uncrossed > 30, "{uncrossed} uncrossed");
        assert!(changed_by_reduction > 30, "{changed_by_reduction} changed");
    }

    #[test]
    fn dot_errors_name_their_line() {
        let error = draw_dot("digraph {\n  a -> b;\n  c -> ;\n}\n", "t").unwrap_err();
        assert!(
            matches!(error, DrawError::Syntax { line: 3, .. }),
            "{error:?}"
        );
        let long = format!(
            "digraph {{\n{}  a [label]\n}}\n",
            "  n -> m;\n".repeat(5000)
        );
        let error = check_dot(&long).unwrap_err();
        assert!(
            matches!(error, DrawError::Syntax { line: 5002, .. }),
            "past 2,000 lines too: {error:?}"
        );
        assert!(
            draw_dot("digraph { a -> b; b -> c }", "t")
                .unwrap()
                .contains(">c</tspan>")
        );
        assert_eq!(draw_dot("digraph { }", "t"), Err(DrawError::Empty));
    }
}
