//! What a product's strip reads: its candidates from each source (neighbours by co-occurrence,
//! the best rated of its category, bestsellers, the newest) and the catalog items that make the
//! cards. Reads only: `item_pairs` and `item_counts` (kept in `co_occurrence`), `catalog_items`
//! (kept in `catalog`) and `product_ratings` (kept by the reviews). Every candidate is an item the
//! catalog has in stock, and every read answers a bounded number of rows (a limit, or the ids
//! asked for), so a strip is a few reads of a few rows each.

use super::Params;
use super::co_occurrence::PairKind;
use memnun_protocol::Id;
use memnun_protocol::recommend::Neighbour;
use serde::{Deserialize, Serialize};
use worker::{D1Database, D1PreparedStatement, D1Result};

/// The in-stock neighbours of `product` for `kind`, most co-occurrences first (at most 500),
/// each with the product's own count; read with [`read_neighbours`].
pub fn neighbours(
    db: &D1Database,
    shop: &Id,
    product: &Id,
    kind: PairKind,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(shop.as_str())
        .text(product.as_str())
        .text(kind.as_str())
        .bind(
            db,
            "SELECT p.b AS product, p.n AS co, c.n AS n, \
             (SELECT n FROM item_counts WHERE shop_id = ?1 AND kind = ?3 AND product_id = ?2) AS na \
             FROM item_pairs p JOIN item_counts c \
             ON c.shop_id = p.shop_id AND c.kind = p.kind AND c.product_id = p.b \
             JOIN catalog_items i ON i.shop_id = p.shop_id AND i.product_id = p.b \
             AND i.in_stock = 1 \
             WHERE p.shop_id = ?1 AND p.kind = ?3 AND p.a = ?2 ORDER BY p.n DESC LIMIT 500",
        )
}

/// [`neighbours`]' answer: the product's own count `n` (0 when it has none or no neighbours)
/// and its neighbours.
pub fn read_neighbours(result: &D1Result) -> worker::Result<(u64, Vec<Neighbour>)> {
    #[derive(Deserialize)]
    struct Row {
        product: String,
        co: u64,
        n: u64,
        na: Option<u64>,
    }
    let rows: Vec<Row> = result.results()?;
    let n_a = rows.first().and_then(|r| r.na).unwrap_or(0);
    let neighbours = rows
        .into_iter()
        .map(|r| Neighbour {
            product: r.product,
            co: r.co,
            n: r.n,
        })
        .collect();
    Ok((n_a, neighbours))
}

/// The `limit` best rated in-stock items of `product`'s category (by mean stars, then by
/// reviews, then by id), reviewed ones only; read with [`read_products`].
pub fn top_rated_in_category(
    db: &D1Database,
    shop: &Id,
    product: &Id,
    limit: u32,
) -> worker::Result<D1PreparedStatement> {
    let stars = "(r.stars_1 + r.stars_2 + r.stars_3 + r.stars_4 + r.stars_5)";
    Params::new()
        .text(shop.as_str())
        .text(product.as_str())
        .int(i64::from(limit))
        .bind(
            db,
            &format!(
                "SELECT i.product_id AS product FROM catalog_items i JOIN product_ratings r \
                 ON r.shop_id = i.shop_id AND r.product_id = i.product_id \
                 WHERE i.shop_id = ?1 AND i.in_stock = 1 AND {stars} > 0 AND i.category = \
                 (SELECT category FROM catalog_items WHERE shop_id = ?1 AND product_id = ?2) \
                 ORDER BY (r.stars_1 + 2 * r.stars_2 + 3 * r.stars_3 + 4 * r.stars_4 \
                 + 5 * r.stars_5) * 1.0 / {stars} DESC, {stars} DESC, i.product_id LIMIT ?3"
            ),
        )
}

/// The shop's `limit` in-stock items in the most baskets (ties by id); read with
/// [`read_products`].
pub fn bestsellers(db: &D1Database, shop: &Id, limit: u32) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(shop.as_str())
        .int(i64::from(limit))
        .bind(
            db,
            "SELECT c.product_id AS product FROM item_counts c JOIN catalog_items i \
         ON i.shop_id = c.shop_id AND i.product_id = c.product_id AND i.in_stock = 1 \
         WHERE c.shop_id = ?1 AND c.kind = 'buy' ORDER BY c.n DESC, c.product_id LIMIT ?2",
        )
}

/// The shop's `limit` newest in-stock items (ties by id); read with [`read_products`].
pub fn newest(db: &D1Database, shop: &Id, limit: u32) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(shop.as_str())
        .int(i64::from(limit))
        .bind(
            db,
            "SELECT product_id AS product FROM catalog_items WHERE shop_id = ?1 \
         AND in_stock = 1 ORDER BY created_at DESC, product_id LIMIT ?2",
        )
}

/// The products [`top_rated_in_category`], [`bestsellers`] or [`newest`] answered, in order.
pub fn read_products(result: &D1Result) -> worker::Result<Vec<String>> {
    #[derive(Deserialize)]
    struct Row {
        product: String,
    }
    Ok(result
        .results::<Row>()?
        .into_iter()
        .map(|r| r.product)
        .collect())
}

/// A catalog item in stock, as a card shows it, with its rating histogram.
#[derive(Deserialize)]
pub struct StockedItem {
    pub product_id: String,
    /// JSON object: language → name.
    pub name: String,
    pub price_minor: i64,
    pub currency: String,
    pub image_url: Option<String>,
    pub url: String,
    /// JSON array of the five star counts (nulls without reviews).
    pub stars: Option<String>,
}

/// The items of `ids` the catalog has in stock (in no particular order).
pub async fn in_stock<T: Serialize>(
    db: &D1Database,
    shop: &Id,
    ids: &[T],
) -> worker::Result<Vec<StockedItem>> {
    in_stock_statement(db, shop, ids)?.all().await?.results()
}

/// [`in_stock`] as a statement, to join a batch; its result holds [`StockedItem`] rows.
pub fn in_stock_statement<T: Serialize>(
    db: &D1Database,
    shop: &Id,
    ids: &[T],
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(shop.as_str())
        .text(&serde_json::to_string(ids)?)
        .bind(
            db,
            "SELECT i.product_id, i.name, i.price_minor, i.currency, i.image_url, i.url, \
             json_array(r.stars_1, r.stars_2, r.stars_3, r.stars_4, r.stars_5) AS stars \
             FROM catalog_items i LEFT JOIN product_ratings r \
             ON r.shop_id = i.shop_id AND r.product_id = i.product_id \
             WHERE i.shop_id = ?1 AND i.in_stock = 1 \
             AND i.product_id IN (SELECT value FROM json_each(?2))",
        )
}
