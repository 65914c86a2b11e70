//! opsbook: production-readiness docs for every service, as a static site and a CI gate.
//!
//! The pipeline, one module per stage, plain data between them:
//!
//! ```text
//! config::load        book.toml                 -> Config
//! source::find, read Config                    -> SourceFile (Markdown and images)
//! parse::parse        SourceFile                -> ServiceSource | PageSource | AssetSource
//! Catalog::build      parsed files              -> Catalog (services, pages, dependency graph)
//! analysis::analyze   Catalog                   -> Analysis (blast radius, cycles, tier inversions)
//! checklist::load     Config                    -> Checklist (embedded default + the book's own)
//! evaluate::evaluate  Catalog, Analysis, Checklist, today -> Report (pure: no HTML here)
//! site::render        Report, Catalog, Theme    -> SiteFiles (in memory)
//! site::write         SiteFiles                 -> output folder, swapped in atomically
//! ```
//!
//! `build` drives the stages for every command; problems in users' files are collected as
//! `diag::Diagnostic`s along the way, never printed here.

pub mod analysis;
pub mod build;
pub mod catalog;
pub mod checklist;
pub mod cli;
pub mod config;
pub mod deserialize;
pub mod diag;
pub mod diagram;
pub mod evaluate;
pub mod export;
pub mod frontmatter;
pub mod links;
pub mod markdown;
pub mod model;
pub mod parse;
pub mod report;
pub mod scaffold;
#[cfg(feature = "serve")]
pub mod serve;
pub mod site;
pub mod source;
pub mod yaml;
