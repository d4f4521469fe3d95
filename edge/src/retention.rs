//! Retention: what is kept only for a while, purged by the scheduled handler. Each run deletes
//! at most `PURGE_BATCH` rows of each kind in one D1 batch, so a backlog (a first run after
//! months, or a shop that shortened its retention) drains over several minutes instead of
//! exceeding one run's limits.
//!
//! - Idempotency records: their stored answers are only good for retries, `RETENTION_MS`.
//! - Failed API-key attempts: once their window has passed (`api_keys::LOCKOUT_WINDOW_MS`).
//! - Failed order lookups: a day after their window began (the longest budget window).
//! - Shoppers' browsing events and first views: after the shop's `event_retention_days`. The
//!   recommendation counts made from them (`item_counts`, `item_pairs`) stay: they name products,
//!   not shoppers.
//! - Webhook deliveries that were delivered or given up on: after `DELIVERY_LOG_DAYS`.

use crate::api_keys::LOCKOUT_WINDOW_MS;
use crate::error::ApiError;
use memnun_protocol::idempotency::RETENTION_MS;
use wasm_bindgen::JsValue;
use worker::D1Database;

/// Rows of each kind one run deletes.
pub const PURGE_BATCH: u32 = 500;
/// How long the merchant can read a finished delivery in `GET /v1/admin/webhook/deliveries`.
pub const DELIVERY_LOG_DAYS: i64 = 30;
const DAY_MS: i64 = 86_400_000;

pub async fn purge(db: &D1Database, now: i64) -> Result<(), ApiError> {
    let batch = JsValue::from_f64(f64::from(PURGE_BATCH));
    let before = |age_ms: i64| JsValue::from_f64((now - age_ms) as f64);
    let statements = vec![
        db.prepare(
            "DELETE FROM idempotency_keys WHERE rowid IN \
             (SELECT rowid FROM idempotency_keys WHERE created_at < ?1 LIMIT ?2)",
        )
        .bind(&[before(RETENTION_MS), batch.clone()])?,
        db.prepare(
            "DELETE FROM admin_auth_failures WHERE rowid IN \
             (SELECT rowid FROM admin_auth_failures WHERE window_start < ?1 LIMIT ?2)",
        )
        .bind(&[before(LOCKOUT_WINDOW_MS), batch.clone()])?,
        db.prepare(
            "DELETE FROM lookup_failures WHERE rowid IN \
             (SELECT rowid FROM lookup_failures WHERE window_start < ?1 LIMIT ?2)",
        )
        .bind(&[before(DAY_MS), batch.clone()])?,
        db.prepare(
            "DELETE FROM shopper_events WHERE rowid IN \
             (SELECT e.rowid FROM shops s JOIN shopper_events e ON e.shop_id = s.id \
              AND e.time < ?1 - s.event_retention_days * ?3 LIMIT ?2)",
        )
        .bind(&[before(0), batch.clone(), JsValue::from_f64(DAY_MS as f64)])?,
        db.prepare(
            "DELETE FROM browser_views WHERE rowid IN \
             (SELECT v.rowid FROM shops s JOIN browser_views v ON v.shop_id = s.id \
              AND v.first_at < ?1 - s.event_retention_days * ?3 LIMIT ?2)",
        )
        .bind(&[before(0), batch.clone(), JsValue::from_f64(DAY_MS as f64)])?,
        db.prepare(
            "DELETE FROM webhook_outbox WHERE rowid IN \
             (SELECT rowid FROM webhook_outbox WHERE created_at < ?1 \
              AND (delivered_at IS NOT NULL OR failed_at IS NOT NULL) LIMIT ?2)",
        )
        .bind(&[before(DELIVERY_LOG_DAYS * DAY_MS), batch])?,
    ];
    db.batch(statements).await?;
    Ok(())
}
