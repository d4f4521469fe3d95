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

use serde::{Deserialize, Serialize};

/// Where an NPS answer puts a shopper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
}

/// A share in tenths of a percent, rounded half up: `per_mille(1, 3)` is 333 (33.3 %).
fn per_mille(part: u64, whole: u64) -> Option<i64> {
    if whole == 0 {
        return None;
    }
    // Round half up on the absolute value: (2·1000·part + whole) / (2·whole).
    Some(((2 * 1000 * part + whole) / (2 * whole)) as i64)
}

/// NPS from its answers' counts per score (`counts[s]` answers of score `s`, 0–10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
