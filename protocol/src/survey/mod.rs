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
//! The rest, one idea a file: `questions` (the questions, the reasons, what the widget sends and
//! what opening a survey answers), `settings` (the shop's), `report` (the satisfaction report).

use serde::{Deserialize, Serialize};

mod questions;
mod report;
mod settings;

pub use questions::*;
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

    pub fn parse(s: &str) -> Option<NpsGroup> {
        NpsGroup::ALL.into_iter().find(|g| g.as_str() == s)
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
            assert_eq!(NpsGroup::parse(group.as_str()), Some(group));
        }
        assert_eq!(NpsGroup::parse("Detractor"), None);
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
    use crate::text::FieldProblem;
    use std::collections::BTreeMap;

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
        assert_eq!(s.texts_for(Some("tr"))["nps"], "Bizi önerir misiniz?");
        assert!(s.texts_for(Some("en")).is_empty());
        assert_eq!(s.questions, current.questions, "untouched");
    }

    #[test]
    fn weeks_start_on_monday_utc() {
        // 2026-11-23 is a Monday; 2026-11-22 a Sunday.
        let monday = crate::time::parse_timestamp("2026-11-23").expect("date");
        let sunday_night = crate::time::parse_timestamp("2026-11-22T23:59:59Z").expect("time");
        let w = Interval::Week;
        assert_eq!(w.bucket_start(w.bucket(monday)), monday);
        assert_eq!(w.bucket(sunday_night) + 1, w.bucket(monday));
        assert_eq!(
            w.bucket_start(w.bucket(monday + 5 * MS_PER_DAY)),
            monday,
            "Saturday is in Monday's week"
        );
    }

    #[test]
    fn a_report_sums_its_periods_and_leaves_no_gaps() {
        let w = Interval::Week;
        let from = crate::time::parse_timestamp("2026-11-04").expect("date"); // a Wednesday
        let to = crate::time::parse_timestamp("2026-11-25").expect("date");
        let mut buckets = BTreeMap::new();
        let mut first = Tally {
            delivered: 4,
            ..Tally::default()
        };
        first.add_response(Some(10), Some(5), Some(7), true, 1);
        first.add_response(Some(3), Some(2), None, false, 1);
        first.add_reason(3, "delivery_time", 1);
        first.add_topic("delivery", 1);
        buckets.insert(w.bucket(from), first);
        let mut third = Tally {
            delivered: 1,
            ..Tally::default()
        };
        third.add_response(Some(8), None, None, true, 1);
        buckets.insert(w.bucket(to - 1), third);

        let report = SatisfactionReport::build(from, to, w, &buckets);
        assert_eq!(report.periods.len(), 4, "Nov 4–9, 9–16, 16–23, 23–25");
        assert_eq!(report.periods[0].start, "2026-11-04T00:00:00.000Z");
        assert_eq!(report.periods[0].end, "2026-11-09T00:00:00.000Z");
        assert_eq!(report.periods[3].end, "2026-11-25T00:00:00.000Z");
        assert_eq!(report.periods[1].figures.responses, 0);
        assert_eq!(report.periods[1].figures.nps.score_tenths, None);
        let t = &report.totals;
        assert_eq!((t.delivered_orders, t.responses, t.completed), (5, 3, 2));
        assert_eq!(t.response_rate_tenths, Some(600));
        assert_eq!(t.completion_rate_tenths, Some(400));
        // One promoter, one passive, one detractor: 0.
        assert_eq!(t.nps.score_tenths, Some(0));
        assert_eq!(t.csat.percent_tenths, Some(500));
        assert_eq!(t.reasons.detractor.get("delivery_time"), Some(&1));
        assert_eq!(t.topics.get("delivery"), Some(&1));
    }

    #[test]
    fn report_periods_default_and_are_bounded() {
        use crate::time::report_period;
        let now = crate::time::parse_timestamp("2026-11-23T12:00:00Z").expect("time");
        let (from, to) = report_period(None, None, now, REPORT_DEFAULT_DAYS).expect("valid");
        assert_eq!((to, to - from), (now, 84 * MS_PER_DAY));
        let (_, to) =
            report_period(Some("2026-11-01"), Some("2026-11-23"), now, 84).expect("valid");
        assert_eq!(
            to,
            crate::time::parse_timestamp("2026-11-24").expect("date"),
            "a date includes its day"
        );
        assert!(report_period(Some("2026-11-24"), Some("2026-11-23"), now, 84).is_err());
        assert!(report_period(Some("2024-01-01"), Some("2026-01-01"), now, 84).is_err());
        assert_eq!(
            report_period(Some("yesterday"), None, now, 84)
                .expect_err("invalid")
                .get("from"),
            Some(FieldProblem::NotATime)
        );
    }
}
