//! The merchant's view of reviews (`/v1/admin/reviews…`): every review with what the public
//! never sees (email, status, why it is held, reports, order), moderation decisions, replies,
//! and the audit log of every moderation action.

use crate::api::query::{Bounded, Cursor, FromCursor, IdParam};
use crate::review::{BODY_RULE, Reply, ReviewIdParam, ReviewStatus};
use crate::text::{FieldErrors, TextRule};
use serde::{Deserialize, Serialize};

pub const MAX_REQUEST_BYTES: usize = 32 * 1024;
/// Reviews per page of the merchant's list when not asked otherwise, and at most.
pub const PAGE_SIZE_DEFAULT: u32 = 20;
pub const PAGE_SIZE_MAX: u32 = 100;

pub const REASON_RULE: TextRule = TextRule {
    required: true,
    max_chars: 500,
    multiline: true,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct MerchantReview {
    pub id: String,
    pub product: String,
    pub rating: u8,
    pub title: String,
    pub body: String,
    pub author: String,
    pub email: Option<String>,
    pub locale: Option<String>,
    pub status: ReviewStatus,
    /// Why it waits in the queue (`hold_all`, `low_rating`, `blocked_word`, `duplicate`,
    /// `reported`), or why it was last held.
    pub hold_reason: Option<String>,
    pub verified: bool,
    pub order: Option<String>,
    pub helpful: u32,
    pub reports: u32,
    pub reply: Option<Reply>,
    /// `widget` or `import`.
    pub source: String,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Its photos in order, whatever their status; left out when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<MerchantPhoto>,
}

/// A review's photo as the merchant sees it: its bytes at `GET /v1/admin/photos/{id}` (any
/// status), and for the public at `/v1/shops/{shop}/photos/{id}` once it is shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct MerchantPhoto {
    pub id: String,
    /// `published` (shown with the review once the review is), `pending` (waiting for the
    /// merchant) or `rejected`.
    pub status: ReviewStatus,
    /// `ready`, or for an imported photo not copied yet `waiting`, or `failed`.
    pub state: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// A page of `GET /v1/admin/reviews?status=…`, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct MerchantReviewPage {
    pub reviews: Vec<MerchantReview>,
    pub next_cursor: Option<String>,
}

/// The body of `POST /v1/admin/reviews/{review}/reject`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Rejection {
    #[serde(default)]
    pub reason: Option<String>,
}

impl Rejection {
    pub fn validate(&self) -> Result<String, FieldErrors> {
        text_field("reason", REASON_RULE, self.reason.as_deref())
    }
}

/// The body of `PUT /v1/admin/reviews/{review}/reply`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ReplyUpdate {
    #[serde(default)]
    pub body: Option<String>,
}

impl ReplyUpdate {
    pub fn validate(&self) -> Result<String, FieldErrors> {
        text_field("body", BODY_RULE, self.body.as_deref())
    }

    /// The same update with its text NFC-normalised, as the edge checks and stores it.
    #[cfg(feature = "normalize")]
    pub fn normalized(&self) -> ReplyUpdate {
        ReplyUpdate {
            body: self.body.as_deref().map(crate::text::normalize),
        }
    }
}

fn text_field(
    field: &'static str,
    rule: TextRule,
    value: Option<&str>,
) -> Result<String, FieldErrors> {
    let value = value.unwrap_or("");
    match rule.check(value) {
        Ok(()) => Ok(value.to_owned()),
        Err(problem) => {
            let mut errors = FieldErrors::default();
            errors.push(field, problem);
            Err(errors)
        }
    }
}

/// What happened to a review, as the audit log records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ModerationAction {
    /// Held on arrival by the shop's policy (actor `system`).
    Held,
    /// Held after reaching the shop's report threshold (actor `system`).
    HeldForReports,
    Approved,
    Rejected,
    Replied,
    ReplyRemoved,
}

impl ModerationAction {
    pub const fn as_str(self) -> &'static str {
        match self {
            ModerationAction::Held => "held",
            ModerationAction::HeldForReports => "held_for_reports",
            ModerationAction::Approved => "approved",
            ModerationAction::Rejected => "rejected",
            ModerationAction::Replied => "replied",
            ModerationAction::ReplyRemoved => "reply_removed",
        }
    }
}

/// The actor of actions taken by the policy, not by a person.
pub const SYSTEM_ACTOR: &str = "system";

/// One line of `GET /v1/admin/moderation-log`: who (the API key's name, or `system`), when,
/// what, why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ModerationLogEntry {
    pub id: i64,
    pub review: String,
    pub action: String,
    pub actor: String,
    pub reason: Option<String>,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// A page of the log, newest first; pass `next_cursor` as `cursor` for older entries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ModerationLogPage {
    pub entries: Vec<ModerationLogEntry>,
    pub next_cursor: Option<String>,
}

/// The answer to `POST /v1/admin/reviews/import`: rows added, rows already there, and every
/// refused row with its line and reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ImportReport {
    /// Whose export the file was read as: `memnun`, `judge_me`, `yotpo`, `okendo` or
    /// `shopify_product_reviews`.
    #[serde(default)]
    pub format: String,
    pub imported: u32,
    pub duplicates: u32,
    pub refused: Vec<RefusedRow>,
    /// Photos of the imported reviews queued to be copied (`GET /v1/admin/photos` follows them).
    #[serde(default)]
    pub photos: u32,
}

/// `GET /v1/admin/photos`: how the copies of imported photos are getting on. The scheduled
/// job copies a few each minute; a photo it cannot copy is tried three times, then given up on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct PhotoCopies {
    /// Waiting for their copy (or their next try).
    pub waiting: u32,
    /// Copied: shown with their reviews while those are published.
    pub copied: u32,
    /// Given up on.
    pub failed: u32,
    /// The latest 50 photos whose copy went wrong, newest first.
    pub problems: Vec<PhotoCopyProblem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct PhotoCopyProblem {
    /// The review the photo belongs to.
    pub review: String,
    /// Where the photo was to be copied from.
    pub source_url: String,
    /// No more tries: the photo will not be copied.
    pub given_up: bool,
    pub attempts: u32,
    pub error: String,
}

/// A row the import left out, and why: field → problem, as the edge's `fields` map words them,
/// or `row` when the row itself cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct RefusedRow {
    pub line: usize,
    pub errors: std::collections::BTreeMap<String, String>,
}

/// A merchant-list cursor: after the review with this time and id, newest first.
pub fn encode_cursor(created_at: i64, id: &str) -> String {
    format!("{created_at}.{id}")
}

pub fn decode_cursor(raw: &str) -> Option<(i64, String)> {
    let (time, id) = raw.split_once('.')?;
    let ok = !time.is_empty()
        && time.len() <= 16
        && time.bytes().all(|b| b.is_ascii_digit())
        && crate::review::is_review_id(id);
    ok.then(|| Some((time.parse().ok()?, id.to_owned())))?
}

/// Whether a moderation action may be asked of a review in `status`: approve what is not
/// published, reject what is not rejected. Anything else is refused (409 `conflict`), so a
/// double click does not log twice.
pub fn allowed(action: ModerationAction, status: ReviewStatus) -> bool {
    !matches!(
        (action, status),
        (ModerationAction::Approved, ReviewStatus::Published)
            | (ModerationAction::Rejected, ReviewStatus::Rejected)
    )
}

/// `GET /v1/admin/reviews`: which reviews the moderation list shows. `q` finds reviews whose
/// title, body, author or product holds it.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct MerchantReviewQuery {
    pub status: Option<ReviewStatus>,
    /// Only the reviews with a photo of this status (`pending`: the photos to look at).
    pub photo_status: Option<ReviewStatus>,
    pub product: Option<IdParam>,
    /// 1-100 characters; leave it out to list everything.
    pub q: Option<String>,
    pub limit: Bounded<PAGE_SIZE_MAX>,
    pub cursor: Option<Cursor<(i64, String)>>,
}

impl Default for MerchantReviewQuery {
    fn default() -> Self {
        MerchantReviewQuery {
            status: None,
            photo_status: None,
            product: None,
            q: None,
            limit: Bounded(PAGE_SIZE_DEFAULT),
            cursor: None,
        }
    }
}

impl FromCursor for (i64, String) {
    fn from_cursor(raw: &str) -> Option<Self> {
        decode_cursor(raw)
    }
}

/// `GET /v1/admin/moderation-log`: the log, newest first, of one review or of all.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct ModerationLogQuery {
    pub review: Option<ReviewIdParam>,
    pub limit: Bounded<PAGE_SIZE_MAX>,
    pub cursor: Option<Cursor<LogCursor>>,
}

impl Default for ModerationLogQuery {
    fn default() -> Self {
        ModerationLogQuery {
            review: None,
            limit: Bounded(PAGE_SIZE_DEFAULT),
            cursor: None,
        }
    }
}

/// The moderation log's next page starts before this entry's number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogCursor(pub i64);

impl FromCursor for LogCursor {
    fn from_cursor(raw: &str) -> Option<Self> {
        raw.parse::<i64>().ok().filter(|n| *n > 0).map(LogCursor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::FieldProblem;

    #[test]
    fn a_rejection_needs_a_reason() {
        assert_eq!(
            Rejection::default().validate().unwrap_err().get("reason"),
            Some(FieldProblem::Required)
        );
        assert_eq!(
            Rejection {
                reason: Some("Reklam içeriyor".into())
            }
            .validate()
            .unwrap(),
            "Reklam içeriyor"
        );
    }

    #[test]
    fn a_reply_follows_the_body_rule() {
        assert!(ReplyUpdate::default().validate().is_err());
        assert!(
            ReplyUpdate {
                body: Some("x".repeat(5001))
            }
            .validate()
            .is_err()
        );
        assert!(
            ReplyUpdate {
                body: Some("Teşekkür ederiz!".into())
            }
            .validate()
            .is_ok()
        );
    }

    #[test]
    fn cursors_round_trip() {
        let id = format!("r{}", "0f".repeat(12));
        assert_eq!(
            decode_cursor(&encode_cursor(17, &id)),
            Some((17, id.clone()))
        );
        assert_eq!(decode_cursor("x.r1"), None);
        assert_eq!(decode_cursor(&format!("-1.{id}")), None);
    }

    #[test]
    fn double_decisions_are_refused() {
        assert!(allowed(ModerationAction::Approved, ReviewStatus::Pending));
        assert!(allowed(ModerationAction::Approved, ReviewStatus::Rejected));
        assert!(!allowed(
            ModerationAction::Approved,
            ReviewStatus::Published
        ));
        assert!(!allowed(ModerationAction::Rejected, ReviewStatus::Rejected));
        assert!(allowed(ModerationAction::Rejected, ReviewStatus::Published));
    }
}
