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
//! - `readiness.json`: the JSON report (contract v1); `graph.json`: the dependency graph
//! - `badges/<id>.svg`: a service's level against its required level, for its README
//! - `sitemap.xml` (when `site-url` is a full URL) and `.nojekyll` (so GitHub Pages publishes
//!   the files as they are)
//! - `search-index.js`: the search index, read by the theme's `search.js`
//! - `assets/`: the theme's CSS, JavaScript and favicon

pub(crate) mod badge;
pub(crate) mod drawings;
pub(crate) mod history;
pub(crate) mod links;
pub(crate) mod render;
pub(crate) mod script;
pub(crate) mod search;
pub(crate) mod sitemap;
pub(crate) mod theme;
pub(crate) mod url;
pub(crate) mod view;
pub(crate) mod write;
