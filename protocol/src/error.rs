//! The error codes the edge answers with, and the JSON shape of an error answer:
//! `{"error":{"code":"validation_failed","message":"…","fields":{"rating":"…"}}}`.
//!
//! Each code has exactly one HTTP status; the edge maps its errors to these in one place.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Every error a client of the edge can meet, with a stable snake_case code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body is not JSON, or not JSON of the expected shape (400).
    MalformedJson,
    /// A path id, query parameter, cursor or header is not of its documented form (400).
    InvalidParameter,
    /// The JSON is well formed but some fields break the rules; see `fields` (422).
    ValidationFailed,
    /// The merchant API key is missing, unknown or revoked (401).
    Unauthorized,
    /// The request's `Origin` is not one of the shop's allowed origins (403).
    OriginNotAllowed,
    /// The API key is valid but its scope does not allow this request (403).
    Forbidden,
    /// No such shop, product or route (404).
    NotFound,
    /// The route exists but not for this method (405).
    MethodNotAllowed,
    /// This idempotency key was already used with a different body (409).
    IdempotencyConflict,
    /// The resource is not in a state that allows this, e.g. approving a published review (409).
    Conflict,
    /// The body is larger than the endpoint accepts; it was not read (413).
    PayloadTooLarge,
    /// The body's content type is not one the endpoint accepts (415).
    UnsupportedMediaType,
    /// Too many requests from this client; retry after `Retry-After` seconds (429).
    RateLimited,
    /// Something failed on our side; nothing the client sent was at fault (500).
    Internal,
    /// The edge is missing what it needs to take this request (a secret not set, the database
    /// not answering); nothing was stored, and the same request may succeed later (503).
    Unavailable,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 15] = [
        ErrorCode::MalformedJson,
        ErrorCode::InvalidParameter,
        ErrorCode::ValidationFailed,
        ErrorCode::Unauthorized,
        ErrorCode::OriginNotAllowed,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::IdempotencyConflict,
        ErrorCode::Conflict,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::RateLimited,
        ErrorCode::Internal,
        ErrorCode::Unavailable,
    ];

    /// The code as it appears on the wire (what serde writes).
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::MalformedJson => "malformed_json",
            ErrorCode::InvalidParameter => "invalid_parameter",
            ErrorCode::ValidationFailed => "validation_failed",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::OriginNotAllowed => "origin_not_allowed",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::IdempotencyConflict => "idempotency_conflict",
            ErrorCode::Conflict => "conflict",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Internal => "internal",
            ErrorCode::Unavailable => "unavailable",
        }
    }

    pub const fn status(self) -> u16 {
        match self {
            ErrorCode::MalformedJson | ErrorCode::InvalidParameter => 400,
            ErrorCode::Unauthorized => 401,
            ErrorCode::OriginNotAllowed | ErrorCode::Forbidden => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::IdempotencyConflict | ErrorCode::Conflict => 409,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::UnsupportedMediaType => 415,
            ErrorCode::ValidationFailed => 422,
            ErrorCode::RateLimited => 429,
            ErrorCode::Internal => 500,
            ErrorCode::Unavailable => 503,
        }
    }

    /// Whether sending the very same request again later may succeed. The widgets' outbox keeps
    /// retrying these (with the same idempotency key) and drops the others.
    pub const fn is_retryable(self) -> bool {
        matches!(
            self,
            ErrorCode::RateLimited | ErrorCode::Internal | ErrorCode::Unavailable
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ErrorDetail {
    pub code: ErrorCode,
    pub message: String,
    /// Field name → what is wrong with it, for `validation_failed`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_documented_snake_case() {
        let body = ErrorBody {
            error: ErrorDetail {
                code: ErrorCode::ValidationFailed,
                message: "m".into(),
                fields: BTreeMap::from([("rating".into(), "r".into())]),
            },
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"error":{"code":"validation_failed","message":"m","fields":{"rating":"r"}}}"#
        );
    }

    #[test]
    fn as_str_is_the_wire_name_of_every_code() {
        for code in ErrorCode::ALL {
            assert_eq!(
                serde_json::to_string(&code).unwrap(),
                format!("\"{}\"", code.as_str())
            );
        }
        let distinct: std::collections::BTreeSet<_> =
            ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(distinct.len(), ErrorCode::ALL.len());
    }

    #[test]
    fn only_rate_limits_and_our_failures_are_worth_retrying() {
        assert!(ErrorCode::RateLimited.is_retryable());
        assert!(ErrorCode::Internal.is_retryable());
        assert!(!ErrorCode::ValidationFailed.is_retryable());
        assert!(!ErrorCode::IdempotencyConflict.is_retryable());
    }
}
