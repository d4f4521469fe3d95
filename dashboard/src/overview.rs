//! Overview, the first page after sign-in: whether customer experience pays. Orders, revenue,
//! average basket, repeat purchases, conversion and cart abandonment with their change against
//! the period before; the trend as charts, each with its table; lifetime value by first month
//! (the cohort table); conversion per product; satisfaction against outcome. Every table can be
//! downloaded as CSV. Everything comes from `reports/overview` (formulas: docs/API.md).

use crate::Ctx;
use crate::api;
use crate::chart::{LineChart, Marker, Series};
use crate::format;
use crate::i18n::Lang;
use crate::satisfaction::group_word;
use crate::table::{Cell, FiguresTable, Table};
use crate::ui::{ErrorLine, Latest, Period, PeriodChooser};
use leptos::prelude::*;
use leptos::task::spawn_local;
use memnun_protocol::overview::{ConversionFigures, Interval, OverviewReport};
use memnun_protocol::time::parse_timestamp;

/// A year, cut by month: enough for the cohort table to mean something.
const DEFAULT_DAYS: i64 = 365;

fn report_path(period: &Period, interval: Interval, currency: &str) -> String {
    let interval = match interval {
        Interval::Week => "week",
        Interval::Month => "month",
    };
    format!(
        "reports/overview{}",
        api::query(&[
            ("from", &period.from),
            ("to", &period.to),
            ("interval", interval),
            ("currency", currency),
        ])
    )
}

/// A change in tenths of a percent of `before` (`None` when there is nothing to compare with).
fn relative_change(now: i64, before: i64) -> Option<i64> {
    (before != 0).then(|| {
        let (now, before) = (i128::from(now), i128::from(before));
        ((now - before) * 1000 / before.abs()) as i64
    })
}

/// Ticks from 0 to a round number at or above `max`, four steps of 1, 2, 2.5 or 5 × 10ⁿ.
fn round_ticks(max: f64) -> Vec<f64> {
    let rough = (max / 4.0).max(1.0);
    let power = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|s| *s >= rough)
        .unwrap_or(10.0 * power);
    (0..=4).map(|i| i as f64 * step).collect()
}

#[component]
pub fn OverviewPage() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let period = RwSignal::new(Period::last_days(DEFAULT_DAYS));
    let interval = RwSignal::new(Interval::Month);
    let currency = RwSignal::new(String::new());
    let report = RwSignal::new(None::<OverviewReport>);
    let error = RwSignal::new(None::<String>);
    let loading = RwSignal::new(false);

    let latest = Latest::new();
    Effect::new(move |_| {
        let path = report_path(&period.get(), interval.get(), &currency.get());
        let ticket = latest.start();
        loading.set(true);
        spawn_local(async move {
            let answer = ctx.client().get::<OverviewReport>(&path).await;
            if !latest.is_current(ticket) {
                return;
            }
            match answer {
                Ok(r) => {
                    error.set(None);
                    report.set(Some(r));
                    ctx.say(ctx.words().report_loaded);
                }
                Err(f) => {
                    report.set(None);
                    error.set(Some(ctx.explain(&f)));
                }
            }
            loading.set(false);
        });
    });

    let t = move || ctx.t();
    view! {
        <h1 tabindex="-1">{move || t().page_overview}</h1>
        <PeriodChooser period=period busy=loading />
        <div class="options">
            <label>{move || t().interval}
                <select name="interval" on:change=move |ev| {
                    interval.set(if event_target_value(&ev) == "week" { Interval::Week } else { Interval::Month });
                }>
                    <option value="month" selected=move || interval.get() == Interval::Month>{move || t().by_month}</option>
                    <option value="week" selected=move || interval.get() == Interval::Week>{move || t().by_week}</option>
                </select>
            </label>
            // Also when the currency chosen has no orders in a later period: the way back.
            {move || report.with(|r| r.as_ref().and_then(|r| {
                let chosen = r.currency.clone().unwrap_or_default();
                let mut options = r.currencies.clone();
                if !chosen.is_empty() && !options.contains(&chosen) {
                    options.push(chosen.clone());
                }
                (options.len() > 1).then_some((chosen, options))
            }).map(|(chosen, options)| {
                view! {
                    <label>{move || t().currency}
                        <select name="currency" on:change=move |ev| currency.set(event_target_value(&ev))>
                            {options.into_iter().map(|c| {
                                let selected = c == chosen;
                                view! { <option value=c.clone() selected=selected>{c.clone()}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                }
            }))}
        </div>
        <ErrorLine error=error />
        // Drawn whole, again when the language changes: a report is read, not edited.
        {move || {
            let lang = ctx.lang.get();
            report.get().map(|r| sections(lang, &r))
        }}
    }
}

fn sections(lang: Lang, r: &OverviewReport) -> impl IntoView + use<> {
    let t = lang.strings();
    let money = r.currency.clone().unwrap_or_default();
    view! {
        {headline(lang, r, &money)}
        <section class="trend" aria-labelledby="trend-heading">
            <h2 id="trend-heading">{t.sales_trend}</h2>
            {charts(lang, r, &money)}
            <FiguresTable table=periods_table(lang, r, &money) />
        </section>
        <section class="repeat" aria-labelledby="repeat-heading">
            <h2 id="repeat-heading">{t.repeat_heading}</h2>
            <FiguresTable table=repeat_table(lang, r) />
            <p>{match r.repeat.second_order_median_days {
                Some(days) => t.second_order_median.replacen("{}", &days.to_string(), 1)
                    .replacen("{}", &r.repeat.second_orders.to_string(), 1),
                None => t.no_second_orders.into(),
            }}</p>
        </section>
        <section class="cohorts" aria-labelledby="cohorts-heading">
            <h2 id="cohorts-heading">{t.cohorts_heading}</h2>
            <FiguresTable table=cohort_table(lang, r, &money) />
        </section>
        <section class="products" aria-labelledby="products-heading">
            <h2 id="products-heading">{t.products_heading}</h2>
            <FiguresTable table=products_table(lang, r) />
        </section>
        <section class="outcome" aria-labelledby="outcome-heading">
            <h2 id="outcome-heading">{t.outcome_heading}</h2>
            <FiguresTable table=groups_table(lang, r) />
            <FiguresTable table=carriers_table(lang, r) />
        </section>
    }
}

/// The period's six figures, each with its change against the period before: amounts by a
/// share of themselves, shares by points.
fn headline(lang: Lang, r: &OverviewReport, money: &str) -> impl IntoView + use<> {
    let t = lang.strings();
    let pct = |now: i64, before: i64| match relative_change(now, before) {
        Some(v) => t
            .change_pct_vs_before
            .replace("{}", &format::change_tenths(lang, v)),
        None => t.nothing_before.into(),
    };
    let pts = |now: Option<i64>, before: Option<i64>| match (now, before) {
        (Some(a), Some(b)) => t
            .change_pts_vs_before
            .replace("{}", &format::change_tenths(lang, a - b)),
        _ => t.nothing_before.into(),
    };
    let (s, b, c, cb) = (r.sales, r.sales_before, r.conversion, r.conversion_before);
    let w = r.repeat.windows.last().copied();
    let wb = r.repeat_before.windows.last().copied();
    let rate = w.and_then(|w| w.rate_tenths);
    // Whole units here, with the currency small: the tables below have the minor units.
    let whole = |minor: i64| {
        let shown = format::money(lang, (minor + 50).div_euclid(100) * 100, "");
        shown
            .rsplit_once(['.', ','])
            .map_or(shown.clone(), |(units, _)| units.to_owned())
    };
    let basket = |v: Option<i64>| v.map_or("–".into(), whole);
    let unit = |shown: &str| (shown != "–").then(|| money.to_owned());
    let figure = |name: &'static str,
                  label: String,
                  value: String,
                  unit: Option<String>,
                  change: String,
                  note: String| {
        view! {
            <div class="figure" data-figure=name>
                <dt>{label}</dt>
                <dd class="value">{value}{unit.map(|u| view! { " " <span class="unit">{u}</span> })}</dd>
                <dd class="change">{change}</dd>
                <dd class="muted">{note}</dd>
            </div>
        }
    };
    view! {
        <section class="figures six" aria-labelledby="figures-heading">
            <h2 id="figures-heading" class="sr-only">{t.figures}</h2>
            <dl>
                {figure("revenue", t.revenue.into(), whole(s.revenue_minor), unit(""),
                    pct(s.revenue_minor, b.revenue_minor),
                    t.refunded_note.replace("{}", &format::money(lang, s.refunded_minor, "")))}
                {figure("orders", t.orders_name.into(), s.orders.to_string(), None,
                    pct(s.orders as i64, b.orders as i64),
                    format!("{}: {}", t.first_time_buyers, s.first_time_buyers))}
                {figure("average-basket", t.average_basket.into(), basket(s.average_basket_minor),
                    unit(&basket(s.average_basket_minor)),
                    match (s.average_basket_minor, b.average_basket_minor) {
                        (Some(a), Some(b)) => pct(a, b),
                        _ => t.nothing_before.into(),
                    },
                    t.priced_note.replace("{}", &s.priced_orders.to_string()))}
                {figure("repeat", t.repeat_within.replace("{}", &w.map_or(90, |w| w.days).to_string()),
                    format::percent(lang, rate), None, pts(rate, wb.and_then(|w| w.rate_tenths)),
                    t.eligible_note.replace("{}", &w.map_or(0, |w| w.eligible).to_string()))}
                {figure("conversion", t.conversion.into(), format::percent(lang, c.conversion_tenths), None,
                    pts(c.conversion_tenths, cb.conversion_tenths),
                    t.visits_note.replace("{}", &c.visits.to_string()))}
                {figure("abandonment", t.cart_abandonment.into(), format::percent(lang, c.abandonment_tenths), None,
                    pts(c.abandonment_tenths, cb.abandonment_tenths),
                    t.carts_note.replace("{}", &c.carts.to_string()))}
            </dl>
            <p class="muted">{t.consent_note}</p>
        </section>
    }
}

/// Revenue per period; conversion and abandonment per period. Their figures are the table below.
fn charts(lang: Lang, r: &OverviewReport, money: &str) -> impl IntoView + use<> {
    let t = lang.strings();
    let labels: Vec<String> = r
        .periods
        .iter()
        .map(|p| format::day_label(lang, parse_timestamp(&p.start).unwrap_or_default()))
        .collect();
    let revenue: Vec<Option<f64>> = r
        .periods
        .iter()
        .map(|p| Some(p.sales.revenue_minor as f64 / 100.0))
        .collect();
    let ticks = round_ticks(revenue.iter().flatten().copied().fold(0.0, f64::max));
    let top = ticks.last().copied().unwrap_or(1.0);
    let share = |f: fn(&ConversionFigures) -> Option<i64>| -> Vec<Option<f64>> {
        r.periods
            .iter()
            .map(|p| f(&p.conversion).map(|v| v as f64 / 10.0))
            .collect()
    };
    let revenue_series = vec![Series {
        name: format!("{} ({money})", t.revenue),
        values: revenue,
        marker: Marker::Circle,
        dash: "",
        class: "revenue",
    }];
    let shares = vec![
        Series {
            name: t.conversion.into(),
            values: share(|c| c.conversion_tenths),
            marker: Marker::Circle,
            dash: "",
            class: "conversion",
        },
        Series {
            name: t.cart_abandonment.into(),
            values: share(|c| c.abandonment_tenths),
            marker: Marker::Square,
            dash: "6 4",
            class: "abandonment",
        },
    ];
    view! {
        <LineChart title=t.sales_chart_title.replace("{}", money) labels=labels.clone()
            series=revenue_series min=0.0 max=top ticks=ticks />
        <LineChart title=t.conversion_chart_title.into() labels=labels series=shares
            min=0.0 max=100.0 ticks=vec![0.0, 25.0, 50.0, 75.0, 100.0] />
    }
}

fn count(n: u64) -> (String, Cell) {
    (n.to_string(), Cell::int(n))
}

fn share(lang: Lang, tenths: Option<i64>) -> (String, Cell) {
    (format::percent(lang, tenths), Cell::tenths(tenths))
}

fn amount(lang: Lang, minor: Option<i64>, money: &str) -> (String, Cell) {
    match minor {
        Some(v) => (format::money(lang, v, money), Cell::money(v)),
        None => ("–".into(), Cell::Number(String::new())),
    }
}

fn periods_table(lang: Lang, r: &OverviewReport, money: &str) -> Table {
    let t = lang.strings();
    Table {
        id: "overview-periods",
        caption: t.sales_table_caption.into(),
        header: vec![
            (t.period_of.into(), "period_start"),
            (t.orders_name.into(), "orders"),
            (format!("{} ({money})", t.revenue), "revenue"),
            (format!("{} ({money})", t.average_basket), "average_basket"),
            (t.first_time_buyers.into(), "first_time_buyers"),
            (t.visits.into(), "visits"),
            (t.conversion.into(), "conversion_percent"),
            (t.cart_abandonment.into(), "abandonment_percent"),
        ],
        rows: r
            .periods
            .iter()
            .map(|p| {
                let start = parse_timestamp(&p.start).unwrap_or_default();
                vec![
                    (
                        format::date(lang, start),
                        Cell::Text(format::iso_date(start)),
                    ),
                    count(p.sales.orders),
                    amount(lang, Some(p.sales.revenue_minor), ""),
                    amount(lang, p.sales.average_basket_minor, ""),
                    count(p.sales.first_time_buyers),
                    count(p.conversion.visits),
                    share(lang, p.conversion.conversion_tenths),
                    share(lang, p.conversion.abandonment_tenths),
                ]
            })
            .collect(),
    }
}

fn repeat_table(lang: Lang, r: &OverviewReport) -> Table {
    let t = lang.strings();
    Table {
        id: "overview-repeat",
        caption: t.repeat_caption.into(),
        header: vec![
            (t.window_days.into(), "within_days"),
            (t.eligible.into(), "eligible"),
            (t.repeated.into(), "repeated"),
            (t.rate.into(), "rate_percent"),
        ],
        rows: r
            .repeat
            .windows
            .iter()
            .map(|w| {
                vec![
                    (
                        t.days_count.replace("{}", &w.days.to_string()),
                        Cell::int(w.days),
                    ),
                    count(w.eligible),
                    count(w.repeated),
                    share(lang, w.rate_tenths),
                ]
            })
            .collect(),
    }
}

/// One row per first month: its buyers, then the lifetime value per buyer in each month since.
fn cohort_table(lang: Lang, r: &OverviewReport, money: &str) -> Table {
    let t = lang.strings();
    const MONTH_COLUMNS: [&str; 13] = [
        "month_0", "month_1", "month_2", "month_3", "month_4", "month_5", "month_6", "month_7",
        "month_8", "month_9", "month_10", "month_11", "month_12",
    ];
    let width = r
        .cohorts
        .iter()
        .map(|c| c.months.len())
        .max()
        .unwrap_or(0)
        .min(MONTH_COLUMNS.len());
    let mut header = vec![
        (t.cohort.into(), "first_month"),
        (t.buyers.into(), "buyers"),
    ];
    header.extend((0..width).map(|i| (t.month_n.replace("{}", &i.to_string()), MONTH_COLUMNS[i])));
    Table {
        id: "overview-cohorts",
        caption: format!("{} ({money})", t.cohorts_caption),
        header,
        rows: r
            .cohorts
            .iter()
            .map(|c| {
                let mut row = vec![
                    (c.month.clone(), Cell::Text(c.month.clone())),
                    count(c.buyers),
                ];
                row.extend((0..width).map(|i| match c.months.get(i) {
                    Some(m) => amount(lang, Some(m.revenue_per_buyer_minor), ""),
                    None => (String::new(), Cell::Number(String::new())),
                }));
                row
            })
            .collect(),
    }
}

fn products_table(lang: Lang, r: &OverviewReport) -> Table {
    let t = lang.strings();
    Table {
        id: "overview-products",
        caption: t.products_caption.into(),
        header: vec![
            (t.product.into(), "product"),
            (t.visits.into(), "visits"),
            (t.converted.into(), "converted"),
            (t.conversion.into(), "conversion_percent"),
        ],
        rows: r
            .products
            .iter()
            .map(|p| {
                vec![
                    (p.product.clone(), Cell::Text(p.product.clone())),
                    count(p.visits),
                    count(p.converted),
                    share(lang, p.conversion_tenths),
                ]
            })
            .collect(),
    }
}

fn groups_table(lang: Lang, r: &OverviewReport) -> Table {
    let t = lang.strings();
    Table {
        id: "overview-nps-groups",
        caption: t.nps_repeat_caption.into(),
        header: vec![
            (t.group.into(), "nps_group"),
            (t.answered.into(), "answered"),
            (t.repeated.into(), "repeated"),
            (t.rate.into(), "rate_percent"),
        ],
        rows: r
            .nps_groups
            .iter()
            .map(|g| {
                vec![
                    (
                        group_word(t, g.group).into(),
                        Cell::Text(g.group.as_str().into()),
                    ),
                    count(g.answered),
                    count(g.repeated),
                    share(lang, g.rate_tenths),
                ]
            })
            .collect(),
    }
}

fn carriers_table(lang: Lang, r: &OverviewReport) -> Table {
    let t = lang.strings();
    Table {
        id: "overview-carriers",
        caption: t.carriers_caption.into(),
        header: vec![
            (t.carrier.into(), "carrier"),
            (t.delivered.into(), "delivered"),
            (
                format!("{} ({})", t.lead_time, t.hours_unit),
                "lead_time_median_hours",
            ),
            (format!("{} %", t.csat_name), "csat_percent"),
            (t.answered.into(), "csat_answers"),
            (t.reviews_count.into(), "reviews"),
            (t.stars.into(), "stars_mean"),
        ],
        rows: r
            .carriers
            .iter()
            .map(|c| {
                let stars = c.rating_mean_hundredths;
                vec![
                    (c.carrier.clone(), Cell::Text(c.carrier.clone())),
                    count(c.delivered),
                    c.lead_time_median_hours
                        .map_or(("–".into(), Cell::Number(String::new())), |h| {
                            (h.to_string(), Cell::int(h))
                        }),
                    share(lang, c.csat.percent_tenths),
                    count(c.csat.responses),
                    count(c.reviews),
                    (
                        format::hundredths(lang, stars),
                        Cell::Number(
                            stars.map_or(String::new(), |v| format!("{}.{:02}", v / 100, v % 100)),
                        ),
                    ),
                ]
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_end_on_a_round_number_above_the_top() {
        assert_eq!(round_ticks(930.0), vec![0.0, 250.0, 500.0, 750.0, 1000.0]);
        assert_eq!(round_ticks(3.0), vec![0.0, 1.0, 2.0, 3.0, 4.0]);
        assert_eq!(round_ticks(0.0), vec![0.0, 1.0, 2.0, 3.0, 4.0]);
        assert_eq!(
            round_ticks(41_000.0),
            vec![0.0, 20_000.0, 40_000.0, 60_000.0, 80_000.0]
        );
    }

    #[test]
    fn changes_are_shares_of_the_period_before() {
        assert_eq!(relative_change(150, 100), Some(500));
        assert_eq!(relative_change(50, 100), Some(-500));
        assert_eq!(relative_change(5, 0), None);
    }
}
