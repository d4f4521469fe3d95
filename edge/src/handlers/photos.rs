//! Photos in reviews, at the edge: `GET /v1/shops/{shop}/photos/{photo}` serves one from R2
//! (binding `PHOTOS`) while it may be shown; `GET /v1/admin/photos` tells the merchant how the
//! copies of imported photos are getting on; and the bytes go from R2 when a review is rejected
//! or its shopper erased ([`delete_objects`]). The copying itself is `jobs::photos`.
//!
//! A photo taken down stops being served at once; a browser or proxy that fetched it before may
//! hold it for the day its caching allows.

use crate::handlers::Context;
use crate::platform::error::ApiError;
use crate::platform::http;
use crate::store;
use memnun_protocol::Id;
use memnun_protocol::merchant::{PhotoCopies, PhotoCopyProblem};
use worker::{Bucket, Env, Response};

/// The R2 binding the photos are in (`wrangler.toml`).
pub const BUCKET: &str = "PHOTOS";
/// A day: a photo never changes, but one taken down (a rejection, an erasure) must not live on
/// in shared caches for long.
const MAX_AGE_S: u32 = 24 * 3600;

/// The bucket, or why the deployment cannot store photos.
pub fn bucket(env: &Env) -> Result<Bucket, ApiError> {
    env.bucket(BUCKET).map_err(|_| ApiError::NoBinding(BUCKET))
}

pub async fn serve(cx: &Context<'_>, photo: &str) -> Result<Response, ApiError> {
    let (db, shop) = (&cx.db, &cx.shop);
    // An id that cannot be a photo's is not looked up.
    let photo = http::parse_id("photo", photo).map_err(|_| ApiError::NotFound("photo"))?;
    let Some(content_type) = store::photos::shown(db, shop, photo.as_str()).await? else {
        return Err(ApiError::NotFound("photo"));
    };
    let object = bucket(cx.env)?
        .get(store::photos::object_key(shop.as_str(), photo.as_str()))
        .execute()
        .await?
        .ok_or(ApiError::NotFound("photo"))?;
    let body = object
        .body()
        .ok_or_else(|| ApiError::Internal("the photo has no body".into()))?
        .response_body()?;
    let mut resp = Response::from_body(body)?;
    let headers = resp.headers_mut();
    // The type the edge found in the bytes, never one a sender claimed.
    headers.set("Content-Type", &content_type)?;
    headers.set("X-Content-Type-Options", "nosniff")?;
    headers.set("Cache-Control", &format!("public, max-age={MAX_AGE_S}"))?;
    headers.set("ETag", &object.http_etag())?;
    headers.set("Content-Length", &object.size().to_string())?;
    Ok(resp)
}

/// `GET /v1/admin/photos`: the shop's imported photos by state, and the latest problems.
pub async fn copies(cx: &Context<'_>) -> Result<Response, ApiError> {
    let (db, shop) = (&cx.db, &cx.shop);
    let [counts, problems] = http::batch(db, store::photos::progress(db, shop)?.into()).await?;
    let (counts, problems) = store::photos::progress_of(&counts, &problems)?;
    let count = |state: &str| counts.iter().find(|c| c.state == state).map_or(0, |c| c.n);
    http::json(
        200,
        &PhotoCopies {
            waiting: count("waiting"),
            copied: count("ready"),
            failed: count("failed"),
            problems: problems
                .into_iter()
                .map(|p| PhotoCopyProblem {
                    review: p.review_id,
                    source_url: p.source_url.unwrap_or_default(),
                    given_up: p.state == "failed",
                    attempts: p.attempts,
                    error: p.error.unwrap_or_default(),
                })
                .collect(),
        },
    )
}

/// Deletes the bytes of the shop's photos `ids` from R2 (their rows go in the caller's batch):
/// the copied ones, since only those have bytes.
pub async fn delete_objects(env: &Env, shop: &Id, ids: &[String]) -> Result<(), ApiError> {
    if ids.is_empty() {
        return Ok(());
    }
    let bucket = bucket(env)?;
    // R2 deletes at most 1,000 keys at once.
    for chunk in ids.chunks(1000) {
        let keys: Vec<String> = chunk
            .iter()
            .map(|id| store::photos::object_key(shop.as_str(), id))
            .collect();
        bucket.delete_multiple(keys).await?;
    }
    Ok(())
}
