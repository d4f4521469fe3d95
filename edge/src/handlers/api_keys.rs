//! Merchant API keys: authentication of `/v1/admin/…` (`Authorization: Bearer <key>`, the key
//! names the shop and its scope) and the keys' own endpoints, `/v1/admin/keys`. A shop holds
//! several named keys; a key is stored only as its hash, shown once when created, and can be
//! revoked. The last `full` key cannot be: the guard is part of the revoking statement itself,
//! so two revokes at once cannot remove the last two.

use crate::handlers::Context;
use crate::platform::databases;
use crate::platform::error::ApiError;
use crate::platform::http::{self, BodyType};
use crate::platform::pseudonyms;
use crate::platform::secure::random_hex;
use crate::store::api_keys as store;
use crate::store::failure_windows;
use memnun_protocol::Id;
use memnun_protocol::digest::api_key_hash;
use memnun_protocol::shop::{ApiKeyList, ApiKeyScope, CreatedApiKey, NewApiKey};
use memnun_protocol::{FieldErrors, FieldProblem};
use worker::{D1Database, Env, Request, Response};

const MAX_REQUEST_BYTES: usize = 1024;
/// `last_used_at` is written at most this often per key, so reads stay reads.
const LAST_USE_RESOLUTION_MS: i64 = 60_000;

/// Who is calling the merchant API: the key's shop, and the key's name (the actor in the
/// moderation audit log).
pub struct Merchant {
    pub shop: Id,
    pub key_name: String,
    pub scope: ApiKeyScope,
}

impl Merchant {
    /// Refuses (403) a request that needs more than this key's scope.
    pub fn may(&self, needed: ApiKeyScope) -> Result<(), ApiError> {
        if self.scope.allows(needed) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(self.scope.as_str(), needed.as_str()))
        }
    }
}

/// Failed key attempts one client address may make in `LOCKOUT_WINDOW_MS` before it is answered
/// 429 whatever key it sends. A merchant who mistypes a key tries a few times; a guesser needs
/// 2^191 on average (a key is 192 random bits).
pub const LOCKOUT_FAILURES: i64 = 20;
pub const LOCKOUT_WINDOW_MS: i64 = 15 * 60 * 1000;

/// The hash of the merchant API key the request carries (empty for a key longer than any we
/// issue: wrong without asking D1 which key it is, but still counted as a try); 401 without one.
pub fn presented_key_hash(req: &Request) -> Result<String, ApiError> {
    let header = req.headers().get("Authorization")?.unwrap_or_default();
    let key = header.strip_prefix("Bearer ").map(str::trim).unwrap_or("");
    if key.is_empty() {
        return Err(ApiError::Unauthorized);
    }
    Ok(if key.len() > 200 {
        String::new()
    } else {
        api_key_hash(key)
    })
}

/// 429 while the client's wrong keys in `row` are past the limit.
fn locked_out(row: &store::KeyAndLockout, now: i64) -> Result<(), ApiError> {
    if let (Some(failures), Some(start)) = (row.failures, row.window_start)
        && failures >= LOCKOUT_FAILURES
        && start > now - LOCKOUT_WINDOW_MS
    {
        let seconds = (start + LOCKOUT_WINDOW_MS - now).div_euclid(1000) + 1;
        return Err(ApiError::RateLimited(seconds.clamp(1, 3600) as u32));
    }
    Ok(())
}

/// Refuses a client locked out in `db` (the first data database, where wrong keys are counted)
/// before its key is checked in another.
pub async fn refuse_locked_out(
    req: &Request,
    env: &Env,
    db: &D1Database,
    now: i64,
) -> Result<(), ApiError> {
    let client = pseudonyms::client(req, env)?;
    match store::key_and_lockout(db, "", &client).await? {
        Some(row) => locked_out(&row, now),
        None => Ok(()),
    }
}

/// The shop named by the request's merchant API key (its hash, `presented_key_hash`), in `db`,
/// the database the directory gives the key. Every wrong key is the same 401, and counts against
/// the client's address; an address with too many is refused before its key is looked at, so a
/// right guess after the limit is refused too.
pub async fn authenticate(
    req: &Request,
    env: &Env,
    db: &D1Database,
    hash: &str,
    now: i64,
) -> Result<Merchant, ApiError> {
    let client = pseudonyms::client(req, env)?;
    // One statement, one row whatever matches: the lockout and the key together.
    let row = store::key_and_lockout(db, hash, &client).await?;
    let row = row.ok_or_else(|| ApiError::Internal("the key lookup returned no row".into()))?;
    locked_out(&row, now)?;
    let (Some(shop_id), Some(name)) = (row.shop_id, row.name) else {
        failure_windows::count_auth_failure(db, &client, now, LOCKOUT_WINDOW_MS)?
            .run()
            .await?;
        return Err(ApiError::Unauthorized);
    };
    if row
        .last_used_at
        .is_none_or(|t| t < now - LAST_USE_RESOLUTION_MS)
    {
        store::mark_used(db, hash, now).await?;
    }
    Ok(Merchant {
        shop: Id::parse(&shop_id)
            .map_err(|_| ApiError::Internal("stored shop id is invalid".into()))?,
        key_name: name,
        scope: row
            .scope
            .as_deref()
            .and_then(ApiKeyScope::parse)
            .ok_or_else(|| ApiError::Internal("stored key scope is invalid".into()))?,
    })
}

/// `GET /v1/admin/keys`: the shop's active keys, names and use only.
pub async fn list(cx: &Context<'_>) -> Result<Response, ApiError> {
    let (db, shop) = (&cx.db, &cx.shop);
    let keys = store::active(db, shop).await?;
    http::json(200, &ApiKeyList { keys })
}

/// `POST /v1/admin/keys`: a new named key, shown in this answer and never again. Not replayed
/// by idempotency key, because replaying would mean storing the key itself; a retry after a lost
/// answer gets "name in use", and the merchant revokes that name and creates it again.
pub async fn create(req: &mut Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let (db, shop, now) = (&cx.db, &cx.shop, cx.now);
    let (new, _): (NewApiKey, _) = http::read_json(req, MAX_REQUEST_BYTES, BodyType::Json).await?;
    let (name, scope) = new.validate().map_err(ApiError::Validation)?;
    let key = format!("mk_{}", random_hex(24)?);
    let hash = api_key_hash(&key);
    let inserted = store::insert(db, &hash, shop, &name, scope, now).await?;
    if !inserted {
        // The unique index on active names is the only constraint this insert can break.
        let mut errors = FieldErrors::default();
        errors.push("name", FieldProblem::InUse);
        return Err(ApiError::Validation(errors));
    }
    if let Err(e) = databases::note_key(cx.env, &hash, shop).await {
        // A key the directory cannot lead to its shop opens nothing: it is taken back, so the
        // merchant may make it again under its name.
        let _ = store::revoke(db, shop, &name, now).await;
        return Err(e);
    }
    http::json(
        201,
        &CreatedApiKey {
            name: name.to_string(),
            scope,
            key,
        },
    )
}

/// `DELETE /v1/admin/keys/{name}`: revokes a key at once. The last active `full` key cannot be
/// revoked, so a shop is never locked out of its own API. The guard is in the one statement
/// that revokes, so concurrent revokes cannot both pass it.
pub async fn revoke(cx: &Context<'_>, name: &str) -> Result<Response, ApiError> {
    let (db, shop, now) = (&cx.db, &cx.shop, cx.now);
    let name = Id::parse(name).map_err(|e| ApiError::InvalidParameter(format!("key name {e}")))?;
    if store::revoke(db, shop, &name, now).await? {
        return Ok(Response::empty()?.with_status(204));
    }
    // Nothing revoked: say why (only on this path, so a revoke is one statement).
    if !store::is_active(db, shop, &name).await? {
        return Err(ApiError::NotFound("key"));
    }
    let mut errors = FieldErrors::default();
    errors.push("name", FieldProblem::LastKey);
    Err(ApiError::Validation(errors))
}
