//! Idempotent writes, as Stripe does them: the first answer to a (shop, endpoint,
//! `Idempotency-Key`) is stored in the same D1 batch as the write itself, so a retry gets that
//! answer again (status and body) and a reuse of the key with another body is a 409. Two racing
//! requests with one key cannot both write: the key's primary key makes the second batch fail
//! as a whole, and it then answers with the first one's stored answer. A stored answer that
//! holds a shopper's words names what it is about (`subject`: the review, the order), so erasing
//! the shopper erases the replay too.

use crate::error::ApiError;
use crate::http;
use crate::secure::sha256_hex;
use memnun_protocol::Id;
use memnun_protocol::idempotency::{HEADER, RETENTION_MS, is_valid_key};
use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement, D1Result, Request, Response};

pub struct Idempotency {
    shop: String,
    endpoint: &'static str,
    key: String,
    request_hash: String,
    subject: Option<String>,
}

impl Idempotency {
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
        Ok(db
            .prepare(
                "SELECT request_hash, status, response_body FROM idempotency_keys \
                 WHERE shop_id = ?1 AND endpoint = ?2 AND idempotency_key = ?3 AND created_at >= ?4",
            )
            .bind(&[
                self.shop.as_str().into(),
                self.endpoint.into(),
                self.key.as_str().into(),
                JsValue::from_f64((now_ms - RETENTION_MS) as f64),
            ])?)
    }

    /// The first answer again if the key was used with the same body, a conflict if with another,
    /// `None` if it was not used.
    pub fn replay_answer(&self, found: &D1Result) -> Result<Option<Response>, ApiError> {
        #[derive(Deserialize)]
        struct Row {
            request_hash: String,
            status: u16,
            response_body: String,
        }
        match found.results::<Row>()?.into_iter().next() {
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
        let key_args: [JsValue; 3] = [
            self.shop.as_str().into(),
            self.endpoint.into(),
            self.key.as_str().into(),
        ];
        Ok(vec![
            db.prepare(
                "DELETE FROM idempotency_keys \
                 WHERE shop_id = ?1 AND endpoint = ?2 AND idempotency_key = ?3 AND created_at < ?4",
            )
            .bind(&[
                key_args[0].clone(),
                key_args[1].clone(),
                key_args[2].clone(),
                JsValue::from_f64((now_ms - RETENTION_MS) as f64),
            ])?,
            db.prepare(
                "INSERT INTO idempotency_keys \
                 (shop_id, endpoint, idempotency_key, request_hash, status, response_body, \
                 created_at, subject) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .bind(&[
                key_args[0].clone(),
                key_args[1].clone(),
                key_args[2].clone(),
                self.request_hash.as_str().into(),
                JsValue::from_f64(f64::from(status)),
                body.into(),
                JsValue::from_f64(now_ms as f64),
                self.subject
                    .as_deref()
                    .map_or(JsValue::NULL, JsValue::from_str),
            ])?,
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
