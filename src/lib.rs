//! opsbook: production-readiness docs for every service, as a static site and a CI gate.
//!
//! The pipeline, one module per stage, plain data between them (docs/architecture.md is the
//! map):
//!
//! ```text
//! config::load         book.toml                  -> Config
//! fetch::fetch_sources Config                     -> git sources checked out in the cache
//! source::find, read   Config                     -> SourceFile (Markdown, images, other files)
//! parse::parse         SourceFile                 -> ServiceSource | PageSource | AssetSource
//! asset_policy::admit  a file's name and bytes    -> published as is, rewritten (SVG), or refused
//! import::read         a file of another tool     -> Foreign (a Backstage catalog, Datadog records)
//! import::into_services parsed docs, Foreign      -> ServiceSource (merged with docs of the same id)
//! Catalog::build       parsed files               -> Catalog (services, their pages, general pages,
//!                                                    dependency graph; links checked)
//! analysis::analyze    Catalog                    -> Analysis (blast radius, cycles, tier inversions)
//! checklist::load      Config                     -> Checklist (embedded default + the book's own)
//! evaluate::evaluate   Catalog, Analysis, Checklist, today -> Report (pure: no HTML here)
//! book::evaluate_book  a book's folder            -> Evaluated (every stage above, in order)
//! site::render         Evaluated, Theme           -> each file of the site, written as rendered
//! site::links          every page's links         -> dead links, before anything is published
//! site::write          files                      -> output folder, swapped in atomically
//! ```
//!
//! Beside the pipeline, comparisons over time read reports back through the JSON contract
//! (`report::snapshot`): `revision` evaluates the book at a git commit without touching the
//! working tree, `diff` compares two reports (a pure function; its formats too).
//!
//! `book` runs the stages up to the report for every command, `build` the site's; problems in
//! users' files are collected as `diag::Diagnostic`s along the way, never printed here.

pub mod analysis;
pub mod asset_policy;
pub mod book;
pub mod build;
pub mod catalog;
pub mod checklist;
pub mod cli;
pub mod config;
pub mod deserialize;
pub mod diag;
pub mod diagram;
pub mod diff;
pub mod evaluate;
pub mod export;
pub mod fetch;
pub mod fingerprint;
pub mod git;
pub mod history;
pub mod import;
pub mod links;
pub mod markdown;
pub mod model;
pub mod nesting;
pub mod parse;
pub mod report;
pub mod revision;
pub mod scaffold;
#[cfg(feature = "serve")]
pub mod serve;
pub mod site;
pub mod source;

/// Runs `work` on a thread with the smallest stack an opsbook thread has: 2 MiB, what Rust
/// gives the threads it spawns (`serve`'s file watcher) and rayon's and tokio's workers take
/// too (none of them asks for another size). The main thread has 8 MiB on Linux.
#[cfg(test)]
pub(crate) fn on_smallest_stack<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(work)
        .expect("a thread starts")
        .join()
        .expect("the work does not panic")
}
