//! The wire contract between memnun's widgets (in the shopper's browser) and its edge (the
//! Cloudflare Worker): request and response types, the validation rules both sides apply, the
//! error codes the edge answers with, and the formats of ids, cursors and idempotency keys.
//!
//! Architecture invariant: this crate does no I/O and knows neither the DOM nor SQL. It builds
//! for `wasm32-unknown-unknown` (inside the widgets and the worker) and natively (for its tests),
//! so every rule here is tested once, natively, and enforced the same way on both sides.

pub mod digest;
pub mod error;
pub mod idempotency;
pub mod ids;
pub mod review;
pub mod shop;
pub mod text;
pub mod token;

pub use error::{ErrorBody, ErrorCode, ErrorDetail};
pub use ids::{Id, IdError};
pub use review::{
    NewReview, RatingSummary, Review, ReviewCreated, ReviewCursor, ReviewPage, ValidReview,
};
pub use shop::{ShopSettings, ShopUpdate};
pub use text::{FieldErrors, FieldProblem};
