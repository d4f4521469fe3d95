//! Shoppers on other shoppers' reviews: `POST /v1/shops/{shop}/reviews/{review}/votes` ("Was
//! this helpful?") and `…/reports` ("Report this review"). A row is kept per browser (its random
//! id, stored hashed, is part of the row's key), but what is *counted* is distinct clients: the
//! salted hash of the sender's address (an IPv6 client by its /64, `pseudonyms::client_network`). The
//! browser id is a body field anyone can make up, so counting it would let one script hide any
//! review or stuff any vote. The counts on the review are recounted from the rows in the same
//! batch, so they never drift. A review reported by `report_threshold` clients is held for the
//! merchant, with a line in the audit log; the merchant's approval clears the reports counted so
//! far (`cleared_at`: they stay for the record, they no longer count), so only reports from other
//! clients can hold it again. Reports from verified buyers weigh the same: a report carries no
//! proof of purchase, and the merchant sees every report's reason when deciding.

use crate::handlers::Context;
use crate::platform::error::ApiError;
use crate::platform::http::{self, BodyType};
use crate::platform::idempotency::Idempotency;
use crate::platform::pseudonyms;
use crate::platform::shopper_write::{self, Opened};
use crate::store::cases::{Signal, Subject};
use crate::store::feedback::{self as stored, Report, Target};
use crate::store::moderation::{self, Actor, LogLine};
use crate::store::ratings::{self, SummaryChange};
use memnun_protocol::Id;
use memnun_protocol::cases::CaseCause;
use memnun_protocol::feedback::{MAX_REQUEST_BYTES, NewReport, NewVote, VoteCounted};
use memnun_protocol::merchant::{ModerationAction, SYSTEM_ACTOR};
use memnun_protocol::moderation::HoldReason;
use worker::{D1Database, Request, Response};

const ENDPOINT_VOTE: &str = "POST /v1/shops/{shop}/reviews/{review}/votes";
const ENDPOINT_REPORT: &str = "POST /v1/shops/{shop}/reviews/{review}/reports";

/// The review, if it is published in `shop`: only what shoppers can see can be voted on or
/// reported.
async fn published(db: &D1Database, shop: &Id, review: &str) -> Result<Target, ApiError> {
    if !memnun_protocol::review::is_review_id(review) {
        return Err(ApiError::InvalidParameter(
            "review id is not one this API gave out".into(),
        ));
    }
    stored::published(db, shop, review)
        .await?
        .ok_or(ApiError::NotFound("review"))
}

/// A feedback write once its common checks passed: the body, the client, and the idempotency
/// record to store with it.
pub(crate) struct Started<T> {
    pub(crate) body: T,
    pub(crate) client: String,
    pub(crate) idempotency: Idempotency,
}

/// The common start of a vote or a report: the client's limit, the idempotency key, the capped
/// JSON body; or the stored answer when this key was answered before.
pub(crate) async fn start<T: serde::de::DeserializeOwned>(
    req: &mut Request,
    cx: &Context<'_>,
    endpoint: &'static str,
) -> Result<Result<Started<T>, Response>, ApiError> {
    const WRITE: shopper_write::Rules = shopper_write::Rules {
        client_limit: "FEEDBACK_WRITES",
        shop_limit: None,
        max_bytes: MAX_REQUEST_BYTES,
        body: BodyType::Json,
    };
    let (Opened { body, client }, idempotency) =
        shopper_write::open_idempotent::<T>(req, cx, &WRITE, endpoint).await?;
    Ok(match idempotency.replay(&cx.db, cx.now).await? {
        Some(replayed) => Err(replayed),
        None => Ok(Started {
            body,
            client,
            idempotency,
        }),
    })
}

pub async fn vote(req: &mut Request, cx: &Context<'_>, review: &str) -> Result<Response, ApiError> {
    let (db, shop, now) = (&cx.db, &cx.shop, cx.now);
    let Started {
        body,
        client,
        idempotency,
    } = match start::<NewVote>(req, cx, ENDPOINT_VOTE).await? {
        Ok(started) => started,
        Err(replayed) => return Ok(replayed),
    };
    let voter = body.validate().map_err(ApiError::Validation)?;
    published(db, shop, review).await?;
    let helpful = stored::vote(
        db,
        shop,
        review,
        &pseudonyms::voter(shop, &voter),
        &client,
        now,
    )
    .await?;
    let answer = serde_json::to_string(&VoteCounted { helpful })
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    // The vote itself is idempotent by browser; remembering the answer makes a retry see the
    // count it would have seen.
    db.batch(idempotency.record(db, now, 200, &answer)?)
        .await
        .ok();
    http::json_text(200, answer)
}

pub async fn report(
    req: &mut Request,
    cx: &Context<'_>,
    review: &str,
) -> Result<Response, ApiError> {
    let (db, shop, now) = (&cx.db, &cx.shop, cx.now);
    let Started {
        body,
        client,
        idempotency,
    } = match start::<NewReport>(req, cx, ENDPOINT_REPORT).await? {
        Ok(started) => started,
        Err(replayed) => return Ok(replayed),
    };
    let valid = NewReport {
        note: body.note.as_deref().map(memnun_protocol::text::normalize),
        ..body
    }
    .validate()
    .map_err(ApiError::Validation)?;
    let target = published(db, shop, review).await?;
    let threshold = target.policy()?.report_threshold;
    let reporter_key = pseudonyms::voter(shop, &valid.reporter);
    let answer = http::to_json(&memnun_protocol::Received::new())?;
    let mut batch = idempotency.record(db, now, 202, &answer)?;
    batch.extend(stored::report(
        db,
        shop,
        review,
        &Report {
            reporter_key: &reporter_key,
            reason: valid.reason,
            note: &valid.note,
            client: &client,
        },
        threshold,
        now,
    )?);
    batch.extend([
        moderation::log_line(
            db,
            shop,
            LogLine {
                review,
                action: ModerationAction::HeldForReports,
                actor: &Actor(SYSTEM_ACTOR),
                reason: Some(&format!("{threshold} reports")),
            },
            now,
            true,
        )?,
        // Right after the log line, which is written only if this report held the review:
        // `changes()` is that insert's, so the merchant hears of each hold once.
        crate::handlers::webhooks::enqueue_if(
            db,
            shop,
            "review.held",
            &format!("review.held:{review}:reported:{now}"),
            serde_json::json!({
                "review": { "id": review, "product": &target.product },
                "status": "pending",
                "hold_reason": HoldReason::Reported.as_str(),
            }),
            now,
            Some((moderation::IF_LOGGED, crate::store::Params::new())),
        )?,
        ratings::summary(
            db,
            shop,
            SummaryChange::Recount {
                product: &target.product,
            },
            now,
        )?,
    ]);
    // Each reporter's report is one signal on the review's case.
    batch.extend(crate::handlers::cases::signal(
        db,
        &Signal {
            shop,
            cause: CaseCause::Report,
            subject: Subject::Review(review),
            review: None,
            key: &format!("report:{review}:{reporter_key}"),
            detail: serde_json::json!({
                "review": review, "product": &target.product, "reason": valid.reason,
                "note": valid.note,
            }),
            now,
        },
        None,
    )?);
    idempotency
        .commit(db, batch, now, 202, answer.to_owned())
        .await
}
