//! Connected platforms (`connectors`: the secret each signs its webhooks with), the deliveries
//! taken from them (`connector_deliveries`, by the platform's own delivery id, so one delivered
//! twice is known), and when the platform last changed each order it sent (`connector_orders`),
//! so an older payload arriving late cannot undo a newer one.

use super::Params;
use memnun_protocol::Id;
use memnun_protocol::connectors::{ConnectorDelivery, DeliveryOutcome, Platform};
use serde::Deserialize;
use worker::{D1Database, D1PreparedStatement};

/// The secret `platform` signs `shop`'s webhooks with, if the shop connected it.
pub async fn secret(
    db: &D1Database,
    shop: &Id,
    platform: Platform,
) -> worker::Result<Option<String>> {
    Params::new()
        .text(shop.as_str())
        .text(platform.as_str())
        .bind(
            db,
            "SELECT secret FROM connectors WHERE shop_id = ?1 AND platform = ?2",
        )?
        .first(Some("secret"))
        .await
}

/// Connects `platform` with `secret` from `now` on, in place of a secret before it.
pub async fn connect(
    db: &D1Database,
    shop: &Id,
    platform: Platform,
    secret: &str,
    now: i64,
) -> worker::Result<()> {
    Params::new()
        .text(shop.as_str())
        .text(platform.as_str())
        .text(secret)
        .int(now)
        .bind(
            db,
            "INSERT INTO connectors (shop_id, platform, secret, connected_at) \
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT (shop_id, platform) DO UPDATE SET \
             secret = excluded.secret, connected_at = excluded.connected_at",
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

/// A connected platform, as the merchant's list shows it.
#[derive(Deserialize)]
pub struct Connected {
    pub platform: String,
    pub connected_at: i64,
}

/// `shop`'s connected platforms.
pub async fn connected(db: &D1Database, shop: &Id) -> worker::Result<Vec<Connected>> {
    Params::new()
        .text(shop.as_str())
        .bind(
            db,
            "SELECT platform, connected_at FROM connectors WHERE shop_id = ?1 ORDER BY platform",
        )?
        .all()
        .await?
        .results()
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
            "SELECT delivery_id AS id, topic, received_at, outcome FROM connector_deliveries \
             WHERE shop_id = ?1 AND platform = ?2 \
             ORDER BY received_at DESC, delivery_id LIMIT ?3",
        )?
        .all()
        .await?
        .results()
}

/// Whether the delivery `delivery_id` was taken before.
pub async fn taken_before(
    db: &D1Database,
    shop: &Id,
    platform: Platform,
    delivery_id: &str,
) -> worker::Result<bool> {
    let found: Option<i64> = Params::new()
        .text(shop.as_str())
        .text(platform.as_str())
        .text(delivery_id)
        .bind(
            db,
            "SELECT 1 AS taken FROM connector_deliveries \
             WHERE shop_id = ?1 AND platform = ?2 AND delivery_id = ?3",
        )?
        .first(Some("taken"))
        .await?;
    Ok(found.is_some())
}

/// Records the delivery as taken, with what it did.
pub async fn record_delivery(
    db: &D1Database,
    shop: &Id,
    platform: Platform,
    delivery_id: &str,
    topic: &str,
    outcome: DeliveryOutcome,
    now: i64,
) -> worker::Result<()> {
    Params::new()
        .text(shop.as_str())
        .text(platform.as_str())
        .text(delivery_id)
        .text(topic)
        .int(now)
        .text(outcome.as_str())
        .bind(
            db,
            "INSERT OR IGNORE INTO connector_deliveries \
             (shop_id, platform, delivery_id, topic, received_at, outcome) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .run()
        .await?;
    Ok(())
}

/// When the platform last changed `order_id`, as the newest payload taken said.
pub async fn order_changed_at(
    db: &D1Database,
    shop: &Id,
    order_id: &Id,
) -> worker::Result<Option<i64>> {
    Params::new()
        .text(shop.as_str())
        .text(order_id.as_str())
        .bind(
            db,
            "SELECT changed_at FROM connector_orders WHERE shop_id = ?1 AND order_id = ?2",
        )?
        .first(Some("changed_at"))
        .await
}

/// Notes that the order as the platform changed it at `changed_at` is stored (never moving
/// back).
pub fn order_changed(
    db: &D1Database,
    shop: &Id,
    order_id: &Id,
    changed_at: i64,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(shop.as_str())
        .text(order_id.as_str())
        .int(changed_at)
        .bind(
            db,
            "INSERT INTO connector_orders (shop_id, order_id, changed_at) VALUES (?1, ?2, ?3) \
             ON CONFLICT (shop_id, order_id) DO UPDATE SET \
             changed_at = MAX(changed_at, excluded.changed_at)",
        )
}
