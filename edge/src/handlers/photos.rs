//! Photos in reviews, at the edge: `POST /v1/shops/{shop}/photos` takes a shopper's photo and
//! its thumbnail into R2 (binding `PHOTOS`), held for the merchant unless the shop publishes
//! photos directly; `GET /v1/shops/{shop}/photos/{photo}` (and `…/thumbnail`) serves one while
//! it may be shown; the merchant sees any photo at `GET /v1/admin/photos/{photo}` and approves
//! or rejects it; `GET /v1/admin/photos` tells how the copies of imported photos are getting
//! on; and the bytes go from R2 when a photo or its review is rejected or its shopper erased
//! ([`delete_objects`]). Copying imported photos, and purging photos whose review never came,
//! is `jobs::photos`.
//!
//! A photo taken down stops being served by the worker at once. Browsers that fetched it before
//! may hold it the day their caching allows; shared caches, Cloudflare's included
//! (`platform::public_cache`), five minutes (`s-maxage`).

use crate::handlers::Context;
use crate::platform::error::ApiError;
use crate::platform::http::{self, BodyType};
use crate::platform::secure::random_hex;
use crate::platform::shopper_write;
use crate::store;
use crate::store::photos::Uploaded;
use memnun_protocol::merchant::{PhotoCopies, PhotoCopyProblem};
use memnun_protocol::photos::{MAX_UPLOAD_REQUEST_BYTES, NewPhoto, PhotoReceived};
use memnun_protocol::{Id, ReviewStatus};
use worker::{Bucket, Env, HttpMetadata, Request, Response};

const ENDPOINT_UPLOAD: &str = "POST /v1/shops/{shop}/photos";
const UPLOAD: shopper_write::Rules = shopper_write::Rules {
    client_limit: "PHOTO_WRITES",
    // Photos are the heaviest write: a limit of their own per shop, so they cannot spend all of
    // the shop's public writes (`SHOP_WRITES`), which reviews need too.
    shop_limit: Some("SHOP_PHOTOS"),
    max_bytes: MAX_UPLOAD_REQUEST_BYTES,
    body: BodyType::Json,
};

/// The R2 binding the photos are in (`wrangler.toml`).
pub const BUCKET: &str = "PHOTOS";
/// How long after its review a photo may still join it: the widget sends them together, and an
/// outbox retries within minutes. Later, a key someone kept cannot add photos to an old review.
pub const JOIN_WINDOW_MS: i64 = 24 * 3600 * 1000;
/// The most photos of a shop that may wait for their review at once: what a flood of photos
/// whose review never comes can hold in R2 (at most ~2.2 MB each) until the purge.
pub const MAX_UNCLAIMED_PER_SHOP: u32 = 200;
/// How long a browser may keep a photo: it never changes.
const MAX_AGE_S: u32 = 24 * 3600;
/// How long a shared cache may keep one: what a take-down (a rejection, an erasure) takes to
/// show everywhere.
const SHARED_MAX_AGE_S: u32 = 300;

/// The bucket, or why the deployment cannot store photos.
pub fn bucket(env: &Env) -> Result<Bucket, ApiError> {
    env.bucket(BUCKET).map_err(|_| ApiError::NoBinding(BUCKET))
}

/// `POST /v1/shops/{shop}/photos`: one photo of a review a shopper writes. The bytes go to R2
/// before the row that shows them is written, so a row never names bytes that are not there;
/// bytes whose row could not be written are deleted again.
pub async fn upload(req: &mut Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let (db, shop, now) = (&cx.db, &cx.shop, cx.now);
    let (opened, idempotency) =
        shopper_write::open_idempotent::<NewPhoto>(req, cx, &UPLOAD, ENDPOINT_UPLOAD).await?;
    let photo = opened.body.validate().map_err(ApiError::Validation)?;
    let [prior, policy, state] = http::batch(
        db,
        vec![
            idempotency.replay_statement(db, now)?,
            store::moderation::shop_policy(db, shop)?,
            store::photos::key_state(db, shop, &photo.photo_key, photo.position)?,
        ],
    )
    .await?;
    if let Some(replayed) = idempotency.replay_answer(&prior)? {
        return Ok(replayed);
    }
    let policy = store::moderation::shop_policy_of(&policy)?.unwrap_or_default();
    let state = store::photos::key_state_of(&state)?
        .ok_or_else(|| ApiError::Internal("the photo's key answered no row".into()))?;
    if state.taken.is_some() {
        return Err(place_taken(photo.position));
    }
    if state.review_at.is_some_and(|at| now - at > JOIN_WINDOW_MS) {
        return Err(ApiError::Conflict(
            "photos join a review only within a day of it".into(),
        ));
    }
    if state.review_at.is_none() && state.unclaimed >= MAX_UNCLAIMED_PER_SHOP {
        // Too many photos wait for reviews that have not come: this one is asked to come again
        // later, when the purge or the reviews have made room.
        return Err(ApiError::RateLimited(3600));
    }
    let status = if policy.publish_photos {
        ReviewStatus::Published
    } else {
        ReviewStatus::Pending
    };
    let id = format!("p{}", random_hex(12)?);
    let bucket = bucket(cx.env)?;
    let keys = [
        store::photos::object_key(shop.as_str(), &id),
        store::photos::thumbnail_key(shop.as_str(), &id),
    ];
    for (key, bytes, facts) in [
        (&keys[0], &photo.image, &photo.image_facts),
        (&keys[1], &photo.thumbnail, &photo.thumbnail_facts),
    ] {
        let stored = bucket
            .put(key, bytes.clone())
            .http_metadata(HttpMetadata {
                content_type: Some(facts.kind.content_type().to_owned()),
                ..HttpMetadata::default()
            })
            .execute()
            .await;
        if let Err(e) = stored {
            // Neither may stay without its row: the photo is sent again, under another id.
            let _ = bucket.delete_multiple(keys.to_vec()).await;
            return Err(e.into());
        }
    }
    let answer = serde_json::to_string(&PhotoReceived {
        id: id.clone(),
        width: photo.image_facts.width,
        height: photo.image_facts.height,
        status,
    })
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut batch = idempotency.record(db, now, 201, &answer)?;
    batch.push(store::photos::insert_uploaded(
        db,
        shop,
        &Uploaded {
            id: &id,
            photo_key: &photo.photo_key,
            position: photo.position,
            status,
            image: (&photo.image_facts, photo.image.len()),
            thumbnail: (&photo.thumbnail_facts, photo.thumbnail.len()),
        },
        now,
    )?);
    match db.batch(batch).await {
        Ok(_) => http::json_text(201, answer),
        Err(e) => {
            bucket.delete_multiple(keys.to_vec()).await?;
            // A racing request with the same key, or another photo for the same place, won.
            match idempotency.replay(db, now).await? {
                Some(replayed) => Ok(replayed),
                None if e.to_string().contains("UNIQUE") => Err(place_taken(photo.position)),
                None => Err(e.into()),
            }
        }
    }
}

fn place_taken(position: u8) -> ApiError {
    ApiError::Conflict(format!(
        "the review already has a photo in place {position}"
    ))
}

/// `GET /v1/shops/{shop}/photos/{photo}` and `…/thumbnail`: a photo, or its thumbnail (an
/// imported photo, which has none, stands in for its own), while it may be shown.
pub async fn serve(cx: &Context<'_>, photo: &str, thumbnail: bool) -> Result<Response, ApiError> {
    let (db, shop) = (&cx.db, &cx.shop);
    // An id that cannot be a photo's is not looked up.
    let photo = http::parse_id("photo", photo).map_err(|_| ApiError::NotFound("photo"))?;
    let Some(types) = store::photos::shown(db, shop, photo.as_str()).await? else {
        return Err(ApiError::NotFound("photo"));
    };
    let mut resp = bytes(cx.env, shop, photo.as_str(), thumbnail, types).await?;
    resp.headers_mut().set(
        "Cache-Control",
        &format!("public, max-age={MAX_AGE_S}, s-maxage={SHARED_MAX_AGE_S}"),
    )?;
    Ok(resp)
}

/// The bytes of the shop's photo, or its thumbnail when it has one and `thumbnail` asks.
async fn bytes(
    env: &Env,
    shop: &Id,
    photo: &str,
    thumbnail: bool,
    types: store::photos::Types,
) -> Result<Response, ApiError> {
    let (key, content_type) = match types.thumbnail_type {
        Some(thumbnail_type) if thumbnail => (
            store::photos::thumbnail_key(shop.as_str(), photo),
            thumbnail_type,
        ),
        _ => (
            store::photos::object_key(shop.as_str(), photo),
            types.content_type,
        ),
    };
    let object = bucket(env)?
        .get(key)
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
    headers.set("ETag", &object.http_etag())?;
    headers.set("Content-Length", &object.size().to_string())?;
    Ok(resp)
}

/// The shop's photo that belongs to a review, whatever its status.
async fn find(cx: &Context<'_>, photo: &str) -> Result<store::photos::Found, ApiError> {
    let photo = http::parse_id("photo", photo).map_err(|_| ApiError::NotFound("photo"))?;
    store::photos::find(&cx.db, &cx.shop, photo.as_str())
        .await?
        .filter(|found| found.review_id.is_some())
        .ok_or(ApiError::NotFound("photo"))
}

/// `GET /v1/admin/photos/{photo}` (and `…/thumbnail`): any photo of a review, for the merchant
/// to judge; a rejected one is gone.
pub async fn for_merchant(
    cx: &Context<'_>,
    photo: &str,
    thumbnail: bool,
) -> Result<Response, ApiError> {
    let found = find(cx, photo).await?;
    let content_type = match found.content_type {
        Some(t) if found.state == "ready" && found.status != "rejected" => t,
        _ => return Err(ApiError::NotFound("photo")),
    };
    let types = store::photos::Types {
        content_type,
        thumbnail_type: found.thumbnail_type,
    };
    bytes(cx.env, &cx.shop, &found.id, thumbnail, types).await
}

/// `POST /v1/admin/photos/{photo}/approve` and `…/reject`: answers its review as the merchant
/// sees it. A rejected photo's bytes go from R2 before its row says so, and it cannot come back.
pub async fn decide(cx: &Context<'_>, photo: &str, to: ReviewStatus) -> Result<Response, ApiError> {
    let (db, shop) = (&cx.db, &cx.shop);
    let found = find(cx, photo).await?;
    if found.status == to.as_str() || found.status == ReviewStatus::Rejected.as_str() {
        return Err(ApiError::Conflict(format!(
            "the photo is already {}",
            found.status
        )));
    }
    if to == ReviewStatus::Rejected {
        delete_objects(cx.env, shop, std::slice::from_ref(&found.id)).await?;
    }
    store::photos::set_status(db, shop, &found.id, &found.status, to)?
        .run()
        .await?;
    let review = found.review_id.unwrap_or_default();
    crate::handlers::moderation::get(cx, &review).await
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
    // R2 deletes at most 1,000 keys at once: two for each photo.
    for chunk in ids.chunks(500) {
        // A shopper's photo has a thumbnail beside it; deleting one that is not there is no
        // error, so imported photos need no telling apart.
        let keys: Vec<String> = chunk
            .iter()
            .flat_map(|id| {
                [
                    store::photos::object_key(shop.as_str(), id),
                    store::photos::thumbnail_key(shop.as_str(), id),
                ]
            })
            .collect();
        bucket.delete_multiple(keys).await?;
    }
    Ok(())
}
