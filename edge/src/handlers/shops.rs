//! Shops: who may write to a shop's public endpoints (its allowed origins), and the merchant API
//! for the shop's settings (`/v1/admin/shop`). Merchant keys are in `api_keys.rs`.

use crate::handlers::Context;
use crate::platform::error::ApiError;
use crate::platform::http::{self, BodyType, Cors};
use crate::store::shops::{self as store, Page};
use memnun_protocol::Id;
use memnun_protocol::shop::{MAX_REQUEST_BYTES, ShopPages, ShopSettings, ShopUpdate};
use worker::{D1Database, D1PreparedStatement, D1Result, Request, Response};

/// Checks that `shop` exists and that `origin` is one of its allowed origins; the answer to the
/// write may then be read by that origin only.
pub async fn authorize_write(
    db: &D1Database,
    shop: &Id,
    origin: Option<String>,
) -> Result<Cors, ApiError> {
    let origin_str = origin.clone().unwrap_or_default();
    let allowed = store::origin_allowed(db, shop, &origin_str).await?;
    match (allowed, origin) {
        (None, _) => Err(ApiError::NotFound("shop")),
        (Some(true), Some(origin)) => Ok(Cors::Origin(origin)),
        _ => Err(ApiError::OriginNotAllowed),
    }
}

pub async fn get_settings(cx: &Context<'_>) -> Result<Response, ApiError> {
    let (db, shop) = (&cx.db, &cx.shop);
    http::json(200, &settings(db, shop).await?)
}

pub async fn put_settings(req: &mut Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let (db, shop) = (&cx.db, &cx.shop);
    let (update, _): (ShopUpdate, _) =
        http::read_json(req, MAX_REQUEST_BYTES, BodyType::Json).await?;
    let update = update.validate().map_err(ApiError::Validation)?;
    let mut statements = Vec::new();
    if let Some(origins) = &update.allowed_origins {
        statements.push(store::forget_origins(db, shop)?);
        for origin in origins {
            statements.push(store::allow_origin(db, shop, origin)?);
        }
    }
    for (page, value) in [
        (Page::Tracker, &update.tracker_page),
        (Page::Survey, &update.survey_page),
        (Page::Product, &update.product_page),
    ] {
        if let Some(value) = value {
            statements.push(store::set_page(db, shop, page, value.as_deref())?);
        }
    }
    if let Some(days) = update.event_retention_days {
        statements.push(store::set_event_retention_days(db, shop, days)?);
    }
    db.batch(statements).await?;
    http::json(200, &settings(db, shop).await?)
}

async fn settings(db: &D1Database, shop: &Id) -> Result<ShopSettings, ApiError> {
    let allowed_origins = store::allowed_origins(db, shop).await?;
    let event_retention_days = store::event_retention_days(db, shop)
        .await?
        .ok_or(ApiError::NotFound("shop"))?;
    Ok(ShopSettings {
        id: shop.to_string(),
        name: store::name(db, shop).await?.unwrap_or_default(),
        allowed_origins,
        pages: pages(db, shop).await?,
        event_retention_days,
    })
}

/// Where the shop's tracker, survey and product pages are.
pub async fn pages(db: &D1Database, shop: &Id) -> Result<ShopPages, ApiError> {
    store::pages(db, shop)
        .await?
        .ok_or(ApiError::NotFound("shop"))
}

/// A statement whose result is one row if `shop` exists, for a public read to batch with its
/// own: it answers 404 for a shop that does not ([`found`]), rather than an empty answer that
/// looks like a real one.
pub fn exists_statement(db: &D1Database, shop: &Id) -> Result<D1PreparedStatement, ApiError> {
    Ok(store::exists(db, shop)?)
}

/// `NotFound` unless [`exists_statement`]'s result holds its row.
pub fn found(result: &D1Result) -> Result<(), ApiError> {
    if !store::exists_in(result)? {
        return Err(ApiError::NotFound("shop"));
    }
    Ok(())
}
