//! Every value that stands for a person, and the salt that keeps most of them from being
//! reversed: a client (its address, an IPv6 client's /64), a shopper's email (on reviews and on
//! orders), a browser's random id (on events, votes and reports). Nothing here is stored as it
//! came; what is stored is one of these hashes, each under its own label, so two kinds never
//! match by accident and a shopper's data can be found again only through what they tell us
//! (`shoppers.rs`: export and erasure recompute these very keys).

use crate::platform::error::ApiError;
use crate::platform::secure::sha256_hex;
use memnun_protocol::Id;
use worker::{Env, Request};

/// The secret salt of every hash that stands for a person (client addresses, emails, browsers),
/// from the `CLIENT_HASH_SALT` secret (`wrangler secret put CLIENT_HASH_SALT`). Without it those
/// hashes could be reversed by guessing, so whatever needs one is refused (503) and logged until
/// the secret is set.
pub fn salt(env: &Env) -> Result<String, ApiError> {
    match env.secret("CLIENT_HASH_SALT").map(|v| v.to_string()) {
        Ok(salt) if !salt.trim().is_empty() => Ok(salt),
        _ => Err(ApiError::NotConfigured("CLIENT_HASH_SALT")),
    }
}

/// A salted hash of the client: enough to count and limit one client, never enough to recover
/// its address. Cloudflare sets `CF-Connecting-IP`; locally tests set it themselves. Fails (503)
/// when the salt is not configured, so nothing is counted or stored under a guessable hash.
pub fn client(req: &Request, env: &Env) -> Result<String, ApiError> {
    let address = req
        .headers()
        .get("CF-Connecting-IP")
        .ok()
        .flatten()
        .unwrap_or_default();
    Ok(sha256_hex(&[
        b"client",
        salt(env)?.as_bytes(),
        client_network(&address).as_bytes(),
    ]))
}

/// What counts as one client: an IPv4 address, or an IPv6 address's /64. One host (one home
/// line, one cloud machine) is routinely given a whole /64, so counting full IPv6 addresses
/// would let it dodge every per-client limit and count as thousands of reporters or voters.
/// An IPv4-mapped IPv6 address is its IPv4 address.
pub fn client_network(address: &str) -> String {
    use std::net::IpAddr;
    match address.trim().parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        // Cloudflare always sends an address; whatever else arrives is one client as written.
        Err(_) => address.trim().to_owned(),
    }
}

/// The shopper key of a review written with an email: the same for every review (widget or
/// import) by that email, so one shopper's data can be found and deleted.
pub fn review_email(salt: &str, email: &str) -> String {
    sha256_hex(&[b"email", salt.as_bytes(), email.to_lowercase().as_bytes()])
}

/// The shopper key of a review written without an email: its client's.
pub fn review_client(client: &str) -> String {
    sha256_hex(&[b"client", client.as_bytes()])
}

/// An order's email, as the order keeps it: for the shopper's lookup by number and email, the
/// survey's recontact cooldown, and an erasure request.
pub fn order_email(env: &Env, email: &str) -> Result<String, ApiError> {
    Ok(sha256_hex(&[
        b"order-email",
        salt(env)?.as_bytes(),
        email.trim().to_lowercase().as_bytes(),
    ]))
}

/// The merchant's own address, as the digest's messages and its unsubscribe link name it: apart
/// from any shopper's, so that stopping the digest stops nothing else sent to that address.
pub fn merchant_email(env: &Env, email: &str) -> Result<String, ApiError> {
    Ok(sha256_hex(&[
        b"merchant-email",
        salt(env)?.as_bytes(),
        email.trim().to_lowercase().as_bytes(),
    ]))
}

/// An erased order's id, as its tombstone keeps it (`erased_orders`): enough to know the order
/// again when a platform sends it, never enough to read its id back.
pub fn erased_order(salt: &str, shop: &Id, order_id: &str) -> String {
    sha256_hex(&[
        b"erased-order",
        salt.as_bytes(),
        shop.as_str().as_bytes(),
        b"\0",
        order_id.as_bytes(),
    ])
}

/// A browser's random id as its events and first views keep it (with the shopper's consent).
pub fn browser(salt: &str, browser: &str) -> String {
    sha256_hex(&[b"browser", salt.as_bytes(), browser.as_bytes()])
}

/// A browser's random id as its votes and reports keep it: one vote or report per browser and
/// review. Per shop rather than salted: the id is the widget's own, never shared across shops.
pub fn voter(shop: &Id, browser: &str) -> String {
    sha256_hex(&[b"browser", shop.as_str().as_bytes(), browser.as_bytes()])
}
