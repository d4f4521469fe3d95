//! The shop's webhook (`webhooks`): where its events go and the secrets that sign them. One
//! per shop. A new secret keeps the one it replaces beside it for
//! `protocol::webhook::SECRET_OVERLAP_S`, unless the merchant retires it, and only one previous
//! secret is ever kept.

use super::Params;
use memnun_protocol::Id;
use memnun_protocol::webhook::{self, WebhookInfo};
use worker::{D1Database, D1PreparedStatement};

/// Where `shop`'s events go, or `None` if it has no webhook. Never the secret.
pub async fn get(db: &D1Database, shop: &Id) -> worker::Result<Option<WebhookInfo>> {
    Params::new()
        .text(shop.as_str())
        .bind(
            db,
            "SELECT url, updated_at FROM webhooks WHERE shop_id = ?1",
        )?
        .first(None)
        .await
}

/// Sets `shop`'s webhook to `url`, signed with `secret` from `now` on. The replaced secret
/// signs beside it until the overlap ends (the receiver may not have the new one yet), or not
/// at all if `retire_previous`; a second change within the overlap drops the first secret, as
/// the one the receiver most likely has installed is the one just replaced.
pub async fn set(
    db: &D1Database,
    shop: &Id,
    url: &str,
    secret: &str,
    now: i64,
    retire_previous: bool,
) -> worker::Result<()> {
    Params::new()
        .text(shop.as_str())
        .text(url)
        .text(secret)
        .int(now)
        .int(webhook::SECRET_OVERLAP_S * 1000)
        .flag(retire_previous)
        .bind(
            db,
            "INSERT INTO webhooks (shop_id, url, secret, updated_at) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (shop_id) DO UPDATE SET url = excluded.url, secret = excluded.secret, \
             updated_at = excluded.updated_at, \
             previous_secret = CASE WHEN ?6 THEN NULL ELSE webhooks.secret END, \
             previous_secret_until = CASE WHEN ?6 THEN NULL ELSE ?4 + ?5 END",
        )?
        .run()
        .await?;
    Ok(())
}

/// Removes `shop`'s webhook; its queued deliveries are given up beside it, in the same batch
/// (`webhook_outbox::give_up_undelivered`).
pub fn delete(db: &D1Database, shop: &Id) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(shop.as_str())
        .bind(db, "DELETE FROM webhooks WHERE shop_id = ?1")
}
