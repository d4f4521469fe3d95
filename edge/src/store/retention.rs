//! Deleting what is kept only for a while: idempotency records (`idempotency_keys`), failure
//! windows (`admin_auth_failures`, `lookup_failures`), shoppers' events and first views
//! (`shopper_events`, `browser_views`) and finished webhook deliveries (`webhook_outbox`). Each
//! statement deletes at most `rows` of the oldest-enough rows, so a backlog drains over several
//! runs instead of exceeding one run's limits; the handler says how old is old enough.

use super::Params;
use worker::{D1Database, D1PreparedStatement};

/// A day, the unit of a shop's `event_retention_days`.
pub const DAY_MS: i64 = 86_400_000;

/// Deletes up to `rows` idempotency records made before `before`.
pub fn purge_idempotency_keys(
    db: &D1Database,
    before: i64,
    rows: u32,
) -> worker::Result<D1PreparedStatement> {
    Params::new().int(before).int(i64::from(rows)).bind(
        db,
        "DELETE FROM idempotency_keys WHERE rowid IN \
         (SELECT rowid FROM idempotency_keys WHERE created_at < ?1 LIMIT ?2)",
    )
}

/// Deletes up to `rows` wrong-API-key windows begun before `before`.
pub fn purge_auth_failures(
    db: &D1Database,
    before: i64,
    rows: u32,
) -> worker::Result<D1PreparedStatement> {
    Params::new().int(before).int(i64::from(rows)).bind(
        db,
        "DELETE FROM admin_auth_failures WHERE rowid IN \
         (SELECT rowid FROM admin_auth_failures WHERE window_start < ?1 LIMIT ?2)",
    )
}

/// Deletes up to `rows` failed-lookup windows begun before `before`.
pub fn purge_lookup_failures(
    db: &D1Database,
    before: i64,
    rows: u32,
) -> worker::Result<D1PreparedStatement> {
    Params::new().int(before).int(i64::from(rows)).bind(
        db,
        "DELETE FROM lookup_failures WHERE rowid IN \
         (SELECT rowid FROM lookup_failures WHERE window_start < ?1 LIMIT ?2)",
    )
}

/// Deletes up to `rows` shoppers' events older, at `now`, than their shop's
/// `event_retention_days`.
pub fn purge_events(db: &D1Database, now: i64, rows: u32) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .int(now)
        .int(i64::from(rows))
        .int(DAY_MS)
        .bind(
            db,
            "DELETE FROM shopper_events WHERE rowid IN \
             (SELECT e.rowid FROM shops s JOIN shopper_events e ON e.shop_id = s.id \
              AND e.time < ?1 - s.event_retention_days * ?3 LIMIT ?2)",
        )
}

/// Deletes up to `rows` first views older, at `now`, than their shop's `event_retention_days`.
pub fn purge_views(db: &D1Database, now: i64, rows: u32) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .int(now)
        .int(i64::from(rows))
        .int(DAY_MS)
        .bind(
            db,
            "DELETE FROM browser_views WHERE rowid IN \
             (SELECT v.rowid FROM shops s JOIN browser_views v ON v.shop_id = s.id \
              AND v.first_at < ?1 - s.event_retention_days * ?3 LIMIT ?2)",
        )
}

/// Deletes up to `rows` webhook deliveries made before `before` that were delivered or given up
/// on (those still being tried stay, however old).
pub fn purge_finished_deliveries(
    db: &D1Database,
    before: i64,
    rows: u32,
) -> worker::Result<D1PreparedStatement> {
    Params::new().int(before).int(i64::from(rows)).bind(
        db,
        "DELETE FROM webhook_outbox WHERE rowid IN \
         (SELECT rowid FROM webhook_outbox WHERE created_at < ?1 \
          AND (delivered_at IS NOT NULL OR failed_at IS NOT NULL) LIMIT ?2)",
    )
}
