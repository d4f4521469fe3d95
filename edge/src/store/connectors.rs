//! Connected platforms (`connectors`: the secret each signs its webhooks with), the deliveries
//! taken from them (`connector_deliveries`, by the platform's own delivery and event ids, so one
//! delivered twice is known), and when the platform last changed each order it sent
//! (`connector_orders`), so an older payload arriving late cannot undo a newer one.
//!
//! That last rule and the erasure's are the database's own (migration 0011's triggers): a write
//! of a payload carries [`order_guard`] in its batch, which aborts the whole batch when the
//! payload is not the newest or its order was erased; [`Tripped`] reads which.

use super::Params;
use crate::platform::error::ApiError;
use memnun_protocol::Id;
use memnun_protocol::connectors::{ConnectorDelivery, DeliveryOutcome, Platform, ValidConnector};
use serde::Deserialize;
use worker::{D1Database, D1PreparedStatement};

/// How `shop` connected `platform`: the secret it signs with, and what its products are read in.
#[derive(Deserialize)]
pub struct Setup {
    pub secret: String,
    pub currency: String,
    pub locale: String,
}

/// How `shop` connected `platform`, if it did.
pub async fn setup(
    db: &D1Database,
    shop: &Id,
    platform: Platform,
) -> worker::Result<Option<Setup>> {
    Params::new()
        .text(shop.as_str())
        .text(platform.as_str())
        .bind(
            db,
            "SELECT secret, currency, locale FROM connectors WHERE shop_id = ?1 AND platform = ?2",
        )?
        .first(None)
        .await
}

/// Connects `platform` as `valid` says from `now` on, in place of a connection before it.
pub async fn connect(
    db: &D1Database,
    shop: &Id,
    platform: Platform,
    valid: &ValidConnector,
    now: i64,
) -> worker::Result<()> {
    Params::new()
        .text(shop.as_str())
        .text(platform.as_str())
        .text(&valid.secret)
        .int(now)
        .text(&valid.currency)
        .text(&valid.locale)
        .bind(
            db,
            "INSERT INTO connectors (shop_id, platform, secret, connected_at, currency, locale) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (shop_id, platform) DO UPDATE SET \
             secret = excluded.secret, connected_at = excluded.connected_at, \
             currency = excluded.currency, locale = excluded.locale, signature_refused_at = NULL",
        )?
        .run()
        .await?;
    Ok(())
}

/// Disconnects `platform`: its webhooks are refused from now on. Whether it was connected.
pub async fn disconnect(db: &D1Database, shop: &Id, platform: Platform) -> worker::Result<bool> {
    let result = Params::new()
        .text(shop.as_str())
        .text(platform.as_str())
        .bind(
            db,
            "DELETE FROM connectors WHERE shop_id = ?1 AND platform = ?2",
        )?
        .run()
        .await?;
    Ok(result
        .meta()?
        .and_then(|m| m.changes)
        .is_some_and(|n| n > 0))
}

/// Forgets every delivery taken from `platform`.
pub async fn forget_deliveries(
    db: &D1Database,
    shop: &Id,
    platform: Platform,
) -> worker::Result<()> {
    Params::new()
        .text(shop.as_str())
        .text(platform.as_str())
        .bind(
            db,
            "DELETE FROM connector_deliveries WHERE shop_id = ?1 AND platform = ?2",
        )?
        .run()
        .await?;
    Ok(())
}

/// A connected platform, as the merchant's list shows it.
#[derive(Deserialize)]
pub struct Connected {
    pub platform: String,
    pub connected_at: i64,
    pub currency: String,
    pub locale: String,
    pub signature_refused_at: Option<i64>,
}

/// `shop`'s connected platforms.
pub async fn connected(db: &D1Database, shop: &Id) -> worker::Result<Vec<Connected>> {
    Params::new()
        .text(shop.as_str())
        .bind(
            db,
            "SELECT platform, connected_at, currency, locale, signature_refused_at FROM connectors \
             WHERE shop_id = ?1 ORDER BY platform",
        )?
        .all()
        .await?
        .results()
}

/// Notes that a delivery's signature was not `platform`'s secret's, at `now`: at most once an
/// hour, since anyone may send one.
pub async fn signature_refused(
    db: &D1Database,
    shop: &Id,
    platform: Platform,
    now: i64,
) -> worker::Result<()> {
    Params::new()
        .text(shop.as_str())
        .text(platform.as_str())
        .int(now)
        .bind(
            db,
            "UPDATE connectors SET signature_refused_at = ?3 WHERE shop_id = ?1 AND platform = ?2 \
             AND (signature_refused_at IS NULL OR signature_refused_at < ?3 - 3600000)",
        )?
        .run()
        .await?;
    Ok(())
}

/// The `limit` newest deliveries taken from `platform`, newest first.
pub async fn deliveries(
    db: &D1Database,
    shop: &Id,
    platform: Platform,
    limit: u32,
) -> worker::Result<Vec<ConnectorDelivery>> {
    Params::new()
        .text(shop.as_str())
        .text(platform.as_str())
        .int(i64::from(limit))
        .bind(
            db,
            "SELECT delivery_id AS id, topic, received_at, outcome, detail \
             FROM connector_deliveries WHERE shop_id = ?1 AND platform = ?2 \
             ORDER BY received_at DESC, delivery_id LIMIT ?3",
        )?
        .all()
        .await?
        .results()
}

/// One delivery: the platform's id for it, for the event it tells of (if it names one), and
/// its topic.
pub struct Delivery<'a> {
    pub id: &'a str,
    pub event_id: Option<&'a str>,
    pub topic: &'a str,
}

/// Whether the delivery was taken before: the same delivery, or another of the same event and
/// topic. One put off for later ([`DeliveryOutcome::Retry`]) was not taken.
pub async fn taken_before(
    db: &D1Database,
    shop: &Id,
    platform: Platform,
    delivery: &Delivery<'_>,
) -> worker::Result<bool> {
    let found: Option<i64> = Params::new()
        .text(shop.as_str())
        .text(platform.as_str())
        .text(delivery.id)
        .opt_text(delivery.event_id)
        .text(delivery.topic)
        .text(DeliveryOutcome::Retry.as_str())
        .bind(
            db,
            "SELECT 1 AS taken FROM connector_deliveries \
             WHERE shop_id = ?1 AND platform = ?2 AND outcome != ?6 \
             AND (delivery_id = ?3 OR (event_id = ?4 AND topic = ?5)) LIMIT 1",
        )?
        .first(Some("taken"))
        .await?;
    Ok(found.is_some())
}

/// Records what the delivery did at `now` (again, for one put off before).
pub async fn record_delivery(
    db: &D1Database,
    shop: &Id,
    platform: Platform,
    delivery: &Delivery<'_>,
    outcome: DeliveryOutcome,
    detail: Option<&str>,
    now: i64,
) -> worker::Result<()> {
    Params::new()
        .text(shop.as_str())
        .text(platform.as_str())
        .text(delivery.id)
        .text(delivery.topic)
        .int(now)
        .text(outcome.as_str())
        .opt_text(delivery.event_id)
        .opt_text(detail)
        .bind(
            db,
            "INSERT INTO connector_deliveries \
             (shop_id, platform, delivery_id, topic, received_at, outcome, event_id, detail) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
             ON CONFLICT (shop_id, platform, delivery_id) DO UPDATE SET topic = excluded.topic, \
             received_at = excluded.received_at, outcome = excluded.outcome, \
             event_id = excluded.event_id, detail = excluded.detail",
        )?
        .run()
        .await?;
    Ok(())
}

/// What a payload carries about its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payload {
    /// The whole order: stored only when the platform changed it later than anything stored.
    Order,
    /// One parcel: stored unless something the platform changed later is stored (a parcel
    /// changed with its order carries the order's time, and must still be taken).
    Parcel,
}

/// The statement that, in the batch that writes a payload of `order_id` (whose tombstone would
/// be `order_key`, `pseudonyms::erased_order`) the platform changed at `changed_at`, notes that
/// time and aborts the batch when the payload is not the newest or the order was erased (see
/// [`Tripped`]).
pub fn order_guard(
    db: &D1Database,
    shop: &Id,
    order_id: &Id,
    order_key: &str,
    changed_at: i64,
    payload: Payload,
) -> worker::Result<D1PreparedStatement> {
    let same_time = match payload {
        Payload::Order => "",
        Payload::Parcel => " WHERE excluded.changed_at != connector_orders.changed_at",
    };
    Params::new()
        .text(shop.as_str())
        .text(order_id.as_str())
        .int(changed_at)
        .text(order_key)
        .bind(
            db,
            &format!(
                "INSERT INTO connector_orders (shop_id, order_id, changed_at, order_key) \
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT (shop_id, order_id) DO UPDATE SET \
                 changed_at = excluded.changed_at{same_time}"
            ),
        )
}

/// The statement that, in the batch that writes a payload of the product `product_id` the
/// platform changed at `changed_at` (for a deletion, when memnun took it), notes that time and aborts the
/// batch when the payload is not the newest (see [`Tripped`]).
pub fn product_guard(
    db: &D1Database,
    shop: &Id,
    product_id: &Id,
    changed_at: i64,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(shop.as_str())
        .text(product_id.as_str())
        .int(changed_at)
        .bind(
            db,
            "INSERT INTO connector_products (shop_id, product_id, changed_at) \
             VALUES (?1, ?2, ?3) ON CONFLICT (shop_id, product_id) DO UPDATE SET \
             changed_at = excluded.changed_at",
        )
}

/// Why an [`order_guard`] or [`product_guard`] undid its batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tripped {
    /// Something the platform changed as late or later is stored.
    Stale,
    /// The order's shopper had it erased.
    Erased,
}

impl Tripped {
    /// Which guard `error` is, if it is one: by the messages migration 0011's triggers raise.
    pub fn of(error: &ApiError) -> Option<Tripped> {
        let ApiError::Internal(message) = error else {
            return None;
        };
        if message.contains("memnun: stale connector payload") {
            Some(Tripped::Stale)
        } else if message.contains("memnun: erased order") {
            Some(Tripped::Erased)
        } else {
            None
        }
    }
}

/// Whether the order whose tombstone would be `order_key` was erased at its shopper's request.
pub async fn erased(db: &D1Database, shop: &Id, order_key: &str) -> worker::Result<bool> {
    let found: Option<i64> = Params::new()
        .text(shop.as_str())
        .text(order_key)
        .bind(
            db,
            "SELECT 1 AS erased FROM erased_orders WHERE shop_id = ?1 AND order_key = ?2",
        )?
        .first(Some("erased"))
        .await?;
    Ok(found.is_some())
}
