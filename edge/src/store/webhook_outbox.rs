//! The webhook outbox (`webhook_outbox`): each event queued for a shop's webhook is one
//! delivery, sent by the scheduled handler until its receiver answers 2xx or its attempts run
//! out. An event is queued once per `(shop, event key)` and only while the shop has a webhook.
//! A run claims deliveries with a lease (`claim`, `claimed_until`) and records an outcome only
//! under its own claim, so overlapping runs never send the same delivery and a run whose claim
//! lapsed cannot overwrite the run that took it over.

use super::Params;
use crate::platform::error::ApiError;
use crate::platform::http;
use memnun_protocol::Id;
use memnun_protocol::webhook::WebhookDelivery;
use serde::Deserialize;
use worker::{D1Database, D1PreparedStatement};

/// A condition on the database, checked when the batch runs: SQL whose parameters are numbered
/// from `?7` (`?2` is the shop), and their values.
pub type Condition<'a> = (&'a str, Params);

/// An event to queue for a shop's webhook.
pub struct NewDelivery<'a> {
    /// The delivery's id, which the receiver sees (and the payload holds).
    pub id: &'a str,
    pub shop: &'a Id,
    pub event_type: &'a str,
    /// What the event is about: the same key is queued once.
    pub key: &'a str,
    /// The body sent, as it is signed.
    pub payload: &'a str,
    /// When it was queued; it is due at once.
    pub now: i64,
}

/// The statement that queues `delivery` if its shop has a webhook and `condition` (if any)
/// holds when the batch runs.
pub fn enqueue(
    db: &D1Database,
    delivery: &NewDelivery<'_>,
    condition: Option<Condition<'_>>,
) -> worker::Result<D1PreparedStatement> {
    let (extra, extra_values) = condition.unwrap_or(("1", Params::new()));
    Params::new()
        .text(delivery.id)
        .text(delivery.shop.as_str())
        .text(delivery.event_type)
        .text(delivery.key)
        .text(delivery.payload)
        .int(delivery.now)
        .extend(extra_values)
        .bind(
            db,
            &format!(
                "INSERT OR IGNORE INTO webhook_outbox \
                 (id, shop_id, event_type, event_key, payload, next_attempt_at, created_at) \
                 SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?6 \
                 WHERE EXISTS (SELECT 1 FROM webhooks WHERE shop_id = ?2) AND ({extra})"
            ),
        )
}

/// Gives up `shop`'s deliveries not yet sent, when its webhook is removed: they are not sent,
/// and stay listed with why.
pub fn give_up_undelivered(
    db: &D1Database,
    shop: &Id,
    now: i64,
) -> worker::Result<D1PreparedStatement> {
    Params::new().text(shop.as_str()).int(now).bind(
        db,
        "UPDATE webhook_outbox SET failed_at = ?2, last_error = 'webhook removed' \
         WHERE shop_id = ?1 AND delivered_at IS NULL AND failed_at IS NULL",
    )
}

/// `shop`'s newest 50 deliveries and how they went.
pub async fn newest(db: &D1Database, shop: &Id) -> worker::Result<Vec<WebhookDelivery>> {
    Params::new()
        .text(shop.as_str())
        .bind(
            db,
            "SELECT id, event_type, attempts, next_attempt_at, delivered_at, failed_at, last_error, \
             created_at FROM webhook_outbox WHERE shop_id = ?1 ORDER BY created_at DESC, id LIMIT 50",
        )?
        .all()
        .await?
        .results()
}

/// A delivery that is due, with where it goes.
#[derive(Deserialize)]
pub struct Due {
    pub id: String,
    pub event_type: String,
    pub payload: String,
    pub attempts: u32,
    pub url: String,
    pub secret: String,
    /// The secret the current one replaced, while it still signs.
    pub previous_secret: Option<String>,
}

/// Claims, as `claim` until `lease_ends`, the deliveries due at `now` whose shop has a webhook
/// and that no live claim holds: at most `per_shop` of each shop and `per_run` in all, taken
/// round-robin (every shop's first due delivery, then every shop's second, and so on). Claimed
/// and read in one batch (one transaction): a run that overlaps this one finds them claimed.
pub async fn claim_due(
    db: &D1Database,
    claim: &str,
    now: i64,
    lease_ends: i64,
    per_run: u32,
    per_shop: u32,
) -> Result<Vec<Due>, ApiError> {
    let [_, claimed] = http::batch::<2>(
        db,
        vec![
            Params::new()
                .int(now)
                .int(i64::from(per_run))
                .text(claim)
                .int(lease_ends)
                .int(i64::from(per_shop))
                .bind(
                    db,
                    "UPDATE webhook_outbox SET claim = ?3, claimed_until = ?4 WHERE id IN \
                     (SELECT id FROM (SELECT o.id, o.next_attempt_at, ROW_NUMBER() OVER \
                       (PARTITION BY o.shop_id ORDER BY o.next_attempt_at, o.id) AS nth \
                       FROM webhook_outbox o JOIN webhooks w ON w.shop_id = o.shop_id \
                       WHERE o.delivered_at IS NULL AND o.failed_at IS NULL \
                       AND o.next_attempt_at <= ?1 \
                       AND (o.claimed_until IS NULL OR o.claimed_until <= ?1)) \
                      WHERE nth <= ?5 ORDER BY nth, next_attempt_at LIMIT ?2)",
                )?,
            Params::new().text(claim).int(now).bind(
                db,
                "SELECT o.id, o.event_type, o.payload, o.attempts, w.url, w.secret, \
                 CASE WHEN w.previous_secret_until > ?2 THEN w.previous_secret END \
                 AS previous_secret \
                 FROM webhook_outbox o JOIN webhooks w ON w.shop_id = o.shop_id \
                 WHERE o.claim = ?1",
            )?,
        ],
    )
    .await?;
    Ok(claimed.results()?)
}

// Each outcome releases its own claim only: a lapsed claim taken over by another run is theirs.

/// Records delivery `id`, claimed as `claim`, delivered at `now` on its `attempts`th attempt.
pub fn delivered(
    db: &D1Database,
    id: &str,
    claim: &str,
    attempts: u32,
    now: i64,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(id)
        .int(now)
        .int(i64::from(attempts))
        .text(claim)
        .bind(
            db,
            "UPDATE webhook_outbox SET delivered_at = ?2, attempts = ?3, last_error = NULL, \
             claim = NULL, claimed_until = NULL WHERE id = ?1 AND claim = ?4",
        )
}

/// Records delivery `id`'s failed `attempts`th attempt, and tries it again at `next`.
pub fn retry(
    db: &D1Database,
    id: &str,
    claim: &str,
    attempts: u32,
    next: i64,
    error: &str,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(id)
        .int(i64::from(attempts))
        .int(next)
        .text(error)
        .text(claim)
        .bind(
            db,
            "UPDATE webhook_outbox SET attempts = ?2, next_attempt_at = ?3, \
             last_error = ?4, claim = NULL, claimed_until = NULL \
             WHERE id = ?1 AND claim = ?5",
        )
}

/// Records delivery `id`'s failed `attempts`th attempt, its last: given up at `now`.
pub fn give_up(
    db: &D1Database,
    id: &str,
    claim: &str,
    attempts: u32,
    now: i64,
    error: &str,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(id)
        .int(i64::from(attempts))
        .int(now)
        .text(error)
        .text(claim)
        .bind(
            db,
            "UPDATE webhook_outbox SET attempts = ?2, failed_at = ?3, last_error = ?4, \
             claim = NULL, claimed_until = NULL WHERE id = ?1 AND claim = ?5",
        )
}
