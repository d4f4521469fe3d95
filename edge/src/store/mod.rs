//! The storage layer: the edge's SQL statements and the rows they read, one module per concept.
//! Handlers say what to store or read; how it is spelled in SQL, and which tables keep it, is
//! here. Statements move in here concept by concept (issue 17); `xtask`'s tidy test lists the
//! modules that still hold SQL and fails when one gains it or a listed one loses it, so the list
//! only shrinks.

pub mod failure_windows;
pub mod health;
pub mod order_list;
pub mod orders;
pub mod token_secrets;
pub mod webhook_outbox;
pub mod webhooks;

use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement};

/// A statement's parameters, in `?1, ?2, …` order, typed as they are stored.
#[derive(Default)]
pub struct Params(Vec<JsValue>);

// Some builders wait for the modules that move in next; the allow goes once they have.
#[allow(dead_code)]
impl Params {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn text(mut self, value: &str) -> Self {
        self.0.push(value.into());
        self
    }

    /// Text, or `NULL`.
    pub fn opt_text(mut self, value: Option<&str>) -> Self {
        self.0.push(value.map_or(JsValue::NULL, JsValue::from_str));
        self
    }

    /// A whole number: times in milliseconds and counts, exact as a JavaScript number below 2^53.
    pub fn int(mut self, value: i64) -> Self {
        self.0.push(JsValue::from_f64(value as f64));
        self
    }

    /// A whole number, or `NULL`.
    pub fn opt_int(mut self, value: Option<i64>) -> Self {
        self.0
            .push(value.map_or(JsValue::NULL, |v| JsValue::from_f64(v as f64)));
        self
    }

    /// A number with a fraction (SQLite `REAL`).
    pub fn real(mut self, value: f64) -> Self {
        self.0.push(JsValue::from_f64(value));
        self
    }

    /// A flag, stored as SQLite does: 1 or 0.
    pub fn flag(self, value: bool) -> Self {
        self.int(i64::from(value))
    }

    /// The same parameters, and `other`'s after them (a statement built from parts).
    pub fn extend(mut self, other: Params) -> Self {
        self.0.extend(other.0);
        self
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `sql` prepared on `db` with these parameters.
    pub fn bind(self, db: &D1Database, sql: &str) -> worker::Result<D1PreparedStatement> {
        db.prepare(sql).bind(&self.0)
    }
}
