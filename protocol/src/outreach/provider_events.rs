//! What the providers tell memnun about its messages afterwards, through their webhooks: a hard
//! bounce or a spam complaint puts the recipient on the shop's suppression list. Each provider
//! proves its webhooks its own way, checked here before anything in them is read:
//!
//! - Resend signs with Svix (`svix-id`, `svix-timestamp`, `svix-signature`: `v1,<base64>`
//!   entries separated by spaces): HMAC-SHA256 over `{id}.{timestamp}.{body}` with the key in the
//!   endpoint's `whsec_…` secret (base64 after the prefix), within five minutes of its time.
//! - Postmark does not sign; its webhook URL carries basic-auth credentials the merchant chose
//!   (`https://memnun:<secret>@…`), which arrive as `Authorization: Basic …`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How far a Svix timestamp may be from now, in seconds (Svix's own libraries' tolerance).
pub const SVIX_TOLERANCE_S: i64 = 300;

/// What an event means for the suppression list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderEvent {
    /// A permanent failure: the address does not take mail.
    Bounced(Vec<String>),
    /// The recipient marked a message as spam.
    Complained(Vec<String>),
    /// Anything else (deliveries, soft bounces, opens memnun never asks for).
    Ignored,
}

/// The answer to a provider's webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ProviderEventTaken {
    /// `bounced`, `complained` or `ignored`.
    pub taken: String,
}

fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// Whether `signatures` (the `svix-signature` header) holds a signature of `body` by `secret`
/// for message `id` at `timestamp`, and that time is within the tolerance of `now_s`.
pub fn verify_svix(
    secret: &str,
    id: &str,
    timestamp: &str,
    body: &[u8],
    signatures: &str,
    now_s: i64,
) -> bool {
    let Ok(time) = timestamp.trim().parse::<i64>() else {
        return false;
    };
    if now_s.abs_diff(time) > SVIX_TOLERANCE_S as u64 {
        return false;
    }
    let Ok(key) = STANDARD.decode(
        secret
            .trim()
            .strip_prefix("whsec_")
            .unwrap_or(secret.trim()),
    ) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(&key) else {
        return false;
    };
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.trim().as_bytes());
    mac.update(b".");
    mac.update(body);
    let expected = STANDARD.encode(mac.finalize().into_bytes());
    signatures
        .split(' ')
        .filter_map(|entry| entry.strip_prefix("v1,"))
        .any(|given| same(given.as_bytes(), expected.as_bytes()))
}

/// Whether an `Authorization` header carries basic credentials whose password is `secret`
/// (any user name).
pub fn basic_auth_matches(header: Option<&str>, secret: &str) -> bool {
    let Some(encoded) = header.and_then(|h| h.trim().strip_prefix("Basic ")) else {
        return false;
    };
    let Ok(decoded) = STANDARD.decode(encoded.trim()) else {
        return false;
    };
    let password = match decoded.iter().position(|b| *b == b':') {
        Some(at) => &decoded[at + 1..],
        None => return false,
    };
    !secret.is_empty() && same(password, secret.as_bytes())
}

fn addresses(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(one)) => vec![one.trim().to_lowercase()],
        Some(Value::Array(many)) => many
            .iter()
            .filter_map(Value::as_str)
            .map(|a| a.trim().to_lowercase())
            .collect(),
        _ => Vec::new(),
    }
}

/// A Resend event (`email.bounced`, `email.complained`; `data.to` the recipients). `None` when
/// the body is not one.
pub fn read_resend(body: &[u8]) -> Option<ProviderEvent> {
    let event: Value = serde_json::from_slice(body).ok()?;
    let kind = event.get("type")?.as_str()?;
    let to = addresses(event.get("data")?.get("to"));
    Some(match kind {
        "email.bounced" if !to.is_empty() => ProviderEvent::Bounced(to),
        "email.complained" if !to.is_empty() => ProviderEvent::Complained(to),
        _ => ProviderEvent::Ignored,
    })
}

/// Postmark's bounce types that mean the address takes no mail.
const POSTMARK_PERMANENT: [&str; 3] = ["HardBounce", "BadEmailAddress", "ManuallyDeactivated"];

/// A Postmark event (`RecordType` `Bounce` of a permanent `Type`, or `SpamComplaint`; the
/// address in `Email`). `None` when the body is not one.
pub fn read_postmark(body: &[u8]) -> Option<ProviderEvent> {
    let event: Value = serde_json::from_slice(body).ok()?;
    let record = event.get("RecordType")?.as_str()?;
    let to = addresses(event.get("Email"));
    let permanent = event
        .get("Type")
        .and_then(Value::as_str)
        .is_some_and(|t| POSTMARK_PERMANENT.contains(&t));
    Some(match record {
        "Bounce" if permanent && !to.is_empty() => ProviderEvent::Bounced(to),
        "SpamComplaint" if !to.is_empty() => ProviderEvent::Complained(to),
        _ => ProviderEvent::Ignored,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Svix's published test vector.
    const SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    const ID: &str = "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk";
    const TS: &str = "1649367553";
    const BODY: &[u8] = br#"{"email":"test@example.com","username":"test_user"}"#;
    const SIGNATURE: &str = "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=";

    #[test]
    fn svix_signatures_are_checked_as_svix_makes_them() {
        let now = 1_649_367_553;
        assert!(verify_svix(SECRET, ID, TS, BODY, SIGNATURE, now));
        assert!(
            verify_svix(
                SECRET,
                ID,
                TS,
                BODY,
                &format!("v1,bm90IHRoaXM= {SIGNATURE}"),
                now
            ),
            "one of several"
        );
        assert!(
            !verify_svix(SECRET, ID, TS, b"{}", SIGNATURE, now),
            "another body"
        );
        assert!(
            !verify_svix(SECRET, "msg_other", TS, BODY, SIGNATURE, now),
            "another id"
        );
        assert!(
            !verify_svix("whsec_bm90IHRoZSBrZXk=", ID, TS, BODY, SIGNATURE, now),
            "another key"
        );
        assert!(
            !verify_svix(SECRET, ID, TS, BODY, SIGNATURE, now + 301),
            "too old"
        );
        assert!(
            !verify_svix(SECRET, ID, TS, BODY, SIGNATURE, now - 301),
            "from the future"
        );
        assert!(!verify_svix(
            SECRET,
            ID,
            TS,
            BODY,
            "v2,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=",
            now
        ));
        let far = (now - i64::MAX).to_string();
        assert!(
            !verify_svix(SECRET, ID, &far, BODY, SIGNATURE, now),
            "no overflow"
        );
    }

    #[test]
    fn postmark_credentials_are_the_password_only() {
        let header = format!("Basic {}", STANDARD.encode("memnun:s3cret-value"));
        assert!(basic_auth_matches(Some(&header), "s3cret-value"));
        assert!(!basic_auth_matches(Some(&header), "s3cret-valuE"));
        assert!(!basic_auth_matches(None, "s3cret-value"));
        assert!(!basic_auth_matches(
            Some("Bearer s3cret-value"),
            "s3cret-value"
        ));
        assert!(!basic_auth_matches(
            Some(&format!("Basic {}", STANDARD.encode("nopassword"))),
            "nopassword"
        ));
    }

    #[test]
    fn events_that_suppress_and_events_that_do_not() {
        let bounced = br#"{"type":"email.bounced","created_at":"2026-12-01T10:00:00Z","data":{"email_id":"e1","to":["Ayse@Example.com"],"bounce":{"type":"Permanent"}}}"#;
        assert_eq!(
            read_resend(bounced),
            Some(ProviderEvent::Bounced(vec!["ayse@example.com".into()]))
        );
        let complained = br#"{"type":"email.complained","data":{"to":["a@b.c"]}}"#;
        assert_eq!(
            read_resend(complained),
            Some(ProviderEvent::Complained(vec!["a@b.c".into()]))
        );
        assert_eq!(
            read_resend(br#"{"type":"email.delivered","data":{"to":["a@b.c"]}}"#),
            Some(ProviderEvent::Ignored)
        );
        assert_eq!(read_resend(b"not json"), None);
        let hard = br#"{"RecordType":"Bounce","Type":"HardBounce","TypeCode":1,"Email":"x@y.z","MessageStream":"outbound"}"#;
        assert_eq!(
            read_postmark(hard),
            Some(ProviderEvent::Bounced(vec!["x@y.z".into()]))
        );
        let soft =
            br#"{"RecordType":"Bounce","Type":"SoftBounce","TypeCode":4096,"Email":"x@y.z"}"#;
        assert_eq!(read_postmark(soft), Some(ProviderEvent::Ignored));
        let spam = br#"{"RecordType":"SpamComplaint","Type":"SpamComplaint","Email":"x@y.z"}"#;
        assert_eq!(
            read_postmark(spam),
            Some(ProviderEvent::Complained(vec!["x@y.z".into()]))
        );
        assert_eq!(read_postmark(br#"{"Email":"x@y.z"}"#), None);
    }
}
