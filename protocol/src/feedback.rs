//! What shoppers say about other shoppers' reviews: "Was this helpful?" votes and "Report this
//! review" reports. Each comes from one browser, named by a random id the widget keeps in
//! localStorage (stored hashed), so one browser counts once per review.

use crate::idempotency::is_valid_key;
use crate::text::{FieldErrors, FieldProblem, TextRule};
use serde::{Deserialize, Serialize};

pub const MAX_REQUEST_BYTES: usize = 4 * 1024;

pub const NOTE_RULE: TextRule = TextRule {
    required: false,
    max_chars: 500,
    multiline: true,
};

/// The body of `POST /v1/shops/{shop}/reviews/{review}/votes`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct NewVote {
    /// The browser's random id (a UUID).
    #[serde(default)]
    pub voter: Option<String>,
}

impl NewVote {
    pub fn validate(&self) -> Result<String, FieldErrors> {
        browser_id("voter", self.voter.as_deref())
    }
}

/// The answer to a vote (200): the review's helpful count, with this browser's vote in it
/// whether it is new or was cast before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct VoteCounted {
    pub helpful: u32,
}

/// Why a shopper reports a review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportReason {
    /// Advertising, links, or text that is not a review.
    Spam,
    /// Insults, hate, or personal data.
    Offensive,
    /// About something other than this product.
    OffTopic,
    /// Not written by a real customer.
    Fake,
    Other,
}

impl ReportReason {
    pub const ALL: [ReportReason; 5] = [
        ReportReason::Spam,
        ReportReason::Offensive,
        ReportReason::OffTopic,
        ReportReason::Fake,
        ReportReason::Other,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            ReportReason::Spam => "spam",
            ReportReason::Offensive => "offensive",
            ReportReason::OffTopic => "off_topic",
            ReportReason::Fake => "fake",
            ReportReason::Other => "other",
        }
    }

    pub fn parse(raw: &str) -> Option<ReportReason> {
        ReportReason::ALL.into_iter().find(|r| r.as_str() == raw)
    }
}

/// The body of `POST /v1/shops/{shop}/reviews/{review}/reports`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct NewReport {
    #[serde(default)]
    pub reporter: Option<String>,
    /// One of [`ReportReason`]'s wire names.
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A report that passed every rule.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidReport {
    pub reporter: String,
    pub reason: ReportReason,
    pub note: String,
}

impl NewReport {
    pub fn validate(&self) -> Result<ValidReport, FieldErrors> {
        let mut errors = FieldErrors::default();
        let reporter = browser_id("reporter", self.reporter.as_deref())
            .map_err(|e| errors.0.extend(e.0))
            .ok();
        let reason = match self.reason.as_deref() {
            None | Some("") => {
                errors.push("reason", FieldProblem::Required);
                None
            }
            Some(raw) => ReportReason::parse(raw)
                .ok_or_else(|| errors.push("reason", FieldProblem::NotAChoice))
                .ok(),
        };
        let note = self.note.clone().unwrap_or_default();
        if let Err(problem) = NOTE_RULE.check(&note) {
            errors.push("note", problem);
        }
        match (reporter, reason) {
            (Some(reporter), Some(reason)) if errors.is_empty() => Ok(ValidReport {
                reporter,
                reason,
                note,
            }),
            _ => Err(errors),
        }
    }
}

fn browser_id(field: &'static str, raw: Option<&str>) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::default();
    match raw {
        None | Some("") => errors.push(field, FieldProblem::Required),
        Some(id) if is_valid_key(id) => return Ok(id.to_ascii_lowercase()),
        Some(_) => errors.push(field, FieldProblem::NotAUuid),
    }
    Err(errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

    #[test]
    fn a_vote_needs_a_browser_id() {
        assert_eq!(
            NewVote {
                voter: Some(ID.to_uppercase())
            }
            .validate()
            .unwrap(),
            ID
        );
        assert_eq!(
            NewVote::default().validate().unwrap_err().get("voter"),
            Some(FieldProblem::Required)
        );
        assert_eq!(
            NewVote {
                voter: Some("me".into())
            }
            .validate()
            .unwrap_err()
            .get("voter"),
            Some(FieldProblem::NotAUuid)
        );
    }

    #[test]
    fn a_report_names_a_known_reason() {
        let ok = NewReport {
            reporter: Some(ID.into()),
            reason: Some("off_topic".into()),
            note: Some("Bu yorum başka bir ürün hakkında.".into()),
        }
        .validate()
        .unwrap();
        assert_eq!(ok.reason, ReportReason::OffTopic);
        let e = NewReport {
            reporter: None,
            reason: Some("because".into()),
            note: Some("x".repeat(501)),
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.get("reporter"), Some(FieldProblem::Required));
        assert_eq!(e.get("reason"), Some(FieldProblem::NotAChoice));
        assert_eq!(e.get("note"), Some(FieldProblem::TooLong { max: 500 }));
        for reason in ReportReason::ALL {
            assert_eq!(ReportReason::parse(reason.as_str()), Some(reason));
            assert_eq!(serde_json::to_value(reason).unwrap(), reason.as_str());
        }
    }
}
