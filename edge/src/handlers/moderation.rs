//! Moderation: the shop's policy (`/v1/admin/moderation`), the merchant's list and queue of
//! reviews (`/v1/admin/reviews`), approving, rejecting and replying, and the audit log of every
//! action (`/v1/admin/moderation-log`). Each decision, the review's new state, the product's
//! summary and the log line are written in one D1 batch, so none exists without the others.

use crate::handlers::Context;
use crate::platform::error::ApiError;
use crate::platform::http::{self, BodyType};
use crate::platform::pseudonyms;
use crate::store::feedback;
use crate::store::moderation::{self as stored, LogLine, log_line};
use crate::store::outreach as outreach_store;
use crate::store::ratings::{self, SummaryChange};
use crate::store::reviews::{self, MerchantQuery};
use memnun_protocol::api::query::Cursor;
use memnun_protocol::merchant::{
    self, LogCursor, MAX_REQUEST_BYTES, MerchantReview, MerchantReviewPage, MerchantReviewQuery,
    ModerationAction, ModerationLogPage, ModerationLogQuery, Rejection, ReplyUpdate,
};
use memnun_protocol::moderation::ModerationPolicyUpdate;
use memnun_protocol::{Id, ReviewStatus};
use worker::{D1Database, Request, Response};

pub async fn get_policy(cx: &Context<'_>) -> Result<Response, ApiError> {
    let (db, shop) = (&cx.db, &cx.shop);
    http::json(200, &stored::policy(db, shop).await?)
}

pub async fn put_policy(req: &mut Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let (db, shop, now) = (&cx.db, &cx.shop, cx.now);
    let (update, _): (ModerationPolicyUpdate, _) =
        http::read_json(req, MAX_REQUEST_BYTES, BodyType::Json).await?;
    let current = stored::policy(db, shop).await?;
    let next = update.apply(&current).map_err(ApiError::Validation)?;
    stored::save_policy(db, shop, &next, now).await?;
    http::json(200, &next)
}

async fn one(db: &D1Database, shop: &Id, review: &str) -> Result<MerchantReview, ApiError> {
    reviews::merchant_review(db, shop, review)
        .await?
        .ok_or(ApiError::NotFound("review"))
}

/// `GET /v1/admin/reviews?status=&photo_status=&product=&q=&limit=&cursor=`: newest first. `q` finds reviews
/// whose title, body, author or product holds it.
pub async fn list(req: &Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let (db, shop) = (&cx.db, &cx.shop);
    let query: MerchantReviewQuery = http::query(req)?;
    let search = query.q.as_deref().map(http::search_term).transpose()?;
    let limit = query.limit.0;
    let mut reviews = reviews::merchant_reviews(
        db,
        shop,
        &MerchantQuery {
            rows: limit + 1,
            status: query.status,
            photo_status: query.photo_status,
            product: query.product.as_ref().map(|p| &p.0),
            search: search.as_deref(),
            after: query
                .cursor
                .as_ref()
                .map(|Cursor((time, id))| (*time, id.as_str())),
        },
    )
    .await?;
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

pub async fn get(cx: &Context<'_>, review: &str) -> Result<Response, ApiError> {
    let (db, shop) = (&cx.db, &cx.shop);
    http::json(200, &one(db, shop, review).await?)
}

/// `POST /v1/admin/reviews/{review}/approve` and `…/reject`: moves the review, recounts its
/// product's summary and logs the decision, in one batch.
pub async fn decide(
    req: &mut Request,
    cx: &Context<'_>,
    review: &str,
    action: ModerationAction,
) -> Result<Response, ApiError> {
    let (db, shop, now) = (&cx.db, &cx.shop, cx.now);
    let actor = &cx.actor();
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
    let mut batch = vec![reviews::set_status(db, shop, review, current.status, next)?];
    if action == ModerationAction::Approved {
        // The merchant has read the reports and kept the review.
        batch.extend(feedback::clear_reports(db, shop, review, now)?);
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
        ratings::summary(
            db,
            shop,
            SummaryChange::Recount {
                product: &current.product,
            },
            now,
        )?,
    ]);
    if action == ModerationAction::Rejected {
        // A rejected review's photos go from R2 first: should the batch then fail, the review
        // is only without photos, never rejected with its photos kept. Their rows go last in
        // the batch, after the log line, which reads the status change's `changes()`.
        let copied = crate::store::photos::copied_of_review(db, shop, review).await?;
        crate::handlers::photos::delete_objects(cx.env, shop, &copied).await?;
        batch.push(crate::store::photos::forget_of_review(db, shop, review)?);
    }
    db.batch(batch).await?;
    get(cx, review).await
}

/// `PUT /v1/admin/reviews/{review}/reply` (with a body) and `DELETE` (without).
pub async fn set_reply(
    req: &mut Request,
    cx: &Context<'_>,
    review: &str,
    remove: bool,
) -> Result<Response, ApiError> {
    let (db, shop, now) = (&cx.db, &cx.shop, cx.now);
    let actor = &cx.actor();
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
    let mut batch = vec![
        reviews::set_reply(db, shop, review, body.as_deref(), now)?,
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
    ];
    // Its author hears of the first reply (when the shop sends reply notices): a little later,
    // so that a reply corrected or taken back at once goes in its last words, or not at all.
    if let (false, None, Some(email)) = (remove, &current.reply, current.email.as_deref()) {
        batch.push(outreach_store::plan_reply_notice(
            db,
            &crate::handlers::outreach::message_id()?,
            shop,
            review,
            &pseudonyms::order_email(cx.env, email)?,
            now + REPLY_NOTICE_DELAY_MS,
            now,
        )?);
    }
    db.batch(batch).await?;
    get(cx, review).await
}

/// How long a reply notice waits after the reply, for second thoughts.
const REPLY_NOTICE_DELAY_MS: i64 = 10 * 60_000;

/// `GET /v1/admin/moderation-log?review=&limit=&cursor=`: newest first.
pub async fn log(req: &Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let (db, shop) = (&cx.db, &cx.shop);
    let query: ModerationLogQuery = http::query(req)?;
    let limit = query.limit.0;
    let before = query.cursor.map(|Cursor(LogCursor(n))| n);
    let review = query.review.map(|r| r.0);
    let mut entries = stored::log_page(db, shop, limit + 1, before, review.as_deref()).await?;
    let next_cursor = http::next_page(&mut entries, limit, |e| e.id.to_string());
    http::json(
        200,
        &ModerationLogPage {
            entries,
            next_cursor,
        },
    )
}
