//! Which products each browser has viewed, and when it first did (`browser_views`, keyed by the
//! shop, the browser's key and the product): a row per first view, so a browser counts once per
//! product however often it comes back, and its latest first views are what a new one pairs
//! with. The retention purge deletes them after the shop's `event_retention_days`.

use super::Params;
use memnun_protocol::Id;
use std::collections::BTreeSet;
use worker::{D1Database, D1PreparedStatement};

/// Which of `products` the browser has viewed before.
pub async fn viewed_before(
    db: &D1Database,
    shop: &Id,
    browser_key: &str,
    products: &[&str],
) -> worker::Result<BTreeSet<String>> {
    super::texts(
        Params::new()
            .text(shop.as_str())
            .text(browser_key)
            .text(&serde_json::to_string(products)?)
            .bind(
                db,
                "SELECT product_id FROM browser_views WHERE shop_id = ?1 AND browser_key = ?2 \
                 AND product_id IN (SELECT value FROM json_each(?3))",
            )?,
    )
    .await
}

/// The browser's `limit` latest first views, latest first.
pub async fn latest(
    db: &D1Database,
    shop: &Id,
    browser_key: &str,
    limit: usize,
) -> worker::Result<Vec<String>> {
    super::texts(
        Params::new()
            .text(shop.as_str())
            .text(browser_key)
            .int(limit as i64)
            .bind(
                db,
                "SELECT product_id FROM browser_views WHERE shop_id = ?1 AND browser_key = ?2 \
                 ORDER BY first_at DESC, product_id LIMIT ?3",
            )?,
    )
    .await
}

/// Records the browser's first views of `products`, in the order viewed: each a millisecond
/// after the one before it from `now`, so the latest stays the latest. Not OR IGNORE: a request
/// that lost the race to record one (two tabs at once) must fail as a whole and count nothing.
pub fn record_first(
    db: &D1Database,
    shop: &Id,
    browser_key: &str,
    products: &[String],
    now: i64,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(shop.as_str())
        .text(browser_key)
        .text(&serde_json::to_string(products)?)
        .int(now)
        .bind(
            db,
            "INSERT INTO browser_views (shop_id, browser_key, product_id, first_at) \
             SELECT ?1, ?2, j.value, ?4 + j.key FROM json_each(?3) j",
        )
}
