//! The satisfaction numbers of the post-delivery survey, computed the same way everywhere (the
//! edge's report, the dashboard, the tests): NPS, CSAT and CES from the raw answers.
//!
//! - NPS (Net Promoter Score): answers 0–10; promoters 9–10, passives 7–8, detractors 0–6;
//!   NPS = % promoters − % detractors, with passives in the denominator, from −100 to 100.
//! - CSAT (customer satisfaction, 1–5): the share of 4 and 5 answers, in percent.
//! - CES (customer effort, 1–7, "how easy was it"): the mean, and the share of 5–7 answers.
//!
//! Percentages are kept in tenths (integers), so a report reads the same on every platform and
//! no float formatting reaches the widgets.
//!
//! Also here: the survey's questions and follow-up reasons, what the widget sends
//! ([`SurveySubmission`]: every answer so far, numbered by `seq`, so the newest state wins
//! whatever order retries arrive in), what opening a survey answers ([`SurveyOpened`]), the
//! shop's survey settings (`settings`), and the satisfaction report ([`Tally`] → [`Figures`],
//! `report`).

use crate::review::LOCALES;
use crate::text::{FieldErrors, FieldProblem, TextRule};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod report;
mod settings;

pub use report::*;
pub use settings::*;

/// Where an NPS answer puts a shopper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum NpsGroup {
    Detractor,
    Passive,
    Promoter,
}

impl NpsGroup {
    /// `None` for an answer outside 0–10.
    pub fn of(score: u8) -> Option<NpsGroup> {
        match score {
            0..=6 => Some(NpsGroup::Detractor),
            7 | 8 => Some(NpsGroup::Passive),
            9 | 10 => Some(NpsGroup::Promoter),
            _ => None,
        }
    }

    pub const ALL: [NpsGroup; 3] = [NpsGroup::Detractor, NpsGroup::Passive, NpsGroup::Promoter];

    pub const fn as_str(self) -> &'static str {
        match self {
            NpsGroup::Detractor => "detractor",
            NpsGroup::Passive => "passive",
            NpsGroup::Promoter => "promoter",
        }
    }

    /// The NPS answers that put a shopper in this group, lowest first.
    pub fn scores(self) -> impl Iterator<Item = u8> {
        (0..=NPS_MAX as u8).filter(move |s| NpsGroup::of(*s) == Some(self))
    }
}

/// A share in tenths of a percent, rounded half up: `per_mille(1, 3)` is 333 (33.3 %).
pub fn per_mille(part: u64, whole: u64) -> Option<i64> {
    if whole == 0 {
        return None;
    }
    // Round half up on the absolute value: (2·1000·part + whole) / (2·whole).
    Some(((2 * 1000 * part + whole) / (2 * whole)) as i64)
}

/// NPS from its answers' counts per score (`counts[s]` answers of score `s`, 0–10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Nps {
    pub responses: u64,
    pub promoters: u64,
    pub passives: u64,
    pub detractors: u64,
    /// NPS in tenths (−1000 to 1000: 1000 is +100); `None` with no answers.
    pub score_tenths: Option<i64>,
}

impl Nps {
    pub fn from_counts(counts: &[u64; 11]) -> Nps {
        let detractors: u64 = counts[..7].iter().sum();
        let passives = counts[7] + counts[8];
        let promoters = counts[9] + counts[10];
        let responses = detractors + passives + promoters;
        let score_tenths = per_mille(promoters, responses)
            .zip(per_mille(detractors, responses))
            .map(|(p, d)| p - d);
        Nps {
            responses,
            promoters,
            passives,
            detractors,
            score_tenths,
        }
    }
}

/// CSAT from its answers' counts per score (`counts[s - 1]` answers of `s`, 1–5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Csat {
    pub responses: u64,
    pub satisfied: u64,
    /// The share of 4 and 5 answers in tenths of a percent; `None` with no answers.
    pub percent_tenths: Option<i64>,
}

impl Csat {
    pub fn from_counts(counts: &[u64; 5]) -> Csat {
        let responses = counts.iter().sum();
        let satisfied = counts[3] + counts[4];
        Csat {
            responses,
            satisfied,
            percent_tenths: per_mille(satisfied, responses),
        }
    }
}

/// CES from its answers' counts per score (`counts[s - 1]` answers of `s`, 1–7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Ces {
    pub responses: u64,
    /// The mean answer in hundredths (4.25 is 425); `None` with no answers.
    pub mean_hundredths: Option<i64>,
    /// The share of 5–7 answers ("easy") in tenths of a percent.
    pub easy_percent_tenths: Option<i64>,
}

impl Ces {
    pub fn from_counts(counts: &[u64; 7]) -> Ces {
        let responses: u64 = counts.iter().sum();
        let total: u64 = counts.iter().zip(1u64..).map(|(n, s)| n * s).sum();
        let easy = counts[4] + counts[5] + counts[6];
        let mean_hundredths =
            (responses > 0).then(|| ((200 * total + responses) / (2 * responses)) as i64);
        Ces {
            responses,
            mean_hundredths,
            easy_percent_tenths: per_mille(easy, responses),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Questions and answers

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
    pub texts: SurveyTexts,
    /// What was answered already, to resume from.
    pub answers: Answers,
    /// The highest answer number stored; the next one sent must be higher.
    pub seq: u32,
}

/// A shop's texts in one language, by text key: a JSON object on the wire, a list of its entries
/// here (in the object's order; the edge writes them in key order), because a map's code costs
/// the survey widget bytes for the two or three texts a shop sets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SurveyTexts(pub Vec<(String, String)>);

impl SurveyTexts {
    /// The shop's wording of `key`, if it has one.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

impl Serialize for SurveyTexts {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

impl<'de> Deserialize<'de> for SurveyTexts {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let by_key = BTreeMap::<String, String>::deserialize(deserializer)?;
        Ok(SurveyTexts(by_key.into_iter().collect()))
    }
}

#[cfg(feature = "openapi")]
impl schemars::JsonSchema for SurveyTexts {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "SurveyTexts".into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        BTreeMap::<String, String>::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nps_counts(answers: &[u8]) -> [u64; 11] {
        let mut counts = [0; 11];
        for a in answers {
            counts[usize::from(*a)] += 1;
        }
        counts
    }

    #[test]
    fn groups_follow_the_nps_bands() {
        assert_eq!(NpsGroup::of(0), Some(NpsGroup::Detractor));
        assert_eq!(NpsGroup::of(6), Some(NpsGroup::Detractor));
        assert_eq!(NpsGroup::of(7), Some(NpsGroup::Passive));
        assert_eq!(NpsGroup::of(8), Some(NpsGroup::Passive));
        assert_eq!(NpsGroup::of(9), Some(NpsGroup::Promoter));
        assert_eq!(NpsGroup::of(10), Some(NpsGroup::Promoter));
        assert_eq!(NpsGroup::of(11), None);
    }

    #[test]
    fn groups_have_their_wire_names_and_scores() {
        for group in NpsGroup::ALL {
            assert_eq!(
                serde_json::to_value(group).ok(),
                Some(serde_json::Value::from(group.as_str()))
            );
        }
        assert_eq!(
            NpsGroup::Detractor.scores().collect::<Vec<_>>(),
            [0, 1, 2, 3, 4, 5, 6]
        );
        assert_eq!(NpsGroup::Passive.scores().collect::<Vec<_>>(), [7, 8]);
        assert_eq!(NpsGroup::Promoter.scores().collect::<Vec<_>>(), [9, 10]);
    }

    #[test]
    fn nps_worked_example() {
        // 10 answers: 5 promoters (9, 9, 10, 10, 10), 3 passives (7, 8, 8), 2 detractors (3, 6).
        // 50 % − 20 % = +30.
        let nps = Nps::from_counts(&nps_counts(&[9, 9, 10, 10, 10, 7, 8, 8, 3, 6]));
        assert_eq!((nps.promoters, nps.passives, nps.detractors), (5, 3, 2));
        assert_eq!(nps.score_tenths, Some(300));
    }

    #[test]
    fn passives_count_in_the_denominator() {
        // 1 promoter, 2 passives: 33.3 % − 0 % = +33.3, not +100.
        assert_eq!(
            Nps::from_counts(&nps_counts(&[10, 7, 8])).score_tenths,
            Some(333)
        );
        // Only passives: 0.
        assert_eq!(
            Nps::from_counts(&nps_counts(&[7, 8, 7])).score_tenths,
            Some(0)
        );
        // 1 promoter, 2 detractors: 33.3 − 66.7 = −33.4 (each share rounded first).
        assert_eq!(
            Nps::from_counts(&nps_counts(&[9, 0, 5])).score_tenths,
            Some(-334)
        );
    }

    #[test]
    fn no_answers_means_no_score_not_zero() {
        let nps = Nps::from_counts(&[0; 11]);
        assert_eq!(nps.responses, 0);
        assert_eq!(nps.score_tenths, None);
        assert_eq!(Csat::from_counts(&[0; 5]).percent_tenths, None);
        let ces = Ces::from_counts(&[0; 7]);
        assert_eq!(ces.mean_hundredths, None);
        assert_eq!(ces.easy_percent_tenths, None);
    }

    #[test]
    fn the_extremes() {
        assert_eq!(
            Nps::from_counts(&nps_counts(&[10, 9])).score_tenths,
            Some(1000)
        );
        assert_eq!(
            Nps::from_counts(&nps_counts(&[0, 6])).score_tenths,
            Some(-1000)
        );
    }

    #[test]
    fn csat_worked_example() {
        // Answers 1, 2, 3, 4, 4, 5, 5, 5: five of eight are 4 or 5 → 62.5 %.
        let csat = Csat::from_counts(&[1, 1, 1, 2, 3]);
        assert_eq!((csat.responses, csat.satisfied), (8, 5));
        assert_eq!(csat.percent_tenths, Some(625));
        let all_happy = Csat::from_counts(&[0, 0, 0, 4, 2]);
        assert_eq!(all_happy.percent_tenths, Some(1000));
    }

    #[test]
    fn ces_worked_example() {
        // Answers 7, 6, 6, 5, 3, 2: mean 29/6 = 4.833… → 4.83; easy (5–7) 4 of 6 = 66.7 %.
        let ces = Ces::from_counts(&[0, 1, 1, 0, 1, 2, 1]);
        assert_eq!(ces.responses, 6);
        assert_eq!(ces.mean_hundredths, Some(483));
        assert_eq!(ces.easy_percent_tenths, Some(667));
        // Mean 4.125 rounds half up to 4.13: answers 4 ×7 and 5 ×1 = 33/8.
        assert_eq!(
            Ces::from_counts(&[0, 0, 0, 7, 1, 0, 0]).mean_hundredths,
            Some(413)
        );
    }
}

#[cfg(test)]
mod survey_tests {
    use super::*;

    fn submission(json: &str) -> SurveySubmission {
        serde_json::from_str(json).expect("test JSON")
    }

    #[test]
    fn a_partial_submission_is_valid() {
        let v = submission(r#"{"token":"t","seq":1,"answers":{"nps":3}}"#)
            .validate()
            .expect("valid");
        assert_eq!(v.answers.nps, Some(3));
        assert!(!v.complete && !v.dismissed);
        assert_eq!(v.seq, 1);
    }

    #[test]
    fn scores_outside_their_scales_are_field_errors() {
        let e = submission(
            r#"{"token":"t","seq":1,"answers":{"nps":11,"csat":0,"ces":8,"reasons":["nope"]}}"#,
        )
        .validate()
        .expect_err("invalid");
        assert_eq!(
            e.get("answers.nps"),
            Some(FieldProblem::OutOfRange { min: 0, max: 10 })
        );
        assert_eq!(
            e.get("answers.csat"),
            Some(FieldProblem::OutOfRange { min: 1, max: 5 })
        );
        assert_eq!(
            e.get("answers.ces"),
            Some(FieldProblem::OutOfRange { min: 1, max: 7 })
        );
        assert_eq!(e.get("answers.reasons"), Some(FieldProblem::NotAChoice));
        let negative = submission(r#"{"token":"t","seq":-1,"answers":{"nps":-1}}"#)
            .validate()
            .expect_err("invalid");
        assert!(negative.get("seq").is_some() && negative.get("answers.nps").is_some());
    }

    #[test]
    fn token_and_seq_are_required() {
        let e = submission("{}").validate().expect_err("invalid");
        assert_eq!(e.get("token"), Some(FieldProblem::Required));
        assert_eq!(e.get("seq"), Some(FieldProblem::Required));
    }

    #[test]
    fn reasons_need_an_nps_answer_and_are_kept_once_in_order() {
        let e = submission(r#"{"token":"t","seq":2,"answers":{"reasons":["price"]}}"#)
            .validate()
            .expect_err("invalid");
        assert_eq!(e.get("answers.nps"), Some(FieldProblem::Required));
        let v = submission(
            r#"{"token":"t","seq":2,"answers":{"nps":2,"reasons":["price","delivery_time","price"]}}"#,
        )
        .validate()
        .expect("valid");
        assert_eq!(v.answers.reasons, vec![Reason::DeliveryTime, Reason::Price]);
    }

    #[test]
    fn text_is_checked_and_blank_text_is_no_answer() {
        let long = "a".repeat(2001);
        let e = submission(&format!(
            r#"{{"token":"t","seq":1,"answers":{{"comment":"{long}","follow_up":"x\u0000"}}}}"#
        ))
        .validate()
        .expect_err("invalid");
        assert_eq!(
            e.get("answers.comment"),
            Some(FieldProblem::TooLong { max: 2000 })
        );
        assert_eq!(
            e.get("answers.follow_up"),
            Some(FieldProblem::ControlCharacter)
        );
        let v = submission(r#"{"token":"t","seq":1,"answers":{"nps":5,"comment":"   "}}"#)
            .validate()
            .expect("valid");
        assert_eq!(v.answers.comment, None);
    }

    #[test]
    fn a_save_needs_an_answer_but_dismissing_does_not() {
        for empty in [
            r#"{"token":"t","seq":1,"complete":true}"#,
            r#"{"token":"t","seq":1,"answers":{}}"#,
            r#"{"token":"t","seq":1,"answers":{"comment":"  "}}"#,
        ] {
            let e = submission(empty).validate().expect_err("invalid");
            assert_eq!(e.get("answers"), Some(FieldProblem::Required), "{empty}");
        }
        assert!(
            submission(r#"{"token":"t","seq":1,"dismissed":true}"#)
                .validate()
                .is_ok()
        );
        let both = submission(
            r#"{"token":"t","seq":1,"answers":{"nps":3},"complete":true,"dismissed":true}"#,
        )
        .validate()
        .expect_err("invalid");
        assert_eq!(both.get("dismissed"), Some(FieldProblem::NotAChoice));
    }
}
