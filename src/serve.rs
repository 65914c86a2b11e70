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
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use notify_debouncer_full::notify::RecursiveMode;
use notify_debouncer_full::notify::event::EventKind;
use serde::Serialize;
use tokio::sync::broadcast;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use crate::build::{self, Caches, Evaluated, Prepared};
use crate::config::SiteUrl;
use crate::diag::Diagnostics;
use crate::fetch::Network;
use crate::history::{self, History};
use crate::model::Date;
use crate::report::json::{self, JsonProblem};
use crate::site::drawings::Drawings;
use crate::site::render::Site;
use crate::site::theme::Theme;

/// Where the reload script listens.
pub const EVENTS_PATH: &str = "/__opsbook/events";

#[derive(Debug, Clone)]
pub struct Options {
    pub dir: PathBuf,
    pub host: String,
    /// 0 picks a free port.
    pub port: u16,
    pub open: bool,
    pub today: Option<Date>,
    /// `--history N`: chart the last N commits (0: none), instead of book.toml's `[history]`.
    pub history: Option<usize>,
}

/// What the browser is told after a rebuild.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Message {
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
pub fn serve(options: Options) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the server")?;
    runtime.block_on(run(options))
}

async fn run(options: Options) -> Result<()> {
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
    let app = Router::new()
        .route(EVENTS_PATH, get(events_stream))
        .fallback(get(page))
        .with_state(Arc::clone(&shared));
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
    caches.network = Network::Offline;
    // The preview is served from the root, wherever the book says it will be published.
    evaluated.config.site_url = SiteUrl::default();
    drop(caches);
    print_problems(&evaluated.diagnostics);
    let problems = json::problems(&evaluated.diagnostics)
        .into_iter()
        .filter(|p| p.severity == crate::diag::Severity::Error)
        .collect::<Vec<_>>();
    let generation = {
        let mut generation = shared.generation.write().unwrap_or_else(|e| e.into_inner());
        *generation += 1;
        *generation
    };
    let watch = Watch {
        paths: watched_paths(&evaluated.config),
        output: evaluated.config.output_dir.clone(),
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
    mut watched: Watch,
) -> Result<std::thread::JoinHandle<()>> {
    let (sender, receiver) = std::sync::mpsc::channel();
    let mut debouncer = notify_debouncer_full::new_debouncer(DEBOUNCE, None, sender)
        .context("cannot watch the book's files")?;
    for path in &watched.paths {
        debouncer
            .watch(path, RecursiveMode::Recursive)
            .with_context(|| format!("cannot watch {}", path.display()))?;
    }
    let root = options
        .dir
        .canonicalize()
        .unwrap_or_else(|_| options.dir.clone());
    let handle = std::thread::spawn(move || {
        for result in receiver {
            let Ok(events) = result else { continue };
            // Reading the files to rebuild is itself an event (access); only changes count.
            let changed: Vec<PathBuf> = events
                .iter()
                .filter(|e| !e.kind.is_access() && !e.kind.is_other())
                .flat_map(|e| e.paths.iter())
                .filter(|p| is_relevant(p, &root, &watched.output))
                .cloned()
                .collect();
            if changed.is_empty() {
                continue;
            }
            // The watcher missed events (its queue overflowed): only a new walk can tell.
            let rescan = events
                .iter()
                .any(|e| e.need_rescan() || e.kind == EventKind::Any);
            let anything_changed = shared
                .caches
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .note_changes(&changed, rescan);
            if !anything_changed {
                continue;
            }
            match rebuild(&shared, &options) {
                // book.toml may have moved the sources: follow them.
                Ok(now) => {
                    for path in now.paths.iter().filter(|p| !watched.paths.contains(p)) {
                        let _ = debouncer.watch(path, RecursiveMode::Recursive);
                    }
                    watched = now;
                }
                Err(error) => eprintln!("error: {error:#}"),
            }
        }
    });
    Ok(handle)
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
    let problems = shared
        .problems
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
            &problems,
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
        with_live_reload(&bytes, &problems, generation)
    } else {
        bytes
    };
    (
        status,
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, e)| e) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("xml") => "application/xml",
        _ => "application/octet-stream",
    }
}

const LIVE_RELOAD: &str = include_str!("live-reload.js");

/// The page with the reload script (and the current problems) before `</body>`.
fn with_live_reload(html: &[u8], problems: &[JsonProblem], generation: u64) -> Vec<u8> {
    let problems = serde_json::to_string(problems)
        .unwrap_or_else(|_| "[]".into())
        .replace("</", "<\\/");
    let script = format!(
        "<script>window.OPSBOOK_EVENTS={EVENTS_PATH:?};window.OPSBOOK_GENERATION={generation};window.OPSBOOK_PROBLEMS={problems};\n{LIVE_RELOAD}</script>"
    );
    let text = String::from_utf8_lossy(html);
    let injected = match text.rfind("</body>") {
        Some(end) => format!("{}{script}{}", &text[..end], &text[end..]),
        None => format!("{text}{script}"),
    };
    injected.into_bytes()
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
        let html = String::from_utf8(with_live_reload(
            b"<html><body><p>hi</p></body></html>",
            &[],
            7,
        ))
        .unwrap();
        let script = html.find("<script>").unwrap();
        assert!(script > html.find("<p>hi</p>").unwrap() && script < html.find("</body>").unwrap());
        assert!(html.contains("window.OPSBOOK_PROBLEMS=[]"));
        assert!(html.contains("window.OPSBOOK_GENERATION=7"));
    }
}
