//! Shoppers' events (`shopper_events`), as the loader sends them: stored once each, keyed by the
//! shop and the event's own id, so a batch sent twice (a beacon and its retry) is stored and
//! counted once. The retention purge deletes them after the shop's `event_retention_days`.

use super::Params;
use memnun_protocol::Id;
use memnun_protocol::events::{EventKind, ShopperEvent};
use memnun_protocol::recommend::{Arm, EventCount, Source};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use worker::{D1Database, D1PreparedStatement};

/// Which of `ids` the shop has stored already.
pub async fn stored_ids(
    db: &D1Database,
    shop: &Id,
    ids: &[&str],
) -> worker::Result<BTreeSet<String>> {
    super::texts(
        Params::new()
            .text(shop.as_str())
            .text(&serde_json::to_string(ids)?)
            .bind(
                db,
                "SELECT id FROM shopper_events WHERE shop_id = ?1 \
                 AND id IN (SELECT value FROM json_each(?2))",
            )?,
    )
    .await
}

/// Stores `events` (none stored yet) from `browser_key`, all at `now`, in one statement however
/// many. Not OR IGNORE: a request that lost the race to store one of them must fail as a whole,
/// so that nothing it would count is counted twice.
pub fn insert(
    db: &D1Database,
    shop: &Id,
    browser_key: &str,
    events: &[&ShopperEvent],
    now: i64,
) -> worker::Result<D1PreparedStatement> {
    #[derive(Serialize)]
    struct Row<'a> {
        id: &'a str,
        kind: &'a str,
        product: Option<&'a str>,
        products: String,
        order: Option<&'a str>,
        source: Option<&'a str>,
        arm: Option<&'a str>,
    }
    let rows = events
        .iter()
        .map(|e| {
            Ok(Row {
                id: &e.id,
                kind: e.kind.as_str(),
                product: e.product.as_deref(),
                products: serde_json::to_string(&e.products)?,
                order: e.order.as_deref(),
                source: e.source.map(Source::as_str),
                arm: e.arm.map(Arm::as_str),
            })
        })
        .collect::<worker::Result<Vec<_>>>()?;
    Params::new()
        .text(shop.as_str())
        .text(browser_key)
        .text(&serde_json::to_string(&rows)?)
        .int(now)
        .bind(
            db,
            "INSERT INTO shopper_events (shop_id, id, browser_key, kind, product_id, \
             products, order_id, source, arm, time) \
             SELECT ?1, json_extract(j.value, '$.id'), ?2, json_extract(j.value, '$.kind'), \
             json_extract(j.value, '$.product'), json_extract(j.value, '$.products'), \
             json_extract(j.value, '$.order'), json_extract(j.value, '$.source'), \
             json_extract(j.value, '$.arm'), ?4 FROM json_each(?3) j",
        )
}

/// The shop's events of `from..to` that the recommendations report counts (shown, clicked, and
/// the adds to cart and purchases attributed to a source), by kind, source, arm and product.
/// Rows whose kind or source this version does not know are left out.
pub async fn recommendation_counts(
    db: &D1Database,
    shop: &Id,
    from: i64,
    to: i64,
) -> worker::Result<Vec<EventCount>> {
    #[derive(Deserialize)]
    struct Row {
        kind: String,
        source: String,
        arm: Option<String>,
        product_id: String,
        n: u64,
    }
    let rows: Vec<Row> = Params::new()
        .text(shop.as_str())
        .int(from)
        .int(to)
        .bind(
            db,
            "SELECT kind, source, arm, product_id, COUNT(*) AS n FROM shopper_events \
             WHERE shop_id = ?1 AND time >= ?2 AND time < ?3 AND source IS NOT NULL \
             AND product_id IS NOT NULL AND kind IN \
             ('recommendation_shown', 'recommendation_clicked', 'add_to_cart', 'purchase') \
             GROUP BY kind, source, arm, product_id",
        )?
        .all()
        .await?
        .results()?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(EventCount {
                kind: EventKind::parse(&r.kind)?,
                source: Source::parse(&r.source)?,
                arm: r.arm.as_deref().and_then(Arm::parse),
                product: r.product_id,
                n: r.n,
            })
        })
        .collect())
}

/// Parks a queued message that failed past its retries (`parked_events`); a second delivery of
/// the same message changes nothing.
pub async fn park(
    db: &D1Database,
    message_id: &str,
    shop: &str,
    body: &str,
    now: i64,
) -> worker::Result<()> {
    Params::new()
        .text(message_id)
        .text(shop)
        .text(body)
        .int(now)
        .bind(
            db,
            "INSERT OR IGNORE INTO parked_events (message_id, shop_id, body, parked_at) \
             VALUES (?1, ?2, ?3, ?4)",
        )?
        .run()
        .await?;
    Ok(())
}

/// A parked message: its id and body.
#[derive(Deserialize)]
pub struct Parked {
    pub message_id: String,
    pub body: String,
}

/// The oldest `limit` parked messages.
pub async fn parked(db: &D1Database, limit: u32) -> worker::Result<Vec<Parked>> {
    Params::new()
        .int(i64::from(limit))
        .bind(
            db,
            "SELECT message_id, body FROM parked_events ORDER BY parked_at, message_id LIMIT ?1",
        )?
        .all()
        .await?
        .results()
}

/// Forgets a parked message once its events are stored.
pub async fn unpark(db: &D1Database, message_id: &str) -> worker::Result<()> {
    Params::new()
        .text(message_id)
        .bind(db, "DELETE FROM parked_events WHERE message_id = ?1")?
        .run()
        .await?;
    Ok(())
}
