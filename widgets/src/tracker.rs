//! The order tracker (`data-memnun="order-tracker"`): opens an order from a `track` token (the
//! page URL's `#memnun=`, `data-token`, or the one this tab was given by an earlier lookup) or
//! by order number and email, and shows where it is: the current state first, the steps done
//! and to come, each shipment with its carrier link, estimated delivery and events (times in
//! the shopper's own time zone), and, once delivered, the invitations to review and answer the
//! survey. Once delivered, or while late, "Something wrong?" lets the shopper write to the shop
//! (a complaint, sent through the outbox like every write: it opens a case for the shop).

use crate::api::{self, Answer, Api};
use crate::i18n::Locale;
use crate::outbox::{self, Outcome, Pending};
use crate::wire;
use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos::task::spawn_local;
use memnun_protocol::order::{OrderView, ShipmentView, TrackingStatus};
use wasm_bindgen::JsValue;

/// The tab's last `track` token, so a reload shows the order again without asking (kept per
/// tab only: a shared computer's next user does not inherit it).
const SESSION_KEY: &str = "memnun:track:v1";

#[derive(Clone, PartialEq)]
enum State {
    /// Asking for number and email; with a message after a failed try.
    Asking(Option<&'static str>),
    Loading,
    /// The order, and the `track` token that opened it.
    Shown(OrderView, String),
}

fn session() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

#[component]
pub fn TrackerWidget(api: Api, locale: Locale, token: Option<String>) -> impl IntoView {
    let s = locale.tracker();
    let api = StoredValue::new(api);
    let remembered = session().and_then(|st| st.get_item(SESSION_KEY).ok().flatten());
    let start = token.or(remembered);
    let state = RwSignal::new(if start.is_some() {
        State::Loading
    } else {
        State::Asking(None)
    });
    let number = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());

    let fetch = move |path: &'static str, body: String| {
        state.set(State::Loading);
        spawn_local(async move {
            let url = api.with_value(|a| a.shop_url(path));
            let answer = api::post_json(&url, &body, &api::new_idempotency_key()).await;
            let next = match answer {
                Ok(a) if a.is_success() => match wire::tracked(&a.body) {
                    Some(tracked) => {
                        if let Some(st) = session() {
                            let _ = st.set_item(SESSION_KEY, &tracked.token);
                        }
                        State::Shown(tracked.order, tracked.token)
                    }
                    None => State::Asking(Some(s.failed)),
                },
                Ok(a) if a.status == 404 => {
                    if let Some(st) = session() {
                        let _ = st.remove_item(SESSION_KEY);
                    }
                    State::Asking(Some(s.not_found))
                }
                Ok(a) if a.status == 429 => State::Asking(Some(s.too_many)),
                _ => State::Asking(Some(s.failed)),
            };
            state.set(next);
        });
    };
    if let Some(token) = start {
        // The loader sent the same while the module loaded (`loader/memnun.js`): the same
        // fields in the same order, or its answer is not taken.
        fetch(
            "orders/track",
            json_object(&[("token", &token), ("locale", locale.tag())]),
        );
    }
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = json_object(&[
            ("number", &number.get_untracked()),
            ("email", &email.get_untracked()),
            ("locale", locale.tag()),
        ]);
        fetch("orders/lookup", body);
    };
    let forget = move |_| {
        if let Some(st) = session() {
            let _ = st.remove_item(SESSION_KEY);
        }
        state.set(State::Asking(None));
    };

    view! {
        <section class="memnun-tracker" aria-labelledby="memnun-tracker-heading">
            <h2 id="memnun-tracker-heading">{s.heading}</h2>
            {move || match state.get() {
                State::Loading => EitherOf3::A(view! { <p class="muted" role="status">{s.finding}</p> }),
                State::Asking(message) => EitherOf3::B(view! {
                    <form on:submit=on_submit>
                        <p class="muted">{s.lookup_intro}</p>
                        <div class="field">
                            <label for="memnun-order-number">{s.number_label}</label>
                            <input id="memnun-order-number" name="number" required maxlength="40"
                                autocomplete="off" inputmode="text"
                                prop:value=move || number.get()
                                on:input=move |ev| number.set(event_target_value(&ev)) />
                        </div>
                        <div class="field">
                            <label for="memnun-order-email">{s.email_label}</label>
                            <input id="memnun-order-email" name="email" type="email" required
                                maxlength="254" autocomplete="email"
                                prop:value=move || email.get()
                                on:input=move |ev| email.set(event_target_value(&ev)) />
                        </div>
                        <button type="submit">{s.find}</button>
                        <p class="status bad" role="alert">{message}</p>
                    </form>
                }),
                State::Shown(order, token) => {
                    let complaint = memnun_protocol::order::takes_complaints(&order, js_sys::Date::now() as i64)
                        .then(|| {
                            let url = api.with_value(|a| a.shop_url("orders/complaints"));
                            view! { <Complaint url=url token=token locale=locale /> }
                        });
                    EitherOf3::C(view! {
                        <Order order=order locale=locale />
                        {complaint}
                        <button type="button" class="link" on:click=forget>{s.other_order}</button>
                    })
                }
            }}
        </section>
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Sent {
    Idle,
    Sending,
    Thanks,
    /// Kept on this device until the edge answers.
    Queued,
    Failed,
}

/// "Something wrong?": a few words to the shop about a delivered or late order.
#[component]
fn Complaint(url: String, token: String, locale: Locale) -> impl IntoView {
    let s = locale.tracker();
    let message = RwSignal::new(String::new());
    let sent = RwSignal::new(Sent::Idle);
    let url = StoredValue::new(url);
    let token = StoredValue::new(token);
    let on_answer = move |answer: Answer| {
        sent.set(if answer.is_success() {
            Sent::Thanks
        } else {
            Sent::Failed
        });
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = message.get_untracked();
        if text.trim().is_empty() || sent.get_untracked() == Sent::Sending {
            return;
        }
        sent.set(Sent::Sending);
        let pending = Pending {
            idempotency_key: api::new_idempotency_key(),
            url: url.get_value(),
            body: json_object(&[("token", &token.get_value()), ("message", &text)]),
            queued_at: 0.0,
        };
        spawn_local(async move {
            match outbox::submit(pending, on_answer).await {
                Outcome::Answered(answer) => on_answer(answer),
                Outcome::Queued => sent.set(Sent::Queued),
            }
        });
    };
    let done = move || matches!(sent.get(), Sent::Thanks | Sent::Queued);
    let status = move || match sent.get() {
        Sent::Thanks => s.complaint_thanks,
        Sent::Queued => s.complaint_queued,
        Sent::Failed => s.complaint_failed,
        Sent::Idle | Sent::Sending => "",
    };
    view! {
        <details class="complaint">
            <summary>{s.complaint_open}</summary>
            <form on:submit=on_submit class:hidden=done>
                <div class="field">
                    <label for="memnun-complaint">{s.complaint_label}</label>
                    <textarea id="memnun-complaint" name="message" required maxlength="2000"
                        prop:value=move || message.get()
                        on:input=move |ev| message.set(event_target_value(&ev))></textarea>
                </div>
                <button type="submit" disabled=move || sent.get() == Sent::Sending>{s.complaint_send}</button>
            </form>
            <p class="status" class:bad=move || sent.get() == Sent::Failed role="status">{status}</p>
        </details>
    }
}

fn json_object(fields: &[(&str, &str)]) -> String {
    wire::stringify(&wire::strings(fields)).unwrap_or_default()
}

fn status_label(locale: Locale, status: TrackingStatus) -> &'static str {
    let index = TrackingStatus::ALL
        .iter()
        .position(|s| *s == status)
        .unwrap_or(0);
    locale.tracker().statuses[index]
}

/// How a time is shown.
#[derive(Clone, Copy, PartialEq)]
enum Shown {
    /// An instant, with its time, in the shopper's own time zone.
    Moment,
    /// The day of an instant, in the shopper's time zone.
    Day,
    /// A calendar date the merchant gave (stored as its UTC midnight): the same day everywhere.
    Date,
}

/// A time as the shopper reads it, in their locale.
fn format_time(ms: i64, locale: Locale, shown: Shown) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    let options = js_sys::Object::new();
    let set = |key: &str, value: &str| {
        let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
    };
    set("dateStyle", "medium");
    match shown {
        Shown::Moment => set("timeStyle", "short"),
        Shown::Date => set("timeZone", "UTC"),
        Shown::Day => {}
    }
    date.to_locale_string(locale.tag(), &options).into()
}

#[component]
fn Order(order: OrderView, locale: Locale) -> impl IntoView {
    let s = locale.tracker();
    let step = order.status.step();
    let steps = TrackingStatus::STEPS
        .iter()
        .enumerate()
        .map(|(i, status)| {
            let class = match step {
                Some(done) if i < done => "done",
                Some(done) if i == done => "current",
                _ => "",
            };
            view! {
                <li class=class aria-current=(class == "current").then_some("step")>
                    {status_label(locale, *status)}
                </li>
            }
        })
        .collect_view();
    let trouble = matches!(
        order.status,
        TrackingStatus::Exception
            | TrackingStatus::DeliveryAttemptFailed
            | TrackingStatus::Delayed
            | TrackingStatus::Returned
            | TrackingStatus::Cancelled
    );
    // The catalog's name where it has the product (with its picture and page), else the id.
    let name_of = |product: &str| {
        let item = order.items.iter().find(|i| i.product == product);
        item.and_then(|i| i.name.clone())
            .unwrap_or_else(|| product.to_owned())
    };
    let items = order
        .items
        .iter()
        .map(|i| {
            view! {
                // Without a picture the image keeps its place, so the names stay in line;
                // without a page, the name is not a link.
                <li>
                    <img src=i.image_url.clone() alt="" />
                    <span><a href=i.url.clone()>{name_of(&i.product)}</a>{format!(" × {}", i.quantity)}</span>
                </li>
            }
        })
        .collect_view();
    let shipments = order
        .shipments
        .into_iter()
        .map(|shipment| view! { <Shipment shipment=shipment locale=locale /> })
        .collect_view();
    let invitations = order.invitations.map(|inv| {
        let reviews = inv
            .reviews
            .into_iter()
            .filter_map(|r| {
                let url = r.url?;
                Some(view! { <li><a href=url>{format!("{}: {}", s.invite_review, name_of(&r.product))}</a></li> })
            })
            .collect_view();
        view! {
            <div class="invite">
                <h3>{s.invite_heading}</h3>
                <ul>
                    {reviews}
                    {inv.survey_url.map(|url| view! { <li><a href=url>{s.invite_survey}</a></li> })}
                </ul>
            </div>
        }
    });
    view! {
        <p class="current-state" class:bad=trouble role="status">
            <strong>{status_label(locale, order.status)}</strong>
        </p>
        <p class="muted">
            {format!("{} {} · {} {}", s.order, order.number, format_time(order.placed_at, locale, Shown::Day), s.placed)}
        </p>
        {invitations}
        {step.map(|_| view! { <ol class="steps" aria-label=s.steps_label>{steps}</ol> })}
        {shipments}
        <h3>{s.items}</h3>
        <ul class="items">{items}</ul>
    }
}

#[component]
fn Shipment(shipment: ShipmentView, locale: Locale) -> impl IntoView {
    let s = locale.tracker();
    let events = shipment
        .events
        .iter()
        .rev()
        .map(|e| {
            let place = [e.location.as_deref(), e.note.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · ");
            view! {
                <li>
                    <time>{format_time(e.time, locale, Shown::Moment)}</time>
                    " " <strong>{status_label(locale, e.status)}</strong>
                    {(!place.is_empty()).then(|| view! { <span class="muted">" · " {place}</span> })}
                </li>
            }
        })
        .collect_view();
    let empty = shipment.events.is_empty();
    view! {
        <section class="shipment">
            <h3>{format!("{} · {}", shipment.carrier, status_label(locale, shipment.status))}</h3>
            {shipment.estimated_delivery.map(|e| {
                let source = if e.source == "carrier" { s.by_carrier } else { s.by_shop };
                view! {
                    <p>
                        {s.estimated} ": " <strong>{format_time(e.date, locale, Shown::Date)}</strong>
                        " " <span class="muted">{source}</span>
                    </p>
                }
            })}
            {shipment.tracking_number.map(|n| view! { <p class="muted">{s.tracking_number} ": " {n}</p> })}
            {shipment.tracking_url.map(|url| view! {
                <p><a href=url target="_blank" rel="noopener noreferrer">{s.carrier_link}</a></p>
            })}
            <h4>{s.history}</h4>
            {empty.then(|| view! { <p class="muted">{s.no_events}</p> })}
            <ol class="events">{events}</ol>
        </section>
    }
}
