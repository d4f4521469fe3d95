//! Webhooks: the events the edge sends to a merchant's URL, and how they are signed, so the
//! merchant's server can check that an event came from its memnun shop and is not a replay.
//!
//! `Memnun-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, as Stripe
//! signs its webhooks: the timestamp (the time of sending) is signed with the body, so an old
//! delivery replayed later fails a receiver's time check (see [`verify`]). For
//! [`SECRET_OVERLAP_S`] after the merchant replaces the secret, a delivery carries one `v1=` per
//! secret, the new one first, so a receiver that still holds the old secret keeps verifying while
//! it is updated.
//!
//! Delivery is at least once: a delivery whose answer was lost (or whose run was cut short) is
//! sent again with the same id, which a receiver keeps to ignore repeats.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

pub const SIGNATURE_HEADER: &str = "Memnun-Signature";
/// The delivery's id (also `id` in the body): a receiver that saw it already ignores it.
pub const DELIVERY_HEADER: &str = "Memnun-Delivery";
pub const EVENT_HEADER: &str = "Memnun-Event";
/// How far a receiver should accept a signature's time from its own clock.
pub const TOLERANCE_S: i64 = 300;

/// How long an old webhook secret still signs deliveries (beside the new one) after it was
/// replaced.
pub const SECRET_OVERLAP_S: i64 = 24 * 3600;

/// The retry delays after each failed attempt; after the last, the delivery is given up.
pub const RETRY_DELAYS_S: [i64; 7] = [60, 300, 1_800, 7_200, 21_600, 43_200, 86_400];

/// The body of every webhook delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct WebhookEvent {
    pub id: String,
    /// e.g. `order.delivered`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// Unix milliseconds.
    pub created_at: i64,
    pub data: serde_json::Value,
}

fn mac(secret: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length; this cannot fail.
    <Hmac<Sha256> as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable!())
}

/// The `Memnun-Signature` value for `body` sent at `timestamp_s`, signed with each of
/// `secrets` (the current one first; an old one during [`SECRET_OVERLAP_S`]).
pub fn sign(secrets: &[&str], timestamp_s: i64, body: &str) -> String {
    let mut header = format!("t={timestamp_s}");
    for secret in secrets {
        let mut m = mac(secret.as_bytes());
        m.update(format!("{timestamp_s}.").as_bytes());
        m.update(body.as_bytes());
        header.push_str(",v1=");
        header.push_str(&crate::digest::hex(&m.finalize().into_bytes()));
    }
    header
}

/// What a receiver does: checks that one of the signatures is the secret's and that it is
/// recent (within [`TOLERANCE_S`]).
pub fn verify(header: &str, secret: &str, body: &str, now_s: i64) -> bool {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => signatures.extend(from_hex(v)),
            _ => {}
        }
    }
    let Some(t) = timestamp else {
        return false;
    };
    (now_s - t).abs() <= TOLERANCE_S
        && signatures.iter().any(|given| {
            let mut m = mac(secret.as_bytes());
            m.update(format!("{t}.").as_bytes());
            m.update(body.as_bytes());
            m.verify_slice(given).is_ok()
        })
}

fn from_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// When to try again after `attempts` failed ones, or `None` to give up.
pub fn next_attempt_after(attempts: u32, now_ms: i64) -> Option<i64> {
    let delay = RETRY_DELAYS_S.get(attempts.checked_sub(1)? as usize)?;
    Some(now_ms + delay * 1000)
}

/// `PUT /v1/admin/webhook`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct WebhookUpdate {
    #[serde(default)]
    pub url: Option<String>,
    /// What happens to the secret being replaced: `keep` (the default) signs beside the new one
    /// for a while; `retire` stops it at once, for a secret that leaked.
    #[serde(default)]
    pub previous_secret: Option<String>,
}

/// `PUT /v1/admin/webhook`'s answer: the new signing secret, shown this once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct WebhookCreated {
    pub url: String,
    pub secret: String,
}

/// `GET /v1/admin/webhook`: where events go (never the secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct WebhookInfo {
    pub url: String,
    pub updated_at: i64,
}

/// One delivery of an event to the shop's webhook, and how it went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct WebhookDelivery {
    pub id: String,
    pub event_type: String,
    pub attempts: u32,
    pub next_attempt_at: i64,
    pub delivered_at: Option<i64>,
    pub failed_at: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
}

/// `GET /v1/admin/webhook/deliveries`: the newest 50.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct WebhookDeliveries {
    pub deliveries: Vec<WebhookDelivery>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_with_its_secret_body_and_time_only() {
        let body = r#"{"id":"wh_1","type":"order.delivered"}"#;
        let header = sign(&["whsec"], 1_790_000_000, body);
        assert!(header.starts_with("t=1790000000,v1="));
        assert!(verify(&header, "whsec", body, 1_790_000_010));
        assert!(!verify(&header, "other", body, 1_790_000_010));
        assert!(!verify(
            &header,
            "whsec",
            &body.replace("wh_1", "wh_2"),
            1_790_000_010
        ));
        assert!(
            !verify(&header, "whsec", body, 1_790_000_000 + TOLERANCE_S + 1),
            "a replay"
        );
        let moved = header.replace("t=1790000000", "t=1790000500");
        assert!(
            !verify(&moved, "whsec", body, 1_790_000_500),
            "the time is signed"
        );
        for bad in ["", "t=1", "v1=00", "t=x,v1=zz"] {
            assert!(!verify(bad, "whsec", body, 1_790_000_000));
        }
    }

    #[test]
    fn during_a_secret_change_both_secrets_sign() {
        let body = r#"{"id":"wh_1"}"#;
        let header = sign(&["new", "old"], 1_790_000_000, body);
        assert_eq!(header.matches(",v1=").count(), 2);
        assert!(header.starts_with(&sign(&["new"], 1_790_000_000, body)));
        assert!(verify(&header, "new", body, 1_790_000_000));
        assert!(verify(&header, "old", body, 1_790_000_000));
        assert!(!verify(&header, "neither", body, 1_790_000_000));
    }

    #[test]
    fn retries_back_off_then_give_up() {
        assert_eq!(next_attempt_after(0, 0), None);
        assert_eq!(next_attempt_after(1, 0), Some(60_000));
        assert_eq!(next_attempt_after(2, 1_000), Some(301_000));
        assert_eq!(next_attempt_after(7, 0), Some(86_400_000));
        assert_eq!(next_attempt_after(8, 0), None);
    }
}
