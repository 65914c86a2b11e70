//! Serve: a live preview. Builds the site in memory, serves it over HTTP, watches every input
//! and rebuilds on change, then tells every open page to reload (server-sent events).
//!
//! A change that breaks the build keeps the last good site and shows every problem in an
//! overlay on the open pages. The reload script is added to pages as they are served, never
//! to `build` output.

use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use axum::Router;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use notify_debouncer_full::notify::RecursiveMode;
use notify_debouncer_full::notify::event::EventKind;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use crate::book::Evaluated;
use crate::build::{self, Caches, Prepared};
use crate::config::SiteUrl;
use crate::diag::Diagnostics;
use crate::fetch::Network;
use crate::history::{self, History};
use crate::model::Date;
use crate::report::json::{self, JsonProblem};
use crate::site::drawings::Drawings;
use crate::site::render::Site;
use crate::site::script;
use crate::site::theme::Theme;

/// Where the reload script listens.
pub(crate) const EVENTS_PATH: &str = "/__opsbook/events";
/// The reload script, made for the page's generation (`?generation=N`).
pub(crate) const LIVE_RELOAD_PATH: &str = "/__opsbook/live-reload.js";

/// The pages' policy: their scripts come from the site (no inline script, so none a doc
/// smuggles in runs), their inline styles (bar widths, diagrams) are kept, and images may
/// come from anywhere, as a doc's may.
const PAGE_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src * data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'";
/// Every other response: a file opened on its own (an SVG from a doc's folder) runs nothing
/// and loads nothing, in an origin of its own. Scripts, styles and images loaded by a page
/// ignore it.
const FILE_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox";

#[derive(Debug, Clone)]
pub(crate) struct Options {
    pub(crate) dir: PathBuf,
    pub(crate) host: String,
    /// 0 picks a free port.
    pub(crate) port: u16,
    pub(crate) open: bool,
    pub(crate) today: Option<Date>,
    /// `--history N`: chart the last N commits (0: none), instead of book.toml's `[history]`.
    pub(crate) history: Option<usize>,
}

/// What the browser is told after a rebuild.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub(crate) enum Message {
    /// The site changed: reload.
    Reload { generation: u64 },
    /// The last change broke the build: show these, keep the old pages.
    Problems {
        generation: u64,
        problems: Vec<JsonProblem>,
    },
}

/// A successfully prepared book and the pages rendered from it so far: pages are rendered when
/// first asked for, so a rebuild costs no more than reading and evaluating the book.
struct Live {
    /// The rebuild this site came from; pages carry it so a page can tell it is out of date.
    generation: u64,
    evaluated: Evaluated,
    theme: Theme,
    drawings: Drawings,
    /// Read once, when serving starts: it is made of commits, which saves do not change.
    history: Option<Arc<History>>,
    paths: BTreeSet<String>,
    pages: Mutex<HashMap<String, Vec<u8>>>,
}

impl Live {
    fn new(
        generation: u64,
        evaluated: Evaluated,
        theme: Theme,
        drawings: Drawings,
        history: Option<Arc<History>>,
    ) -> Self {
        let paths = Site::new(&evaluated, &theme, &drawings)
            .paths()
            .into_iter()
            .collect();
        Live {
            generation,
            evaluated,
            theme,
            drawings,
            history,
            paths,
            pages: Mutex::new(HashMap::new()),
        }
    }

    fn has(&self, path: &str) -> bool {
        self.paths.contains(path)
    }

    /// The file at `path`, rendered now or earlier.
    fn file(&self, path: &str) -> Option<Result<Vec<u8>>> {
        if let Some(bytes) = self
            .pages
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(path)
        {
            return Some(Ok(bytes.clone()));
        }
        let rendered = Site::new(&self.evaluated, &self.theme, &self.drawings)
            .with_history(self.history.as_deref())
            .render_path(path)?;
        if let Ok(bytes) = &rendered {
            self.pages
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(path.to_string(), bytes.clone());
        }
        Some(rendered)
    }
}

/// The last good site and the problems of the last build.
struct Shared {
    /// The last good book; `None` until a build succeeds.
    site: RwLock<Option<Arc<Live>>>,
    problems: RwLock<Vec<JsonProblem>>,
    generation: RwLock<u64>,
    events: broadcast::Sender<Message>,
    /// Parses and layouts of the last build: a save redoes only what it changed.
    caches: Mutex<Caches>,
    history: Option<Arc<History>>,
}

/// Serves the book in `options.dir` until Ctrl-C.
pub(crate) fn serve(options: Options) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the server")?;
    runtime.block_on(run(options))
}

async fn run(mut options: Options) -> Result<()> {
    // Named by where it is, not by the working directory: a book folder deleted and made
    // again is a new folder, which `.` would never be.
    options.dir = options.dir.canonicalize().with_context(|| {
        format!(
            "there is no book folder {}: give the folder that holds book.toml (or the docs)",
            options.dir.display()
        )
    })?;
    let (events, _) = broadcast::channel(16);
    let shared = Arc::new(Shared {
        site: RwLock::new(None),
        problems: RwLock::new(Vec::new()),
        generation: RwLock::new(0),
        events,
        caches: Mutex::new(Caches::default()),
        history: read_history(&options),
    });
    let watched = rebuild(&shared, &options)?;
    let address = format!("{}:{}", options.host, options.port);
    let listener = match tokio::net::TcpListener::bind(&address).await {
        Ok(listener) => listener,
        Err(error) if error.kind() == std::io::ErrorKind::AddrInUse => {
            anyhow::bail!(
                "port {} is in use: stop what runs there, or pick another with --port (0 picks a free one)",
                options.port
            )
        }
        Err(error) => return Err(error).with_context(|| format!("cannot listen on {address}")),
    };
    let shutdown = interrupted()?;
    // Watch before saying where to look, so no edit made after the address appears is missed.
    let watcher = spawn_watcher(Arc::clone(&shared), options.clone(), watched)?;
    let local: SocketAddr = listener.local_addr()?;
    let url = format!("http://{local}/");
    println!("serving {} at {url}", options.dir.display());
    println!("watching for changes; Ctrl-C stops");
    if options.open && open::that_detached(&url).is_err() {
        eprintln!("could not open a browser; open {url} yourself");
    }
    let served_host: Arc<str> = Arc::from(options.host.as_str());
    let app = Router::new()
        .route(EVENTS_PATH, get(events_stream))
        .route(LIVE_RELOAD_PATH, get(live_reload_script))
        .fallback(get(page))
        .with_state(Arc::clone(&shared))
        .layer(middleware::from_fn_with_state(served_host, guard));
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .context("the server stopped")?;
    drop(watcher);
    println!("stopped");
    Ok(())
}

/// Resolves on Ctrl-C. The handler is installed now, not when first awaited, so an interrupt
/// right after the address is printed still stops the server cleanly.
#[cfg(unix)]
fn interrupted() -> Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt()).context("cannot handle Ctrl-C")?;
    Ok(async move {
        interrupt.recv().await;
    })
}

#[cfg(not(unix))]
fn interrupted() -> Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

/// Builds the site; on success it replaces the served one. Returns what to watch.
fn rebuild(shared: &Shared, options: &Options) -> Result<Watch> {
    if !options.dir.is_dir() {
        return Ok(book_removed(shared, options));
    }
    let started = Instant::now();
    let today = options
        .today
        .unwrap_or_else(|| Date(jiff::Zoned::now().date()));
    let mut caches = shared.caches.lock().unwrap_or_else(|e| e.into_inner());
    let Prepared {
        mut evaluated,
        site,
    } = build::prepare_book(&options.dir, today, false, &mut caches)?;
    // Git sources are fetched when serving starts, not on every save.
    caches.book.network = Network::Offline;
    // The preview is served from the root, wherever the book says it will be published.
    evaluated.config.site_url = SiteUrl::default();
    drop(caches);
    print_problems(&evaluated.diagnostics);
    let problems = json::problems(&evaluated.diagnostics)
        .into_iter()
        .filter(|p| p.severity == crate::diag::Severity::Error)
        .collect::<Vec<_>>();
    let generation = next_generation(shared);
    let watch = Watch {
        paths: watched_paths(&evaluated.config),
        output: evaluated.config.output_dir.clone(),
        waiting_in: None,
    };
    let message = match site {
        Some((theme, drawings)) => {
            let history = shared.history.clone();
            let live = Live::new(generation, evaluated, theme, drawings, history);
            let pages = live.paths.iter().filter(|p| p.ends_with(".html")).count();
            *shared.site.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(live));
            println!(
                "rebuilt in {} ms: {pages} pages, each rendered when first asked for",
                started.elapsed().as_millis()
            );
            Message::Reload { generation }
        }
        None => {
            println!("the build has errors; still serving the last good site");
            Message::Problems {
                generation,
                problems: problems.clone(),
            }
        }
    };
    *shared.problems.write().unwrap_or_else(|e| e.into_inner()) = problems;
    let _ = shared.events.send(message);
    Ok(watch)
}

fn next_generation(shared: &Shared) -> u64 {
    let mut generation = shared.generation.write().unwrap_or_else(|e| e.into_inner());
    *generation += 1;
    *generation
}

/// The book's folder is gone (deleted, or moved away): says so, on the terminal and on the
/// open pages, keeps serving the last good site, and watches the nearest folder above it that
/// still exists, to see it come back.
fn book_removed(shared: &Shared, options: &Options) -> Watch {
    let folder = options.dir.display();
    println!("the book folder {folder} was removed; waiting for it to come back");
    let mut diagnostics = Diagnostics::new();
    diagnostics.push(
        crate::diag::Diagnostic::error(
            crate::diag::Code::BookFolderRemoved,
            &options.dir,
            "the book folder was removed; waiting for it to come back",
        )
        .with_help(
            "the pages on screen are the last good site; they reload when the folder is back",
        ),
    );
    let problems = json::problems(&diagnostics);
    *shared.problems.write().unwrap_or_else(|e| e.into_inner()) = problems.clone();
    let generation = next_generation(shared);
    let _ = shared.events.send(Message::Problems {
        generation,
        problems,
    });
    Watch {
        paths: Vec::new(),
        output: PathBuf::new(),
        waiting_in: options
            .dir
            .ancestors()
            .skip(1)
            .find(|p| p.is_dir())
            .map(Path::to_path_buf),
    }
}

/// The book's history, when asked for, with its problems printed.
fn read_history(options: &Options) -> Option<Arc<History>> {
    let mut diagnostics = Diagnostics::new();
    let config = crate::config::load(&options.dir, &mut diagnostics);
    let settings = history::settings(&config, options.history)?;
    let history = history::collect(&config, &settings, &mut diagnostics);
    print_problems(&diagnostics);
    Some(Arc::new(history))
}

fn print_problems(diagnostics: &Diagnostics) {
    for diagnostic in diagnostics.sorted() {
        eprintln!("{diagnostic}");
    }
}

/// Every input of the book: its folder (book.toml, theme/), its sources and its checklist.
fn watched_paths(config: &crate::config::Config) -> Vec<PathBuf> {
    let mut paths = vec![config.root.clone()];
    paths.extend(
        config
            .sources
            .iter()
            .map(|source| &source.folder)
            .filter(|folder| !folder.starts_with(&config.root))
            .cloned(),
    );
    if let Some(file) = &config.checklist.file
        && let Some(folder) = file.parent()
        && !folder.starts_with(&config.root)
    {
        paths.push(folder.to_path_buf());
    }
    paths
}

/// What to watch, and what not to.
struct Watch {
    paths: Vec<PathBuf>,
    /// The output folder of `opsbook build`: its changes are never inputs.
    output: PathBuf,
    /// While the book's folder is gone: the folder above it that is watched (not its
    /// subfolders) for it to come back.
    waiting_in: Option<PathBuf>,
}

/// Changes that can alter the site; not the output folder, version control or editor backups.
fn is_relevant(path: &Path, root: &Path, output: &Path) -> bool {
    if path.starts_with(output) {
        return false;
    }
    let relative = path.strip_prefix(root).unwrap_or(path);
    let hidden_or_built = relative.components().any(|c| {
        let name = c.as_os_str().to_string_lossy();
        name.starts_with('.') || name == "target" || name == "node_modules"
    });
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let editor_scratch = name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".tmp")
        || name.starts_with(".#");
    !hidden_or_built && !editor_scratch
}

/// How long a burst of changes may last: an editor's save (write a temporary file, rename it
/// over the old one) takes well under a millisecond; a `git checkout` a few. Every save waits
/// this long before its rebuild starts; a burst that outlasts it only rebuilds twice.
const DEBOUNCE: Duration = Duration::from_millis(10);

/// Watches the inputs on a thread of its own; each debounced burst of changes rebuilds once.
fn spawn_watcher(
    shared: Arc<Shared>,
    options: Options,
    watched: Watch,
) -> Result<std::thread::JoinHandle<()>> {
    let (sender, receiver) = std::sync::mpsc::channel();
    let mut debouncer = notify_debouncer_full::new_debouncer(DEBOUNCE, None, sender)
        .context("cannot watch the book's files")?;
    for path in &watched.paths {
        debouncer
            .watch(path, RecursiveMode::Recursive)
            .with_context(|| format!("cannot watch {}", path.display()))?;
    }
    let mut watcher = Watcher {
        debouncer,
        identities: identities(&watched.paths),
        watched: Watch {
            waiting_in: None,
            ..watched
        },
        shared,
        options,
    };
    let handle = std::thread::spawn(move || {
        for events in receiver.into_iter().flatten() {
            watcher.saw(&events);
        }
    });
    Ok(handle)
}

type Debouncer = notify_debouncer_full::Debouncer<
    notify_debouncer_full::notify::RecommendedWatcher,
    notify_debouncer_full::RecommendedCache,
>;

type FileId = notify_debouncer_full::file_id::FileId;

/// Which folder each watched path is: one deleted and made again is another folder, and its
/// watch died with the old one (the watcher says nothing of it, in a burst of removals).
fn identities(paths: &[PathBuf]) -> Vec<Option<FileId>> {
    paths
        .iter()
        .map(|path| notify_debouncer_full::file_id::get_file_id(path).ok())
        .collect()
}

/// The watching thread's state: what it watches, and the book it rebuilds.
struct Watcher {
    debouncer: Debouncer,
    watched: Watch,
    /// Of each of `watched.paths`, when it was watched.
    identities: Vec<Option<FileId>>,
    shared: Arc<Shared>,
    options: Options,
}

impl Watcher {
    /// One debounced burst of events.
    fn saw(&mut self, events: &[notify_debouncer_full::DebouncedEvent]) {
        if self.watched.waiting_in.is_some() {
            // Anything beside the book's folder: only its return matters.
            if self.options.dir.is_dir() {
                self.come_back();
            }
            return;
        }
        // Reading the files to rebuild is itself an event (access); only changes count.
        let changed: Vec<PathBuf> = events
            .iter()
            .filter(|e| !e.kind.is_access() && !e.kind.is_other())
            .flat_map(|e| e.paths.iter())
            .filter(|p| is_relevant(p, &self.options.dir, &self.watched.output))
            .cloned()
            .collect();
        if changed.is_empty() {
            return;
        }
        let replaced = self.replaced();
        if replaced {
            // Made again (`rm -r book && cp -r backup book`): watched anew before it is read.
            self.rewatch();
        }
        // The watcher missed events (its queue overflowed), or a folder is new: only a new
        // walk can tell.
        let rescan = replaced
            || events
                .iter()
                .any(|e| e.need_rescan() || e.kind == EventKind::Any);
        let anything_changed = self
            .shared
            .caches
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .book
            .note_changes(&changed, rescan);
        if anything_changed {
            self.rebuild();
        }
    }

    /// Whether a watched folder exists again as another folder.
    fn replaced(&self) -> bool {
        identities(&self.watched.paths)
            .iter()
            .zip(&self.identities)
            .any(|(now, then)| now.is_some() && now != then)
    }

    /// The book's folder is back: watched again before it is read, so no file written into
    /// it meanwhile is missed, then read whole.
    fn come_back(&mut self) {
        if let Some(above) = self.watched.waiting_in.take() {
            let _ = self.debouncer.unwatch(&above);
        }
        println!("the book folder {} is back", self.options.dir.display());
        self.rewatch();
        self.shared
            .caches
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .book
            .note_changes(&[], true);
        self.rebuild();
    }

    fn rebuild(&mut self) {
        match rebuild(&self.shared, &self.options) {
            Ok(now) if now.waiting_in.is_some() => {
                if let Some(above) = &now.waiting_in {
                    let _ = self.debouncer.watch(above, RecursiveMode::NonRecursive);
                }
                self.watched.waiting_in = now.waiting_in;
                // Back already, before the folder above it was watched?
                if self.options.dir.is_dir() {
                    self.come_back();
                }
            }
            // book.toml may have moved the sources: follow them.
            Ok(now) => {
                let mut ids = Vec::with_capacity(now.paths.len());
                for path in &now.paths {
                    // A folder watched already keeps the identity it was watched as.
                    match self.watched.paths.iter().position(|p| p == path) {
                        Some(known) => ids.push(self.identities.get(known).copied().flatten()),
                        None => {
                            let _ = self.debouncer.watch(path, RecursiveMode::Recursive);
                            ids.extend(identities(std::slice::from_ref(path)));
                        }
                    }
                }
                self.identities = ids;
                self.watched = now;
            }
            Err(error) => eprintln!("error: {error:#}"),
        }
    }

    /// Watches every input folder anew, as the folder now at its path.
    fn rewatch(&mut self) {
        for path in &self.watched.paths {
            let _ = self.debouncer.unwatch(path);
            let _ = self.debouncer.watch(path, RecursiveMode::Recursive);
        }
        self.identities = identities(&self.watched.paths);
    }
}

async fn events_stream(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    // First the generation of the site being served: a page loaded just before a rebuild
    // finished, and connected just after, learns here that it is out of date.
    let current = site_generation(&shared);
    let hello = Event::default()
        .event("hello")
        .data(format!("{{\"generation\":{current}}}"));
    let updates = BroadcastStream::new(shared.events.subscribe()).filter_map(|message| {
        let message = message.ok()?;
        let name = match message {
            Message::Reload { .. } => "reload",
            Message::Problems { .. } => "problems",
        };
        let data = serde_json::to_string(&message).ok()?;
        Some(Event::default().event(name).data(data))
    });
    let stream = tokio_stream::once(hello)
        .chain(updates)
        .map(Ok::<_, std::convert::Infallible>);
    Sse::new(stream).keep_alive(KeepAlive::default())
}

fn site_generation(shared: &Shared) -> u64 {
    shared
        .site
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
        .map_or(0, |live| live.generation)
}

async fn page(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let site = shared
        .site
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let mut path = uri.path().trim_start_matches('/').to_string();
    if path.is_empty() || path.ends_with('/') {
        path.push_str("index.html");
    }
    let Some(site) = site else {
        let body = with_live_reload(
            b"<!doctype html><title>No site yet</title><h1>The book has errors</h1>",
            0,
        );
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body,
        )
            .into_response();
    };
    let (status, path) = if site.has(&path) {
        (StatusCode::OK, path)
    } else if site.has(&format!("{path}/index.html")) {
        return (
            StatusCode::PERMANENT_REDIRECT,
            [(header::LOCATION, format!("/{path}/"))],
        )
            .into_response();
    } else {
        (StatusCode::NOT_FOUND, "404.html".to_string())
    };
    let generation = site.generation;
    // Rendering a page is CPU work: off the async workers.
    let rendered = tokio::task::spawn_blocking({
        let path = path.clone();
        move || site.file(&path)
    })
    .await;
    let bytes = match rendered {
        Ok(Some(Ok(bytes))) => bytes,
        Ok(Some(Err(error))) => {
            let message = format!(
                "<!doctype html><title>Render error</title><pre>{}</pre>",
                crate::diagram::escape(&format!("{error:#}"))
            );
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                message,
            )
                .into_response();
        }
        _ => return (StatusCode::NOT_FOUND, "not found").into_response(),
    };
    let content_type = content_type(&path);
    let body = if content_type.starts_with("text/html") {
        with_live_reload(&bytes, generation)
    } else {
        bytes
    };
    let mut response = (
        status,
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response();
    if is_gzip(&path) {
        response
            .headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    response
}

fn extension(path: &str) -> String {
    path.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}

/// A compressed SVG is served as the image it holds, as web servers do.
fn is_gzip(path: &str) -> bool {
    extension(path) == "svgz"
}

fn content_type(path: &str) -> &'static str {
    match extension(path).as_str() {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" | "svgz" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "xml" => "application/xml",
        // Files docs link to, shown in the browser as a static host would show them.
        "pdf" => "application/pdf",
        "txt" | "md" | "markdown" | "csv" | "tsv" | "yaml" | "yml" | "toml" | "log" => {
            "text/plain; charset=utf-8"
        }
        _ => "application/octet-stream",
    }
}

const LIVE_RELOAD: &str = include_str!("live-reload.js");

/// The page with the reload script before `</body>`. The script is a file of its own, not
/// inline: the pages' policy lets no inline script run.
fn with_live_reload(html: &[u8], generation: u64) -> Vec<u8> {
    let script = format!(r#"<script src="{LIVE_RELOAD_PATH}?generation={generation}"></script>"#);
    let text = String::from_utf8_lossy(html);
    let injected = match text.rfind("</body>") {
        Some(end) => format!("{}{script}{}", &text[..end], &text[end..]),
        None => format!("{text}{script}"),
    };
    injected.into_bytes()
}

/// Which rebuild the page asking for the reload script was made by.
#[derive(Deserialize)]
struct PageGeneration {
    generation: u64,
}

/// The reload script, given what it needs as arguments rather than globals (which an element
/// with the same id in a doc would shadow), with the problems of the last build.
async fn live_reload_script(
    State(shared): State<Arc<Shared>>,
    Query(page): Query<PageGeneration>,
) -> Response {
    let problems = shared
        .problems
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let script = format!(
        "{}({}, {}, {});\n",
        LIVE_RELOAD.trim_end(),
        script::json(&EVENTS_PATH),
        page.generation,
        script::json(&problems)
    );
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        script,
    )
        .into_response()
}

/// Answers only requests addressed to this server (see [`is_served_host`]), and gives every
/// answer its content security policy and `nosniff`, so no browser takes a file for a type
/// that runs script.
async fn guard(State(served): State<Arc<str>>, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string);
    let mut response = match &host {
        Some(host) if is_served_host(host, &served) => next.run(request).await,
        _ => not_addressed_here(host.as_deref().unwrap_or("")),
    };
    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|t| t.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    let policy = if is_page { PAGE_POLICY } else { FILE_POLICY };
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(policy),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// DNS rebinding: a page elsewhere can point a name it controls at this machine and then read
/// this server as its own site; the browser still sends that name as `Host`. So only names
/// that cannot be someone else's are answered: `localhost` (and `*.localhost`, which browsers
/// keep on this machine), IP addresses (no other site is served under them), and the
/// `--host` given. The port is not compared: a forwarded port reaches the server under
/// another.
fn is_served_host(host: &str, served: &str) -> bool {
    let name = without_port(host).to_ascii_lowercase();
    let name = name.strip_suffix('.').unwrap_or(&name);
    let bare = |n: &str| n.trim_start_matches('[').trim_end_matches(']').to_string();
    name == "localhost"
        || name.ends_with(".localhost")
        || bare(name).parse::<std::net::IpAddr>().is_ok()
        || bare(name) == bare(&served.to_ascii_lowercase())
}

fn without_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host.find(']').map_or(host, |end| &host[..=end]);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

fn not_addressed_here(host: &str) -> Response {
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!(
            "opsbook serve answers requests for localhost, an IP address, or the name given with --host; this one was for `{host}`.\n\
             A web page elsewhere may be trying to read this server under a name of its own (DNS rebinding).\n\
             To preview under another name, start it with `opsbook serve --host <name>`.\n"
        ),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_scratch_files_and_hidden_folders_do_not_rebuild() {
        let (root, out) = (Path::new("/shop"), Path::new("/shop/site"));
        assert!(is_relevant(
            Path::new("/shop/services/a/service.md"),
            root,
            out
        ));
        assert!(is_relevant(Path::new("/shop/book.toml"), root, out));
        assert!(!is_relevant(
            Path::new("/shop/services/a/.service.md.swp"),
            root,
            out
        ));
        assert!(!is_relevant(
            Path::new("/shop/services/a/service.md~"),
            root,
            out
        ));
        assert!(!is_relevant(Path::new("/shop/.git/index"), root, out));
        assert!(!is_relevant(Path::new("/shop/site/index.html"), root, out));
    }

    #[test]
    fn the_reload_script_goes_before_the_end_of_the_body() {
        let html =
            String::from_utf8(with_live_reload(b"<html><body><p>hi</p></body></html>", 7)).unwrap();
        let script = html
            .find(r#"<script src="/__opsbook/live-reload.js?generation=7"></script>"#)
            .unwrap();
        assert!(script > html.find("<p>hi</p>").unwrap() && script < html.find("</body>").unwrap());
    }

    #[test]
    fn only_names_of_this_machine_are_served() {
        for (host, served) in [
            ("localhost:3000", "127.0.0.1"),
            ("LOCALHOST", "127.0.0.1"),
            ("app.localhost:8080", "127.0.0.1"),
            ("127.0.0.1:3000", "127.0.0.1"),
            ("[::1]:3000", "127.0.0.1"),
            ("[::1]", "::1"),
            ("192.168.1.20:3000", "0.0.0.0"),
            ("devbox:3000", "devbox"),
            ("devbox", "DEVBOX"),
        ] {
            assert!(is_served_host(host, served), "{host} for {served}");
        }
        for (host, served) in [
            ("evil.example:3000", "127.0.0.1"),
            ("evil.example", "0.0.0.0"),
            ("localhost.evil.example", "127.0.0.1"),
            ("127.0.0.1.nip.io:3000", "127.0.0.1"),
            ("devbox.evil.example", "devbox"),
            ("", "127.0.0.1"),
        ] {
            assert!(!is_served_host(host, served), "{host} for {served}");
        }
    }
}
