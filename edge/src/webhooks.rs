//! Webhooks: the merchant's endpoint (`/v1/admin/webhook`), the outbox events wait in, and
//! their delivery by the scheduled handler. A request that causes an event only adds a row to
//! the outbox (in its own batch): it never waits for the merchant's server. The scheduled
//! handler (a Cron Trigger, every minute) sends what is due, signed (`protocol::webhook`), and
//! retries failures with backoff; a receiver sees each delivery id until it answers 2xx, and
//! then never again.

use crate::error::ApiError;
use crate::http::{self, BodyType};
use crate::secure::random_hex;
use futures_util::future::Either;
use memnun_protocol::webhook::{
    self, DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, WebhookEvent,
};
use memnun_protocol::{FieldErrors, FieldProblem, Id};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;
use worker::{
    D1Database, D1PreparedStatement, Env, Headers, Method, Request, RequestInit, Response,
};

const MAX_REQUEST_BYTES: usize = 4 * 1024;
/// Deliveries one run of the scheduled handler sends; the rest wait for the next minute.
const DELIVERIES_PER_RUN: u32 = 25;
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

/// A condition on the database, checked when the batch runs: SQL whose parameters are numbered
/// from `?7`, and their values.
pub type Condition<'a> = (&'a str, Vec<JsValue>);

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
    let (extra, extra_args) = condition.unwrap_or(("1", Vec::new()));
    let mut args = vec![
        id.into(),
        shop.as_str().into(),
        event_type.into(),
        key.into(),
        payload.into(),
        JsValue::from_f64(now as f64),
    ];
    args.extend(extra_args);
    Ok(db
        .prepare(format!(
            "INSERT OR IGNORE INTO webhook_outbox \
             (id, shop_id, event_type, event_key, payload, next_attempt_at, created_at) \
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?6 \
             WHERE EXISTS (SELECT 1 FROM webhooks WHERE shop_id = ?2) AND ({extra})"
        ))
        .bind(&args)?)
}

#[derive(Deserialize)]
struct WebhookUpdate {
    #[serde(default)]
    url: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct WebhookInfo {
    url: String,
    updated_at: i64,
}

/// `GET /v1/admin/webhook`: where events go (never the secret).
pub async fn get(db: &D1Database, shop: &Id) -> Result<Response, ApiError> {
    let row: Option<WebhookInfo> = db
        .prepare("SELECT url, updated_at FROM webhooks WHERE shop_id = ?1")
        .bind(&[shop.as_str().into()])?
        .first(None)
        .await?;
    http::json(200, &row.ok_or(ApiError::NotFound("webhook"))?)
}

/// Whether the tests' receivers on 127.0.0.1 may be sent to (`WEBHOOK_LOOPBACK_ALLOWED =
/// "true"` in `wrangler.toml [env.test]` only).
fn loopback_allowed(env: &Env) -> bool {
    env.var("WEBHOOK_LOOPBACK_ALLOWED")
        .is_ok_and(|v| v.to_string() == "true")
}

/// Why the edge will not send to `url`, read the way `fetch` will read it (WHATWG: so
/// `http://2130706433/` and `http://0x7f.1/` are 127.0.0.1), or `None` if it may. A key holder
/// must not point deliveries at the edge's own network: `localhost`, loopback, private,
/// link-local (cloud metadata at 169.254.169.254), shared and unspecified addresses, and their
/// IPv6 forms. A credential in the URL would sit in the merchant's settings in clear and be sent
/// with every delivery. A public name that resolves to a private address is not caught here:
/// Cloudflare's runtime cannot reach private networks from `fetch` in production.
fn receiver_problem(url: &str, loopback_allowed: bool) -> Option<FieldProblem> {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
    let Ok(parsed) = worker::Url::parse(url) else {
        return Some(FieldProblem::NotAUrl);
    };
    if !matches!(parsed.scheme(), "http" | "https") {
        return Some(FieldProblem::NotAUrl);
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Some(FieldProblem::NotPublic);
    }
    let host = parsed.host_str().unwrap_or_default().to_ascii_lowercase();
    let ip: Option<IpAddr> = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => v6
            .parse::<Ipv6Addr>()
            .ok()
            .map(|a| match a.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => IpAddr::V6(a),
            }),
        None => host.parse::<Ipv4Addr>().ok().map(IpAddr::V4),
    };
    let internal = match ip {
        // The tests' exception is for 127.0.0.1 written so: its other spellings stay refused, so
        // that the tests see them refused as production does.
        Some(IpAddr::V4(a)) if a.is_loopback() => {
            let literal =
                url.starts_with("http://127.0.0.1:") || url.starts_with("http://127.0.0.1/");
            !(loopback_allowed && a == Ipv4Addr::LOCALHOST && literal)
        }
        Some(IpAddr::V4(a)) => {
            let [first, second, ..] = a.octets();
            a.is_private()
                || a.is_link_local()
                || a.is_unspecified()
                || a.is_broadcast()
                || a.is_multicast()
                || first == 0
                // Shared address space (RFC 6598), the carrier-grade NAT inside networks.
                || (first == 100 && (64..128).contains(&second))
        }
        Some(IpAddr::V6(a)) => {
            let first = a.segments()[0];
            a.is_loopback()
                || a.is_unspecified()
                || a.is_multicast()
                // Unique local (fc00::/7) and link-local (fe80::/10).
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
        None => {
            let name = host.trim_end_matches('.');
            name == "localhost"
                || [".localhost", ".local", ".internal", ".home.arpa"]
                    .iter()
                    .any(|suffix| name.ends_with(suffix))
                || !name.contains('.')
        }
    };
    internal.then_some(FieldProblem::NotPublic)
}

/// `PUT /v1/admin/webhook`: sets the URL and issues a new signing secret, shown in this answer
/// only.
pub async fn put(
    req: &mut Request,
    env: &Env,
    db: &D1Database,
    shop: &Id,
    now: i64,
) -> Result<Response, ApiError> {
    let (update, _): (WebhookUpdate, _) =
        http::read_json(req, MAX_REQUEST_BYTES, BodyType::Json).await?;
    let url = update.url.unwrap_or_default();
    let problem = if url.is_empty() {
        Some(FieldProblem::Required)
    } else if !memnun_protocol::order::is_web_url(&url) {
        Some(FieldProblem::NotAUrl)
    } else {
        receiver_problem(&url, loopback_allowed(env))
    };
    if let Some(problem) = problem {
        let mut errors = FieldErrors::default();
        errors.push("url", problem);
        return Err(ApiError::Validation(errors));
    }
    let secret = format!("whsec_{}", random_hex(24)?);
    db.prepare(
        "INSERT INTO webhooks (shop_id, url, secret, updated_at) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (shop_id) DO UPDATE SET url = excluded.url, secret = excluded.secret, \
         updated_at = excluded.updated_at",
    )
    .bind(&[
        shop.as_str().into(),
        url.as_str().into(),
        secret.as_str().into(),
        JsValue::from_f64(now as f64),
    ])?
    .run()
    .await?;
    http::json(200, &serde_json::json!({ "url": url, "secret": secret }))
}

/// `DELETE /v1/admin/webhook`: no more events are queued; queued ones are not sent.
pub async fn delete(db: &D1Database, shop: &Id, now: i64) -> Result<Response, ApiError> {
    db.batch(vec![
        db.prepare("DELETE FROM webhooks WHERE shop_id = ?1")
            .bind(&[shop.as_str().into()])?,
        db.prepare(
            "UPDATE webhook_outbox SET failed_at = ?2, last_error = 'webhook removed' \
             WHERE shop_id = ?1 AND delivered_at IS NULL AND failed_at IS NULL",
        )
        .bind(&[shop.as_str().into(), JsValue::from_f64(now as f64)])?,
    ])
    .await?;
    Ok(Response::empty()?.with_status(204))
}

/// `GET /v1/admin/webhook/deliveries`: the newest 50 deliveries and how they went.
pub async fn deliveries(db: &D1Database, shop: &Id) -> Result<Response, ApiError> {
    #[derive(Serialize, Deserialize)]
    struct Delivery {
        id: String,
        event_type: String,
        attempts: u32,
        next_attempt_at: i64,
        delivered_at: Option<i64>,
        failed_at: Option<i64>,
        last_error: Option<String>,
        created_at: i64,
    }
    let rows: Vec<Delivery> = db
        .prepare(
            "SELECT id, event_type, attempts, next_attempt_at, delivered_at, failed_at, last_error, \
             created_at FROM webhook_outbox WHERE shop_id = ?1 ORDER BY created_at DESC, id LIMIT 50",
        )
        .bind(&[shop.as_str().into()])?
        .all()
        .await?
        .results()?;
    http::json(200, &serde_json::json!({ "deliveries": rows }))
}

/// Sends every delivery due at `now` (the scheduled event's time). Each is marked delivered,
/// rescheduled or given up on its own, so one failing shop does not hold back the others.
pub async fn deliver_due(env: &Env, now: i64) -> Result<(), ApiError> {
    let db = env.d1("DB")?;
    let due: Vec<Due> = db
        .prepare(
            "SELECT o.id, o.event_type, o.payload, o.attempts, w.url, w.secret \
             FROM webhook_outbox o JOIN webhooks w ON w.shop_id = o.shop_id \
             WHERE o.delivered_at IS NULL AND o.failed_at IS NULL AND o.next_attempt_at <= ?1 \
             ORDER BY o.next_attempt_at LIMIT ?2",
        )
        .bind(&[
            JsValue::from_f64(now as f64),
            JsValue::from_f64(f64::from(DELIVERIES_PER_RUN)),
        ])?
        .all()
        .await?
        .results()?;
    let loopback = loopback_allowed(env);
    for delivery in due {
        // Checked again: a URL stored before the check existed, or under other rules, is not
        // sent to either.
        let outcome = match receiver_problem(&delivery.url, loopback) {
            Some(problem) => Err(format!("not sent: the URL {problem}")),
            None => send(&delivery, now).await,
        };
        let attempts = delivery.attempts + 1;
        let statement = match outcome {
            Ok(()) => db
                .prepare(
                    "UPDATE webhook_outbox SET delivered_at = ?2, attempts = ?3, last_error = NULL \
                     WHERE id = ?1",
                )
                .bind(&[
                    delivery.id.as_str().into(),
                    JsValue::from_f64(now as f64),
                    JsValue::from_f64(f64::from(attempts)),
                ])?,
            Err(error) => match webhook::next_attempt_after(attempts, now) {
                Some(next) => db
                    .prepare(
                        "UPDATE webhook_outbox SET attempts = ?2, next_attempt_at = ?3, \
                         last_error = ?4 WHERE id = ?1",
                    )
                    .bind(&[
                        delivery.id.as_str().into(),
                        JsValue::from_f64(f64::from(attempts)),
                        JsValue::from_f64(next as f64),
                        error.as_str().into(),
                    ])?,
                None => db
                    .prepare(
                        "UPDATE webhook_outbox SET attempts = ?2, failed_at = ?3, last_error = ?4 \
                         WHERE id = ?1",
                    )
                    .bind(&[
                        delivery.id.as_str().into(),
                        JsValue::from_f64(f64::from(attempts)),
                        JsValue::from_f64(now as f64),
                        error.as_str().into(),
                    ])?,
            },
        };
        statement.run().await?;
    }
    Ok(())
}

/// A delivery that is due, with where it goes.
#[derive(Deserialize)]
struct Due {
    id: String,
    event_type: String,
    payload: String,
    attempts: u32,
    url: String,
    secret: String,
}

/// One attempt: `Ok` on a 2xx answer; otherwise why not, for the merchant's delivery list.
async fn send(delivery: &Due, now: i64) -> Result<(), String> {
    let headers = Headers::new();
    let set = |name: &str, value: &str| headers.set(name, value).map_err(|e| e.to_string());
    set("Content-Type", "application/json")?;
    set(EVENT_HEADER, &delivery.event_type)?;
    set(DELIVERY_HEADER, &delivery.id)?;
    set(
        SIGNATURE_HEADER,
        &webhook::sign(&delivery.secret, now.div_euclid(1000), &delivery.payload),
    )?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_body(Some(JsValue::from_str(&delivery.payload)));
    let request = Request::new_with_init(&delivery.url, &init).map_err(|e| e.to_string())?;
    // A receiver that hangs must not hold the run (and the deliveries behind it) until the
    // runtime's own limit.
    let fetch = worker::Fetch::Request(request);
    let sent = Box::pin(fetch.send());
    let waited = Box::pin(worker::Delay::from(SEND_TIMEOUT));
    match futures_util::future::select(sent, waited).await {
        Either::Left((Ok(resp), _)) if (200..300).contains(&resp.status_code()) => Ok(()),
        Either::Left((Ok(resp), _)) => Err(format!("answered {}", resp.status_code())),
        Either::Left((Err(e), _)) => Err(format!("not reached: {e}")),
        Either::Right(_) => Err(format!("no answer within {} s", SEND_TIMEOUT.as_secs())),
    }
}
