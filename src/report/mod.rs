//! The readiness report's formats: text for terminals, JSON for tools (a versioned
//! contract), Markdown for pull requests and docs, GitHub annotations and SARIF. Each is a
//! pure function of the evaluated book; the report itself is [`crate::evaluate`]'s.

pub(crate) mod annotations;
pub(crate) mod github;
pub(crate) mod json;
pub(crate) mod markdown;
pub(crate) mod sarif;
pub(crate) mod snapshot;
pub(crate) mod text;

pub(crate) use crate::evaluate::report::*;
