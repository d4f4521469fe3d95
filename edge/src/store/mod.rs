//! The storage layer: the edge's SQL statements and the rows they read, one module per concept.
//! Handlers say what to store or read; how it is spelled in SQL, and which tables keep it, is
//! here, and nowhere else (`xtask`'s tidy test `sql_lives_in_the_store`). Store functions take
//! the database they work on (the shop's, `platform::databases`) and typed values; a statement that must join a caller's batch is returned unrun, a read runs here and
//! answers rows as types.
//!
//! ## The tables
//! `api_keys` (hashes only, named, scoped, `last_used_at`, one active key per name), `reviews`
//! (with `shopper_key` and a salted `client_hash`, never the address; `status` and `hold_reason`,
//! `verified` and `order_id`, `helpful_count` and `report_count`, the reply, `body_hash` for
//! duplicates, `source` and `import_key`), `product_ratings` (one row per product,
//! `stars_1`…`stars_5`, counting published reviews only, updated in the same batch as each review
//! and recounted with each moderation decision: a product page reads its summary with one indexed
//! lookup), `review_votes` and `review_reports` (keyed by review and hashed browser id),
//! `moderation_policies` (the policy as JSON), `moderation_log`, `shop_secrets` (newest active
//! signs, every active verifies), `idempotency_keys`, `lookup_failures`, `shops` (with the tracker,
//! survey and product pages links point to), `shop_origins`; `orders` (the email only as a salted
//! hash), `order_items`, `shipments`, `shipment_events` (keyed by shipment, status and time, so an
//! event is stored once), `webhooks` and `webhook_outbox`; `survey_settings` (JSON) and
//! `survey_responses` (one per order: the answers, `reasons` and `topics` as JSON lists, `seq`,
//! `opened_at`/`answered_at`/`completed_at`/`dismissed_at`, the shopper key for the cooldown);
//! `connectors` (each platform's signing secret), `connector_deliveries` (by the platform's
//! delivery id) and `connector_orders` (when the platform last changed each order);
//! `review_photos` (a photo's place, status and size, or, imported and not yet copied, its address and tries; the bytes are in R2), `catalog_items`, `shopper_events` (by event id, with a salted browser key), `browser_views` and
//! `baskets` (what has been counted), `item_counts` (n per product and kind, `buy` or `view`) and
//! `item_pairs` (co-occurrences in both directions, so a product's neighbours are one indexed
//! range), `pair_backlog`; `cases` (one unresolved per subject and cause), `case_history` (with
//! each signal's key, unique per shop) and `case_settings`. Lists page by cursor over an index per order (`reviews_by_product`,
//! `reviews_by_rating`, `reviews_by_helpful`, `reviews_by_status`, `orders_by_placed`), never by
//! offset; the attention list sorts the shop's shipments by their latest event, which no index
//! holds.
//!
//! **Invariants:** the summary counts exactly the published reviews (tests recount it after
//! inserts, approvals, rejections, reports and imports); the satisfaction report equals a recount
//! from `survey_responses` and `orders` (a test recounts it in JavaScript).

pub mod api_keys;
pub mod baskets;
pub mod cases;
pub mod catalog;
pub mod co_occurrence;
pub mod connectors;
pub mod directory;
pub mod events;
pub mod failure_windows;
pub mod feedback;
pub mod health;
pub mod idempotency;
pub mod moderation;
pub mod order_list;
pub mod orders;
pub mod outreach;
pub mod overview;
pub mod photos;
pub mod questions;
pub mod ratings;
pub mod recommendations;
pub mod retention;
pub mod reviews;
pub mod shoppers;
pub mod shops;
pub mod survey_responses;
pub mod survey_settings;
pub mod token_secrets;
pub mod views;
pub mod webhook_outbox;
pub mod webhooks;

use crate::platform::error::ApiError;
use memnun_protocol::Id;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement};

/// Another handle on `db`, for work that outlives the request's context (a streamed answer).
pub fn another_handle(db: &D1Database) -> D1Database {
    use wasm_bindgen::JsCast;
    D1Database::unchecked_from_js(db.as_ref().clone())
}

/// A statement's parameters, in `?1, ?2, …` order, typed as they are stored.
#[derive(Default, Clone)]
pub struct Params(Vec<JsValue>);

impl Params {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn text(mut self, value: &str) -> Self {
        self.0.push(value.into());
        self
    }

    /// Text, or `NULL`.
    pub fn opt_text(mut self, value: Option<&str>) -> Self {
        self.0.push(value.map_or(JsValue::NULL, JsValue::from_str));
        self
    }

    /// A whole number: times in milliseconds and counts, exact as a JavaScript number below 2^53.
    pub fn int(mut self, value: i64) -> Self {
        self.0.push(JsValue::from_f64(value as f64));
        self
    }

    /// A whole number, or `NULL`.
    pub fn opt_int(mut self, value: Option<i64>) -> Self {
        self.0
            .push(value.map_or(JsValue::NULL, |v| JsValue::from_f64(v as f64)));
        self
    }

    /// A flag, stored as SQLite does: 1 or 0.
    pub fn flag(self, value: bool) -> Self {
        self.int(i64::from(value))
    }

    /// The same parameters, and `other`'s after them (a statement built from parts).
    pub fn extend(mut self, other: Params) -> Self {
        self.0.extend(other.0);
        self
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// `sql` prepared on `db` with these parameters.
    pub fn bind(self, db: &D1Database, sql: &str) -> worker::Result<D1PreparedStatement> {
        db.prepare(sql).bind(&self.0)
    }
}

/// The first column of every row `statement` reads, as text: a list of ids, keys or products.
pub async fn texts<C: FromIterator<String>>(statement: D1PreparedStatement) -> worker::Result<C> {
    Ok(statement
        .raw::<String>()
        .await?
        .into_iter()
        .filter_map(|row| row.into_iter().next())
        .collect())
}

/// A table that keeps one JSON document per shop: `shop_id` (its key), the document's column,
/// `updated_at`.
pub struct Document {
    pub table: &'static str,
    pub column: &'static str,
    /// What it is, in an error's words.
    pub what: &'static str,
}

/// The shop's document in `doc`, or `None` when the shop has none.
pub async fn get_document<T: serde::de::DeserializeOwned>(
    db: &D1Database,
    doc: &Document,
    shop: &Id,
) -> Result<Option<T>, ApiError> {
    let Document {
        table,
        column,
        what,
    } = doc;
    let select = format!("SELECT {column} FROM {table} WHERE shop_id = ?1");
    let stored: Option<String> =
        texts::<Vec<String>>(Params::new().text(shop.as_str()).bind(db, &select)?)
            .await?
            .into_iter()
            .next();
    stored
        .map(|json| {
            serde_json::from_str(&json)
                .map_err(|e| ApiError::Internal(format!("stored {what} unreadable: {e}")))
        })
        .transpose()
}

/// Stores `document` as the shop's in `doc`, in place of any before it.
pub async fn put_document<T: serde::Serialize>(
    db: &D1Database,
    doc: &Document,
    shop: &Id,
    document: &T,
    now: i64,
) -> Result<(), ApiError> {
    let Document { table, column, .. } = doc;
    let json = serde_json::to_string(document).map_err(|e| ApiError::Internal(e.to_string()))?;
    Params::new()
        .text(shop.as_str())
        .text(&json)
        .int(now)
        .bind(
            db,
            &format!(
                "INSERT INTO {table} (shop_id, {column}, updated_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (shop_id) DO UPDATE SET {column} = excluded.{column}, \
                 updated_at = excluded.updated_at"
            ),
        )?
        .run()
        .await?;
    Ok(())
}
