//! The shop's survey settings (`/v1/admin/survey`): which questions it asks, its own wording
//! per language, and how long a shopper is left alone after answering.

use super::{Question, SurveyTexts};
use crate::review::LOCALES;
use crate::text::{FieldErrors, FieldProblem, TextRule};
use crate::topics::TopicRules;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const COOLDOWN_DAYS_DEFAULT: u32 = 90;
pub const COOLDOWN_DAYS_MAX: i64 = 365;
pub const MAX_SETTINGS_BYTES: usize = 32 * 1024;
/// The texts a shop may word itself, per language.
pub const TEXT_KEYS: [&str; 9] = [
    "intro",
    "nps",
    "follow_up_detractor",
    "follow_up_passive",
    "follow_up_promoter",
    "csat",
    "ces",
    "comment",
    "thanks",
];
pub const QUESTION_TEXT_RULE: TextRule = TextRule {
    required: true,
    max_chars: 200,
    multiline: false,
};

/// Which questions the shop asks. All on by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct QuestionsOn {
    pub nps: bool,
    pub follow_up: bool,
    pub csat: bool,
    pub ces: bool,
    pub comment: bool,
}

impl Default for QuestionsOn {
    fn default() -> Self {
        QuestionsOn {
            nps: true,
            follow_up: true,
            csat: true,
            ces: true,
            comment: true,
        }
    }
}

/// A shop's texts: language → text key → text.
pub type Texts = BTreeMap<String, BTreeMap<String, String>>;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SurveySettings {
    /// Days after a shopper was asked (about any order) before they are asked again.
    pub cooldown_days: u32,
    pub questions: QuestionsOn,
    pub texts: Texts,
    /// The shop's own topic rules, added to the defaults (`topics::DEFAULT_TOPICS`).
    pub topics: TopicRules,
}

impl SurveySettings {
    pub fn defaults() -> SurveySettings {
        SurveySettings {
            cooldown_days: COOLDOWN_DAYS_DEFAULT,
            ..SurveySettings::default()
        }
    }

    /// The questions asked, in order. A follow-up follows the NPS answer, so it is asked only
    /// with NPS.
    pub fn asked(&self) -> Vec<Question> {
        let q = self.questions;
        Question::ALL
            .into_iter()
            .filter(|question| match question {
                Question::Nps => q.nps,
                Question::FollowUp => q.nps && q.follow_up,
                Question::Csat => q.csat,
                Question::Ces => q.ces,
                Question::Comment => q.comment,
            })
            .collect()
    }

    /// The shop's wording in `locale` (English when none is asked).
    pub fn texts_for(&self, locale: Option<&str>) -> SurveyTexts {
        let by_key = self.texts.get(locale.unwrap_or("en"));
        SurveyTexts(
            by_key
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )
    }
}

/// Which questions to turn on or off; the ones not named stay.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct QuestionsUpdate {
    #[serde(default)]
    pub nps: Option<bool>,
    #[serde(default)]
    pub follow_up: Option<bool>,
    #[serde(default)]
    pub csat: Option<bool>,
    #[serde(default)]
    pub ces: Option<bool>,
    #[serde(default)]
    pub comment: Option<bool>,
}

/// The body of `PUT /v1/admin/survey`: the fields given change, the others stay. `texts` and
/// `topics` replace the shop's whole set when given (`{}` clears them).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SurveySettingsUpdate {
    #[serde(default)]
    pub cooldown_days: Option<i64>,
    #[serde(default)]
    pub questions: Option<QuestionsUpdate>,
    #[serde(default)]
    pub texts: Option<Texts>,
    #[serde(default)]
    pub topics: Option<TopicRules>,
}

impl SurveySettingsUpdate {
    pub fn apply(&self, current: &SurveySettings) -> Result<SurveySettings, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut next = current.clone();
        match self.cooldown_days {
            None => {}
            Some(d) if (0..=COOLDOWN_DAYS_MAX).contains(&d) => next.cooldown_days = d as u32,
            Some(_) => errors.push(
                "cooldown_days",
                FieldProblem::OutOfRange {
                    min: 0,
                    max: COOLDOWN_DAYS_MAX,
                },
            ),
        }
        if let Some(u) = self.questions {
            let q = &mut next.questions;
            q.nps = u.nps.unwrap_or(q.nps);
            q.follow_up = u.follow_up.unwrap_or(q.follow_up);
            q.csat = u.csat.unwrap_or(q.csat);
            q.ces = u.ces.unwrap_or(q.ces);
            q.comment = u.comment.unwrap_or(q.comment);
            if next.asked().is_empty() {
                errors.push("questions", FieldProblem::Required);
            }
        }
        if let Some(texts) = &self.texts {
            let mut checked = Texts::new();
            'texts: for (locale, by_key) in texts {
                if !LOCALES.contains(&locale.as_str()) {
                    errors.push("texts", FieldProblem::NotAChoice);
                    break;
                }
                let mut kept = BTreeMap::new();
                for (key, text) in by_key {
                    if !TEXT_KEYS.contains(&key.as_str()) {
                        errors.push("texts", FieldProblem::NotAChoice);
                        break 'texts;
                    }
                    if let Err(problem) = QUESTION_TEXT_RULE.check(text) {
                        errors.push("texts", problem);
                        break 'texts;
                    }
                    kept.insert(key.clone(), text.trim().to_owned());
                }
                if !kept.is_empty() {
                    checked.insert(locale.clone(), kept);
                }
            }
            next.texts = checked;
        }
        if let Some(topics) = &self.topics {
            match crate::topics::validate_rules(topics) {
                Ok(rules) => next.topics = rules,
                Err(problem) => errors.push("topics", problem),
            }
        }
        if errors.is_empty() {
            Ok(next)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_default_to_every_question_and_ninety_days() {
        let s = SurveySettings::defaults();
        assert_eq!(s.cooldown_days, 90);
        assert_eq!(s.asked(), Question::ALL.to_vec());
    }

    #[test]
    fn a_follow_up_is_asked_only_with_nps() {
        let update: SurveySettingsUpdate =
            serde_json::from_str(r#"{"questions":{"nps":false}}"#).expect("json");
        let s = update.apply(&SurveySettings::defaults()).expect("valid");
        assert_eq!(
            s.asked(),
            vec![Question::Csat, Question::Ces, Question::Comment]
        );
    }

    #[test]
    fn settings_updates_are_checked() {
        let current = SurveySettings::defaults();
        let bad: SurveySettingsUpdate = serde_json::from_str(
            r#"{"cooldown_days":400,"texts":{"de":{"nps":"Wie?"}},
                "questions":{"nps":false,"csat":false,"ces":false,"comment":false}}"#,
        )
        .expect("json");
        let e = bad.apply(&current).expect_err("invalid");
        assert!(e.get("cooldown_days").is_some());
        assert_eq!(e.get("texts"), Some(FieldProblem::NotAChoice));
        assert_eq!(e.get("questions"), Some(FieldProblem::Required));
        let unknown_key: SurveySettingsUpdate =
            serde_json::from_str(r#"{"texts":{"tr":{"title":"x"}}}"#).expect("json");
        assert_eq!(
            unknown_key
                .apply(&current)
                .expect_err("invalid")
                .get("texts"),
            Some(FieldProblem::NotAChoice)
        );
        let good: SurveySettingsUpdate = serde_json::from_str(
            r#"{"cooldown_days":30,"texts":{"tr":{"nps":" Bizi önerir misiniz? "}}}"#,
        )
        .expect("json");
        let s = good.apply(&current).expect("valid");
        assert_eq!(s.cooldown_days, 30);
        assert_eq!(
            s.texts_for(Some("tr")).get("nps"),
            Some("Bizi önerir misiniz?")
        );
        assert!(s.texts_for(Some("en")).0.is_empty());
        assert_eq!(s.questions, current.questions, "untouched");
    }
}
