//! The email providers memnun sends through, each behind [`EmailProvider`]: what its HTTP API
//! takes (URL, authentication header, JSON fields) and what its answers mean. Data in, data out:
//! the edge does the fetch, so the rules are tested here and the same sending code runs against
//! the providers and against the tests' capture server.
//!
//! What an answer means, for every provider alike: 2xx is sent (with the provider's message id);
//! 429 and 5xx are tried again later (after `Retry-After` when given); any other 4xx is final
//! (a key, sender or recipient the provider refuses: trying again sends nothing). Resend keeps an
//! `Idempotency-Key` for 24 hours, so a send repeated after a lost answer is not delivered twice;
//! Postmark has none, so the edge notes each attempt before it sends, and a message whose
//! attempt went unanswered is not sent again (at most once).

use super::Email;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The providers a shop may choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum ProviderName {
    Resend,
    Postmark,
}

impl ProviderName {
    pub const fn as_str(self) -> &'static str {
        match self {
            ProviderName::Resend => "resend",
            ProviderName::Postmark => "postmark",
        }
    }

    /// Where its API is, unless the deployment points elsewhere (the tests' capture server).
    pub const fn base_url(self) -> &'static str {
        match self {
            ProviderName::Resend => "https://api.resend.com",
            ProviderName::Postmark => "https://api.postmarkapp.com",
        }
    }

    pub fn provider(self) -> &'static dyn EmailProvider {
        match self {
            ProviderName::Resend => &Resend,
            ProviderName::Postmark => &Postmark,
        }
    }
}

/// Who a message is from and to, and what memnun calls it.
pub struct Envelope<'a> {
    /// The shop's sender, `Name <address>` or an address.
    pub from: &'a str,
    pub to: &'a str,
    pub reply_to: Option<&'a str>,
    /// The kind of message, as the provider's tag (its own statistics per kind).
    pub kind: &'a str,
    /// memnun's id of the message: the idempotency key where the provider keeps one.
    pub message_id: &'a str,
}

/// An HTTP request to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderRequest {
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

/// What a provider's answer means for the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    Sent {
        provider_id: String,
    },
    /// Try again later: not before `after_s` seconds, when the provider says.
    Retry {
        reason: String,
        after_s: Option<u64>,
    },
    /// Final. `suppress`: the provider refuses the recipient itself (bounced before, or
    /// complained), so nothing more should go to them.
    Refused {
        reason: String,
        suppress: bool,
    },
}

pub trait EmailProvider {
    fn name(&self) -> ProviderName;
    /// Whether the provider keeps an idempotency key, so that a request repeated after a lost
    /// answer sends nothing twice. Without one, a message whose send went unanswered is not sent
    /// again (at most once).
    fn idempotent(&self) -> bool;
    /// The request that sends `email`, to `base` (the provider's own URL or a stand-in).
    fn request(
        &self,
        base: &str,
        api_key: &str,
        envelope: &Envelope<'_>,
        email: &Email,
    ) -> ProviderRequest;
    /// What the answer with `status`, its `Retry-After` header and `body` means.
    fn outcome(&self, status: u16, retry_after: Option<&str>, body: &str) -> SendOutcome;
}

/// The waits between attempts after a 429, a 5xx or no answer, in seconds: the last attempt
/// comes about 21 hours after the first, inside the 24 hours Resend keeps an idempotency key.
pub const RETRY_DELAYS_S: [i64; 6] = [60, 300, 1_800, 7_200, 21_600, 43_200];

/// When to try again after `attempts` failed ones, or `None` to give up.
pub fn next_attempt_after(attempts: u32, now_ms: i64) -> Option<i64> {
    let delay = RETRY_DELAYS_S.get(attempts.checked_sub(1)? as usize)?;
    Some(now_ms + delay * 1000)
}

/// The longest reason kept from a provider's answer.
const REASON_MAX_CHARS: usize = 300;

/// The provider's reason, one line, without any address in it (Postmark names the inactive
/// recipients in its message; the merchant's list must not show them).
fn reason(status: u16, message: Option<&str>) -> String {
    let said: String = message
        .unwrap_or("")
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|word| !word.is_empty())
        .map(|word| {
            if word.contains('@') {
                "[address]"
            } else {
                word
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(REASON_MAX_CHARS)
        .collect();
    match said.trim() {
        "" => format!("answered {status}"),
        said => format!("answered {status}: {said}"),
    }
}

fn field<'a>(body: &'a Value, name: &str) -> Option<&'a str> {
    body.get(name).and_then(Value::as_str)
}

/// Seconds in a `Retry-After` header (the HTTP-date form is read as "no hint").
fn retry_after_seconds(header: Option<&str>) -> Option<u64> {
    header.and_then(|h| h.trim().parse().ok())
}

/// The outcome every provider shares for a status that is not a success.
fn not_sent(status: u16, retry_after: Option<&str>, message: Option<&str>) -> SendOutcome {
    if status == 429 || status >= 500 {
        SendOutcome::Retry {
            reason: reason(status, message),
            after_s: retry_after_seconds(retry_after),
        }
    } else {
        SendOutcome::Refused {
            reason: reason(status, message),
            suppress: false,
        }
    }
}

/// Resend (`POST /emails`, resend.com/docs/api-reference/emails/send-email).
pub struct Resend;

impl EmailProvider for Resend {
    fn name(&self) -> ProviderName {
        ProviderName::Resend
    }

    fn idempotent(&self) -> bool {
        true
    }

    fn request(
        &self,
        base: &str,
        api_key: &str,
        envelope: &Envelope<'_>,
        email: &Email,
    ) -> ProviderRequest {
        let headers: serde_json::Map<String, Value> = email
            .headers
            .iter()
            .map(|(name, value)| ((*name).to_owned(), Value::from(value.as_str())))
            .collect();
        let mut body = json!({
            "from": envelope.from,
            "to": [envelope.to],
            "subject": email.subject,
            "html": email.html,
            "text": email.text,
            "headers": headers,
            "tags": [{ "name": "kind", "value": envelope.kind }],
        });
        if let Some(reply_to) = envelope.reply_to {
            body["reply_to"] = json!([reply_to]);
        }
        ProviderRequest {
            url: format!("{}/emails", base.trim_end_matches('/')),
            headers: vec![
                ("Authorization", format!("Bearer {api_key}")),
                ("Content-Type", "application/json".into()),
                // Resend refuses requests without one (403).
                ("User-Agent", "memnun/0.1".into()),
                ("Idempotency-Key", format!("memnun-{}", envelope.message_id)),
            ],
            body: body.to_string(),
        }
    }

    fn outcome(&self, status: u16, retry_after: Option<&str>, body: &str) -> SendOutcome {
        let body: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        if (200..300).contains(&status) {
            return match field(&body, "id") {
                Some(id) => SendOutcome::Sent {
                    provider_id: id.to_owned(),
                },
                // Sent, as the status says; the id is only for the merchant's eyes.
                None => SendOutcome::Sent {
                    provider_id: String::new(),
                },
            };
        }
        let message = field(&body, "message");
        // The same key still being handled by another request: its outcome is not known yet.
        if status == 409 && field(&body, "name") == Some("concurrent_idempotent_requests") {
            return SendOutcome::Retry {
                reason: reason(status, message),
                after_s: retry_after_seconds(retry_after),
            };
        }
        not_sent(status, retry_after, message)
    }
}

/// Postmark (`POST /email`, postmarkapp.com/developer/api/email-api).
pub struct Postmark;

/// Postmark's error code for a recipient it has marked inactive (a hard bounce or a spam
/// complaint before).
const POSTMARK_INACTIVE_RECIPIENT: i64 = 406;

impl EmailProvider for Postmark {
    fn name(&self) -> ProviderName {
        ProviderName::Postmark
    }

    fn idempotent(&self) -> bool {
        false
    }

    fn request(
        &self,
        base: &str,
        api_key: &str,
        envelope: &Envelope<'_>,
        email: &Email,
    ) -> ProviderRequest {
        let headers: Vec<Value> = email
            .headers
            .iter()
            .map(|(name, value)| json!({ "Name": name, "Value": value }))
            .collect();
        let mut body = json!({
            "From": envelope.from,
            "To": envelope.to,
            "Subject": email.subject,
            "HtmlBody": email.html,
            "TextBody": email.text,
            "Headers": headers,
            "Tag": envelope.kind,
            "Metadata": { "memnun_message": envelope.message_id },
            "MessageStream": "outbound",
            // No open pixel, no rewritten links: memnun does not track its readers.
            "TrackOpens": false,
            "TrackLinks": "None",
        });
        if let Some(reply_to) = envelope.reply_to {
            body["ReplyTo"] = json!(reply_to);
        }
        ProviderRequest {
            url: format!("{}/email", base.trim_end_matches('/')),
            headers: vec![
                ("Accept", "application/json".into()),
                ("Content-Type", "application/json".into()),
                ("X-Postmark-Server-Token", api_key.to_owned()),
            ],
            body: body.to_string(),
        }
    }

    fn outcome(&self, status: u16, retry_after: Option<&str>, body: &str) -> SendOutcome {
        let body: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        let code = body.get("ErrorCode").and_then(Value::as_i64).unwrap_or(0);
        let message = field(&body, "Message");
        if (200..300).contains(&status) && code == 0 {
            return SendOutcome::Sent {
                provider_id: field(&body, "MessageID").unwrap_or("").to_owned(),
            };
        }
        if code == POSTMARK_INACTIVE_RECIPIENT {
            return SendOutcome::Refused {
                reason: reason(status, message),
                suppress: true,
            };
        }
        if (200..300).contains(&status) {
            return SendOutcome::Refused {
                reason: reason(status, message),
                suppress: false,
            };
        }
        not_sent(status, retry_after, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email() -> Email {
        Email {
            subject: "Siparişiniz nasıldı?".into(),
            html: "<p>Merhaba</p>".into(),
            text: "Merhaba".into(),
            headers: vec![
                ("List-Unsubscribe", "<https://edge.example/u?t=x>".into()),
                ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click".into()),
            ],
        }
    }

    fn envelope() -> Envelope<'static> {
        Envelope {
            from: "Atölye <magaza@atolye.example>",
            to: "ayse@example.com",
            reply_to: Some("destek@atolye.example"),
            kind: "review_request",
            message_id: "m1",
        }
    }

    fn header<'a>(request: &'a ProviderRequest, name: &str) -> Option<&'a str> {
        request
            .headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn resend_takes_its_documented_fields_with_a_key_per_message() {
        let request = Resend.request("https://api.resend.com", "re_123", &envelope(), &email());
        assert_eq!(request.url, "https://api.resend.com/emails");
        assert_eq!(header(&request, "Authorization"), Some("Bearer re_123"));
        assert_eq!(header(&request, "Idempotency-Key"), Some("memnun-m1"));
        assert!(header(&request, "User-Agent").is_some());
        let body: Value = serde_json::from_str(&request.body).expect("json");
        assert_eq!(body["to"], json!(["ayse@example.com"]));
        assert_eq!(body["reply_to"], json!(["destek@atolye.example"]));
        assert_eq!(body["text"], "Merhaba");
        assert_eq!(
            body["headers"]["List-Unsubscribe-Post"],
            "List-Unsubscribe=One-Click"
        );
        assert_eq!(body["tags"][0]["value"], "review_request");
    }

    #[test]
    fn postmark_takes_its_documented_fields_without_tracking() {
        let request = Postmark.request(
            "https://api.postmarkapp.com/",
            "pm-1",
            &envelope(),
            &email(),
        );
        assert_eq!(request.url, "https://api.postmarkapp.com/email");
        assert_eq!(header(&request, "X-Postmark-Server-Token"), Some("pm-1"));
        let body: Value = serde_json::from_str(&request.body).expect("json");
        assert_eq!(body["To"], "ayse@example.com");
        assert_eq!(body["HtmlBody"], "<p>Merhaba</p>");
        assert_eq!(body["TrackOpens"], false);
        assert_eq!(body["Headers"][0]["Name"], "List-Unsubscribe");
        assert_eq!(body["MessageStream"], "outbound");
    }

    #[test]
    fn answers_mean_the_same_for_both_providers() {
        assert_eq!(
            Resend.outcome(200, None, r#"{"id":"49a3999c"}"#),
            SendOutcome::Sent {
                provider_id: "49a3999c".into()
            }
        );
        assert_eq!(
            Postmark.outcome(200, None, r#"{"ErrorCode":0,"MessageID":"b7bc2f4a"}"#),
            SendOutcome::Sent {
                provider_id: "b7bc2f4a".into()
            }
        );
        assert_eq!(
            Resend.outcome(
                429,
                Some("7"),
                r#"{"statusCode":429,"name":"rate_limit_exceeded","message":"Too many requests"}"#
            ),
            SendOutcome::Retry {
                reason: "answered 429: Too many requests".into(),
                after_s: Some(7)
            }
        );
        assert!(matches!(
            Postmark.outcome(503, None, ""),
            SendOutcome::Retry { after_s: None, .. }
        ));
        assert_eq!(
            Resend.outcome(422, None, r#"{"statusCode":422,"name":"validation_error","message":"Invalid `from` field.\nUse name <email>"}"#),
            SendOutcome::Refused {
                reason: "answered 422: Invalid `from` field. Use name <email>".into(),
                suppress: false
            }
        );
        assert_eq!(
            Postmark.outcome(422, None, r#"{"ErrorCode":406,"Message":"You tried to send to recipient(s) that have been marked as inactive. Found inactive addresses: ayse@example.com. Inactive recipients are ones that have generated a hard bounce or a spam complaint."}"#),
            SendOutcome::Refused {
                reason: "answered 422: You tried to send to recipient(s) that have been marked as inactive. Found inactive addresses: [address] Inactive recipients are ones that have generated a hard bounce or a spam complaint.".into(),
                suppress: true
            }
        );
        assert!(matches!(
            Resend.outcome(
                409,
                None,
                r#"{"name":"concurrent_idempotent_requests","message":"busy"}"#
            ),
            SendOutcome::Retry { .. }
        ));
        assert!(matches!(
            Resend.outcome(
                409,
                None,
                r#"{"name":"invalid_idempotent_request","message":"other payload"}"#
            ),
            SendOutcome::Refused { .. }
        ));
        assert!(matches!(
            Resend.outcome(400, None, "not json"),
            SendOutcome::Refused { .. }
        ));
    }
}
