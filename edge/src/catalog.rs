//! The shop's catalog (`PUT /v1/admin/catalog`, `GET /v1/admin/catalog`): what recommendations
//! may show. Items are written through `json_each`, a few statements per upload whatever its
//! size, within D1's per-request query limit.

use crate::error::ApiError;
use crate::http::{self, BodyType};
use memnun_protocol::catalog::{
    CatalogItem, CatalogPage, CatalogReport, CatalogUpload, MAX_ITEMS, MAX_REQUEST_BYTES, Mode,
};
use memnun_protocol::{FieldErrors, FieldProblem, Id};
use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::{D1Database, Request, Response};

const PAGE_SIZE_MAX: u32 = 200;

/// `PUT /v1/admin/catalog`: stores the good items, reports the refused ones (200 either way).
/// `mode: "replace"` removes the items the upload does not name (except refused ones: a bad
/// row must not delete its product).
pub async fn put(
    req: &mut Request,
    db: &D1Database,
    shop: &Id,
    now: i64,
) -> Result<Response, ApiError> {
    let (upload, _): (CatalogUpload, _) =
        http::read_json(req, MAX_REQUEST_BYTES, BodyType::Json).await?;
    if upload.items.len() > MAX_ITEMS {
        let mut errors = FieldErrors::default();
        errors.push("items", FieldProblem::TooMany { max: MAX_ITEMS });
        return Err(ApiError::Validation(errors));
    }
    let (good, refused) = upload.check();
    let items = http::to_json(&good)?;
    let kept: Vec<&str> = good
        .iter()
        .map(|i| i.id.as_str())
        .chain(refused.iter().filter_map(|r| r.id.as_deref()))
        .collect();
    let kept = http::to_json(&kept)?;
    let mut batch = Vec::new();
    if upload.mode == Mode::Replace {
        batch.push(
            db.prepare(
                "SELECT COUNT(*) AS n FROM catalog_items WHERE shop_id = ?1 \
                 AND product_id NOT IN (SELECT value FROM json_each(?2))",
            )
            .bind(&[shop.as_str().into(), kept.as_str().into()])?,
        );
        batch.push(
            db.prepare(
                "DELETE FROM catalog_items WHERE shop_id = ?1 \
                 AND product_id NOT IN (SELECT value FROM json_each(?2))",
            )
            .bind(&[shop.as_str().into(), kept.as_str().into()])?,
        );
    }
    // `WHERE true`: SQLite reads an ON after a bare FROM as a join's, not the upsert's.
    batch.push(
        db.prepare(
            "INSERT INTO catalog_items (shop_id, product_id, name, price_minor, currency, \
             image_url, url, category, in_stock, created_at, updated_at) \
             SELECT ?1, json_extract(j.value, '$.id'), json_extract(j.value, '$.name'), \
             json_extract(j.value, '$.price_minor'), json_extract(j.value, '$.currency'), \
             json_extract(j.value, '$.image_url'), json_extract(j.value, '$.url'), \
             json_extract(j.value, '$.category'), json_extract(j.value, '$.in_stock'), ?3, ?3 \
             FROM json_each(?2) j WHERE true \
             ON CONFLICT (shop_id, product_id) DO UPDATE SET name = excluded.name, \
             price_minor = excluded.price_minor, currency = excluded.currency, \
             image_url = excluded.image_url, url = excluded.url, category = excluded.category, \
             in_stock = excluded.in_stock, updated_at = excluded.updated_at",
        )
        .bind(&[
            shop.as_str().into(),
            items.as_str().into(),
            JsValue::from_f64(now as f64),
        ])?,
    );
    let results = db.batch(batch).await?;
    #[derive(Deserialize)]
    struct Count {
        n: usize,
    }
    let removed = match upload.mode {
        Mode::Replace => results
            .first()
            .map(|r| r.results::<Count>())
            .transpose()?
            .and_then(|rows| rows.first().map(|c| c.n))
            .unwrap_or(0),
        Mode::Upsert => 0,
    };
    http::json(
        200,
        &CatalogReport {
            mode: upload.mode,
            stored: good.len(),
            removed,
            refused,
        },
    )
}

/// `GET /v1/admin/catalog?limit=&cursor=`: the stored items by id, paged.
pub async fn list(req: &Request, db: &D1Database, shop: &Id) -> Result<Response, ApiError> {
    let url = req.url()?;
    let mut limit = 50;
    let mut cursor = String::new();
    for (name, value) in url.query_pairs() {
        match name.as_ref() {
            "limit" => limit = http::page_limit(&value, PAGE_SIZE_MAX)?,
            // The cursor is the last product id of a page: anything else was not given out.
            "cursor" => {
                cursor = Id::parse(&value)
                    .map_err(|_| {
                        ApiError::InvalidParameter("cursor is not one this API gave out".into())
                    })?
                    .to_string()
            }
            _ => {}
        }
    }
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
    }
    let rows: Vec<Row> = db
        .prepare(
            "SELECT product_id, name, price_minor, currency, image_url, url, category, in_stock \
             FROM catalog_items WHERE shop_id = ?1 AND product_id > ?2 \
             ORDER BY product_id LIMIT ?3",
        )
        .bind(&[
            shop.as_str().into(),
            cursor.as_str().into(),
            JsValue::from_f64(f64::from(limit)),
        ])?
        .all()
        .await?
        .results()?;
    let items: Vec<CatalogItem> = rows
        .into_iter()
        .map(|r| CatalogItem {
            id: r.product_id,
            name: serde_json::from_str(&r.name).unwrap_or_default(),
            price_minor: r.price_minor,
            currency: r.currency,
            image_url: r.image_url,
            url: r.url,
            category: r.category,
            in_stock: r.in_stock != 0,
        })
        .collect();
    let next_cursor = (items.len() == limit as usize)
        .then(|| items.last().map(|i| i.id.clone()))
        .flatten();
    http::json(200, &CatalogPage { items, next_cursor })
}
