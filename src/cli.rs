//! The command line: the only place that prints and chooses exit codes.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};

use crate::book::{self, Evaluated};
use crate::build;
use crate::config::SiteUrl;
use crate::diag::{self, Diagnostics, Severity};
use crate::diff;
use crate::export;
use crate::fetch::{self, Network};
use crate::model::Date;
use crate::report;
use crate::scaffold;

const EXIT_CODES: &str = "\
Exit codes:
  0  success (check: every service meets its required level)
  1  check: some service is below its required level
  2  errors: a broken file, bad configuration, or the site could not be written";

/// Production-readiness docs for every service: a static site and a CI gate.
#[derive(Debug, Parser)]
#[command(name = "opsbook", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Build the readiness site of the book in DIR.
    #[command(after_help = EXIT_CODES)]
    Build {
        /// Folder holding book.toml.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Output folder (default: `dir` in the `[output]` table of book.toml, else `book`).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Open the site in a browser when it is built.
        #[arg(long)]
        open: bool,
        /// Where the site is published, e.g. `https://example.github.io/shop/` (default: `site-url` in book.toml).
        #[arg(long, value_parser = parse_site_url)]
        site_url: Option<SiteUrl>,
        /// Replace the output folder even if opsbook did not write it (deleting what is in it).
        #[arg(long)]
        force: bool,
        /// Chart readiness over the last N commits that changed the book (0: none; default: `[history]` in book.toml).
        #[arg(long, value_name = "N")]
        history: Option<usize>,
        #[command(flatten)]
        common: Common,
    },
    /// Print the gap report; exit 1 when some service is below its required level.
    #[command(after_help = EXIT_CODES)]
    Check {
        /// Folder holding book.toml.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Report format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        #[command(flatten)]
        common: Common,
    },
    /// Serve the site with live reload while you edit: rebuilds on every save.
    #[cfg(feature = "serve")]
    #[command(after_help = EXIT_CODES)]
    Serve {
        /// Folder holding book.toml.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Port to listen on (0 picks a free one).
        #[arg(short, long, default_value_t = 3000)]
        port: u16,
        /// Address to listen on; anything but loopback exposes the preview to the network.
        /// Requests are answered only when addressed to localhost, an IP address or this name.
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// Open the site in a browser.
        #[arg(long)]
        open: bool,
        /// Evaluate as of this date (YYYY-MM-DD) instead of today.
        #[arg(long, value_parser = parse_date)]
        today: Option<Date>,
        /// Chart readiness over the last N commits that changed the book (read once, at start).
        #[arg(long, value_name = "N")]
        history: Option<usize>,
    },
    /// Export the dependency graph (or one service's neighbourhood) as DOT, JSON or SVG.
    #[command(after_help = EXIT_CODES)]
    Graph {
        /// Folder holding book.toml.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = GraphFormatArg::Dot)]
        format: GraphFormatArg,
        /// Only this service and its surroundings.
        #[arg(long)]
        service: Option<String>,
        /// Steps of dependencies and dependents around --service (default: the `[diagrams]` table of book.toml).
        #[arg(long, requires = "service")]
        depth: Option<usize>,
        #[command(flatten)]
        common: Common,
    },
    /// Compare readiness between two reports or revisions: levels, checks, services, dependencies, waivers.
    #[command(after_help = DIFF_HELP)]
    Diff {
        /// The old side: a JSON report file, or a git revision of the book's repository (`origin/main`).
        old: String,
        /// The new side: a JSON report file, or a git revision (`HEAD`).
        new: String,
        /// Folder holding book.toml, inside the repository whose revisions are named.
        #[arg(long, default_value = ".")]
        book: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
        format: DiffFormat,
        /// Exit 1 when this happens (by default the diff only informs and exits 0).
        #[arg(long, value_enum)]
        fail_on: Option<FailOn>,
        /// Evaluate revisions as of this date (YYYY-MM-DD) instead of today.
        #[arg(long, value_parser = parse_date)]
        today: Option<Date>,
    },
    /// Fetch every git source of the book into its cache (builds fetch what they miss).
    #[command(after_help = EXIT_CODES)]
    Fetch {
        /// Folder holding book.toml.
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Create a book.toml and one service doc, ready to build.
    #[command(after_help = EXIT_CODES)]
    Init {
        /// Folder to create the book in.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Also write a GitHub Actions workflow that publishes the site on GitHub Pages.
        #[arg(long)]
        github_pages: bool,
    },
    /// Write a new service doc with every checklist field as a commented TODO.
    #[command(after_help = EXIT_CODES)]
    New {
        /// The service id: lowercase letters, digits and '-'.
        service: String,
        /// Folder to create `<service>/service.md` in (default: the book's first source folder).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Explain a problem code (`OB0103`, as in `error[OB0103]`): an example and the fix.
    Explain {
        /// The code, or its name (`book-unknown-key`); without one, lists every code.
        code: Option<String>,
    },
}

#[derive(Debug, clap::Args)]
pub(crate) struct Common {
    /// Treat warnings as errors.
    #[arg(long)]
    pub(crate) deny_warnings: bool,
    /// Build git sources from the cache alone, without the network.
    #[arg(long)]
    pub(crate) offline: bool,
    /// When a git source cannot be fetched, build from its cached copy (the pages say how old).
    #[arg(long, conflicts_with = "offline")]
    pub(crate) allow_stale: bool,
    /// Evaluate as of this date (YYYY-MM-DD) instead of today, for reproducible reports.
    #[arg(long, value_parser = parse_date)]
    pub(crate) today: Option<Date>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// For people at a terminal.
    Text,
    /// The JSON contract, version 1 (docs/json-report.md).
    Json,
    /// For a pull request comment or a docs folder.
    Markdown,
    /// GitHub Actions workflow commands: each gap annotated on its line of the pull request.
    Github,
    /// SARIF 2.1.0, for code-scanning upload (rules are the checks).
    Sarif,
}

/// How `opsbook diff` prints (its own list: the check command's formats are not diffs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DiffFormat {
    /// For people at a terminal.
    Text,
    /// The diff contract, version 1 (docs/diff.md).
    Json,
    /// A pull-request comment: the verdict first, long lists folded.
    Markdown,
}

/// What makes `opsbook diff` fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum FailOn {
    /// A service met its required level and no longer does, or a new service arrives below it.
    NewlyBelowRequired,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum GraphFormatArg {
    /// Graphviz DOT, with levels as tooltips and page links.
    Dot,
    /// Nodes and edges as JSON.
    Json,
    /// A standalone SVG drawing.
    Svg,
}

const DIFF_HELP: &str = "\
A side that names an existing file is read as a JSON report (`opsbook check --format json`,
or a site's readiness.json); anything else is a git revision of the repository holding the
book, evaluated from git's objects without touching the working tree or the index. Both
revisions are evaluated as of the same day (--today), so the diff shows what the commits
changed. See docs/diff.md.

Exit codes:
  0  the diff was printed (and, with --fail-on, nothing it names happened)
  1  --fail-on newly-below-required: some service is newly below its required level
  2  errors: a side is neither a readable report nor a revision";

fn parse_date(text: &str) -> Result<Date, String> {
    text.parse()
}

fn parse_site_url(text: &str) -> Result<SiteUrl, String> {
    SiteUrl::try_from(text.to_string())
}

pub(crate) const EXIT_OK: i32 = 0;
pub(crate) const EXIT_BELOW_REQUIRED: i32 = 1;
pub(crate) const EXIT_ERROR: i32 = 2;

/// Runs a command and returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Build {
            dir,
            output,
            open,
            site_url,
            force,
            history,
            common,
        } => {
            let options = build::BuildOptions {
                output,
                site_url,
                force,
                deny_warnings: common.deny_warnings,
                network: network(&common),
                history,
            };
            run_build(&dir, &options, open, &common)
        }
        Command::Check {
            dir,
            format,
            common,
        } => run_check(&dir, format, &common),
        Command::Graph {
            dir,
            format,
            service,
            depth,
            common,
        } => run_graph(&dir, format, export::Selection { service, depth }, &common),
        #[cfg(feature = "serve")]
        Command::Serve {
            dir,
            port,
            host,
            open,
            today,
            history,
        } => {
            match crate::serve::serve(crate::serve::Options {
                dir,
                host,
                port,
                open,
                today,
                history,
            }) {
                Ok(()) => EXIT_OK,
                Err(error) => {
                    eprintln!("error: {error:#}");
                    EXIT_ERROR
                }
            }
        }
        Command::Diff {
            old,
            new,
            book,
            format,
            fail_on,
            today,
        } => run_diff(&[old, new], &book, format, fail_on, today),
        Command::Fetch { dir } => {
            let diagnostics = fetch::refresh(&dir);
            print_diagnostics(&diagnostics);
            if diagnostics.has_errors() {
                EXIT_ERROR
            } else {
                EXIT_OK
            }
        }
        Command::Init { dir, github_pages } => report_result(scaffold::init(&dir, github_pages)),
        Command::New { service, dir } => {
            report_result(scaffold::new_service(&service, dir.as_deref()))
        }
        Command::Explain { code } => explain(code.as_deref()),
    }
}

fn explain(code: Option<&str>) -> i32 {
    let Some(text) = code else {
        print!("{}", diag::code_list());
        return EXIT_OK;
    };
    match diag::explanation(text) {
        Some(explanation) => {
            println!("{explanation}");
            EXIT_OK
        }
        None => {
            eprintln!(
                "error: `{}` is not a code opsbook uses\n  help: codes look like `OB0103`; `opsbook explain` lists them all",
                diag::shown(text)
            );
            EXIT_ERROR
        }
    }
}

fn network(common: &Common) -> Network {
    if common.offline {
        Network::Offline
    } else if common.allow_stale {
        Network::AllowStale
    } else {
        Network::Fetch
    }
}

fn today(common: &Common) -> Date {
    common
        .today
        .unwrap_or_else(|| Date(jiff::Zoned::now().date()))
}

fn run_build(dir: &Path, options: &build::BuildOptions, open: bool, common: &Common) -> i32 {
    let built = match build::build_book(dir, today(common), options) {
        Ok(built) => built,
        Err(error) => {
            eprintln!("error: {error:#}");
            eprintln!("the previous site, if any, was left as it was");
            return EXIT_ERROR;
        }
    };
    print_diagnostics(&built.diagnostics);
    let Some(out_dir) = built.written_to else {
        eprintln!("build failed: nothing was written; the previous site, if any, is unchanged");
        return EXIT_ERROR;
    };
    let summary = &built.summary;
    let (done, why) = if built.up_to_date {
        ("up to date:", "; nothing they are made from has changed")
    } else {
        ("built", "")
    };
    eprintln!(
        "{done} {} pages for {} services ({} meet their required level), {} of them general pages outside services, in {}{why}",
        built.pages,
        summary.services,
        summary.meeting_required,
        built.general_pages,
        out_dir.display()
    );
    if open {
        let index = out_dir.join("index.html");
        if let Err(error) = open::that_detached(&index) {
            eprintln!(
                "could not open a browser ({error}); open {} yourself",
                index.display()
            );
        }
    }
    EXIT_OK
}

fn run_check(dir: &Path, format: Format, common: &Common) -> i32 {
    let evaluated = book::evaluate_book(dir, today(common), network(common));
    print_diagnostics(&evaluated.diagnostics);
    eprintln!("{}", pages_read(&evaluated.catalog));
    let output = render_report(&evaluated, format);
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(output.as_bytes())
        .and_then(|_| stdout.flush())
        .is_err()
    {
        return EXIT_ERROR;
    }
    let diagnostics = &evaluated.diagnostics;
    if diagnostics.has_errors() || (common.deny_warnings && !diagnostics.is_empty()) {
        EXIT_ERROR
    } else if evaluated.report.all_meet_required() {
        EXIT_OK
    } else {
        EXIT_BELOW_REQUIRED
    }
}

/// What `check` read: its services, their pages, and the pages outside services.
fn pages_read(catalog: &crate::catalog::Catalog) -> String {
    let service_pages: usize = catalog.services.iter().map(|s| s.pages.len()).sum();
    format!(
        "read {} with {} of their own, and {} outside services",
        counted(catalog.services.len(), "service doc"),
        counted(service_pages, "page"),
        counted(catalog.general.pages.len(), "general page")
    )
}

/// `1 page`, `2 pages`.
fn counted(count: usize, thing: &str) -> String {
    match count {
        1 => format!("1 {thing}"),
        _ => format!("{count} {thing}s"),
    }
}

fn run_graph(
    dir: &Path,
    format: GraphFormatArg,
    selection: export::Selection,
    common: &Common,
) -> i32 {
    let evaluated = book::evaluate_book(dir, today(common), network(common));
    print_diagnostics(&evaluated.diagnostics);
    if evaluated.diagnostics.has_errors() {
        return EXIT_ERROR;
    }
    let format = match format {
        GraphFormatArg::Dot => export::GraphFormat::Dot,
        GraphFormatArg::Json => export::GraphFormat::Json,
        GraphFormatArg::Svg => export::GraphFormat::Svg,
    };
    match export::export(&evaluated, format, &selection) {
        Ok(text) => {
            print!("{text}");
            EXIT_OK
        }
        Err(message) => {
            eprintln!("error: {message}");
            EXIT_ERROR
        }
    }
}

fn run_diff(
    sides: &[String; 2],
    book: &Path,
    format: DiffFormat,
    fail_on: Option<FailOn>,
    today: Option<Date>,
) -> i32 {
    let today = today.unwrap_or_else(|| Date(jiff::Zoned::now().date()));
    let mut inputs = Vec::with_capacity(2);
    for arg in sides {
        match diff::input::read(arg, book, today) {
            Ok(input) => inputs.push(input),
            Err(problem) => {
                eprintln!("error: {problem}");
                eprintln!(
                    "  help: give a report file (`opsbook check --format json > old.json`) or a branch, tag or commit; in CI, check out with full history (fetch-depth: 0)"
                );
                return EXIT_ERROR;
            }
        }
    }
    let [old, new]: [diff::input::Input; 2] = match inputs.try_into() {
        Ok(both) => both,
        Err(_) => return EXIT_ERROR,
    };
    for input in [&old, &new] {
        if !input.diagnostics.is_empty() {
            eprintln!("in the book at {}:", input.side.label);
            print_diagnostics(&input.diagnostics);
        }
    }
    let compared = diff::diff(old.side, &old.snapshot, new.side, &new.snapshot);
    let output = match format {
        DiffFormat::Text => diff::text::render(&compared),
        DiffFormat::Markdown => diff::markdown::render(&compared),
        DiffFormat::Json => diff::render_json(&compared),
    };
    if write_stdout(&output).is_err() {
        return EXIT_ERROR;
    }
    match fail_on {
        Some(FailOn::NewlyBelowRequired) if !compared.newly_below_required.is_empty() => {
            EXIT_BELOW_REQUIRED
        }
        _ => EXIT_OK,
    }
}

fn write_stdout(text: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()
}

fn render_report(evaluated: &Evaluated, format: Format) -> String {
    match format {
        Format::Text => report::text::render(evaluated),
        Format::Markdown => report::markdown::render(evaluated),
        Format::Json => report::json::render(&report::json::build(evaluated)),
        Format::Github => report::github::render(evaluated, &workspace(evaluated)),
        Format::Sarif => report::sarif::render(evaluated, &workspace(evaluated)),
    }
}

fn workspace(evaluated: &Evaluated) -> report::annotations::Workspace {
    report::annotations::Workspace::find(&evaluated.config.root)
}

/// Every diagnostic on stderr, then a count.
fn print_diagnostics(diagnostics: &Diagnostics) {
    for diagnostic in diagnostics.sorted() {
        eprintln!("{diagnostic}");
    }
    let errors = diagnostics.count(Severity::Error);
    let warnings = diagnostics.count(Severity::Warning);
    if errors + warnings > 0 {
        eprintln!("{errors} error(s), {warnings} warning(s)");
    }
}

fn report_result(result: anyhow::Result<Vec<PathBuf>>) -> i32 {
    match result {
        Ok(created) => {
            for path in created {
                eprintln!("created {}", path.display());
            }
            EXIT_OK
        }
        Err(error) => {
            eprintln!("error: {error:#}");
            EXIT_ERROR
        }
    }
}
