//! What shop platforms send memnun by themselves: their webhooks, read into memnun's own
//! orders and tracking events, so a merchant on a platform connects without writing code.
//! No I/O here: the edge checks the signature with [`signed`] before it reads a byte of the
//! body, then hands the parsed payload to the platform's module and stores what comes back
//! through the same validation as the merchant API (`order::OrderUpsert`, `order::NewEvents`).

pub mod shopify;
pub mod woocommerce;

use crate::text::{FieldErrors, FieldProblem};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// The largest webhook body taken (a platform's order with hundreds of lines stays far below).
pub const MAX_WEBHOOK_BYTES: usize = 1024 * 1024;
/// The shortest and longest signing secret taken: Shopify's are 64 hex digits, WooCommerce's
/// whatever the merchant typed (at least 16, as memnun asks).
pub const SECRET_MIN_CHARS: usize = 16;
pub const SECRET_MAX_CHARS: usize = 200;

/// The platforms memnun connects to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    Shopify,
    #[serde(rename = "woocommerce")]
    WooCommerce,
}

/// The headers a platform's webhook carries, by what they are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookHeaders {
    /// Base64 HMAC-SHA256 of the raw body with the shop's secret (see [`signed`]).
    pub signature: &'static str,
    /// The platform's id for this delivery.
    pub delivery: &'static str,
    /// The platform's id for the event it tells of, the same on every delivery of it.
    pub event: Option<&'static str>,
    /// What the body is.
    pub topic: &'static str,
}

impl Platform {
    pub const ALL: [Platform; 2] = [Platform::Shopify, Platform::WooCommerce];

    pub const fn as_str(self) -> &'static str {
        match self {
            Platform::Shopify => "shopify",
            Platform::WooCommerce => "woocommerce",
        }
    }

    pub const fn headers(self) -> WebhookHeaders {
        match self {
            Platform::Shopify => WebhookHeaders {
                signature: "X-Shopify-Hmac-Sha256",
                delivery: "X-Shopify-Webhook-Id",
                event: Some("X-Shopify-Event-Id"),
                topic: "X-Shopify-Topic",
            },
            // WooCommerce's delivery id is the webhook's and the second it sent it (two
            // deliveries in one second share it), and it names no event: the edge adds the body's
            // digest, and newer-wins (the resource's modification time) does the rest.
            Platform::WooCommerce => WebhookHeaders {
                signature: "X-WC-Webhook-Signature",
                delivery: "X-WC-Webhook-Delivery-ID",
                event: None,
                topic: "X-WC-Webhook-Topic",
            },
        }
    }

    pub fn parse(s: &str) -> Option<Platform> {
        Platform::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// The webhook topics the merchant subscribes memnun to, in the platform's own words.
    pub const fn topics(self) -> &'static [&'static str] {
        match self {
            Platform::Shopify => &[
                "orders/create",
                "orders/updated",
                "orders/paid",
                "orders/fulfilled",
                "orders/cancelled",
                "fulfillments/create",
                "fulfillments/update",
                "products/create",
                "products/update",
                "products/delete",
            ],
            Platform::WooCommerce => &[
                "order.created",
                "order.updated",
                "order.deleted",
                "order.restored",
                "product.created",
                "product.updated",
                "product.deleted",
                "product.restored",
            ],
        }
    }
}

/// `PUT /v1/admin/connectors/{platform}`: the secret the platform signs its webhooks with
/// (Shopify shows it under Settings → Notifications → Webhooks), and what its products do not
/// say of themselves.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ConnectorUpdate {
    #[serde(default)]
    pub secret: Option<String>,
    /// The currency the shop's prices are in (ISO 4217, `TRY` when not given).
    #[serde(default)]
    pub currency: Option<String>,
    /// The language its product titles are written in (`tr` or `en`, `tr` when not given).
    #[serde(default)]
    pub locale: Option<String>,
}

/// A connection as the merchant set it up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidConnector {
    pub secret: String,
    pub currency: String,
    pub locale: String,
}

impl ConnectorUpdate {
    /// The secret, trimmed: printable ASCII without spaces, of a length a platform gives.
    pub fn validate(&self) -> Result<ValidConnector, FieldErrors> {
        let mut errors = FieldErrors::default();
        let currency = self.currency.as_deref().unwrap_or("TRY").trim();
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            errors.push("currency", FieldProblem::NotAChoice);
        }
        let locale = self.locale.as_deref().unwrap_or("tr").trim();
        if !crate::review::LOCALES.contains(&locale) {
            errors.push("locale", FieldProblem::NotAChoice);
        }
        let secret = self.secret.as_deref().unwrap_or("").trim();
        let problem = if secret.is_empty() {
            Some(FieldProblem::Required)
        } else if secret.len() < SECRET_MIN_CHARS {
            Some(FieldProblem::TooShort {
                min: SECRET_MIN_CHARS,
            })
        } else if secret.len() > SECRET_MAX_CHARS {
            Some(FieldProblem::TooLong {
                max: SECRET_MAX_CHARS,
            })
        } else if !secret.bytes().all(|b| b.is_ascii_graphic()) {
            Some(FieldProblem::NotAChoice)
        } else {
            None
        };
        if let Some(problem) = problem {
            errors.push("secret", problem);
        }
        if errors.is_empty() {
            Ok(ValidConnector {
                secret: secret.to_owned(),
                currency: currency.to_owned(),
                locale: locale.to_owned(),
            })
        } else {
            Err(errors)
        }
    }
}

/// What became of one webhook delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryOutcome {
    /// Stored: the order, its shipments and their events are as it says.
    Applied,
    /// Older than what memnun holds of the order: only the tracking events it adds were kept.
    Stale,
    /// A topic memnun does not read.
    Ignored,
    /// Taken before (the same delivery, or the same event delivered again): nothing changed.
    Duplicate,
    /// Of an order its shopper had erased: not stored, never again.
    Erased,
    /// Signed by the platform but not something memnun can store (the detail says why). Answered
    /// `200`: the same bytes sent again cannot fare better, and a platform gives up on an
    /// address that keeps failing.
    Refused,
    /// Put off: it needs something not arrived yet (a parcel before its order). Answered `409`,
    /// so the platform sends it again.
    Retry,
}

impl DeliveryOutcome {
    pub const fn as_str(self) -> &'static str {
        match self {
            DeliveryOutcome::Applied => "applied",
            DeliveryOutcome::Stale => "stale",
            DeliveryOutcome::Ignored => "ignored",
            DeliveryOutcome::Duplicate => "duplicate",
            DeliveryOutcome::Erased => "erased",
            DeliveryOutcome::Refused => "refused",
            DeliveryOutcome::Retry => "retry",
        }
    }
}

/// The answer to a platform's webhook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DeliveryTaken {
    pub outcome: DeliveryOutcome,
    /// Why it was refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// A delivery as the merchant sees it, to see the connection working.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ConnectorDelivery {
    /// The platform's id for the delivery.
    pub id: String,
    pub topic: String,
    pub received_at: i64,
    pub outcome: String,
    /// Why it was refused or put off.
    pub detail: Option<String>,
}

/// One connected platform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Connector {
    pub platform: Platform,
    pub connected_at: i64,
    /// The currency and language its products are read in.
    pub currency: String,
    pub locale: String,
    /// When a delivery last came with a signature this secret does not make: the secret given is
    /// likely not the one the platform signs with.
    pub signature_refused_at: Option<i64>,
    /// The address to give the platform as the webhooks' URL.
    pub webhook_url: String,
    /// The topics to subscribe to.
    pub topics: Vec<String>,
    /// The newest 20 deliveries, newest first.
    pub deliveries: Vec<ConnectorDelivery>,
}

/// `GET /v1/admin/connectors` (and `PUT`'s answer, with only the platform set).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ConnectorList {
    pub connectors: Vec<Connector>,
}

/// Whether `signature` (base64, as the header carries it) is the HMAC-SHA256 of the raw `body`
/// under the shop's `secret`: Shopify's `X-Shopify-Hmac-Sha256` and WooCommerce's
/// `X-WC-Webhook-Signature` are both this. The comparison takes the same time however many bytes
/// match.
pub fn signed(secret: &[u8], body: &[u8], signature: &str) -> bool {
    let Ok(given) = STANDARD.decode(signature.trim()) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&given).is_ok()
}

/// Currencies whose minor unit is not a hundredth (ISO 4217): their amounts are left out
/// rather than stored wrong.
const NOT_HUNDREDTHS: [&str; 16] = [
    "BHD", "BIF", "CLP", "DJF", "GNF", "IQD", "ISK", "JOD", "JPY", "KMF", "KRW", "KWD", "LYD",
    "OMR", "PYG", "VND",
];

/// The identifiers among `values` the catalog takes (GTINs when `gtin`, else MPNs or SKUs), once
/// each: a platform's wrong barcode leaves that identifier out, never the product.
pub fn identifiers<'a>(values: impl IntoIterator<Item = &'a str>, gtin: bool) -> Vec<String> {
    let mut kept: Vec<String> = Vec::new();
    for value in values.into_iter().map(str::trim) {
        let fits = if gtin {
            crate::catalog::is_gtin(value)
        } else {
            !value.is_empty() && crate::catalog::IDENTIFIER_RULE.check(value).is_ok()
        };
        if fits && kept.len() < crate::catalog::MAX_IDENTIFIERS && !kept.iter().any(|k| k == value)
        {
            kept.push(value.to_owned());
        }
    }
    kept
}

/// A brand the catalog takes, or none.
pub fn brand(value: Option<&str>) -> Option<String> {
    let value = value?.trim();
    (!value.is_empty() && crate::catalog::IDENTIFIER_RULE.check(value).is_ok())
        .then(|| value.to_owned())
}

/// An amount as a platform writes it ("450.00", "1299.9", "12") in `currency`'s minor unit, for
/// the currencies counted in hundredths (TRY, EUR, USD, GBP, …); `None` when it is not such a
/// number or not such a currency.
pub fn minor_units(amount: &str, currency: &str) -> Option<i64> {
    if NOT_HUNDREDTHS.contains(&currency) {
        return None;
    }
    let (whole, fraction) = amount.trim().split_once('.').unwrap_or((amount.trim(), ""));
    if whole.is_empty()
        || fraction.len() > 2
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let cents = format!("{fraction:0<2}");
    whole
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(cents.parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(secret: &[u8], body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("any length");
        mac.update(body);
        STANDARD.encode(mac.finalize().into_bytes())
    }

    #[test]
    fn only_the_signature_of_these_bytes_under_this_secret_is_taken() {
        let body = br#"{"id":820982911946154508}"#;
        let good = sign(b"shpss_secret", body);
        assert!(signed(b"shpss_secret", body, &good));
        assert!(signed(b"shpss_secret", body, &format!(" {good}\n")));
        assert!(!signed(b"another secret", body, &good));
        assert!(!signed(
            b"shpss_secret",
            br#"{"id":820982911946154509}"#,
            &good
        ));
        assert!(!signed(b"shpss_secret", body, ""));
        assert!(!signed(b"shpss_secret", body, "not base64!"));
        assert!(!signed(b"shpss_secret", body, &good[..good.len() - 4]));
    }

    #[test]
    fn amounts_become_minor_units_or_nothing() {
        for (amount, minor) in [
            ("450.00", Some(45000)),
            ("1299.9", Some(129990)),
            ("12", Some(1200)),
        ] {
            assert_eq!(minor_units(amount, "TRY"), minor, "{amount}");
        }
        for amount in [
            "",
            ".5",
            "1.234",
            "-1.00",
            "1e3",
            "1,50",
            "99999999999999999999",
        ] {
            assert_eq!(minor_units(amount, "TRY"), None, "{amount}");
        }
        assert_eq!(minor_units("1200", "JPY"), None, "yen have no hundredths");
    }
}
