//! Cases: every unhappy shopper gets an owner and an answer (`/v1/admin/cases…`, and the
//! tracker's "Something wrong?" form, `POST /v1/shops/{shop}/orders/complaints`).
//!
//! A case opens by itself when a signal comes: a survey answer of a detractor (NPS 0–6) or a
//! CSAT of 1–2, a review of 1–2 stars, a report of a review, a parcel in `exception` or stuck
//! with no news past the shop's threshold, or a shopper's complaint from the tracker. There is
//! at most one unresolved case per subject (the order, or the review when it has no order) and
//! cause: a second signal joins it, and brings a case waiting for the shopper back to `open`.
//! A signal is counted once, however often it is seen again. A resolved case stays resolved; a
//! new signal afterwards opens a new case.
//!
//! Time to first response runs from opening to the first answer to the shopper or the first
//! move out of `open`, whichever is first (a note is internal and does not count); time to
//! resolution from opening to `resolved`. The shop's target is on the first response.

use crate::api::query::{Bounded, Cursor};
use crate::ids::Id;
use crate::text::{FieldErrors, FieldProblem, TextRule};
use serde::{Deserialize, Serialize};

/// Request bodies here are short texts.
pub const MAX_REQUEST_BYTES: usize = 16 * 1024;
pub const PAGE_SIZE_DEFAULT: u32 = 20;
pub const PAGE_SIZE_MAX: u32 = 100;

/// The first-response target when the shop has set none, and the range it may set.
pub const TARGET_HOURS_DEFAULT: u32 = 24;
pub const TARGET_HOURS_MAX: u32 = 720;
/// Days without news after which a parcel not yet delivered opens a case, by default; the
/// shipments page's "stale" uses the same default.
pub const STUCK_DAYS_DEFAULT: u32 = crate::order_list::STALE_DAYS_DEFAULT;
pub const STUCK_DAYS_MAX: u32 = crate::order_list::STALE_DAYS_MAX;

pub const NOTE_RULE: TextRule = TextRule {
    required: true,
    max_chars: 4000,
    multiline: true,
};
/// An answer goes to the shopper as an email's body.
pub const ANSWER_RULE: TextRule = NOTE_RULE;
pub const OWNER_RULE: TextRule = TextRule {
    required: false,
    max_chars: 80,
    multiline: false,
};
pub const RESOLUTION_RULE: TextRule = TextRule {
    required: false,
    max_chars: 2000,
    multiline: true,
};
/// What a shopper writes in the tracker's form.
pub const COMPLAINT_RULE: TextRule = TextRule {
    required: true,
    max_chars: 2000,
    multiline: true,
};

/// Why a case opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CaseCause {
    /// A detractor's answer (NPS 0–6) or a CSAT of 1–2.
    Survey,
    /// A review of 1 or 2 stars.
    Review,
    /// A shopper reported a review.
    Report,
    /// A parcel in `exception`, or with no news past the shop's threshold.
    Shipment,
    /// The shopper wrote from the order tracker.
    Complaint,
}

impl CaseCause {
    pub const ALL: [CaseCause; 5] = [
        CaseCause::Survey,
        CaseCause::Review,
        CaseCause::Report,
        CaseCause::Shipment,
        CaseCause::Complaint,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            CaseCause::Survey => "survey",
            CaseCause::Review => "review",
            CaseCause::Report => "report",
            CaseCause::Shipment => "shipment",
            CaseCause::Complaint => "complaint",
        }
    }

    pub fn parse(name: &str) -> Option<CaseCause> {
        CaseCause::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    Open,
    /// Answered; the next move is the shopper's.
    Waiting,
    Resolved,
}

impl CaseState {
    pub const fn as_str(self) -> &'static str {
        match self {
            CaseState::Open => "open",
            CaseState::Waiting => "waiting",
            CaseState::Resolved => "resolved",
        }
    }

    pub fn parse(name: &str) -> Option<CaseState> {
        [CaseState::Open, CaseState::Waiting, CaseState::Resolved]
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

/// How a case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ResolutionCategory {
    Refunded,
    Replaced,
    Reshipped,
    /// Explained, apologised, or answered a question.
    Explained,
    /// Nothing to do (a mistake, a duplicate, a report without grounds).
    NoAction,
    Other,
}

impl ResolutionCategory {
    pub const ALL: [ResolutionCategory; 6] = [
        ResolutionCategory::Refunded,
        ResolutionCategory::Replaced,
        ResolutionCategory::Reshipped,
        ResolutionCategory::Explained,
        ResolutionCategory::NoAction,
        ResolutionCategory::Other,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            ResolutionCategory::Refunded => "refunded",
            ResolutionCategory::Replaced => "replaced",
            ResolutionCategory::Reshipped => "reshipped",
            ResolutionCategory::Explained => "explained",
            ResolutionCategory::NoAction => "no_action",
            ResolutionCategory::Other => "other",
        }
    }

    pub fn parse(name: &str) -> Option<ResolutionCategory> {
        ResolutionCategory::ALL
            .into_iter()
            .find(|c| c.as_str() == name)
    }
}

/// One case, as the queue lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Case {
    pub id: String,
    pub cause: CaseCause,
    pub state: CaseState,
    /// The merchant's id of the order it is about, if any.
    pub order: Option<String>,
    /// The order's number, as the shopper knows it.
    pub order_number: Option<String>,
    /// The review it is about (a low rating, a report), if any.
    pub review: Option<String>,
    /// Who handles it: a key's name, or a name the merchant typed.
    pub owner: Option<String>,
    /// How many signals it has gathered (the first included).
    pub signals: u32,
    /// Unix milliseconds.
    pub opened_at: i64,
    pub updated_at: i64,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
    /// When the first response is due, by the shop's target.
    pub respond_by: i64,
    /// Not responded to, and past the target.
    pub overdue: bool,
    pub resolution: Option<Resolution>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Resolution {
    pub category: ResolutionCategory,
    pub text: Option<String>,
}

/// What a history entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CaseAction {
    /// The first signal opened the case (`detail` says what it was).
    Opened,
    /// Another signal joined it.
    Signal,
    /// The state changed (`detail.state`).
    State,
    /// The owner changed (`text` is the new owner, empty when none).
    Owner,
    /// An internal note (`text`).
    Note,
    /// An answer to the shopper (`text`; `detail.email` says whether it goes by email, and
    /// `detail.reply` whether it was published as the review's reply).
    Answer,
    /// Resolved (`detail.category`, `text`).
    Resolved,
}

impl CaseAction {
    pub const ALL: [CaseAction; 7] = [
        CaseAction::Opened,
        CaseAction::Signal,
        CaseAction::State,
        CaseAction::Owner,
        CaseAction::Note,
        CaseAction::Answer,
        CaseAction::Resolved,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            CaseAction::Opened => "opened",
            CaseAction::Signal => "signal",
            CaseAction::State => "state",
            CaseAction::Owner => "owner",
            CaseAction::Note => "note",
            CaseAction::Answer => "answer",
            CaseAction::Resolved => "resolved",
        }
    }

    pub fn parse(name: &str) -> Option<CaseAction> {
        CaseAction::ALL.into_iter().find(|a| a.as_str() == name)
    }
}

/// One line of a case's history, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CaseEntry {
    pub id: i64,
    pub at: i64,
    /// `system` for a signal; otherwise the key's name (and the name typed, if any).
    pub actor: String,
    pub action: CaseAction,
    pub text: Option<String>,
    /// What a signal was (`nps`, `csat`, `rating`, `reason`, `shipment`, `status`, `message`…),
    /// or the details of a change.
    pub detail: Option<serde_json::Value>,
    /// For an answer sent by email: where the message stands (`scheduled`, `sent`, `failed`,
    /// `skipped`) and why.
    pub email: Option<AnswerEmail>,
}

/// Where the email of an answer stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct AnswerEmail {
    pub state: crate::outreach::MessageState,
    pub outcome: Option<String>,
}

/// The shopper's survey answer behind a survey case, as it stands now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CaseSurvey {
    pub nps: Option<u8>,
    pub csat: Option<u8>,
    pub comment: Option<String>,
}

/// `GET /v1/admin/cases/{case}`: the case, its history, and what the merchant needs to answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CaseView {
    pub case: Case,
    pub history: Vec<CaseEntry>,
    /// The shopper's address, to go on by hand (their replies to memnun's email go to the
    /// shop's reply-to address and are not read here); `None` when memnun no longer keeps it.
    pub address: Option<String>,
    /// Whether an answer can go by email now: the shop sends messages and the address is kept.
    pub can_email: bool,
    /// The survey answer, for a survey case.
    pub survey: Option<CaseSurvey>,
}

/// A page of `GET /v1/admin/cases`: unresolved cases oldest first (the most overdue at the
/// top), resolved ones newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CasePage {
    pub cases: Vec<Case>,
    pub next_cursor: Option<String>,
}

/// Which cases the list shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CaseFilter {
    /// Open and waiting.
    #[default]
    Unresolved,
    Open,
    Waiting,
    Resolved,
}

/// `GET /v1/admin/cases?state=&cause=&owner=&limit=&cursor=`.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct CaseListQuery {
    pub state: CaseFilter,
    pub cause: Option<CaseCause>,
    /// Only the cases of this owner.
    pub owner: Option<String>,
    pub limit: Bounded<PAGE_SIZE_MAX>,
    pub cursor: Option<Cursor<(i64, [Id; 1])>>,
}

impl Default for CaseListQuery {
    fn default() -> Self {
        CaseListQuery {
            state: CaseFilter::Unresolved,
            cause: None,
            owner: None,
            limit: Bounded(PAGE_SIZE_DEFAULT),
            cursor: None,
        }
    }
}

/// `PUT /v1/admin/cases/{case}`: what changes; a field left out stays as it is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CaseUpdate {
    /// `open` or `waiting`; to resolve, send `resolution`.
    #[serde(default)]
    pub state: Option<CaseState>,
    /// A name; empty for nobody.
    #[serde(default)]
    pub owner: Option<String>,
    /// Resolves the case.
    #[serde(default)]
    pub resolution: Option<ResolutionInput>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ResolutionInput {
    pub category: ResolutionCategory,
    #[serde(default)]
    pub text: Option<String>,
}

/// A [`CaseUpdate`] that passed its checks.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidCaseUpdate {
    pub state: Option<CaseState>,
    /// `Some(None)` clears the owner.
    pub owner: Option<Option<String>>,
    pub resolution: Option<Resolution>,
}

fn check(errors: &mut FieldErrors, field: &'static str, rule: TextRule, value: &str) {
    if let Err(problem) = rule.check(value) {
        errors.push(field, problem);
    }
}

fn blank_to_none(value: &str) -> Option<String> {
    let trimmed = value.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

impl CaseUpdate {
    pub fn validate(&self) -> Result<ValidCaseUpdate, FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.state.is_none() && self.owner.is_none() && self.resolution.is_none() {
            errors.push("state", FieldProblem::Required);
        }
        if self.state == Some(CaseState::Resolved) {
            // Resolving takes a category: `resolution` says it.
            errors.push("state", FieldProblem::NotAChoice);
        }
        if self.state.is_some() && self.resolution.is_some() {
            errors.push("resolution", FieldProblem::NotAChoice);
        }
        if let Some(owner) = &self.owner {
            check(&mut errors, "owner", OWNER_RULE, owner);
        }
        if let Some(text) = self.resolution.as_ref().and_then(|r| r.text.as_deref()) {
            check(&mut errors, "resolution.text", RESOLUTION_RULE, text);
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ValidCaseUpdate {
            state: self.state,
            owner: self.owner.as_deref().map(blank_to_none),
            resolution: self.resolution.as_ref().map(|r| Resolution {
                category: r.category,
                text: r.text.as_deref().and_then(blank_to_none),
            }),
        })
    }

    /// The same update with its texts NFC-normalised, as the edge checks and stores them.
    #[cfg(feature = "normalize")]
    pub fn normalized(&self) -> CaseUpdate {
        use crate::text::normalize;
        CaseUpdate {
            state: self.state,
            owner: self.owner.as_deref().map(normalize),
            resolution: self.resolution.as_ref().map(|r| ResolutionInput {
                category: r.category,
                text: r.text.as_deref().map(normalize),
            }),
        }
    }
}

/// `POST /v1/admin/cases/{case}/notes`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct NewCaseNote {
    #[serde(default)]
    pub text: Option<String>,
}

impl NewCaseNote {
    pub fn validate(&self) -> Result<String, FieldErrors> {
        one_text("text", NOTE_RULE, self.text.as_deref())
    }
}

fn one_text(
    field: &'static str,
    rule: TextRule,
    value: Option<&str>,
) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::default();
    let value = value.unwrap_or("");
    check(&mut errors, field, rule, value);
    if errors.is_empty() {
        Ok(value.trim().to_owned())
    } else {
        Err(errors)
    }
}

/// `POST /v1/admin/cases/{case}/answers`: an answer to the shopper.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct NewCaseAnswer {
    #[serde(default)]
    pub text: Option<String>,
    /// Send it by email (when the shop sends messages and the address is kept). Default true.
    #[serde(default)]
    pub email: Option<bool>,
    /// For a case about a review: publish the answer as the review's public reply too.
    #[serde(default)]
    pub reply: Option<bool>,
}

/// A [`NewCaseAnswer`] that passed its checks.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidCaseAnswer {
    pub text: String,
    pub email: bool,
    pub reply: bool,
}

impl NewCaseAnswer {
    pub fn validate(&self) -> Result<ValidCaseAnswer, FieldErrors> {
        Ok(ValidCaseAnswer {
            text: one_text("text", ANSWER_RULE, self.text.as_deref())?,
            email: self.email.unwrap_or(true),
            reply: self.reply.unwrap_or(false),
        })
    }
}

/// `POST /v1/shops/{shop}/orders/complaints`: the tracker's "Something wrong?" form.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct NewComplaint {
    /// The order's `track` token, as the tracker holds it.
    #[serde(default)]
    pub token: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

impl NewComplaint {
    pub fn validate(&self) -> Result<(String, String), FieldErrors> {
        let mut errors = FieldErrors::default();
        let token = self.token.as_deref().unwrap_or("");
        if token.is_empty() {
            errors.push("token", FieldProblem::Required);
        }
        let message = self.message.as_deref().unwrap_or("");
        check(&mut errors, "message", COMPLAINT_RULE, message);
        if errors.is_empty() {
            Ok((token.to_owned(), message.trim().to_owned()))
        } else {
            Err(errors)
        }
    }
}

/// The shop's case settings (`GET`/`PUT /v1/admin/cases/settings`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct CaseSettings {
    /// Hours within which a case should get its first response (1–720).
    pub target_hours: u32,
    /// Days without news after which a parcel not yet delivered opens a case (1–90).
    pub stuck_after_days: u32,
}

impl Default for CaseSettings {
    fn default() -> Self {
        CaseSettings {
            target_hours: TARGET_HOURS_DEFAULT,
            stuck_after_days: STUCK_DAYS_DEFAULT,
        }
    }
}

impl CaseSettings {
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        if !(1..=TARGET_HOURS_MAX).contains(&self.target_hours) {
            errors.push(
                "target_hours",
                FieldProblem::OutOfRange {
                    min: 1,
                    max: i64::from(TARGET_HOURS_MAX),
                },
            );
        }
        if !(1..=STUCK_DAYS_MAX).contains(&self.stuck_after_days) {
            errors.push(
                "stuck_after_days",
                FieldProblem::OutOfRange {
                    min: 1,
                    max: i64::from(STUCK_DAYS_MAX),
                },
            );
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    pub const fn target_ms(&self) -> i64 {
        self.target_hours as i64 * 3_600_000
    }
}

/// When `opened_at`'s case is due its first response, and whether it is late at `now`.
pub const fn respond_by(opened_at: i64, target_ms: i64) -> i64 {
    opened_at + target_ms
}

pub const fn is_overdue(
    opened_at: i64,
    first_response_at: Option<i64>,
    target_ms: i64,
    now: i64,
) -> bool {
    first_response_at.is_none() && now > respond_by(opened_at, target_ms)
}

/// The response times of the cases opened in one week (Monday 00:00 UTC).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CaseWeek {
    /// Unix milliseconds of the week's Monday 00:00 UTC.
    pub week_start: i64,
    pub opened: u64,
    /// Of those, responded to; and within the target.
    pub responded: u64,
    pub responded_within_target: u64,
    pub resolved: u64,
    /// Medians in milliseconds, of the cases that got there.
    pub median_first_response_ms: Option<i64>,
    pub median_resolution_ms: Option<i64>,
}

/// `GET /v1/admin/reports/cases?from=&to=`: response times of the cases opened in the period,
/// in total and per week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CaseReport {
    pub from: i64,
    pub to: i64,
    pub target_hours: u32,
    pub total: CaseWeek,
    pub weeks: Vec<CaseWeek>,
}

/// `GET /v1/admin/reports/cases`'s query.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct CaseReportQuery {
    /// A date like 2026-11-23 or a time like 2026-11-23T15:06:52Z.
    pub from: Option<String>,
    /// A date or a time.
    pub to: Option<String>,
}

/// One case's times, as the report reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct CaseTimes {
    pub opened_at: i64,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
}

fn median(mut values: Vec<i64>) -> Option<i64> {
    values.sort_unstable();
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        // The mean of the middle two, rounded down: milliseconds need no more.
        _ => Some((values[n / 2 - 1] + values[n / 2]).div_euclid(2)),
    }
}

fn figures(week_start: i64, cases: &[CaseTimes], target_ms: i64) -> CaseWeek {
    let firsts: Vec<i64> = cases
        .iter()
        .filter_map(|c| c.first_response_at.map(|at| at - c.opened_at))
        .collect();
    let resolutions: Vec<i64> = cases
        .iter()
        .filter_map(|c| c.resolved_at.map(|at| at - c.opened_at))
        .collect();
    CaseWeek {
        week_start,
        opened: cases.len() as u64,
        responded: firsts.len() as u64,
        responded_within_target: firsts.iter().filter(|t| **t <= target_ms).count() as u64,
        resolved: resolutions.len() as u64,
        median_first_response_ms: median(firsts),
        median_resolution_ms: median(resolutions),
    }
}

impl CaseReport {
    /// The report of `cases` (those opened in `[from, to)`), every week of the period listed.
    pub fn build(from: i64, to: i64, settings: &CaseSettings, cases: &[CaseTimes]) -> CaseReport {
        use crate::survey::Interval;
        let week = Interval::Week;
        let mut weeks = Vec::new();
        if from < to {
            for bucket in week.bucket(from)..=week.bucket(to - 1) {
                let in_week: Vec<CaseTimes> = cases
                    .iter()
                    .copied()
                    .filter(|c| week.bucket(c.opened_at) == bucket)
                    .collect();
                weeks.push(figures(
                    week.bucket_start(bucket),
                    &in_week,
                    settings.target_ms(),
                ));
            }
        }
        CaseReport {
            from,
            to,
            target_hours: settings.target_hours,
            total: figures(
                week.bucket_start(week.bucket(from)),
                cases,
                settings.target_ms(),
            ),
            weeks,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_update_says_what_changes() {
        assert_eq!(
            CaseUpdate::default().validate().unwrap_err().get("state"),
            Some(FieldProblem::Required)
        );
        let resolving = CaseUpdate {
            state: Some(CaseState::Resolved),
            ..CaseUpdate::default()
        };
        assert_eq!(
            resolving.validate().unwrap_err().get("state"),
            Some(FieldProblem::NotAChoice),
            "resolving takes a category"
        );
        let cleared = CaseUpdate {
            owner: Some("  ".into()),
            ..CaseUpdate::default()
        }
        .validate()
        .unwrap();
        assert_eq!(cleared.owner, Some(None));
        let too_long = CaseUpdate {
            owner: Some("x".repeat(81)),
            ..CaseUpdate::default()
        };
        assert!(too_long.validate().unwrap_err().get("owner").is_some());
        let one_line = CaseUpdate {
            owner: Some("Ayşe\nYılmaz".into()),
            ..CaseUpdate::default()
        };
        assert_eq!(
            one_line.validate().unwrap_err().get("owner"),
            Some(FieldProblem::ControlCharacter)
        );
    }

    #[test]
    fn an_answer_needs_words_and_goes_by_email_unless_told() {
        assert_eq!(
            NewCaseAnswer::default().validate().unwrap_err().get("text"),
            Some(FieldProblem::Required)
        );
        let answer = NewCaseAnswer {
            text: Some("  Kargonuzu yeniden gönderdik.  ".into()),
            ..NewCaseAnswer::default()
        }
        .validate()
        .unwrap();
        assert_eq!(answer.text, "Kargonuzu yeniden gönderdik.");
        assert!(answer.email && !answer.reply);
    }

    #[test]
    fn a_complaint_needs_its_token_and_a_message() {
        let errors = NewComplaint::default().validate().unwrap_err();
        assert_eq!(errors.get("token"), Some(FieldProblem::Required));
        assert_eq!(errors.get("message"), Some(FieldProblem::Required));
        let long = NewComplaint {
            token: Some("t".into()),
            message: Some("x".repeat(2001)),
        };
        assert_eq!(
            long.validate().unwrap_err().get("message"),
            Some(FieldProblem::TooLong { max: 2000 })
        );
    }

    #[test]
    fn settings_stay_in_range() {
        assert!(CaseSettings::default().validate().is_ok());
        let zero = CaseSettings {
            target_hours: 0,
            stuck_after_days: 91,
        };
        let errors = zero.validate().unwrap_err();
        assert!(errors.get("target_hours").is_some());
        assert!(errors.get("stuck_after_days").is_some());
    }

    #[test]
    fn overdue_is_unanswered_past_the_target() {
        let hour = 3_600_000;
        assert!(!is_overdue(0, None, 24 * hour, 24 * hour));
        assert!(is_overdue(0, None, 24 * hour, 24 * hour + 1));
        assert!(!is_overdue(0, Some(30 * hour), 24 * hour, 40 * hour));
    }

    /// Worked by hand: Monday 2026-11-23 00:00 UTC is 1_795_392_000_000 ms.
    #[test]
    fn the_report_takes_medians_per_week() {
        let monday = 1_795_392_000_000;
        let hour = 3_600_000;
        let cases = [
            // Week 1: answered after 2 h and 30 h (past a 24 h target), one never; resolved
            // after 5 h and 50 h.
            CaseTimes {
                opened_at: monday + hour,
                first_response_at: Some(monday + 3 * hour),
                resolved_at: Some(monday + 6 * hour),
            },
            CaseTimes {
                opened_at: monday + 10 * hour,
                first_response_at: Some(monday + 40 * hour),
                resolved_at: Some(monday + 60 * hour),
            },
            CaseTimes {
                opened_at: monday + 20 * hour,
                first_response_at: None,
                resolved_at: None,
            },
            // Week 2: answered after 4 h.
            CaseTimes {
                opened_at: monday + 7 * 24 * hour,
                first_response_at: Some(monday + 7 * 24 * hour + 4 * hour),
                resolved_at: None,
            },
        ];
        let report = CaseReport::build(
            monday,
            monday + 14 * 24 * hour,
            &CaseSettings::default(),
            &cases,
        );
        assert_eq!(report.weeks.len(), 2);
        let first = &report.weeks[0];
        assert_eq!(first.week_start, monday);
        assert_eq!(
            (first.opened, first.responded, first.responded_within_target),
            (3, 2, 1)
        );
        assert_eq!(
            first.median_first_response_ms,
            Some(16 * hour),
            "(2 h + 30 h) / 2"
        );
        assert_eq!(
            first.median_resolution_ms,
            Some(hour * 55 / 2),
            "(5 h + 50 h) / 2"
        );
        assert_eq!(report.weeks[1].median_first_response_ms, Some(4 * hour));
        assert_eq!(report.total.opened, 4);
        assert_eq!(
            report.total.median_first_response_ms,
            Some(4 * hour),
            "2, 4, 30 h"
        );
    }
}
