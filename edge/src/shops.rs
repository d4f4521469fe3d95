//! Shops: who may write to a shop's public endpoints (its allowed origins), and the merchant API
//! for the shop's settings (`/v1/admin/shop`). Merchant keys are in `api_keys.rs`.

use crate::error::ApiError;
use crate::http::{self, BodyType, Cors};
use memnun_protocol::Id;
use memnun_protocol::shop::{MAX_REQUEST_BYTES, ShopPages, ShopSettings, ShopUpdate};
use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement, D1Result, Request, Response};

/// Checks that `shop` exists and that `origin` is one of its allowed origins; the answer to the
/// write may then be read by that origin only.
pub async fn authorize_write(
    db: &D1Database,
    shop: &Id,
    origin: Option<String>,
) -> Result<Cors, ApiError> {
    #[derive(Deserialize)]
    struct Row {
        allowed: Option<i64>,
    }
    let origin_str = origin.clone().unwrap_or_default();
    let row: Option<Row> = db
        .prepare(
            "SELECT (SELECT 1 FROM shop_origins o WHERE o.shop_id = s.id AND o.origin = ?2) AS allowed \
             FROM shops s WHERE s.id = ?1",
        )
        .bind(&[shop.as_str().into(), origin_str.as_str().into()])?
        .first(None)
        .await?;
    match (row, origin) {
        (None, _) => Err(ApiError::NotFound("shop")),
        (Some(Row { allowed: Some(_) }), Some(origin)) => Ok(Cors::Origin(origin)),
        _ => Err(ApiError::OriginNotAllowed),
    }
}

pub async fn get_settings(db: &D1Database, shop: &Id) -> Result<Response, ApiError> {
    http::json(200, &settings(db, shop).await?)
}

pub async fn put_settings(
    req: &mut Request,
    db: &D1Database,
    shop: &Id,
) -> Result<Response, ApiError> {
    let (update, _): (ShopUpdate, _) =
        http::read_json(req, MAX_REQUEST_BYTES, BodyType::Json).await?;
    let update = update.validate().map_err(ApiError::Validation)?;
    let mut statements = Vec::new();
    if let Some(origins) = &update.allowed_origins {
        statements.push(
            db.prepare("DELETE FROM shop_origins WHERE shop_id = ?1")
                .bind(&[shop.as_str().into()])?,
        );
        for origin in origins {
            statements.push(
                db.prepare("INSERT INTO shop_origins (shop_id, origin) VALUES (?1, ?2)")
                    .bind(&[shop.as_str().into(), JsValue::from_str(origin)])?,
            );
        }
    }
    for (column, value) in [
        ("tracker_page", &update.tracker_page),
        ("survey_page", &update.survey_page),
        ("product_page", &update.product_page),
    ] {
        if let Some(value) = value {
            statements.push(
                db.prepare(format!("UPDATE shops SET {column} = ?2 WHERE id = ?1"))
                    .bind(&[
                        shop.as_str().into(),
                        value.as_deref().map_or(JsValue::NULL, JsValue::from_str),
                    ])?,
            );
        }
    }
    if let Some(days) = update.event_retention_days {
        statements.push(
            db.prepare("UPDATE shops SET event_retention_days = ?2 WHERE id = ?1")
                .bind(&[shop.as_str().into(), JsValue::from_f64(f64::from(days))])?,
        );
    }
    db.batch(statements).await?;
    http::json(200, &settings(db, shop).await?)
}

async fn settings(db: &D1Database, shop: &Id) -> Result<ShopSettings, ApiError> {
    #[derive(Deserialize)]
    struct Row {
        origin: String,
    }
    let rows: Vec<Row> = db
        .prepare("SELECT origin FROM shop_origins WHERE shop_id = ?1 ORDER BY origin")
        .bind(&[shop.as_str().into()])?
        .all()
        .await?
        .results()?;
    #[derive(Deserialize)]
    struct Retention {
        event_retention_days: u32,
    }
    let retention: Retention = db
        .prepare("SELECT event_retention_days FROM shops WHERE id = ?1")
        .bind(&[shop.as_str().into()])?
        .first(None)
        .await?
        .ok_or(ApiError::NotFound("shop"))?;
    Ok(ShopSettings {
        id: shop.to_string(),
        allowed_origins: rows.into_iter().map(|r| r.origin).collect(),
        pages: pages(db, shop).await?,
        event_retention_days: retention.event_retention_days,
    })
}

/// Where the shop's tracker, survey and product pages are.
pub async fn pages(db: &D1Database, shop: &Id) -> Result<ShopPages, ApiError> {
    let pages: Option<ShopPages> = db
        .prepare("SELECT tracker_page, survey_page, product_page FROM shops WHERE id = ?1")
        .bind(&[shop.as_str().into()])?
        .first(None)
        .await?;
    pages.ok_or(ApiError::NotFound("shop"))
}

/// A statement whose result is one row if `shop` exists, for a public read to batch with its
/// own: it answers 404 for a shop that does not ([`found`]), rather than an empty answer that
/// looks like a real one.
pub fn exists_statement(db: &D1Database, shop: &Id) -> Result<D1PreparedStatement, ApiError> {
    Ok(db
        .prepare("SELECT 1 AS found FROM shops WHERE id = ?1")
        .bind(&[shop.as_str().into()])?)
}

/// `NotFound` unless [`exists_statement`]'s result holds its row.
pub fn found(result: &D1Result) -> Result<(), ApiError> {
    #[derive(Deserialize)]
    struct Found {
        #[allow(dead_code)]
        found: i64,
    }
    if result.results::<Found>()?.is_empty() {
        return Err(ApiError::NotFound("shop"));
    }
    Ok(())
}
