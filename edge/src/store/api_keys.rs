//! Merchant API keys (`api_keys`): a key is kept only as its hash, with its shop, name and
//! scope; revoking stamps `revoked_at` and the key stops working at once. The unique index on a
//! shop's active names makes a second key of one name fail. A shop keeps at least one active
//! `full` key: the guard is inside the one statement that revokes, so two revokes at once
//! cannot remove the last two. The lockout counts of wrong keys are `failure_windows`'.

use super::Params;
use memnun_protocol::Id;
use memnun_protocol::shop::{ApiKeyInfo, ApiKeyScope};
use serde::Deserialize;
use worker::D1Database;

/// The active key with a hash, if any, and the lockout window of the client that sent it,
/// if any: read together so a request costs one statement.
#[derive(Deserialize)]
pub struct KeyAndLockout {
    pub shop_id: Option<String>,
    pub name: Option<String>,
    pub scope: Option<String>,
    pub last_used_at: Option<i64>,
    pub failures: Option<i64>,
    pub window_start: Option<i64>,
}

/// The active key whose hash is `key_hash` and the lockout window of `client`. `None` only if
/// D1 answered no row, which the statement always gives.
pub async fn key_and_lockout(
    db: &D1Database,
    key_hash: &str,
    client: &str,
) -> worker::Result<Option<KeyAndLockout>> {
    Params::new()
        .text(key_hash)
        .text(client)
        .bind(
            db,
            "SELECT k.shop_id, k.name, k.scope, k.last_used_at, f.failures, f.window_start \
             FROM (SELECT 1) LEFT JOIN api_keys k ON k.key_hash = ?1 AND k.revoked_at IS NULL \
             LEFT JOIN admin_auth_failures f ON f.client_hash = ?2",
        )?
        .first(None)
        .await
}

/// Notes that the key was used at `now`.
pub async fn mark_used(db: &D1Database, key_hash: &str, now: i64) -> worker::Result<()> {
    Params::new()
        .text(key_hash)
        .int(now)
        .bind(
            db,
            "UPDATE api_keys SET last_used_at = ?2 WHERE key_hash = ?1",
        )?
        .run()
        .await?;
    Ok(())
}

/// The shop's active keys, by name: never their hashes.
pub async fn active(db: &D1Database, shop: &Id) -> worker::Result<Vec<ApiKeyInfo>> {
    Params::new()
        .text(shop.as_str())
        .bind(
            db,
            "SELECT name, scope, created_at, last_used_at FROM api_keys \
             WHERE shop_id = ?1 AND revoked_at IS NULL ORDER BY name",
        )?
        .all()
        .await?
        .results()
}

/// Stores a new key; `Ok(false)` when the insert failed, which the unique index on active names
/// makes the answer for a name in use.
pub async fn insert(
    db: &D1Database,
    key_hash: &str,
    shop: &Id,
    name: &Id,
    scope: ApiKeyScope,
    now: i64,
) -> worker::Result<bool> {
    let inserted = Params::new()
        .text(key_hash)
        .text(shop.as_str())
        .text(name.as_str())
        .text(scope.as_str())
        .int(now)
        .bind(
            db,
            "INSERT INTO api_keys (key_hash, shop_id, name, scope, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .run()
        .await;
    Ok(inserted.is_ok())
}

/// Revokes the shop's active key `name` at `now`, unless it is the shop's last active `full`
/// key; whether it did.
pub async fn revoke(db: &D1Database, shop: &Id, name: &Id, now: i64) -> worker::Result<bool> {
    let revoked = Params::new()
        .text(shop.as_str())
        .text(name.as_str())
        .int(now)
        .bind(
            db,
            "UPDATE api_keys SET revoked_at = ?3 \
             WHERE shop_id = ?1 AND name = ?2 AND revoked_at IS NULL \
             AND (scope != 'full' OR (SELECT COUNT(*) FROM api_keys \
                  WHERE shop_id = ?1 AND revoked_at IS NULL AND scope = 'full') > 1) \
             RETURNING name",
        )?
        .all()
        .await?
        .results::<serde_json::Value>()?;
    Ok(!revoked.is_empty())
}

/// Whether the shop has an active key named `name`.
pub async fn is_active(db: &D1Database, shop: &Id, name: &Id) -> worker::Result<bool> {
    #[derive(Deserialize)]
    struct Named {
        named: u32,
    }
    let named: Option<Named> = Params::new()
        .text(shop.as_str())
        .text(name.as_str())
        .bind(
            db,
            "SELECT COUNT(*) AS named FROM api_keys \
             WHERE shop_id = ?1 AND name = ?2 AND revoked_at IS NULL",
        )?
        .first(None)
        .await?;
    Ok(named.is_some_and(|n| n.named != 0))
}
