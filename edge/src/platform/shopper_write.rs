//! What every request from a shopper's page shares before its handler decides anything: the
//! client (its salted hash), the per-client limit (and, for event beacons, the shop's own), the
//! idempotency key where the write takes one, and the body read size-capped into its protocol
//! type. The router has already checked the page's origin and, for most writes, the shop's write
//! limit. The order matters and is the same for every write: a client over its limit is refused
//! before it can spend anything else, and a body is read only from a request that may be served.

use crate::handlers::Context;
use crate::platform::error::ApiError;
use crate::platform::http::{self, BodyType};
use crate::platform::idempotency::Idempotency;
use crate::platform::pseudonyms;
use serde::de::DeserializeOwned;
use worker::Request;

/// How one kind of shopper request is let in.
pub struct Rules {
    /// The rate-limit binding counted per shop and client.
    pub client_limit: &'static str,
    /// A binding counted per shop after the client's: for requests without the shop's write
    /// limit (event beacons), so one busy client cannot spend the shop's budget, and for photos,
    /// a budget of their own within it.
    pub shop_limit: Option<&'static str>,
    /// The largest body read (413 beyond, before parsing).
    pub max_bytes: usize,
    pub body: BodyType,
}

/// A shopper's request, let in: its body, and the client it came from (the salted hash of its
/// address, an IPv6 client's /64).
pub struct Opened<T> {
    pub body: T,
    pub client: String,
}

/// Lets in a request that reads or writes without an `Idempotency-Key`.
pub async fn open<T: DeserializeOwned>(
    req: &mut Request,
    cx: &Context<'_>,
    rules: &Rules,
) -> Result<Opened<T>, ApiError> {
    let client = let_in(req, cx, rules).await?;
    let (body, _): (T, Vec<u8>) = http::read_json(req, rules.max_bytes, rules.body).await?;
    Ok(Opened { body, client })
}

/// Lets in a write that takes an `Idempotency-Key` (`endpoint` names it in the records), with
/// what replays or records its answer.
pub async fn open_idempotent<T: DeserializeOwned>(
    req: &mut Request,
    cx: &Context<'_>,
    rules: &Rules,
    endpoint: &'static str,
) -> Result<(Opened<T>, Idempotency), ApiError> {
    let client = let_in(req, cx, rules).await?;
    let key = Idempotency::key_of(req)?;
    let (body, raw): (T, Vec<u8>) = http::read_json(req, rules.max_bytes, rules.body).await?;
    let idempotency = Idempotency::new(&cx.shop, endpoint, key, &raw);
    Ok((Opened { body, client }, idempotency))
}

/// The client, if it is within its limits.
async fn let_in(req: &Request, cx: &Context<'_>, rules: &Rules) -> Result<String, ApiError> {
    let (env, shop) = (cx.env, &cx.shop);
    let client = pseudonyms::client(req, env)?;
    http::rate_limit(env, rules.client_limit, format!("{shop}:{client}")).await?;
    if let Some(binding) = rules.shop_limit {
        http::rate_limit(env, binding, shop.to_string()).await?;
    }
    Ok(client)
}
