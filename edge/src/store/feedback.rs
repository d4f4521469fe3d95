//! Shoppers' votes and reports on reviews (`review_votes`, `review_reports`) and the counts kept
//! on the review from them (`reviews.helpful_count`, `reviews.report_count`). A row is kept per
//! browser, but a count counts distinct clients (`client_hash`): a browser id is anyone's to
//! make up. The rule this module keeps: the counts are recounted from the rows in the batch that
//! changes the rows, so they never drift. A merchant's approval clears the reports counted so far
//! (`cleared_at`: kept for the record, no longer counted), and a client whose report was cleared
//! is not counted again on that review.

use super::Params;
use super::moderation::parse_policy;
use super::shoppers::ShopperKeys;
use crate::platform::error::ApiError;
use memnun_protocol::Id;
use memnun_protocol::feedback::ReportReason;
use memnun_protocol::moderation::{HoldReason, ModerationPolicy};
use serde::Deserialize;
use worker::{D1Database, D1PreparedStatement};

/// The clients whose reports count towards holding `reviews.id` (from a statement on
/// `reviews`): reports not cleared by an approval, from clients none of whose reports on that
/// review has been cleared. A merchant who kept the review after a client's report has heard
/// that client; reporting again does not hold it again. `leaving_out` names a parameter holding
/// a reporter key whose reports are not counted, for a recount before they are deleted.
fn counted_reporters(leaving_out: Option<&str>) -> String {
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

/// A published review shoppers can vote on or report.
pub struct Target {
    pub product: String,
    /// The shop's policy as stored, read only by a report.
    policy: Option<String>,
}

impl Target {
    /// The shop's moderation policy.
    pub fn policy(&self) -> Result<ModerationPolicy, ApiError> {
        parse_policy(self.policy.as_deref())
    }
}

/// The review, if it is published in `shop`: only what shoppers can see can be voted on or
/// reported.
pub async fn published(db: &D1Database, shop: &Id, review: &str) -> worker::Result<Option<Target>> {
    #[derive(Deserialize)]
    struct Row {
        product_id: String,
        policy: Option<String>,
    }
    let row: Option<Row> = Params::new()
        .text(shop.as_str())
        .text(review)
        .bind(
            db,
            "SELECT r.product_id, p.policy FROM reviews r \
         LEFT JOIN moderation_policies p ON p.shop_id = r.shop_id \
         WHERE r.shop_id = ?1 AND r.id = ?2 AND r.status = 'published'",
        )?
        .first(None)
        .await?;
    Ok(row.map(|r| Target {
        product: r.product_id,
        policy: r.policy,
    }))
}

/// Stores the vote of the browser `voter_key` (once per browser) and answers the review's
/// helpful count with it, in one batch.
pub async fn vote(
    db: &D1Database,
    shop: &Id,
    review: &str,
    voter_key: &str,
    client: &str,
    now: i64,
) -> Result<u32, ApiError> {
    #[derive(Deserialize)]
    struct Count {
        helpful_count: u32,
    }
    let results = db
        .batch(vec![
            Params::new()
                .text(shop.as_str())
                .text(review)
                .text(voter_key)
                .text(client)
                .int(now)
                .bind(
                    db,
                    "INSERT OR IGNORE INTO review_votes (shop_id, review_id, voter_key, client_hash, created_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )?,
            Params::new().text(shop.as_str()).text(review).bind(
                db,
                "UPDATE reviews SET helpful_count = \
                 (SELECT COUNT(DISTINCT client_hash) FROM review_votes WHERE review_id = ?2) \
                 WHERE shop_id = ?1 AND id = ?2 RETURNING helpful_count",
            )?,
        ])
        .await?;
    results
        .get(1)
        .map(|r| r.results::<Count>())
        .transpose()?
        .and_then(|rows| rows.first().map(|c| c.helpful_count))
        .ok_or_else(|| ApiError::Internal("vote count answered no row".into()))
}

/// A report as stored: the browser's key, why, and from which client.
pub struct Report<'a> {
    pub reporter_key: &'a str,
    pub reason: ReportReason,
    pub note: &'a str,
    pub client: &'a str,
}

/// The statements storing `report` (once per browser), recounting the review's reports, and
/// holding it for the merchant once `threshold` clients count, in this order. A statement right
/// after them sees in `changes()` whether this report held the review.
pub fn report(
    db: &D1Database,
    shop: &Id,
    review: &str,
    report: &Report,
    threshold: u32,
    now: i64,
) -> worker::Result<[D1PreparedStatement; 3]> {
    Ok([
        Params::new()
            .text(shop.as_str())
            .text(review)
            .text(report.reporter_key)
            .text(report.reason.as_str())
            .text(report.note)
            .text(report.client)
            .int(now)
            .bind(
                db,
                "INSERT OR IGNORE INTO review_reports \
                 (shop_id, review_id, reporter_key, reason, note, client_hash, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?,
        Params::new().text(shop.as_str()).text(review).bind(
            db,
            &format!(
                "UPDATE reviews SET report_count = (SELECT {}) WHERE shop_id = ?1 AND id = ?2",
                counted_reporters(None)
            ),
        )?,
        Params::new()
            .text(shop.as_str())
            .text(review)
            .text(HoldReason::Reported.as_str())
            .int(i64::from(threshold))
            .bind(
                db,
                "UPDATE reviews SET status = 'pending', hold_reason = ?3 \
                 WHERE shop_id = ?1 AND id = ?2 AND status = 'published' AND report_count >= ?4",
            )?,
    ])
}

/// The statements clearing the review's reports at `now` once the merchant has kept it: they stay
/// for the record and stop counting, so the same reports, or one more on top of them, cannot
/// hold it again.
pub fn clear_reports(
    db: &D1Database,
    shop: &Id,
    review: &str,
    now: i64,
) -> worker::Result<[D1PreparedStatement; 2]> {
    Ok([
        Params::new()
            .text(shop.as_str())
            .text(review)
            .int(now)
            .bind(
                db,
                "UPDATE review_reports SET cleared_at = ?3 \
             WHERE shop_id = ?1 AND review_id = ?2 AND cleared_at IS NULL",
            )?,
        Params::new().text(shop.as_str()).text(review).bind(
            db,
            "UPDATE reviews SET report_count = 0 WHERE shop_id = ?1 AND id = ?2",
        )?,
    ])
}

/// The statement recounting the helpful and report counts of the reviews the shopper voted on or
/// reported, as if their votes and reports were gone already (they are deleted later in the same
/// batch).
pub(super) fn recount_without(
    db: &D1Database,
    shop: &Id,
    shopper: &ShopperKeys,
) -> worker::Result<D1PreparedStatement> {
    shopper.bind(
        db,
        shop,
        &format!(
            "UPDATE reviews SET \
             helpful_count = (SELECT COUNT(DISTINCT v.client_hash) FROM review_votes v \
             WHERE v.review_id = reviews.id AND v.voter_key != ?5), \
             report_count = (SELECT {}) \
             WHERE shop_id = ?1 AND id IN (SELECT review_id FROM review_votes \
             WHERE shop_id = ?1 AND voter_key = ?5 UNION SELECT review_id FROM review_reports \
             WHERE shop_id = ?1 AND reporter_key = ?5)",
            counted_reporters(Some("?5"))
        ),
        None,
    )
}
