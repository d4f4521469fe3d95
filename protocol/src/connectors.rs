//! What shop platforms send memnun by themselves: their webhooks, read into memnun's own
//! orders and tracking events, so a merchant on a platform connects without writing code.
//! No I/O here: the edge checks the signature with [`signed`] before it reads a byte of the
//! body, then hands the parsed payload to the platform's module and stores what comes back
//! through the same validation as the merchant API (`order::OrderUpsert`, `order::NewEvents`).

pub mod shopify;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

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

/// An amount as a platform writes it ("450.00", "1299.9", "12") in the currency's minor unit,
/// for the currencies with two decimals (TRY, EUR, USD, GBP, …); `None` when it is not such a
/// number, so a price is left out rather than stored wrong.
pub fn minor_units(amount: &str) -> Option<i64> {
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
            assert_eq!(minor_units(amount), minor, "{amount}");
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
            assert_eq!(minor_units(amount), None, "{amount}");
        }
    }
}
