//! Moderation: the shop's policy (`/v1/admin/moderation`), the merchant's list and queue of
//! reviews (`/v1/admin/reviews`), approving, rejecting and replying, and the audit log of every
//! action (`/v1/admin/moderation-log`). Each decision, the review's new state, the product's
//! summary and the log line are written in one D1 batch, so none exists without the others.

use crate::error::ApiError;
use crate::http::{self, BodyType};
use memnun_protocol::merchant::{
    self, MAX_REQUEST_BYTES, MerchantReview, MerchantReviewPage, ModerationAction,
    ModerationLogEntry, ModerationLogPage, PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, Rejection,
    ReplyUpdate,
};
use memnun_protocol::moderation::{ModerationPolicy, ModerationPolicyUpdate};
use memnun_protocol::{Id, Reply, ReviewStatus};
use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement, Request, Response};

/// Who acts: the name of the API key used, or `system` for the policy itself.
pub struct Actor<'a>(pub &'a str);

/// The shop's policy, or the default one when the merchant has never set it.
pub async fn policy(db: &D1Database, shop: &Id) -> Result<ModerationPolicy, ApiError> {
    #[derive(Deserialize)]
    struct Row {
        policy: String,
    }
    let row: Option<Row> = db
        .prepare("SELECT policy FROM moderation_policies WHERE shop_id = ?1")
        .bind(&[shop.as_str().into()])?
        .first(None)
        .await?;
    parse_policy(row.map(|r| r.policy).as_deref())
}

pub fn parse_policy(stored: Option<&str>) -> Result<ModerationPolicy, ApiError> {
    match stored {
        None => Ok(ModerationPolicy::default()),
        Some(json) => serde_json::from_str(json)
            .map_err(|e| ApiError::Internal(format!("stored policy unreadable: {e}"))),
    }
}

pub async fn get_policy(db: &D1Database, shop: &Id) -> Result<Response, ApiError> {
    http::json(200, &policy(db, shop).await?)
}

pub async fn put_policy(
    req: &mut Request,
    db: &D1Database,
    shop: &Id,
    now: i64,
) -> Result<Response, ApiError> {
    let (update, _): (ModerationPolicyUpdate, _) =
        http::read_json(req, MAX_REQUEST_BYTES, BodyType::Json).await?;
    let current = policy(db, shop).await?;
    let next = update.apply(&current).map_err(ApiError::Validation)?;
    let json = serde_json::to_string(&next).map_err(|e| ApiError::Internal(e.to_string()))?;
    db.prepare(
        "INSERT INTO moderation_policies (shop_id, policy, updated_at) VALUES (?1, ?2, ?3) \
         ON CONFLICT (shop_id) DO UPDATE SET policy = excluded.policy, updated_at = excluded.updated_at",
    )
    .bind(&[
        shop.as_str().into(),
        json.as_str().into(),
        JsValue::from_f64(now as f64),
    ])?
    .run()
    .await?;
    http::json(200, &next)
}

/// Recounts a product's summary from its published reviews. Used after moderation decisions
/// and imports, which are rare; the hot path (a new review) increments instead.
pub fn recount(
    db: &D1Database,
    shop: &Id,
    product: &str,
    now: i64,
) -> Result<D1PreparedStatement, ApiError> {
    Ok(db
        .prepare(
            "INSERT INTO product_ratings \
             (shop_id, product_id, stars_1, stars_2, stars_3, stars_4, stars_5, updated_at) \
             SELECT ?1, ?2, COUNT(*) FILTER (WHERE rating = 1), COUNT(*) FILTER (WHERE rating = 2), \
             COUNT(*) FILTER (WHERE rating = 3), COUNT(*) FILTER (WHERE rating = 4), \
             COUNT(*) FILTER (WHERE rating = 5), ?3 FROM reviews \
             WHERE shop_id = ?1 AND product_id = ?2 AND status = 'published' \
             ON CONFLICT (shop_id, product_id) DO UPDATE SET \
             stars_1 = excluded.stars_1, stars_2 = excluded.stars_2, stars_3 = excluded.stars_3, \
             stars_4 = excluded.stars_4, stars_5 = excluded.stars_5, updated_at = excluded.updated_at",
        )
        .bind(&[
            shop.as_str().into(),
            product.into(),
            JsValue::from_f64(now as f64),
        ])?)
}

/// A line of the audit log: what was done to which review, by whom, and why.
pub struct LogLine<'a> {
    pub review: &'a str,
    pub action: ModerationAction,
    pub actor: &'a Actor<'a>,
    pub reason: Option<&'a str>,
}

/// The statement writing `line`. With `if_changed`, it writes only when the statement just
/// before it in the batch changed a row, so a lost race logs no decision it did not make.
pub fn log_line(
    db: &D1Database,
    shop: &Id,
    line: LogLine,
    now: i64,
    if_changed: bool,
) -> Result<D1PreparedStatement, ApiError> {
    let LogLine {
        review,
        action,
        actor,
        reason,
    } = line;
    let condition = if if_changed {
        " WHERE changes() > 0"
    } else {
        ""
    };
    Ok(db
        .prepare(format!(
            "INSERT INTO moderation_log (shop_id, review_id, action, actor, reason, created_at) \
             SELECT ?1, ?2, ?3, ?4, ?5, ?6{condition}"
        ))
        .bind(&[
            shop.as_str().into(),
            review.into(),
            action.as_str().into(),
            actor.0.into(),
            reason.map_or(JsValue::NULL, JsValue::from_str),
            JsValue::from_f64(now as f64),
        ])?)
}

const MERCHANT_COLUMNS: &str = "id, product_id, rating, title, body, author, email, locale, status, \
     hold_reason, verified, order_id, helpful_count, report_count, reply_body, reply_at, source, \
     created_at";

#[derive(Deserialize)]
pub struct MerchantRow {
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
}

impl MerchantRow {
    pub fn into_review(self) -> Result<MerchantReview, ApiError> {
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
        })
    }
}

pub fn reply(body: Option<String>, at: Option<i64>) -> Option<Reply> {
    match (body, at) {
        (Some(body), Some(created_at)) => Some(Reply { body, created_at }),
        _ => None,
    }
}

/// Every review of the shop, newest first, for the CSV export.
pub async fn all_reviews(
    db: &D1Database,
    shop: &Id,
    max: u32,
) -> Result<Vec<MerchantReview>, ApiError> {
    let rows: Vec<MerchantRow> = db
        .prepare(format!(
            "SELECT {MERCHANT_COLUMNS} FROM reviews WHERE shop_id = ?1 \
             ORDER BY created_at DESC, id DESC LIMIT ?2"
        ))
        .bind(&[shop.as_str().into(), JsValue::from_f64(f64::from(max))])?
        .all()
        .await?
        .results()?;
    rows.into_iter().map(MerchantRow::into_review).collect()
}

async fn one(db: &D1Database, shop: &Id, review: &str) -> Result<MerchantReview, ApiError> {
    let row: Option<MerchantRow> = db
        .prepare(format!(
            "SELECT {MERCHANT_COLUMNS} FROM reviews WHERE shop_id = ?1 AND id = ?2"
        ))
        .bind(&[shop.as_str().into(), review.into()])?
        .first(None)
        .await?;
    row.ok_or(ApiError::NotFound("review"))?.into_review()
}

/// `GET /v1/admin/reviews?status=&product=&q=&limit=&cursor=`: newest first. `q` finds reviews
/// whose title, body, author or product holds it.
pub async fn list(req: &Request, db: &D1Database, shop: &Id) -> Result<Response, ApiError> {
    let url = req.url()?;
    let mut status = None;
    let mut product = None;
    let mut search = None;
    let mut limit = PAGE_SIZE_DEFAULT;
    let mut cursor = None;
    for (name, value) in url.query_pairs() {
        match name.as_ref() {
            "status" => {
                status = Some(ReviewStatus::parse(&value).ok_or_else(|| {
                    ApiError::InvalidParameter(
                        "status must be published, pending or rejected".into(),
                    )
                })?)
            }
            "product" => product = Some(crate::http::parse_id("product", &value)?),
            "q" => search = Some(http::search_term(&value)?),
            "limit" => limit = http::page_limit(&value, PAGE_SIZE_MAX)?,
            "cursor" => {
                cursor = Some(merchant::decode_cursor(&value).ok_or_else(|| {
                    ApiError::InvalidParameter("cursor is not one this API gave out".into())
                })?)
            }
            _ => {}
        }
    }
    let mut sql = format!("SELECT {MERCHANT_COLUMNS} FROM reviews WHERE shop_id = ?1");
    let mut args: Vec<JsValue> = vec![
        shop.as_str().into(),
        JsValue::from_f64(f64::from(limit + 1)),
    ];
    if let Some(s) = status {
        args.push(s.as_str().into());
        sql.push_str(&format!(" AND status = ?{}", args.len()));
    }
    if let Some(p) = &product {
        args.push(p.as_str().into());
        sql.push_str(&format!(" AND product_id = ?{}", args.len()));
    }
    if let Some(term) = search {
        args.push(term.into());
        let q = args.len();
        // A scan that stops once a page is found, rather than a full-text index every review
        // write would have to keep in step.
        sql.push_str(&format!(
            " AND (instr(lower(title), ?{q}) > 0 OR instr(lower(body), ?{q}) > 0 \
             OR instr(lower(author), ?{q}) > 0 OR instr(lower(product_id), ?{q}) > 0)"
        ));
    }
    if let Some((time, id)) = &cursor {
        args.push(JsValue::from_f64(*time as f64));
        args.push(id.as_str().into());
        let (t, i) = (args.len() - 1, args.len());
        sql.push_str(&format!(
            " AND (created_at < ?{t} OR (created_at = ?{t} AND id < ?{i}))"
        ));
    }
    sql.push_str(" ORDER BY created_at DESC, id DESC LIMIT ?2");
    let rows: Vec<MerchantRow> = db.prepare(sql).bind(&args)?.all().await?.results()?;
    let mut reviews = rows
        .into_iter()
        .map(MerchantRow::into_review)
        .collect::<Result<Vec<_>, _>>()?;
    let next_cursor = http::next_page(&mut reviews, limit, |r| {
        merchant::encode_cursor(r.created_at, &r.id)
    });
    http::json(
        200,
        &MerchantReviewPage {
            reviews,
            next_cursor,
        },
    )
}

pub async fn get(db: &D1Database, shop: &Id, review: &str) -> Result<Response, ApiError> {
    http::json(200, &one(db, shop, review).await?)
}

/// `POST /v1/admin/reviews/{review}/approve` and `…/reject`: moves the review, recounts its
/// product's summary and logs the decision, in one batch.
pub async fn decide(
    req: &mut Request,
    db: &D1Database,
    shop: &Id,
    review: &str,
    action: ModerationAction,
    actor: &Actor<'_>,
    now: i64,
) -> Result<Response, ApiError> {
    let reason = match action {
        ModerationAction::Rejected => {
            let (rejection, _): (Rejection, _) =
                http::read_json(req, MAX_REQUEST_BYTES, BodyType::Json).await?;
            Some(rejection.validate().map_err(ApiError::Validation)?)
        }
        _ => None,
    };
    let current = one(db, shop, review).await?;
    if !merchant::allowed(action, current.status) {
        return Err(ApiError::Conflict(format!(
            "the review is already {}",
            current.status.as_str()
        )));
    }
    let next = match action {
        ModerationAction::Rejected => ReviewStatus::Rejected,
        _ => ReviewStatus::Published,
    };
    let mut batch = vec![
        db.prepare("UPDATE reviews SET status = ?3 WHERE shop_id = ?1 AND id = ?2 AND status = ?4")
            .bind(&[
                shop.as_str().into(),
                review.into(),
                next.as_str().into(),
                current.status.as_str().into(),
            ])?,
    ];
    if action == ModerationAction::Approved {
        // The merchant has read the reports and kept the review: they stop counting (they stay
        // for the record), so the same reports, or one more on top of them, cannot hold it again.
        batch.extend([
            db.prepare(
                "UPDATE review_reports SET cleared_at = ?3 \
                 WHERE shop_id = ?1 AND review_id = ?2 AND cleared_at IS NULL",
            )
            .bind(&[
                shop.as_str().into(),
                review.into(),
                JsValue::from_f64(now as f64),
            ])?,
            db.prepare("UPDATE reviews SET report_count = 0 WHERE shop_id = ?1 AND id = ?2")
                .bind(&[shop.as_str().into(), review.into()])?,
        ]);
    }
    batch.extend([
        log_line(
            db,
            shop,
            LogLine {
                review,
                action,
                actor,
                reason: reason.as_deref(),
            },
            now,
            true,
        )?,
        recount(db, shop, &current.product, now)?,
    ]);
    db.batch(batch).await?;
    get(db, shop, review).await
}

/// `PUT /v1/admin/reviews/{review}/reply` (with a body) and `DELETE` (without).
pub async fn set_reply(
    req: &mut Request,
    db: &D1Database,
    shop: &Id,
    review: &str,
    remove: bool,
    actor: &Actor<'_>,
    now: i64,
) -> Result<Response, ApiError> {
    let body = if remove {
        None
    } else {
        let (update, _): (ReplyUpdate, _) =
            http::read_json(req, MAX_REQUEST_BYTES, BodyType::Json).await?;
        Some(
            update
                .normalized()
                .validate()
                .map_err(ApiError::Validation)?,
        )
    };
    let current = one(db, shop, review).await?;
    if remove && current.reply.is_none() {
        return Err(ApiError::NotFound("reply"));
    }
    let action = if remove {
        ModerationAction::ReplyRemoved
    } else {
        ModerationAction::Replied
    };
    let at = if remove {
        JsValue::NULL
    } else {
        JsValue::from_f64(now as f64)
    };
    db.batch(vec![
        db.prepare(
            "UPDATE reviews SET reply_body = ?3, reply_at = ?4 WHERE shop_id = ?1 AND id = ?2",
        )
        .bind(&[
            shop.as_str().into(),
            review.into(),
            body.as_deref().map_or(JsValue::NULL, JsValue::from_str),
            at,
        ])?,
        log_line(
            db,
            shop,
            LogLine {
                review,
                action,
                actor,
                reason: None,
            },
            now,
            false,
        )?,
    ])
    .await?;
    get(db, shop, review).await
}

/// `GET /v1/admin/moderation-log?review=&limit=&cursor=`: newest first.
pub async fn log(req: &Request, db: &D1Database, shop: &Id) -> Result<Response, ApiError> {
    let url = req.url()?;
    let mut limit = PAGE_SIZE_DEFAULT;
    let mut before: Option<i64> = None;
    let mut review: Option<String> = None;
    for (name, value) in url.query_pairs() {
        match name.as_ref() {
            "limit" => limit = http::page_limit(&value, PAGE_SIZE_MAX)?,
            "cursor" => {
                before = Some(
                    value
                        .parse::<i64>()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or_else(|| {
                            ApiError::InvalidParameter("cursor is not one this API gave out".into())
                        })?,
                )
            }
            "review" => {
                if !memnun_protocol::review::is_review_id(&value) {
                    return Err(ApiError::InvalidParameter(
                        "review is not a review id".into(),
                    ));
                }
                review = Some(value.into_owned());
            }
            _ => {}
        }
    }
    let mut sql = String::from(
        "SELECT id, review_id AS review, action, actor, reason, created_at FROM moderation_log \
         WHERE shop_id = ?1",
    );
    let mut args: Vec<JsValue> = vec![
        shop.as_str().into(),
        JsValue::from_f64(f64::from(limit + 1)),
    ];
    if let Some(b) = before {
        args.push(JsValue::from_f64(b as f64));
        sql.push_str(&format!(" AND id < ?{}", args.len()));
    }
    if let Some(r) = &review {
        args.push(r.as_str().into());
        sql.push_str(&format!(" AND review_id = ?{}", args.len()));
    }
    sql.push_str(" ORDER BY id DESC LIMIT ?2");
    let mut entries: Vec<ModerationLogEntry> =
        db.prepare(sql).bind(&args)?.all().await?.results()?;
    let next_cursor = http::next_page(&mut entries, limit, |e| e.id.to_string());
    http::json(
        200,
        &ModerationLogPage {
            entries,
            next_cursor,
        },
    )
}
