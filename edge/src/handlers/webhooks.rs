//! Webhooks: the merchant's endpoint (`/v1/admin/webhook`), the outbox events wait in, and
//! their delivery by the scheduled handler. A request that causes an event only adds a row to
//! the outbox (in its own batch): it never waits for the merchant's server. The scheduled
//! handler (a Cron Trigger, every minute) claims what is due, with a lease (`claimed_until`), in
//! one statement, so two runs that overlap never send the same delivery; it takes at most
//! `PER_SHOP_PER_RUN` of each shop, round-robin, so one flooded shop cannot hold back the
//! others; it sends them concurrently (`SENDS_AT_ONCE`), each signed at the moment it is sent
//! (`protocol::webhook`); and it retries failures with backoff. A run cut short leaves its claims
//! to lapse, and those deliveries are sent again: a receiver sees each delivery id at least once
//! until it answers 2xx, and then never again. Redirects are not followed: a receiver's 3xx is a
//! failed attempt (its target was never checked).

use crate::handlers::Context;
use crate::platform::error::ApiError;
use crate::platform::http::{self, BodyType};
use crate::platform::outbound;
use crate::platform::secure::random_hex;
use crate::store::webhook_outbox::{self, Due, NewDelivery};
use crate::store::webhooks as settings;
use futures_util::StreamExt;
use futures_util::future::Either;
use memnun_protocol::webhook::{
    self, DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, WebhookCreated, WebhookDeliveries,
    WebhookEvent, WebhookUpdate,
};
use memnun_protocol::{FieldErrors, FieldProblem, Id};
use wasm_bindgen::JsValue;
use worker::{
    D1Database, D1PreparedStatement, Env, Headers, Method, Request, RequestInit, RequestRedirect,
    Response,
};

pub use crate::store::webhook_outbox::Condition;

const MAX_REQUEST_BYTES: usize = 4 * 1024;
/// Deliveries one run of the scheduled handler sends; the rest wait for the next minute.
const DELIVERIES_PER_RUN: u32 = 50;
/// Deliveries of one shop in one run: a shop with a backlog takes its share, not the run.
const PER_SHOP_PER_RUN: u32 = 10;
/// Sends open at once: the connections a Worker may hold open at the same time.
const SENDS_AT_ONCE: usize = 6;
/// How long a run's claim on a delivery lasts, from the wall clock when the run starts: longer
/// than a run (every send is cut at `SEND_TIMEOUT`, `SENDS_AT_ONCE` at a time: 90 s for 50),
/// so only a run that died leaves a claim to lapse.
const CLAIM_LEASE_MS: i64 = 180_000;
/// How long one delivery waits for the receiver's answer.
const SEND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The statement that queues an event, if the shop has a webhook. `key` names what the event
/// is about, so the same event is queued once however often its cause is seen.
pub fn enqueue(
    db: &D1Database,
    shop: &Id,
    event_type: &str,
    key: &str,
    data: serde_json::Value,
    now: i64,
) -> Result<D1PreparedStatement, ApiError> {
    enqueue_if(db, shop, event_type, key, data, now, None)
}

/// As [`enqueue`], queued only if `condition` holds when the batch runs: so an event can follow
/// a guarded write in the same batch (a survey answer stored only if it is newer) and be
/// queued only when that write happened.
pub fn enqueue_if(
    db: &D1Database,
    shop: &Id,
    event_type: &str,
    key: &str,
    data: serde_json::Value,
    now: i64,
    condition: Option<Condition<'_>>,
) -> Result<D1PreparedStatement, ApiError> {
    let id = format!("wh_{}", random_hex(12)?);
    let payload = serde_json::to_string(&WebhookEvent {
        id: id.clone(),
        event_type: event_type.to_owned(),
        created_at: now,
        data,
    })
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    let delivery = NewDelivery {
        id: &id,
        shop,
        event_type,
        key,
        payload: &payload,
        now,
    };
    Ok(webhook_outbox::enqueue(db, &delivery, condition)?)
}

/// `GET /v1/admin/webhook`: where events go (never the secret).
pub async fn get(cx: &Context<'_>) -> Result<Response, ApiError> {
    let (db, shop) = (&cx.db, &cx.shop);
    let webhook = settings::get(db, shop).await?;
    http::json(200, &webhook.ok_or(ApiError::NotFound("webhook"))?)
}

/// `PUT /v1/admin/webhook`: sets the URL and issues a new signing secret, shown in this answer
/// only. The secret it replaces still signs deliveries, beside the new one, for
/// `protocol::webhook::SECRET_OVERLAP_S`, so the merchant's receiver can be updated meanwhile.
pub async fn put(req: &mut Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let (env, db, shop, now) = (cx.env, &cx.db, &cx.shop, cx.now);
    let (update, _): (WebhookUpdate, _) =
        http::read_json(req, MAX_REQUEST_BYTES, BodyType::Json).await?;
    let url = update.url.unwrap_or_default();
    let problem = if url.is_empty() {
        Some(FieldProblem::Required)
    } else if !memnun_protocol::order::is_web_url(&url) {
        Some(FieldProblem::NotAUrl)
    } else {
        outbound::problem(&url, outbound::loopback_allowed(env))
    };
    let mut errors = FieldErrors::default();
    if let Some(problem) = problem {
        errors.push("url", problem);
    }
    let retire = match update.previous_secret.as_deref() {
        None | Some("keep") => false,
        Some("retire") => true,
        Some(_) => {
            errors.push("previous_secret", FieldProblem::NotAChoice);
            false
        }
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let secret = format!("whsec_{}", random_hex(24)?);
    settings::set(db, shop, &url, &secret, now, retire).await?;
    http::json(200, &WebhookCreated { url, secret })
}

/// `DELETE /v1/admin/webhook`: no more events are queued; queued ones are not sent.
pub async fn delete(cx: &Context<'_>) -> Result<Response, ApiError> {
    let (db, shop, now) = (&cx.db, &cx.shop, cx.now);
    db.batch(vec![
        settings::delete(db, shop)?,
        webhook_outbox::give_up_undelivered(db, shop, now)?,
    ])
    .await?;
    Ok(Response::empty()?.with_status(204))
}

/// `GET /v1/admin/webhook/deliveries`: the newest 50 deliveries and how they went.
pub async fn deliveries(cx: &Context<'_>) -> Result<Response, ApiError> {
    let (db, shop) = (&cx.db, &cx.shop);
    let deliveries = webhook_outbox::newest(db, shop).await?;
    http::json(200, &WebhookDeliveries { deliveries })
}

/// Sends the deliveries due at `now` (the scheduled event's time): claims them (a fair share
/// per shop, with a lease), sends them all at once, and records each outcome, delivered,
/// rescheduled or given up, in one batch that also releases the claims.
pub async fn deliver_due(env: &Env, db: &D1Database, now: i64) -> Result<(), ApiError> {
    let claim = random_hex(12)?;
    // A late run's scheduled time is in the past; its lease must still outlast the run.
    let lease_ends = now.max(worker::Date::now().as_millis() as i64) + CLAIM_LEASE_MS;
    let due = webhook_outbox::claim_due(
        db,
        &claim,
        now,
        lease_ends,
        DELIVERIES_PER_RUN,
        PER_SHOP_PER_RUN,
    )
    .await?;
    if due.is_empty() {
        return Ok(());
    }
    let loopback = outbound::loopback_allowed(env);
    // A Worker keeps `SENDS_AT_ONCE` connections open; more would wait for one in the runtime,
    // their time running, so each send starts (and starts its timer) only when it can go out.
    // Unordered: a slow receiver holds its own slot only, not its finished neighbours'.
    let outcomes: Vec<(&Due, Result<(), String>)> =
        futures_util::stream::iter(due.iter().map(|delivery| async move {
            // Checked again: a URL stored before the check existed, or under other rules, is
            // not sent to either.
            let outcome = match outbound::problem(&delivery.url, loopback) {
                Some(problem) => Err(format!("not sent: the URL {problem}")),
                None => send(delivery).await,
            };
            (delivery, outcome)
        }))
        .buffer_unordered(SENDS_AT_ONCE)
        .collect()
        .await;
    let mut statements = Vec::with_capacity(due.len());
    for (delivery, outcome) in outcomes {
        let attempts = delivery.attempts + 1;
        let (id, claim) = (delivery.id.as_str(), claim.as_str());
        let statement = match outcome {
            Ok(()) => webhook_outbox::delivered(db, id, claim, attempts, now)?,
            Err(error) => match webhook::next_attempt_after(attempts, now) {
                Some(next) => webhook_outbox::retry(db, id, claim, attempts, next, &error)?,
                None => webhook_outbox::give_up(db, id, claim, attempts, now, &error)?,
            },
        };
        statements.push(statement);
    }
    db.batch(statements).await?;
    Ok(())
}

/// One attempt: `Ok` on a 2xx answer; otherwise why not, for the merchant's delivery list.
/// Signed with the time it is sent, not the run's, so a late send is not near a receiver's
/// tolerance.
async fn send(delivery: &Due) -> Result<(), String> {
    let headers = Headers::new();
    let set = |name: &str, value: &str| headers.set(name, value).map_err(|e| e.to_string());
    set("Content-Type", "application/json")?;
    set(EVENT_HEADER, &delivery.event_type)?;
    set(DELIVERY_HEADER, &delivery.id)?;
    let mut secrets = vec![delivery.secret.as_str()];
    secrets.extend(delivery.previous_secret.as_deref());
    let sent_at = (worker::Date::now().as_millis() / 1000) as i64;
    set(
        SIGNATURE_HEADER,
        &webhook::sign(&secrets, sent_at, &delivery.payload),
    )?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_redirect(RequestRedirect::Manual)
        .with_body(Some(JsValue::from_str(&delivery.payload)));
    let request = Request::new_with_init(&delivery.url, &init).map_err(|e| e.to_string())?;
    // A receiver that hangs must not hold the run (and the deliveries behind it) until the
    // runtime's own limit.
    let fetch = worker::Fetch::Request(request);
    let abort = worker::AbortController::default();
    let signal = abort.signal();
    let sent = Box::pin(fetch.send_with_signal(&signal));
    let waited = Box::pin(worker::Delay::from(SEND_TIMEOUT));
    let outcome = futures_util::future::select(sent, waited).await;
    // Only the status is read: aborting frees the connection for the next send, both after
    // a timeout and after an answer (its body is not wanted). A request the receiver already
    // had is still retried: at least once.
    abort.abort();
    match outcome {
        Either::Left((Ok(resp), _)) if (200..300).contains(&resp.status_code()) => Ok(()),
        Either::Left((Ok(resp), _)) if (300..400).contains(&resp.status_code()) => Err(format!(
            "answered {} (a redirect, not followed: set the webhook to the final URL)",
            resp.status_code()
        )),
        Either::Left((Ok(resp), _)) => Err(format!("answered {}", resp.status_code())),
        Either::Left((Err(e), _)) => Err(format!("not reached: {e}")),
        Either::Right(_) => Err(format!("no answer within {} s", SEND_TIMEOUT.as_secs())),
    }
}
