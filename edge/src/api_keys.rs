//! Merchant API keys: authentication of `/v1/admin/…` (`Authorization: Bearer <key>`, the key
//! names the shop) and the keys' own endpoints, `/v1/admin/keys`. A shop holds several named
//! keys; a key is stored only as its hash, shown once when created, and can be revoked.

use crate::error::ApiError;
use crate::http::{self, BodyType};
use crate::secure::random_hex;
use memnun_protocol::Id;
use memnun_protocol::digest::api_key_hash;
use memnun_protocol::shop::{ApiKeyInfo, CreatedApiKey, NewApiKey};
use memnun_protocol::{FieldErrors, FieldProblem};
use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::{D1Database, Request, Response};

const MAX_REQUEST_BYTES: usize = 1024;
/// `last_used_at` is written at most this often per key, so reads stay reads.
const LAST_USE_RESOLUTION_MS: i64 = 60_000;

/// Who is calling the merchant API: the key's shop, and the key's name (the actor in the
/// moderation audit log).
pub struct Merchant {
    pub shop: Id,
    pub key_name: String,
}

/// The shop named by the request's merchant API key. Every failure is the same 401.
pub async fn authenticate(req: &Request, db: &D1Database, now: i64) -> Result<Merchant, ApiError> {
    let header = req.headers().get("Authorization")?.unwrap_or_default();
    let key = header.strip_prefix("Bearer ").map(str::trim).unwrap_or("");
    if key.is_empty() || key.len() > 200 {
        return Err(ApiError::Unauthorized);
    }
    #[derive(Deserialize)]
    struct Row {
        shop_id: String,
        name: String,
        last_used_at: Option<i64>,
    }
    let hash = api_key_hash(key);
    let row: Option<Row> = db
        .prepare(
            "SELECT shop_id, name, last_used_at FROM api_keys WHERE key_hash = ?1 AND revoked_at IS NULL",
        )
        .bind(&[hash.as_str().into()])?
        .first(None)
        .await?;
    let row = row.ok_or(ApiError::Unauthorized)?;
    if row
        .last_used_at
        .is_none_or(|t| t < now - LAST_USE_RESOLUTION_MS)
    {
        db.prepare("UPDATE api_keys SET last_used_at = ?2 WHERE key_hash = ?1")
            .bind(&[hash.as_str().into(), JsValue::from_f64(now as f64)])?
            .run()
            .await?;
    }
    Ok(Merchant {
        shop: Id::parse(&row.shop_id)
            .map_err(|_| ApiError::Internal("stored shop id is invalid".into()))?,
        key_name: row.name,
    })
}

/// `GET /v1/admin/keys`: the shop's active keys, names and use only.
pub async fn list(db: &D1Database, shop: &Id) -> Result<Response, ApiError> {
    let keys: Vec<ApiKeyInfo> = db
        .prepare(
            "SELECT name, created_at, last_used_at FROM api_keys \
             WHERE shop_id = ?1 AND revoked_at IS NULL ORDER BY name",
        )
        .bind(&[shop.as_str().into()])?
        .all()
        .await?
        .results()?;
    http::json(200, &serde_json::json!({ "keys": keys }))
}

/// `POST /v1/admin/keys`: a new named key, shown in this answer and never again. Not replayed
/// by idempotency key, because replaying would mean storing the key itself; a retry after a lost
/// answer gets "name in use", and the merchant revokes that name and creates it again.
pub async fn create(
    req: &mut Request,
    db: &D1Database,
    shop: &Id,
    now: i64,
) -> Result<Response, ApiError> {
    let (new, _): (NewApiKey, _) = http::read_json(req, MAX_REQUEST_BYTES, BodyType::Json).await?;
    let name = new.validate().map_err(ApiError::Validation)?;
    let key = format!("mk_{}", random_hex(24)?);
    let inserted = db
        .prepare(
            "INSERT INTO api_keys (key_hash, shop_id, name, created_at) VALUES (?1, ?2, ?3, ?4)",
        )
        .bind(&[
            api_key_hash(&key).into(),
            shop.as_str().into(),
            name.as_str().into(),
            JsValue::from_f64(now as f64),
        ])?
        .run()
        .await;
    if inserted.is_err() {
        // The unique index on active names is the only constraint this insert can break.
        let mut errors = FieldErrors::default();
        errors.push("name", FieldProblem::InUse);
        return Err(ApiError::Validation(errors));
    }
    http::json(
        201,
        &CreatedApiKey {
            name: name.to_string(),
            key,
        },
    )
}

/// `DELETE /v1/admin/keys/{name}`: revokes a key at once. The last active key cannot be revoked,
/// so a shop is never locked out of its own API.
pub async fn revoke(
    db: &D1Database,
    shop: &Id,
    name: &str,
    now: i64,
) -> Result<Response, ApiError> {
    let name = Id::parse(name).map_err(|e| ApiError::InvalidParameter(format!("key name {e}")))?;
    #[derive(Deserialize)]
    struct Count {
        active: u32,
        named: u32,
    }
    let counts: Option<Count> = db
        .prepare(
            "SELECT COUNT(*) AS active, COALESCE(SUM(name = ?2), 0) AS named FROM api_keys \
             WHERE shop_id = ?1 AND revoked_at IS NULL",
        )
        .bind(&[shop.as_str().into(), name.as_str().into()])?
        .first(None)
        .await?;
    let counts = counts.ok_or_else(|| ApiError::Internal("count answered no row".into()))?;
    if counts.named == 0 {
        return Err(ApiError::NotFound("key"));
    }
    if counts.active <= 1 {
        let mut errors = FieldErrors::default();
        errors.push("name", FieldProblem::LastKey);
        return Err(ApiError::Validation(errors));
    }
    db.prepare(
        "UPDATE api_keys SET revoked_at = ?3 WHERE shop_id = ?1 AND name = ?2 AND revoked_at IS NULL",
    )
    .bind(&[shop.as_str().into(), name.as_str().into(), JsValue::from_f64(now as f64)])?
    .run()
    .await?;
    Ok(Response::empty()?.with_status(204))
}
