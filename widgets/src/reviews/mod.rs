//! The reviews widget (`data-memnun="reviews"`): a product's rating summary, its published
//! reviews newest first with "show more", and the form to write one.

mod form;
mod list;

use crate::api::Api;
use crate::i18n::Locale;
use leptos::prelude::*;

pub use list::ReviewList;

#[component]
pub fn ReviewsWidget(api: Api, locale: Locale, product: String) -> impl IntoView {
    let s = locale.strings();
    let list_url = api.shop_url(&format!("products/{product}/reviews"));
    let create_url = api.shop_url("reviews");
    // Bumped after a review is accepted, so the list loads its first page again.
    let refresh = RwSignal::new(0u32);
    // The form shows once the first page has loaded (or failed): shown earlier, it would be
    // pushed down as the reviews arrive above it, a layout shift the shopper sees. Hidden by a
    // class rather than rendered later, which would cost ~4 KB of wasm.
    let settled = RwSignal::new(false);
    view! {
        <section class="memnun-reviews" aria-labelledby="memnun-reviews-heading">
            <h2 id="memnun-reviews-heading">{s.heading}</h2>
            <ReviewList url=list_url locale=locale refresh=refresh settled=settled />
            <form::ReviewForm url=create_url product=product locale=locale settled=settled on_accepted=move || refresh.update(|n| *n += 1) />
        </section>
    }
}
