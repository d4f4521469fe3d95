//! Reviews (`reviews`): what shoppers wrote, posted through the widget or imported, with their
//! status (published, pending, rejected), why one was held, the order a review link proved and
//! the merchant's reply. Shoppers see only published reviews, and a product's rating summary
//! counts exactly those (`ratings.rs`): every batch here that adds or publishes a review changes
//! the summary with it. Unique indexes keep one review per product for an order's review link,
//! and one per imported row (`import_key`).

use super::Params;
use super::moderation;
use super::ratings::{self, SummaryChange};
use crate::platform::error::ApiError;
use memnun_protocol::merchant::MerchantReview;
use memnun_protocol::moderation::{HoldReason, ModerationPolicy};
use memnun_protocol::{Id, Reply, Review, ReviewCursor, ReviewSort, ReviewStatus};
use serde::{Deserialize, Serialize};
use worker::{D1Database, D1PreparedStatement, D1Result};

/// What a new review is stored with besides what shoppers see of it.
pub struct Submission<'a> {
    pub email: Option<&'a str>,
    /// Names the shopper for an export or an erasure (`shoppers.rs`).
    pub shopper_key: &'a str,
    pub client: &'a str,
    pub status: ReviewStatus,
    pub hold: Option<HoldReason>,
    /// The order a review link proved: the review is then verified.
    pub order: Option<&'a str>,
    /// Finds the same text posted again.
    pub body_hash: &'a str,
    /// Names the review's photos, sent on their own (`photos::claim`).
    pub photo_key: Option<&'a str>,
}

/// The statement storing `review`, posted through the widget.
pub fn insert(
    db: &D1Database,
    shop: &Id,
    review: &Review,
    with: &Submission,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(&review.id)
        .text(shop.as_str())
        .text(&review.product)
        .int(i64::from(review.rating))
        .text(&review.title)
        .text(&review.body)
        .text(&review.author)
        .opt_text(with.email)
        .opt_text(review.locale.as_deref())
        .text(with.shopper_key)
        .text(with.client)
        .int(review.created_at)
        .text(with.status.as_str())
        .opt_text(with.hold.map(HoldReason::as_str))
        .flag(with.order.is_some())
        .opt_text(with.order)
        .text(with.body_hash)
        .opt_text(with.photo_key)
        .bind(
            db,
            "INSERT INTO reviews (id, shop_id, product_id, rating, title, body, author, email, \
             locale, shopper_key, client_hash, status, created_at, hold_reason, verified, \
             order_id, body_hash, photo_key) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?13, ?12, ?14, ?15, ?16, ?17, \
             ?18)",
        )
}

/// Whether the order's review link was used for a review of `product` already.
pub async fn token_used(
    db: &D1Database,
    shop: &Id,
    order: &str,
    product: &str,
) -> worker::Result<bool> {
    let used: Option<serde_json::Value> = Params::new()
        .text(shop.as_str())
        .text(order)
        .text(product)
        .bind(
            db,
            "SELECT 1 AS used FROM reviews WHERE shop_id = ?1 AND order_id = ?2 AND product_id = ?3",
        )?
        .first(None)
        .await?;
    Ok(used.is_some())
}

/// The read of the shop's moderation policy, and of whether the same text (`body_hash`) was
/// posted for the product after `posted_after`; [`policy_and_duplicate_of`] reads its result.
pub fn policy_and_duplicate(
    db: &D1Database,
    shop: &Id,
    product: &str,
    body_hash: &str,
    posted_after: i64,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(shop.as_str())
        .text(product)
        .text(body_hash)
        .int(posted_after)
        .bind(
            db,
            "SELECT (SELECT policy FROM moderation_policies WHERE shop_id = ?1) AS policy, \
             (SELECT 1 FROM reviews WHERE shop_id = ?1 AND product_id = ?2 AND body_hash = ?3 \
             AND created_at > ?4 LIMIT 1) AS duplicate",
        )
}

/// The shop's policy (the default one when it has never set one), and whether the text is a
/// duplicate.
pub fn policy_and_duplicate_of(found: &D1Result) -> Result<(ModerationPolicy, bool), ApiError> {
    #[derive(Deserialize)]
    struct Row {
        policy: Option<String>,
        duplicate: Option<i64>,
    }
    let row = found
        .results::<Row>()?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::Internal("policy query answered no row".into()))?;
    Ok((
        moderation::parse_policy(row.policy.as_deref())?,
        row.duplicate.is_some(),
    ))
}

/// Which published reviews a page shows.
pub struct PublishedQuery<'a> {
    /// How many reviews to read at most.
    pub rows: u32,
    pub sort: ReviewSort,
    /// Only reviews of this many stars.
    pub stars: Option<u8>,
    /// Only reviews with photos shown.
    pub with_photos: bool,
    /// Only reviews after this one in `sort`'s order.
    pub after: Option<&'a ReviewCursor>,
    /// Read the product's newest answered questions too (`questions::PREVIEW`), how many it
    /// has, in the same batch.
    pub with_questions: bool,
}

/// A product's published reviews as a page shows them.
pub struct PublishedPage {
    /// The shop's policy, `None` when it has never set one.
    pub policy: Option<ModerationPolicy>,
    /// The product's rating summary: how many reviews of one to five stars.
    pub histogram: [u32; 5],
    pub reviews: Vec<Review>,
    /// With `with_questions`: how many answered questions, and the newest.
    pub questions: Option<(u32, Vec<memnun_protocol::questions::Question>)>,
}

/// Published reviews of the product as `query` asks, with its summary and the shop's policy, in
/// one batch; `NotFound` when there is no such shop.
pub async fn published(
    db: &D1Database,
    shop: &Id,
    product: &Id,
    query: &PublishedQuery<'_>,
) -> Result<PublishedPage, ApiError> {
    #[derive(Deserialize)]
    struct Row {
        id: String,
        product_id: String,
        rating: u8,
        title: String,
        body: String,
        author: String,
        locale: Option<String>,
        created_at: i64,
        verified: i64,
        helpful_count: u32,
        reply_body: Option<String>,
        reply_at: Option<i64>,
        photos: String,
    }

    let mut sql = format!(
        "SELECT id, product_id, rating, title, body, author, locale, created_at, verified, \
         helpful_count, reply_body, reply_at, {} AS photos FROM reviews \
         WHERE shop_id = ?1 AND product_id = ?2 AND status = 'published'",
        super::photos::shown_of("reviews")
    );
    let mut params = Params::new()
        .text(shop.as_str())
        .text(product.as_str())
        .int(i64::from(query.rows));
    if let Some(stars) = query.stars {
        params = params.int(i64::from(stars));
        sql.push_str(&format!(" AND rating = ?{}", params.len()));
    }
    if query.with_photos {
        sql.push_str(&format!(
            " AND {} != '[]'",
            super::photos::shown_of("reviews")
        ));
    }
    // Each order pages by (its key, created_at, id): the key column and which way it runs.
    let (key_column, key_descending) = match query.sort {
        ReviewSort::Newest => (None, true),
        ReviewSort::Highest => (Some("rating"), true),
        ReviewSort::Lowest => (Some("rating"), false),
        ReviewSort::Helpful => (Some("helpful_count"), true),
    };
    if let Some(c) = query.after {
        params = params.int(c.created_at).text(&c.id);
        let (t, i) = (params.len() - 1, params.len());
        let after_time = format!("(created_at < ?{t} OR (created_at = ?{t} AND id < ?{i}))");
        match key_column {
            None => sql.push_str(&format!(" AND {after_time}")),
            Some(column) => {
                params = params.int(c.key);
                let k = params.len();
                let beyond = if key_descending { "<" } else { ">" };
                sql.push_str(&format!(
                    " AND ({column} {beyond} ?{k} OR ({column} = ?{k} AND {after_time}))"
                ));
            }
        }
    }
    match key_column {
        None => sql.push_str(" ORDER BY created_at DESC, id DESC LIMIT ?3"),
        Some(column) => {
            let direction = if key_descending { "DESC" } else { "ASC" };
            sql.push_str(&format!(
                " ORDER BY {column} {direction}, created_at DESC, id DESC LIMIT ?3"
            ));
        }
    }

    let mut statements = vec![
        moderation::shop_policy(db, shop)?,
        ratings::histogram(db, shop, product)?,
        params.bind(db, &sql)?,
    ];
    if query.with_questions {
        statements.extend(super::questions::shown(
            db,
            shop,
            product,
            &[],
            memnun_protocol::questions::PREVIEW,
            None,
        )?);
    }
    let results = db.batch(statements).await?;
    let [shop_rows, rating_rows, review_rows] = [0, 1, 2].map(|i| results.get(i));
    let missing = || ApiError::Internal("batch answered a wrong number of results".into());
    let (shop_rows, rating_rows, review_rows) = (
        shop_rows.ok_or_else(missing)?,
        rating_rows.ok_or_else(missing)?,
        review_rows.ok_or_else(missing)?,
    );
    let questions = match (results.get(3), results.get(4)) {
        (Some(count), Some(page)) => Some(super::questions::shown_of(count, page)?),
        _ => None,
    };
    let policy = moderation::shop_policy_of(shop_rows)?;
    let histogram = ratings::histogram_of(rating_rows)?;
    let reviews = review_rows
        .results::<Row>()?
        .into_iter()
        .map(|r| Review {
            reply: reply(r.reply_body, r.reply_at),
            id: r.id,
            product: r.product_id,
            rating: r.rating,
            title: r.title,
            body: r.body,
            author: r.author,
            locale: r.locale,
            created_at: r.created_at,
            verified: r.verified != 0,
            helpful: r.helpful_count,
            // Built by SQLite's json_group_array from typed columns.
            photos: serde_json::from_str(&r.photos).unwrap_or_default(),
        })
        .collect();
    Ok(PublishedPage {
        policy,
        histogram,
        reviews,
        questions,
    })
}

/// The merchant's reply, stored as two columns that are set and cleared together.
fn reply(body: Option<String>, at: Option<i64>) -> Option<Reply> {
    match (body, at) {
        (Some(body), Some(created_at)) => Some(Reply { body, created_at }),
        _ => None,
    }
}

const MERCHANT_COLUMNS: &str = "id, product_id, rating, title, body, author, email, locale, status, \
     hold_reason, verified, order_id, helpful_count, report_count, reply_body, reply_at, source, \
     created_at, (SELECT json_group_array(json_object('id', p.id, 'status', p.status, \
     'state', p.state, 'width', p.width, 'height', p.height) ORDER BY p.position) \
     FROM review_photos p WHERE p.shop_id = reviews.shop_id AND p.review_id = reviews.id) \
     AS photos";

#[derive(Deserialize)]
struct MerchantRow {
    id: String,
    product_id: String,
    rating: u8,
    title: String,
    body: String,
    author: String,
    email: Option<String>,
    locale: Option<String>,
    status: String,
    hold_reason: Option<String>,
    verified: i64,
    order_id: Option<String>,
    helpful_count: u32,
    report_count: u32,
    reply_body: Option<String>,
    reply_at: Option<i64>,
    source: String,
    created_at: i64,
    photos: String,
}

impl MerchantRow {
    fn into_review(self) -> Result<MerchantReview, ApiError> {
        Ok(MerchantReview {
            status: ReviewStatus::parse(&self.status)
                .ok_or_else(|| ApiError::Internal("stored status unknown".into()))?,
            reply: reply(self.reply_body, self.reply_at),
            id: self.id,
            product: self.product_id,
            rating: self.rating,
            title: self.title,
            body: self.body,
            author: self.author,
            email: self.email,
            locale: self.locale,
            hold_reason: self.hold_reason,
            verified: self.verified != 0,
            order: self.order_id,
            helpful: self.helpful_count,
            reports: self.report_count,
            source: self.source,
            created_at: self.created_at,
            // Built by SQLite's json_group_array from typed columns.
            photos: serde_json::from_str(&self.photos).unwrap_or_default(),
        })
    }
}

/// The shop's review as the merchant sees it, whatever its status.
pub async fn merchant_review(
    db: &D1Database,
    shop: &Id,
    review: &str,
) -> Result<Option<MerchantReview>, ApiError> {
    let row: Option<MerchantRow> = Params::new()
        .text(shop.as_str())
        .text(review)
        .bind(
            db,
            &format!("SELECT {MERCHANT_COLUMNS} FROM reviews WHERE shop_id = ?1 AND id = ?2"),
        )?
        .first(None)
        .await?;
    row.map(MerchantRow::into_review).transpose()
}

/// At most `max` of the shop's reviews, newest first, for the CSV export.
pub async fn all_merchant_reviews(
    db: &D1Database,
    shop: &Id,
    max: u32,
) -> Result<Vec<MerchantReview>, ApiError> {
    let rows: Vec<MerchantRow> = Params::new()
        .text(shop.as_str())
        .int(i64::from(max))
        .bind(
            db,
            &format!(
                "SELECT {MERCHANT_COLUMNS} FROM reviews WHERE shop_id = ?1 \
                 ORDER BY created_at DESC, id DESC LIMIT ?2"
            ),
        )?
        .all()
        .await?
        .results()?;
    rows.into_iter().map(MerchantRow::into_review).collect()
}

/// Which of the shop's reviews the merchant's list shows, newest first.
pub struct MerchantQuery<'a> {
    /// How many reviews to read at most.
    pub rows: u32,
    pub status: Option<ReviewStatus>,
    /// Only reviews with a photo of this status.
    pub photo_status: Option<ReviewStatus>,
    pub product: Option<&'a Id>,
    /// Only reviews whose title, body, author or product holds this (lower case).
    pub search: Option<&'a str>,
    /// Only reviews older than this one: its (created_at, id).
    pub after: Option<(i64, &'a str)>,
}

/// The shop's reviews as `query` asks.
pub async fn merchant_reviews(
    db: &D1Database,
    shop: &Id,
    query: &MerchantQuery<'_>,
) -> Result<Vec<MerchantReview>, ApiError> {
    let mut sql = format!("SELECT {MERCHANT_COLUMNS} FROM reviews WHERE shop_id = ?1");
    let mut params = Params::new().text(shop.as_str()).int(i64::from(query.rows));
    if let Some(s) = query.status {
        params = params.text(s.as_str());
        sql.push_str(&format!(" AND status = ?{}", params.len()));
    }
    if let Some(s) = query.photo_status {
        params = params.text(s.as_str());
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM review_photos p WHERE p.shop_id = reviews.shop_id \
             AND p.review_id = reviews.id AND p.status = ?{})",
            params.len()
        ));
    }
    if let Some(p) = query.product {
        params = params.text(p.as_str());
        sql.push_str(&format!(" AND product_id = ?{}", params.len()));
    }
    if let Some(term) = query.search {
        params = params.text(term);
        let q = params.len();
        // A scan that stops once a page is found, rather than a full-text index every review
        // write would have to keep in step.
        sql.push_str(&format!(
            " AND (instr(lower(title), ?{q}) > 0 OR instr(lower(body), ?{q}) > 0 \
             OR instr(lower(author), ?{q}) > 0 OR instr(lower(product_id), ?{q}) > 0)"
        ));
    }
    if let Some((time, id)) = query.after {
        params = params.int(time).text(id);
        let (t, i) = (params.len() - 1, params.len());
        sql.push_str(&format!(
            " AND (created_at < ?{t} OR (created_at = ?{t} AND id < ?{i}))"
        ));
    }
    sql.push_str(" ORDER BY created_at DESC, id DESC LIMIT ?2");
    let rows: Vec<MerchantRow> = params.bind(db, &sql)?.all().await?.results()?;
    rows.into_iter().map(MerchantRow::into_review).collect()
}

/// The statement moving the review to `to`, only if it is still `from`: a decision taken on a
/// state that has changed since changes nothing.
pub fn set_status(
    db: &D1Database,
    shop: &Id,
    review: &str,
    from: ReviewStatus,
    to: ReviewStatus,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(shop.as_str())
        .text(review)
        .text(to.as_str())
        .text(from.as_str())
        .bind(
            db,
            "UPDATE reviews SET status = ?3 WHERE shop_id = ?1 AND id = ?2 AND status = ?4",
        )
}

/// The statement setting the merchant's reply to the review, written at `now`, or removing it
/// (`None`).
pub fn set_reply(
    db: &D1Database,
    shop: &Id,
    review: &str,
    reply: Option<&str>,
    now: i64,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(shop.as_str())
        .text(review)
        .opt_text(reply)
        .opt_int(reply.map(|_| now))
        .bind(
            db,
            "UPDATE reviews SET reply_body = ?3, reply_at = ?4 WHERE shop_id = ?1 AND id = ?2",
        )
}

/// A review read from another system's file, as it is imported: with the status, verified flag
/// and reply the file gave it.
#[derive(Serialize)]
pub struct ImportedReview {
    pub id: String,
    /// Derived from what the file says of the row: the same row imported again has the same key.
    pub import_key: String,
    /// The review's id in the file, when it came from a shop's own export.
    pub source_id: Option<String>,
    pub product: String,
    pub rating: u8,
    pub title: String,
    pub body: String,
    pub author: String,
    pub email: Option<String>,
    pub locale: Option<String>,
    pub shopper_key: String,
    pub created_at: i64,
    /// `published`, `pending` or `rejected`.
    pub status: &'static str,
    pub verified: bool,
    pub reply: Option<String>,
    /// When the reply was written; `None` with a reply: at the import.
    pub reply_at: Option<i64>,
}

/// The JSON handed to one statement stays well under D1's 2 MB value limit.
const MAX_CHUNK_BYTES: usize = 512 * 1024;

/// Imports `rows` with the shop's rating summaries, in one batch, and answers how many were new.
/// A row is skipped when the shop has the review already: by id (its own export, `source_id`),
/// or by product, author, text and time (its reviews exported by another shop). The rows go to
/// D1 as JSON in a few statements (`json_each`), not one statement per row, so a large import
/// stays far inside the per-request query limit.
/// Their photos are queued to be copied in the same batch; answers the reviews added and the
/// photos queued.
pub async fn import(
    db: &D1Database,
    shop: &Id,
    rows: &[ImportedReview],
    photos: &[super::photos::ImportedPhoto],
    now: i64,
) -> Result<(u32, u32), ApiError> {
    let mut statements = Vec::new();
    for chunk in chunks(rows)? {
        statements.push(Params::new().text(shop.as_str()).text(&chunk).int(now).bind(
            db,
            "INSERT OR IGNORE INTO reviews (id, shop_id, product_id, rating, title, body, author, \
             email, locale, shopper_key, client_hash, status, verified, created_at, source, \
             import_key, reply_body, reply_at) \
             SELECT json_extract(j.value, '$.id'), ?1, json_extract(j.value, '$.product'), \
             json_extract(j.value, '$.rating'), json_extract(j.value, '$.title'), \
             json_extract(j.value, '$.body'), json_extract(j.value, '$.author'), \
             json_extract(j.value, '$.email'), json_extract(j.value, '$.locale'), \
             json_extract(j.value, '$.shopper_key'), 'import', json_extract(j.value, '$.status'), \
             json_extract(j.value, '$.verified'), \
             json_extract(j.value, '$.created_at'), 'import', json_extract(j.value, '$.import_key'), \
             json_extract(j.value, '$.reply'), \
             CASE WHEN json_extract(j.value, '$.reply') IS NULL THEN NULL \
             ELSE COALESCE(json_extract(j.value, '$.reply_at'), ?3) END \
             FROM json_each(?2) j \
             WHERE NOT EXISTS (SELECT 1 FROM reviews r WHERE r.shop_id = ?1 \
             AND r.id = json_extract(j.value, '$.source_id')) \
             AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.shop_id = ?1 \
             AND r.product_id = json_extract(j.value, '$.product') \
             AND r.created_at = json_extract(j.value, '$.created_at') \
             AND r.author = json_extract(j.value, '$.author') \
             AND r.body = json_extract(j.value, '$.body'))",
        )?);
    }
    let (mut imported, mut queued) = (0u32, 0u32);
    if !statements.is_empty() {
        let inserts = statements.len();
        for chunk in chunks(photos)? {
            statements.push(super::photos::queue_imported(db, shop, &chunk, now)?);
        }
        let queues = statements.len() - inserts;
        statements.push(ratings::summary(db, shop, SummaryChange::RecountShop, now)?);
        let results = db.batch(statements).await?;
        let changes = |result: &D1Result| -> Result<u32, ApiError> {
            Ok(result.meta()?.and_then(|m| m.changes).unwrap_or(0) as u32)
        };
        for result in &results[..inserts] {
            imported += changes(result)?;
        }
        for result in &results[inserts..inserts + queues] {
            queued += changes(result)?;
        }
    }
    Ok((imported, queued))
}

/// The rows as JSON arrays of at most `MAX_CHUNK_BYTES` each.
pub(super) fn chunks<T: Serialize>(rows: &[T]) -> Result<Vec<String>, ApiError> {
    let mut out = Vec::new();
    let mut current = String::from("[");
    for row in rows {
        let json = serde_json::to_string(row).map_err(|e| ApiError::Internal(e.to_string()))?;
        if current.len() > 1 && current.len() + json.len() + 2 > MAX_CHUNK_BYTES {
            current.push(']');
            out.push(std::mem::replace(&mut current, String::from("[")));
        }
        if current.len() > 1 {
            current.push(',');
        }
        current.push_str(&json);
    }
    if current.len() > 1 {
        current.push(']');
        out.push(current);
    }
    Ok(out)
}

/// A published review with what the product-ratings feed says of its product (from the
/// catalog, when it lists the product).
#[derive(Deserialize)]
pub struct FeedRow {
    pub id: String,
    pub product_id: String,
    pub rating: u8,
    pub title: String,
    pub body: String,
    pub author: String,
    pub locale: Option<String>,
    pub verified: i64,
    pub source: String,
    pub created_at: i64,
    pub product_name: Option<String>,
    pub product_url: Option<String>,
    pub gtins: Option<String>,
    pub mpns: Option<String>,
    pub skus: Option<String>,
    pub brand: Option<String>,
    /// The photos shown with it, as [`super::photos::shown_of`] gives them.
    pub photos: String,
}

/// Up to `rows` of the shop's published reviews older than `before` (time, id), newest first,
/// through `reviews_by_status`.
pub async fn feed_page(
    db: &D1Database,
    shop: &Id,
    before: Option<(i64, &str)>,
    rows: u32,
) -> Result<Vec<FeedRow>, ApiError> {
    let (time, id) = before.unwrap_or((i64::MAX, ""));
    Ok(Params::new()
        .text(shop.as_str())
        .int(time)
        .text(id)
        .int(i64::from(rows))
        .bind(
            db,
            &format!(
                "SELECT r.id, r.product_id, r.rating, r.title, r.body, r.author, r.locale, \
                 r.verified, r.source, r.created_at, c.name AS product_name, \
                 c.url AS product_url, c.gtins, c.mpns, c.skus, c.brand, {} AS photos \
                 FROM reviews r LEFT JOIN catalog_items c \
                 ON c.shop_id = r.shop_id AND c.product_id = r.product_id \
                 WHERE r.shop_id = ?1 AND r.status = 'published' \
                 AND (r.created_at, r.id) < (?2, ?3) \
                 ORDER BY r.created_at DESC, r.id DESC LIMIT ?4",
                super::photos::shown_of("r")
            ),
        )?
        .all()
        .await?
        .results()?)
}
