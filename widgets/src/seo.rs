//! The fallback for search engines: when the shop's server did not put review JSON-LD in the
//! page (see README, "Reviews in search results"), the widget adds the edge's schema.org
//! `Product` JSON-LD for the product it shows. The edge escapes it so no review text can close
//! the script element, and it is set as text, never parsed as HTML. It runs in the questions'
//! part (`reviews::show_questions`), fetched with the list's first page: only that part calls it,
//! so its code is not in the module every shopper downloads first.

use crate::api;

thread_local! {
    static ASKED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Adds the JSON-LD from `url` (the edge's `…/reviews.jsonld`) unless the page already has
/// review markup of its own.
pub async fn add_jsonld_unless_present(url: String) {
    // Once per page: the list calls it with each first page (a new order, a new filter).
    if ASKED.with(|asked| asked.replace(true)) {
        return;
    }
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let present = document
        .query_selector_all("script[type='application/ld+json']")
        .ok()
        .is_some_and(|scripts| {
            (0..scripts.length()).any(|i| {
                scripts
                    .item(i)
                    .and_then(|s| s.text_content())
                    .is_some_and(|t| t.contains("AggregateRating"))
            })
        });
    if present {
        return;
    }
    let Ok(answer) = api::get(&url).await else {
        return;
    };
    if answer.status != 200 || answer.text.is_empty() {
        return;
    }
    let Ok(script) = document.create_element("script") else {
        return;
    };
    let _ = script.set_attribute("type", "application/ld+json");
    let _ = script.set_attribute("data-memnun", "jsonld");
    script.set_text_content(Some(&answer.text));
    if let Some(head) = document.head() {
        let _ = head.append_child(&script);
    }
}

/// The product's name as the page shows it: the placeholder's `data-product-name`, else the
/// page's `og:title`, else its title.
pub fn product_name(data_name: Option<String>) -> String {
    let document = web_sys::window().and_then(|w| w.document());
    data_name
        .filter(|n| !n.trim().is_empty())
        .or_else(|| {
            document
                .as_ref()?
                .query_selector("meta[property='og:title']")
                .ok()??
                .get_attribute("content")
        })
        .or_else(|| document.map(|d| d.title()))
        .unwrap_or_default()
}
