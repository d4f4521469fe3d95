//! The overview (`GET /v1/admin/reports/overview`): the business numbers shop owners ask for, and
//! satisfaction set against them. The edge's SQL counts per UTC day (or per month, per carrier,
//! per NPS answer); every formula lives here and is tested on hand-worked counts. The formulas,
//! in words, are in `docs/API.md` ("The overview").
//!
//! Who a buyer is: an order's email (its salted hash), so orders without one count as orders and
//! revenue but never as buyers. Cancelled orders count nowhere; refunds come off revenue.
//! Money is in one currency, the report's: an order's items in another currency are not summed.

use crate::survey::{Csat, NpsGroup, per_mille};
use crate::time::{format_month, format_rfc3339_ms, month_of_day, month_start_day};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const MS_PER_DAY: i64 = 86_400_000;
/// The period when the merchant does not say: twelve weeks, or twelve months by month.
pub const DEFAULT_DAYS_BY_WEEK: i64 = 84;
pub const DEFAULT_DAYS_BY_MONTH: i64 = 365;
/// The windows of the repeat-purchase rate, in days after a buyer's first order.
pub const REPEAT_WINDOWS_DAYS: [i64; 3] = [30, 60, 90];
/// A product view converts when the same browser buys within this long after it.
pub const CONVERSION_WINDOW_MS: i64 = MS_PER_DAY;
/// An add to cart is abandoned when the same browser buys nothing within this long after it.
pub const CART_WINDOW_MS: i64 = 3 * MS_PER_DAY;
/// The products listed with their conversion, the most viewed first.
pub const PRODUCTS_MAX: usize = 100;
/// The most cohorts (months) one report lists.
pub const COHORTS_MAX: usize = 13;

/// How the overview's trend is cut.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Interval {
    /// ISO weeks, Monday 00:00 UTC to the next Monday (as the satisfaction report's).
    #[default]
    Week,
    /// Calendar months, UTC.
    Month,
}

impl Interval {
    pub const fn default_days(self) -> i64 {
        match self {
            Interval::Week => DEFAULT_DAYS_BY_WEEK,
            Interval::Month => DEFAULT_DAYS_BY_MONTH,
        }
    }

    fn bucket(self, ms: i64) -> i64 {
        match self {
            Interval::Week => crate::survey::Interval::Week.bucket(ms),
            Interval::Month => month_of_day(ms.div_euclid(MS_PER_DAY)),
        }
    }

    fn bucket_start(self, bucket: i64) -> i64 {
        match self {
            Interval::Week => crate::survey::Interval::Week.bucket_start(bucket),
            Interval::Month => month_start_day(bucket) * MS_PER_DAY,
        }
    }
}

/// `GET /v1/admin/reports/overview`'s query.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct OverviewQuery {
    /// A date like 2026-11-23 or a time like 2026-11-23T15:06:52Z.
    pub from: Option<String>,
    /// A date or a time.
    pub to: Option<String>,
    pub interval: Interval,
    /// ISO 4217 (`TRY`): the currency money is summed in; the one most orders of the period
    /// (and the period before) were priced in when not given.
    pub currency: Option<String>,
}

impl OverviewQuery {
    /// The currency asked for, when it is one (three capital letters).
    pub fn currency(&self) -> Result<Option<&str>, crate::text::FieldErrors> {
        match self.currency.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(c) if c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()) => Ok(Some(c)),
            Some(_) => {
                let mut errors = crate::text::FieldErrors::default();
                errors.push("currency", crate::text::FieldProblem::NotAChoice);
                Err(errors)
            }
        }
    }
}

// What the edge counts (one row each, as D1 returns them).

/// The standing orders placed on one UTC day (`day`: days since 1970-01-01).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub struct SalesDay {
    pub day: i64,
    pub orders: u64,
    /// Of those, orders with a priced item in the report's currency.
    pub priced_orders: u64,
    /// Σ price × quantity of their items in the currency, and Σ of their refunds.
    pub revenue_minor: i64,
    pub refunded_minor: i64,
}

/// The first-time buyers of one day (whose first standing order ever was placed on it), and for
/// each repeat window: how many of them are past it (`eligible_*`: the first order is at least
/// that old) and how many of those ordered again within it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub struct BuyersDay {
    pub day: i64,
    pub buyers: u64,
    pub eligible_30: u64,
    pub repeated_30: u64,
    pub eligible_60: u64,
    pub repeated_60: u64,
    pub eligible_90: u64,
    pub repeated_90: u64,
}

/// First-time buyers whose second order came `days` whole days after their first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct SecondOrderGap {
    pub days: i64,
    pub n: u64,
}

/// Buyers of cohort `cohort` (month number of their first order, `time::month_of_day`) who
/// ordered in month `month`, and what those orders came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct CohortCell {
    pub cohort: i64,
    pub month: i64,
    pub buyers: u64,
    pub revenue_minor: i64,
}

/// How many buyers had their first standing order in month `cohort`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct CohortSize {
    pub cohort: i64,
    pub buyers: u64,
}

/// Visits of one day: a visit is one browser's UTC day. Counted only once its window is over.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub struct VisitsDay {
    pub day: i64,
    /// Visits with a product view, and of those, visits whose browser bought within
    /// [`CONVERSION_WINDOW_MS`] after a view of the visit.
    pub visits: u64,
    pub converted: u64,
    /// Visits with an add to cart, and of those, visits whose browser bought within
    /// [`CART_WINDOW_MS`] after an add of the visit.
    pub carts: u64,
    pub carts_bought: u64,
}

/// Visits that viewed `product`, and of those, visits whose browser bought it within the window.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ProductVisits {
    pub product: String,
    pub visits: u64,
    pub converted: u64,
}

/// Answers of score `nps` about orders delivered in the period, and of those, answers whose
/// buyer placed another standing order after the answered one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct NpsRepeat {
    pub nps: i64,
    pub answered: u64,
    pub repeated: u64,
}

/// `n` orders delivered in the period whose (first) parcel went with `carrier` with `value`:
/// lead time in whole hours, a CSAT answer, or a review's stars.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CarrierCount {
    pub carrier: String,
    pub value: i64,
    pub n: u64,
}

/// Everything the edge counts for one overview.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OverviewCounts {
    pub sales: Vec<SalesDay>,
    pub sales_before: Vec<SalesDay>,
    pub buyers: Vec<BuyersDay>,
    pub buyers_before: Vec<BuyersDay>,
    pub gaps: Vec<SecondOrderGap>,
    pub gaps_before: Vec<SecondOrderGap>,
    pub cohort_sizes: Vec<CohortSize>,
    pub cohort_cells: Vec<CohortCell>,
    pub visits: Vec<VisitsDay>,
    pub visits_before: Vec<VisitsDay>,
    pub products: Vec<ProductVisits>,
    pub nps: Vec<NpsRepeat>,
    pub lead_hours: Vec<CarrierCount>,
    pub csat: Vec<CarrierCount>,
    pub ratings: Vec<CarrierCount>,
}

// The answer.

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SalesFigures {
    /// Standing (not cancelled) orders placed in the period.
    pub orders: u64,
    /// Of those, orders with a priced item in the report's currency.
    pub priced_orders: u64,
    /// Σ price × quantity of those items, less the orders' refunds, in minor units.
    pub revenue_minor: i64,
    pub refunded_minor: i64,
    /// `revenue_minor / priced_orders`, rounded half away from zero; `None` without one.
    pub average_basket_minor: Option<i64>,
    /// Buyers whose first standing order ever was placed in the period.
    pub first_time_buyers: u64,
}

impl SalesFigures {
    fn add(&mut self, day: &SalesDay) {
        self.orders += day.orders;
        self.priced_orders += day.priced_orders;
        // Saturating: the edge's sums saturate too, and no wrapped total is ever shown.
        let net = day.revenue_minor.saturating_sub(day.refunded_minor);
        self.revenue_minor = self.revenue_minor.saturating_add(net);
        self.refunded_minor = self.refunded_minor.saturating_add(day.refunded_minor);
        self.average_basket_minor = divide_rounded(self.revenue_minor, self.priced_orders);
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ConversionFigures {
    /// Visits (a browser's UTC day) with a product view, and of those, visits that bought.
    pub visits: u64,
    pub converted: u64,
    /// `converted / visits` in tenths of a percent.
    pub conversion_tenths: Option<i64>,
    /// Visits with an add to cart, and of those, visits that bought nothing in the window.
    pub carts: u64,
    pub abandoned: u64,
    /// `abandoned / carts` in tenths of a percent.
    pub abandonment_tenths: Option<i64>,
}

impl ConversionFigures {
    fn add(&mut self, day: &VisitsDay) {
        self.visits += day.visits;
        self.converted += day.converted;
        self.carts += day.carts;
        self.abandoned += day.carts - day.carts_bought.min(day.carts);
        self.conversion_tenths = per_mille(self.converted, self.visits);
        self.abandonment_tenths = per_mille(self.abandoned, self.carts);
    }
}

/// The share of first-time buyers who ordered again within `days` of their first order,
/// counting only those whose first order is at least `days` old (`eligible`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct RepeatWindow {
    pub days: i64,
    pub eligible: u64,
    pub repeated: u64,
    pub rate_tenths: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct RepeatFigures {
    /// Buyers whose first standing order was placed in the period.
    pub first_time_buyers: u64,
    pub windows: Vec<RepeatWindow>,
    /// Of those buyers, those with a second order so far, and the median of the whole days
    /// between their first and second orders (the mean of the middle two, rounded down).
    pub second_orders: u64,
    pub second_order_median_days: Option<i64>,
}

/// One month of a cohort: `offset` months after its first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CohortMonth {
    pub offset: i64,
    /// The cohort's buyers who ordered in that month.
    pub active_buyers: u64,
    /// Revenue from the cohort to the end of that month (or to the report's end), per buyer of
    /// the cohort: its lifetime value so far. Rounded half away from zero.
    pub revenue_per_buyer_minor: i64,
}

/// The buyers whose first standing order was in `month`, and what they spent since.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Cohort {
    /// `2026-01`.
    pub month: String,
    pub buyers: u64,
    pub months: Vec<CohortMonth>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ProductConversion {
    pub product: String,
    pub visits: u64,
    pub converted: u64,
    pub conversion_tenths: Option<i64>,
}

/// Survey answers about orders delivered in the period, by NPS group, and the share of them whose
/// buyer ordered again after the answered order (to date).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct GroupRepeat {
    pub group: NpsGroup,
    pub answered: u64,
    pub repeated: u64,
    pub rate_tenths: Option<i64>,
}

/// The orders delivered in the period, per carrier of their first parcel: how long they took
/// and what their shoppers said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CarrierOutcome {
    pub carrier: String,
    pub delivered: u64,
    /// Placed → delivered, the median in whole hours (the mean of the middle two, rounded down).
    pub lead_time_median_hours: Option<i64>,
    pub csat: Csat,
    /// Reviews written about those orders, and their mean stars in hundredths (4.25 is 425).
    pub reviews: u64,
    pub rating_mean_hundredths: Option<i64>,
}

/// One period of the trend: `start` inclusive, `end` exclusive, RFC 3339.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OverviewPeriod {
    pub start: String,
    pub end: String,
    pub sales: SalesFigures,
    pub conversion: ConversionFigures,
}

/// The answer to `GET /v1/admin/reports/overview`: the period's figures, the same figures for
/// the period of the same length just before it (`before_from` to `from`), the trend, the
/// cohorts, the products' conversion, and satisfaction against outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OverviewReport {
    pub from: String,
    pub to: String,
    pub before_from: String,
    pub interval: Interval,
    /// The currency money is in; `None` when no order of either period had a price.
    pub currency: Option<String>,
    /// Every currency the two periods' orders were priced in, the most used first.
    pub currencies: Vec<String>,
    pub sales: SalesFigures,
    pub sales_before: SalesFigures,
    pub repeat: RepeatFigures,
    pub repeat_before: RepeatFigures,
    pub conversion: ConversionFigures,
    pub conversion_before: ConversionFigures,
    pub periods: Vec<OverviewPeriod>,
    /// One per month of the period, the oldest first, at most [`COHORTS_MAX`].
    pub cohorts: Vec<Cohort>,
    /// The most viewed products, at most [`PRODUCTS_MAX`].
    pub products: Vec<ProductConversion>,
    pub nps_groups: Vec<GroupRepeat>,
    pub carriers: Vec<CarrierOutcome>,
}

/// `n / d` rounded half away from zero; `None` when `d` is 0.
fn divide_rounded(n: i64, d: u64) -> Option<i64> {
    if d == 0 {
        return None;
    }
    let (n, d) = (i128::from(n), i128::from(d));
    let q = (2 * n.abs() + d) / (2 * d);
    Some((if n < 0 { -q } else { q }) as i64)
}

/// The median of values given as (value, count), the mean of the middle two rounded down.
fn median_of_counts(counts: &[(i64, u64)]) -> Option<i64> {
    let mut sorted: Vec<(i64, u64)> = counts.iter().copied().filter(|(_, n)| *n > 0).collect();
    sorted.sort_unstable();
    let total: u64 = sorted.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return None;
    }
    // The values at 0-based ranks (total − 1) / 2 and total / 2.
    let at = |rank: u64| {
        let mut seen = 0;
        for (value, n) in &sorted {
            seen += n;
            if rank < seen {
                return *value;
            }
        }
        sorted[sorted.len() - 1].0
    };
    Some((at((total - 1) / 2) + at(total / 2)).div_euclid(2))
}

fn repeat_figures(days: &[BuyersDay], gaps: &[SecondOrderGap]) -> RepeatFigures {
    let sum = |f: fn(&BuyersDay) -> u64| days.iter().map(f).sum::<u64>();
    let window = |days, eligible: u64, repeated: u64| RepeatWindow {
        days,
        eligible,
        repeated,
        rate_tenths: per_mille(repeated, eligible),
    };
    let gap_counts: Vec<(i64, u64)> = gaps.iter().map(|g| (g.days, g.n)).collect();
    RepeatFigures {
        first_time_buyers: sum(|d| d.buyers),
        windows: vec![
            window(30, sum(|d| d.eligible_30), sum(|d| d.repeated_30)),
            window(60, sum(|d| d.eligible_60), sum(|d| d.repeated_60)),
            window(90, sum(|d| d.eligible_90), sum(|d| d.repeated_90)),
        ],
        second_orders: gaps.iter().map(|g| g.n).sum(),
        second_order_median_days: median_of_counts(&gap_counts),
    }
}

fn sales_figures(days: &[SalesDay], buyers: &[BuyersDay]) -> SalesFigures {
    let mut figures = SalesFigures::default();
    for day in days {
        figures.add(day);
    }
    figures.first_time_buyers = buyers.iter().map(|b| b.buyers).sum();
    figures
}

fn conversion_figures(days: &[VisitsDay]) -> ConversionFigures {
    let mut figures = ConversionFigures::default();
    for day in days {
        figures.add(day);
    }
    figures
}

/// The months whose first-time buyers are the cohorts of the period `[from, to)`: from the one
/// `from` falls in to the one `to` ends in, the last [`COHORTS_MAX`] of them.
fn cohort_months(from: i64, to: i64) -> (i64, i64) {
    let first = month_of_day(from.div_euclid(MS_PER_DAY));
    let last = month_of_day((to - 1).div_euclid(MS_PER_DAY));
    (first.max(last + 1 - COHORTS_MAX as i64), last)
}

/// When the first cohort of `[from, to)` starts: the edge counts first orders from then.
pub fn cohorts_from(from: i64, to: i64) -> i64 {
    month_start_day(cohort_months(from, to).0) * MS_PER_DAY
}

fn cohorts(from: i64, to: i64, sizes: &[CohortSize], cells: &[CohortCell]) -> Vec<Cohort> {
    let (first, last) = cohort_months(from, to);
    (first..=last)
        .map(|cohort| {
            let buyers: u64 = sizes
                .iter()
                .filter(|s| s.cohort == cohort)
                .map(|s| s.buyers)
                .sum();
            let mut to_date = 0i64;
            let months = (cohort..=last)
                .map(|month| {
                    let (active, revenue) = cells
                        .iter()
                        .filter(|c| c.cohort == cohort && c.month == month)
                        .fold((0, 0i64), |(a, r), c| {
                            (a + c.buyers, r.saturating_add(c.revenue_minor))
                        });
                    to_date = to_date.saturating_add(revenue);
                    CohortMonth {
                        offset: month - cohort,
                        active_buyers: active,
                        revenue_per_buyer_minor: divide_rounded(to_date, buyers).unwrap_or(0),
                    }
                })
                .collect();
            Cohort {
                month: format_month(cohort),
                buyers,
                months,
            }
        })
        .collect()
}

/// One carrier's counts: lead hours, CSAT answers per score, review stars, as (value, count).
#[derive(Default)]
struct CarrierTally {
    lead_hours: Vec<(i64, u64)>,
    csat: [u64; 5],
    stars: Vec<(i64, u64)>,
}

fn carriers(counts: &OverviewCounts) -> Vec<CarrierOutcome> {
    let mut by_carrier: BTreeMap<&str, CarrierTally> = BTreeMap::new();
    for c in &counts.lead_hours {
        let tally = by_carrier.entry(&c.carrier).or_default();
        tally.lead_hours.push((c.value, c.n));
    }
    for c in &counts.csat {
        if let Some(slot) = usize::try_from(c.value - 1).ok().filter(|i| *i < 5) {
            by_carrier.entry(&c.carrier).or_default().csat[slot] += c.n;
        }
    }
    for c in &counts.ratings {
        if (1..=5).contains(&c.value) {
            let tally = by_carrier.entry(&c.carrier).or_default();
            tally.stars.push((c.value, c.n));
        }
    }
    by_carrier
        .into_iter()
        .map(|(carrier, tally)| {
            let reviews: u64 = tally.stars.iter().map(|(_, n)| n).sum();
            let stars: i64 = tally.stars.iter().map(|(v, n)| v * *n as i64).sum();
            CarrierOutcome {
                carrier: carrier.to_owned(),
                delivered: tally.lead_hours.iter().map(|(_, n)| n).sum(),
                lead_time_median_hours: median_of_counts(&tally.lead_hours),
                csat: Csat::from_counts(&tally.csat),
                reviews,
                rating_mean_hundredths: divide_rounded(stars * 100, reviews),
            }
        })
        .collect()
}

fn nps_groups(rows: &[NpsRepeat]) -> Vec<GroupRepeat> {
    [NpsGroup::Promoter, NpsGroup::Passive, NpsGroup::Detractor]
        .into_iter()
        .map(|group| {
            let of_group = rows
                .iter()
                .filter(|r| u8::try_from(r.nps).ok().and_then(NpsGroup::of) == Some(group));
            let (answered, repeated) =
                of_group.fold((0, 0), |(a, r), row| (a + row.answered, r + row.repeated));
            GroupRepeat {
                group,
                answered,
                repeated,
                rate_tenths: per_mille(repeated, answered),
            }
        })
        .collect()
}

impl OverviewReport {
    /// The overview of `[from, to)` (and `[from − (to − from), from)` before it) from the
    /// edge's counts.
    pub fn build(
        from: i64,
        to: i64,
        interval: Interval,
        currency: Option<String>,
        currencies: Vec<String>,
        counts: &OverviewCounts,
    ) -> OverviewReport {
        let day_start = |day: i64| day * MS_PER_DAY;
        let mut periods = Vec::new();
        if from < to {
            for bucket in interval.bucket(from)..=interval.bucket(to - 1) {
                let start = interval.bucket_start(bucket).max(from);
                let end = interval.bucket_start(bucket + 1).min(to);
                let in_bucket = |day: i64| interval.bucket(day_start(day).max(from)) == bucket;
                let sales: Vec<SalesDay> = counts
                    .sales
                    .iter()
                    .filter(|d| in_bucket(d.day))
                    .copied()
                    .collect();
                let buyers: Vec<BuyersDay> = counts
                    .buyers
                    .iter()
                    .filter(|d| in_bucket(d.day))
                    .copied()
                    .collect();
                let visits: Vec<VisitsDay> = counts
                    .visits
                    .iter()
                    .filter(|d| in_bucket(d.day))
                    .copied()
                    .collect();
                periods.push(OverviewPeriod {
                    start: format_rfc3339_ms(start),
                    end: format_rfc3339_ms(end),
                    sales: sales_figures(&sales, &buyers),
                    conversion: conversion_figures(&visits),
                });
            }
        }
        let mut products: Vec<ProductConversion> = counts
            .products
            .iter()
            .map(|p| ProductConversion {
                product: p.product.clone(),
                visits: p.visits,
                converted: p.converted,
                conversion_tenths: per_mille(p.converted, p.visits),
            })
            .collect();
        products.sort_by(|a, b| b.visits.cmp(&a.visits).then(a.product.cmp(&b.product)));
        products.truncate(PRODUCTS_MAX);
        OverviewReport {
            from: format_rfc3339_ms(from),
            to: format_rfc3339_ms(to),
            before_from: format_rfc3339_ms(from - (to - from)),
            interval,
            currency,
            currencies,
            sales: sales_figures(&counts.sales, &counts.buyers),
            sales_before: sales_figures(&counts.sales_before, &counts.buyers_before),
            repeat: repeat_figures(&counts.buyers, &counts.gaps),
            repeat_before: repeat_figures(&counts.buyers_before, &counts.gaps_before),
            conversion: conversion_figures(&counts.visits),
            conversion_before: conversion_figures(&counts.visits_before),
            periods,
            cohorts: cohorts(from, to, &counts.cohort_sizes, &counts.cohort_cells),
            products,
            nps_groups: nps_groups(&counts.nps),
            carriers: carriers(counts),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = MS_PER_DAY;
    /// 2026-11-02, a Monday.
    const MONDAY: i64 = 20_759;

    #[test]
    fn money_rounds_half_away_from_zero() {
        assert_eq!(divide_rounded(5, 2), Some(3));
        assert_eq!(divide_rounded(-5, 2), Some(-3));
        assert_eq!(divide_rounded(7, 3), Some(2));
        assert_eq!(divide_rounded(1, 0), None);
    }

    #[test]
    fn medians_of_counted_values() {
        assert_eq!(median_of_counts(&[]), None);
        assert_eq!(median_of_counts(&[(5, 1)]), Some(5));
        // 2, 4, 4, 9 → (4 + 4) / 2.
        assert_eq!(median_of_counts(&[(9, 1), (2, 1), (4, 2)]), Some(4));
        // 2, 9 → 5 (5.5 rounded down).
        assert_eq!(median_of_counts(&[(9, 1), (2, 1), (7, 0)]), Some(5));
    }

    #[test]
    fn sales_net_refunds_and_split_by_week() {
        let counts = OverviewCounts {
            sales: vec![
                // Monday: 3 orders, 2 priced: 300.00 + 150.00, 50.00 refunded.
                SalesDay {
                    day: MONDAY,
                    orders: 3,
                    priced_orders: 2,
                    revenue_minor: 45_000,
                    refunded_minor: 5_000,
                },
                // The next Monday: 1 order of 99.99.
                SalesDay {
                    day: MONDAY + 7,
                    orders: 1,
                    priced_orders: 1,
                    revenue_minor: 9_999,
                    refunded_minor: 0,
                },
            ],
            sales_before: vec![SalesDay {
                day: MONDAY - 3,
                orders: 1,
                priced_orders: 1,
                revenue_minor: 10_000,
                refunded_minor: 0,
            }],
            buyers: vec![BuyersDay {
                day: MONDAY,
                buyers: 2,
                ..BuyersDay::default()
            }],
            ..OverviewCounts::default()
        };
        let from = MONDAY * DAY;
        let report = OverviewReport::build(
            from,
            from + 14 * DAY,
            Interval::Week,
            Some("TRY".into()),
            vec!["TRY".into()],
            &counts,
        );
        assert_eq!(report.sales.orders, 4);
        assert_eq!(report.sales.revenue_minor, 49_999);
        assert_eq!(report.sales.refunded_minor, 5_000);
        // 499.99 over 3 priced orders: 166.663… → 166.66.
        assert_eq!(report.sales.average_basket_minor, Some(16_666));
        assert_eq!(report.sales.first_time_buyers, 2);
        assert_eq!(report.sales_before.average_basket_minor, Some(10_000));
        assert_eq!(report.before_from, "2026-10-19T00:00:00.000Z");
        assert_eq!(report.periods.len(), 2);
        assert_eq!(report.periods[0].sales.average_basket_minor, Some(20_000));
        assert_eq!(report.periods[1].sales.orders, 1);
        assert_eq!(report.periods[1].start, "2026-11-09T00:00:00.000Z");
    }

    #[test]
    fn months_cut_the_trend_and_the_cohorts() {
        // 2026-10-15 to 2026-12-05: three months, the first and last partial.
        let from = (MONDAY - 18) * DAY;
        let to = (MONDAY + 33) * DAY;
        let october = month_of_day(MONDAY - 18);
        let counts = OverviewCounts {
            sales: vec![
                SalesDay {
                    day: MONDAY - 2,
                    orders: 1,
                    ..SalesDay::default()
                },
                SalesDay {
                    day: MONDAY,
                    orders: 2,
                    ..SalesDay::default()
                },
            ],
            // October's two buyers spent 100.00 and 50.00 then; one of them 30.00 in December.
            cohort_sizes: vec![CohortSize {
                cohort: october,
                buyers: 2,
            }],
            cohort_cells: vec![
                CohortCell {
                    cohort: october,
                    month: october,
                    buyers: 2,
                    revenue_minor: 15_000,
                },
                CohortCell {
                    cohort: october + 2,
                    month: october + 2,
                    buyers: 1,
                    revenue_minor: 1_000,
                },
                CohortCell {
                    cohort: october,
                    month: october + 2,
                    buyers: 1,
                    revenue_minor: 3_000,
                },
            ],
            ..OverviewCounts::default()
        };
        let report = OverviewReport::build(from, to, Interval::Month, None, vec![], &counts);
        assert_eq!(report.periods.len(), 3);
        assert_eq!(report.periods[0].start, "2026-10-15T00:00:00.000Z");
        assert_eq!(report.periods[0].end, "2026-11-01T00:00:00.000Z");
        assert_eq!(report.periods[0].sales.orders, 1);
        assert_eq!(report.periods[1].sales.orders, 2);
        assert_eq!(report.cohorts.len(), 3);
        let oct = &report.cohorts[0];
        assert_eq!((oct.month.as_str(), oct.buyers), ("2026-10", 2));
        let ltv: Vec<(i64, u64, i64)> = oct
            .months
            .iter()
            .map(|m| (m.offset, m.active_buyers, m.revenue_per_buyer_minor))
            .collect();
        assert_eq!(ltv, vec![(0, 2, 7_500), (1, 0, 7_500), (2, 1, 9_000)]);
        // A cohort without buyers shows none rather than dividing by zero.
        assert_eq!(report.cohorts[1].buyers, 0);
        assert_eq!(report.cohorts[1].months[0].revenue_per_buyer_minor, 0);
        assert_eq!(report.cohorts[2].months.len(), 1);
    }

    #[test]
    fn repeat_rates_count_only_buyers_past_the_window() {
        let days = [
            BuyersDay {
                day: 1,
                buyers: 4,
                eligible_30: 4,
                repeated_30: 1,
                eligible_60: 4,
                repeated_60: 2,
                eligible_90: 0,
                repeated_90: 0,
            },
            BuyersDay {
                day: 2,
                buyers: 2,
                eligible_30: 2,
                repeated_30: 1,
                ..BuyersDay::default()
            },
        ];
        let gaps = [
            SecondOrderGap { days: 10, n: 2 },
            SecondOrderGap { days: 45, n: 1 },
        ];
        let figures = repeat_figures(&days, &gaps);
        assert_eq!(figures.first_time_buyers, 6);
        let rates: Vec<(i64, u64, Option<i64>)> = figures
            .windows
            .iter()
            .map(|w| (w.days, w.eligible, w.rate_tenths))
            .collect();
        // 2 of 6 (33.3 %), 2 of 4 (50 %), none eligible yet.
        assert_eq!(
            rates,
            vec![(30, 6, Some(333)), (60, 4, Some(500)), (90, 0, None)]
        );
        assert_eq!(figures.second_orders, 3);
        assert_eq!(figures.second_order_median_days, Some(10));
    }

    #[test]
    fn conversion_abandonment_and_outcomes() {
        let counts = OverviewCounts {
            visits: vec![VisitsDay {
                day: 1,
                visits: 8,
                converted: 2,
                carts: 4,
                carts_bought: 1,
            }],
            products: vec![
                ProductVisits {
                    product: "b".into(),
                    visits: 3,
                    converted: 1,
                },
                ProductVisits {
                    product: "a".into(),
                    visits: 5,
                    converted: 1,
                },
            ],
            nps: vec![
                NpsRepeat {
                    nps: 10,
                    answered: 2,
                    repeated: 2,
                },
                NpsRepeat {
                    nps: 9,
                    answered: 1,
                    repeated: 0,
                },
                NpsRepeat {
                    nps: 3,
                    answered: 2,
                    repeated: 0,
                },
            ],
            lead_hours: vec![
                CarrierCount {
                    carrier: "yurtici".into(),
                    value: 30,
                    n: 1,
                },
                CarrierCount {
                    carrier: "yurtici".into(),
                    value: 50,
                    n: 2,
                },
                CarrierCount {
                    carrier: "aras".into(),
                    value: 100,
                    n: 1,
                },
            ],
            csat: vec![
                CarrierCount {
                    carrier: "yurtici".into(),
                    value: 5,
                    n: 1,
                },
                CarrierCount {
                    carrier: "yurtici".into(),
                    value: 2,
                    n: 1,
                },
            ],
            ratings: vec![
                CarrierCount {
                    carrier: "aras".into(),
                    value: 4,
                    n: 2,
                },
                CarrierCount {
                    carrier: "aras".into(),
                    value: 5,
                    n: 1,
                },
            ],
            ..OverviewCounts::default()
        };
        let report = OverviewReport::build(0, 7 * DAY, Interval::Week, None, vec![], &counts);
        let c = report.conversion;
        assert_eq!(
            (c.conversion_tenths, c.abandoned, c.abandonment_tenths),
            (Some(250), 3, Some(750))
        );
        assert_eq!(report.products[0].product, "a");
        assert_eq!(report.products[0].conversion_tenths, Some(200));
        let groups: Vec<(NpsGroup, u64, Option<i64>)> = report
            .nps_groups
            .iter()
            .map(|g| (g.group, g.answered, g.rate_tenths))
            .collect();
        assert_eq!(
            groups,
            vec![
                (NpsGroup::Promoter, 3, Some(667)),
                (NpsGroup::Passive, 0, None),
                (NpsGroup::Detractor, 2, Some(0)),
            ]
        );
        let aras = &report.carriers[0];
        assert_eq!(
            (
                aras.carrier.as_str(),
                aras.delivered,
                aras.lead_time_median_hours
            ),
            ("aras", 1, Some(100))
        );
        assert_eq!((aras.reviews, aras.rating_mean_hundredths), (3, Some(433)));
        let yurtici = &report.carriers[1];
        assert_eq!(
            (yurtici.delivered, yurtici.lead_time_median_hours),
            (3, Some(50))
        );
        assert_eq!(yurtici.csat.percent_tenths, Some(500));
    }
}
