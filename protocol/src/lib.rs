//! The wire contract between memnun's widgets (in the shopper's browser) and its edge (the
//! Cloudflare Worker): request and response types, the validation rules both sides apply, the
//! error codes the edge answers with, and the formats of ids, cursors and idempotency keys.
//!
//! Architecture invariant: this crate does no I/O and knows neither the DOM nor SQL. It builds
//! for `wasm32-unknown-unknown` (inside the widgets and the worker) and natively (for its tests),
//! so every rule here is tested once, natively, and enforced the same way on both sides.

pub mod api;
pub mod carriers;
// The merchant's side shows how an answer's email went: with the outreach types.
#[cfg(feature = "outreach")]
pub mod cases;
pub mod catalog;
#[cfg(feature = "connectors")]
pub mod connectors;
pub mod digest;
pub mod error;
pub mod events;
pub mod feedback;
pub mod health;
pub mod idempotency;
pub mod ids;
pub mod jsonld;
pub mod merchant;
pub mod moderation;
pub mod order;
#[cfg(feature = "connectors")]
pub mod order_import;
pub mod order_list;
#[cfg(feature = "outreach")]
pub mod outreach;
pub mod overview;
pub mod photos;
pub mod questions;
pub mod recommend;
pub mod review;
#[cfg(feature = "csv")]
pub mod review_csv;
pub mod review_feed;
pub mod shop;
pub mod shopper;
pub mod survey;
#[cfg(feature = "csv")]
pub mod survey_csv;
pub mod text;
pub mod time;
pub mod token;
pub mod topics;
pub mod webhook;

pub use error::{ErrorBody, ErrorCode, ErrorDetail};
pub use ids::{Id, IdError};
pub use review::{
    NewReview, RatingSummary, Received, Reply, Review, ReviewCreated, ReviewCursor, ReviewPage,
    ReviewSort, ReviewStatus, ValidReview,
};
pub use shop::{ShopSettings, ShopUpdate};
pub use text::{FieldErrors, FieldProblem};
