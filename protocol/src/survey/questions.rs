//! The survey's questions and follow-up reasons, what the widget sends ([`SurveySubmission`]:
//! every answer so far, numbered by `seq`, so the newest state wins whatever order retries arrive
//! in) and what opening a survey answers ([`SurveyOpened`]).

use crate::review::LOCALES;
use crate::text::{FieldErrors, FieldProblem, TextRule};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The largest body `POST /v1/shops/{shop}/survey/answers` reads (413 beyond).
pub const MAX_REQUEST_BYTES: usize = 8 * 1024;
pub const NPS_MAX: i64 = 10;
pub const CSAT_MAX: i64 = 5;
pub const CES_MAX: i64 = 7;
/// The highest answer number a survey may reach: a shopper going back and forth many times
/// stays far below it; a bigger number is a forged request.
pub const SEQ_MAX: i64 = 10_000;
pub const FOLLOW_UP_RULE: TextRule = TextRule {
    required: false,
    max_chars: 1000,
    multiline: true,
};
pub const COMMENT_RULE: TextRule = TextRule {
    required: false,
    max_chars: 2000,
    multiline: true,
};

/// The survey's questions, in the order they are asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Question {
    /// 0–10: how likely is the shopper to recommend the shop.
    Nps,
    /// Depends on the NPS answer: what went wrong, what would make it a 10, what they liked;
    /// choices ([`Reason`]) and free text.
    FollowUp,
    /// 1–5: how satisfied with the delivery.
    Csat,
    /// 1–7: how easy was it.
    Ces,
    /// Anything else, free text, optional.
    Comment,
}

impl Question {
    pub const ALL: [Question; 5] = [
        Question::Nps,
        Question::FollowUp,
        Question::Csat,
        Question::Ces,
        Question::Comment,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Question::Nps => "nps",
            Question::FollowUp => "follow_up",
            Question::Csat => "csat",
            Question::Ces => "ces",
            Question::Comment => "comment",
        }
    }
}

/// What a follow-up answer is about. One list for the three groups, worded for each: a
/// detractor picks what went wrong ("not as described"), a passive what would make it a 10, a
/// promoter what they liked ("as described"); so the report compares like with like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    DeliveryTime,
    Packaging,
    ProductQuality,
    Description,
    Price,
    CustomerService,
    Other,
}

impl Reason {
    pub const ALL: [Reason; 7] = [
        Reason::DeliveryTime,
        Reason::Packaging,
        Reason::ProductQuality,
        Reason::Description,
        Reason::Price,
        Reason::CustomerService,
        Reason::Other,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Reason::DeliveryTime => "delivery_time",
            Reason::Packaging => "packaging",
            Reason::ProductQuality => "product_quality",
            Reason::Description => "description",
            Reason::Price => "price",
            Reason::CustomerService => "customer_service",
            Reason::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// The answers as the widget sends them. Loosely typed on the wire, so a wrong value is a
/// field error (422) that says which, not malformed JSON (400).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct AnswersInput {
    #[serde(default)]
    pub nps: Option<i64>,
    #[serde(default)]
    pub reasons: Option<Vec<String>>,
    #[serde(default)]
    pub follow_up: Option<String>,
    #[serde(default)]
    pub csat: Option<i64>,
    #[serde(default)]
    pub ces: Option<i64>,
    #[serde(default)]
    pub comment: Option<String>,
}

/// A shopper's answers so far: what is stored and what a resumed survey starts from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Answers {
    pub nps: Option<u8>,
    #[serde(default)]
    pub reasons: Vec<Reason>,
    pub follow_up: Option<String>,
    pub csat: Option<u8>,
    pub ces: Option<u8>,
    pub comment: Option<String>,
}

impl Answers {
    /// No question answered yet (a survey opened, or dismissed at once).
    pub fn is_empty(&self) -> bool {
        self.nps.is_none()
            && self.reasons.is_empty()
            && self.follow_up.is_none()
            && self.csat.is_none()
            && self.ces.is_none()
            && self.comment.is_none()
    }

    /// The free text to tag with topics: the follow-up and the comment.
    pub fn comments(&self) -> String {
        [self.follow_up.as_deref(), self.comment.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// The body of `POST /v1/shops/{shop}/survey/answers`: every answer so far (not only the
/// newest), numbered. The edge keeps the highest `seq` it has seen, so a retry that arrives late
/// (an answer queued offline) never overwrites a newer state, and the same state sent twice is
/// stored once.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SurveySubmission {
    /// The `survey` token of the order.
    #[serde(default)]
    pub token: Option<String>,
    /// 1 for the first answer, one more for each later one.
    #[serde(default)]
    pub seq: Option<i64>,
    #[serde(default)]
    pub answers: AnswersInput,
    /// The shopper finished: no answer changes after this.
    #[serde(default)]
    pub complete: bool,
    /// The shopper said "no thanks": the survey is not shown again. The answers already stored
    /// stay; this save's answers are not read.
    #[serde(default)]
    pub dismissed: bool,
    #[serde(default)]
    pub locale: Option<String>,
}

/// A submission that passed every rule.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidSubmission {
    pub token: String,
    pub seq: u32,
    pub answers: Answers,
    pub complete: bool,
    pub dismissed: bool,
    pub locale: Option<String>,
}

fn score(
    errors: &mut FieldErrors,
    field: &'static str,
    value: Option<i64>,
    min: i64,
    max: i64,
) -> Option<u8> {
    match value {
        None => None,
        Some(v) if (min..=max).contains(&v) => Some(v as u8),
        Some(_) => {
            errors.push(field, FieldProblem::OutOfRange { min, max });
            None
        }
    }
}

fn optional_text(
    errors: &mut FieldErrors,
    field: &'static str,
    rule: TextRule,
    value: &Option<String>,
) -> Option<String> {
    let value = value.as_deref()?;
    match rule.check(value) {
        Ok(()) if value.trim().is_empty() => None,
        Ok(()) => Some(value.to_owned()),
        Err(problem) => {
            errors.push(field, problem);
            None
        }
    }
}

/// `None` or `tr`/`en`; anything else is a field error.
pub fn check_locale(errors: &mut FieldErrors, value: Option<&str>) -> Option<String> {
    match value {
        None | Some("") => None,
        Some(l) if LOCALES.contains(&l) => Some(l.to_owned()),
        Some(_) => {
            errors.push("locale", FieldProblem::NotAChoice);
            None
        }
    }
}

impl SurveySubmission {
    /// Applies every rule, reporting all problems at once. On the edge the text must already
    /// be NFC-normalised (see [`SurveySubmission::normalized`]).
    pub fn validate(&self) -> Result<ValidSubmission, FieldErrors> {
        let mut errors = FieldErrors::default();
        let token = match self.token.as_deref() {
            None | Some("") => {
                errors.push("token", FieldProblem::Required);
                String::new()
            }
            Some(t) => t.to_owned(),
        };
        let seq = match self.seq {
            None => {
                errors.push("seq", FieldProblem::Required);
                0
            }
            Some(s) if (1..=SEQ_MAX).contains(&s) => s as u32,
            Some(_) => {
                errors.push(
                    "seq",
                    FieldProblem::OutOfRange {
                        min: 1,
                        max: SEQ_MAX,
                    },
                );
                0
            }
        };
        let a = &self.answers;
        let nps = score(&mut errors, "answers.nps", a.nps, 0, NPS_MAX);
        let csat = score(&mut errors, "answers.csat", a.csat, 1, CSAT_MAX);
        let ces = score(&mut errors, "answers.ces", a.ces, 1, CES_MAX);
        let mut reasons = Vec::new();
        for raw in a.reasons.iter().flatten() {
            match Reason::parse(raw) {
                Some(r) if !reasons.contains(&r) => reasons.push(r),
                Some(_) => {}
                None => {
                    errors.push("answers.reasons", FieldProblem::NotAChoice);
                    break;
                }
            }
        }
        reasons.sort();
        // A follow-up answers the NPS answer: without one it cannot be counted for a group.
        if !reasons.is_empty() && a.nps.is_none() {
            errors.push("answers.nps", FieldProblem::Required);
        }
        let follow_up = optional_text(
            &mut errors,
            "answers.follow_up",
            FOLLOW_UP_RULE,
            &a.follow_up,
        );
        let comment = optional_text(&mut errors, "answers.comment", COMMENT_RULE, &a.comment);
        let locale = check_locale(&mut errors, self.locale.as_deref());
        let answers = Answers {
            nps,
            reasons,
            follow_up,
            csat,
            ces,
            comment,
        };
        // A save carries an answer, or says "no thanks" (and then its answers are not read).
        if self.complete && self.dismissed {
            errors.push("dismissed", FieldProblem::NotAChoice);
        } else if answers.is_empty() && !self.dismissed && errors.is_empty() {
            errors.push("answers", FieldProblem::Required);
        }
        if errors.is_empty() {
            Ok(ValidSubmission {
                token,
                seq,
                answers,
                complete: self.complete,
                dismissed: self.dismissed,
                locale,
            })
        } else {
            Err(errors)
        }
    }

    /// The same submission with its text NFC-normalised, as the edge checks and stores it.
    #[cfg(feature = "normalize")]
    pub fn normalized(&self) -> SurveySubmission {
        use crate::text::normalize;
        let n = |v: &Option<String>| v.as_deref().map(normalize);
        SurveySubmission {
            answers: AnswersInput {
                follow_up: n(&self.answers.follow_up),
                comment: n(&self.answers.comment),
                ..self.answers.clone()
            },
            ..self.clone()
        }
    }
}

/// The body of `POST /v1/shops/{shop}/survey/open`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SurveyOpen {
    #[serde(default)]
    pub token: Option<String>,
    #[serde(default)]
    pub locale: Option<String>,
}

/// Whether the survey may be answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SurveyState {
    /// Not started, or started and not finished: ask (from where the shopper left off).
    Open,
    /// Finished: thank, do not ask again.
    Completed,
    /// The shopper said "no thanks": do not ask again.
    Dismissed,
    /// The shopper answered or was asked about another order within the shop's cooldown.
    Cooldown,
    /// The order has not been delivered yet: the survey is about the delivery.
    NotDelivered,
}

impl SurveyState {
    pub const fn as_str(self) -> &'static str {
        match self {
            SurveyState::Open => "open",
            SurveyState::Completed => "completed",
            SurveyState::Dismissed => "dismissed",
            SurveyState::Cooldown => "cooldown",
            SurveyState::NotDelivered => "not_delivered",
        }
    }
}

/// The answer to opening a survey (and to each saved answer): where the shopper stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SurveyOpened {
    pub state: SurveyState,
    /// The order number the shopper knows, to say which order the survey is about.
    pub order_number: String,
    /// The questions the shop asks, in order.
    pub questions: Vec<Question>,
    /// The shop's own wording, by text key ([`TEXT_KEYS`]), in the asked locale; the widget's
    /// built-in wording stands for the rest.
    pub texts: BTreeMap<String, String>,
    /// What was answered already, to resume from.
    pub answers: Answers,
    /// The highest answer number stored; the next one sent must be higher.
    pub seq: u32,
}
