//! `ApiError`: every way a request can fail, and how a failure becomes an HTTP answer (JSON
//! body, status from `protocol::ErrorCode`, `Retry-After` and `Allow` headers). Handlers return
//! `Result<Response, ApiError>` and use `?`; none builds an error answer itself. The one place
//! that turns errors into answers is `router::fail`, which also logs what the client is not told
//! (`detail`) with the request id; the headers every answer carries are added in `router::route`.

use memnun_protocol::{ErrorBody, ErrorCode, ErrorDetail, FieldErrors};
use std::collections::BTreeMap;
use worker::{Headers, Response};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("the body is not JSON of the expected shape: {0}")]
    MalformedJson(String),
    #[error("{0}")]
    InvalidParameter(String),
    #[error("some fields are not valid")]
    Validation(FieldErrors),
    #[error("a valid API key is required in the Authorization header (Bearer <key>)")]
    Unauthorized,
    #[error("the body's signature ({0}) is not the one the shop's secret for this platform makes")]
    BadSignature(&'static str),
    #[error("this page's origin may not write to this shop; add it to the shop's allowed origins")]
    OriginNotAllowed,
    #[error("this API key's scope ({0}) does not allow this; use a key with the {1} scope")]
    Forbidden(&'static str, &'static str),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("method not allowed; allowed: {0}")]
    MethodNotAllowed(String),
    #[error("this Idempotency-Key was already used with a different request body")]
    IdempotencyConflict,
    #[error("{0}")]
    Conflict(String),
    #[error("the body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("the body must be sent as {0}")]
    UnsupportedMediaType(&'static str),
    #[error("too many requests; retry after {0} seconds")]
    RateLimited(u32),
    /// The shop is being moved to another database: its writes wait a few seconds.
    #[error("this shop is being moved; send it again after {0} seconds")]
    WritesPaused(u32),
    #[error("internal error")]
    Internal(String),
    /// A secret or binding the deployment must provide is missing: the operator's mistake,
    /// logged with its name; the client is told only that the service cannot take it now.
    #[error("the service is not ready to take this; try again later")]
    NotConfigured(&'static str),
    /// A binding `wrangler.toml` should give the worker is missing (named in the log line).
    #[error("the service is not ready to take this; try again later")]
    NoBinding(&'static str),
}

impl From<worker::Error> for ApiError {
    fn from(e: worker::Error) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl ApiError {
    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::MalformedJson(_) => ErrorCode::MalformedJson,
            ApiError::InvalidParameter(_) => ErrorCode::InvalidParameter,
            ApiError::Validation(_) => ErrorCode::ValidationFailed,
            ApiError::Unauthorized | ApiError::BadSignature(_) => ErrorCode::Unauthorized,
            ApiError::OriginNotAllowed => ErrorCode::OriginNotAllowed,
            ApiError::Forbidden(..) => ErrorCode::Forbidden,
            ApiError::NotFound(_) => ErrorCode::NotFound,
            ApiError::MethodNotAllowed(_) => ErrorCode::MethodNotAllowed,
            ApiError::IdempotencyConflict => ErrorCode::IdempotencyConflict,
            ApiError::Conflict(_) => ErrorCode::Conflict,
            ApiError::PayloadTooLarge(_) => ErrorCode::PayloadTooLarge,
            ApiError::UnsupportedMediaType(_) => ErrorCode::UnsupportedMediaType,
            ApiError::RateLimited(_) => ErrorCode::RateLimited,
            ApiError::Internal(_) => ErrorCode::Internal,
            ApiError::NotConfigured(_) | ApiError::NoBinding(_) | ApiError::WritesPaused(_) => {
                ErrorCode::Unavailable
            }
        }
    }

    /// What the operator must read and the client is never told: the cause of an internal error,
    /// or the secret a deployment lacks. `None` for errors that are the client's own.
    pub fn detail(&self) -> Option<String> {
        let detail = match self {
            ApiError::Internal(detail) => detail.clone(),
            ApiError::NotConfigured(what) => {
                format!("not configured: the secret {what} is not set (wrangler secret put {what})")
            }
            ApiError::NoBinding(what) => {
                format!("not configured: the binding {what} is missing (edge/wrangler.toml)")
            }
            _ => return None,
        };
        // One line per log entry, as the logs are searched line by line.
        let line = detail.chars().map(|c| if c.is_control() { ' ' } else { c });
        Some(line.take(1000).collect())
    }

    /// The JSON error answer; internal details stay out of it (see `detail`).
    pub fn into_response(self) -> Response {
        let fields: BTreeMap<String, String> = match &self {
            ApiError::Validation(errors) => errors.by_field(),
            _ => BTreeMap::new(),
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code(),
                message: self.to_string(),
                fields,
            },
        };
        let headers = Headers::new();
        // Setting well-formed header names cannot fail; a failure would only lose a hint.
        let _ = headers.set("Content-Type", "application/json; charset=utf-8");
        match &self {
            ApiError::RateLimited(seconds) | ApiError::WritesPaused(seconds) => {
                let _ = headers.set("Retry-After", &seconds.to_string());
            }
            ApiError::MethodNotAllowed(allow) => {
                let _ = headers.set("Allow", allow);
            }
            _ => {}
        }
        let json = serde_json::to_string(&body).unwrap_or_else(|_| {
            r#"{"error":{"code":"internal","message":"internal error"}}"#.to_owned()
        });
        Response::builder()
            .with_status(self.code().status())
            .with_headers(headers)
            .fixed(json.into_bytes())
    }
}
