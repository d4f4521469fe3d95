//! Survey responses (`survey_responses`, read with their orders): one per order, its primary
//! key. A response's answers only move forward: a save stores every answer so far with a
//! higher `seq` than the stored one, and an older save arriving late changes nothing; once
//! completed or dismissed it never changes again. Both guards are in the saving statements
//! themselves, so two saves racing cannot undo each other. The satisfaction report, the response
//! list and the export read the same rows; the report and the list select with one text
//! ([`answered_in_period`]), so the list shows what the report counts.

use super::Params;
use crate::handlers::webhooks::Condition;
use crate::platform::error::ApiError;
use crate::platform::http;
use memnun_protocol::Id;
use memnun_protocol::survey::{Answers, Interval, NpsGroup, Reason};
use serde::Deserialize;
use worker::{D1Database, D1PreparedStatement};

/// An order and its response (if any), as one query reads them.
#[derive(Deserialize)]
pub struct Situation {
    pub number: String,
    pub delivered_at: Option<i64>,
    pub email_hash: Option<String>,
    pub opened_at: Option<i64>,
    pub seq: Option<i64>,
    pub nps: Option<i64>,
    pub reasons: Option<String>,
    pub follow_up: Option<String>,
    pub csat: Option<i64>,
    pub ces: Option<i64>,
    pub comment: Option<String>,
    pub completed_at: Option<i64>,
    pub dismissed_at: Option<i64>,
    /// Whether this shopper was asked about another order since `asked_since`.
    pub asked_lately: i64,
}

/// The shop's order `order` and its response, or `None` when there is no such order. Its
/// shopper counts as asked lately when a response about another of their orders was opened
/// after `asked_since`.
pub async fn situation(
    db: &D1Database,
    shop: &Id,
    order: &Id,
    asked_since: i64,
) -> worker::Result<Option<Situation>> {
    Params::new()
        .text(shop.as_str())
        .text(order.as_str())
        .int(asked_since)
        .bind(
            db,
            "SELECT o.number, o.delivered_at, o.email_hash, r.opened_at, r.seq, r.nps, r.reasons, \
             r.follow_up, r.csat, r.ces, r.comment, r.completed_at, r.dismissed_at, \
             EXISTS (SELECT 1 FROM survey_responses x WHERE x.shop_id = o.shop_id \
               AND x.shopper_key = o.email_hash AND x.order_id != o.id AND x.opened_at > ?3) \
               AS asked_lately \
             FROM orders o LEFT JOIN survey_responses r ON r.shop_id = o.shop_id AND r.order_id = o.id \
             WHERE o.shop_id = ?1 AND o.id = ?2",
        )?
        .first(None)
        .await
}

/// Marks the order's survey opened at `now` by the shopper `shopper_key`, unless it has a
/// response already.
pub async fn mark_opened(
    db: &D1Database,
    shop: &Id,
    order: &Id,
    shopper_key: Option<&str>,
    locale: Option<&str>,
    now: i64,
) -> worker::Result<()> {
    Params::new()
        .text(shop.as_str())
        .text(order.as_str())
        .opt_text(shopper_key)
        .opt_text(locale)
        .int(now)
        .bind(
            db,
            "INSERT OR IGNORE INTO survey_responses \
             (shop_id, order_id, shopper_key, locale, opened_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        )?
        .run()
        .await?;
    Ok(())
}

/// One save of a response: whose, which of the shopper's saves, and when.
pub struct Save<'a> {
    pub shop: &'a Id,
    pub order: &'a Id,
    pub shopper_key: Option<&'a str>,
    pub seq: u32,
    pub locale: Option<&'a str>,
    pub now: i64,
}

/// Stores `answers` (every one so far) and the `topics` they were tagged with, completing the
/// response if `complete`; nothing changes when the stored response is newer or closed.
pub fn save_answers(
    db: &D1Database,
    save: &Save<'_>,
    answers: &Answers,
    topics: &[String],
    complete: bool,
) -> Result<D1PreparedStatement, ApiError> {
    let reasons: Vec<&str> = answers.reasons.iter().map(|r| r.as_str()).collect();
    let score = |v: Option<u8>| v.map(i64::from);
    let now_if = |on: bool| on.then_some(save.now);
    Ok(Params::new()
        .text(save.shop.as_str())
        .text(save.order.as_str())
        .opt_text(save.shopper_key)
        .int(i64::from(save.seq))
        .opt_int(score(answers.nps))
        .text(&http::to_json(&reasons)?)
        .opt_text(answers.follow_up.as_deref())
        .opt_int(score(answers.csat))
        .opt_int(score(answers.ces))
        .opt_text(answers.comment.as_deref())
        .text(&http::to_json(&topics)?)
        .opt_text(save.locale)
        .int(save.now)
        .opt_int(now_if(!answers.is_empty()))
        .opt_int(now_if(complete))
        .opt_int(None)
        .bind(
            db,
            "INSERT INTO survey_responses (shop_id, order_id, shopper_key, seq, nps, reasons, \
             follow_up, csat, ces, comment, topics, locale, opened_at, answered_at, updated_at, \
             completed_at, dismissed_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?13, ?15, ?16) \
             ON CONFLICT (shop_id, order_id) DO UPDATE SET seq = excluded.seq, \
             nps = excluded.nps, reasons = excluded.reasons, follow_up = excluded.follow_up, \
             csat = excluded.csat, ces = excluded.ces, comment = excluded.comment, \
             topics = excluded.topics, locale = COALESCE(excluded.locale, locale), \
             answered_at = COALESCE(answered_at, excluded.answered_at), \
             updated_at = excluded.updated_at, completed_at = excluded.completed_at, \
             dismissed_at = excluded.dismissed_at \
             WHERE survey_responses.seq < excluded.seq \
             AND survey_responses.completed_at IS NULL AND survey_responses.dismissed_at IS NULL",
        )?)
}

/// Closes the response for good, keeping the answers stored; nothing changes when the stored
/// response is newer or closed.
pub fn dismiss(db: &D1Database, save: &Save<'_>) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(save.shop.as_str())
        .text(save.order.as_str())
        .opt_text(save.shopper_key)
        .int(i64::from(save.seq))
        .opt_text(save.locale)
        .int(save.now)
        .bind(
            db,
            "INSERT INTO survey_responses (shop_id, order_id, shopper_key, seq, locale, opened_at, \
             updated_at, dismissed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?6) \
             ON CONFLICT (shop_id, order_id) DO UPDATE SET seq = excluded.seq, \
             updated_at = excluded.updated_at, dismissed_at = excluded.dismissed_at \
             WHERE survey_responses.seq < excluded.seq \
             AND survey_responses.completed_at IS NULL AND survey_responses.dismissed_at IS NULL",
        )
}

/// The values of a webhook condition about the response [`save_answers`] stored: its order,
/// `seq` and time. Two saves racing with one `seq` differ in time, so only the stored one
/// passes.
fn stored(save: &Save<'_>) -> Params {
    Params::new()
        .text(save.order.as_str())
        .int(i64::from(save.seq))
        .int(save.now)
}

/// Holds, when the batch runs, if `save` is the stored save and its NPS answer a detractor's.
pub fn stored_as_detractor(save: &Save<'_>) -> Condition<'static> {
    (
        "EXISTS (SELECT 1 FROM survey_responses WHERE shop_id = ?2 AND order_id = ?7 \
         AND seq = ?8 AND updated_at = ?9 AND nps <= 6)",
        stored(save),
    )
}

/// Holds, when the batch runs, if `save` is the stored save and an unhappy one: a detractor's
/// NPS or a CSAT of 1–2 (a case opens).
pub fn stored_as_unhappy(save: &Save<'_>) -> Condition<'static> {
    (
        "EXISTS (SELECT 1 FROM survey_responses WHERE shop_id = ?2 AND order_id = ?7 \
         AND seq = ?8 AND updated_at = ?9 AND (nps <= 6 OR csat <= 2))",
        stored(save),
    )
}

/// Holds, when the batch runs, if `save` is the stored save and completed the response.
pub fn stored_as_completed(save: &Save<'_>) -> Condition<'static> {
    (
        "EXISTS (SELECT 1 FROM survey_responses WHERE shop_id = ?2 AND order_id = ?7 \
         AND seq = ?8 AND updated_at = ?9 AND completed_at IS NOT NULL)",
        stored(save),
    )
}

/// The responses the report counts: answered ones, about the orders delivered in the period
/// (`?1` the shop, `?2` from, `?3` to; `r` the response, `o` its order); `each` joins a JSON
/// list. The response list selects with the same text, so its counts are the report's.
pub fn answered_in_period(each: &str) -> String {
    format!(
        "FROM survey_responses r {each} JOIN orders o \
         ON o.shop_id = r.shop_id AND o.id = r.order_id \
         WHERE r.shop_id = ?1 AND o.delivered_at >= ?2 AND o.delivered_at < ?3 \
         AND r.answered_at IS NOT NULL"
    )
}

/// Orders delivered in a bucket.
#[derive(Deserialize)]
pub struct Delivered {
    pub bucket: i64,
    pub n: u64,
}

/// Responses in a bucket with the same scores and completion.
#[derive(Deserialize)]
pub struct Scores {
    pub bucket: i64,
    pub nps: Option<i64>,
    pub csat: Option<i64>,
    pub ces: Option<i64>,
    pub completed: i64,
    pub n: u64,
}

/// Responses in a bucket naming a reason (with their NPS answer) or tagged with a topic.
#[derive(Deserialize)]
pub struct Named {
    pub bucket: i64,
    pub nps: Option<i64>,
    pub name: String,
    pub n: u64,
}

/// What the satisfaction report counts, per bucket of delivery time.
pub struct ReportCounts {
    pub delivered: Vec<Delivered>,
    pub scores: Vec<Scores>,
    pub reasons: Vec<Named>,
    pub topics: Vec<Named>,
}

/// The report's counts for the orders the shop delivered from `from` to `to` (exclusive), in
/// buckets of `interval` (numbered as `Interval::bucket` numbers them), read in one batch.
pub async fn report_counts(
    db: &D1Database,
    shop: &Id,
    from: i64,
    to: i64,
    interval: Interval,
) -> Result<ReportCounts, ApiError> {
    let params = || {
        Params::new()
            .text(shop.as_str())
            .int(from)
            .int(to)
            .int(interval.offset_ms())
            .int(interval.length_ms())
    };
    // The same bucket as `Interval::bucket`: times are positive, so truncation is floor.
    const BUCKET: &str = "CAST((o.delivered_at + ?4) / ?5 AS INTEGER)";
    let statements = vec![
        params().bind(
            db,
            &format!(
                "SELECT {BUCKET} AS bucket, COUNT(*) AS n FROM orders o \
                 WHERE o.shop_id = ?1 AND o.delivered_at >= ?2 AND o.delivered_at < ?3 \
                 GROUP BY bucket"
            ),
        )?,
        params().bind(
            db,
            &format!(
                "SELECT {BUCKET} AS bucket, r.nps, r.csat, r.ces, \
                 (r.completed_at IS NOT NULL) AS completed, COUNT(*) AS n {} \
                 GROUP BY bucket, r.nps, r.csat, r.ces, completed",
                answered_in_period("")
            ),
        )?,
        params().bind(
            db,
            &format!(
                "SELECT {BUCKET} AS bucket, r.nps, j.value AS name, COUNT(*) AS n {} \
                 AND r.nps IS NOT NULL GROUP BY bucket, r.nps, name",
                answered_in_period(", json_each(r.reasons) j")
            ),
        )?,
        params().bind(
            db,
            &format!(
                "SELECT {BUCKET} AS bucket, NULL AS nps, j.value AS name, COUNT(*) AS n {} \
                 GROUP BY bucket, name",
                answered_in_period(", json_each(r.topics) j")
            ),
        )?,
    ];
    let mut results = db.batch(statements).await?.into_iter();
    let mut next = || {
        results
            .next()
            .ok_or_else(|| ApiError::Internal("a report query gave no result".into()))
    };
    Ok(ReportCounts {
        delivered: next()?.results()?,
        scores: next()?.results()?,
        reasons: next()?.results()?,
        topics: next()?.results()?,
    })
}

/// A response as the export writes it, with its order.
#[derive(Deserialize)]
pub struct Exported {
    pub order_id: String,
    pub number: String,
    pub delivered_at: Option<i64>,
    pub opened_at: i64,
    pub completed_at: Option<i64>,
    pub dismissed_at: Option<i64>,
    pub locale: Option<String>,
    pub nps: Option<i64>,
    /// A JSON list of reason names.
    pub reasons: String,
    pub follow_up: Option<String>,
    pub csat: Option<i64>,
    pub ces: Option<i64>,
    pub comment: Option<String>,
    /// A JSON list of topic names.
    pub topics: String,
}

/// The shop's answered or dismissed responses, newest opened first, at most `limit`.
pub async fn exported(db: &D1Database, shop: &Id, limit: u32) -> worker::Result<Vec<Exported>> {
    Params::new()
        .text(shop.as_str())
        .int(i64::from(limit))
        .bind(
            db,
            "SELECT r.order_id, o.number, o.delivered_at, r.opened_at, r.completed_at, \
             r.dismissed_at, r.locale, r.nps, r.reasons, r.follow_up, r.csat, r.ces, r.comment, \
             r.topics \
             FROM survey_responses r JOIN orders o ON o.shop_id = r.shop_id AND o.id = r.order_id \
             WHERE r.shop_id = ?1 AND (r.answered_at IS NOT NULL OR r.dismissed_at IS NOT NULL) \
             ORDER BY r.opened_at DESC, r.order_id LIMIT ?2",
        )?
        .all()
        .await?
        .results()
}

/// Which answered responses to list: those the report counts for the period, narrowed.
pub struct Filter<'a> {
    pub from: i64,
    pub to: i64,
    /// Responses whose NPS answer is in this group.
    pub group: Option<NpsGroup>,
    /// Responses naming this reason.
    pub reason: Option<Reason>,
    /// Responses tagged with this topic.
    pub topic: Option<&'a str>,
    /// Responses listed after this one (its delivery time and order), for the next page.
    pub after: Option<(i64, &'a str)>,
    pub limit: u32,
}

/// An answered response as the list shows it, with its order.
#[derive(Deserialize)]
pub struct Listed {
    pub order_id: String,
    pub number: String,
    pub nps: Option<i64>,
    /// A JSON list of reason names.
    pub reasons: String,
    pub follow_up: Option<String>,
    pub csat: Option<i64>,
    pub ces: Option<i64>,
    pub comment: Option<String>,
    /// A JSON list of topic names.
    pub topics: String,
    pub locale: Option<String>,
    pub delivered_at: i64,
    pub answered_at: i64,
    pub completed: i64,
}

/// The responses `filter` selects, latest delivery first, at most one more than its limit (so
/// the caller knows whether there is a next page).
pub async fn listed(
    db: &D1Database,
    shop: &Id,
    filter: &Filter<'_>,
) -> Result<Vec<Listed>, ApiError> {
    let mut args = Params::new()
        .text(shop.as_str())
        .int(filter.from)
        .int(filter.to)
        .int(i64::from(filter.limit + 1));
    let mut sql = format!(
        "SELECT r.order_id, o.number, r.nps, r.reasons, r.follow_up, r.csat, r.ces, r.comment, \
         r.topics, r.locale, o.delivered_at, r.answered_at, \
         (r.completed_at IS NOT NULL) AS completed {}",
        answered_in_period("")
    );
    if let Some(g) = filter.group {
        let scores: Vec<u8> = g.scores().collect();
        args = args.text(&http::to_json(&scores)?);
        sql.push_str(&format!(
            " AND r.nps IN (SELECT value FROM json_each(?{}))",
            args.len()
        ));
    }
    if let Some(r) = filter.reason {
        args = args.text(r.as_str());
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM json_each(r.reasons) j WHERE j.value = ?{})",
            args.len()
        ));
    }
    if let Some(t) = filter.topic {
        args = args.text(t);
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM json_each(r.topics) j WHERE j.value = ?{})",
            args.len()
        ));
    }
    if let Some((time, order)) = filter.after {
        args = args.int(time).text(order);
        let (t, i) = (args.len() - 1, args.len());
        sql.push_str(&format!(
            " AND (o.delivered_at < ?{t} OR (o.delivered_at = ?{t} AND r.order_id < ?{i}))"
        ));
    }
    sql.push_str(" ORDER BY o.delivered_at DESC, r.order_id DESC LIMIT ?4");
    Ok(args.bind(db, &sql)?.all().await?.results()?)
}
