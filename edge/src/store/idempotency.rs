//! Idempotency keys (`idempotency_keys`): the first answer to a (shop, endpoint,
//! `Idempotency-Key`), kept for `RETENTION_MS` with the hash of the request that got it. The
//! three make the primary key, so of two writes racing with one key only one batch can store
//! its answer; an answer older than `RETENTION_MS` counts as never given, and is forgotten in
//! the batch that gives the key a new one. `subject` names what a stored answer is about, so
//! erasing that erases the answer too.

use super::Params;
use memnun_protocol::idempotency::RETENTION_MS;
use serde::Deserialize;
use worker::{D1Database, D1PreparedStatement, D1Result};

/// Which use of a key: the shop, the endpoint and the client's key.
#[derive(Clone, Copy)]
pub struct Key<'a> {
    pub shop: &'a str,
    pub endpoint: &'a str,
    pub key: &'a str,
}

impl Key<'_> {
    fn params(&self) -> Params {
        Params::new()
            .text(self.shop)
            .text(self.endpoint)
            .text(self.key)
    }
}

/// The answer stored for a key.
#[derive(Deserialize)]
pub struct StoredAnswer {
    pub request_hash: String,
    pub status: u16,
    pub response_body: String,
}

/// Reads the answer stored for `key` that is still fresh at `now`; [`stored_answer`] reads its
/// result.
pub fn find(db: &D1Database, key: Key<'_>, now: i64) -> worker::Result<D1PreparedStatement> {
    key.params().int(now - RETENTION_MS).bind(
        db,
        "SELECT request_hash, status, response_body FROM idempotency_keys \
         WHERE shop_id = ?1 AND endpoint = ?2 AND idempotency_key = ?3 AND created_at >= ?4",
    )
}

/// The answer in [`find`]'s result, if there is one.
pub fn stored_answer(found: &D1Result) -> worker::Result<Option<StoredAnswer>> {
    Ok(found.results::<StoredAnswer>()?.into_iter().next())
}

/// Forgets an answer to `key` that expired by `now`, so that [`remember`] after it in the same
/// batch may store a new one.
pub fn forget_expired(
    db: &D1Database,
    key: Key<'_>,
    now: i64,
) -> worker::Result<D1PreparedStatement> {
    key.params().int(now - RETENTION_MS).bind(
        db,
        "DELETE FROM idempotency_keys \
         WHERE shop_id = ?1 AND endpoint = ?2 AND idempotency_key = ?3 AND created_at < ?4",
    )
}

/// The answer given to a use of a key, to store.
pub struct Answer<'a> {
    pub request_hash: &'a str,
    pub status: u16,
    pub body: &'a str,
    /// What the answer is about, when it holds a shopper's words.
    pub subject: Option<&'a str>,
}

/// Stores the answer to `key` given at `now`; the batch it is in fails if the key already has
/// one.
pub fn remember(
    db: &D1Database,
    key: Key<'_>,
    answer: &Answer<'_>,
    now: i64,
) -> worker::Result<D1PreparedStatement> {
    key.params()
        .text(answer.request_hash)
        .int(i64::from(answer.status))
        .text(answer.body)
        .int(now)
        .opt_text(answer.subject)
        .bind(
            db,
            "INSERT INTO idempotency_keys \
             (shop_id, endpoint, idempotency_key, request_hash, status, response_body, \
             created_at, subject) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
}
