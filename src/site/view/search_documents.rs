//! What the search index holds: services, their pages, general pages, checks and teams.

use crate::book::Evaluated;
use crate::markdown;
use crate::report::ServiceReport;
use crate::site::search;
use crate::site::url::{self, SourceMap};
use rayon::prelude::*;
use std::collections::BTreeMap;

use super::*;

/// What the search box can find: every service (with its doc's text), every extra page,
/// check and team, in that order. Services are read in parallel: stripping every doc's
/// Markdown is most of the cost.
pub(crate) fn search_documents(
    evaluated: &Evaluated,
    sources: &SourceMap,
) -> Vec<search::Document> {
    let per_service: Vec<Vec<search::Document>> = evaluated
        .report
        .services
        .par_iter()
        .map(|report| service_documents(evaluated, report))
        .collect();
    let mut documents: Vec<search::Document> = per_service.into_iter().flatten().collect();
    documents.extend(
        evaluated
            .checklist
            .checks
            .iter()
            .map(|check| search::Document {
                kind: search::Kind::Check,
                title: check.title.clone(),
                url: format!("checks/index.html#{}", check.id),
                context: check.id.clone(),
                keywords: format!("{} {} {}", check.id, check.category, check.level.as_str()),
                body: check.why.clone(),
            }),
    );
    let mut teams: BTreeMap<&str, usize> = BTreeMap::new();
    for service in &evaluated.catalog.services {
        *teams
            .entry(team_of(&service.source.doc).unwrap_or(NO_TEAM))
            .or_default() += 1;
    }
    documents.extend(teams.into_iter().map(|(name, count)| search::Document {
        kind: search::Kind::Team,
        title: name.to_string(),
        url: format!("teams/index.html#{}", team_anchor(name)),
        context: format!("{count} service{}", if count == 1 { "" } else { "s" }),
        keywords: String::new(),
        body: String::new(),
    }));
    documents.extend(general_documents(evaluated, sources));
    documents
}

/// The book's general pages, as search documents: each under the folder that holds it.
pub(crate) fn general_documents(
    evaluated: &Evaluated,
    sources: &SourceMap,
) -> Vec<search::Document> {
    let general = &evaluated.catalog.general;
    general
        .pages
        .par_iter()
        .filter_map(|page| {
            let origin = &page.origin;
            Some(search::Document {
                kind: search::Kind::Page,
                title: page.title().to_string(),
                url: sources
                    .output(origin.source_index, &origin.relative)?
                    .to_string(),
                context: general
                    .folder_title(origin.source_index, origin.folder())
                    .to_string(),
                keywords: origin.relative.clone(),
                body: markdown::plain_text(&page.body),
            })
        })
        .collect()
}

/// A service and its extra pages, as search documents.
pub(crate) fn service_documents(
    evaluated: &Evaluated,
    report: &ServiceReport,
) -> Vec<search::Document> {
    let service = &evaluated.catalog.services[report.service];
    let doc = &service.source.doc;
    let id = doc.service.as_str();
    let title = doc.title_or_id();
    let team = team_of(doc).unwrap_or(NO_TEAM);
    let mut keywords = vec![
        team.to_string(),
        format!("tier {}", doc.tier_or_default().number()),
        doc.kind.as_str().to_string(),
    ];
    keywords.extend(doc.system.clone());
    keywords.extend(doc.description.clone());
    if report.assessed {
        keywords.push(report.level.as_str().to_string());
    }
    keywords.extend(doc.contacts.iter().flatten().map(|c| c.name.clone()));
    let mut documents = vec![search::Document {
        kind: search::Kind::Service,
        title: title.to_string(),
        url: url::service_page(id),
        context: team.to_string(),
        keywords: format!("{id} {}", keywords.join(" ")),
        body: markdown::plain_text(&service.source.body),
    }];
    documents.extend(service.pages.iter().map(|page| search::Document {
        kind: search::Kind::Page,
        title: page.source.title().to_string(),
        url: url::service_file(id, &page.path_in_service),
        context: title.to_string(),
        keywords: format!("{id} {title} {}", page.path_in_service),
        body: markdown::plain_text(&page.source.body),
    }));
    documents
}
