//! Reviews in and out as CSV: `GET /v1/admin/reviews.csv` exports every review of the shop,
//! `POST /v1/admin/reviews/import` imports a file from another system, row by row, answering
//! which rows were refused and why. Importing the same file twice adds nothing: each row gets a
//! key from what the file says of it (its `id`, product, author, body and date) and a review id
//! derived from that; and a row is skipped when the shop already has the review, by id (its own
//! export) or by product, author, text and time (its reviews exported by another shop).
//!
//! The rows go to D1 as JSON in a few statements (`json_each`), not one statement per row, so
//! an import of `MAX_IMPORT_ROWS` stays far inside the per-request query limit.

use crate::error::ApiError;
use crate::http;
use crate::moderation;
use crate::secure::sha256_hex;
use memnun_protocol::Id;
use memnun_protocol::merchant::ImportReport;
use memnun_protocol::review_csv::{self, ExportRow, ImportError, MAX_IMPORT_BYTES};
use serde::Serialize;
use wasm_bindgen::JsValue;
use worker::{D1Database, Env, Request, Response};

/// Reviews in one export (newest first); a larger shop exports by product with `?product=`.
const MAX_EXPORT_ROWS: u32 = 50_000;
/// The JSON handed to one statement stays well under D1's 2 MB value limit.
const MAX_CHUNK_BYTES: usize = 512 * 1024;

pub async fn export(db: &D1Database, shop: &Id) -> Result<Response, ApiError> {
    let reviews = moderation::all_reviews(db, shop, MAX_EXPORT_ROWS).await?;
    let rows: Vec<ExportRow> = reviews
        .iter()
        .map(|r| ExportRow {
            id: &r.id,
            product: &r.product,
            rating: r.rating,
            title: &r.title,
            body: &r.body,
            author: &r.author,
            email: r.email.as_deref(),
            locale: r.locale.as_deref(),
            status: r.status.as_str(),
            hold_reason: r.hold_reason.as_deref(),
            verified: r.verified,
            order: r.order.as_deref(),
            helpful: r.helpful,
            reply: r.reply.as_ref().map(|x| x.body.as_str()),
            created_at: r.created_at,
        })
        .collect();
    let mut resp = Response::ok(review_csv::export(&rows))?;
    let headers = resp.headers_mut();
    headers.set("Content-Type", "text/csv; charset=utf-8; header=present")?;
    headers.set(
        "Content-Disposition",
        &format!("attachment; filename=\"{shop}-reviews.csv\""),
    )?;
    headers.set("Cache-Control", "no-store")?;
    Ok(resp)
}

#[derive(Serialize)]
struct StoredRow {
    id: String,
    import_key: String,
    source_id: Option<String>,
    product: String,
    rating: u8,
    title: String,
    body: String,
    author: String,
    email: Option<String>,
    locale: Option<String>,
    shopper_key: String,
    created_at: i64,
    reply: Option<String>,
}

pub async fn import(
    req: &mut Request,
    env: &Env,
    db: &D1Database,
    shop: &Id,
    now: i64,
) -> Result<Response, ApiError> {
    let bytes = http::read_body(req, MAX_IMPORT_BYTES, &["text/csv"]).await?;
    let (rows, refused) = review_csv::parse_import(&bytes)
        .map_err(|e: ImportError| ApiError::InvalidParameter(e.to_string()))?;
    let salt = http::salt(env)?;
    let stored: Vec<StoredRow> = rows
        .into_iter()
        .map(|row| {
            let created_at = row.created_at.unwrap_or(now);
            let v = row.review;
            // What the file says of the row, never when it was imported: the same file gives
            // the same keys however often it comes.
            let import_key = sha256_hex(&[
                b"row",
                row.source_id.as_deref().unwrap_or("").as_bytes(),
                v.product.as_str().as_bytes(),
                v.author.as_bytes(),
                v.body.as_bytes(),
                row.created_at
                    .map(|t| t.to_string())
                    .unwrap_or_default()
                    .as_bytes(),
            ]);
            let shopper_key = match &v.email {
                Some(email) => http::email_shopper_key(&salt, email),
                None => sha256_hex(&[b"import", import_key.as_bytes()]),
            };
            StoredRow {
                id: format!(
                    "r{}",
                    &sha256_hex(&[b"review", shop.as_str().as_bytes(), import_key.as_bytes()])
                        [..24]
                ),
                import_key,
                source_id: row.source_id,
                product: v.product.to_string(),
                rating: v.rating,
                title: v.title,
                body: v.body,
                author: v.author,
                email: v.email,
                locale: v.locale,
                shopper_key,
                created_at,
                reply: row.reply,
            }
        })
        .collect();
    let total = stored.len() as u32;

    let mut statements = Vec::new();
    for chunk in chunks(&stored)? {
        statements.push(
            db.prepare(
                "INSERT OR IGNORE INTO reviews (id, shop_id, product_id, rating, title, body, author, \
                 email, locale, shopper_key, client_hash, status, created_at, source, import_key, \
                 reply_body, reply_at) \
                 SELECT json_extract(j.value, '$.id'), ?1, json_extract(j.value, '$.product'), \
                 json_extract(j.value, '$.rating'), json_extract(j.value, '$.title'), \
                 json_extract(j.value, '$.body'), json_extract(j.value, '$.author'), \
                 json_extract(j.value, '$.email'), json_extract(j.value, '$.locale'), \
                 json_extract(j.value, '$.shopper_key'), 'import', 'published', \
                 json_extract(j.value, '$.created_at'), 'import', json_extract(j.value, '$.import_key'), \
                 json_extract(j.value, '$.reply'), \
                 CASE WHEN json_extract(j.value, '$.reply') IS NULL THEN NULL ELSE ?3 END \
                 FROM json_each(?2) j \
                 WHERE NOT EXISTS (SELECT 1 FROM reviews r WHERE r.shop_id = ?1 \
                 AND r.id = json_extract(j.value, '$.source_id')) \
                 AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.shop_id = ?1 \
                 AND r.product_id = json_extract(j.value, '$.product') \
                 AND r.created_at = json_extract(j.value, '$.created_at') \
                 AND r.author = json_extract(j.value, '$.author') \
                 AND r.body = json_extract(j.value, '$.body'))",
            )
            .bind(&[
                shop.as_str().into(),
                chunk.into(),
                JsValue::from_f64(now as f64),
            ])?,
        );
    }
    let mut imported = 0u32;
    if !statements.is_empty() {
        statements.push(recount_shop(db, shop, now)?);
        let results = db.batch(statements).await?;
        for result in &results[..results.len() - 1] {
            let changes = result.meta()?.and_then(|m| m.changes).unwrap_or(0);
            imported += changes as u32;
        }
    }
    http::json(
        200,
        &ImportReport {
            imported,
            duplicates: total - imported.min(total),
            refused,
        },
    )
}

/// The rows as JSON arrays of at most `MAX_CHUNK_BYTES` each.
fn chunks(rows: &[StoredRow]) -> Result<Vec<String>, ApiError> {
    let mut out = Vec::new();
    let mut current = String::from("[");
    for row in rows {
        let json = serde_json::to_string(row).map_err(|e| ApiError::Internal(e.to_string()))?;
        if current.len() > 1 && current.len() + json.len() + 2 > MAX_CHUNK_BYTES {
            current.push(']');
            out.push(std::mem::replace(&mut current, String::from("[")));
        }
        if current.len() > 1 {
            current.push(',');
        }
        current.push_str(&json);
    }
    if current.len() > 1 {
        current.push(']');
        out.push(current);
    }
    Ok(out)
}

/// Recounts every product's summary of the shop in one statement.
fn recount_shop(
    db: &D1Database,
    shop: &Id,
    now: i64,
) -> Result<worker::D1PreparedStatement, ApiError> {
    Ok(db
        .prepare(
            "INSERT INTO product_ratings \
             (shop_id, product_id, stars_1, stars_2, stars_3, stars_4, stars_5, updated_at) \
             SELECT shop_id, product_id, COUNT(*) FILTER (WHERE rating = 1), \
             COUNT(*) FILTER (WHERE rating = 2), COUNT(*) FILTER (WHERE rating = 3), \
             COUNT(*) FILTER (WHERE rating = 4), COUNT(*) FILTER (WHERE rating = 5), ?2 \
             FROM reviews WHERE shop_id = ?1 AND status = 'published' GROUP BY product_id \
             ON CONFLICT (shop_id, product_id) DO UPDATE SET \
             stars_1 = excluded.stars_1, stars_2 = excluded.stars_2, stars_3 = excluded.stars_3, \
             stars_4 = excluded.stars_4, stars_5 = excluded.stars_5, updated_at = excluded.updated_at",
        )
        .bind(&[shop.as_str().into(), JsValue::from_f64(now as f64)])?)
}
