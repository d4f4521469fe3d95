//! One module per resource of the API: each reads and validates its request (through
//! `platform::shopper_write` for what shoppers' pages send), decides, calls the store, and answers
//! with a protocol type. The router (`router.rs`) calls them; they never answer an error
//! themselves (an `ApiError` goes back to `router::fail`).

pub mod api_keys;
pub mod assets;
pub mod cases;
pub mod catalog;
pub mod connectors;
pub mod feedback;
pub mod feeds;
pub mod moderation;
pub mod order_import;
pub mod order_list;
pub mod orders;
pub mod outreach;
pub mod overview;
pub mod photos;
pub mod questions;
pub mod recommend;
pub mod review_csv;
pub mod reviews;
pub mod shoppers;
pub mod shops;
pub mod survey;
pub mod survey_responses;
pub mod tokens;
pub mod webhooks;

use crate::handlers::api_keys::Merchant;
use crate::store::moderation::Actor;
use memnun_protocol::Id;
use worker::{D1Database, Env};

/// What the router knows of a shop's request before its handler runs, found once: handlers take
/// it instead of reaching for bindings, the clock or the caller themselves. (No request id:
/// handlers do not log; their errors go back to the router, which logs them with it.)
pub struct Context<'a> {
    pub env: &'a Env,
    /// The shop the request is for: from the path on shoppers' and public routes, from the key
    /// on the merchant's.
    pub shop: Id,
    /// The shop's database, found by the router through the shop directory
    /// (`platform::databases`) before it checked the shop's origin or the key; handlers and the
    /// store never open a binding.
    pub db: D1Database,
    /// The request's time in ms (a test's clock when the deployment allows one).
    pub now: i64,
    /// The key behind a merchant's request; `None` for shoppers' pages and public reads.
    pub merchant: Option<Merchant>,
}

impl Context<'_> {
    /// Who the moderation log names for what this request does: the key's name, or nobody.
    pub fn actor(&self) -> Actor<'_> {
        Actor(self.merchant.as_ref().map_or("", |m| m.key_name.as_str()))
    }
}
