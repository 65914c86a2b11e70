//! Sitemap: `sitemap.xml`, every page's absolute URL for search engines. Written only when
//! book.toml's `site-url` is a full URL, since a sitemap may not hold relative ones.

use crate::diagram::escape;

/// The sitemap of the HTML pages among `paths` (the 404 page is not a page to index), with
/// `index.html` pages as their folder's URL.
pub(crate) fn sitemap<'a>(site_url: &str, paths: impl IntoIterator<Item = &'a String>) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for path in paths {
        if !path.ends_with(".html") || path == "404.html" {
            continue;
        }
        let page = match path.strip_suffix("index.html") {
            Some(folder) if folder.is_empty() || folder.ends_with('/') => folder,
            _ => path,
        };
        xml.push_str(&format!(
            "  <url><loc>{}</loc></url>\n",
            escape(&format!("{site_url}{page}"))
        ));
    }
    xml.push_str("</urlset>\n");
    xml
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_pages_by_absolute_url_without_the_404_page_or_other_files() {
        let paths = [
            "index.html",
            "services/a/index.html",
            "services/a/run & fix.html",
            "services/a/reindex.html",
            "404.html",
            "readiness.json",
        ]
        .map(String::from);
        let xml = sitemap("https://example.github.io/shop/", &paths);
        assert!(xml.contains("<loc>https://example.github.io/shop/</loc>"));
        assert!(xml.contains("<loc>https://example.github.io/shop/services/a/</loc>"));
        assert!(
            xml.contains("<loc>https://example.github.io/shop/services/a/run &amp; fix.html</loc>")
        );
        assert!(xml.contains("<loc>https://example.github.io/shop/services/a/reindex.html</loc>"));
        assert!(!xml.contains("404") && !xml.contains("readiness.json"));
    }
}
