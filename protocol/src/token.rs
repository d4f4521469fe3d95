//! Signed links: the one token format for the order tracker, the review request and the survey.
//!
//! `v1.<base64url(payload JSON)>.<base64url(HMAC-SHA256(secret, "v1.<base64url(payload JSON)>"))>`,
//! base64url without padding. The payload names the purpose (`track`, `review`, `survey`), the
//! shop, the order, optionally the product, the expiry (`exp`, Unix seconds) and the id of the
//! shop secret that signed it (`kid`), so secrets can rotate: a new one signs, old ones verify
//! until retired. A token for one purpose never opens another, nor another shop's data.
//!
//! Merchants' servers may mint tokens themselves with this algorithm (docs/API.md shows how).
//! The edge answers every failure the same way; [`TokenError`] says which for tests and logs.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

const PREFIX: &str = "v1.";
/// Longer strings are refused before any decoding work.
pub const MAX_TOKEN_LEN: usize = 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    Track,
    Review,
    Survey,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct TokenClaims {
    pub purpose: Purpose,
    pub shop: String,
    pub order: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// Expiry, Unix seconds.
    pub exp: i64,
    /// The id of the shop secret that signed this token.
    pub kid: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    Malformed,
    UnknownSecret,
    BadSignature,
    Expired,
    WrongPurpose,
    WrongShop,
    /// `exp` is further away than [`LIFETIME_DAYS_MAX`]: not a link this shop may issue.
    TooLong,
}

impl TokenError {
    /// Why the token was refused, worded for the shopper who opened the link.
    pub const fn explain(self) -> &'static str {
        match self {
            TokenError::Malformed | TokenError::BadSignature => {
                "is not a valid link from this shop; open the link from your email again"
            }
            TokenError::UnknownSecret => {
                "was signed with a secret the shop has retired; ask the shop for a new link"
            }
            TokenError::Expired => "has expired; ask the shop for a new link",
            TokenError::WrongPurpose => "is a link for something else, not for this",
            TokenError::WrongShop => "was issued by another shop",
            TokenError::TooLong => {
                "is valid for longer than a link may be; ask the shop for a new link"
            }
        }
    }
}

/// How long a minted link stays valid when the merchant does not say, and at most.
pub const TTL_DAYS_DEFAULT: u32 = 60;
pub const TTL_DAYS_MAX: u32 = 365;

/// The furthest `exp` a verifier accepts, in days from now. Merchants' own servers mint tokens
/// too, with any `exp` they like; a link that never expires would be a key for life to an
/// order's page and its review and survey, so one further out than this is refused. Above
/// [`TTL_DAYS_MAX`] so a token minted here at the maximum is never refused for clock skew.
pub const LIFETIME_DAYS_MAX: i64 = 400;

/// The body of `POST /v1/admin/tokens`: mint a signed link for an order (and, for a review
/// link, a product).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct TokenRequest {
    /// `track`, `review` or `survey`.
    #[serde(default)]
    pub purpose: Option<Purpose>,
    #[serde(default)]
    pub order: Option<String>,
    #[serde(default)]
    pub product: Option<String>,
    #[serde(default)]
    pub ttl_days: Option<u32>,
}

impl TokenRequest {
    /// The validated purpose, order, product and lifetime in days.
    #[allow(clippy::type_complexity)]
    pub fn validate(
        &self,
    ) -> Result<(Purpose, crate::Id, Option<crate::Id>, u32), crate::FieldErrors> {
        use crate::{FieldErrors, FieldProblem, Id};
        let mut errors = FieldErrors::default();
        let purpose = self.purpose;
        if purpose.is_none() {
            errors.push("purpose", FieldProblem::Required);
        }
        let order = match self.order.as_deref().map(Id::parse) {
            Some(Ok(id)) => Some(id),
            Some(Err(_)) => {
                errors.push("order", FieldProblem::InvalidId);
                None
            }
            None => {
                errors.push("order", FieldProblem::Required);
                None
            }
        };
        let product = match self.product.as_deref().map(Id::parse) {
            Some(Ok(id)) => Some(id),
            Some(Err(_)) => {
                errors.push("product", FieldProblem::InvalidId);
                None
            }
            None => None,
        };
        if purpose == Some(Purpose::Review) && self.product.is_none() {
            errors.push("product", FieldProblem::Required);
        }
        let ttl = self.ttl_days.unwrap_or(TTL_DAYS_DEFAULT);
        if !(1..=TTL_DAYS_MAX).contains(&ttl) {
            errors.push(
                "ttl_days",
                FieldProblem::OutOfRange {
                    min: 1,
                    max: i64::from(TTL_DAYS_MAX),
                },
            );
        }
        match (purpose, order) {
            (Some(p), Some(o)) if errors.is_empty() => Ok((p, o, product, ttl)),
            _ => Err(errors),
        }
    }
}

/// The answer to `POST /v1/admin/tokens` (201).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct MintedToken {
    pub token: String,
    /// Unix seconds.
    pub expires_at: i64,
    pub kid: String,
}

/// A token secret as `GET /v1/admin/secrets` lists it: never the secret itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SecretInfo {
    pub kid: String,
    /// Unix milliseconds.
    pub created_at: i64,
    pub retired_at: Option<i64>,
    /// Whether new tokens are signed with it (the newest active secret).
    pub signing: bool,
}

/// The answer to `POST /v1/admin/secrets` (201): the new signing secret, shown once, for
/// merchants' servers that mint tokens themselves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CreatedSecret {
    pub kid: String,
    pub secret: String,
}

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length; this cannot fail.
    <HmacSha256 as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable!())
}

/// Signs `claims` with `secret` (the secret whose id is `claims.kid`).
pub fn sign(claims: &TokenClaims, secret: &[u8]) -> String {
    let payload = serde_json::to_vec(claims).unwrap_or_default();
    let signed = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(payload));
    let mut m = mac(secret);
    m.update(signed.as_bytes());
    format!(
        "{signed}.{}",
        URL_SAFE_NO_PAD.encode(m.finalize().into_bytes())
    )
}

/// Checks `token` for `purpose` and `shop` at time `now` (Unix seconds). `secret_for` returns the
/// shop's secret with the given id if it may still verify.
pub fn verify(
    token: &str,
    purpose: Purpose,
    shop: &str,
    now: i64,
    secret_for: impl Fn(&str) -> Option<Vec<u8>>,
) -> Result<TokenClaims, TokenError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(TokenError::Malformed);
    }
    let rest = token.strip_prefix(PREFIX).ok_or(TokenError::Malformed)?;
    let (payload_b64, signature_b64) = rest.split_once('.').ok_or(TokenError::Malformed)?;
    let payload = URL_SAFE_NO_PAD
        .decode(payload_b64)
        .map_err(|_| TokenError::Malformed)?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature_b64)
        .map_err(|_| TokenError::Malformed)?;
    let claims: TokenClaims =
        serde_json::from_slice(&payload).map_err(|_| TokenError::Malformed)?;
    let secret = secret_for(&claims.kid).ok_or(TokenError::UnknownSecret)?;
    let mut m = mac(&secret);
    m.update(&token.as_bytes()[..PREFIX.len() + payload_b64.len()]);
    // Constant-time comparison.
    m.verify_slice(&signature)
        .map_err(|_| TokenError::BadSignature)?;
    if claims.shop != shop {
        return Err(TokenError::WrongShop);
    }
    if claims.purpose != purpose {
        return Err(TokenError::WrongPurpose);
    }
    if claims.exp <= now {
        return Err(TokenError::Expired);
    }
    if claims.exp > now.saturating_add(LIFETIME_DAYS_MAX * 86_400) {
        return Err(TokenError::TooLong);
    }
    Ok(claims)
}

/// `GET /v1/admin/secrets`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SecretList {
    pub secrets: Vec<SecretInfo>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_790_000_000;

    fn claims() -> TokenClaims {
        TokenClaims {
            purpose: Purpose::Review,
            shop: "demo".into(),
            order: "A-1001".into(),
            product: Some("kahve-fincani-01".into()),
            exp: NOW + 3600,
            kid: "s2".into(),
        }
    }

    fn secrets(kid: &str) -> Option<Vec<u8>> {
        match kid {
            "s1" => Some(b"old secret, still verifying".to_vec()),
            "s2" => Some(b"current secret".to_vec()),
            _ => None,
        }
    }

    fn token() -> String {
        sign(&claims(), b"current secret")
    }

    #[test]
    fn a_signed_token_verifies_for_its_purpose_and_shop() {
        assert_eq!(
            verify(&token(), Purpose::Review, "demo", NOW, secrets),
            Ok(claims())
        );
    }

    #[test]
    fn the_format_is_the_documented_one() {
        let t = token();
        let parts: Vec<&str> = t.split('.').collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0], "v1");
        let payload: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(payload["purpose"], "review");
        assert_eq!(payload["exp"], NOW + 3600);
        assert_eq!(payload["kid"], "s2");
        assert_eq!(URL_SAFE_NO_PAD.decode(parts[2]).unwrap().len(), 32);
        assert!(
            t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        );
    }

    #[test]
    fn an_old_secret_still_verifies_until_retired() {
        let old = sign(
            &TokenClaims {
                kid: "s1".into(),
                ..claims()
            },
            b"old secret, still verifying",
        );
        assert!(verify(&old, Purpose::Review, "demo", NOW, secrets).is_ok());
        let retired = |kid: &str| if kid == "s1" { None } else { secrets(kid) };
        assert_eq!(
            verify(&old, Purpose::Review, "demo", NOW, retired),
            Err(TokenError::UnknownSecret)
        );
    }

    #[test]
    fn a_token_for_one_purpose_never_opens_another() {
        for other in [Purpose::Track, Purpose::Survey] {
            assert_eq!(
                verify(&token(), other, "demo", NOW, secrets),
                Err(TokenError::WrongPurpose)
            );
        }
    }

    #[test]
    fn another_shops_token_is_refused() {
        assert_eq!(
            verify(&token(), Purpose::Review, "other", NOW, secrets),
            Err(TokenError::WrongShop)
        );
    }

    #[test]
    fn expired_tokens_are_refused() {
        assert_eq!(
            verify(&token(), Purpose::Review, "demo", NOW + 3600, secrets),
            Err(TokenError::Expired)
        );
        assert!(verify(&token(), Purpose::Review, "demo", NOW + 3599, secrets).is_ok());
    }

    #[test]
    fn a_token_valid_for_longer_than_a_link_may_be_is_refused() {
        let lasting = |days: i64| {
            let t = sign(
                &TokenClaims {
                    exp: NOW + days * 86_400,
                    ..claims()
                },
                b"current secret",
            );
            verify(&t, Purpose::Review, "demo", NOW, secrets)
        };
        assert!(lasting(LIFETIME_DAYS_MAX).is_ok());
        assert!(lasting(i64::from(TTL_DAYS_MAX)).is_ok());
        assert_eq!(lasting(LIFETIME_DAYS_MAX + 1), Err(TokenError::TooLong));
        assert_eq!(lasting(100 * 365), Err(TokenError::TooLong));
    }

    #[test]
    fn forged_tokens_are_refused() {
        // Payload changed, signature kept.
        let t = token();
        let (head, sig) = t.rsplit_once('.').unwrap();
        let forged_claims = TokenClaims {
            order: "A-9999".into(),
            ..claims()
        };
        let forged_head = sign(&forged_claims, b"guess")
            .rsplit_once('.')
            .unwrap()
            .0
            .to_owned();
        assert_eq!(
            verify(
                &format!("{forged_head}.{sig}"),
                Purpose::Review,
                "demo",
                NOW,
                secrets
            ),
            Err(TokenError::BadSignature)
        );
        // Signed with a secret that is not the shop's.
        let wrong = sign(&claims(), b"not the secret");
        assert_eq!(
            verify(&wrong, Purpose::Review, "demo", NOW, secrets),
            Err(TokenError::BadSignature)
        );
        // One character of the signature altered.
        let first = if sig.starts_with('A') { 'B' } else { 'A' };
        let altered = format!("{head}.{first}{}", &sig[1..]);
        assert_eq!(
            verify(&altered, Purpose::Review, "demo", NOW, secrets),
            Err(TokenError::BadSignature)
        );
        // Truncated: refused too (as malformed base64 or as a bad signature).
        assert!(
            verify(
                &format!("{head}.{}", &sig[..sig.len() - 2]),
                Purpose::Review,
                "demo",
                NOW,
                secrets
            )
            .is_err()
        );
    }

    #[test]
    fn a_review_link_names_its_product() {
        let r = TokenRequest {
            purpose: Some(Purpose::Review),
            order: Some("A-1001".into()),
            product: None,
            ttl_days: Some(0),
        };
        let e = r.validate().unwrap_err();
        assert_eq!(e.get("product"), Some(crate::FieldProblem::Required));
        assert!(e.get("ttl_days").is_some());
        let ok = TokenRequest {
            purpose: Some(Purpose::Track),
            order: Some("A-1001".into()),
            ..TokenRequest::default()
        }
        .validate()
        .unwrap();
        assert_eq!(ok.3, TTL_DAYS_DEFAULT);
        assert!(TokenRequest::default().validate().is_err());
    }

    #[test]
    fn garbage_is_malformed() {
        for bad in [
            "",
            "v1",
            "v1.",
            "v2.e30.AAAA",
            "v1.!!!.AAAA",
            "v1.e30",
            "v1.bm90IGpzb24.AAAA",
            "v1.e30.AAAA",
        ] {
            assert_eq!(
                verify(bad, Purpose::Review, "demo", NOW, secrets),
                Err(TokenError::Malformed),
                "{bad}"
            );
        }
        assert_eq!(
            verify(&"v1.".repeat(400), Purpose::Review, "demo", NOW, secrets),
            Err(TokenError::Malformed)
        );
    }
}
