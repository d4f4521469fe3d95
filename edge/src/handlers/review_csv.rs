//! Reviews in and out as CSV: `GET /v1/admin/reviews.csv` exports every review of the shop,
//! `POST /v1/admin/reviews/import` imports a file from another system, row by row, answering
//! which rows were refused and why. Importing the same file twice adds nothing: each row gets a
//! key from what the file says of it (its `id`, product, author, body and date) and a review id
//! derived from that; and a row is skipped when the shop already has the review, by id (its own
//! export) or by product, author, text and time (its reviews exported by another shop). The
//! rows go to D1 in a few statements (`store::reviews::import`), so an import of
//! `MAX_IMPORT_ROWS` stays far inside the per-request query limit.

use crate::handlers::Context;
use crate::platform::error::ApiError;
use crate::platform::http;
use crate::platform::pseudonyms;
use crate::platform::secure::sha256_hex;
use crate::store;
use crate::store::photos::ImportedPhoto;
use crate::store::reviews::ImportedReview;
use memnun_protocol::ReviewStatus;
use memnun_protocol::merchant::ImportReport;
use memnun_protocol::review_csv::{self, ExportRow, ImportError, MAX_IMPORT_BYTES, ParsedImport};
use std::collections::BTreeMap;
use worker::{Request, Response};

/// Reviews in one export, newest first; older ones are read through `GET /v1/admin/reviews`,
/// which pages.
const MAX_EXPORT_ROWS: u32 = 50_000;

pub async fn export(cx: &Context<'_>) -> Result<Response, ApiError> {
    let (db, shop) = (&cx.db, &cx.shop);
    let reviews = store::reviews::all_merchant_reviews(db, shop, MAX_EXPORT_ROWS).await?;
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
    http::csv_download(review_csv::export(&rows), &format!("{shop}-reviews.csv"))
}

pub async fn import(req: &mut Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let (env, db, shop, now) = (cx.env, &cx.db, &cx.shop, cx.now);
    let bytes = http::read_body(req, MAX_IMPORT_BYTES, &["text/csv"]).await?;
    let ParsedImport {
        format,
        rows,
        refused,
    } = review_csv::parse_import(&bytes)
        .map_err(|e: ImportError| ApiError::InvalidParameter(e.to_string()))?;
    let salt = pseudonyms::salt(env)?;
    let by_handle = if rows.iter().any(|r| r.by_handle) {
        handles(&store::catalog::pages(db, shop).await?)
    } else {
        BTreeMap::new()
    };
    let mut photos: Vec<ImportedPhoto> = Vec::new();
    let stored: Vec<ImportedReview> = rows
        .into_iter()
        .map(|row| {
            let created_at = row.created_at.unwrap_or(now);
            let v = row.review;
            // A handle names the catalog item whose page it is; one the catalog does not know is
            // taken as the product's id (a shop whose ids are its handles).
            let product = match by_handle.get(v.product.as_str()) {
                Some(id) if row.by_handle => id.clone(),
                _ => v.product.to_string(),
            };
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
                Some(email) => pseudonyms::review_email(&salt, email),
                None => sha256_hex(&[b"import", import_key.as_bytes()]),
            };
            let id = format!(
                "r{}",
                &sha256_hex(&[b"review", shop.as_str().as_bytes(), import_key.as_bytes()])[..24]
            );
            // A rejected review's photos are never shown: not copied either.
            if row.status != ReviewStatus::Rejected {
                for (position, url) in row.photos.into_iter().enumerate() {
                    photos.push(ImportedPhoto {
                        id: format!(
                            "p{}",
                            &sha256_hex(&[b"photo", id.as_bytes(), &position.to_be_bytes()])[..24]
                        ),
                        review: id.clone(),
                        position: position as u32,
                        url,
                    });
                }
            }
            ImportedReview {
                id,
                import_key,
                source_id: row.source_id,
                product,
                rating: v.rating,
                title: v.title,
                body: v.body,
                author: v.author,
                email: v.email,
                locale: v.locale,
                shopper_key,
                created_at,
                status: row.status.as_str(),
                verified: row.verified,
                reply: row.reply,
                reply_at: row.reply_at,
            }
        })
        .collect();
    let total = stored.len() as u32;

    let (imported, photos) = store::reviews::import(db, shop, &stored, &photos, now).await?;
    http::json(
        200,
        &ImportReport {
            format: format.as_str().to_owned(),
            imported,
            duplicates: total - imported.min(total),
            refused,
            photos,
        },
    )
}

/// The catalog's items by their page's last path segment (`/products/{handle}` on Shopify).
fn handles(pages: &[(String, String)]) -> BTreeMap<String, String> {
    pages
        .iter()
        .filter_map(|(id, url)| {
            let path = url.split(['?', '#']).next()?.trim_end_matches('/');
            let handle = path.rsplit('/').next()?;
            (!handle.is_empty()).then(|| (handle.to_owned(), id.clone()))
        })
        .collect()
}
