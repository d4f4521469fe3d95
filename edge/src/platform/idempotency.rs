//! Idempotent writes, as Stripe does them: the first answer to a (shop, endpoint,
//! `Idempotency-Key`) is stored in the same D1 batch as the write itself, so a retry gets that
//! answer again (status and body) and a reuse of the key with another body is a 409. Two racing
//! requests with one key cannot both write: the key's primary key makes the second batch fail
//! as a whole, and it then answers with the first one's stored answer. A stored answer that
//! holds a shopper's words names what it is about (`subject`: the review, the order), so erasing
//! the shopper erases the replay too.

use crate::platform::error::ApiError;
use crate::platform::http;
use crate::platform::secure::sha256_hex;
use crate::store::idempotency::{self as store, Answer, Key};
use memnun_protocol::Id;
use memnun_protocol::idempotency::{HEADER, is_valid_key};
use worker::{D1Database, D1PreparedStatement, D1Result, Request, Response};

pub struct Idempotency {
    shop: String,
    endpoint: &'static str,
    key: String,
    request_hash: String,
    subject: Option<String>,
}

impl Idempotency {
    fn stored_key(&self) -> Key<'_> {
        Key {
            shop: &self.shop,
            endpoint: self.endpoint,
            key: &self.key,
        }
    }

    /// Reads the request's key; writes without one are refused, so no write can be doubled.
    pub fn key_of(req: &Request) -> Result<String, ApiError> {
        let key = req.headers().get(HEADER)?.unwrap_or_default();
        if !is_valid_key(&key) {
            return Err(ApiError::InvalidParameter(format!(
                "the {HEADER} header must be a UUID chosen by the client, the same on every retry"
            )));
        }
        Ok(key.to_ascii_lowercase())
    }

    pub fn new(shop: &Id, endpoint: &'static str, key: String, body: &[u8]) -> Idempotency {
        Idempotency {
            shop: shop.to_string(),
            endpoint,
            key,
            request_hash: sha256_hex(&[body]),
            subject: None,
        }
    }

    /// Names what the stored answer is about (a review id, an order id), for erasure.
    pub fn about(mut self, subject: &str) -> Idempotency {
        self.subject = Some(subject.to_owned());
        self
    }

    /// The stored answer for this key, if it is fresh; a 409 if the key came with another body.
    pub async fn replay(&self, db: &D1Database, now_ms: i64) -> Result<Option<Response>, ApiError> {
        let found = self.replay_statement(db, now_ms)?.all().await?;
        self.replay_answer(&found)
    }

    /// The read behind [`Idempotency::replay`], for a caller that batches it with its own reads
    /// (one round trip to D1 instead of two) and then hands its result to
    /// [`Idempotency::replay_answer`].
    pub fn replay_statement(
        &self,
        db: &D1Database,
        now_ms: i64,
    ) -> Result<D1PreparedStatement, ApiError> {
        Ok(store::find(db, self.stored_key(), now_ms)?)
    }

    /// The first answer again if the key was used with the same body, a conflict if with another,
    /// `None` if it was not used.
    pub fn replay_answer(&self, found: &D1Result) -> Result<Option<Response>, ApiError> {
        match store::stored_answer(found)? {
            None => Ok(None),
            Some(row) if row.request_hash != self.request_hash => {
                Err(ApiError::IdempotencyConflict)
            }
            Some(row) => {
                let mut resp = http::json_text(row.status, row.response_body)?;
                resp.headers_mut().set("Idempotent-Replayed", "true")?;
                Ok(Some(resp))
            }
        }
    }

    /// Statements to run first in the write's batch: forget an expired use of the key, then
    /// remember this answer.
    pub fn record(
        &self,
        db: &D1Database,
        now_ms: i64,
        status: u16,
        body: &str,
    ) -> Result<Vec<D1PreparedStatement>, ApiError> {
        let key = self.stored_key();
        let answer = Answer {
            request_hash: &self.request_hash,
            status,
            body,
            subject: self.subject.as_deref(),
        };
        Ok(vec![
            store::forget_expired(db, key, now_ms)?,
            store::remember(db, key, &answer, now_ms)?,
        ])
    }
}

impl Idempotency {
    /// Runs a write's `batch` (which starts with [`Idempotency::record`]) and answers `body`
    /// with `status`. If the batch fails, most likely a racing request with the same key won:
    /// answer what it stored, or the failure when nothing was.
    pub async fn commit(
        &self,
        db: &D1Database,
        batch: Vec<D1PreparedStatement>,
        now_ms: i64,
        status: u16,
        body: String,
    ) -> Result<Response, ApiError> {
        match db.batch(batch).await {
            Ok(_) => http::json_text(status, body),
            Err(e) => match self.replay(db, now_ms).await? {
                Some(replayed) => Ok(replayed),
                None => Err(e.into()),
            },
        }
    }
}
