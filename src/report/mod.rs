//! The readiness report's formats: text for terminals, JSON for tools (a versioned
//! contract), Markdown for pull requests and docs, GitHub annotations and SARIF. Each is a
//! pure function of the evaluated book; the report itself is [`crate::evaluate`]'s.

pub mod annotations;
pub mod github;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod snapshot;
pub mod text;

pub use crate::evaluate::report::*;
