//! A shop's outreach settings (`/v1/admin/outreach`): whether and through which provider memnun
//! sends, from which address, when (the days after delivery, the quiet hours in the shop's time
//! zone, the per-shopper cap) and the shop's own subject and opening line per kind and language.
//! The provider's key is written, never read back: answers carry its last four characters.

use super::providers::ProviderName;
use super::{MessageKind, OPENING_MAX_CHARS};
use crate::review::LOCALES;
use crate::text::{FieldErrors, FieldProblem, TextRule, is_plausible_email};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const MAX_SETTINGS_BYTES: usize = 16 * 1024;
pub const REVIEW_DAYS_DEFAULT: u32 = 7;
pub const REVIEW_DAYS_MAX: i64 = 60;
pub const REMINDER_DAYS_DEFAULT: u32 = 7;
pub const REMINDER_DAYS_MAX: i64 = 30;
pub const SURVEY_DAYS_DEFAULT: u32 = 2;
pub const SURVEY_DAYS_MAX: i64 = 60;
pub const CAP_DAYS_DEFAULT: u32 = 3;
pub const CAP_DAYS_MAX: i64 = 30;
pub const TIME_ZONE_DEFAULT: &str = "Europe/Istanbul";
const SUBJECT_RULE: TextRule = TextRule {
    required: false,
    max_chars: 150,
    multiline: false,
};
const OPENING_RULE: TextRule = TextRule {
    required: false,
    max_chars: OPENING_MAX_CHARS,
    multiline: true,
};
const API_KEY_MAX_CHARS: usize = 200;
const SENDER_MAX_CHARS: usize = 200;

/// Hours of the shop's day in which nothing is sent: from `start` (inclusive) to `end`
/// (exclusive), across midnight when `start > end`; none when they are equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct QuietHours {
    pub start: u32,
    pub end: u32,
}

impl QuietHours {
    pub fn contains(self, hour: u32) -> bool {
        match self.start.cmp(&self.end) {
            std::cmp::Ordering::Equal => false,
            std::cmp::Ordering::Less => (self.start..self.end).contains(&hour),
            std::cmp::Ordering::Greater => hour >= self.start || hour < self.end,
        }
    }

    /// The first time from `now` (ms) outside these hours, with `hour_at` telling a time's hour
    /// in the shop's zone: `now` itself, or the start of the first hour after them.
    pub fn first_time_outside(self, now: i64, hour_at: impl Fn(i64) -> u32) -> i64 {
        const HOUR: i64 = 3_600_000;
        let mut at = now;
        for _ in 0..=48 {
            if !self.contains(hour_at(at)) {
                return at;
            }
            // The next whole hour: zones are whole hours or halves from UTC, and quiet hours
            // end on the hour.
            at = (at / (HOUR / 2) + 1) * (HOUR / 2);
        }
        at
    }
}

impl Default for QuietHours {
    fn default() -> Self {
        QuietHours { start: 21, end: 9 }
    }
}

/// When review requests go out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ReviewRequestTiming {
    pub on: bool,
    /// Days after delivery.
    pub days: u32,
    /// Days after the request for its one reminder, when no review came; 0 sends none.
    pub reminder_days: u32,
}

impl Default for ReviewRequestTiming {
    fn default() -> Self {
        ReviewRequestTiming {
            on: true,
            days: REVIEW_DAYS_DEFAULT,
            reminder_days: REMINDER_DAYS_DEFAULT,
        }
    }
}

/// When survey invitations go out (only while the shop's survey has a page and a question).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SurveyInvitationTiming {
    pub on: bool,
    /// Days after delivery.
    pub days: u32,
}

impl Default for SurveyInvitationTiming {
    fn default() -> Self {
        SurveyInvitationTiming {
            on: true,
            days: SURVEY_DAYS_DEFAULT,
        }
    }
}

/// Which shipment notices go out. All off until the merchant turns them on: Shopify and
/// WooCommerce send their own shipping emails, and a shopper should not get both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ShipmentNotices {
    #[serde(default)]
    pub shipped: bool,
    #[serde(default)]
    pub out_for_delivery: bool,
    #[serde(default)]
    pub delayed: bool,
    #[serde(default)]
    pub delivered: bool,
}

impl ShipmentNotices {
    /// Whether the shop sends `kind` (false for a kind that is not a shipment notice).
    pub fn sends(self, kind: MessageKind) -> bool {
        match kind {
            MessageKind::ShipmentShipped => self.shipped,
            MessageKind::ShipmentOutForDelivery => self.out_for_delivery,
            MessageKind::ShipmentDelayed => self.delayed,
            MessageKind::ShipmentDelivered => self.delivered,
            _ => false,
        }
    }

    /// The field that switches `kind` on and off, as the settings' JSON names it.
    pub fn switch(kind: MessageKind) -> Option<&'static str> {
        match kind {
            MessageKind::ShipmentShipped => Some("shipped"),
            MessageKind::ShipmentOutForDelivery => Some("out_for_delivery"),
            MessageKind::ShipmentDelayed => Some("delayed"),
            MessageKind::ShipmentDelivered => Some("delivered"),
            _ => None,
        }
    }
}

/// Whether a review's author hears of the merchant's reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ReplyNotice {
    pub on: bool,
}

impl Default for ReplyNotice {
    fn default() -> Self {
        ReplyNotice { on: true }
    }
}

/// Whether a question's author (who left an email) hears of the merchant's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct AnswerNotice {
    pub on: bool,
}

impl Default for AnswerNotice {
    fn default() -> Self {
        AnswerNotice { on: true }
    }
}

/// The merchant's weekly digest: on, and to whom.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DigestSettings {
    pub on: bool,
    /// The merchant's address.
    pub to: Option<String>,
}

/// A shop's own subject and opening line for one kind in one language.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OwnWords {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opening: Option<String>,
}

/// Kind → language → the shop's words.
pub type OwnTexts = BTreeMap<String, BTreeMap<String, OwnWords>>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OutreachSettings {
    /// Whether memnun sends messages for this shop. Off until the merchant turns it on.
    pub sending: bool,
    pub provider: Option<ProviderName>,
    /// The provider key's last four characters, when one is set.
    pub api_key_hint: Option<String>,
    /// Whether the secret that proves the provider's webhooks (bounces, complaints) is set.
    #[serde(default)]
    pub webhook_secret_set: bool,
    /// `Name <address>` or an address, on a domain the provider has verified.
    pub sender: Option<String>,
    pub reply_to: Option<String>,
    /// The language of messages about orders that do not name one: `tr` or `en`.
    pub locale: String,
    /// The shop's IANA time zone, for the quiet hours.
    pub time_zone: String,
    pub quiet_hours: QuietHours,
    /// At most one message per shopper in this many days, across kinds (shipment notices
    /// excepted); 0 for no cap.
    pub cap_days: u32,
    pub review_request: ReviewRequestTiming,
    #[serde(default)]
    pub survey_invitation: SurveyInvitationTiming,
    #[serde(default)]
    pub shipment_notices: ShipmentNotices,
    #[serde(default)]
    pub reply_notice: ReplyNotice,
    #[serde(default)]
    pub answer_notice: AnswerNotice,
    #[serde(default)]
    pub digest: DigestSettings,
    pub texts: OwnTexts,
}

impl Default for OutreachSettings {
    fn default() -> Self {
        OutreachSettings {
            sending: false,
            provider: None,
            api_key_hint: None,
            webhook_secret_set: false,
            sender: None,
            reply_to: None,
            locale: "tr".into(),
            time_zone: TIME_ZONE_DEFAULT.into(),
            quiet_hours: QuietHours::default(),
            cap_days: CAP_DAYS_DEFAULT,
            review_request: ReviewRequestTiming::default(),
            survey_invitation: SurveyInvitationTiming::default(),
            shipment_notices: ShipmentNotices::default(),
            reply_notice: ReplyNotice::default(),
            answer_notice: AnswerNotice::default(),
            digest: DigestSettings::default(),
            texts: OwnTexts::new(),
        }
    }
}

impl OutreachSettings {
    /// The shop's words for `kind` in `locale`, if it set any.
    pub fn own_words(&self, kind: MessageKind, locale: &str) -> OwnWords {
        self.texts
            .get(kind.as_str())
            .and_then(|by_locale| by_locale.get(locale))
            .cloned()
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ReviewRequestUpdate {
    #[serde(default)]
    pub on: Option<bool>,
    #[serde(default)]
    pub days: Option<i64>,
    #[serde(default)]
    pub reminder_days: Option<i64>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SurveyInvitationUpdate {
    #[serde(default)]
    pub on: Option<bool>,
    #[serde(default)]
    pub days: Option<i64>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ShipmentNoticesUpdate {
    #[serde(default)]
    pub shipped: Option<bool>,
    #[serde(default)]
    pub out_for_delivery: Option<bool>,
    #[serde(default)]
    pub delayed: Option<bool>,
    #[serde(default)]
    pub delivered: Option<bool>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ReplyNoticeUpdate {
    #[serde(default)]
    pub on: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DigestUpdate {
    #[serde(default)]
    pub on: Option<bool>,
    /// The merchant's address; `""` clears it.
    #[serde(default)]
    pub to: Option<String>,
}

/// The body of `PUT /v1/admin/outreach`: the fields given change, the others stay. An empty
/// `sender` or `reply_to` clears it; `texts` replaces the shop's whole set when given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OutreachSettingsUpdate {
    #[serde(default)]
    pub sending: Option<bool>,
    #[serde(default)]
    pub provider: Option<ProviderName>,
    /// The provider's API key (Resend: `re_…`; Postmark: the server token). Kept sealed.
    #[serde(default)]
    pub api_key: Option<String>,
    /// What proves the provider's bounce and complaint webhooks: Resend's endpoint signing
    /// secret (`whsec_…`); for Postmark, a password of the merchant's choosing (16 characters or
    /// more) put in the webhook's URL as `https://memnun:<password>@…`. Kept sealed.
    #[serde(default)]
    pub webhook_secret: Option<String>,
    #[serde(default)]
    pub sender: Option<String>,
    #[serde(default)]
    pub reply_to: Option<String>,
    #[serde(default)]
    pub locale: Option<String>,
    #[serde(default)]
    pub time_zone: Option<String>,
    #[serde(default)]
    pub quiet_hours: Option<QuietHours>,
    #[serde(default)]
    pub cap_days: Option<i64>,
    #[serde(default)]
    pub review_request: Option<ReviewRequestUpdate>,
    #[serde(default)]
    pub survey_invitation: Option<SurveyInvitationUpdate>,
    #[serde(default)]
    pub shipment_notices: Option<ShipmentNoticesUpdate>,
    #[serde(default)]
    pub reply_notice: Option<ReplyNoticeUpdate>,
    /// `{"on": bool}`, as `reply_notice`.
    #[serde(default)]
    pub answer_notice: Option<ReplyNoticeUpdate>,
    #[serde(default)]
    pub digest: Option<DigestUpdate>,
    #[serde(default)]
    pub texts: Option<OwnTexts>,
}

/// `Name <address>` or an address: one line, a plausible address.
pub fn is_sender(value: &str) -> bool {
    if value.chars().count() > SENDER_MAX_CHARS || value.chars().any(char::is_control) {
        return false;
    }
    match value
        .trim()
        .strip_suffix('>')
        .and_then(|v| v.rsplit_once('<'))
    {
        Some((name, address)) => !name.contains(['<', '>', '"']) && is_plausible_email(address),
        None => is_plausible_email(value.trim()),
    }
}

/// An IANA zone's shape (`Europe/Istanbul`, `UTC`); whether it exists, the runtime knows.
pub fn is_time_zone_name(value: &str) -> bool {
    let mut chars = value.chars();
    value.len() <= 64
        && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '+'))
}

fn days(
    value: Option<i64>,
    max: i64,
    name: &'static str,
    into: &mut u32,
    errors: &mut FieldErrors,
) {
    match value {
        None => {}
        Some(d) if (0..=max).contains(&d) => *into = d as u32,
        Some(_) => errors.push(name, FieldProblem::OutOfRange { min: 0, max }),
    }
}

/// What an update leaves: the settings, and the new secrets to seal if any were given.
#[derive(Debug)]
pub struct Applied {
    pub settings: OutreachSettings,
    pub api_key: Option<String>,
    pub webhook_secret: Option<String>,
    /// The provider changed without a new webhook secret: the stored one goes.
    pub forget_webhook_secret: bool,
}

/// Whether `secret` can prove `provider`'s webhooks.
fn webhook_secret_fits(provider: Option<ProviderName>, secret: &str) -> bool {
    use base64::Engine;
    let clean = !secret.chars().any(|c| c.is_whitespace() || c.is_control())
        && secret.chars().count() <= API_KEY_MAX_CHARS;
    clean
        && match provider {
            Some(ProviderName::Resend) => secret.strip_prefix("whsec_").is_some_and(|key| {
                base64::engine::general_purpose::STANDARD
                    .decode(key)
                    .is_ok_and(|k| k.len() >= 16)
            }),
            // It goes in the webhook's URL (`https://memnun:<password>@…`): unreserved
            // characters only, so that nothing needs escaping there.
            Some(ProviderName::Postmark) => {
                secret.chars().count() >= 16
                    && secret
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~'))
            }
            None => false,
        }
}

impl OutreachSettingsUpdate {
    /// `current` with this update; `key_stored` says whether a key is kept already.
    pub fn apply(
        &self,
        current: &OutreachSettings,
        key_stored: bool,
    ) -> Result<Applied, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut next = current.clone();
        let mut api_key = None;
        if let Some(on) = self.sending {
            next.sending = on;
        }
        // Another provider needs its own key and webhook secret: the old ones must never reach it.
        let provider_changed = self
            .provider
            .is_some_and(|p| current.provider.is_some_and(|c| c != p));
        if let Some(provider) = self.provider {
            next.provider = Some(provider);
        }
        if provider_changed {
            if self.api_key.is_none() {
                errors.push("api_key", FieldProblem::Required);
            }
            if self.webhook_secret.is_none() {
                next.webhook_secret_set = false;
            }
        }
        if let Some(key) = &self.api_key {
            let key = key.trim();
            if key.is_empty() {
                errors.push("api_key", FieldProblem::Required);
            } else if key.chars().count() > API_KEY_MAX_CHARS
                || key.chars().any(|c| c.is_whitespace() || c.is_control())
            {
                errors.push("api_key", FieldProblem::NotAChoice);
            } else {
                let tail: String = key
                    .chars()
                    .rev()
                    .take(4)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                next.api_key_hint = Some(format!("…{tail}"));
                api_key = Some(key.to_owned());
            }
        }
        let mut webhook_secret = None;
        if let Some(secret) = &self.webhook_secret {
            let secret = secret.trim();
            if webhook_secret_fits(next.provider, secret) {
                next.webhook_secret_set = true;
                webhook_secret = Some(secret.to_owned());
            } else {
                errors.push("webhook_secret", FieldProblem::NotAChoice);
            }
        }
        for (name, given, into) in [
            ("sender", &self.sender, &mut next.sender),
            ("reply_to", &self.reply_to, &mut next.reply_to),
        ] {
            match given.as_deref().map(str::trim) {
                None => {}
                Some("") => *into = None,
                Some(value) if is_sender(value) => *into = Some(value.to_owned()),
                Some(_) => errors.push(name, FieldProblem::NotAnEmail),
            }
        }
        match self.locale.as_deref() {
            None => {}
            Some(locale) if LOCALES.contains(&locale) => next.locale = locale.to_owned(),
            Some(_) => errors.push("locale", FieldProblem::NotAChoice),
        }
        match self.time_zone.as_deref() {
            None => {}
            Some(zone) if is_time_zone_name(zone) => next.time_zone = zone.to_owned(),
            Some(_) => errors.push("time_zone", FieldProblem::NotAChoice),
        }
        match self.quiet_hours {
            None => {}
            Some(q) if q.start <= 23 && q.end <= 23 => next.quiet_hours = q,
            Some(_) => errors.push("quiet_hours", FieldProblem::OutOfRange { min: 0, max: 23 }),
        }
        days(
            self.cap_days,
            CAP_DAYS_MAX,
            "cap_days",
            &mut next.cap_days,
            &mut errors,
        );
        if let Some(r) = self.review_request {
            let timing = &mut next.review_request;
            timing.on = r.on.unwrap_or(timing.on);
            days(
                r.days,
                REVIEW_DAYS_MAX,
                "review_request.days",
                &mut timing.days,
                &mut errors,
            );
            days(
                r.reminder_days,
                REMINDER_DAYS_MAX,
                "review_request.reminder_days",
                &mut timing.reminder_days,
                &mut errors,
            );
        }
        if let Some(u) = self.survey_invitation {
            let timing = &mut next.survey_invitation;
            timing.on = u.on.unwrap_or(timing.on);
            days(
                u.days,
                SURVEY_DAYS_MAX,
                "survey_invitation.days",
                &mut timing.days,
                &mut errors,
            );
        }
        if let Some(u) = self.shipment_notices {
            let notices = &mut next.shipment_notices;
            for (given, into) in [
                (u.shipped, &mut notices.shipped),
                (u.out_for_delivery, &mut notices.out_for_delivery),
                (u.delayed, &mut notices.delayed),
                (u.delivered, &mut notices.delivered),
            ] {
                *into = given.unwrap_or(*into);
            }
        }
        if let Some(on) = self.reply_notice.and_then(|r| r.on) {
            next.reply_notice.on = on;
        }
        if let Some(on) = self.answer_notice.and_then(|r| r.on) {
            next.answer_notice.on = on;
        }
        if let Some(digest) = &self.digest {
            next.digest.on = digest.on.unwrap_or(next.digest.on);
            match digest.to.as_deref().map(str::trim) {
                None => {}
                Some("") => next.digest.to = None,
                Some(to) if is_plausible_email(to) && !to.chars().any(char::is_control) => {
                    next.digest.to = Some(to.to_owned())
                }
                Some(_) => errors.push("digest.to", FieldProblem::NotAnEmail),
            }
            if next.digest.on && next.digest.to.is_none() && errors.get("digest.to").is_none() {
                errors.push("digest.to", FieldProblem::Required);
            }
        }
        if let Some(texts) = &self.texts {
            next.texts = OwnTexts::new();
            'texts: for (kind, by_locale) in texts {
                // The digest is memnun's words only.
                if MessageKind::parse(kind).is_none_or(|k| k == MessageKind::MerchantDigest) {
                    errors.push("texts", FieldProblem::NotAChoice);
                    break;
                }
                for (locale, words) in by_locale {
                    if !LOCALES.contains(&locale.as_str()) {
                        errors.push("texts", FieldProblem::NotAChoice);
                        break 'texts;
                    }
                    let mut kept = OwnWords::default();
                    for (text, rule, into) in [
                        (&words.subject, SUBJECT_RULE, &mut kept.subject),
                        (&words.opening, OPENING_RULE, &mut kept.opening),
                    ] {
                        let Some(text) = text.as_deref().map(str::trim).filter(|t| !t.is_empty())
                        else {
                            continue;
                        };
                        if let Err(problem) = rule.check(text) {
                            errors.push("texts", problem);
                            break 'texts;
                        }
                        *into = Some(text.to_owned());
                    }
                    if kept != OwnWords::default() {
                        next.texts
                            .entry(kind.clone())
                            .or_default()
                            .insert(locale.clone(), kept);
                    }
                }
            }
        }
        if next.sending {
            if next.provider.is_none() {
                errors.push("provider", FieldProblem::Required);
            }
            if api_key.is_none() && !key_stored && self.api_key.is_none() {
                errors.push("api_key", FieldProblem::Required);
            }
            if next.sender.is_none() && errors.get("sender").is_none() {
                errors.push("sender", FieldProblem::Required);
            }
        }
        if errors.is_empty() {
            Ok(Applied {
                forget_webhook_secret: provider_changed && webhook_secret.is_none(),
                settings: next,
                api_key,
                webhook_secret,
            })
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update(json: &str) -> OutreachSettingsUpdate {
        serde_json::from_str(json).expect("json")
    }

    #[test]
    fn sending_needs_a_provider_a_key_and_a_sender() {
        let current = OutreachSettings::default();
        let e = update(r#"{"sending":true}"#)
            .apply(&current, false)
            .expect_err("refused");
        assert_eq!(e.get("provider"), Some(FieldProblem::Required));
        assert_eq!(e.get("api_key"), Some(FieldProblem::Required));
        assert_eq!(e.get("sender"), Some(FieldProblem::Required));
        let applied = update(
            r#"{"sending":true,"provider":"resend","api_key":"re_abcdef123",
                "sender":"Atölye <magaza@atolye.example>"}"#,
        )
        .apply(&current, false)
        .expect("valid");
        assert_eq!(applied.api_key.as_deref(), Some("re_abcdef123"));
        assert_eq!(applied.settings.api_key_hint.as_deref(), Some("…f123"));
        let again = update(r#"{"cap_days":5}"#)
            .apply(&applied.settings, true)
            .expect("the stored key stays");
        assert_eq!(again.api_key, None);
        assert_eq!(again.settings.cap_days, 5);
        let switched = update(r#"{"provider":"postmark"}"#)
            .apply(&again.settings, true)
            .expect_err("the Resend key must not go to Postmark");
        assert_eq!(switched.get("api_key"), Some(FieldProblem::Required));
        let cleared = update(r#"{"sender":""}"#)
            .apply(&again.settings, true)
            .expect_err("sending needs a sender");
        assert_eq!(cleared.get("sender"), Some(FieldProblem::Required));
    }

    #[test]
    fn settings_are_checked_field_by_field() {
        let e = update(
            r#"{"sender":"a\r\nBcc: x@y.z <a@b.c>","time_zone":"../etc","cap_days":31,
                "review_request":{"days":61,"reminder_days":-1},"quiet_hours":{"start":24,"end":9},
                "survey_invitation":{"days":61},
                "texts":{"review_request":{"de":{"subject":"x"}}}}"#,
        )
        .apply(&OutreachSettings::default(), false)
        .expect_err("refused");
        for field in [
            "sender",
            "time_zone",
            "cap_days",
            "review_request.days",
            "review_request.reminder_days",
            "survey_invitation.days",
            "quiet_hours",
            "texts",
        ] {
            assert!(e.get(field).is_some(), "{field}");
        }
        assert!(serde_json::from_str::<OutreachSettingsUpdate>(r#"{"api_secret":"x"}"#).is_err());
    }

    #[test]
    fn a_webhook_secret_fits_its_provider() {
        let resend = update(
            r#"{"provider":"resend","webhook_secret":"whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"}"#,
        )
        .apply(&OutreachSettings::default(), false)
        .expect("valid");
        assert!(resend.settings.webhook_secret_set);
        assert!(resend.webhook_secret.is_some());
        let e = update(r#"{"provider":"resend","webhook_secret":"plain-password-123456"}"#)
            .apply(&OutreachSettings::default(), false)
            .expect_err("not a Svix secret");
        assert_eq!(e.get("webhook_secret"), Some(FieldProblem::NotAChoice));
        assert!(
            update(r#"{"provider":"postmark","webhook_secret":"short"}"#)
                .apply(&OutreachSettings::default(), false)
                .is_err()
        );
        assert!(
            update(r#"{"provider":"postmark","webhook_secret":"a-long-enough:pass@word"}"#)
                .apply(&OutreachSettings::default(), false)
                .is_err(),
            "not in a URL's user info as it is"
        );
        assert!(
            update(r#"{"provider":"postmark","webhook_secret":"a-long-enough-password"}"#)
                .apply(&OutreachSettings::default(), false)
                .is_ok()
        );
    }

    #[test]
    fn shipment_notices_are_off_until_turned_on_one_by_one() {
        let current = OutreachSettings::default();
        assert!(
            !MessageKind::ALL
                .into_iter()
                .any(|k| current.shipment_notices.sends(k))
        );
        let applied = update(r#"{"shipment_notices":{"shipped":true,"delayed":true}}"#)
            .apply(&current, false)
            .expect("valid");
        let notices = applied.settings.shipment_notices;
        assert!(notices.sends(MessageKind::ShipmentShipped));
        assert!(notices.sends(MessageKind::ShipmentDelayed));
        assert!(!notices.sends(MessageKind::ShipmentDelivered));
        assert!(!notices.sends(MessageKind::ReviewRequest));
        let later = update(r#"{"shipment_notices":{"delayed":false}}"#)
            .apply(&applied.settings, false)
            .expect("valid");
        assert!(
            later.settings.shipment_notices.shipped,
            "what is not named stays"
        );
        assert!(!later.settings.shipment_notices.delayed);
        // The edge plans by the switch's name in the stored JSON: each names its own field.
        let all = ShipmentNotices {
            shipped: true,
            out_for_delivery: false,
            delayed: false,
            delivered: false,
        };
        for kind in MessageKind::ALL {
            let Some(name) = ShipmentNotices::switch(kind) else {
                assert!(!kind.is_shipment_notice(), "{kind:?}");
                continue;
            };
            let json = serde_json::to_value(all).expect("json");
            assert_eq!(json[name].as_bool(), Some(all.sends(kind)), "{name}");
        }
        // Settings stored before these kinds existed still read.
        let stored = r#"{"sending":false,"provider":null,"api_key_hint":null,"sender":null,
            "reply_to":null,"locale":"tr","time_zone":"UTC","quiet_hours":{"start":21,"end":9},
            "cap_days":3,"review_request":{"on":true,"days":7,"reminder_days":7},"texts":{}}"#;
        let read: OutreachSettings = serde_json::from_str(stored).expect("reads");
        assert_eq!(read.survey_invitation, SurveyInvitationTiming::default());
    }

    #[test]
    fn senders() {
        assert!(is_sender("magaza@atolye.example"));
        assert!(is_sender("Atölye Fincan <magaza@atolye.example>"));
        assert!(!is_sender("Atölye <magaza>"));
        assert!(!is_sender("A <b@c.d>\nBcc: e@f.g"));
        assert!(!is_sender("A\" <b@c.d>"));
    }

    #[test]
    fn quiet_hours_cross_midnight() {
        let q = QuietHours { start: 21, end: 9 };
        assert!(q.contains(21) && q.contains(3) && !q.contains(9) && !q.contains(20));
        let day = QuietHours { start: 12, end: 14 };
        assert!(day.contains(13) && !day.contains(14));
        assert!(!QuietHours { start: 5, end: 5 }.contains(5));
        // Istanbul (UTC+3): 23:10 local is 20:10 UTC; the first time outside is 09:00 local.
        let hour = 3_600_000;
        let istanbul = |t: i64| ((t / hour + 3) % 24) as u32;
        let at = 20 * hour + 10 * 60_000;
        assert_eq!(q.first_time_outside(at, istanbul), 6 * hour + 24 * hour);
        assert_eq!(
            q.first_time_outside(10 * hour, istanbul),
            10 * hour,
            "day time: now"
        );
    }
}
