//! The summary and the list of published reviews, paged by the edge's cursor, in the order and
//! with the star filter the shopper picks; each review with its verified-purchase badge, the
//! shop's reply, "Was this helpful?" and "Report"; and the shop's note on how reviews are
//! collected and checked.

use crate::api::{self, Answer};
use crate::browser;
use crate::i18n::Locale;
use crate::outbox::{self, Pending};
use crate::wire;
use leptos::prelude::*;
use leptos::task::spawn_local;
use memnun_protocol::feedback::ReportReason;
use memnun_protocol::{RatingSummary, Review, ReviewSort};
use wasm_bindgen::JsValue;

#[derive(Clone, Copy, PartialEq)]
enum Load {
    Loading,
    Loaded,
    Failed,
}

/// Where the list reads from and writes votes and reports to.
#[derive(Clone)]
pub struct ListUrls {
    /// `…/products/{product}/reviews`
    pub page: String,
    /// `…/reviews/`, followed by a review id and `votes` or `reports`.
    pub feedback: String,
    /// `…/products/{product}/reviews.jsonld?name=…`
    pub jsonld: String,
}

#[component]
pub fn ReviewList(
    urls: ListUrls,
    locale: Locale,
    refresh: RwSignal<u32>,
    settled: RwSignal<bool>,
) -> impl IntoView {
    let s = locale.strings();
    let urls = StoredValue::new(urls);
    let state = RwSignal::new(Load::Loading);
    let summary = RwSignal::new(RatingSummary::from_histogram([0; 5]));
    let reviews = RwSignal::new(Vec::<Review>::new());
    let next = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let more_busy = RwSignal::new(false);
    let sort = RwSignal::new(ReviewSort::Newest);
    // 0: every rating; 6 (added by the photos' part): the reviews with photos.
    let stars = RwSignal::new(0u8);
    // Whether a page had photos: from then on each page goes to the photos' part as the edge
    // sent it, even one without (its photos are then taken away).
    let gallery = RwSignal::new(false);

    let fetch_page = move |cursor: Option<String>| {
        // Cursors are digits, letters, '.' and hex: nothing to escape. The first page's URL is
        // also the loader's (`loader/memnun.js`), which asks for it while the module loads.
        let mut page_url = format!(
            "{}?locale={}&sort={}",
            urls.with_value(|u| u.page.clone()),
            locale.tag(),
            sort.get_untracked().as_str()
        );
        let filter = stars.get_untracked();
        if filter > 5 {
            page_url.push_str("&photos=only");
        } else if filter > 0 {
            page_url.push_str(&format!("&stars={filter}"));
        }
        if let Some(c) = &cursor {
            page_url.push_str(&format!("&cursor={c}"));
        }
        spawn_local(async move {
            let answer = api::get(&page_url).await.ok().filter(Answer::is_success);
            let page = answer.as_ref().and_then(|a| wire::review_page(&a.body));
            match page {
                Some(page) => {
                    let text = answer.map(|a| a.text).unwrap_or_default();
                    // A review with photos has the field, one without has not; compared as
                    // bytes (`str::contains` would bring a searcher to every shopper).
                    if text.as_bytes().windows(9).any(|w| w == b"\"photos\":") {
                        gallery.set(true);
                    }
                    let has_reviews = page.summary.count > 0;
                    summary.set(page.summary);
                    notice.set(page.notice);
                    if cursor.is_some() {
                        reviews.update(|r| r.extend(page.reviews));
                    } else {
                        reviews.set(page.reviews);
                    }
                    next.set(page.next_cursor);
                    state.set(Load::Loaded);
                    if cursor.is_none() {
                        // The answered questions under the list (drawn before its controls
                        // show, `settled`, so nothing moves twice) and, for a product with
                        // reviews, the search engines' markup: a part, fetched with a first page.
                        let jsonld = has_reviews.then(|| urls.with_value(|u| u.jsonld.clone()));
                        let _ =
                            super::show_questions(text.clone(), locale, page_url.clone(), jsonld)
                                .await;
                    }
                    if gallery.get() {
                        let _ = super::show_photos(text, cursor.is_none(), locale, page_url).await;
                    }
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
        sort.track();
        stars.track();
        fetch_page(None);
    });

    let sort_options = ReviewSort::ALL
        .into_iter()
        .map(|option| {
            view! {
                // The select is the shopper's: it only needs its first state.
                <option value=option.as_str() selected=option == ReviewSort::Newest>
                    {s.sort_names[option as usize]}
                </option>
            }
        })
        .collect_view();
    let star_options = (0..=5u8)
        .rev()
        .map(|n| {
            let label = if n == 0 {
                s.all_ratings.to_owned()
            } else {
                locale.stars(n)
            };
            view! { <option value=n selected=n == 0>{label}</option> }
        })
        .collect_view();

    view! {
        {move || {
            let (message, role) = match state.get() {
                Load::Loading => (Some(s.loading), Some("status")),
                Load::Failed => (Some(s.load_failed), Some("status")),
                Load::Loaded if summary.get().count == 0 => (Some(s.no_reviews), None),
                Load::Loaded if stars.get() > 0 && reviews.with(Vec::is_empty) => {
                    (Some(s.none_with_rating), Some("status"))
                }
                Load::Loaded => (None, None),
            };
            message.map(|m| view! { <p class="muted" role=role>{m}</p> })
        }}
        {move || {
            (state.get() == Load::Loaded && summary.get().count > 0)
                .then(|| view! { <Summary summary=summary.get() locale=locale /> })
        }}
        // One listener for both selects (change bubbles): each listener is code.
        <div
            class="controls"
            class:hidden=move || summary.get().count < 2
            on:change=move |ev| {
                let value = event_target_value(&ev);
                match ReviewSort::parse(&value) {
                    Some(chosen) => sort.set(chosen),
                    None => stars.set(value.parse().unwrap_or(0)),
                }
            }
        >
            <label>{s.sort_label} <select>{sort_options}</select></label>
            <label>{s.filter_label} <select>{star_options}</select></label>
        </div>
        <ol class="list">
            // Not a keyed <For>: the list only grows at its end or is replaced, and keyed
            // diffing costs ~6 KB brotli.
            {move || {
                let feedback = urls.with_value(|u| u.feedback.clone());
                reviews
                    .get()
                    .into_iter()
                    .map(|review| {
                        view! { <ReviewItem review=review locale=locale feedback=feedback.clone() /> }
                    })
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
        <details class="notice">
            <summary>{s.notice_heading}</summary>
            // The shop's note, or memnun's own words (the edge sends them when the shop wrote none).
            <p class="muted">{move || notice.get()}</p>
        </details>
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

/// One review. Static markup: the vote and report buttons change their own elements when
/// pressed instead of through signals, because every reactive binding is code each shopper
/// downloads, and these change once per page view at most.
#[component]
fn ReviewItem(review: Review, locale: Locale, feedback: String) -> impl IntoView {
    let s = locale.strings();
    let date = format_date(review.created_at, locale);
    let lang = review.locale.clone();
    let id = StoredValue::new(review.id.clone());
    let base = StoredValue::new(format!("{feedback}{}/", review.id));
    let helpful = review.helpful;
    let helpful_label = move |n: u32| format!("{} ({n})", s.helpful);

    let send = move |resource: &str, body: String, on_answer: Box<dyn Fn(Answer)>| {
        let pending = Pending {
            idempotency_key: api::new_idempotency_key(),
            url: format!("{}{resource}", base.get_value()),
            body,
            queued_at: 0.0,
        };
        spawn_local(async move {
            if let outbox::Outcome::Answered(answer) = outbox::send(pending).await {
                on_answer(answer);
            }
        });
    };
    let vote = move |ev: leptos::ev::MouseEvent| {
        let Some(button) = target_element(&ev) else {
            return;
        };
        if button.get_attribute("aria-pressed").as_deref() == Some("true") {
            return;
        }
        let _ = button.set_attribute("aria-pressed", "true");
        button.set_text_content(Some(&helpful_label(helpful + 1)));
        browser::remember_vote(&id.get_value());
        let body = format!(r#"{{"voter":"{}"}}"#, browser::id());
        send(
            "votes",
            body,
            Box::new(move |answer: Answer| {
                if let Some(n) = wire::number(&answer.body, "helpful") {
                    button.set_text_content(Some(&helpful_label(n as u32)));
                }
            }),
        );
    };
    let report = move |ev: leptos::ev::MouseEvent| {
        let details = target_element(&ev).and_then(|b| b.closest("details").ok().flatten());
        let Some(details) = details else { return };
        let reason = details
            .query_selector("select")
            .ok()
            .flatten()
            .and_then(|select| js_sys::Reflect::get(&select, &"value".into()).ok())
            .and_then(|v| v.as_string())
            .and_then(|v| ReportReason::parse(&v))
            .unwrap_or(ReportReason::Other);
        let _ = details.set_attribute("hidden", "");
        if let Some(status) = details.next_element_sibling() {
            status.set_text_content(Some(s.reported));
        }
        let body = format!(
            r#"{{"reporter":"{}","reason":"{}"}}"#,
            browser::id(),
            reason.as_str()
        );
        send("reports", body, Box::new(|_| {}));
    };
    let reasons = ReportReason::ALL
        .into_iter()
        .map(|r| view! { <option value=r.as_str()>{s.report_reasons[r as usize]}</option> })
        .collect_view();

    view! {
        <li class="review" lang=lang>
            <article>
                <p class="stars" role="img" aria-label=locale.rated(review.rating)>
                    {star_glyphs(review.rating)}
                </p>
                {(!review.title.is_empty()).then(|| view! { <h3>{review.title.clone()}</h3> })}
                <p class="body">{review.body}</p>
                <p class="meta muted">
                    {review.author} " · " <time>{date}</time>
                    {review.verified.then(|| view! { " · " <span class="verified">"✓ " {s.verified}</span> })}
                </p>
                {review.reply.map(|reply| view! {
                    <div class="reply">
                        <p class="meta"><strong>{s.shop_reply}</strong></p>
                        <p class="body">{reply.body}</p>
                    </div>
                })}
                <div class="actions">
                    <button
                        type="button"
                        class="link"
                        aria-pressed=if browser::has_voted(&review.id) { "true" } else { "false" }
                        on:click=vote
                    >
                        {helpful_label(helpful)}
                    </button>
                    <details class="report">
                        <summary>{s.report}</summary>
                        <label>{s.report_reason} <select>{reasons}</select></label>
                        <button type="button" class="link" on:click=report>{s.report_send}</button>
                    </details>
                    <span role="status"></span>
                </div>
            </article>
        </li>
    }
}

fn target_element(ev: &leptos::ev::MouseEvent) -> Option<web_sys::Element> {
    use wasm_bindgen::JsCast;
    ev.current_target()?.dyn_into().ok()
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
