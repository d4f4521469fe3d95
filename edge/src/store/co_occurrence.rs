//! The co-occurrence counts recommendations rank by, per shop and kind (`buy`: baskets, `view`:
//! browsers): `item_counts` holds `n`, the baskets or browsers with a product, and `item_pairs`
//! holds `co`, those with both products of a pair, stored in both directions so a product's
//! neighbours are one indexed range. Pair updates beyond one request's budget wait in
//! `pair_backlog` for the scheduled handler, which applies each queued row once.
//!
//! Counts are only ever added to: one statement adds one to many rows (through `json_each`), so
//! a request's statement count does not grow with its products or pairs.

use super::Params;
use memnun_protocol::Id;
use serde::Deserialize;
use worker::{D1Database, D1PreparedStatement};

/// What a count counts: baskets bought together, or browsers that viewed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum PairKind {
    Buy,
    View,
}

impl PairKind {
    /// As `item_counts.kind` and `item_pairs.kind` store it.
    pub const fn as_str(self) -> &'static str {
        match self {
            PairKind::Buy => "buy",
            PairKind::View => "view",
        }
    }
}

/// Counts `products` once more in `n` for `kind` (a product listed twice counts twice: two
/// baskets). `None`, no statement, when there are none.
pub fn count_items(
    db: &D1Database,
    shop: &Id,
    kind: PairKind,
    products: &[String],
) -> worker::Result<Option<D1PreparedStatement>> {
    if products.is_empty() {
        return Ok(None);
    }
    // `WHERE true`: SQLite reads an ON after a bare FROM as a join's, not the upsert's.
    Params::new()
        .text(shop.as_str())
        .text(kind.as_str())
        .text(&serde_json::to_string(products)?)
        .bind(
            db,
            "INSERT INTO item_counts (shop_id, kind, product_id, n) \
             SELECT ?1, ?2, j.value, 1 FROM json_each(?3) j WHERE true \
             ON CONFLICT (shop_id, kind, product_id) DO UPDATE SET n = n + 1",
        )
        .map(Some)
}

/// Adds one to each pair's `co` for `kind`.
pub fn add_pairs(
    db: &D1Database,
    shop: &Id,
    kind: PairKind,
    pairs: &[(String, String)],
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(shop.as_str())
        .text(kind.as_str())
        .text(&serde_json::to_string(pairs)?)
        .bind(
            db,
            "INSERT INTO item_pairs (shop_id, kind, a, b, n) \
             SELECT ?1, ?2, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), 1 \
             FROM json_each(?3) j WHERE true \
             ON CONFLICT (shop_id, kind, a, b) DO UPDATE SET n = n + 1",
        )
}

/// Queues pairs for the scheduled handler at `now`: a backlog row per chunk, all in one
/// statement.
pub fn queue_pairs(
    db: &D1Database,
    shop: &Id,
    kind: PairKind,
    chunks: &[&[(String, String)]],
    now: i64,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(shop.as_str())
        .text(kind.as_str())
        .text(&serde_json::to_string(chunks)?)
        .int(now)
        .bind(
            db,
            "INSERT INTO pair_backlog (shop_id, kind, pairs, created_at) \
             SELECT ?1, ?2, j.value, ?4 FROM json_each(?3) j",
        )
}

/// The ids of the `rows` oldest queued backlog rows, oldest first.
pub async fn backlog(db: &D1Database, rows: u32) -> worker::Result<Vec<i64>> {
    #[derive(Deserialize)]
    struct Row {
        id: i64,
    }
    let rows: Vec<Row> = Params::new()
        .int(i64::from(rows))
        .bind(db, "SELECT id FROM pair_backlog ORDER BY id LIMIT ?1")?
        .all()
        .await?
        .results()?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// Adds one to the `co` of each pair the backlog row `id` holds. Its pairs are read from the row
/// itself when the statement runs, so a row an overlapping run has applied and removed already
/// adds nothing; run it in one batch with [`remove_queued`] of the same row.
pub fn apply_queued(db: &D1Database, id: i64) -> worker::Result<D1PreparedStatement> {
    Params::new().int(id).bind(
        db,
        "INSERT INTO item_pairs (shop_id, kind, a, b, n) \
         SELECT b.shop_id, b.kind, json_extract(j.value, '$[0]'), \
         json_extract(j.value, '$[1]'), 1 \
         FROM pair_backlog b, json_each(b.pairs) j WHERE b.id = ?1 AND true \
         ON CONFLICT (shop_id, kind, a, b) DO UPDATE SET n = n + 1",
    )
}

/// Removes the backlog row `id`, applied by [`apply_queued`].
pub fn remove_queued(db: &D1Database, id: i64) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .int(id)
        .bind(db, "DELETE FROM pair_backlog WHERE id = ?1")
}
