//! Photos in reviews (`review_photos`, migration 0016): what each is, whether it may be shown,
//! and, for an imported one, where it is waiting to be copied from. The bytes are in R2 under
//! [`object_key`], written and deleted by the edge's handlers and jobs, never here.

use super::Params;
use super::shoppers::{REVIEWS, ShopperKeys};
use memnun_protocol::Id;
use memnun_protocol::photos::PhotoFacts;
use serde::{Deserialize, Serialize};
use worker::{D1Database, D1PreparedStatement, D1Result};

/// Where a photo's bytes are in the `PHOTOS` bucket.
pub fn object_key(shop: &str, photo: &str) -> String {
    format!("photos/{shop}/{photo}")
}

/// The photos shown with the review `alias` names in a query over `reviews`, as a JSON array of
/// `{id, width, height}` in their order: a column, so a page of reviews costs no statement more.
pub fn shown_of(alias: &str) -> String {
    format!(
        "(SELECT json_group_array(json_object('id', p.id, 'width', p.width, 'height', p.height) \
         ORDER BY p.position) FROM review_photos p WHERE p.shop_id = {alias}.shop_id \
         AND p.review_id = {alias}.id AND p.state = 'ready' AND p.status = 'published')"
    )
}

/// An imported photo to copy: its review, its place, its id and its address in the other tool.
#[derive(Serialize)]
pub struct ImportedPhoto {
    pub review: String,
    pub position: u32,
    pub id: String,
    pub url: String,
}

/// Queues `photos` (a JSON array of [`ImportedPhoto`]) to be copied from `now` on, each once (a
/// file imported again adds none), and only for the reviews that exist and are not rejected:
/// run in the batch after the reviews' insert, which it reads.
pub fn queue_imported(
    db: &D1Database,
    shop: &Id,
    photos: &str,
    now: i64,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(shop.as_str())
        .text(photos)
        .int(now)
        .bind(
            db,
            "INSERT OR IGNORE INTO review_photos (shop_id, id, review_id, position, status, \
             state, source_url, next_attempt_at, created_at) \
             SELECT ?1, json_extract(j.value, '$.id'), json_extract(j.value, '$.review'), \
             json_extract(j.value, '$.position'), 'published', 'waiting', \
             json_extract(j.value, '$.url'), ?3, ?3 FROM json_each(?2) j \
             WHERE EXISTS (SELECT 1 FROM reviews r WHERE r.shop_id = ?1 \
             AND r.id = json_extract(j.value, '$.review') AND r.status != 'rejected')",
        )
}

/// A photo waiting to be copied.
#[derive(Deserialize)]
pub struct Waiting {
    pub shop_id: String,
    pub id: String,
    pub source_url: String,
    pub attempts: u32,
}

/// Up to `limit` photos due to be copied at `now`, across shops, longest waiting first.
pub async fn due(db: &D1Database, now: i64, limit: u32) -> worker::Result<Vec<Waiting>> {
    Params::new()
        .int(now)
        .int(i64::from(limit))
        .bind(
            db,
            "SELECT shop_id, id, source_url, attempts FROM review_photos \
             WHERE state = 'waiting' AND next_attempt_at <= ?1 AND source_url IS NOT NULL \
             ORDER BY next_attempt_at LIMIT ?2",
        )?
        .all()
        .await?
        .results()
}

/// The photo is in R2 as `facts` say, `size` bytes: it may be shown.
pub fn copied(
    db: &D1Database,
    photo: &Waiting,
    facts: &PhotoFacts,
    size: usize,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(&photo.shop_id)
        .text(&photo.id)
        .text(facts.kind.content_type())
        .int(i64::from(facts.width))
        .int(i64::from(facts.height))
        .int(size as i64)
        .bind(
            db,
            "UPDATE review_photos SET state = 'ready', content_type = ?3, width = ?4, \
             height = ?5, size = ?6, source_url = NULL, error = NULL, \
             attempts = attempts + 1, next_attempt_at = NULL \
             WHERE shop_id = ?1 AND id = ?2 AND state = 'waiting'",
        )
}

/// The copy failed for `error`: tried again at `retry_at`, or given up when `None`.
pub fn not_copied(
    db: &D1Database,
    photo: &Waiting,
    error: &str,
    retry_at: Option<i64>,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(&photo.shop_id)
        .text(&photo.id)
        .text(error)
        .opt_int(retry_at)
        .bind(
            db,
            "UPDATE review_photos SET attempts = attempts + 1, error = ?3, \
             next_attempt_at = ?4, state = CASE WHEN ?4 IS NULL THEN 'failed' ELSE state END \
             WHERE shop_id = ?1 AND id = ?2 AND state = 'waiting'",
        )
}

/// The content type of the shop's photo `photo` when it may be shown (copied, published, and
/// its review published), else `None`.
pub async fn shown(db: &D1Database, shop: &Id, photo: &str) -> worker::Result<Option<String>> {
    super::texts::<Vec<String>>(Params::new().text(shop.as_str()).text(photo).bind(
        db,
        "SELECT p.content_type FROM review_photos p JOIN reviews r \
             ON r.shop_id = p.shop_id AND r.id = p.review_id \
             WHERE p.shop_id = ?1 AND p.id = ?2 AND p.state = 'ready' \
             AND p.status = 'published' AND r.status = 'published'",
    )?)
    .await
    .map(|types| types.into_iter().next())
}

/// The ids of the photos of the shop's review `review` whose bytes are in R2.
pub async fn copied_of_review(
    db: &D1Database,
    shop: &Id,
    review: &str,
) -> worker::Result<Vec<String>> {
    super::texts(Params::new().text(shop.as_str()).text(review).bind(
        db,
        "SELECT id FROM review_photos WHERE shop_id = ?1 AND review_id = ?2 AND state = 'ready'",
    )?)
    .await
}

/// Forgets the photos of the shop's review `review` (their bytes are deleted first).
pub fn forget_of_review(
    db: &D1Database,
    shop: &Id,
    review: &str,
) -> worker::Result<D1PreparedStatement> {
    Params::new().text(shop.as_str()).text(review).bind(
        db,
        "DELETE FROM review_photos WHERE shop_id = ?1 AND review_id = ?2",
    )
}

/// The ids of the photos whose bytes are in R2 of the reviews `shopper`'s keys find (as their
/// erasure deletes them).
pub async fn copied_of_shopper(
    db: &D1Database,
    shop: &Id,
    shopper: &ShopperKeys,
) -> worker::Result<Vec<String>> {
    super::texts(shopper.bind(
        db,
        shop,
        &format!(
            "SELECT id FROM review_photos WHERE shop_id = ?1 AND state = 'ready' \
             AND review_id IN ({REVIEWS})"
        ),
        None,
    )?)
    .await
}

/// How the shop's imported photos are getting on: how many wait, are copied or were given up
/// on, and the latest problems.
#[derive(Deserialize)]
pub struct StateCount {
    pub state: String,
    pub n: u32,
}

#[derive(Deserialize)]
pub struct Problem {
    pub review_id: String,
    pub source_url: Option<String>,
    pub state: String,
    pub attempts: u32,
    pub error: Option<String>,
}

/// The statements [`progress_of`] reads, to run in one batch.
pub fn progress(db: &D1Database, shop: &Id) -> worker::Result<[D1PreparedStatement; 2]> {
    Ok([
        Params::new().text(shop.as_str()).bind(
            db,
            "SELECT state, COUNT(*) AS n FROM review_photos WHERE shop_id = ?1 GROUP BY state",
        )?,
        Params::new().text(shop.as_str()).bind(
            db,
            "SELECT review_id, source_url, state, attempts, error FROM review_photos \
             WHERE shop_id = ?1 AND error IS NOT NULL AND state != 'ready' \
             ORDER BY created_at DESC, id LIMIT 50",
        )?,
    ])
}

pub fn progress_of(
    counts: &D1Result,
    problems: &D1Result,
) -> worker::Result<(Vec<StateCount>, Vec<Problem>)> {
    Ok((counts.results()?, problems.results()?))
}
