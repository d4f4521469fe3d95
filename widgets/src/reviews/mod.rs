//! The reviews widget (`data-memnun="reviews"`): a product's rating summary, its published
//! reviews with sorting, a star filter and "show more", votes and reports, and the form to
//! write one (verified when opened from the shop's review link), whose code is a part fetched
//! when the shopper asks for it.

mod form;
mod gallery;
mod list;
mod photo_upload;
mod questions;

use crate::api::Api;
use crate::i18n::Locale;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos::wasm_split::SplitLoaderError;
use wasm_bindgen::JsCast;

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
    // Bumped after a review is accepted, so the list loads its first page again.
    let refresh = RwSignal::new(0u32);
    // "Write a review" (or the form), the controls and the notice show once the first page has
    // loaded (or failed): shown earlier, they would be pushed down as the reviews arrive above
    // them, a layout shift the shopper sees. One class on the section hides them all (style.rs): rendering them later
    // would cost ~4 KB of wasm, and a binding per element more than one.
    let settled = RwSignal::new(false);
    let form = RwSignal::new(FormState::Closed);
    let slot = NodeRef::<leptos::html::Div>::new();
    // A shopper who came from the shop's review link came to write: the form opens by itself.
    let opens_at_once = token.is_some();
    let part = StoredValue::new(form::Part {
        url: api.shop_url("reviews"),
        product,
        token,
        locale,
        refresh,
    });
    let open = move |focus: bool| {
        if matches!(form.get_untracked(), FormState::Loading | FormState::Open) {
            return;
        }
        form.set(FormState::Loading);
        spawn_local(async move {
            let Some(slot) = slot.get_untracked() else {
                form.set(FormState::Failed);
                return;
            };
            let slot: web_sys::HtmlElement = (*slot).clone();
            if show_form(slot.clone(), part.get_value()).await.is_err() {
                // Not kept: the next press fetches the part again.
                form.set(FormState::Failed);
                return;
            }
            form.set(FormState::Open);
            if focus {
                // The button the shopper pressed is gone: keyboard focus moves to the first
                // choice of the form, not back to the top of the page.
                if let Ok(Some(first)) = slot.query_selector("input[name=rating]:checked")
                    && let Ok(first) = first.dyn_into::<web_sys::HtmlElement>()
                {
                    let _ = first.focus();
                }
            }
        });
    };
    if opens_at_once {
        open(false);
    }
    // Fetched as soon as the shopper heads for the button, so a press rarely waits.
    let prefetch = move || {
        spawn_local(async move {
            let _ = preload_review_form().await;
        })
    };
    view! {
        <section
            class="memnun-reviews"
            class:settled=move || settled.get()
            aria-labelledby="memnun-reviews-heading"
        >
            <h2 id="memnun-reviews-heading">{s.heading}</h2>
            <ReviewList urls=urls locale=locale refresh=refresh settled=settled />
            <div class="write" node_ref=slot>
                <button
                    type="button"
                    class="write-open"
                    // From the review link the form opens by itself; the button shows there only
                    // to try again after a failed fetch.
                    hidden=move || match form.get() {
                        FormState::Open => true,
                        FormState::Failed => false,
                        FormState::Closed | FormState::Loading => opens_at_once,
                    }
                    aria-disabled=move || (form.get() == FormState::Loading).then_some("true")
                    aria-busy=move || (form.get() == FormState::Loading).then_some("true")
                    on:pointerenter=move |_| prefetch()
                    on:focus=move |_| prefetch()
                    on:click=move |_| open(true)
                >
                    {s.form_heading}
                </button>
                <p role="status" aria-live="polite" class="status bad">
                    {move || (form.get() == FormState::Failed).then_some(s.form_unavailable)}
                </p>
            </div>
        </section>
    }
}

/// Where the review form stands: its code is a part of the module of its own (BENCHMARKS.md,
/// issue 21), fetched when the shopper asks for the form.
#[derive(Clone, Copy, PartialEq)]
enum FormState {
    Closed,
    Loading,
    Open,
    /// The part could not be fetched (offline, say): the button offers it again.
    Failed,
}

/// Draws the review form at the end of `slot`. Split off into its own wasm part by
/// `cargo xtask build` (wasm-split): only the shoppers who write a review download the form.
#[leptos::wasm_split::wasm_split(
    review_form,
    wasm_split_path = ::leptos::wasm_split,
    fallible,
    preload(preload_review_form)
)]
fn show_form(slot: web_sys::HtmlElement, part: form::Part) -> Result<(), SplitLoaderError> {
    form::show(slot, part);
    Ok(())
}

/// Draws the answered questions under the list, with their search and "Ask a question"
/// (`questions`), and adds the search engines' markup of a product with reviews when the page
/// has none (`seo`). Split off into its own wasm part, fetched with the list's first page.
#[leptos::wasm_split::wasm_split(
    review_questions,
    wasm_split_path = ::leptos::wasm_split,
    fallible
)]
pub(crate) fn show_questions(
    page: String,
    locale: Locale,
    url: String,
    jsonld: Option<String>,
) -> Result<(), SplitLoaderError> {
    questions::show(page, locale, url);
    if let Some(jsonld) = jsonld {
        leptos::task::spawn_local(crate::seo::add_jsonld_unless_present(jsonld));
    }
    Ok(())
}

/// Draws the photos of the list's reviews (`gallery`). Split off into its own wasm part: only
/// a page whose reviews have photos downloads the thumbnails' and the viewer's code.
#[leptos::wasm_split::wasm_split(
    review_gallery,
    wasm_split_path = ::leptos::wasm_split,
    fallible
)]
pub(crate) fn show_photos(
    page: String,
    first: bool,
    locale: Locale,
    url: String,
) -> Result<(), SplitLoaderError> {
    gallery::show(page, first, locale, url);
    Ok(())
}
