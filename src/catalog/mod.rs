//! Catalog: the validated model of an organisation and its dependency graph.
//!
//! Pure: takes parsed files, attaches extra pages to their service (the one whose folder holds
//! them, or that claims them: see `claims`) and the rest to the book's general pages
//! (`general`), rejects duplicate ids,
//! resolves dependencies into a petgraph graph (unknown ids are warnings: a readiness gap,
//! not a broken file), checks what users drew (DOT syntax, architecture links) without
//! laying anything out, warns about raw `<script>` and `<style>` elements no reader will see,
//! and has `link_check` check what users linked to.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

pub(crate) mod claims;
pub(crate) mod general;
pub(crate) mod link_check;

use self::claims::Claims;
use self::general::GeneralDocs;
use crate::deserialize::Segment;
use crate::diag::{
    Code, Diagnostic, Diagnostics, Position, Severity, did_you_mean, display_path, suggestion_help,
};
use crate::diagram::{self, DrawError};
use crate::markdown::{Facts, HiddenElement, LeftOutTags};
use crate::model::{Dependency, DependencyKind, Kind, ServiceId, Target};
use crate::nesting::{Cut, MAX_OPEN_ELEMENTS};
use crate::parse::{AssetSource, Origin, PageSource, Parsed, ServiceSource};

/// A documented service, resource or external, with its extra pages.
#[derive(Debug, Clone)]
pub(crate) struct Service {
    pub(crate) source: Arc<ServiceSource>,
    pub(crate) pages: Vec<Page>,
    pub(crate) assets: Vec<Asset>,
}

impl Service {
    pub(crate) fn id(&self) -> &ServiceId {
        &self.source.doc.service
    }

    /// The service doc and its extra pages: where each came from and what it says.
    pub(crate) fn markdown_files(&self) -> impl Iterator<Item = (&Origin, &Facts)> {
        std::iter::once((&self.source.origin, &self.source.facts)).chain(
            self.pages
                .iter()
                .map(|p| (&p.source.origin, &p.source.facts)),
        )
    }
}

/// An extra page of a service (runbook, ADR, postmortem).
#[derive(Debug, Clone)]
pub(crate) struct Page {
    pub(crate) source: Arc<PageSource>,
    /// Path below the service's folder, e.g. `runbooks/rotate-keys.md`.
    pub(crate) path_in_service: String,
}

/// A file beside a service's docs (an image), published at the same relative path.
#[derive(Debug, Clone)]
pub(crate) struct Asset {
    pub(crate) source: Arc<AssetSource>,
    pub(crate) path_in_service: String,
}

/// A node of the dependency graph.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Node {
    /// Index into `Catalog::services`.
    Documented(usize),
    /// A third party named only in `depends_on`.
    External(String),
    /// A `service:` dependency no doc declares.
    Unknown(ServiceId),
}

/// A dependency edge: `from` depends on `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Edge {
    pub(crate) kind: DependencyKind,
}

/// What a book's settings change in its catalog.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Options<'a> {
    /// What a link to a file the book does not have is (`[output] broken-links`).
    pub(crate) broken_links: Severity,
    /// book.toml's `[pages] attach` patterns.
    pub(crate) attach: &'a [String],
}

/// Every service, sorted by id, and who depends on whom.
#[derive(Debug, Clone, Default)]
pub(crate) struct Catalog {
    pub(crate) services: Vec<Service>,
    /// The pages and files that belong to no service.
    pub(crate) general: GeneralDocs,
    /// Files of the sources that the site does not publish (refused, too large, unreadable):
    /// a link to one says so.
    pub(crate) withheld: Vec<Origin>,
    by_id: HashMap<ServiceId, usize>,
    graph: DiGraph<Node, Edge>,
    /// Graph node of each service, by service index.
    service_nodes: Vec<NodeIndex>,
    /// The edges out of each graph node, by node index: (target, kind), sorted.
    out_edges: Vec<Vec<(NodeIndex, DependencyKind)>>,
}

impl Catalog {
    /// Builds the catalog from every parsed file of a book.
    pub(crate) fn build(
        parsed: Vec<Parsed>,
        options: Options,
        diagnostics: &mut Diagnostics,
    ) -> Catalog {
        let mut sources = Vec::new();
        let mut pages = Vec::new();
        let mut assets = Vec::new();
        let mut withheld = Vec::new();
        for file in parsed {
            match file {
                Parsed::Service(source) => sources.push(source),
                Parsed::Page(page) => pages.push(page),
                Parsed::Asset(asset) => assets.push(asset),
                Parsed::Withheld(origin) => withheld.push(origin),
            }
        }
        sources.sort_by(|a, b| a.origin.cmp(&b.origin));
        let mut services = dedupe(sources, diagnostics);
        services.sort_by(|a, b| a.id().cmp(b.id()));
        let general = attach_files(&mut services, pages, assets, options.attach, diagnostics);
        let by_id = services
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id().clone(), i))
            .collect();
        let mut catalog = Catalog {
            services,
            general,
            withheld,
            by_id,
            ..Catalog::default()
        };
        catalog.build_graph(diagnostics);
        check_drawings(&catalog, diagnostics);
        link_check::check(&catalog, options.broken_links, diagnostics);
        catalog
    }

    /// Every Markdown file of the book: service docs, their extra pages and general pages,
    /// each with what it says.
    pub(crate) fn markdown_files(&self) -> impl Iterator<Item = (&Origin, &Facts)> {
        let general = self.general.pages.iter().map(|p| (&p.origin, &p.facts));
        self.services
            .iter()
            .flat_map(Service::markdown_files)
            .chain(general)
    }

    /// Warns about what the page does not show of the raw HTML in docs: `<script>` and
    /// `<style>` elements (with `sanitised` HTML the page drops them, and either way one never
    /// closed hides the rest of its doc) and, sanitised, tags nested too deep.
    pub(crate) fn check_raw_html(&self, sanitised: bool, diagnostics: &mut Diagnostics) {
        for (origin, facts) in self.markdown_files() {
            for element in &facts.hidden_elements {
                if let Some(problem) = hidden_element_problem(origin, element, sanitised) {
                    diagnostics.push(problem);
                }
            }
            if let Some(left_out) = facts.left_out.filter(|_| sanitised) {
                diagnostics.push(left_out_problem(origin, &left_out));
            }
        }
    }

    pub(crate) fn index_of(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// Where a dependency points, if it names something documented.
    pub(crate) fn resolve(&self, dependency: &Dependency) -> Option<usize> {
        match &dependency.target {
            Target::Service(id) => self.index_of(id.as_str()),
            Target::External(name) => self
                .index_of(name)
                .filter(|&i| self.services[i].source.doc.kind == Kind::External),
        }
    }

    /// The graph node of a service.
    pub(crate) fn node_of(&self, index: usize) -> NodeIndex {
        self.service_nodes[index]
    }

    /// The dependency graph: services, externals and unknown ids, with hard and soft edges.
    pub(crate) fn graph(&self) -> &DiGraph<Node, Edge> {
        &self.graph
    }

    /// Every dependency edge between documented services: (from, to, kind), as service indices.
    pub(crate) fn documented_edges(
        &self,
    ) -> impl Iterator<Item = (usize, usize, DependencyKind)> + '_ {
        self.graph.edge_references().filter_map(|edge| {
            match (&self.graph[edge.source()], &self.graph[edge.target()]) {
                (Node::Documented(from), Node::Documented(to)) => {
                    Some((*from, *to, edge.weight().kind))
                }
                _ => None,
            }
        })
    }

    /// The dependency edges between `nodes`: (from, to, kind) as positions in `nodes`, sorted,
    /// each once. Reads at most as many of a node's edges as there are `nodes`: a drawing of
    /// a few services around one that depends on thousands costs a few lookups, not thousands.
    pub(crate) fn edges_among(&self, nodes: &[NodeIndex]) -> Vec<(usize, usize, DependencyKind)> {
        let position: HashMap<NodeIndex, usize> =
            nodes.iter().enumerate().map(|(p, n)| (*n, p)).collect();
        let mut found = Vec::new();
        for (from, node) in nodes.iter().enumerate() {
            let out = &self.out_edges[node.index()];
            if out.len() <= nodes.len() {
                found.extend(
                    out.iter()
                        .filter_map(|(to, kind)| Some((from, *position.get(to)?, *kind))),
                );
            } else {
                for (to, other) in nodes.iter().enumerate() {
                    let first = out.partition_point(|(target, _)| target < other);
                    found.extend(
                        out[first..]
                            .iter()
                            .take_while(|(target, _)| target == other)
                            .map(|(_, kind)| (from, to, *kind)),
                    );
                }
            }
        }
        found.sort_unstable();
        found.dedup();
        found
    }

    fn build_graph(&mut self, diagnostics: &mut Diagnostics) {
        let mut others: HashMap<Node, NodeIndex> = HashMap::new();
        let mut suggestions = Suggestions::new(&self.services);
        self.service_nodes = (0..self.services.len())
            .map(|i| self.graph.add_node(Node::Documented(i)))
            .collect();
        for (from, service) in self.services.iter().enumerate() {
            for (position, dependency) in service.source.doc.dependencies().iter().enumerate() {
                let to = match self.resolve(dependency) {
                    Some(index) => self.service_nodes[index],
                    None => {
                        let node = match &dependency.target {
                            Target::Service(id) => {
                                let suggestion = suggestions.for_id(id);
                                diagnostics
                                    .push(unknown_dependency(service, position, id, suggestion));
                                Node::Unknown(id.clone())
                            }
                            Target::External(name) => Node::External(name.clone()),
                        };
                        *others
                            .entry(node.clone())
                            .or_insert_with(|| self.graph.add_node(node))
                    }
                };
                self.graph.add_edge(
                    self.service_nodes[from],
                    to,
                    Edge {
                        kind: dependency.kind,
                    },
                );
            }
        }
        self.out_edges = vec![Vec::new(); self.graph.node_count()];
        for edge in self.graph.edge_references() {
            self.out_edges[edge.source().index()].push((edge.target(), edge.weight().kind));
        }
        for out in &mut self.out_edges {
            out.sort_unstable();
        }
    }
}

/// Suggestions for ids no doc declares: each is compared with every declared id, once.
struct Suggestions<'a> {
    known: Vec<&'a str>,
    found: HashMap<&'a str, Option<&'a str>>,
    /// Comparisons still allowed in this book.
    comparisons: usize,
}

/// A book's undocumented ids are compared with its ids this many times at most; the rest get
/// no suggestion. Each comparison takes about 2 µs: a book of 4,000 services that each name
/// a different undocumented id took 28 s to check, which grows with the square of the book.
const SUGGESTION_COMPARISONS: usize = 500_000;

impl<'a> Suggestions<'a> {
    fn new(services: &'a [Service]) -> Self {
        Suggestions {
            known: services.iter().map(|s| s.id().as_str()).collect(),
            found: HashMap::new(),
            comparisons: SUGGESTION_COMPARISONS,
        }
    }

    fn for_id(&mut self, id: &'a ServiceId) -> Option<&'a str> {
        if let Some(&found) = self.found.get(id.as_str()) {
            return found;
        }
        self.comparisons = self.comparisons.checked_sub(self.known.len())?;
        let found = did_you_mean(id.as_str(), self.known.iter().copied());
        self.found.insert(id.as_str(), found);
        found
    }
}

fn unknown_dependency(
    service: &Service,
    position: usize,
    id: &ServiceId,
    suggestion: Option<&str>,
) -> Diagnostic {
    let path = [Segment::Key("depends_on".into()), Segment::Index(position)];
    let help = match suggestion {
        Some(suggestion) => format!("did you mean `{suggestion}`?"),
        None => format!("document `{id}`, or write `{{ external: {id} }}` if it is a third party"),
    };
    Diagnostic::warning(
        Code::UnknownDependency,
        &service.source.origin.display_path,
        format!(
            "`{}` depends on `{id}`, which no service doc declares",
            service.id()
        ),
    )
    .at(service.source.locate(&path, false))
    .with_help(help)
}

/// Keeps the first doc of each id (in path order) and reports the others, naming both files.
fn dedupe(sources: Vec<Arc<ServiceSource>>, diagnostics: &mut Diagnostics) -> Vec<Service> {
    let mut first_seen: HashMap<ServiceId, Origin> = HashMap::new();
    let mut services = Vec::new();
    for source in sources {
        if let Some(first) = first_seen.get(&source.doc.service) {
            let position = source.locate(&[Segment::Key("service".into())], false);
            diagnostics.push(
                Diagnostic::error(
                    Code::DuplicateService,
                    &source.origin.display_path,
                    format!(
                        "duplicate service id `{}`: `{}` declares it too",
                        source.doc.service,
                        display_path(&first.display_path)
                    ),
                )
                .at(position)
                .with_help("ids must be unique across all sources: rename one of them"),
            );
            continue;
        }
        first_seen.insert(source.doc.service.clone(), source.origin.clone());
        services.push(Service {
            source,
            pages: Vec::new(),
            assets: Vec::new(),
        });
    }
    services
}

/// A page or asset belongs to the service doc in its folder or the nearest folder above it,
/// else to the service that claims it; the rest are the book's general pages and files.
fn attach_files(
    services: &mut [Service],
    pages: Vec<Arc<PageSource>>,
    assets: Vec<Arc<AssetSource>>,
    attach: &[String],
    diagnostics: &mut Diagnostics,
) -> GeneralDocs {
    let mut by_folder: BTreeMap<(usize, String), Vec<usize>> = BTreeMap::new();
    for (index, service) in services.iter().enumerate() {
        let origin = &service.source.origin;
        by_folder
            .entry((origin.source_index, origin.folder().to_string()))
            .or_default()
            .push(index);
    }
    let claims = Claims::new(services, attach, diagnostics);
    let owner =
        |origin: &Origin, diagnostics: &mut Diagnostics| match owning_folder(&by_folder, origin) {
            Some((folder, owners)) => folder_owner(folder, owners, origin, diagnostics),
            None => match claims.owner(services, origin, diagnostics) {
                Some((service, path)) => Ownership::Claimed(service, path),
                None => Ownership::General,
            },
        };
    let (owned_pages, general_pages) = share_out(pages, |p| &p.origin, &owner, diagnostics);
    let (owned_assets, general_files) = share_out(assets, |a| &a.origin, &owner, diagnostics);
    // A service's own files are placed first: a claimed file that would be published where
    // one of them is, is the one skipped.
    let mut placed: HashSet<(usize, String)> = HashSet::new();
    for owned in owned_pages {
        if let Some((service, source, path_in_service)) =
            place(owned, |p| &p.origin, &mut placed, services, diagnostics)
        {
            let page = Page {
                source,
                path_in_service,
            };
            services[service].pages.push(page);
        }
    }
    for owned in owned_assets {
        if let Some((service, source, path_in_service)) =
            place(owned, |a| &a.origin, &mut placed, services, diagnostics)
        {
            let asset = Asset {
                source,
                path_in_service,
            };
            services[service].assets.push(asset);
        }
    }
    GeneralDocs::new(general_pages, general_files)
}

/// A file that belongs to a service: the service's index, the file, its path there, and
/// whether a service claims it from elsewhere (rather than holding it in its folder).
struct Owned<T> {
    service: usize,
    file: Arc<T>,
    path_in_service: String,
    claimed: bool,
}

/// Splits `files` into those services own (each service's own files first) and the general
/// ones; files beside several service docs go to neither.
fn share_out<T>(
    files: Vec<Arc<T>>,
    origin: impl Fn(&T) -> &Origin,
    owner: &impl Fn(&Origin, &mut Diagnostics) -> Ownership,
    diagnostics: &mut Diagnostics,
) -> (Vec<Owned<T>>, Vec<Arc<T>>) {
    let mut owned = Vec::new();
    let mut general = Vec::new();
    for file in files {
        let (service, path_in_service, claimed) = match owner(origin(&file), diagnostics) {
            Ownership::Folder(service, path) => (service, path, false),
            Ownership::Claimed(service, path) => (service, path, true),
            Ownership::General => {
                general.push(file);
                continue;
            }
            Ownership::Shared => continue,
        };
        owned.push(Owned {
            service,
            file,
            path_in_service,
            claimed,
        });
    }
    owned.sort_by_key(|owned| owned.claimed);
    (owned, general)
}

/// Who a file belongs to: the service whose folder holds it, the service that claims it
/// (each with the file's path there), the general pages, or no one, because it sits beside
/// several service docs.
enum Ownership {
    Folder(usize, String),
    Claimed(usize, String),
    General,
    Shared,
}

/// Where an owned file goes: `None`, with a warning, when its service already publishes
/// a file at the same place.
fn place<T>(
    owned: Owned<T>,
    origin: impl Fn(&T) -> &Origin,
    placed: &mut HashSet<(usize, String)>,
    services: &[Service],
    diagnostics: &mut Diagnostics,
) -> Option<(usize, Arc<T>, String)> {
    let Owned {
        service,
        file,
        path_in_service,
        claimed,
    } = owned;
    if placed.insert((service, path_in_service.clone())) {
        return Some((service, file, path_in_service));
    }
    if claimed {
        diagnostics.push(
            Diagnostic::warning(Code::ClaimedPageShadowed,
                &origin(&file).display_path,
                format!(
                    "`{}` claims this page, but its own `{path_in_service}` is published at the same place; this one is skipped",
                    services[service].id()
                ),
            )
            .with_help("rename one of the two, or narrow the `pages` pattern"),
        );
    }
    None
}

/// The service of the folder a file sits in, and the file's path below that folder.
fn folder_owner(
    folder: &str,
    owners: &[usize],
    origin: &Origin,
    diagnostics: &mut Diagnostics,
) -> Ownership {
    if let [owner] = owners {
        let path_in_service = origin.relative[folder.len()..]
            .trim_start_matches('/')
            .to_string();
        return Ownership::Folder(*owner, path_in_service);
    }
    diagnostics.push(
        Diagnostic::warning(
            Code::FileBetweenServices,
            &origin.display_path,
            format!(
                "this file sits beside {} service docs, so it belongs to none; it is skipped",
                owners.len()
            ),
        )
        .with_help("give each service its own folder, and put its pages there"),
    );
    Ownership::Shared
}

fn owning_folder<'m>(
    by_folder: &'m BTreeMap<(usize, String), Vec<usize>>,
    origin: &Origin,
) -> Option<(&'m str, &'m Vec<usize>)> {
    let mut folder = origin.folder();
    loop {
        if let Some((key, owners)) =
            by_folder.get_key_value(&(origin.source_index, folder.to_string()))
        {
            return Some((key.1.as_str(), owners));
        }
        if folder.is_empty() {
            return None;
        }
        folder = folder.rsplit_once('/').map_or("", |(parent, _)| parent);
    }
}

/// Problems in what users drew, found without laying anything out (so `check` reports them
/// too): ```dot blocks that do not parse, and architecture links to unknown components.
fn check_drawings(catalog: &Catalog, diagnostics: &mut Diagnostics) {
    for (origin, facts) in catalog.markdown_files() {
        for block in &facts.diagrams {
            let problem = match diagram::check_dot(&block.code) {
                Err(error @ DrawError::Syntax { line, .. }) => {
                    let text = block.code.lines().nth(line - 1).unwrap_or("").trim();
                    Diagnostic::warning(
                        Code::DotSyntax,
                        &origin.display_path,
                        format!("{error} (at `{text}`)"),
                    )
                    .at(Position::new(block.line + line - 1, 1))
                }
                Err(error @ DrawError::TooDeep { at, .. }) => {
                    Diagnostic::warning(Code::DotSyntax, &origin.display_path, error.to_string())
                        .at(Position::new(block.line + at.line - 1, at.column))
                }
                _ => continue,
            };
            diagnostics.push(problem.with_help("the page shows the block as code until it parses"));
        }
    }
    for service in &catalog.services {
        check_architecture(service, diagnostics);
    }
}

fn hidden_element_problem(
    origin: &Origin,
    element: &HiddenElement,
    sanitised: bool,
) -> Option<Diagnostic> {
    let tag = element.tag;
    let (message, help) = match (element.closed, sanitised) {
        (false, true) => (
            format!(
                "`<{tag}>` is never closed: the page leaves it out with everything after it, to the end of the doc"
            ),
            format!(
                "remove it (the site shows no {tag} elements from docs), or at least close it with `</{tag}>`"
            ),
        ),
        (false, false) => (
            format!(
                "`<{tag}>` is never closed: browsers read everything after it, to the end of the doc, as {tag} and show none of it"
            ),
            format!("close it with `</{tag}>`"),
        ),
        (true, true) => (
            format!("`<{tag}>` is left out of the page: the site shows no {tag} elements from docs"),
            "remove it; a book that trusts every author can keep raw HTML with `allow-raw-html = true` under `[output]` in book.toml".to_string(),
        ),
        (true, false) => return None,
    };
    Some(
        Diagnostic::warning(Code::RawHtmlLeftOut, &origin.display_path, message)
            .at(Position::new(element.line, element.column))
            .with_help(help),
    )
}

fn left_out_problem(origin: &Origin, left_out: &LeftOutTags) -> Diagnostic {
    let tags = left_out.tags;
    let (message, help) = match left_out.cut {
        Cut::TooDeep => (
            format!(
                "HTML here nests more than {MAX_OPEN_ELEMENTS} elements deep: the page leaves out the start tags that would go deeper ({tags} of them) and keeps what they hold at that depth"
            ),
            "nest fewer block quotes, lists and HTML elements, and close each HTML element you open",
        ),
        Cut::Reopened => (
            format!(
                "from here the page shows this doc as text, without its tags ({tags} of them): formatting elements left open (`<b>`, `<i>`, `<a>`...) are opened again in every block after them, too many times over"
            ),
            "close each formatting element in the block that opens it, as in `<b>bold</b>`",
        ),
    };
    Diagnostic::warning(Code::HtmlTooTangled, &origin.display_path, message)
        .at(Position::new(left_out.line, left_out.column))
        .with_help(help)
}

fn check_architecture(service: &Service, diagnostics: &mut Diagnostics) {
    let Some(block) = &service.source.doc.architecture else {
        return;
    };
    let ids: Vec<&str> = block.components.iter().map(|c| c.id.as_str()).collect();
    for (index, (from, to)) in block.links.iter().enumerate() {
        for (end, id) in [(0, from), (1, to)] {
            if ids.contains(&id.as_str()) {
                continue;
            }
            let path = [
                Segment::Key("architecture".into()),
                Segment::Key("links".into()),
                Segment::Index(index),
                Segment::Index(end),
            ];
            diagnostics.push(
                Diagnostic::warning(
                    Code::UnknownComponent,
                    &service.source.origin.display_path,
                    format!("architecture link names unknown component `{id}`"),
                )
                .at(service.source.locate(&path, false))
                .with_help(suggestion_help(id, &ids)),
            );
        }
    }
}
