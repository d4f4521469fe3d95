//! Outreach (`outreach_settings`, `outreach_addresses`, `outreach_messages`,
//! `outreach_suppressions`; migration 0012): what a shop sends shoppers, to whom, and when.
//!
//! - An address is kept, sealed, only for an order of a shop whose sending is on (the statement
//!   that keeps it checks that when it runs), and goes when the order and its parcels are
//!   delivered and no message of its order waits any more, when the shop stops sending, and
//!   with its order.
//! - A message is planned once per order and kind (per parcel too, for a shipment notice;
//!   `UNIQUE`), and only for an order whose address is kept; a reply notice once per review, to
//!   the address its author left with it. The outbox is worked as `webhook_outbox` is: a run claims due rows with a
//!   lease and records an outcome only under its own claim, so two runs never send one message.
//! - Every send reads, in the same statement as its claim's rows, whether the shopper is
//!   suppressed, whether the order was reviewed, and when the shopper was last sent anything.

use super::Params;
use crate::platform::error::ApiError;
use crate::platform::http;
use memnun_protocol::Id;
use memnun_protocol::outreach::settings::{
    OutreachSettings, REVIEW_DAYS_DEFAULT, SURVEY_DAYS_DEFAULT, ShipmentNotices,
};
use memnun_protocol::outreach::{
    KindFigures, MessageKind, MessageState, OutreachMessage, OutreachReport,
};
use serde::Deserialize;
use worker::{D1Database, D1PreparedStatement};

const DAY_MS: i64 = 86_400_000;

/// Whether the shop `?1`'s order `?2` may still bring shipment notices: it is not delivered, or
/// one of its parcels is not (a parcel added to a delivered order, a split fulfilment).
const STILL_ON_ITS_WAY: &str = "(EXISTS (SELECT 1 FROM orders o WHERE o.shop_id = ?1 \
     AND o.id = ?2 AND o.delivered_at IS NULL) \
     OR EXISTS (SELECT 1 FROM shipments p WHERE p.shop_id = ?1 AND p.order_id = ?2 \
       AND NOT EXISTS (SELECT 1 FROM shipment_events e WHERE e.shop_id = ?1 \
         AND e.order_id = ?2 AND e.shipment_id = p.id AND e.status = 'delivered')))";
/// A review request's effect is counted over this many days after it was sent.
pub const REVIEWED_WITHIN_DAYS: i64 = 14;

/// What is stored of a shop's settings.
pub struct Stored {
    pub settings: OutreachSettings,
    pub api_key_sealed: Option<String>,
    pub webhook_secret_sealed: Option<String>,
}

fn read_settings(json: &str) -> Result<OutreachSettings, ApiError> {
    serde_json::from_str(json)
        .map_err(|e| ApiError::Internal(format!("stored outreach settings unreadable: {e}")))
}

/// The shop's stored settings, or `None` when it has never set them.
pub async fn settings(db: &D1Database, shop: &Id) -> Result<Option<Stored>, ApiError> {
    #[derive(Deserialize)]
    struct Row {
        settings: String,
        api_key_sealed: Option<String>,
        webhook_secret_sealed: Option<String>,
    }
    let row: Option<Row> = Params::new()
        .text(shop.as_str())
        .bind(
            db,
            "SELECT settings, api_key_sealed, webhook_secret_sealed FROM outreach_settings \
             WHERE shop_id = ?1",
        )?
        .first(None)
        .await?;
    row.map(|row| {
        Ok(Stored {
            settings: read_settings(&row.settings)?,
            api_key_sealed: row.api_key_sealed,
            webhook_secret_sealed: row.webhook_secret_sealed,
        })
    })
    .transpose()
}

/// Secrets newly sealed by a settings update; `None` keeps the stored one.
pub struct NewSecrets<'a> {
    pub api_key: Option<&'a str>,
    pub webhook_secret: Option<&'a str>,
    /// The stored webhook secret goes (another provider's).
    pub forget_webhook_secret: bool,
    /// The digest's address key, off the suppression list: the merchant asked for it again.
    pub digest_key_to_clear: Option<&'a str>,
}

/// Stores the shop's settings, with the secrets newly sealed (the stored ones stay otherwise).
/// When sending is off, the addresses kept go and the messages waiting are skipped.
pub async fn put_settings(
    db: &D1Database,
    shop: &Id,
    settings: &OutreachSettings,
    secrets: NewSecrets<'_>,
    edge_origin: &str,
    now: i64,
) -> Result<(), ApiError> {
    let json = serde_json::to_string(settings).map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut batch = vec![
        Params::new()
            .text(shop.as_str())
            .text(&json)
            .opt_text(secrets.api_key)
            .text(edge_origin)
            .int(now)
            .opt_text(secrets.webhook_secret)
            .flag(secrets.forget_webhook_secret)
            .bind(
                db,
                "INSERT INTO outreach_settings (shop_id, settings, api_key_sealed, edge_origin, \
                 updated_at, webhook_secret_sealed) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
                 ON CONFLICT (shop_id) DO UPDATE SET settings = excluded.settings, \
                 api_key_sealed = COALESCE(excluded.api_key_sealed, outreach_settings.api_key_sealed), \
                 webhook_secret_sealed = CASE WHEN ?7 THEN excluded.webhook_secret_sealed \
                   ELSE COALESCE(excluded.webhook_secret_sealed, \
                   outreach_settings.webhook_secret_sealed) END, \
                 edge_origin = excluded.edge_origin, updated_at = excluded.updated_at",
            )?,
    ];
    if let Some(key) = secrets.digest_key_to_clear {
        batch.push(Params::new().text(shop.as_str()).text(key).bind(
            db,
            "DELETE FROM outreach_suppressions WHERE shop_id = ?1 AND address_key = ?2",
        )?);
    }
    if !settings.sending {
        batch.push(skip_waiting(db, shop, now, "sending off")?);
        batch.push(
            Params::new()
                .text(shop.as_str())
                .bind(db, "DELETE FROM outreach_addresses WHERE shop_id = ?1")?,
        );
    }
    db.batch(batch).await?;
    Ok(())
}

fn skip_waiting(
    db: &D1Database,
    shop: &Id,
    now: i64,
    reason: &str,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(shop.as_str())
        .int(now)
        .text(reason)
        .bind(
            db,
            // A message a run holds is left to it (it may be on its way); the next run finds
            // sending off and skips what still waits.
            "UPDATE outreach_messages SET skipped_at = ?2, outcome = ?3 WHERE shop_id = ?1 \
         AND sent_at IS NULL AND failed_at IS NULL AND skipped_at IS NULL \
         AND (claimed_until IS NULL OR claimed_until <= ?2)",
        )
}

/// The statements that keep `sealed`, the address of `shop`'s order `order_id` (whose hash is
/// `address_key`), if the shop sends messages when they run, and while a message may still come:
/// the order or a parcel of it is not delivered yet, one of its messages waits, or a case about
/// it is unresolved or has an answer waiting (a platform resending a finished order does not
/// bring its address back). A changed address moves the waiting messages with it.
/// After the order's own statement.
pub fn keep_address(
    db: &D1Database,
    shop: &Id,
    order_id: &Id,
    sealed: &str,
    address_key: &str,
    locale: Option<&str>,
    now: i64,
) -> worker::Result<[D1PreparedStatement; 2]> {
    let keep = Params::new()
        .text(shop.as_str())
        .text(order_id.as_str())
        .text(sealed)
        .text(address_key)
        .opt_text(locale)
        .int(now)
        .bind(
            db,
            &format!(
                "INSERT INTO outreach_addresses (shop_id, order_id, sealed, address_key, locale, \
                 created_at) SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM \
                 outreach_settings WHERE shop_id = ?1 AND json_extract(settings, '$.sending')) \
                 AND ({STILL_ON_ITS_WAY} \
                   OR EXISTS (SELECT 1 FROM outreach_messages WHERE shop_id = ?1 \
                     AND order_id = ?2 AND sent_at IS NULL AND failed_at IS NULL \
                     AND skipped_at IS NULL) \
                   OR EXISTS (SELECT 1 FROM cases c WHERE c.shop_id = ?1 AND c.order_id = ?2 \
                     AND (c.state != 'resolved' OR EXISTS (SELECT 1 FROM outreach_messages w \
                       WHERE w.case_id = c.id AND w.sent_at IS NULL AND w.failed_at IS NULL \
                       AND w.skipped_at IS NULL)))) \
                 ON CONFLICT (shop_id, order_id) DO UPDATE SET sealed = excluded.sealed, \
                 address_key = excluded.address_key, locale = COALESCE(excluded.locale, \
                 outreach_addresses.locale)"
            ),
        )?;
    let follow = Params::new()
        .text(shop.as_str())
        .text(order_id.as_str())
        .text(address_key)
        .bind(
            db,
            "UPDATE outreach_messages SET address_key = ?3 WHERE shop_id = ?1 \
             AND (order_id = ?2 OR case_id IN (SELECT id FROM cases WHERE shop_id = ?1 \
               AND order_id = ?2)) \
             AND address_key != ?3 AND sent_at IS NULL AND failed_at IS NULL \
             AND skipped_at IS NULL",
        )?;
    Ok([keep, follow])
}

/// A message planned for days after delivery whose day is further past than this is not
/// planned (a delivery told of long after it happened, or an order brought in from history).
const STALE_AFTER_DAYS: i64 = 7;

/// The statement that plans `shop`'s message `kind` (a review request or a survey invitation)
/// for order `order_id`, delivered at `delivered_at`, the shop's days after it: if the shop sends
/// that kind, keeps the order's address, and that day is not over [`STALE_AFTER_DAYS`] past.
/// Planned once per order.
pub fn plan_after_delivery(
    db: &D1Database,
    id: &str,
    shop: &Id,
    order_id: &Id,
    kind: MessageKind,
    delivered_at: i64,
    now: i64,
) -> worker::Result<D1PreparedStatement> {
    // Where the kind's `on` and `days` are in the stored settings, and what they are in
    // settings stored before the kind was (the defaults, as the settings read them).
    let (timing, default_days) = match kind {
        MessageKind::SurveyInvitation => ("$.survey_invitation", SURVEY_DAYS_DEFAULT),
        _ => ("$.review_request", REVIEW_DAYS_DEFAULT),
    };
    Params::new()
        .text(id)
        .text(shop.as_str())
        .text(order_id.as_str())
        .text(kind.as_str())
        .int(delivered_at)
        .int(now)
        .int(DAY_MS)
        .int(STALE_AFTER_DAYS * DAY_MS)
        .text(&format!("{timing}.on"))
        .text(&format!("{timing}.days"))
        .int(i64::from(default_days))
        .bind(
            db,
            "INSERT OR IGNORE INTO outreach_messages (id, shop_id, order_id, kind, address_key, \
             due_at, created_at) \
             SELECT ?1, ?2, ?3, ?4, a.address_key, \
             ?5 + COALESCE(json_extract(s.settings, ?10), ?11) * ?7, ?6 \
             FROM outreach_addresses a JOIN outreach_settings s ON s.shop_id = a.shop_id \
             JOIN shops sh ON sh.id = a.shop_id \
             WHERE a.shop_id = ?2 AND a.order_id = ?3 AND json_extract(s.settings, '$.sending') \
             AND COALESCE(json_extract(s.settings, ?9), 1) \
             AND (?4 != 'survey_invitation' OR sh.survey_page IS NOT NULL) \
             AND ?5 + COALESCE(json_extract(s.settings, ?10), ?11) * ?7 >= ?6 - ?8",
        )
}

/// A shipment notice to plan: its message id, its kind and its parcel.
pub struct NoticeToPlan<'a> {
    pub id: String,
    pub kind: MessageKind,
    pub shipment: &'a str,
}

/// The statement that plans `notices` of `shop`'s order `order_id`, due now: those the shop
/// sends, if it keeps the order's address. Each planned once per parcel and kind.
pub fn plan_shipment_notices(
    db: &D1Database,
    shop: &Id,
    order_id: &Id,
    notices: &[NoticeToPlan<'_>],
    now: i64,
) -> worker::Result<D1PreparedStatement> {
    let listed: Vec<serde_json::Value> = notices
        .iter()
        .map(|n| {
            serde_json::json!({
                "id": n.id,
                "kind": n.kind.as_str(),
                "shipment": n.shipment,
                "switch": ShipmentNotices::switch(n.kind)
                    .map(|name| format!("$.shipment_notices.{name}")),
            })
        })
        .collect();
    Params::new()
        .text(shop.as_str())
        .text(order_id.as_str())
        .int(now)
        .text(&serde_json::Value::Array(listed).to_string())
        .bind(
            db,
            "INSERT OR IGNORE INTO outreach_messages (id, shop_id, order_id, kind, shipment_id, \
             address_key, due_at, created_at) \
             SELECT json_extract(n.value, '$.id'), ?1, ?2, json_extract(n.value, '$.kind'), \
             json_extract(n.value, '$.shipment'), a.address_key, ?3, ?3 \
             FROM json_each(?4) n, outreach_addresses a \
             JOIN outreach_settings s ON s.shop_id = a.shop_id \
             WHERE a.shop_id = ?1 AND a.order_id = ?2 AND json_extract(s.settings, '$.sending') \
             AND json_extract(s.settings, json_extract(n.value, '$.switch'))",
        )
}

/// The statement that plans `shop`'s reply notice for `review`, to the shopper whose address
/// hashes to `address_key`, due at `due_at`: if the shop sends reply notices, and the review came
/// from the shop's own review form with an email (an imported review's author never gave memnun
/// one). Planned once per review: a reply edited later is not sent again.
pub fn plan_reply_notice(
    db: &D1Database,
    id: &str,
    shop: &Id,
    review: &str,
    address_key: &str,
    due_at: i64,
    now: i64,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(id)
        .text(shop.as_str())
        .text(review)
        .text(MessageKind::ReplyNotice.as_str())
        .text(address_key)
        .int(due_at)
        .int(now)
        .bind(
            db,
            "INSERT OR IGNORE INTO outreach_messages (id, shop_id, review_id, kind, address_key, \
             due_at, created_at) \
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 FROM outreach_settings s JOIN reviews r \
             ON r.shop_id = s.shop_id AND r.id = ?3 \
             WHERE s.shop_id = ?2 AND json_extract(s.settings, '$.sending') \
             AND COALESCE(json_extract(s.settings, '$.reply_notice.on'), 1) \
             AND r.email IS NOT NULL AND r.source = 'widget'",
        )
}

/// A shop that sends the merchant's digest: its id and settings (JSON).
#[derive(Deserialize)]
pub struct DigestShop {
    pub shop_id: String,
    pub settings: String,
}

/// Up to `limit` shops, taken at random (so that, run after run, every one comes up within its
/// Monday's window), that send their merchant's digest and have none planned for the last six
/// days (a digest's `created_at` is the Monday morning it is for).
pub async fn digest_shops(
    db: &D1Database,
    now: i64,
    limit: u32,
) -> Result<Vec<DigestShop>, ApiError> {
    Ok(Params::new()
        .int(now - 6 * DAY_MS)
        .int(i64::from(limit))
        .text(MessageKind::MerchantDigest.as_str())
        .bind(
            db,
            "SELECT s.shop_id, s.settings FROM outreach_settings s \
             WHERE json_extract(s.settings, '$.sending') \
             AND json_extract(s.settings, '$.digest.on') \
             AND NOT EXISTS (SELECT 1 FROM outreach_messages d WHERE d.shop_id = s.shop_id \
               AND d.kind = ?3 AND d.created_at > ?1) \
             ORDER BY random() LIMIT ?2",
        )?
        .all()
        .await?
        .results()?)
}

/// The statement that plans `shop`'s digest `id` (one per shop and week: the id names both) for
/// the week that ends at `week_ends` (its `created_at`), to the merchant whose address hashes to
/// `address_key`, due now: unless the merchant stopped it from its link.
pub fn plan_digest(
    db: &D1Database,
    id: &str,
    shop: &str,
    address_key: &str,
    week_ends: i64,
    now: i64,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(id)
        .text(shop)
        .text(MessageKind::MerchantDigest.as_str())
        .text(address_key)
        .int(now)
        .int(week_ends)
        .bind(
            db,
            "INSERT OR IGNORE INTO outreach_messages (id, shop_id, kind, address_key, due_at, \
             created_at) SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE NOT EXISTS (SELECT 1 FROM \
             outreach_suppressions WHERE shop_id = ?2 AND address_key = ?4)",
        )
}

/// What the digest counts of `shop`'s reviews: those written in `[from, to)`, their average
/// rating in tenths, and those waiting for moderation now.
#[derive(Deserialize)]
pub struct DigestReviews {
    pub new_reviews: Option<u64>,
    pub average_tenths: Option<f64>,
    pub waiting: Option<u64>,
}

pub async fn digest_reviews(
    db: &D1Database,
    shop: &Id,
    from: i64,
    to: i64,
) -> Result<DigestReviews, ApiError> {
    let row: Option<DigestReviews> = Params::new()
        .text(shop.as_str())
        .int(from)
        .int(to)
        .bind(
            db,
            "SELECT SUM(created_at >= ?2 AND created_at < ?3 AND status != 'rejected') \
               AS new_reviews, \
             AVG(CASE WHEN created_at >= ?2 AND created_at < ?3 AND status != 'rejected' \
               THEN rating * 10.0 END) AS average_tenths, \
             SUM(status = 'pending') AS waiting FROM reviews WHERE shop_id = ?1",
        )?
        .first(None)
        .await?;
    Ok(row.unwrap_or(DigestReviews {
        new_reviews: None,
        average_tenths: None,
        waiting: None,
    }))
}

/// A message that is due, with everything its send decides on.
#[derive(Deserialize)]
pub struct Due {
    pub id: String,
    pub shop_id: String,
    /// `None` for a reply notice, which is about a review.
    pub order_id: Option<String>,
    pub kind: String,
    /// The parcel a shipment notice is about; empty for the other kinds.
    pub shipment_id: String,
    pub address_key: String,
    pub attempts: u32,
    pub created_at: i64,
    /// `sending` while an attempt's answer is unknown (see [`started`]).
    pub outcome: Option<String>,
    pub shop_name: String,
    pub settings: Option<String>,
    pub api_key_sealed: Option<String>,
    pub edge_origin: Option<String>,
    pub sealed: Option<String>,
    pub locale: Option<String>,
    /// 1 when the shopper is on the shop's suppression list.
    pub suppressed: i64,
    /// 1 when the order has a review.
    pub reviewed: i64,
    /// When this shopper was last sent anything else the cap counts (`MessageKind::is_capped`).
    pub last_sent_at: Option<i64>,
    /// The shop's survey settings (`protocol::survey::SurveySettings` as JSON), if it set any.
    pub survey_settings: Option<String>,
    /// 1 when the order's survey was answered or declined.
    pub answered: i64,
    /// When this shopper last opened the survey of another of their orders.
    pub surveyed_at: Option<i64>,
    /// When this shopper was last sent another survey invitation.
    pub invited_at: Option<i64>,
    /// A reply notice's review: its author's address, product, status and the reply now.
    pub review_email: Option<String>,
    pub review_product: Option<String>,
    pub review_status: Option<String>,
    pub review_reply: Option<String>,
    /// A case answer's case's order (its address is the order's), and the answer's words.
    pub case_order: Option<String>,
    pub case_answer: Option<String>,
    /// An answer notice's question: its author's address, product, status and the answer now.
    pub question_email: Option<String>,
    pub question_product: Option<String>,
    pub question_status: Option<String>,
    pub question_answer: Option<String>,
}

impl Due {
    pub fn settings(&self) -> Result<Option<OutreachSettings>, ApiError> {
        self.settings.as_deref().map(read_settings).transpose()
    }
}

/// Claims, as `claim` until `lease_ends`, the messages due at `now` that no live claim holds: at
/// most `per_shop` of each shop and `per_run` in all, taken round-robin (every shop's oldest, then
/// every shop's second, …), so one shop's backlog or slow provider does not hold the others'. Claimed
/// and read in one batch: an overlapping run finds them taken.
pub async fn claim_due(
    db: &D1Database,
    claim: &str,
    now: i64,
    lease_ends: i64,
    per_run: u32,
    per_shop: u32,
) -> Result<Vec<Due>, ApiError> {
    // The kinds the cap holds, and counts.
    let capped: Vec<&str> = MessageKind::ALL
        .into_iter()
        .filter(|k| k.is_capped())
        .map(MessageKind::as_str)
        .collect();
    let capped = serde_json::to_string(&capped).map_err(|e| ApiError::Internal(e.to_string()))?;
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
                    "UPDATE outreach_messages SET claim = ?3, claimed_until = ?4 WHERE id IN \
                     (SELECT id FROM (SELECT id, due_at, ROW_NUMBER() OVER \
                       (PARTITION BY shop_id ORDER BY due_at, id) AS nth \
                       FROM outreach_messages WHERE sent_at IS NULL \
                       AND failed_at IS NULL AND skipped_at IS NULL AND due_at <= ?1 \
                       AND (claimed_until IS NULL OR claimed_until <= ?1)) \
                      WHERE nth <= ?5 ORDER BY nth, due_at LIMIT ?2)",
                )?,
            Params::new().text(claim).text(&capped).bind(
                db,
                "SELECT m.id, m.shop_id, m.order_id, m.kind, m.shipment_id, \
                 m.address_key, m.attempts, m.created_at, m.outcome, \
                 sh.name AS shop_name, s.settings, s.api_key_sealed, s.edge_origin, a.sealed, \
                 COALESCE(a.locale, rv.locale, qn.locale) AS locale, rv.email AS review_email, \
                 rv.product_id AS review_product, rv.status AS review_status, \
                 rv.reply_body AS review_reply, c.order_id AS case_order, \
                 (SELECT h.text FROM case_history h WHERE h.message_id = m.id) AS case_answer, \
                 qn.email AS question_email, qn.product_id AS question_product, \
                 qn.status AS question_status, qn.answer_body AS question_answer, \
                 EXISTS (SELECT 1 FROM outreach_suppressions x WHERE x.shop_id = m.shop_id \
                   AND x.address_key = m.address_key) AS suppressed, \
                 EXISTS (SELECT 1 FROM reviews r WHERE r.shop_id = m.shop_id \
                   AND r.order_id = m.order_id) AS reviewed, \
                 (SELECT MAX(o.sent_at) FROM outreach_messages o WHERE o.shop_id = m.shop_id \
                   AND o.address_key = m.address_key AND o.id != m.id \
                   AND o.kind IN (SELECT value FROM json_each(?2))) AS last_sent_at, \
                 sv.settings AS survey_settings, \
                 EXISTS (SELECT 1 FROM survey_responses r WHERE r.shop_id = m.shop_id \
                   AND r.order_id = m.order_id AND (r.seq > 0 OR r.completed_at IS NOT NULL \
                   OR r.dismissed_at IS NOT NULL)) AS answered, \
                 (SELECT MAX(r.opened_at) FROM survey_responses r WHERE r.shop_id = m.shop_id \
                   AND r.shopper_key = m.address_key AND r.order_id != m.order_id) \
                   AS surveyed_at, \
                 (SELECT MAX(o.sent_at) FROM outreach_messages o WHERE o.shop_id = m.shop_id \
                   AND o.address_key = m.address_key AND o.id != m.id \
                   AND o.kind = 'survey_invitation') AS invited_at \
                 FROM outreach_messages m JOIN shops sh ON sh.id = m.shop_id \
                 LEFT JOIN outreach_settings s ON s.shop_id = m.shop_id \
                 LEFT JOIN survey_settings sv ON sv.shop_id = m.shop_id \
                 LEFT JOIN cases c ON c.shop_id = m.shop_id AND c.id = m.case_id \
                 LEFT JOIN reviews rv ON rv.shop_id = m.shop_id \
                   AND rv.id = COALESCE(m.review_id, c.review_id) \
                 LEFT JOIN questions qn ON qn.shop_id = m.shop_id AND qn.id = m.question_id \
                 LEFT JOIN outreach_addresses a ON a.shop_id = m.shop_id \
                   AND a.order_id = COALESCE(m.order_id, c.order_id) \
                 WHERE m.claim = ?1 ORDER BY m.due_at, m.kind, m.id",
            )?,
        ],
    )
    .await?;
    Ok(claimed.results()?)
}

// Each outcome releases its own claim only: a lapsed claim taken over by another run is theirs.

/// Notes that an attempt at message `id` is being made (its answer not known yet), before the
/// request goes: for a provider without idempotency, a message found in this state was perhaps
/// sent, and is not sent again.
pub fn started(db: &D1Database, id: &str, claim: &str) -> worker::Result<D1PreparedStatement> {
    Params::new().text(id).text(claim).bind(
        db,
        "UPDATE outreach_messages SET outcome = 'sending' WHERE id = ?1 AND claim = ?2 \
         AND sent_at IS NULL AND failed_at IS NULL AND skipped_at IS NULL",
    )
}

/// Records message `id` sent at `now` on its `attempts`th attempt, with the provider's id.
pub fn sent(
    db: &D1Database,
    id: &str,
    claim: &str,
    attempts: u32,
    now: i64,
    provider_id: &str,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(id)
        .int(now)
        .int(i64::from(attempts))
        .text(provider_id)
        .text(claim)
        .bind(
            db,
            "UPDATE outreach_messages SET sent_at = ?2, attempts = ?3, provider_id = ?4, \
             outcome = NULL, claim = NULL, claimed_until = NULL WHERE id = ?1 AND claim = ?5",
        )
}

/// Records message `id`'s failed `attempts`th attempt, and tries it again at `next`.
pub fn retry(
    db: &D1Database,
    id: &str,
    claim: &str,
    attempts: u32,
    next: i64,
    reason: &str,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(id)
        .int(i64::from(attempts))
        .int(next)
        .text(reason)
        .text(claim)
        .bind(
            db,
            "UPDATE outreach_messages SET attempts = ?2, due_at = ?3, outcome = ?4, \
             claim = NULL, claimed_until = NULL WHERE id = ?1 AND claim = ?5",
        )
}

/// Moves message `id` to `until` without counting an attempt (the quiet hours, the cap).
pub fn postpone(
    db: &D1Database,
    id: &str,
    claim: &str,
    until: i64,
    reason: &str,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(id)
        .int(until)
        .text(reason)
        .text(claim)
        .bind(
            db,
            "UPDATE outreach_messages SET due_at = ?2, outcome = ?3, claim = NULL, \
             claimed_until = NULL WHERE id = ?1 AND claim = ?4",
        )
}

/// Records message `id` failed for good at `now`, on its `attempts`th attempt.
pub fn failed(
    db: &D1Database,
    id: &str,
    claim: &str,
    attempts: u32,
    now: i64,
    reason: &str,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(id)
        .int(i64::from(attempts))
        .int(now)
        .text(reason)
        .text(claim)
        .bind(
            db,
            "UPDATE outreach_messages SET attempts = ?2, failed_at = ?3, outcome = ?4, \
             claim = NULL, claimed_until = NULL WHERE id = ?1 AND claim = ?5",
        )
}

/// Records message `id` not sent, by the rule `reason`.
pub fn skipped(
    db: &D1Database,
    id: &str,
    claim: &str,
    now: i64,
    reason: &str,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(id)
        .int(now)
        .text(reason)
        .text(claim)
        .bind(
            db,
            "UPDATE outreach_messages SET skipped_at = ?2, outcome = ?3, claim = NULL, \
             claimed_until = NULL WHERE id = ?1 AND claim = ?4",
        )
}

/// The statement that plans the follow-up `kind` of the message `after` (sent now), due at
/// `due_at`, for the same order and shopper. Planned once.
pub fn plan_follow_up(
    db: &D1Database,
    id: &str,
    after: &str,
    kind: MessageKind,
    due_at: i64,
    now: i64,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(id)
        .text(after)
        .text(kind.as_str())
        .int(due_at)
        .int(now)
        .bind(
            db,
            "INSERT OR IGNORE INTO outreach_messages (id, shop_id, order_id, kind, address_key, \
             due_at, created_at) SELECT ?1, shop_id, order_id, ?3, address_key, ?4, ?5 \
             FROM outreach_messages WHERE id = ?2",
        )
}

/// The statement that forgets the address of `shop`'s order `order_id` once the order and every
/// parcel of it are delivered (a parcel's notice sent before then is not its last message) and
/// none of its messages waits any more, nor a case about it (unresolved, or with an answer still
/// to go): after a message's outcome, after the plans made at delivery, and when a case is
/// resolved.
pub fn forget_address_when_done(
    db: &D1Database,
    shop: &str,
    order_id: &str,
) -> worker::Result<D1PreparedStatement> {
    Params::new().text(shop).text(order_id).bind(
        db,
        &format!(
            "DELETE FROM outreach_addresses WHERE shop_id = ?1 AND order_id = ?2 \
             AND NOT {STILL_ON_ITS_WAY} \
             AND NOT EXISTS (SELECT 1 FROM outreach_messages w WHERE w.shop_id = ?1 \
               AND w.order_id = ?2 AND w.sent_at IS NULL AND w.failed_at IS NULL \
               AND w.skipped_at IS NULL) \
             AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.shop_id = ?1 AND c.order_id = ?2 \
               AND (c.state != 'resolved' OR EXISTS (SELECT 1 FROM outreach_messages w \
                 WHERE w.case_id = c.id AND w.sent_at IS NULL AND w.failed_at IS NULL \
                 AND w.skipped_at IS NULL)))"
        ),
    )
}

/// Who gets nothing more from a shop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suppression {
    Unsubscribed,
    Bounced,
    Complained,
}

impl Suppression {
    pub const fn as_str(self) -> &'static str {
        match self {
            Suppression::Unsubscribed => "unsubscribed",
            Suppression::Bounced => "bounced",
            Suppression::Complained => "complained",
        }
    }
}

/// The statement that puts `address_key` on `shop`'s suppression list (the first reason stays).
pub fn suppress(
    db: &D1Database,
    shop: &Id,
    address_key: &str,
    reason: Suppression,
    now: i64,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(shop.as_str())
        .text(address_key)
        .text(reason.as_str())
        .int(now)
        .bind(
            db,
            "INSERT OR IGNORE INTO outreach_suppressions (shop_id, address_key, reason, \
             created_at) VALUES (?1, ?2, ?3, ?4)",
        )
}

/// Whether `address_key` is on `shop`'s suppression list.
pub async fn is_suppressed(
    db: &D1Database,
    shop: &Id,
    address_key: &str,
) -> Result<bool, ApiError> {
    let found: Vec<String> =
        super::texts(Params::new().text(shop.as_str()).text(address_key).bind(
            db,
            "SELECT reason FROM outreach_suppressions WHERE shop_id = ?1 AND address_key = ?2",
        )?)
        .await?;
    Ok(!found.is_empty())
}

/// The shop's figures per kind, its suppressions by reason, and its newest 50 messages.
pub async fn report(db: &D1Database, shop: &Id) -> Result<OutreachReport, ApiError> {
    #[derive(Deserialize)]
    struct KindRow {
        kind: String,
        scheduled: u64,
        sent: u64,
        failed: u64,
        skipped: u64,
        reviewed: u64,
    }
    #[derive(Deserialize)]
    struct ReasonRow {
        reason: String,
        n: u64,
    }
    #[derive(Deserialize)]
    struct MessageRow {
        id: String,
        kind: String,
        order_id: Option<String>,
        review_id: Option<String>,
        due_at: i64,
        attempts: u32,
        sent_at: Option<i64>,
        failed_at: Option<i64>,
        skipped_at: Option<i64>,
        outcome: Option<String>,
    }
    let key = || Params::new().text(shop.as_str());
    let [kinds, reasons, messages] = http::batch::<3>(
        db,
        vec![
            key().int(REVIEWED_WITHIN_DAYS * DAY_MS).bind(
                db,
                "SELECT m.kind, \
                 SUM(m.sent_at IS NULL AND m.failed_at IS NULL AND m.skipped_at IS NULL) \
                   AS scheduled, \
                 SUM(m.sent_at IS NOT NULL) AS sent, SUM(m.failed_at IS NOT NULL) AS failed, \
                 SUM(m.skipped_at IS NOT NULL) AS skipped, \
                 SUM(m.sent_at IS NOT NULL AND m.kind IN ('review_request', 'review_reminder') \
                   AND EXISTS (SELECT 1 FROM reviews r \
                   WHERE r.shop_id = m.shop_id AND r.order_id = m.order_id \
                   AND r.created_at >= m.sent_at AND r.created_at < m.sent_at + ?2)) AS reviewed \
                 FROM outreach_messages m WHERE m.shop_id = ?1 GROUP BY m.kind",
            )?,
            key().bind(
                db,
                "SELECT reason, COUNT(*) AS n FROM outreach_suppressions WHERE shop_id = ?1 \
                 GROUP BY reason",
            )?,
            key().bind(
                db,
                "SELECT id, kind, order_id, review_id, due_at, attempts, sent_at, failed_at, \
                 skipped_at, outcome FROM outreach_messages WHERE shop_id = ?1 \
                 ORDER BY created_at DESC, id LIMIT 50",
            )?,
        ],
    )
    .await?;
    let kinds: Vec<KindRow> = kinds.results()?;
    let reasons: Vec<ReasonRow> = reasons.results()?;
    let messages: Vec<MessageRow> = messages.results()?;
    let by_reason = |name: &str| reasons.iter().find(|r| r.reason == name).map_or(0, |r| r.n);
    Ok(OutreachReport {
        kinds: MessageKind::ALL
            .into_iter()
            .map(|kind| {
                let row = kinds.iter().find(|r| r.kind == kind.as_str());
                KindFigures {
                    kind,
                    scheduled: row.map_or(0, |r| r.scheduled),
                    sent: row.map_or(0, |r| r.sent),
                    failed: row.map_or(0, |r| r.failed),
                    skipped: row.map_or(0, |r| r.skipped),
                    reviewed_within_14_days: row.map_or(0, |r| r.reviewed),
                }
            })
            .collect(),
        unsubscribed: by_reason("unsubscribed"),
        bounced: by_reason("bounced"),
        complained: by_reason("complained"),
        messages: messages
            .into_iter()
            .filter_map(|m| {
                let state = if m.sent_at.is_some() {
                    MessageState::Sent
                } else if m.failed_at.is_some() {
                    MessageState::Failed
                } else if m.skipped_at.is_some() {
                    MessageState::Skipped
                } else {
                    MessageState::Scheduled
                };
                Some(OutreachMessage {
                    id: m.id,
                    kind: MessageKind::parse(&m.kind)?,
                    order: m.order_id,
                    review: m.review_id,
                    state,
                    due_at: m.due_at,
                    attempts: m.attempts,
                    sent_at: m.sent_at,
                    outcome: m.outcome,
                })
            })
            .collect(),
    })
}

/// A value sealed with a key being retired.
#[derive(Deserialize)]
pub struct Stale {
    pub shop_id: String,
    /// The order, for an address; `None` for a shop's secrets.
    pub order_id: Option<String>,
    pub api_key_sealed: Option<String>,
    pub webhook_secret_sealed: Option<String>,
    pub sealed: Option<String>,
}

/// Up to `limit` shops' secrets and orders' addresses sealed with the key whose values begin with
/// `previous` (the one being retired).
pub async fn stale_sealed(
    db: &D1Database,
    previous: &str,
    limit: u32,
) -> Result<Vec<Stale>, ApiError> {
    let prefix = format!("{previous}%");
    let [secrets, addresses] = http::batch::<2>(
        db,
        vec![
            Params::new().text(&prefix).int(i64::from(limit)).bind(
                db,
                "SELECT shop_id, NULL AS order_id, api_key_sealed, webhook_secret_sealed, \
                 NULL AS sealed FROM outreach_settings \
                 WHERE api_key_sealed LIKE ?1 OR webhook_secret_sealed LIKE ?1 LIMIT ?2",
            )?,
            Params::new().text(&prefix).int(i64::from(limit)).bind(
                db,
                "SELECT shop_id, order_id, NULL AS api_key_sealed, NULL AS webhook_secret_sealed, \
                 sealed FROM outreach_addresses WHERE sealed LIKE ?1 LIMIT ?2",
            )?,
        ],
    )
    .await?;
    let mut stale: Vec<Stale> = secrets.results()?;
    stale.extend(addresses.results::<Stale>()?);
    Ok(stale)
}

/// The statement that replaces `row`'s sealed secrets with `api_key_sealed` and
/// `webhook_secret_sealed` (sealed again, or `None` for one that no key opens), unless the
/// merchant changed them since `row` was read.
pub fn reseal_secrets(
    db: &D1Database,
    row: &Stale,
    api_key_sealed: Option<&str>,
    webhook_secret_sealed: Option<&str>,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(&row.shop_id)
        .opt_text(api_key_sealed)
        .opt_text(webhook_secret_sealed)
        .opt_text(row.api_key_sealed.as_deref())
        .opt_text(row.webhook_secret_sealed.as_deref())
        .bind(
            db,
            "UPDATE outreach_settings SET api_key_sealed = ?2, webhook_secret_sealed = ?3 \
             WHERE shop_id = ?1 AND api_key_sealed IS ?4 AND webhook_secret_sealed IS ?5",
        )
}

/// The statement that replaces an order's sealed address with the same, sealed again (or, with
/// `None`, deletes one that no key opens), unless the order's address changed since it was read.
pub fn reseal_address(
    db: &D1Database,
    row: &Stale,
    order: &str,
    sealed: Option<&str>,
) -> worker::Result<D1PreparedStatement> {
    let key = Params::new().text(&row.shop_id).text(order);
    let was = row.sealed.as_deref().unwrap_or_default();
    match sealed {
        Some(sealed) => key.text(was).text(sealed).bind(
            db,
            "UPDATE outreach_addresses SET sealed = ?4 WHERE shop_id = ?1 AND order_id = ?2 \
             AND sealed = ?3",
        ),
        None => key.text(was).bind(
            db,
            "DELETE FROM outreach_addresses WHERE shop_id = ?1 AND order_id = ?2 AND sealed = ?3",
        ),
    }
}
