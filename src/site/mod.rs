//! The site: render the evaluated book through the theme into files in memory, then write
//! them atomically.
//!
//! URL scheme (stable: people link to these from READMEs and dashboards):
//! - `index.html`: the organisation at a glance
//! - `services/<id>/index.html`: a service's readiness doc and gap report
//! - `services/<id>/<path>.html`: its extra pages, at their path below the service doc's
//!   folder (`.md` becomes `.html`); images beside them keep their path
//! - `checks/index.html#<check-id>`, `teams/index.html#team-<team>`, `gaps/index.html`
//! - `graph/index.html` (the dependency graph, risk ranking), `systems/<system>/index.html`
//! - `404.html`
//! - `readiness.json`: the JSON report (contract v1)
//! - `assets/`: the theme's CSS and JavaScript

pub mod drawings;
pub mod links;
pub mod render;
pub mod theme;
pub mod url;
pub mod view;
pub mod write;

use std::collections::BTreeMap;

/// The generated site: path relative to the output folder -> contents.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SiteFiles {
    pub files: BTreeMap<String, Vec<u8>>,
}

impl SiteFiles {
    pub fn insert(&mut self, path: impl Into<String>, bytes: impl Into<Vec<u8>>) {
        self.files.insert(path.into(), bytes.into());
    }

    pub fn page_count(&self) -> usize {
        self.files.keys().filter(|p| p.ends_with(".html")).count()
    }
}
