//! `ApiError`: every way a request can fail, and the one place where a failure becomes an HTTP
//! answer (JSON body, status from `protocol::ErrorCode`, `Retry-After` and `Allow` headers).
//! Handlers return `Result<Response, ApiError>` and use `?`; none builds an error answer itself.
//! The headers every answer carries (request id, `nosniff`, CORP, caching) are added in
//! `lib.rs::route`.

use memnun_protocol::{ErrorBody, ErrorCode, ErrorDetail, FieldErrors};
use std::collections::BTreeMap;
use worker::{Headers, Response};

/// Carries an internal error's detail from `into_response` to the log; never leaves the worker.
pub const DETAIL_HEADER: &str = "Memnun-Log-Detail";

/// Puts `detail` on an answer's `DETAIL_HEADER`, for `lib.rs::route` to log.
pub fn attach_detail(headers: &Headers, detail: &str) {
    // Header values are Latin-1 without line breaks; a log line needs no more than ASCII.
    let printable: String = detail
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .take(1000)
        .collect();
    let _ = headers.set(DETAIL_HEADER, &printable);
}

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
    #[error("internal error")]
    Internal(String),
    /// A secret or binding the deployment must provide is missing: the operator's mistake,
    /// logged with its name; the client is told only that the service cannot take it now.
    #[error("the service is not ready to take this; try again later")]
    NotConfigured(&'static str),
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
            ApiError::Unauthorized => ErrorCode::Unauthorized,
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
            ApiError::NotConfigured(_) => ErrorCode::Unavailable,
        }
    }

    /// The JSON error answer. Internal details are never sent: they ride on `DETAIL_HEADER` to
    /// `lib.rs::route`, the one exit of every answer, which logs them with the request id (not
    /// known here) and removes the header.
    pub fn into_response(self) -> Response {
        let fields: BTreeMap<String, String> = match &self {
            ApiError::Validation(errors) => errors
                .0
                .iter()
                .map(|(field, problem)| ((*field).to_owned(), problem.to_string()))
                .collect(),
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
            ApiError::RateLimited(seconds) => {
                let _ = headers.set("Retry-After", &seconds.to_string());
            }
            ApiError::MethodNotAllowed(allow) => {
                let _ = headers.set("Allow", allow);
            }
            ApiError::Internal(detail) => attach_detail(&headers, detail),
            ApiError::NotConfigured(what) => attach_detail(
                &headers,
                &format!(
                    "not configured: the secret {what} is not set (wrangler secret put {what})"
                ),
            ),
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
