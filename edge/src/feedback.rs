//! Shoppers on other shoppers' reviews: `POST /v1/shops/{shop}/reviews/{review}/votes` ("Was
//! this helpful?") and `…/reports` ("Report this review"). A row is kept per browser (its random
//! id, stored hashed, is part of the row's key), but what is *counted* is distinct clients: the
//! salted hash of the sender's address (an IPv6 client by its /64, `http::client_network`). The
//! browser id is a body field anyone can make up, so counting it would let one script hide any
//! review or stuff any vote. The counts on the review are recounted from the rows in the same
//! batch, so they never drift. A review reported by `report_threshold` clients is held for the
//! merchant, with a line in the audit log; the merchant's approval clears the reports counted so
//! far (`cleared_at`: they stay for the record, they no longer count), so only reports from other
//! clients can hold it again. Reports from verified buyers weigh the same: a report carries no
//! proof of purchase, and the merchant sees every report's reason when deciding.

use crate::error::ApiError;
use crate::http::{self, BodyType};
use crate::idempotency::Idempotency;
use crate::moderation::{self, Actor, LogLine};
use crate::secure::sha256_hex;
use memnun_protocol::Id;
use memnun_protocol::feedback::{MAX_REQUEST_BYTES, NewReport, NewVote, VoteCounted};
use memnun_protocol::merchant::{ModerationAction, SYSTEM_ACTOR};
use memnun_protocol::moderation::HoldReason;
use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::{D1Database, Env, Request, Response};

/// The clients whose reports count towards holding `reviews.id` (from a statement on
/// `reviews`): reports not cleared by an approval, from clients none of whose reports on that
/// review has been cleared. A merchant who kept the review after a client's report has heard
/// that client; reporting again does not hold it again. `leaving_out` names a parameter holding
/// a reporter key whose reports are not counted, for a recount before they are deleted.
pub fn counted_reporters(leaving_out: Option<&str>) -> String {
    let (p, c) = match leaving_out {
        Some(key) => (
            format!("AND p.reporter_key != {key}"),
            format!("AND c.reporter_key != {key}"),
        ),
        None => Default::default(),
    };
    format!(
        "COUNT(DISTINCT p.client_hash) FROM review_reports p \
         WHERE p.review_id = reviews.id AND p.cleared_at IS NULL {p} AND NOT EXISTS \
         (SELECT 1 FROM review_reports c WHERE c.review_id = p.review_id \
          AND c.client_hash = p.client_hash AND c.cleared_at IS NOT NULL {c})"
    )
}

const ENDPOINT_VOTE: &str = "POST /v1/shops/{shop}/reviews/{review}/votes";
const ENDPOINT_REPORT: &str = "POST /v1/shops/{shop}/reviews/{review}/reports";

struct Target {
    product: String,
    policy: Option<String>,
}

/// The review, if it is published in `shop`: only what shoppers can see can be voted on or
/// reported.
async fn published(db: &D1Database, shop: &Id, review: &str) -> Result<Target, ApiError> {
    if !memnun_protocol::review::is_review_id(review) {
        return Err(ApiError::InvalidParameter(
            "review id is not one this API gave out".into(),
        ));
    }
    #[derive(Deserialize)]
    struct Row {
        product_id: String,
        policy: Option<String>,
    }
    let row: Option<Row> = db
        .prepare(
            "SELECT r.product_id, p.policy FROM reviews r \
             LEFT JOIN moderation_policies p ON p.shop_id = r.shop_id \
             WHERE r.shop_id = ?1 AND r.id = ?2 AND r.status = 'published'",
        )
        .bind(&[shop.as_str().into(), review.into()])?
        .first(None)
        .await?;
    let row = row.ok_or(ApiError::NotFound("review"))?;
    Ok(Target {
        product: row.product_id,
        policy: row.policy,
    })
}

pub fn browser_key(shop: &Id, id: &str) -> String {
    sha256_hex(&[b"browser", shop.as_str().as_bytes(), id.as_bytes()])
}

/// A feedback write once its common checks passed: the body, the client, and the idempotency
/// record to store with it.
struct Started<T> {
    body: T,
    client: String,
    idempotency: Idempotency,
}

/// The common start of a vote or a report: the client's limit, the idempotency key, the capped
/// JSON body; or the stored answer when this key was answered before.
async fn start<T: serde::de::DeserializeOwned>(
    req: &mut Request,
    env: &Env,
    db: &D1Database,
    shop: &Id,
    endpoint: &'static str,
    now: i64,
) -> Result<Result<Started<T>, Response>, ApiError> {
    let client = http::client_hash(req, env)?;
    http::rate_limit(env, "FEEDBACK_WRITES", format!("{shop}:{client}")).await?;
    let key = Idempotency::key_of(req)?;
    let (body, raw): (T, Vec<u8>) = http::read_json(req, MAX_REQUEST_BYTES, BodyType::Json).await?;
    let idempotency = Idempotency::new(shop, endpoint, key, &raw);
    Ok(match idempotency.replay(db, now).await? {
        Some(replayed) => Err(replayed),
        None => Ok(Started {
            body,
            client,
            idempotency,
        }),
    })
}

pub async fn vote(
    req: &mut Request,
    env: &Env,
    db: &D1Database,
    shop: &Id,
    review: &str,
    now: i64,
) -> Result<Response, ApiError> {
    let Started {
        body,
        client,
        idempotency,
    } = match start::<NewVote>(req, env, db, shop, ENDPOINT_VOTE, now).await? {
        Ok(started) => started,
        Err(replayed) => return Ok(replayed),
    };
    let voter = body.validate().map_err(ApiError::Validation)?;
    published(db, shop, review).await?;
    let results = db
        .batch(vec![
            db.prepare(
                "INSERT OR IGNORE INTO review_votes (shop_id, review_id, voter_key, client_hash, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .bind(&[
                shop.as_str().into(),
                review.into(),
                browser_key(shop, &voter).into(),
                client.as_str().into(),
                JsValue::from_f64(now as f64),
            ])?,
            db.prepare(
                "UPDATE reviews SET helpful_count = \
                 (SELECT COUNT(DISTINCT client_hash) FROM review_votes WHERE review_id = ?2) \
                 WHERE shop_id = ?1 AND id = ?2 RETURNING helpful_count",
            )
            .bind(&[shop.as_str().into(), review.into()])?,
        ])
        .await?;
    #[derive(Deserialize)]
    struct Count {
        helpful_count: u32,
    }
    let helpful = results
        .get(1)
        .map(|r| r.results::<Count>())
        .transpose()?
        .and_then(|rows| rows.first().map(|c| c.helpful_count))
        .ok_or_else(|| ApiError::Internal("vote count answered no row".into()))?;
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
    env: &Env,
    db: &D1Database,
    shop: &Id,
    review: &str,
    now: i64,
) -> Result<Response, ApiError> {
    let Started {
        body,
        client,
        idempotency,
    } = match start::<NewReport>(req, env, db, shop, ENDPOINT_REPORT, now).await? {
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
    let threshold = moderation::parse_policy(target.policy.as_deref())?.report_threshold;
    let answer = http::to_json(&memnun_protocol::Received::new())?;
    let mut batch = idempotency.record(db, now, 202, &answer)?;
    batch.extend([
        db.prepare(
            "INSERT OR IGNORE INTO review_reports \
             (shop_id, review_id, reporter_key, reason, note, client_hash, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .bind(&[
            shop.as_str().into(),
            review.into(),
            browser_key(shop, &valid.reporter).into(),
            valid.reason.as_str().into(),
            valid.note.as_str().into(),
            client.as_str().into(),
            JsValue::from_f64(now as f64),
        ])?,
        db.prepare(format!(
            "UPDATE reviews SET report_count = (SELECT {}) WHERE shop_id = ?1 AND id = ?2",
            counted_reporters(None)
        ))
        .bind(&[shop.as_str().into(), review.into()])?,
        db.prepare(
            "UPDATE reviews SET status = 'pending', hold_reason = ?3 \
             WHERE shop_id = ?1 AND id = ?2 AND status = 'published' AND report_count >= ?4",
        )
        .bind(&[
            shop.as_str().into(),
            review.into(),
            HoldReason::Reported.as_str().into(),
            JsValue::from_f64(f64::from(threshold)),
        ])?,
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
        crate::webhooks::enqueue_if(
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
            Some(("changes() > 0", Vec::new())),
        )?,
        moderation::recount(db, shop, &target.product, now)?,
    ]);
    idempotency
        .commit(db, batch, now, 202, answer.to_owned())
        .await
}
