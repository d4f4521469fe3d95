//! Failures counted in fixed windows: wrong API keys per client (`admin_auth_failures`, the
//! admin lockout in `api_keys.rs`) and failed order lookups per budget (`lookup_failures`, the
//! lookup budgets in `orders.rs`). A row holds the start of its current window and the failures
//! in it; the first failure after a window ends starts a new one. The retention purge deletes
//! rows whose window ended long ago.

use super::Params;
use serde::Deserialize;
use worker::{D1Database, D1PreparedStatement};

/// One more failure for `key` in `table` (keyed by `key_column`): a new window when the last
/// one ended by `now`.
fn count_one(table: &str, key_column: &str) -> String {
    format!(
        "INSERT INTO {table} ({key_column}, window_start, failures) VALUES (?1, ?2, 1) \
         ON CONFLICT ({key_column}) DO UPDATE SET \
         failures = CASE WHEN window_start <= ?2 - ?3 THEN 1 ELSE failures + 1 END, \
         window_start = CASE WHEN window_start <= ?2 - ?3 THEN ?2 ELSE window_start END"
    )
}

/// A wrong API key from `client`, in lockout windows of `window_ms`.
pub fn count_auth_failure(
    db: &D1Database,
    client: &str,
    now: i64,
    window_ms: i64,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(client)
        .int(now)
        .int(window_ms)
        .bind(db, &count_one("admin_auth_failures", "client_hash"))
}

/// What a lookup budget has spent in its current window, the reservation just made included.
#[derive(Deserialize)]
pub struct Spent {
    pub window_start: i64,
    pub failures: i64,
}

/// Reserves one failure of the lookup budget `budget` (windows of `window_ms`) and answers what
/// it has spent with it, in one statement: concurrent lookups each see their own count.
pub fn reserve_lookup_failure(
    db: &D1Database,
    budget: &str,
    now: i64,
    window_ms: i64,
) -> worker::Result<D1PreparedStatement> {
    Params::new().text(budget).int(now).int(window_ms).bind(
        db,
        &format!(
            "{} RETURNING window_start, failures",
            count_one("lookup_failures", "budget")
        ),
    )
}

/// Gives a reservation back, in the window it was made in (never below zero, never to a newer
/// window).
pub fn give_back_lookup_failure(
    db: &D1Database,
    budget: &str,
    spent: &Spent,
) -> worker::Result<D1PreparedStatement> {
    Params::new().text(budget).int(spent.window_start).bind(
        db,
        "UPDATE lookup_failures SET failures = failures - 1 \
         WHERE budget = ?1 AND window_start = ?2 AND failures > 0",
    )
}
