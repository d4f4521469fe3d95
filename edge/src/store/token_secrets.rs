//! The shop's token secrets (`shop_secrets`), which sign the links shoppers bring back. Read
//! newest first: the first one not retired signs, and every one not retired verifies. A secret
//! is never deleted or changed, only retired, so a `kid` names the same secret for good.

use super::Params;
use memnun_protocol::Id;
use serde::Deserialize;
use worker::D1Database;

#[derive(Deserialize)]
pub struct TokenSecret {
    pub kid: String,
    pub secret: String,
    pub created_at: i64,
    pub retired_at: Option<i64>,
}

/// Every secret of `shop`, retired ones included, newest first (ties broken by `kid`, so the
/// signing secret is the same on every read).
pub async fn all(db: &D1Database, shop: &Id) -> worker::Result<Vec<TokenSecret>> {
    Params::new()
        .text(shop.as_str())
        .bind(
            db,
            "SELECT kid, secret, created_at, retired_at FROM shop_secrets WHERE shop_id = ?1 \
             ORDER BY created_at DESC, kid DESC",
        )?
        .all()
        .await?
        .results()
}

/// Stores a new secret, which signs from `now` on.
pub async fn create(
    db: &D1Database,
    shop: &Id,
    kid: &str,
    secret: &str,
    now: i64,
) -> worker::Result<()> {
    Params::new()
        .text(shop.as_str())
        .text(kid)
        .text(secret)
        .int(now)
        .bind(
            db,
            "INSERT INTO shop_secrets (shop_id, kid, secret, created_at) VALUES (?1, ?2, ?3, ?4)",
        )?
        .run()
        .await?;
    Ok(())
}

/// Retires the secret `kid`: tokens it signed stop verifying.
pub async fn retire(db: &D1Database, shop: &Id, kid: &str, now: i64) -> worker::Result<()> {
    Params::new()
        .text(shop.as_str())
        .text(kid)
        .int(now)
        .bind(
            db,
            "UPDATE shop_secrets SET retired_at = ?3 WHERE shop_id = ?1 AND kid = ?2",
        )?
        .run()
        .await?;
    Ok(())
}
