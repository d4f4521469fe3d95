//! The satisfaction report (`GET /v1/admin/reports/satisfaction`) and the list of answers behind
//! it (`GET /v1/admin/survey/responses`): the counting is the edge's SQL, the formulas are
//! `survey`'s.

use super::{CES_MAX, CSAT_MAX, Ces, Csat, NPS_MAX, Nps, NpsGroup, Reason, per_mille};
use crate::api::query::{Bounded, Cursor};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The period a report covers when the merchant does not say: twelve weeks up to now.
pub const REPORT_DEFAULT_DAYS: i64 = 84;
const MS_PER_DAY: i64 = 86_400_000;

/// How a report's trend is cut.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Interval {
    /// ISO weeks, Monday 00:00 UTC to the next Monday.
    #[default]
    Week,
    Day,
}

impl Interval {
    pub const fn length_ms(self) -> i64 {
        match self {
            Interval::Day => MS_PER_DAY,
            Interval::Week => 7 * MS_PER_DAY,
        }
    }

    /// What to add to a time before dividing by the length, so buckets start where they
    /// should: 1970-01-01 was a Thursday, so weeks need three days to start on Monday.
    pub const fn offset_ms(self) -> i64 {
        match self {
            Interval::Day => 0,
            Interval::Week => 3 * MS_PER_DAY,
        }
    }

    /// The number of the bucket `ms` falls in (the edge's SQL computes the same).
    pub const fn bucket(self, ms: i64) -> i64 {
        (ms + self.offset_ms()).div_euclid(self.length_ms())
    }

    pub const fn bucket_start(self, bucket: i64) -> i64 {
        bucket * self.length_ms() - self.offset_ms()
    }
}

/// Counts for one period, as the edge reads them from the database; [`Tally::figures`] turns
/// them into the report's numbers. Everything is counted by the order's delivery time: the
/// orders delivered in a period, and the answers about those orders, wherever they fell.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub delivered: u64,
    /// Orders with at least one answer.
    pub responses: u64,
    pub completed: u64,
    pub nps: [u64; 11],
    pub csat: [u64; 5],
    pub ces: [u64; 7],
    /// (NPS group, reason) → answers naming it.
    pub reasons: BTreeMap<(NpsGroup, String), u64>,
    pub topics: BTreeMap<String, u64>,
}

impl Tally {
    /// `count` responses with these answers. Values outside their scales are not counted (the
    /// edge never stores one).
    pub fn add_response(
        &mut self,
        nps: Option<i64>,
        csat: Option<i64>,
        ces: Option<i64>,
        completed: bool,
        count: u64,
    ) {
        self.responses += count;
        if completed {
            self.completed += count;
        }
        if let Some(n) = nps.filter(|n| (0..=NPS_MAX).contains(n)) {
            self.nps[n as usize] += count;
        }
        if let Some(c) = csat.filter(|c| (1..=CSAT_MAX).contains(c)) {
            self.csat[c as usize - 1] += count;
        }
        if let Some(c) = ces.filter(|c| (1..=CES_MAX).contains(c)) {
            self.ces[c as usize - 1] += count;
        }
    }

    /// `count` responses with NPS answer `nps` naming `reason`.
    pub fn add_reason(&mut self, nps: i64, reason: &str, count: u64) {
        if let Some(group) = u8::try_from(nps).ok().and_then(NpsGroup::of) {
            *self.reasons.entry((group, reason.to_owned())).or_default() += count;
        }
    }

    pub fn add_topic(&mut self, topic: &str, count: u64) {
        *self.topics.entry(topic.to_owned()).or_default() += count;
    }

    /// Adds another period's counts (the report's totals are the sum of its periods).
    pub fn merge(&mut self, other: &Tally) {
        self.delivered += other.delivered;
        self.responses += other.responses;
        self.completed += other.completed;
        for (a, b) in self.nps.iter_mut().zip(other.nps) {
            *a += b;
        }
        for (a, b) in self.csat.iter_mut().zip(other.csat) {
            *a += b;
        }
        for (a, b) in self.ces.iter_mut().zip(other.ces) {
            *a += b;
        }
        for (key, n) in &other.reasons {
            *self.reasons.entry(key.clone()).or_default() += n;
        }
        for (key, n) in &other.topics {
            *self.topics.entry(key.clone()).or_default() += n;
        }
    }

    pub fn figures(&self) -> Figures {
        let mut reasons = ReasonCounts::default();
        for ((group, reason), n) in &self.reasons {
            let counts = match group {
                NpsGroup::Detractor => &mut reasons.detractor,
                NpsGroup::Passive => &mut reasons.passive,
                NpsGroup::Promoter => &mut reasons.promoter,
            };
            counts.insert(reason.clone(), *n);
        }
        Figures {
            delivered_orders: self.delivered,
            responses: self.responses,
            completed: self.completed,
            response_rate_tenths: per_mille(self.responses, self.delivered),
            completion_rate_tenths: per_mille(self.completed, self.delivered),
            nps: Nps::from_counts(&self.nps),
            csat: Csat::from_counts(&self.csat),
            ces: Ces::from_counts(&self.ces),
            reasons,
            topics: self.topics.clone(),
        }
    }
}

/// Follow-up reasons named, per NPS group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ReasonCounts {
    pub detractor: BTreeMap<String, u64>,
    pub passive: BTreeMap<String, u64>,
    pub promoter: BTreeMap<String, u64>,
}

/// The numbers of one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Figures {
    pub delivered_orders: u64,
    /// Delivered orders with at least one answer.
    pub responses: u64,
    /// Delivered orders whose survey was finished.
    pub completed: u64,
    /// `responses` per delivered order, in tenths of a percent.
    pub response_rate_tenths: Option<i64>,
    /// `completed` per delivered order, in tenths of a percent.
    pub completion_rate_tenths: Option<i64>,
    pub nps: Nps,
    pub csat: Csat,
    pub ces: Ces,
    pub reasons: ReasonCounts,
    /// Comments (follow-up text and final comment) per topic.
    pub topics: BTreeMap<String, u64>,
}

/// One period of the trend: `start` inclusive, `end` exclusive, RFC 3339.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Period {
    pub start: String,
    pub end: String,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SatisfactionReport {
    pub from: String,
    pub to: String,
    pub interval: Interval,
    pub totals: Figures,
    pub periods: Vec<Period>,
}

impl SatisfactionReport {
    /// The report of `[from, to)` from each bucket's counts (buckets without any are empty
    /// periods, so a trend chart has no gaps).
    pub fn build(
        from: i64,
        to: i64,
        interval: Interval,
        buckets: &BTreeMap<i64, Tally>,
    ) -> SatisfactionReport {
        use crate::time::format_rfc3339_ms;
        let mut totals = Tally::default();
        let mut periods = Vec::new();
        if from < to {
            let empty = Tally::default();
            for bucket in interval.bucket(from)..=interval.bucket(to - 1) {
                let tally = buckets.get(&bucket).unwrap_or(&empty);
                totals.merge(tally);
                let start = interval.bucket_start(bucket).max(from);
                let end = interval.bucket_start(bucket + 1).min(to);
                periods.push(Period {
                    start: format_rfc3339_ms(start),
                    end: format_rfc3339_ms(end),
                    figures: tally.figures(),
                });
            }
        }
        SatisfactionReport {
            from: format_rfc3339_ms(from),
            to: format_rfc3339_ms(to),
            interval,
            totals: totals.figures(),
            periods,
        }
    }
}

/// One answered survey in the merchant's list (`GET /v1/admin/survey/responses`): the comments
/// behind a reason or topic count of the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SurveyResponse {
    pub order: String,
    pub number: String,
    pub nps: Option<u8>,
    pub group: Option<NpsGroup>,
    pub reasons: Vec<Reason>,
    pub follow_up: Option<String>,
    pub csat: Option<u8>,
    pub ces: Option<u8>,
    pub comment: Option<String>,
    pub topics: Vec<String>,
    pub locale: Option<String>,
    /// Unix milliseconds: when the order was delivered (the report's periods count by it) and
    /// when the first answer came.
    pub delivered_at: i64,
    pub answered_at: i64,
    pub completed: bool,
}

/// A page of `GET /v1/admin/survey/responses?from=&to=&group=&reason=&topic=&limit=&cursor=`,
/// newest delivery first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SurveyResponsePage {
    pub responses: Vec<SurveyResponse>,
    pub next_cursor: Option<String>,
}

/// `GET /v1/admin/survey/responses`: the answers of the orders delivered in the period,
/// `from` inclusive, `to` exclusive, newest first.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct SurveyResponseQuery {
    /// A date like 2026-11-23 or a time like 2026-11-23T15:06:52Z.
    pub from: Option<String>,
    /// A date or a time.
    pub to: Option<String>,
    pub group: Option<NpsGroup>,
    pub reason: Option<Reason>,
    /// Only the answers the shop's topic rules put under this topic.
    pub topic: Option<crate::topics::TopicName>,
    pub limit: Bounded<{ crate::order_list::PAGE_SIZE_MAX }>,
    pub cursor: Option<Cursor<(i64, [crate::Id; 1])>>,
}

impl Default for SurveyResponseQuery {
    fn default() -> Self {
        SurveyResponseQuery {
            from: None,
            to: None,
            group: None,
            reason: None,
            topic: None,
            limit: Bounded(crate::order_list::PAGE_SIZE_DEFAULT),
            cursor: None,
        }
    }
}

/// `GET /v1/admin/reports/satisfaction`: the period, and how its trend is cut.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct SatisfactionQuery {
    /// A date like 2026-11-23 or a time like 2026-11-23T15:06:52Z.
    pub from: Option<String>,
    /// A date or a time.
    pub to: Option<String>,
    pub interval: Interval,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FieldProblem;

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
