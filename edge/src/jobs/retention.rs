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
//! - Deliveries taken from a connected platform: after `DELIVERY_LOG_DAYS` too (platforms retry
//!   for hours, not days, so a redelivery is still known).
//! - Shoppers' sealed addresses: after `ADDRESS_DAYS` when no message waits for them (most go
//!   sooner, when their order's last message is sent: `jobs::outreach`).

use crate::handlers::api_keys::LOCKOUT_WINDOW_MS;
use crate::platform::error::ApiError;
use crate::store::retention::{self, DAY_MS, Expired};
use memnun_protocol::idempotency::RETENTION_MS;
use worker::D1Database;

/// Rows of each kind one run deletes.
pub const PURGE_BATCH: u32 = 500;
/// How long a shopper's address is kept at most when no message waits for it: past any
/// delivery a review request could still follow.
pub const ADDRESS_DAYS: i64 = 120;
/// How long the merchant can read a finished delivery in `GET /v1/admin/webhook/deliveries`.
pub const DELIVERY_LOG_DAYS: i64 = 30;

pub async fn purge(db: &D1Database, now: i64) -> Result<(), ApiError> {
    let statements = [
        Expired::IdempotencyKeys {
            before: now - RETENTION_MS,
        },
        Expired::AuthFailures {
            before: now - LOCKOUT_WINDOW_MS,
        },
        Expired::LookupFailures {
            before: now - DAY_MS,
        },
        Expired::Events { now },
        Expired::Views { now },
        Expired::FinishedDeliveries {
            before: now - DELIVERY_LOG_DAYS * DAY_MS,
        },
        Expired::ConnectorDeliveries {
            before: now - DELIVERY_LOG_DAYS * DAY_MS,
        },
        Expired::OutreachAddresses {
            before: now - ADDRESS_DAYS * DAY_MS,
        },
    ]
    .into_iter()
    .map(|expired| retention::purge(db, expired, PURGE_BATCH))
    .collect::<worker::Result<Vec<_>>>()?;
    db.batch(statements).await?;
    Ok(())
}
