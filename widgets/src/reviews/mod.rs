//! The reviews widget (`data-memnun="reviews"`): a product's rating summary, its published
//! reviews with sorting, a star filter and "show more", votes and reports, and the form to
//! write one (verified when opened from the shop's review link).

mod form;
mod list;

use crate::api::Api;
use crate::i18n::Locale;
use leptos::prelude::*;

pub use list::{ListUrls, ReviewList};

#[component]
pub fn ReviewsWidget(
    api: Api,
    locale: Locale,
    product: String,
    product_name: String,
    token: Option<String>,
) -> impl IntoView {
    let s = locale.strings();
    let name = String::from(js_sys::encode_uri_component(&product_name));
    let urls = ListUrls {
        page: api.shop_url(&format!("products/{product}/reviews")),
        feedback: api.shop_url("reviews/"),
        jsonld: api.shop_url(&format!("products/{product}/reviews.jsonld?name={name}")),
    };
    let create_url = api.shop_url("reviews");
    // Bumped after a review is accepted, so the list loads its first page again.
    let refresh = RwSignal::new(0u32);
    // The form, the controls and the notice show once the first page has loaded (or failed):
    // shown earlier, they would be pushed down as the reviews arrive above them, a layout shift
    // the shopper sees. One class on the section hides them all (style.rs): rendering them later
    // would cost ~4 KB of wasm, and a binding per element more than one.
    let settled = RwSignal::new(false);
    view! {
        <section
            class="memnun-reviews"
            class:settled=move || settled.get()
            aria-labelledby="memnun-reviews-heading"
        >
            <h2 id="memnun-reviews-heading">{s.heading}</h2>
            <ReviewList urls=urls locale=locale refresh=refresh settled=settled />
            <form::ReviewForm url=create_url product=product token=token locale=locale on_accepted=move || refresh.update(|n| *n += 1) />
        </section>
    }
}
