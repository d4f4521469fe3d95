//! Photos in reviews (`review_photos`, migrations 0016 and 0017): what each is, whether it may be
//! shown, and, for an imported one, where it is waiting to be copied from. A shopper's photo
//! carries its review's `photo_key` and has no `review_id` until that review arrives (whichever
//! comes first, the second joins them: [`insert_uploaded`], [`claim`]); at most one photo per place
//! of a key, and of a review. The bytes are in R2 under [`object_key`] (and a shopper's photo's
//! thumbnail under [`thumbnail_key`]), written and deleted by the edge's handlers and jobs, never
//! here.

use super::Params;
use super::shoppers::{REVIEWS, ShopperKeys};
use memnun_protocol::photos::PhotoFacts;
use memnun_protocol::{Id, ReviewStatus};
use serde::{Deserialize, Serialize};
use worker::{D1Database, D1PreparedStatement, D1Result};

/// Where a photo's bytes are in the `PHOTOS` bucket.
pub fn object_key(shop: &str, photo: &str) -> String {
    format!("photos/{shop}/{photo}")
}

/// Where a shopper's photo's thumbnail is.
pub fn thumbnail_key(shop: &str, photo: &str) -> String {
    format!("photos/{shop}/{photo}/thumbnail")
}

/// A shopper's photo whose bytes are in R2, to record.
pub struct Uploaded<'a> {
    pub id: &'a str,
    pub photo_key: &'a str,
    pub position: u8,
    pub status: ReviewStatus,
    pub image: (&'a PhotoFacts, usize),
    pub thumbnail: (&'a PhotoFacts, usize),
}

/// Records a shopper's photo, joined to its review if that has come (and not been rejected).
/// Fails (and with it its batch) when the key has a photo in that place already.
pub fn insert_uploaded(
    db: &D1Database,
    shop: &Id,
    photo: &Uploaded,
    now: i64,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(shop.as_str())
        .text(photo.id)
        .text(photo.photo_key)
        .int(i64::from(photo.position))
        .text(photo.status.as_str())
        .text(photo.image.0.kind.content_type())
        .int(i64::from(photo.image.0.width))
        .int(i64::from(photo.image.0.height))
        .int(photo.image.1 as i64)
        .text(photo.thumbnail.0.kind.content_type())
        .int(photo.thumbnail.1 as i64)
        .int(now)
        .bind(
            db,
            "INSERT INTO review_photos (shop_id, id, review_id, photo_key, position, \
             status, state, content_type, width, height, size, thumbnail_type, thumbnail_size, \
             created_at) \
             SELECT ?1, ?2, (SELECT id FROM reviews WHERE shop_id = ?1 AND photo_key = ?3 \
             AND status != 'rejected'), ?3, ?4, ?5, 'ready', ?6, ?7, ?8, ?9, ?10, ?11, ?12",
        )
}

/// The read of what a new photo meets: whether its key has a photo in `position` already, when
/// the review with its key was written (if it was), and how many of the shop's photos wait for
/// their review; [`key_state_of`] reads its result.
pub fn key_state(
    db: &D1Database,
    shop: &Id,
    photo_key: &str,
    position: u8,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(shop.as_str())
        .text(photo_key)
        .int(i64::from(position))
        .bind(
            db,
            "SELECT (SELECT 1 FROM review_photos WHERE shop_id = ?1 AND photo_key = ?2 \
             AND position = ?3) AS taken, \
             (SELECT created_at FROM reviews WHERE shop_id = ?1 AND photo_key = ?2) AS review_at, \
             (SELECT COUNT(*) FROM review_photos WHERE shop_id = ?1 AND review_id IS NULL) \
             AS unclaimed",
        )
}

/// What [`key_state`] found.
#[derive(Deserialize)]
pub struct KeyState {
    pub taken: Option<i64>,
    pub review_at: Option<i64>,
    pub unclaimed: u32,
}

pub fn key_state_of(found: &D1Result) -> worker::Result<Option<KeyState>> {
    Ok(found.results::<KeyState>()?.into_iter().next())
}

/// Joins the photos sent before it to the review `review` whose key is `photo_key`: in the
/// batch that stores the review.
pub fn claim(
    db: &D1Database,
    shop: &Id,
    review: &str,
    photo_key: &str,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(shop.as_str())
        .text(review)
        .text(photo_key)
        .bind(
            db,
            "UPDATE review_photos SET review_id = ?2 WHERE shop_id = ?1 AND photo_key = ?3 \
             AND review_id IS NULL",
        )
}

/// A photo as the merchant's decisions and the purge need it.
#[derive(Deserialize)]
pub struct Found {
    pub id: String,
    pub review_id: Option<String>,
    pub status: String,
    pub state: String,
    pub content_type: Option<String>,
    pub thumbnail_type: Option<String>,
}

/// The shop's photo `photo`, whatever its status.
pub async fn find(db: &D1Database, shop: &Id, photo: &str) -> worker::Result<Option<Found>> {
    Params::new()
        .text(shop.as_str())
        .text(photo)
        .bind(
            db,
            "SELECT id, review_id, status, state, content_type, thumbnail_type FROM review_photos \
             WHERE shop_id = ?1 AND id = ?2",
        )?
        .first(None)
        .await
}

/// Moves the photo from `from` to `to` (only if it is still `from`).
pub fn set_status(
    db: &D1Database,
    shop: &Id,
    photo: &str,
    from: &str,
    to: ReviewStatus,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(shop.as_str())
        .text(photo)
        .text(from)
        .text(to.as_str())
        .bind(
            db,
            "UPDATE review_photos SET status = ?4 WHERE shop_id = ?1 AND id = ?2 AND status = ?3",
        )
}

/// A photo whose review never came, deleted.
#[derive(Deserialize)]
pub struct Unclaimed {
    pub shop_id: String,
    pub id: String,
}

/// Forgets up to `limit` photos, across shops, sent before `before` and still without their
/// review, and says which (their bytes are to go next).
pub async fn forget_unclaimed(
    db: &D1Database,
    before: i64,
    limit: u32,
) -> worker::Result<Vec<Unclaimed>> {
    Params::new()
        .int(before)
        .int(i64::from(limit))
        .bind(
            db,
            "DELETE FROM review_photos WHERE rowid IN (SELECT rowid FROM review_photos \
             WHERE review_id IS NULL AND created_at < ?1 ORDER BY created_at LIMIT ?2) \
             RETURNING shop_id, id",
        )?
        .all()
        .await?
        .results()
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

/// What a photo's bytes are: the photo's type, and its thumbnail's if it has one.
#[derive(Deserialize)]
pub struct Types {
    pub content_type: String,
    pub thumbnail_type: Option<String>,
}

/// The types of the shop's photo `photo` when it may be shown (copied, published, and its
/// review published), else `None`.
pub async fn shown(db: &D1Database, shop: &Id, photo: &str) -> worker::Result<Option<Types>> {
    Params::new()
        .text(shop.as_str())
        .text(photo)
        .bind(
            db,
            "SELECT p.content_type, p.thumbnail_type FROM review_photos p JOIN reviews r \
             ON r.shop_id = p.shop_id AND r.id = p.review_id \
             WHERE p.shop_id = ?1 AND p.id = ?2 AND p.state = 'ready' \
             AND p.status = 'published' AND r.status = 'published'",
        )?
        .first(None)
        .await
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
            "SELECT state, COUNT(*) AS n FROM review_photos WHERE shop_id = ?1 \
             AND photo_key IS NULL GROUP BY state",
        )?,
        Params::new().text(shop.as_str()).bind(
            db,
            "SELECT review_id, source_url, state, attempts, error FROM review_photos \
             WHERE shop_id = ?1 AND error IS NOT NULL AND state != 'ready' \
             AND photo_key IS NULL ORDER BY created_at DESC, id LIMIT 50",
        )?,
    ])
}

pub fn progress_of(
    counts: &D1Result,
    problems: &D1Result,
) -> worker::Result<(Vec<StateCount>, Vec<Problem>)> {
    Ok((counts.results()?, problems.results()?))
}
