//! Deleting what is kept only for a while: idempotency records (`idempotency_keys`), failure
//! windows (`admin_auth_failures`, `lookup_failures`), shoppers' events and first views
//! (`shopper_events`, `browser_views`) and finished webhook deliveries (`webhook_outbox`). Each
//! statement deletes at most `rows` of the oldest-enough rows, so a backlog drains over several
//! runs instead of exceeding one run's limits; the handler says how old is old enough.

use super::Params;
use worker::{D1Database, D1PreparedStatement};

/// A day, the unit of a shop's `event_retention_days`.
pub const DAY_MS: i64 = 86_400_000;

/// What has been kept long enough, and the time that decides it.
pub enum Expired {
    /// Idempotency records made before this time.
    IdempotencyKeys { before: i64 },
    /// Wrong-API-key windows begun before this time.
    AuthFailures { before: i64 },
    /// Failed-lookup windows begun before this time.
    LookupFailures { before: i64 },
    /// Shoppers' events older, at `now`, than their shop's `event_retention_days`.
    Events { now: i64 },
    /// First views older, at `now`, than their shop's `event_retention_days`.
    Views { now: i64 },
    /// Webhook deliveries made before this time that were delivered or given up on (those
    /// still being tried stay, however old).
    FinishedDeliveries { before: i64 },
    /// Platform webhook deliveries taken before this time (kept to know one delivered twice,
    /// and for the merchant to see the connection working).
    ConnectorDeliveries { before: i64 },
    /// Shoppers' sealed addresses kept before this time for which no message waits (an order
    /// never delivered gets no review request).
    OutreachAddresses { before: i64 },
}

/// Deletes up to `rows` of what `expired` names, oldest-enough first.
pub fn purge(db: &D1Database, expired: Expired, rows: u32) -> worker::Result<D1PreparedStatement> {
    let (time, sql) = match &expired {
        Expired::IdempotencyKeys { before } => (
            *before,
            "DELETE FROM idempotency_keys WHERE rowid IN \
             (SELECT rowid FROM idempotency_keys WHERE created_at < ?1 LIMIT ?2)",
        ),
        Expired::AuthFailures { before } => (
            *before,
            "DELETE FROM admin_auth_failures WHERE rowid IN \
             (SELECT rowid FROM admin_auth_failures WHERE window_start < ?1 LIMIT ?2)",
        ),
        Expired::LookupFailures { before } => (
            *before,
            "DELETE FROM lookup_failures WHERE rowid IN \
             (SELECT rowid FROM lookup_failures WHERE window_start < ?1 LIMIT ?2)",
        ),
        Expired::Events { now } => (
            *now,
            "DELETE FROM shopper_events WHERE rowid IN \
             (SELECT e.rowid FROM shops s JOIN shopper_events e ON e.shop_id = s.id \
              AND e.time < ?1 - s.event_retention_days * ?3 LIMIT ?2)",
        ),
        Expired::Views { now } => (
            *now,
            "DELETE FROM browser_views WHERE rowid IN \
             (SELECT v.rowid FROM shops s JOIN browser_views v ON v.shop_id = s.id \
              AND v.first_at < ?1 - s.event_retention_days * ?3 LIMIT ?2)",
        ),
        Expired::FinishedDeliveries { before } => (
            *before,
            "DELETE FROM webhook_outbox WHERE rowid IN \
             (SELECT rowid FROM webhook_outbox WHERE created_at < ?1 \
              AND (delivered_at IS NOT NULL OR failed_at IS NOT NULL) LIMIT ?2)",
        ),
        Expired::ConnectorDeliveries { before } => (
            *before,
            "DELETE FROM connector_deliveries WHERE rowid IN \
             (SELECT rowid FROM connector_deliveries WHERE received_at < ?1 LIMIT ?2)",
        ),
        Expired::OutreachAddresses { before } => (
            *before,
            "DELETE FROM outreach_addresses WHERE rowid IN \
             (SELECT a.rowid FROM outreach_addresses a WHERE a.created_at < ?1 AND NOT EXISTS \
              (SELECT 1 FROM outreach_messages w WHERE w.shop_id = a.shop_id \
               AND (w.order_id = a.order_id OR w.case_id IN (SELECT c.id FROM cases c \
                 WHERE c.shop_id = a.shop_id AND c.order_id = a.order_id)) \
               AND w.sent_at IS NULL AND w.failed_at IS NULL AND w.skipped_at IS NULL) LIMIT ?2)",
        ),
    };
    let params = Params::new().int(time).int(i64::from(rows));
    // The rules by a shop's `event_retention_days` count in days (`?3`); the others bind no
    // third parameter, as D1 refuses one that no statement names.
    match expired {
        Expired::Events { .. } | Expired::Views { .. } => params.int(DAY_MS),
        _ => params,
    }
    .bind(db, sql)
}
