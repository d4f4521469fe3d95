//! One shopper's data: `POST /v1/admin/shoppers/export` and `POST /v1/admin/shoppers/delete`
//! (protocol::shopper says who a shopper is). The edge keeps no email in clear beside a review's
//! own, only salted hashes, so it finds a shopper's rows by hashing what the merchant sends the
//! way each write hashed it:
//!
//! - by email: reviews (`reviews.shopper_key`), orders (`orders.email_hash`) with their items,
//!   shipments and tracking events, survey responses (`survey_responses.shopper_key`, and every
//!   response to those orders), reviews written through those orders' review links, the webhook
//!   deliveries about any of them (sent or waiting), the stored answers of their writes kept for
//!   retries (`idempotency_keys.subject`), events naming their orders, the once-only basket
//!   records of their orders and their email's lookup budget;
//! - by browser id (the one id the loader and the widgets share): events
//!   (`shopper_events.browser_key`) and their basket records, first product views, helpful votes
//!   and reports.
//!
//! Deletion is one D1 batch (all or nothing) and keeps the maintained counts true: the rating
//! summaries of the products whose published reviews go are recounted, and so are the helpful
//! and report counts of the reviews whose votes and reports go. The recommendation counts
//! (`item_counts`, `item_pairs`) stay: they count products, name no one, and the retention purge
//! treats them the same way. Reports (satisfaction, recommendations) are computed from the rows
//! when read, so they lose the shopper's share at once.

use crate::error::ApiError;
use crate::http::{self, BodyType};
use crate::secure::sha256_hex;
use memnun_protocol::Id;
use memnun_protocol::shopper::{DeletionReport, MAX_REQUEST_BYTES, Shopper, ShopperRequest};
use serde_json::{Map, Value};
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement, Env, Request, Response};

async fn read_shopper(req: &mut Request) -> Result<Shopper, ApiError> {
    let (request, _): (ShopperRequest, _) =
        http::read_json(req, MAX_REQUEST_BYTES, BodyType::Json).await?;
    request.validate().map_err(ApiError::Validation)
}

/// How each table's rows name the shopper: the hashes their writes stored.
struct Keys {
    /// `reviews.shopper_key` of reviews written with the email.
    review_key: String,
    /// `orders.email_hash`, and `survey_responses.shopper_key`.
    order_key: String,
    /// `shopper_events` and `browser_views`.
    browser_key: String,
    /// `review_votes.voter_key` and `review_reports.reporter_key`.
    feedback_key: String,
}

impl Keys {
    /// Keys that match nothing stand for the other way of naming a shopper.
    fn of(env: &Env, shop: &Id, shopper: &Shopper) -> Result<Keys, ApiError> {
        let salt = http::salt(env)?;
        let none = String::new;
        Ok(match shopper {
            Shopper::Email(email) => Keys {
                review_key: http::email_shopper_key(&salt, email),
                order_key: crate::orders::email_hash(env, email)?,
                browser_key: none(),
                feedback_key: none(),
            },
            Shopper::Browser(browser) => Keys {
                review_key: none(),
                order_key: none(),
                browser_key: sha256_hex(&[b"browser", salt.as_bytes(), browser.as_bytes()]),
                feedback_key: crate::feedback::browser_key(shop, browser),
            },
        })
    }

    /// Parameters ?1 to ?5 of every statement below.
    fn params(&self, shop: &Id) -> [JsValue; 5] {
        [
            shop.as_str().into(),
            self.review_key.as_str().into(),
            self.order_key.as_str().into(),
            self.browser_key.as_str().into(),
            self.feedback_key.as_str().into(),
        ]
    }
}

/// The shopper's orders (?1 shop, ?3 order key). An empty key matches no row: orders without an
/// email have a NULL hash.
const ORDERS: &str = "SELECT id FROM orders WHERE shop_id = ?1 AND email_hash = ?3 AND ?3 != ''";
/// The shopper's reviews: written with the email, or through one of the shopper's orders.
const REVIEWS: &str = "SELECT id FROM reviews WHERE shop_id = ?1 AND (shopper_key = ?2 AND ?2 != '' \
     OR order_id IN (SELECT id FROM orders WHERE shop_id = ?1 AND email_hash = ?3 AND ?3 != ''))";
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
        (
            "orders",
            format!(
                "SELECT id, number, placed_at, delivered_at, updated_at FROM orders \
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
    ]
}

/// Prepares `sql` with the first of `params` it names. D1 wants exactly as many values as the
/// statement's highest `?N` (SQLite's parameter count), and the statements here share one list.
fn statement(
    db: &D1Database,
    sql: &str,
    params: &[JsValue],
) -> Result<D1PreparedStatement, ApiError> {
    let highest = sql
        .split('?')
        .skip(1)
        .filter_map(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse::<usize>().ok()
        })
        .max()
        .unwrap_or(0);
    let values = params
        .get(..highest)
        .ok_or_else(|| ApiError::Internal(format!("a statement names ?{highest}")))?;
    Ok(db.prepare(sql).bind(values)?)
}

/// `POST /v1/admin/shoppers/export`: everything stored about the shopper, one JSON document with
/// one list per kind (empty where nothing is stored), read in one batch.
pub async fn export(
    req: &mut Request,
    env: &Env,
    db: &D1Database,
    shop: &Id,
    now: i64,
) -> Result<Response, ApiError> {
    let shopper = read_shopper(req).await?;
    let params = Keys::of(env, shop, &shopper)?.params(shop);
    let sections = export_sections();
    let statements = sections
        .iter()
        .map(|(_, sql)| statement(db, sql, &params))
        .collect::<Result<Vec<_>, _>>()?;
    let results = db.batch(statements).await?;
    let mut document = Map::new();
    document.insert(
        "shopper".into(),
        match &shopper {
            Shopper::Email(email) => serde_json::json!({ "email": email }),
            Shopper::Browser(browser) => serde_json::json!({ "browser": browser }),
        },
    );
    document.insert(
        "exported_at".into(),
        Value::String(memnun_protocol::time::format_rfc3339_ms(now)),
    );
    for ((name, _), result) in sections.iter().zip(results) {
        document.insert((*name).into(), Value::Array(result.results::<Value>()?));
    }
    http::json(200, &Value::Object(document))
}

/// `POST /v1/admin/shoppers/delete`: deletes everything `export` would show, in one batch, and
/// recounts what was counted from it. Deleting again finds nothing and answers zeros, so a retry
/// is safe without an idempotency key.
pub async fn delete(
    req: &mut Request,
    env: &Env,
    db: &D1Database,
    shop: &Id,
    now: i64,
) -> Result<Response, ApiError> {
    let shopper = read_shopper(req).await?;
    let params = Keys::of(env, shop, &shopper)?.params(shop);
    let reviews = format!("SELECT id FROM ({REVIEWS})");
    let orders = format!("SELECT id FROM ({ORDERS})");
    let now_param = JsValue::from_f64(now as f64);
    let mut with_now = params.to_vec();
    with_now.push(now_param);
    // Each statement's index in the batch, for the report: (statement, counted as).
    // The recounts run first, counting what will be left, so that the batch (one transaction)
    // never shows a summary that disagrees with its rows.
    let steps: Vec<(String, Option<&'static str>)> = vec![
        (
            format!(
                "INSERT INTO product_ratings \
                 (shop_id, product_id, stars_1, stars_2, stars_3, stars_4, stars_5, updated_at) \
                 SELECT ?1, p.id, COUNT(r.id) FILTER (WHERE r.rating = 1), \
                 COUNT(r.id) FILTER (WHERE r.rating = 2), COUNT(r.id) FILTER (WHERE r.rating = 3), \
                 COUNT(r.id) FILTER (WHERE r.rating = 4), COUNT(r.id) FILTER (WHERE r.rating = 5), ?6 \
                 FROM (SELECT DISTINCT product_id AS id FROM reviews WHERE shop_id = ?1 \
                 AND status = 'published' AND id IN ({reviews})) p \
                 LEFT JOIN reviews r ON r.shop_id = ?1 AND r.product_id = p.id \
                 AND r.status = 'published' AND r.id NOT IN ({reviews}) \
                 WHERE true GROUP BY p.id \
                 ON CONFLICT (shop_id, product_id) DO UPDATE SET \
                 stars_1 = excluded.stars_1, stars_2 = excluded.stars_2, \
                 stars_3 = excluded.stars_3, stars_4 = excluded.stars_4, \
                 stars_5 = excluded.stars_5, updated_at = excluded.updated_at"
            ),
            None,
        ),
        (
            format!(
                "UPDATE reviews SET \
                 helpful_count = (SELECT COUNT(DISTINCT v.client_hash) FROM review_votes v \
                 WHERE v.review_id = reviews.id AND v.voter_key != ?5), \
                 report_count = (SELECT {}) \
                 WHERE shop_id = ?1 AND id IN (SELECT review_id FROM review_votes \
                 WHERE shop_id = ?1 AND voter_key = ?5 UNION SELECT review_id FROM review_reports \
                 WHERE shop_id = ?1 AND reporter_key = ?5)",
                crate::feedback::counted_reporters(Some("?5"))
            ),
            None,
        ),
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
                  WHERE substr(event_key, 1, length(r.id) + 13) = 'review.held:' || r.id || ':'))"
            ),
            None,
        ),
        // Stored answers for retries that repeat the review or the survey answers.
        (
            format!(
                "DELETE FROM idempotency_keys WHERE shop_id = ?1 AND subject IN \
                 (SELECT id FROM ({reviews}) UNION ALL SELECT order_id FROM survey_responses \
                  WHERE {SURVEY_RESPONSES} UNION ALL SELECT id FROM ({orders}))"
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
        (
            format!("DELETE FROM review_reports WHERE shop_id = ?1 AND review_id IN ({reviews})"),
            None,
        ),
        (
            format!("DELETE FROM survey_responses WHERE {SURVEY_RESPONSES}"),
            Some("survey_responses"),
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
        (
            "DELETE FROM review_reports WHERE shop_id = ?1 AND reporter_key = ?5".into(),
            Some("reports"),
        ),
    ];
    let statements = steps
        .iter()
        .map(|(sql, _)| statement(db, sql, &with_now))
        .collect::<Result<Vec<_>, _>>()?;
    let results = db.batch(statements).await?;
    let mut report = DeletionReport::default();
    for ((_, counted), result) in steps.iter().zip(&results) {
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
            _ => &mut report.reports,
        };
        *count = count.saturating_add(changes);
    }
    http::json(200, &report)
}
