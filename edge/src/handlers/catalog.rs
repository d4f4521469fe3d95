//! The shop's catalog (`PUT /v1/admin/catalog`, `GET /v1/admin/catalog`): what recommendations
//! may show. An upload is a few statements whatever its size (`store::catalog`), within D1's
//! per-request query limit.

use crate::handlers::Context;
use crate::platform::error::ApiError;
use crate::platform::http::{self, BodyType};
use crate::store::catalog;
use memnun_protocol::api::query::Cursor;
use memnun_protocol::catalog::{
    CatalogPage, CatalogQuery, CatalogReport, CatalogUpload, MAX_ITEMS, MAX_REQUEST_BYTES, Mode,
};
use memnun_protocol::{FieldErrors, FieldProblem};
use worker::{Request, Response};

/// `PUT /v1/admin/catalog`: stores the good items, reports the refused ones (200 either way).
/// `mode: "replace"` removes the items the upload does not name (except refused ones: a bad
/// row must not delete its product).
pub async fn put(req: &mut Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let (db, shop, now) = (&cx.db, &cx.shop, cx.now);
    let (upload, _): (CatalogUpload, _) =
        http::read_json(req, MAX_REQUEST_BYTES, BodyType::Json).await?;
    if upload.items.len() > MAX_ITEMS {
        let mut errors = FieldErrors::default();
        errors.push("items", FieldProblem::TooMany { max: MAX_ITEMS });
        return Err(ApiError::Validation(errors));
    }
    let (good, refused) = upload.check();
    let kept: Vec<&str> = good
        .iter()
        .map(|i| i.id.as_str())
        .chain(refused.iter().filter_map(|r| r.id.as_deref()))
        .collect();
    let mut batch = Vec::new();
    if upload.mode == Mode::Replace {
        batch.push(catalog::count_not_kept(db, shop, &kept)?);
        batch.push(catalog::remove_not_kept(db, shop, &kept)?);
    }
    batch.push(catalog::upsert(db, shop, &good, now)?);
    let results = db.batch(batch).await?;
    let removed = match upload.mode {
        Mode::Replace => results
            .first()
            .map(catalog::read_count)
            .transpose()?
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
pub async fn list(req: &Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let (db, shop) = (&cx.db, &cx.shop);
    let query: CatalogQuery = http::query(req)?;
    let limit = query.limit.0;
    let cursor = query
        .cursor
        .map(|Cursor(id)| id.to_string())
        .unwrap_or_default();
    let items = catalog::page(db, shop, &cursor, limit).await?;
    let next_cursor = (items.len() == limit as usize)
        .then(|| items.last().map(|i| i.id.clone()))
        .flatten();
    http::json(200, &CatalogPage { items, next_cursor })
}
