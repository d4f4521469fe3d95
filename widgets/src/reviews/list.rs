//! The summary and the list of published reviews, paged by the edge's cursor.

use crate::api;
use crate::i18n::Locale;
use crate::wire;
use leptos::prelude::*;
use leptos::task::spawn_local;
use memnun_protocol::{RatingSummary, Review};
use wasm_bindgen::JsValue;

#[derive(Clone, Copy, PartialEq)]
enum Load {
    Loading,
    Loaded,
    Failed,
}

#[component]
pub fn ReviewList(
    url: String,
    locale: Locale,
    refresh: RwSignal<u32>,
    settled: RwSignal<bool>,
) -> impl IntoView {
    let s = locale.strings();
    let url = StoredValue::new(url);
    let state = RwSignal::new(Load::Loading);
    let summary = RwSignal::new(RatingSummary::from_histogram([0; 5]));
    let reviews = RwSignal::new(Vec::<Review>::new());
    let next = RwSignal::new(None::<String>);
    let more_busy = RwSignal::new(false);

    let fetch_page = move |cursor: Option<String>| {
        let page_url = match &cursor {
            // Cursors are digits, '.', and hex: nothing to escape.
            Some(c) => format!("{}?cursor={c}", url.get_value()),
            None => url.get_value(),
        };
        spawn_local(async move {
            let page = api::get(&page_url)
                .await
                .ok()
                .filter(api::Answer::is_success)
                .and_then(|a| wire::review_page(&a.body));
            match page {
                Some(page) => {
                    summary.set(page.summary);
                    if cursor.is_some() {
                        reviews.update(|r| r.extend(page.reviews));
                    } else {
                        reviews.set(page.reviews);
                    }
                    next.set(page.next_cursor);
                    state.set(Load::Loaded);
                }
                None if cursor.is_none() => state.set(Load::Failed),
                None => {}
            }
            more_busy.set(false);
            settled.set(true);
        });
    };
    Effect::new(move |_| {
        refresh.track();
        fetch_page(None);
    });

    view! {
        {move || {
            let (message, role) = match state.get() {
                Load::Loading => (Some(s.loading), Some("status")),
                Load::Failed => (Some(s.load_failed), Some("status")),
                Load::Loaded if summary.get().count == 0 => (Some(s.no_reviews), None),
                Load::Loaded => (None, None),
            };
            message.map(|m| view! { <p class="muted" role=role>{m}</p> })
        }}
        {move || {
            (state.get() == Load::Loaded && summary.get().count > 0)
                .then(|| view! { <Summary summary=summary.get() locale=locale /> })
        }}
        <ol class="list">
            // Not a keyed <For>: the list only grows at its end or is replaced, and keyed
            // diffing costs ~6 KB brotli.
            {move || {
                reviews
                    .get()
                    .into_iter()
                    .map(|review| view! { <ReviewItem review=review locale=locale /> })
                    .collect_view()
            }}
        </ol>
        {move || {
            next.get().is_some().then(|| {
                view! {
                    <button
                        type="button"
                        class="more"
                        disabled=move || more_busy.get()
                        on:click=move |_| {
                            more_busy.set(true);
                            fetch_page(next.get_untracked());
                        }
                    >
                        {s.show_more}
                    </button>
                }
            })
        }}
    }
}

#[component]
fn Summary(summary: RatingSummary, locale: Locale) -> impl IntoView {
    let s = locale.strings();
    let max = summary.histogram.iter().copied().max().unwrap_or(0).max(1);
    let rows = (1..=5u8)
        .rev()
        .map(|stars| {
            let count = summary.histogram[usize::from(stars - 1)];
            let width = format!("{}%", u64::from(count) * 100 / u64::from(max));
            view! {
                <li>
                    <span>{locale.stars(stars)}</span>
                    <span class="bar" aria-hidden="true"><span style:width=width></span></span>
                    <span>{count}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="summary">
            <div>
                <p class="average">
                    {locale.average(summary.average)}
                    <span class="sr">" " {s.out_of_five}</span>
                </p>
                <p class="stars" aria-hidden="true">{star_glyphs(summary.average.round() as u8)}</p>
                <p class="muted">{locale.reviews_count(summary.count)}</p>
            </div>
            <ul class="histogram" aria-label=s.histogram_label>{rows}</ul>
        </div>
    }
}

#[component]
fn ReviewItem(review: Review, locale: Locale) -> impl IntoView {
    let date = format_date(review.created_at, locale);
    let lang = review.locale.clone();
    view! {
        <li class="review" lang=lang>
            <article>
                <p class="stars" role="img" aria-label=locale.rated(review.rating)>
                    {star_glyphs(review.rating)}
                </p>
                {(!review.title.is_empty()).then(|| view! { <h3>{review.title.clone()}</h3> })}
                <p class="body">{review.body}</p>
                <p class="meta muted">{review.author} " · " <time>{date}</time></p>
            </article>
        </li>
    }
}

fn star_glyphs(filled: u8) -> String {
    let filled = usize::from(filled.min(5));
    "★".repeat(filled) + &"☆".repeat(5 - filled)
}

fn format_date(ms: i64, locale: Locale) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    let options = js_sys::Object::new();
    for (key, value) in [("year", "numeric"), ("month", "long"), ("day", "numeric")] {
        let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
    }
    date.to_locale_date_string(locale.tag(), &options).into()
}
