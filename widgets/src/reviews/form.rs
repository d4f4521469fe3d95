//! The review form: a 1–5 star choice made of real radio inputs (with a pre-checked "no
//! rating", as Google requires), title, body, shown name, optional email, up to four photos
//! (made ready by a part of their own, `photo_upload`, fetched when the first is added) and a
//! hidden honeypot. It checks the same rules as the edge (`memnun_protocol`) before sending,
//! ties each error to its field, announces results in a live region, and sends through the
//! outbox: the review, then each photo on its own, all carrying the review's `photo_key`.

use super::photo_upload::Prepared;
use crate::api::{self, Answer};
use crate::i18n::Locale;
use crate::outbox::{self, Outcome, Pending};
use crate::wire;
use leptos::either::Either;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos::wasm_split::SplitLoaderError;
use memnun_protocol::NewReview;
use memnun_protocol::photos::MAX_PER_REVIEW;
use memnun_protocol::review::{AUTHOR_RULE, BODY_RULE, TITLE_RULE};
use std::future::Future;
use std::pin::Pin;
use wasm_bindgen::JsCast;

/// The chosen photos' rules, added when the first is chosen (`photo_upload::add_rules`).
const CHOSEN_RULES: [&str; 3] = [
    ".photos{list-style:none;display:flex;flex-wrap:wrap;gap:.5rem 1rem;margin:.25rem 0;padding:0}",
    ".photos li{display:flex;flex-direction:column;align-items:flex-start}",
    ".photos img{height:5rem;width:auto;border-radius:var(--memnun-radius,.5rem)}",
];

type Preparing = Pin<Box<dyn Future<Output = Vec<Option<Prepared>>>>>;

/// Makes the chosen files ready to send. Split off into its own wasm part by `cargo xtask
/// build`: only shoppers who add a photo download the code that decodes and encodes them.
#[leptos::wasm_split::wasm_split(
    review_photos,
    wasm_split_path = ::leptos::wasm_split,
    fallible
)]
fn prepare_photos(files: js_sys::Array) -> Result<Preparing, SplitLoaderError> {
    Ok(Box::pin(super::photo_upload::prepare(files)))
}

#[derive(Clone, PartialEq)]
enum Status {
    Idle,
    Sending,
    Thanks,
    /// Accepted and held for the shop's check.
    Held,
    Queued,
    /// Saved, and its photos wait in this page's memory: it should stay open.
    QueuedWithPhotos,
    Bad(String),
}

/// What the form needs from the widget around it.
#[derive(Clone)]
pub struct Part {
    pub url: String,
    pub product: String,
    pub token: Option<String>,
    pub locale: Locale,
    /// Bumped when a review is accepted, so the list reloads.
    pub refresh: RwSignal<u32>,
}

/// Draws the form at the end of `slot`, for the rest of the page's life.
pub fn show(slot: web_sys::HtmlElement, part: Part) {
    let Part {
        url,
        product,
        token,
        locale,
        refresh,
    } = part;
    let handle = leptos::mount::mount_to(slot, move || {
        view! {
            <ReviewForm
                url=url.clone()
                product=product.clone()
                token=token.clone()
                locale=locale
                on_accepted=move || refresh.update(|n| *n += 1)
            />
        }
    });
    handle.forget();
}

#[component]
fn ReviewForm(
    url: String,
    product: String,
    token: Option<String>,
    locale: Locale,
    on_accepted: impl Fn() + Copy + 'static,
) -> impl IntoView {
    let s = locale.strings();
    let f = locale.form_strings();
    let url = StoredValue::new(url);
    let product = StoredValue::new(product);
    let verified = token.is_some();
    let token = StoredValue::new(token);
    // The minimum fill time counts from here: a person reads, rates and writes after this.
    let shown_at = js_sys::Date::now() as i64;
    // A star in the shop's review request email chose the rating already (`memnun-rating=N`
    // beside the review link's token).
    let chosen = crate::mount::fragment_token("memnun-rating=")
        .and_then(|n| n.parse().ok())
        .filter(|n| verified && (1..=5).contains(n));
    let rating = RwSignal::new(chosen.unwrap_or(0u8));
    let title = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let author = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let website = RwSignal::new(String::new());
    let photos = RwSignal::new(Vec::<Prepared>::new());
    let photo_note = RwSignal::new(String::new());
    let preparing = RwSignal::new(false);
    // Names this review's photos, which go on their own after it.
    let photo_key = StoredValue::new(api::new_idempotency_key());
    // Field name → message, in the order of the form.
    let errors = RwSignal::new(Vec::<(String, String)>::new());
    let status = RwSignal::new(Status::Idle);
    let form_ref = NodeRef::<leptos::html::Form>::new();

    let error_of = move |field: &'static str| {
        errors.with(|e| e.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone()))
    };

    let reset = move || {
        rating.set(0);
        title.set(String::new());
        body.set(String::new());
        author.set(String::new());
        email.set(String::new());
    };

    // Once the review is accepted or saved to be sent, its photos go through the outbox too,
    // each on its own, retried from this page's memory (`outbox::send_from_memory`). Says
    // whether there were any.
    let send_photos = move || {
        let chosen = photos.get_untracked();
        if chosen.is_empty() {
            return false;
        }
        let key = photo_key.get_value();
        // `…/reviews` → `…/photos`.
        let mut photos_url = url.get_value();
        photos_url.truncate(photos_url.len() - "reviews".len());
        photos_url.push_str("photos");
        for (position, photo) in chosen.into_iter().enumerate() {
            let object = wire::strings(&[
                ("photo_key", &key),
                ("image", &photo.image),
                ("thumbnail", &photo.thumbnail),
            ]);
            wire::set(&object, "position", (position as f64).into());
            let Some(body) = wire::stringify(&object) else {
                continue;
            };
            let pending = Pending {
                idempotency_key: api::new_idempotency_key(),
                url: photos_url.clone(),
                body,
                queued_at: 0.0,
            };
            outbox::send_from_memory(pending);
        }
        photos.set(Vec::new());
        photo_key.set_value(api::new_idempotency_key());
        true
    };

    let add_photos = move |ev: leptos::ev::Event| {
        // By name rather than through web-sys' `File` bindings, whose imports every shopper
        // would download (see `photo_upload::call`).
        let Some(input) = ev.target().map(wasm_bindgen::JsValue::from) else {
            return;
        };
        super::photo_upload::add_rules(&input, "data-chosen", &CHOSEN_RULES);
        let room = MAX_PER_REVIEW.saturating_sub(photos.with_untracked(Vec::len));
        let files =
            js_sys::Array::from(&js_sys::Reflect::get(&input, &"files".into()).unwrap_or_default())
                .slice(0, room as u32);
        // Emptied, so the same file may be chosen again after it was removed.
        let _ = js_sys::Reflect::set(&input, &"value".into(), &"".into());
        if files.length() == 0 {
            return;
        }
        photo_note.set(f.photos_preparing.to_owned());
        preparing.set(true);
        spawn_local(async move {
            let prepared = match prepare_photos(files).await {
                Ok(work) => work.await,
                Err(_) => Vec::new(),
            };
            let unusable = prepared.is_empty() || prepared.iter().any(Option::is_none);
            photos.update(|p| {
                p.extend(prepared.into_iter().flatten());
                p.truncate(MAX_PER_REVIEW);
            });
            photo_note.set(if unusable { f.photo_unusable } else { "" }.to_owned());
            preparing.set(false);
        });
    };

    let on_answer = move |answer: Answer| {
        if answer.is_success() {
            let held = wire::text(&answer.body, "status").as_deref() == Some("pending");
            status.set(if held { Status::Held } else { Status::Thanks });
            on_accepted();
            return;
        }
        match wire::error_fields(&answer.body) {
            // The link, not anything typed, is at fault: no field to mark.
            fields if fields.iter().any(|(f, _)| f == "token") => {
                status.set(Status::Bad(f.token_invalid.to_owned()));
            }
            fields if !fields.is_empty() => {
                errors.set(fields);
                status.set(Status::Bad(f.fix_fields.to_owned()));
                focus_first_invalid(form_ref);
            }
            _ => status.set(Status::Bad(f.failed.to_owned())),
        }
    };

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if status.get_untracked() == Status::Sending || preparing.get_untracked() {
            return;
        }
        let chosen = rating.get_untracked();
        let review = NewReview {
            product: Some(product.get_value()),
            rating: (chosen > 0).then_some(i64::from(chosen)),
            title: Some(title.get_untracked()),
            body: Some(body.get_untracked()),
            author: Some(author.get_untracked()),
            email: Some(email.get_untracked()).filter(|e| !e.trim().is_empty()),
            locale: Some(locale.tag().to_owned()),
            website: Some(website.get_untracked()).filter(|w| !w.is_empty()),
            fill_ms: Some(js_sys::Date::now() as i64 - shown_at),
            token: token.get_value(),
            photo_key: (!photos.with_untracked(Vec::is_empty)).then(|| photo_key.get_value()),
        };
        if let Err(problems) = review.validate() {
            errors.set(
                problems
                    .0
                    .iter()
                    .map(|(field, problem)| ((*field).to_owned(), locale.problem(field, *problem)))
                    .collect(),
            );
            status.set(Status::Bad(f.fix_fields.to_owned()));
            focus_first_invalid(form_ref);
            return;
        }
        let Some(json) = wire::stringify(&wire::new_review(&review)) else {
            status.set(Status::Bad(f.failed.to_owned()));
            return;
        };
        errors.set(Vec::new());
        status.set(Status::Sending);
        let pending = Pending {
            idempotency_key: api::new_idempotency_key(),
            url: url.get_value(),
            body: json,
            queued_at: 0.0,
        };
        spawn_local(async move {
            match outbox::submit(pending, on_answer).await {
                Outcome::Answered(answer) => {
                    if answer.is_success() {
                        send_photos();
                        reset();
                    }
                    on_answer(answer);
                }
                Outcome::Queued => {
                    // Saved for sending: clear the form so the same review is not sent twice.
                    let with_photos = send_photos();
                    reset();
                    status.set(if with_photos {
                        Status::QueuedWithPhotos
                    } else {
                        Status::Queued
                    });
                }
            }
        });
    };

    let text_field = move |field: &'static str,
                           label: &'static str,
                           optional: bool,
                           value: RwSignal<String>,
                           max: usize,
                           kind: &'static str| {
        let id = format!("memnun-{field}");
        let error_id = format!("memnun-{field}-error");
        let hint_id = format!("memnun-{field}-hint");
        let has_hint = field == "email";
        let described = move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if error_of(field).is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        };
        let invalid = move || error_of(field).map(|_| "true");
        let control = if kind == "textarea" {
            Either::Left(view! {
                <textarea
                    id=id.clone()
                    name=field
                    maxlength=max
                    required=!optional
                    aria-invalid=invalid
                    aria-describedby=described.clone()
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                ></textarea>
            })
        } else {
            Either::Right(view! {
                <input
                    id=id.clone()
                    name=field
                    type=kind
                    maxlength=max
                    required=!optional
                    autocomplete=match field { "email" => "email", "author" => "nickname", _ => "off" }
                    aria-invalid=invalid
                    aria-describedby=described.clone()
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                />
            })
        };
        view! {
            <div class="field">
                <label for=id>
                    {label}
                    {optional.then(|| view! { " " <span class="muted">{f.optional}</span> })}
                </label>
                {has_hint.then(|| view! { <p class="hint muted" id=format!("memnun-{field}-hint")>{f.email_hint}</p> })}
                {control}
                {move || error_of(field).map(|m| view! { <p class="error" id=format!("memnun-{field}-error")>{m}</p> })}
            </div>
        }
    };

    let star_choice = move |n: u8| {
        let id = format!("memnun-rating-{n}");
        let label = if n == 0 {
            f.no_rating.to_owned()
        } else {
            locale.stars(n)
        };
        view! {
            <input
                type="radio"
                name="rating"
                id=id.clone()
                value=n
                prop:checked=move || rating.get() == n
                on:change=move |_| rating.set(n)
                aria-invalid=move || error_of("rating").map(|_| "true")
            />
            <label
                for=id
                class=move || {
                    if n == 0 { "none" } else if n <= rating.get() { "on" } else { "" }
                }
            >
                {if n == 0 {
                    Either::Left(view! { <span>{label}</span> })
                } else {
                    Either::Right(view! { <span aria-hidden="true">"★"</span><span class="sr">{label}</span> })
                }}
            </label>
        }
    };

    view! {
        <form
            node_ref=form_ref
            novalidate
            on:submit=on_submit
            aria-labelledby="memnun-form-heading"
        >
            <h3 id="memnun-form-heading">{s.form_heading}</h3>
            {verified.then(|| view! { <p class="verified">"✓ " {f.verified_note}</p> })}
            <fieldset
                class="rating-group"
                aria-describedby=move || error_of("rating").map(|_| "memnun-rating-error")
            >
                <legend>{f.rating_legend}</legend>
                <div class="rating">{(0..=5u8).map(star_choice).collect_view()}</div>
                {move || error_of("rating").map(|m| view! { <p class="error" id="memnun-rating-error">{m}</p> })}
            </fieldset>
            {text_field("title", f.title_label, true, title, TITLE_RULE.max_chars, "text")}
            {text_field("body", f.body_label, false, body, BODY_RULE.max_chars, "textarea")}
            {text_field("author", f.author_label, false, author, AUTHOR_RULE.max_chars, "text")}
            {text_field("email", f.email_label, true, email, memnun_protocol::review::EMAIL_MAX_CHARS, "email")}
            <div class="field">
                <label for="memnun-photos">
                    {f.photos_label} " " <span class="muted">{f.optional}</span>
                </label>
                <p class="hint muted" id="memnun-photos-hint">{f.photos_hint}</p>
                // No `capture`: a phone then offers its camera and its photos alike.
                <input
                    id="memnun-photos"
                    name="photos"
                    type="file"
                    accept="image/*"
                    multiple
                    aria-describedby="memnun-photos-hint"
                    disabled=move || { photos.with(Vec::len) >= MAX_PER_REVIEW }
                    on:change=add_photos
                />
                <ul class="photos">
                    {move || {
                        photos
                            .get()
                            .into_iter()
                            .enumerate()
                            .map(|(i, photo)| {
                                let n = i + 1;
                                view! {
                                    <li>
                                        <img prop:src=photo.thumbnail alt=format!("{} {n}", f.photo_chosen) />
                                        <button
                                            type="button"
                                            class="link"
                                            on:click=move |_| photos.update(|p| {
                                                if i < p.len() {
                                                    p.remove(i);
                                                }
                                            })
                                        >
                                            {format!("{} {n}", f.photo_remove)}
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
                // `role=status` is polite by itself; an `aria-live` too would share its attribute code with
                // the main module's status line, which then could no longer inline it.
                <p role="status" class="hint">{move || photo_note.get()}</p>
            </div>
            <div class="hp" aria-hidden="true">
                <label for="memnun-website">"Website"</label>
                <input
                    id="memnun-website"
                    name="website"
                    type="text"
                    tabindex="-1"
                    autocomplete="off"
                    prop:value=move || website.get()
                    on:input=move |ev| website.set(event_target_value(&ev))
                />
            </div>
            // Not while photos are being prepared: the review would go without them.
            <button type="submit" disabled=move || status.get() == Status::Sending || preparing.get()>
                {move || if status.get() == Status::Sending { f.sending } else { f.submit }}
            </button>
            <p
                role="status"
                aria-live="polite"
                class=move || match status.get() {
                    Status::Thanks | Status::Held | Status::Queued | Status::QueuedWithPhotos => "status ok",
                    Status::Bad(_) => "status bad",
                    _ => "status",
                }
            >
                {move || match status.get() {
                    Status::Thanks => f.thanks.to_owned(),
                    Status::Held => f.held.to_owned(),
                    Status::Queued => f.queued.to_owned(),
                    Status::QueuedWithPhotos => f.queued_photos.to_owned(),
                    Status::Bad(message) => message,
                    Status::Idle | Status::Sending => String::new(),
                }}
            </p>
        </form>
    }
}

/// Moves focus to the first field marked invalid, once the marks are in the DOM.
fn focus_first_invalid(form: NodeRef<leptos::html::Form>) {
    spawn_local(async move {
        api::sleep(0).await;
        let Some(form) = form.get_untracked() else {
            return;
        };
        if let Ok(Some(el)) = form.query_selector("[aria-invalid=true]")
            && let Ok(el) = el.dyn_into::<web_sys::HtmlElement>()
        {
            let _ = el.focus();
        }
    });
}
