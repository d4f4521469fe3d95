//! One shopper's data: `POST /v1/admin/shoppers/export` and `POST /v1/admin/shoppers/delete`
//! (protocol::shopper says who a shopper is). The edge keeps no email in clear beside a review's
//! own, only salted hashes, so it finds a shopper's rows by hashing what the merchant sends the
//! way each write hashed it:
//!
//! - by email: reviews (`reviews.shopper_key`), orders (`orders.email_hash`) with their items,
//!   shipments and tracking events, survey responses (`survey_responses.shopper_key`, and every
//!   response to those orders), reviews written through those orders' review links, the webhook
//!   deliveries about any of them (sent or waiting), the stored answers of their writes kept for
//!   retries (`idempotency_keys.subject`), events naming their orders, the once-only basket
//!   records of their orders and their email's lookup budget;
//! - by browser id (the one id the loader and the widgets share): events
//!   (`shopper_events.browser_key`) and their basket records, first product views, helpful votes
//!   and reports.
//!
//! Deletion is one D1 batch (all or nothing) and keeps the maintained counts true: the rating
//! summaries of the products whose published reviews go are recounted, and so are the helpful
//! and report counts of the reviews whose votes and reports go. The recommendation counts
//! (`item_counts`, `item_pairs`) stay: they count products, name no one, and the retention purge
//! treats them the same way. Reports (satisfaction, recommendations) are computed from the rows
//! when read, so they lose the shopper's share at once.

use crate::handlers::Context;
use crate::platform::error::ApiError;
use crate::platform::http::{self, BodyType};
use crate::platform::pseudonyms;
use crate::store::shoppers::{self as stored, ShopperKeys};
use memnun_protocol::Id;
use memnun_protocol::shopper::{DeletionReport, MAX_REQUEST_BYTES, Shopper, ShopperRequest};
use serde_json::{Map, Value};
use worker::{Env, Request, Response};

async fn read_shopper(req: &mut Request) -> Result<Shopper, ApiError> {
    let (request, _): (ShopperRequest, _) =
        http::read_json(req, MAX_REQUEST_BYTES, BodyType::Json).await?;
    request.validate().map_err(ApiError::Validation)
}

/// How each table's rows name the shopper: the hashes their writes stored. Keys that match
/// nothing stand for the other way of naming a shopper.
fn keys(env: &Env, shop: &Id, shopper: &Shopper) -> Result<ShopperKeys, ApiError> {
    let salt = pseudonyms::salt(env)?;
    let none = String::new;
    Ok(match shopper {
        Shopper::Email(email) => ShopperKeys {
            review_key: pseudonyms::review_email(&salt, email),
            order_key: pseudonyms::order_email(env, email)?,
            browser_key: none(),
            feedback_key: none(),
        },
        Shopper::Browser(browser) => ShopperKeys {
            review_key: none(),
            order_key: none(),
            browser_key: pseudonyms::browser(&salt, browser),
            feedback_key: pseudonyms::voter(shop, browser),
        },
    })
}

/// `POST /v1/admin/shoppers/export`: everything stored about the shopper, one JSON document with
/// one list per kind (empty where nothing is stored), read in one batch.
pub async fn export(req: &mut Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let (env, db, shop, now) = (cx.env, &cx.db, &cx.shop, cx.now);
    let shopper = read_shopper(req).await?;
    let sections = stored::export(db, shop, &keys(env, shop, &shopper)?).await?;
    let mut document = Map::new();
    document.insert(
        "shopper".into(),
        match &shopper {
            Shopper::Email(email) => serde_json::json!({ "email": email }),
            Shopper::Browser(browser) => serde_json::json!({ "browser": browser }),
        },
    );
    document.insert(
        "exported_at".into(),
        Value::String(memnun_protocol::time::format_rfc3339_ms(now)),
    );
    for (name, rows) in sections {
        document.insert(name.into(), Value::Array(rows));
    }
    http::json(200, &Value::Object(document))
}

/// `POST /v1/admin/shoppers/delete`: deletes everything `export` would show, in one batch, and
/// recounts what was counted from it. Deleting again finds nothing and answers zeros, so a retry
/// is safe without an idempotency key.
pub async fn delete(req: &mut Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let shopper = read_shopper(req).await?;
    http::json(200, &erase(cx, &shopper).await?)
}

/// Erases the orders `ids` (a platform's request on their shopper's behalf): everything stored
/// about the shoppers they name, as [`erase`] does, then what is left of them (orders without an
/// email); their ids stay erased. Answers how many orders went.
pub async fn erase_orders(cx: &Context<'_>, ids: &[String]) -> Result<u32, ApiError> {
    let mut orders = 0;
    for order_key in stored::order_keys(&cx.db, &cx.shop, ids).await? {
        let keys = ShopperKeys {
            review_key: String::new(),
            order_key,
            browser_key: String::new(),
            feedback_key: String::new(),
        };
        orders += erase_keys(cx, &keys).await?.orders;
    }
    let erased = tombstones(cx, ids)?;
    Ok(orders + stored::erase_orders(&cx.db, &cx.shop, ids, &erased, cx.now).await?)
}

/// What the tombstones of the orders `ids` hold.
fn tombstones(cx: &Context<'_>, ids: &[String]) -> Result<Vec<String>, ApiError> {
    let salt = pseudonyms::salt(cx.env)?;
    Ok(ids
        .iter()
        .map(|id| pseudonyms::erased_order(&salt, &cx.shop, id))
        .collect())
}

/// Deletes everything `keys` find, leaving their orders' tombstones.
async fn erase_keys(cx: &Context<'_>, keys: &ShopperKeys) -> Result<DeletionReport, ApiError> {
    // Their photos' bytes first: should the deletion below fail, it is asked for again, and
    // nothing of theirs stays in R2 with no row left to find it by.
    let photos = crate::store::photos::copied_of_shopper(&cx.db, &cx.shop, keys).await?;
    crate::handlers::photos::delete_objects(cx.env, &cx.shop, &photos).await?;
    let ids = stored::order_ids(&cx.db, &cx.shop, keys).await?;
    let erased = tombstones(cx, &ids)?;
    Ok(stored::delete(&cx.db, &cx.shop, keys, &erased, cx.now).await?)
}

/// Deletes everything stored about `shopper` (the merchant's request, or a platform's on the
/// shopper's behalf).
pub async fn erase(cx: &Context<'_>, shopper: &Shopper) -> Result<DeletionReport, ApiError> {
    erase_keys(cx, &keys(cx.env, &cx.shop, shopper)?).await
}
