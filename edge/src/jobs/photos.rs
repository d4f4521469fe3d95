//! Purges the photos shoppers sent for a review that never came ([`purge_unclaimed`]), and
//! copies imported photos into R2, a few each minute: each is fetched from its address in the
//! other tool, judged by its bytes (`protocol::photos::inspect`), and stored under its own key,
//! or tried again later and, after [`MAX_ATTEMPTS`], given up on with the reason, which the
//! merchant reads in `GET /v1/admin/photos`.
//!
//! The addresses come from a merchant's file, so they are held to the rules of the edge's own
//! requests (`platform::outbound`: public, https, no credentials) and redirects are not
//! followed; the body is read no further than [`MAX_BYTES`]. Two runs that overlap may copy
//! the same photo twice: the second writes the same bytes under the same key.

use crate::handlers::photos::bucket;
use crate::platform::outbound;
use crate::store;
use crate::store::photos::Waiting;
use futures_util::StreamExt;
use futures_util::future::Either;
use memnun_protocol::photos::{MAX_BYTES, PhotoFacts, inspect};
use std::time::Duration;
use worker::{
    Bucket, D1Database, Delay, Env, Fetch, HttpMetadata, Method, Request, RequestInit,
    RequestRedirect,
};

/// Photos copied per run: each is a fetch and an R2 write, well inside one invocation's limits.
const PER_RUN: u32 = 5;
pub const MAX_ATTEMPTS: u32 = 3;
/// How long one photo's download may take: a run copies a few, one after the other.
const FETCH_TIMEOUT: Duration = Duration::from_secs(15);
/// How long before a failed copy is tried again, by the number of tries so far.
const RETRY_AFTER_MS: [i64; 2] = [5 * 60_000, 60 * 60_000];

/// How long a shopper's photo waits for its review: an outbox resends within minutes, or on
/// the shopper's next visit to the shop.
pub const UNCLAIMED_KEPT_MS: i64 = 7 * 24 * 3600 * 1000;
/// Unclaimed photos purged per run.
const PURGED_PER_RUN: u32 = 100;

/// Deletes the photos whose review has not come in [`UNCLAIMED_KEPT_MS`] (a bot's, answered as
/// if stored; one refused; one the shopper gave up on): rows first, so no row ever names bytes
/// that are gone; bytes left by a failed delete are unreachable, and cost only their storage.
pub async fn purge_unclaimed(env: &Env, db: &D1Database, now: i64) -> worker::Result<()> {
    let bucket = bucket(env).map_err(|e| worker::Error::RustError(format!("{e:?}")))?;
    let gone = store::photos::forget_unclaimed(db, now - UNCLAIMED_KEPT_MS, PURGED_PER_RUN).await?;
    if gone.is_empty() {
        return Ok(());
    }
    let keys = gone
        .iter()
        .flat_map(|p| {
            [
                store::photos::object_key(&p.shop_id, &p.id),
                store::photos::thumbnail_key(&p.shop_id, &p.id),
            ]
        })
        .collect();
    bucket.delete_multiple(keys).await
}

pub async fn copy_due(env: &Env, db: &D1Database, now: i64) -> worker::Result<()> {
    let due = store::photos::due(db, now, PER_RUN).await?;
    if due.is_empty() {
        return Ok(());
    }
    // Without the bucket nothing can be copied: the photos wait, and each run logs why.
    let bucket = bucket(env).map_err(|e| worker::Error::RustError(format!("{e:?}")))?;
    let loopback = outbound::loopback_allowed(env);
    for photo in due {
        // Whatever goes wrong with one photo is its try, recorded with its reason: no photo
        // stays due for ever and holds up the others.
        let outcome = copy(&bucket, &photo, loopback).await;
        let recorded = match &outcome {
            Ok((facts, size)) => store::photos::copied(db, &photo, facts, *size)?.run().await,
            Err(why) => {
                store::photos::not_copied(db, &photo, why, retry_at(&photo, now))?
                    .run()
                    .await
            }
        };
        let changed = recorded?.meta()?.and_then(|m| m.changes).unwrap_or(0);
        if outcome.is_ok() && changed == 0 {
            // The photo went while it was being copied (its review rejected, its shopper
            // erased): its bytes go too.
            bucket
                .delete(store::photos::object_key(&photo.shop_id, &photo.id))
                .await?;
        }
    }
    Ok(())
}

/// Fetches, judges and stores one photo: its facts and size, or why not, in words for the
/// merchant.
async fn copy(
    bucket: &Bucket,
    photo: &Waiting,
    loopback: bool,
) -> Result<(PhotoFacts, usize), String> {
    let fetched = futures_util::future::select(
        Box::pin(fetch(&photo.source_url, loopback)),
        Box::pin(Delay::from(FETCH_TIMEOUT)),
    )
    .await;
    let bytes = match fetched {
        Either::Left((bytes, _)) => bytes?,
        Either::Right(_) => {
            return Err(format!(
                "the address did not send the file within {} seconds",
                FETCH_TIMEOUT.as_secs()
            ));
        }
    };
    let facts = inspect(&bytes).map_err(|problem| format!("the file {problem}"))?;
    let size = bytes.len();
    bucket
        .put(store::photos::object_key(&photo.shop_id, &photo.id), bytes)
        .http_metadata(HttpMetadata {
            content_type: Some(facts.kind.content_type().to_owned()),
            ..HttpMetadata::default()
        })
        .execute()
        .await
        .map_err(|e| format!("the copy could not be stored: {e}"))?;
    Ok((facts, size))
}

/// When a photo that failed now is tried again: `None` once it has had its tries.
fn retry_at(photo: &Waiting, now: i64) -> Option<i64> {
    RETRY_AFTER_MS
        .get(photo.attempts as usize)
        .filter(|_| photo.attempts + 1 < MAX_ATTEMPTS)
        .map(|after| now + after)
}

/// The bytes at `url`, or why not, in words for the merchant.
async fn fetch(url: &str, loopback: bool) -> Result<Vec<u8>, String> {
    if let Some(problem) = outbound::problem(url, loopback) {
        return Err(format!("the address {problem}"));
    }
    let mut init = RequestInit::new();
    init.with_method(Method::Get)
        .with_redirect(RequestRedirect::Manual);
    let request = Request::new_with_init(url, &init).map_err(|e| e.to_string())?;
    let mut resp = Fetch::Request(request)
        .send()
        .await
        .map_err(|e| format!("the address could not be reached: {e}"))?;
    let status = resp.status_code();
    if !(200..300).contains(&status) {
        return Err(format!("the address answered {status}"));
    }
    let declared = resp
        .headers()
        .get("Content-Length")
        .ok()
        .flatten()
        .and_then(|n| n.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BYTES) {
        return Err(format!("the file is larger than {} MiB", MAX_BYTES >> 20));
    }
    let mut stream = resp.stream().map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| format!("the download broke off: {e}"))?;
        if bytes.len() + chunk.len() > MAX_BYTES {
            return Err(format!("the file is larger than {} MiB", MAX_BYTES >> 20));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}
