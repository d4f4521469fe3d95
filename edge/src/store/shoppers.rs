//! Everything stored about one shopper, for its export and its erasure. The edge keeps no email
//! in clear beside a review's own, so a shopper's rows are found by the salted hashes each write
//! stored ([`ShopperKeys`]), across `reviews`, `orders` and what hangs on them (`order_items`,
//! `shipments`, `shipment_events`), `survey_responses`, `shopper_events`, `browser_views`,
//! `review_votes`, `review_reports`, `moderation_log`, `webhook_outbox`, `idempotency_keys`,
//! `baskets`, `lookup_failures`, `questions` and `question_votes`. An erased order leaves a salted hash of its id in
//! `erased_orders` (its tombstone), so that a platform's later payload of it is refused.
//!
//! The erasure is one batch (all or nothing) that keeps the maintained counts true: it recounts
//! the rating summaries and the helpful and report counts first, without the shopper's rows,
//! then deletes the rows. The recommendation counts (`item_counts`, `item_pairs`) stay: they
//! count products and name no one.

use super::Params;
use super::feedback;
use super::ratings::{self, SummaryChange};
use memnun_protocol::Id;
use memnun_protocol::shopper::DeletionReport;
use serde_json::Value;
use worker::{D1Database, D1PreparedStatement};

/// How each table's rows name the shopper: the hashes their writes stored. A key that matches
/// nothing (empty) stands for the other way of naming a shopper.
pub struct ShopperKeys {
    /// `reviews.shopper_key` of reviews written with the email, and `questions.shopper_key`.
    pub review_key: String,
    /// `orders.email_hash`, and `survey_responses.shopper_key`.
    pub order_key: String,
    /// `shopper_events` and `browser_views`.
    pub browser_key: String,
    /// `review_votes.voter_key`, `review_reports.reporter_key` and `question_votes.voter_key`.
    pub feedback_key: String,
}

impl ShopperKeys {
    /// `sql` prepared with the parameters every statement here shares: ?1 the shop, ?2 to ?5 the
    /// keys in the order of [`ShopperKeys`], ?6 `now`. D1 wants exactly as many values as the
    /// statement's highest `?N` (SQLite's parameter count), so only those are bound.
    pub(super) fn bind(
        &self,
        db: &D1Database,
        shop: &Id,
        sql: &str,
        now: Option<i64>,
    ) -> worker::Result<D1PreparedStatement> {
        let highest = sql
            .split('?')
            .skip(1)
            .filter_map(|rest| {
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                digits.parse::<usize>().ok()
            })
            .max()
            .unwrap_or(0);
        let unnamed = || worker::Error::RustError(format!("a statement names ?{highest}"));
        let mut params = Params::new();
        for n in 1..=highest {
            params = match (n, now) {
                (1, _) => params.text(shop.as_str()),
                (2, _) => params.text(&self.review_key),
                (3, _) => params.text(&self.order_key),
                (4, _) => params.text(&self.browser_key),
                (5, _) => params.text(&self.feedback_key),
                (6, Some(now)) => params.int(now),
                _ => return Err(unnamed()),
            };
        }
        params.bind(db, sql)
    }
}

/// The cases about the shopper's orders, and about their reviews that have no order of their
/// own (their review of another's order is a signal on that order's case, which is not theirs);
/// not a report's, which other shoppers wrote.
fn their_cases() -> String {
    format!(
        "cause != 'report' AND (order_id IN ({ORDERS}) \
         OR (order_id IS NULL AND review_id IN ({REVIEWS})))"
    )
}

/// The case signals of the shopper's reports (`report:<review>:<reporter key>`, ?5). Not LIKE:
/// D1 refuses patterns over 50 bytes.
const THEIR_REPORTS: &str = "shop_id = ?1 AND ?5 != '' AND substr(signal_key, 1, 7) = 'report:' \
     AND substr(signal_key, -length(?5)) = ?5";

/// The shopper's orders (?1 shop, ?3 order key). An empty key matches no row: orders without an
/// email have a NULL hash.
const ORDERS: &str = "SELECT id FROM orders WHERE shop_id = ?1 AND email_hash = ?3 AND ?3 != ''";
/// The shopper's reviews: written with the email, or through one of the shopper's orders.
pub(super) const REVIEWS: &str = "SELECT id FROM reviews WHERE shop_id = ?1 AND (shopper_key = ?2 AND ?2 != '' \
     OR order_id IN (SELECT id FROM orders WHERE shop_id = ?1 AND email_hash = ?3 AND ?3 != ''))";
/// The shopper's questions: asked with the email (?2, as their reviews).
const QUESTIONS: &str = "shop_id = ?1 AND shopper_key = ?2 AND ?2 != ''";
const SURVEY_RESPONSES: &str = "shop_id = ?1 AND (shopper_key = ?3 AND ?3 != '' OR order_id IN \
     (SELECT id FROM orders WHERE shop_id = ?1 AND email_hash = ?3 AND ?3 != ''))";

/// Every section of an export, as (name, query). Columns are listed, never `*`: hashes and
/// client addresses are the edge's own, not the shopper's data.
fn export_sections() -> Vec<(&'static str, String)> {
    vec![
        (
            "reviews",
            format!(
                "SELECT id, product_id AS product, rating, title, body, author, email, locale, \
                 status, verified, order_id, helpful_count, reply_body AS reply, source, \
                 created_at FROM reviews WHERE id IN ({REVIEWS}) AND shop_id = ?1 \
                 ORDER BY created_at, id"
            ),
        ),
        // Their reviews' photos (the bytes are at `GET /v1/admin/photos/{id}`).
        (
            "photos",
            format!(
                "SELECT review_id AS review, id, position, status, content_type, width, height, \
                 created_at FROM review_photos WHERE shop_id = ?1 AND review_id IN ({REVIEWS}) \
                 ORDER BY review_id, position"
            ),
        ),
        (
            "orders",
            format!(
                "SELECT id, number, placed_at, delivered_at, cancelled_at, refunded_minor, \
                 updated_at FROM orders \
                 WHERE shop_id = ?1 AND id IN ({ORDERS}) ORDER BY placed_at, id"
            ),
        ),
        (
            "order_items",
            format!(
                "SELECT order_id, position, product_id AS product, quantity, price_minor, currency \
                 FROM order_items WHERE shop_id = ?1 AND order_id IN ({ORDERS}) \
                 ORDER BY order_id, position"
            ),
        ),
        (
            "shipments",
            format!(
                "SELECT order_id, id, carrier, tracking_number, tracking_url, estimate_at \
                 FROM shipments WHERE shop_id = ?1 AND order_id IN ({ORDERS}) \
                 ORDER BY order_id, position"
            ),
        ),
        (
            "shipment_events",
            format!(
                "SELECT order_id, shipment_id, status, time, location, note FROM shipment_events \
                 WHERE shop_id = ?1 AND order_id IN ({ORDERS}) ORDER BY order_id, time"
            ),
        ),
        (
            "survey_responses",
            format!(
                "SELECT order_id, nps, reasons, follow_up, csat, ces, comment, locale, opened_at, \
                 answered_at, completed_at, dismissed_at FROM survey_responses \
                 WHERE {SURVEY_RESPONSES} ORDER BY opened_at, order_id"
            ),
        ),
        // The cases about their orders and reviews and what happened in them (the merchant's
        // notes and answers included; not who did it). Not the cases of reports about their
        // reviews: those are other shoppers' words.
        (
            "cases",
            format!(
                "SELECT id, cause, state, order_id, review_id, opened_at, first_response_at, \
                 resolved_at, resolution_category, resolution FROM cases WHERE shop_id = ?1 \
                 AND {} ORDER BY opened_at, id",
                their_cases()
            ),
        ),
        (
            "case_history",
            format!(
                "SELECT h.case_id, h.at, h.action, h.text, h.detail FROM case_history h \
                 JOIN cases c ON c.id = h.case_id WHERE c.shop_id = ?1 AND h.action != 'owner' \
                 AND c.id IN (SELECT id FROM cases WHERE shop_id = ?1 AND {}) \
                 ORDER BY h.case_id, h.id",
                their_cases()
            ),
        ),
        (
            "events",
            "SELECT id, kind, product_id AS product, products, order_id, source, arm, time \
             FROM shopper_events WHERE shop_id = ?1 AND browser_key = ?4 ORDER BY time, id"
                .to_owned(),
        ),
        (
            "product_views",
            "SELECT product_id AS product, first_at FROM browser_views \
             WHERE shop_id = ?1 AND browser_key = ?4 ORDER BY first_at, product_id"
                .to_owned(),
        ),
        (
            "votes",
            "SELECT review_id AS review, created_at FROM review_votes \
             WHERE shop_id = ?1 AND voter_key = ?5 ORDER BY created_at, review_id"
                .to_owned(),
        ),
        (
            "reports",
            "SELECT review_id AS review, reason, note, created_at FROM review_reports \
             WHERE shop_id = ?1 AND reporter_key = ?5 ORDER BY created_at, review_id"
                .to_owned(),
        ),
        (
            "questions",
            format!(
                "SELECT id, product_id AS product, body, author, email, locale, status, \
                 answer_body AS answer, answered_at, created_at FROM questions \
                 WHERE {QUESTIONS} ORDER BY created_at, id"
            ),
        ),
        (
            "question_votes",
            "SELECT question_id AS question, created_at FROM question_votes \
             WHERE shop_id = ?1 AND voter_key = ?5 ORDER BY created_at, question_id"
                .to_owned(),
        ),
    ]
}

/// Everything stored about the shopper, read in one batch: one list of rows per kind (empty
/// where nothing is stored), named as the export names them.
pub async fn export(
    db: &D1Database,
    shop: &Id,
    shopper: &ShopperKeys,
) -> worker::Result<Vec<(&'static str, Vec<Value>)>> {
    let sections = export_sections();
    let statements = sections
        .iter()
        .map(|(_, sql)| shopper.bind(db, shop, sql, None))
        .collect::<Result<Vec<_>, _>>()?;
    let results = db.batch(statements).await?;
    sections
        .iter()
        .zip(results)
        .map(|((name, _), result)| Ok((*name, result.results::<Value>()?)))
        .collect()
}

/// Deletes everything [`export`] shows, in one batch, and recounts what was counted from it;
/// answers how many rows of each kind went. Deleting again finds nothing and answers zeros.
/// The ids of the shopper's orders ([`delete`] wants their tombstones' keys).
pub async fn order_ids(
    db: &D1Database,
    shop: &Id,
    shopper: &ShopperKeys,
) -> worker::Result<Vec<String>> {
    super::texts(shopper.bind(db, shop, ORDERS, None)?).await
}

/// The statement that leaves `tombstones` (`pseudonyms::erased_order` of erased orders' ids) in
/// `erased_orders`: a platform resends an order whenever it changes, and they keep its connector
/// from bringing the order back (see migration 0011).
fn tombstones(
    db: &D1Database,
    shop: &Id,
    tombstones: &[String],
    now: i64,
) -> worker::Result<D1PreparedStatement> {
    super::Params::new()
        .text(shop.as_str())
        .text(&serde_json::to_string(tombstones)?)
        .int(now)
        .bind(
            db,
            "INSERT OR IGNORE INTO erased_orders (shop_id, order_key, erased_at) \
             SELECT ?1, value, ?3 FROM json_each(?2)",
        )
}

pub async fn delete(
    db: &D1Database,
    shop: &Id,
    shopper: &ShopperKeys,
    erased: &[String],
    now: i64,
) -> worker::Result<DeletionReport> {
    let reviews = format!("SELECT id FROM ({REVIEWS})");
    let orders = format!("SELECT id FROM ({ORDERS})");
    // Their cases: about their orders or their reviews (a signal's detail holds their words).
    // A case about another's order that her review joined stays (its `review_id` is cleared
    // with her review); a report's case about her review goes with it.
    let cases = format!(
        "SELECT id FROM cases WHERE shop_id = ?1 AND (order_id IN ({orders}) \
         OR (order_id IS NULL AND review_id IN ({reviews})))"
    );
    // Each deletion, with what it is counted as in the report.
    let deletions: Vec<(String, Option<&'static str>)> = vec![
        // Deliveries about them, sent or not: a payload holds the answers, the comment, the
        // review's id and the order's links, and a pending one must not go out afterwards.
        (
            format!(
                "DELETE FROM webhook_outbox WHERE shop_id = ?1 AND (event_key IN \
                 (SELECT 'review.held:' || id FROM ({reviews}) \
                  UNION ALL SELECT 'review.low_rating:' || id FROM ({reviews}) \
                  UNION ALL SELECT 'order.delivered:' || id FROM ({orders}) \
                  UNION ALL SELECT 'survey.detractor:' || order_id FROM survey_responses \
                  WHERE {SURVEY_RESPONSES} \
                  UNION ALL SELECT 'survey.completed:' || order_id FROM survey_responses \
                  WHERE {SURVEY_RESPONSES}) \
                 OR EXISTS (SELECT 1 FROM ({reviews}) r \
                  WHERE substr(event_key, 1, length(r.id) + 13) = 'review.held:' || r.id || ':') \
                 OR EXISTS (SELECT 1 FROM ({cases}) c \
                  WHERE event_key = 'case.opened:' || c.id \
                  OR substr(event_key, 1, length(c.id) + 15) = 'case.resolved:' || c.id || ':'))"
            ),
            None,
        ),
        // Stored answers for retries that repeat the review or the survey answers.
        (
            format!(
                "DELETE FROM idempotency_keys WHERE shop_id = ?1 AND subject IN \
                 (SELECT id FROM ({reviews}) UNION ALL SELECT order_id FROM survey_responses \
                  WHERE {SURVEY_RESPONSES} UNION ALL SELECT id FROM ({orders}) \
                  UNION ALL SELECT id FROM questions WHERE {QUESTIONS})"
            ),
            None,
        ),
        // The records that their orders' and purchases' products were counted once
        // (`baskets`): they name the order or the event. The counts themselves stay. An erased
        // order that the merchant sends again is counted again.
        (
            format!(
                "DELETE FROM baskets WHERE shop_id = ?1 AND basket_key IN \
                 (SELECT 'order:' || id FROM ({orders}) UNION ALL SELECT 'event:' || id \
                  FROM shopper_events WHERE shop_id = ?1 AND (browser_key = ?4 \
                  OR order_id IN ({orders})))"
            ),
            None,
        ),
        // Events that name the shopper's orders (a purchase the loader saw), whichever browser
        // sent them.
        (
            format!("DELETE FROM shopper_events WHERE shop_id = ?1 AND order_id IN ({orders})"),
            Some("events"),
        ),
        // Their order-lookup budget is a hash of their email.
        (
            "DELETE FROM lookup_failures WHERE budget = 'email:' || ?1 || ':' || ?3 AND ?3 != ''"
                .into(),
            None,
        ),
        (
            format!("DELETE FROM moderation_log WHERE shop_id = ?1 AND review_id IN ({reviews})"),
            None,
        ),
        (
            format!("DELETE FROM review_votes WHERE shop_id = ?1 AND review_id IN ({reviews})"),
            None,
        ),
        // Their photos' rows (the bytes went from R2 before this batch).
        (
            format!("DELETE FROM review_photos WHERE shop_id = ?1 AND review_id IN ({reviews})"),
            None,
        ),
        (
            format!("DELETE FROM review_reports WHERE shop_id = ?1 AND review_id IN ({reviews})"),
            None,
        ),
        (
            format!("DELETE FROM survey_responses WHERE {SURVEY_RESPONSES}"),
            Some("survey_responses"),
        ),
        // Their review's signal on a case about another's order (that case stays), its event
        // if it opened the case, and answers planned for their address.
        (
            format!(
                "DELETE FROM webhook_outbox WHERE shop_id = ?1 AND event_key IN \
                 (SELECT 'case.opened:' || case_id FROM case_history WHERE shop_id = ?1 \
                  AND action = 'opened' AND signal_key IN (SELECT 'review:' || id FROM ({reviews})))"
            ),
            None,
        ),
        (
            format!(
                "DELETE FROM case_history WHERE shop_id = ?1 \
                 AND signal_key IN (SELECT 'review:' || id FROM ({reviews}))"
            ),
            None,
        ),
        (
            "DELETE FROM outreach_messages WHERE shop_id = ?1 AND case_id IS NOT NULL \
             AND address_key = ?3 AND ?3 != ''"
                .into(),
            None,
        ),
        // Their cases, their history and their answers' messages: gone with the order or the
        // review anyway (a cascade), but kept out of those counts.
        (
            format!("DELETE FROM outreach_messages WHERE shop_id = ?1 AND case_id IN ({cases})"),
            None,
        ),
        (
            format!("DELETE FROM case_history WHERE shop_id = ?1 AND case_id IN ({cases})"),
            None,
        ),
        (format!("DELETE FROM cases WHERE id IN ({cases})"), None),
        // Gone with the review anyway (a cascade), but kept out of the reviews' count.
        (
            format!(
                "DELETE FROM outreach_messages WHERE shop_id = ?1 AND review_id IN ({reviews})"
            ),
            None,
        ),
        (
            format!("DELETE FROM reviews WHERE shop_id = ?1 AND id IN ({reviews})"),
            Some("reviews"),
        ),
        (
            format!("DELETE FROM shipment_events WHERE shop_id = ?1 AND order_id IN ({orders})"),
            None,
        ),
        (
            format!("DELETE FROM shipments WHERE shop_id = ?1 AND order_id IN ({orders})"),
            None,
        ),
        (
            format!("DELETE FROM order_items WHERE shop_id = ?1 AND order_id IN ({orders})"),
            None,
        ),
        // Gone with the order anyway (a cascade), but D1 counts a cascade's rows as the
        // statement's own, and the report counts orders.
        (
            format!("DELETE FROM connector_orders WHERE shop_id = ?1 AND order_id IN ({orders})"),
            None,
        ),
        (
            format!("DELETE FROM outreach_messages WHERE shop_id = ?1 AND order_id IN ({orders})"),
            None,
        ),
        (
            format!("DELETE FROM outreach_addresses WHERE shop_id = ?1 AND order_id IN ({orders})"),
            None,
        ),
        (
            "DELETE FROM orders WHERE shop_id = ?1 AND email_hash = ?3 AND ?3 != ''".into(),
            Some("orders"),
        ),
        (
            "DELETE FROM shopper_events WHERE shop_id = ?1 AND browser_key = ?4".into(),
            Some("events"),
        ),
        (
            "DELETE FROM browser_views WHERE shop_id = ?1 AND browser_key = ?4".into(),
            Some("product_views"),
        ),
        (
            "DELETE FROM review_votes WHERE shop_id = ?1 AND voter_key = ?5".into(),
            Some("votes"),
        ),
        // Their reports as signals of cases (a report's note is their words): the event of a
        // case a report of theirs opened, the signals, and a report's case left without any.
        (
            format!(
                "DELETE FROM webhook_outbox WHERE shop_id = ?1 AND event_key IN \
                 (SELECT 'case.opened:' || case_id FROM case_history WHERE {THEIR_REPORTS} \
                  AND action = 'opened')"
            ),
            None,
        ),
        (
            format!("DELETE FROM case_history WHERE {THEIR_REPORTS}"),
            None,
        ),
        (
            "DELETE FROM cases WHERE shop_id = ?1 AND cause = 'report' AND NOT EXISTS \
             (SELECT 1 FROM case_history h WHERE h.case_id = cases.id \
              AND h.signal_key IS NOT NULL)"
                .into(),
            None,
        ),
        (
            "DELETE FROM review_reports WHERE shop_id = ?1 AND reporter_key = ?5".into(),
            Some("reports"),
        ),
        // Their votes on answers, after the recount above left them out.
        (
            "DELETE FROM question_votes WHERE shop_id = ?1 AND voter_key = ?5 AND ?5 != ''".into(),
            Some("votes"),
        ),
        // Their questions, the answers' messages to them and others' votes on them: gone
        // with the question anyway (a cascade), but kept out of the questions' count.
        (
            format!(
                "DELETE FROM outreach_messages WHERE shop_id = ?1 AND question_id IN \
                 (SELECT id FROM questions WHERE {QUESTIONS})"
            ),
            None,
        ),
        (
            format!(
                "DELETE FROM question_votes WHERE shop_id = ?1 AND question_id IN \
                 (SELECT id FROM questions WHERE {QUESTIONS})"
            ),
            None,
        ),
        (
            format!("DELETE FROM questions WHERE {QUESTIONS}"),
            Some("questions"),
        ),
    ];
    // The recounts run first, counting what will be left, so that the batch (one transaction)
    // never shows a count that disagrees with its rows.
    let mut steps: Vec<(D1PreparedStatement, Option<&'static str>)> = vec![
        (
            ratings::summary(db, shop, SummaryChange::RecountWithout { shopper }, now)?,
            None,
        ),
        (feedback::recount_without(db, shop, shopper)?, None),
        (
            shopper.bind(db, shop, super::questions::RECOUNT_WITHOUT_VOTER, None)?,
            None,
        ),
        (tombstones(db, shop, erased, now)?, None),
    ];
    for (sql, counted) in &deletions {
        steps.push((shopper.bind(db, shop, sql, Some(now))?, *counted));
    }
    let (statements, counted): (Vec<_>, Vec<_>) = steps.into_iter().unzip();
    let results = db.batch(statements).await?;
    let mut report = DeletionReport::default();
    for (counted, result) in counted.iter().zip(&results) {
        let Some(kind) = counted else { continue };
        let changes = result
            .meta()?
            .and_then(|m| m.changes)
            .unwrap_or(0)
            .try_into()
            .unwrap_or(u32::MAX);
        // Added up: events go in two steps (the orders' and the browser's).
        let count = match *kind {
            "reviews" => &mut report.reviews,
            "orders" => &mut report.orders,
            "survey_responses" => &mut report.survey_responses,
            "events" => &mut report.events,
            "product_views" => &mut report.product_views,
            "votes" => &mut report.votes,
            "questions" => &mut report.questions,
            _ => &mut report.reports,
        };
        *count = count.saturating_add(changes);
    }
    Ok(report)
}

/// The salted email hashes of `shop`'s orders `ids` (the shoppers they name).
pub async fn order_keys(db: &D1Database, shop: &Id, ids: &[String]) -> worker::Result<Vec<String>> {
    super::texts(
        super::Params::new()
            .text(shop.as_str())
            .text(&serde_json::to_string(ids)?)
            .bind(
                db,
                "SELECT DISTINCT email_hash FROM orders WHERE shop_id = ?1 \
                 AND id IN (SELECT value FROM json_each(?2)) AND email_hash IS NOT NULL",
            )?,
    )
    .await
}

/// Erases `shop`'s orders `ids` that no shopper key finds (orders without an email), with what
/// hangs on them, and leaves `erased` (their tombstones) in `erased_orders`, so that no platform
/// brings them back.
/// Answers how many orders went.
pub async fn erase_orders(
    db: &D1Database,
    shop: &Id,
    ids: &[String],
    erased: &[String],
    now: i64,
) -> worker::Result<u32> {
    let ids = serde_json::to_string(ids)?;
    let named = "SELECT value FROM json_each(?2)";
    let key = || super::Params::new().text(shop.as_str()).text(&ids);
    let mut batch = vec![tombstones(db, shop, erased, now)?];
    for sql in [
        "DELETE FROM webhook_outbox WHERE shop_id = ?1 AND event_key IN \
         (SELECT 'order.delivered:' || value FROM json_each(?2))"
            .to_owned(),
        "DELETE FROM baskets WHERE shop_id = ?1 AND basket_key IN \
         (SELECT 'order:' || value FROM json_each(?2))"
            .to_owned(),
        format!("DELETE FROM shipment_events WHERE shop_id = ?1 AND order_id IN ({named})"),
        format!("DELETE FROM shipments WHERE shop_id = ?1 AND order_id IN ({named})"),
        format!("DELETE FROM order_items WHERE shop_id = ?1 AND order_id IN ({named})"),
        format!("DELETE FROM connector_orders WHERE shop_id = ?1 AND order_id IN ({named})"),
        format!("DELETE FROM outreach_messages WHERE shop_id = ?1 AND order_id IN ({named})"),
        format!("DELETE FROM outreach_addresses WHERE shop_id = ?1 AND order_id IN ({named})"),
        // Their cases (gone with the order anyway; the last statement's count is the orders').
        format!(
            "DELETE FROM webhook_outbox WHERE shop_id = ?1 AND EXISTS (SELECT 1 FROM cases c \
             WHERE c.shop_id = ?1 AND c.order_id IN ({named}) AND (event_key = 'case.opened:' || c.id \
             OR substr(event_key, 1, length(c.id) + 15) = 'case.resolved:' || c.id || ':'))"
        ),
        format!("DELETE FROM cases WHERE shop_id = ?1 AND order_id IN ({named})"),
        format!("DELETE FROM orders WHERE shop_id = ?1 AND id IN ({named})"),
    ] {
        batch.push(key().bind(db, &sql)?);
    }
    let results = db.batch(batch).await?;
    Ok(results
        .last()
        .and_then(|r| r.meta().ok().flatten())
        .and_then(|m| m.changes)
        .unwrap_or(0)
        .try_into()
        .unwrap_or(u32::MAX))
}
