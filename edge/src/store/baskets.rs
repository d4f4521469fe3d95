//! Baskets already counted (`baskets`, keyed by the shop and the basket's key: `order:<id>` from
//! the order API, `event:<id>` from a purchase event naming no order), so each basket counts once
//! in the co-occurrence counts however often its order is upserted or its event sent.

use super::Params;
use memnun_protocol::Id;
use std::collections::BTreeSet;
use worker::{D1Database, D1PreparedStatement};

/// Which of `keys` are counted baskets. No keys, no query.
pub async fn counted(
    db: &D1Database,
    shop: &Id,
    keys: &[String],
) -> worker::Result<BTreeSet<String>> {
    if keys.is_empty() {
        return Ok(BTreeSet::new());
    }
    super::texts(
        Params::new()
            .text(shop.as_str())
            .text(&serde_json::to_string(keys)?)
            .bind(
                db,
                "SELECT basket_key FROM baskets WHERE shop_id = ?1 \
                 AND basket_key IN (SELECT value FROM json_each(?2))",
            )?,
    )
    .await
}

/// Records `keys` as counted at `now`. Not OR IGNORE: the counts made next to it are not
/// guarded, so a request that found a basket new and lost the race to record it must fail as a
/// whole and count nothing.
pub fn record(
    db: &D1Database,
    shop: &Id,
    keys: &[&str],
    now: i64,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(shop.as_str())
        .text(&serde_json::to_string(keys)?)
        .int(now)
        .bind(
            db,
            "INSERT INTO baskets (shop_id, basket_key, created_at) \
             SELECT ?1, j.value, ?3 FROM json_each(?2) j",
        )
}
