//! The review form: a 1–5 star choice made of real radio inputs (with a pre-checked "no
//! rating", as Google requires), title, body, shown name, optional email and a hidden honeypot.
//! It checks the same rules as the edge (`memnun_protocol`) before sending, ties each error to
//! its field, announces results in a live region, and sends through the outbox.

use crate::api::{self, Answer};
use crate::i18n::Locale;
use crate::outbox::{self, Outcome, Pending};
use crate::wire;
use leptos::either::Either;
use leptos::prelude::*;
use leptos::task::spawn_local;
use memnun_protocol::NewReview;
use memnun_protocol::review::{AUTHOR_RULE, BODY_RULE, TITLE_RULE};
use wasm_bindgen::JsCast;

#[derive(Clone, PartialEq)]
enum Status {
    Idle,
    Sending,
    Thanks,
    /// Accepted and held for the shop's check.
    Held,
    Queued,
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
                status.set(Status::Bad(s.token_invalid.to_owned()));
            }
            fields if !fields.is_empty() => {
                errors.set(fields);
                status.set(Status::Bad(s.fix_fields.to_owned()));
                focus_first_invalid(form_ref);
            }
            _ => status.set(Status::Bad(s.failed.to_owned())),
        }
    };

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if status.get_untracked() == Status::Sending {
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
        };
        if let Err(problems) = review.validate() {
            errors.set(
                problems
                    .0
                    .iter()
                    .map(|(field, problem)| ((*field).to_owned(), locale.problem(field, *problem)))
                    .collect(),
            );
            status.set(Status::Bad(s.fix_fields.to_owned()));
            focus_first_invalid(form_ref);
            return;
        }
        let Some(json) = wire::stringify(&wire::new_review(&review)) else {
            status.set(Status::Bad(s.failed.to_owned()));
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
                        reset();
                    }
                    on_answer(answer);
                }
                Outcome::Queued => {
                    // Saved for sending: clear the form so the same review is not sent twice.
                    reset();
                    status.set(Status::Queued);
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
                    {optional.then(|| view! { " " <span class="muted">{s.optional}</span> })}
                </label>
                {has_hint.then(|| view! { <p class="hint muted" id=format!("memnun-{field}-hint")>{s.email_hint}</p> })}
                {control}
                {move || error_of(field).map(|m| view! { <p class="error" id=format!("memnun-{field}-error")>{m}</p> })}
            </div>
        }
    };

    let star_choice = move |n: u8| {
        let id = format!("memnun-rating-{n}");
        let label = if n == 0 {
            s.no_rating.to_owned()
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
            {verified.then(|| view! { <p class="verified">"✓ " {s.verified_note}</p> })}
            <fieldset
                class="rating-group"
                aria-describedby=move || error_of("rating").map(|_| "memnun-rating-error")
            >
                <legend>{s.rating_legend}</legend>
                <div class="rating">{(0..=5u8).map(star_choice).collect_view()}</div>
                {move || error_of("rating").map(|m| view! { <p class="error" id="memnun-rating-error">{m}</p> })}
            </fieldset>
            {text_field("title", s.title_label, true, title, TITLE_RULE.max_chars, "text")}
            {text_field("body", s.body_label, false, body, BODY_RULE.max_chars, "textarea")}
            {text_field("author", s.author_label, false, author, AUTHOR_RULE.max_chars, "text")}
            {text_field("email", s.email_label, true, email, memnun_protocol::review::EMAIL_MAX_CHARS, "email")}
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
            <button type="submit" disabled=move || status.get() == Status::Sending>
                {move || if status.get() == Status::Sending { s.sending } else { s.submit }}
            </button>
            <p
                role="status"
                aria-live="polite"
                class=move || match status.get() {
                    Status::Thanks | Status::Held | Status::Queued => "status ok",
                    Status::Bad(_) => "status bad",
                    _ => "status",
                }
            >
                {move || match status.get() {
                    Status::Thanks => s.thanks.to_owned(),
                    Status::Held => s.held.to_owned(),
                    Status::Queued => s.queued.to_owned(),
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
