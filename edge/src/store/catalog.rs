//! The shop's catalog (`catalog_items`, keyed by the shop and the product's id): what
//! recommendations may show. Items are written through `json_each`, a few statements per upload
//! whatever its size, within D1's per-request query limit; a replace removes only the items the
//! upload does not name.

use super::Params;
use memnun_protocol::Id;
use memnun_protocol::catalog::CatalogItem;
use serde::Deserialize;
use worker::{D1Database, D1PreparedStatement, D1Result};

/// How many of the shop's items `kept` does not name; read with [`read_count`].
pub fn count_not_kept(
    db: &D1Database,
    shop: &Id,
    kept: &[&str],
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(shop.as_str())
        .text(&serde_json::to_string(kept)?)
        .bind(
            db,
            "SELECT COUNT(*) AS n FROM catalog_items WHERE shop_id = ?1 \
             AND product_id NOT IN (SELECT value FROM json_each(?2))",
        )
}

/// [`count_not_kept`]'s answer (0 if it answered no row).
pub fn read_count(result: &D1Result) -> worker::Result<usize> {
    #[derive(Deserialize)]
    struct Row {
        n: usize,
    }
    Ok(result.results::<Row>()?.first().map(|r| r.n).unwrap_or(0))
}

/// Removes the shop's items `kept` does not name.
pub fn remove_not_kept(
    db: &D1Database,
    shop: &Id,
    kept: &[&str],
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(shop.as_str())
        .text(&serde_json::to_string(kept)?)
        .bind(
            db,
            "DELETE FROM catalog_items WHERE shop_id = ?1 \
             AND product_id NOT IN (SELECT value FROM json_each(?2))",
        )
}

/// Removes the shop's item `product`.
pub fn remove(db: &D1Database, shop: &Id, product: &Id) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(shop.as_str())
        .text(product.as_str())
        .bind(
            db,
            "DELETE FROM catalog_items WHERE shop_id = ?1 AND product_id = ?2",
        )
}

/// Stores `items` at `now`: new ones are created then, known ones take the new values (their
/// creation time stays).
pub fn upsert(
    db: &D1Database,
    shop: &Id,
    items: &[CatalogItem],
    now: i64,
) -> worker::Result<D1PreparedStatement> {
    // `WHERE true`: SQLite reads an ON after a bare FROM as a join's, not the upsert's.
    Params::new()
        .text(shop.as_str())
        .text(&serde_json::to_string(items)?)
        .int(now)
        .bind(
            db,
            "INSERT INTO catalog_items (shop_id, product_id, name, price_minor, currency, \
             image_url, url, category, in_stock, gtins, mpns, skus, brand, created_at, updated_at) \
             SELECT ?1, json_extract(j.value, '$.id'), json_extract(j.value, '$.name'), \
             json_extract(j.value, '$.price_minor'), json_extract(j.value, '$.currency'), \
             json_extract(j.value, '$.image_url'), json_extract(j.value, '$.url'), \
             json_extract(j.value, '$.category'), json_extract(j.value, '$.in_stock'), \
             json_extract(j.value, '$.gtins'), json_extract(j.value, '$.mpns'), \
             json_extract(j.value, '$.skus'), json_extract(j.value, '$.brand'), ?3, ?3 \
             FROM json_each(?2) j WHERE true \
             ON CONFLICT (shop_id, product_id) DO UPDATE SET name = excluded.name, \
             price_minor = excluded.price_minor, currency = excluded.currency, \
             image_url = excluded.image_url, url = excluded.url, category = excluded.category, \
             in_stock = excluded.in_stock, gtins = excluded.gtins, mpns = excluded.mpns, \
             skus = excluded.skus, brand = excluded.brand, updated_at = excluded.updated_at",
        )
}

/// Up to `limit` of the shop's items with ids after `after` (`""`: from the first), by id.
pub async fn page(
    db: &D1Database,
    shop: &Id,
    after: &str,
    limit: u32,
) -> worker::Result<Vec<CatalogItem>> {
    #[derive(Deserialize)]
    struct Row {
        product_id: String,
        name: String,
        price_minor: i64,
        currency: String,
        image_url: Option<String>,
        url: String,
        category: Option<String>,
        in_stock: i64,
        gtins: String,
        mpns: String,
        skus: String,
        brand: Option<String>,
    }
    let rows: Vec<Row> = Params::new()
        .text(shop.as_str())
        .text(after)
        .int(i64::from(limit))
        .bind(
            db,
            "SELECT product_id, name, price_minor, currency, image_url, url, category, in_stock, \
             gtins, mpns, skus, brand \
             FROM catalog_items WHERE shop_id = ?1 AND product_id > ?2 \
             ORDER BY product_id LIMIT ?3",
        )?
        .all()
        .await?
        .results()?;
    Ok(rows
        .into_iter()
        .map(|r| CatalogItem {
            id: r.product_id,
            // The name was stored from a map, so it reads back as one.
            name: serde_json::from_str(&r.name).unwrap_or_default(),
            price_minor: r.price_minor,
            currency: r.currency,
            image_url: r.image_url,
            url: r.url,
            category: r.category,
            in_stock: r.in_stock != 0,
            // Stored from lists, so they read back as lists.
            gtins: serde_json::from_str(&r.gtins).unwrap_or_default(),
            mpns: serde_json::from_str(&r.mpns).unwrap_or_default(),
            skus: serde_json::from_str(&r.skus).unwrap_or_default(),
            brand: r.brand,
        })
        .collect())
}

/// Every item's id with its names by locale: what an import that names products finds them by.
pub async fn names(
    db: &D1Database,
    shop: &Id,
) -> worker::Result<Vec<(String, std::collections::BTreeMap<String, String>)>> {
    #[derive(Deserialize)]
    struct Row {
        product_id: String,
        name: String,
    }
    let rows: Vec<Row> = Params::new()
        .text(shop.as_str())
        .bind(
            db,
            "SELECT product_id, name FROM catalog_items WHERE shop_id = ?1",
        )?
        .all()
        .await?
        .results()?;
    Ok(rows
        .into_iter()
        .filter_map(|r| Some((r.product_id, serde_json::from_str(&r.name).ok()?)))
        .collect())
}

/// The names (language → name) of `shop`'s products among `products` that the catalog holds.
pub async fn names_of(
    db: &D1Database,
    shop: &Id,
    products: &[&str],
) -> worker::Result<std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>>
{
    #[derive(Deserialize)]
    struct Row {
        product_id: String,
        name: String,
    }
    let wanted = serde_json::to_string(products).unwrap_or_else(|_| "[]".into());
    let rows: Vec<Row> = Params::new()
        .text(shop.as_str())
        .text(&wanted)
        .bind(
            db,
            "SELECT product_id, name FROM catalog_items WHERE shop_id = ?1 \
             AND product_id IN (SELECT value FROM json_each(?2))",
        )?
        .all()
        .await?
        .results()?;
    Ok(rows
        .into_iter()
        .filter_map(|r| Some((r.product_id, serde_json::from_str(&r.name).ok()?)))
        .collect())
}

/// Every item's id with its page's address: what an import that names products by their
/// handle (the page's last path segment) finds them by.
pub async fn pages(db: &D1Database, shop: &Id) -> worker::Result<Vec<(String, String)>> {
    #[derive(Deserialize)]
    struct Row {
        product_id: String,
        url: String,
    }
    let rows: Vec<Row> = Params::new()
        .text(shop.as_str())
        .bind(
            db,
            "SELECT product_id, url FROM catalog_items WHERE shop_id = ?1",
        )?
        .all()
        .await?
        .results()?;
    Ok(rows.into_iter().map(|r| (r.product_id, r.url)).collect())
}
