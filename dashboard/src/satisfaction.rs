//! Satisfaction: NPS, CSAT and CES of a period with the change against the period before, the
//! weekly trend as a chart and a table, and the follow-up reasons and comment topics, each
//! opening the answers behind it. Everything comes from `reports/satisfaction` and
//! `survey/responses`, the same figures a merchant's script reads.

use crate::Ctx;
use crate::api;
use crate::chart::{LineChart, Marker, Series};
use crate::format;
use crate::i18n::Strings;
use crate::ui::{ErrorLine, Latest, More, Page, Paged, Period, PeriodChooser};
use leptos::prelude::*;
use leptos::task::spawn_local;
use memnun_protocol::survey::{
    Figures, NpsGroup, Reason, SatisfactionReport, SurveyResponse, SurveyResponsePage,
};

/// Answers are long: fewer per page than the API's default.
const ANSWERS_PER_PAGE: &str = "10";

impl Page for SurveyResponsePage {
    type Item = SurveyResponse;
    fn into_parts(self) -> (Vec<SurveyResponse>, Option<String>) {
        (self.responses, self.next_cursor)
    }
}

/// What the answers list shows: the answers behind one count.
#[derive(Clone, Debug, PartialEq)]
enum Filter {
    Reason(NpsGroup, Reason),
    Topic(String),
}

pub fn reason_word(t: &Strings, reason: Reason) -> &'static str {
    match reason {
        Reason::DeliveryTime => t.reason_delivery_time,
        Reason::Packaging => t.reason_packaging,
        Reason::ProductQuality => t.reason_product_quality,
        Reason::Description => t.reason_description,
        Reason::Price => t.reason_price,
        Reason::CustomerService => t.reason_customer_service,
        Reason::Other => t.reason_other,
    }
}

pub fn group_word(t: &Strings, group: NpsGroup) -> &'static str {
    match group {
        NpsGroup::Detractor => t.detractors,
        NpsGroup::Passive => t.passives,
        NpsGroup::Promoter => t.promoters,
    }
}

const GROUPS: [NpsGroup; 3] = [NpsGroup::Detractor, NpsGroup::Passive, NpsGroup::Promoter];

fn report_path(period: &Period) -> String {
    format!(
        "reports/satisfaction{}",
        api::query(&[
            ("interval", "week"),
            ("from", &period.from),
            ("to", &period.to)
        ])
    )
}

#[component]
pub fn SatisfactionPage() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let period = RwSignal::new(Period::last_days(84));
    let report = RwSignal::new(None::<SatisfactionReport>);
    let before = RwSignal::new(None::<SatisfactionReport>);
    let error = RwSignal::new(None::<String>);
    let loading = RwSignal::new(false);
    let filter = RwSignal::new(None::<Filter>);

    let latest = Latest::new();
    Effect::new(move |_| {
        let p = period.get();
        let ticket = latest.start();
        loading.set(true);
        filter.set(None);
        spawn_local(async move {
            let now = ctx
                .client()
                .get::<SatisfactionReport>(&report_path(&p))
                .await;
            // The period before is only for the change: without it, the figures still stand.
            let previous = match p.before() {
                Some(b) => ctx
                    .client()
                    .get::<SatisfactionReport>(&report_path(&b))
                    .await
                    .ok(),
                None => None,
            };
            if !latest.is_current(ticket) {
                return;
            }
            match now {
                Ok(r) => {
                    error.set(None);
                    before.set(previous);
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
        <h1 tabindex="-1">{move || t().page_satisfaction}</h1>
        <PeriodChooser period=period busy=loading />
        <ErrorLine error=error />
        {move || report.get().map(|r| {
            let prev = before.get().map(|b| b.totals);
            view! {
                <Headline figures=r.totals.clone() before=prev />
                <Trend report=r.clone() />
                <Counts figures=r.totals.clone() filter=filter />
            }
        })}
        {move || filter.get().map(|f| view! { <Answers filter=f period=period.get_untracked() /> })}
    }
}

/// The three figures of the period, each with its change against the period before.
#[component]
fn Headline(figures: Figures, before: Option<Figures>) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = move || ctx.t();
    let lang = move || ctx.lang.get();
    let change = move |now: Option<i64>, then: Option<i64>, per_tenth: i64| -> String {
        match (now, then) {
            (Some(a), Some(b)) => ctx
                .t()
                .change_vs_before
                .replace("{}", &format::change_tenths(lang(), (a - b) / per_tenth)),
            _ => ctx.t().no_change.into(),
        }
    };
    let nps = figures.nps.score_tenths;
    let csat = figures.csat.percent_tenths;
    let ces = figures.ces.mean_hundredths;
    let b = before.clone();
    let (b_nps, b_csat, b_ces, b_rate) = (
        b.as_ref().and_then(|f| f.nps.score_tenths),
        b.as_ref().and_then(|f| f.csat.percent_tenths),
        b.as_ref().and_then(|f| f.ces.mean_hundredths),
        b.as_ref().and_then(|f| f.response_rate_tenths),
    );
    let rate = figures.response_rate_tenths;
    let (nps_n, csat_n, ces_n) = (
        figures.nps.responses,
        figures.csat.responses,
        figures.ces.responses,
    );
    view! {
        <section class="figures" aria-labelledby="figures-heading">
            <h2 id="figures-heading" class="sr-only">{move || t().figures}</h2>
            <dl>
                <div class="figure" data-figure="nps">
                    <dt>"NPS"</dt>
                    <dd class="value">{move || format::tenths(lang(), nps)}</dd>
                    <dd class="change">{move || change(nps, b_nps, 1)}</dd>
                    <dd class="muted">{move || t().answers_count.replace("{}", &nps_n.to_string())}</dd>
                </div>
                <div class="figure" data-figure="csat">
                    <dt>{move || t().csat_name}</dt>
                    <dd class="value">{move || format::percent(lang(), csat)}</dd>
                    <dd class="change">{move || change(csat, b_csat, 1)}</dd>
                    <dd class="muted">{move || t().answers_count.replace("{}", &csat_n.to_string())}</dd>
                </div>
                <div class="figure" data-figure="ces">
                    <dt>{move || t().ces_name}</dt>
                    <dd class="value">{move || format!("{} / 7", format::hundredths(lang(), ces))}</dd>
                    <dd class="change">{move || change(ces, b_ces, 10)}</dd>
                    <dd class="muted">{move || t().answers_count.replace("{}", &ces_n.to_string())}</dd>
                </div>
                <div class="figure" data-figure="response-rate">
                    <dt>{move || t().response_rate}</dt>
                    <dd class="value">{move || format::percent(lang(), rate)}</dd>
                    <dd class="change">{move || change(rate, b_rate, 1)}</dd>
                    <dd class="muted">{move || t().delivered_count.replace("{}", &figures.delivered_orders.to_string())}</dd>
                </div>
            </dl>
        </section>
    }
}

/// The weekly trend: NPS and CSAT in one chart (both on −100…100), every figure in the table.
#[component]
fn Trend(report: SatisfactionReport) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = move || ctx.t();
    let lang = move || ctx.lang.get();
    let periods = report.periods.clone();
    let starts: Vec<i64> = periods
        .iter()
        .map(|p| memnun_protocol::time::parse_timestamp(&p.start).unwrap_or_default())
        .collect();
    view! {
        <section class="trend" aria-labelledby="trend-heading">
            <h2 id="trend-heading">{move || t().weekly_trend}</h2>
            {move || {
                let labels: Vec<String> = starts.iter().map(|s| format::day_label(lang(), *s)).collect();
                let series = vec![
                    Series {
                        name: "NPS".into(),
                        values: periods.iter().map(|p| p.figures.nps.score_tenths.map(|v| v as f64 / 10.0)).collect(),
                        marker: Marker::Circle,
                        dash: "",
                        class: "nps",
                    },
                    Series {
                        name: format!("{} %", t().csat_name),
                        values: periods.iter().map(|p| p.figures.csat.percent_tenths.map(|v| v as f64 / 10.0)).collect(),
                        marker: Marker::Square,
                        dash: "6 4",
                        class: "csat",
                    },
                ];
                view! {
                    <LineChart title=t().trend_chart_title.into() labels=labels series=series
                        min=-100.0 max=100.0 ticks=vec![-100.0, -50.0, 0.0, 50.0, 100.0] />
                }
            }}
            <div class="table-wrap">
                <table class="figures-table">
                    <caption>{move || t().trend_table_caption}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{move || t().week_of}</th>
                            <th scope="col">{move || t().delivered}</th>
                            <th scope="col">{move || t().responses}</th>
                            <th scope="col">"NPS"</th>
                            <th scope="col">{move || format!("{} %", t().csat_name)}</th>
                            <th scope="col">{move || t().ces_name}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {report.periods.iter().map(|p| {
                            let start = memnun_protocol::time::parse_timestamp(&p.start).unwrap_or_default();
                            let f = p.figures.clone();
                            view! {
                                <tr>
                                    <th scope="row">{move || format::date(lang(), start)}</th>
                                    <td>{f.delivered_orders}</td>
                                    <td>{f.responses}</td>
                                    <td>{move || format::tenths(lang(), f.nps.score_tenths)}</td>
                                    <td>{move || format::tenths(lang(), f.csat.percent_tenths)}</td>
                                    <td>{move || format::hundredths(lang(), f.ces.mean_hundredths)}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

/// Reasons per NPS group and comment topics, each a button that opens its answers.
#[component]
fn Counts(figures: Figures, filter: RwSignal<Option<Filter>>) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = move || ctx.t();
    let reasons = figures.reasons.clone();
    let topics = figures.topics.clone();
    let groups = GROUPS.into_iter().map(|group| {
        let counts = match group {
            NpsGroup::Detractor => reasons.detractor.clone(),
            NpsGroup::Passive => reasons.passive.clone(),
            NpsGroup::Promoter => reasons.promoter.clone(),
        };
        let mut rows: Vec<(Reason, u64)> = counts
            .iter()
            .filter_map(|(name, n)| Reason::parse(name).map(|r| (r, *n)))
            .collect();
        rows.sort_by_key(|r| std::cmp::Reverse(r.1));
        view! {
            <div class="group">
                <h3>{move || group_word(t(), group)}</h3>
                {if rows.is_empty() {
                    view! { <p class="muted">{move || t().none_named}</p> }.into_any()
                } else {
                    view! {
                        <ul class="counts">
                            {rows.into_iter().map(|(reason, n)| view! {
                                <li>
                                    <button type="button" class="count" data-group=group.as_str() data-reason=reason.as_str()
                                        aria-pressed=move || (filter.get() == Some(Filter::Reason(group, reason))).to_string()
                                        on:click=move |_| filter.set(Some(Filter::Reason(group, reason)))>
                                        <span>{move || reason_word(t(), reason)}</span>
                                        <span class="n">{n}</span>
                                    </button>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </div>
        }
    }).collect_view();
    let mut topic_rows: Vec<(String, u64)> = topics.into_iter().collect();
    topic_rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    view! {
        <section class="reasons" aria-labelledby="reasons-heading">
            <h2 id="reasons-heading">{move || t().reasons_heading}</h2>
            <div class="groups">{groups}</div>
        </section>
        <section class="topics" aria-labelledby="topics-heading">
            <h2 id="topics-heading">{move || t().topics_heading}</h2>
            {if topic_rows.is_empty() {
                view! { <p class="muted">{move || t().none_named}</p> }.into_any()
            } else {
                view! {
                    <ul class="counts">
                        {topic_rows.into_iter().map(|(topic, n)| {
                            let (a, b, label) = (topic.clone(), topic.clone(), topic.clone());
                            view! {
                                <li>
                                    <button type="button" class="count" data-topic=topic.clone()
                                        aria-pressed=move || (filter.get() == Some(Filter::Topic(a.clone()))).to_string()
                                        on:click=move |_| filter.set(Some(Filter::Topic(b.clone())))>
                                        <span>{label}</span>
                                        <span class="n">{n}</span>
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// The answers behind one count, newest delivery first, paged.
#[component]
fn Answers(filter: Filter, period: Period) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = move || ctx.t();
    let lang = move || ctx.lang.get();
    let list = Paged::<SurveyResponsePage>::new();
    let answers = list.items;
    let (group, reason, topic) = match &filter {
        Filter::Reason(g, r) => (g.as_str().to_owned(), r.as_str().to_owned(), String::new()),
        Filter::Topic(topic) => (String::new(), String::new(), topic.clone()),
    };
    let path = format!(
        "survey/responses{}",
        api::query(&[
            ("from", &period.from),
            ("to", &period.to),
            ("group", &group),
            ("reason", &reason),
            ("topic", &topic),
            ("limit", ANSWERS_PER_PAGE),
        ])
    );
    list.load(ctx, path, move |shown| {
        ctx.say(ctx.words().answers_shown.replace("{}", &shown.to_string()));
    });
    let heading = filter.clone();
    view! {
        <section class="answers" aria-labelledby="answers-heading" aria-busy=move || list.loading.get().to_string()>
            <h2 id="answers-heading">
                {move || match &heading {
                    Filter::Reason(g, r) => t().answers_for.replace("{}", &format!("{} · {}", group_word(t(), *g), reason_word(t(), *r))),
                    Filter::Topic(topic) => t().answers_for.replace("{}", topic),
                }}
            </h2>
            <ErrorLine error=list.error />
            <ul class="answer-list">
                <For each=move || answers.get() key=|a| a.order.clone() children=move |a| {
                    let delivered = a.delivered_at;
                    let answer_lang = a.locale.clone().unwrap_or_default();
                    view! {
                        <li class="answer">
                            <p class="meta">
                                {move || t().order_number.replace("{}", &a.number)}
                                " · " {move || format::date(lang(), delivered)}
                                {a.nps.map(|n| view! { " · NPS " {n} })}
                                {a.csat.map(|n| view! { " · CSAT " {n} "/5" })}
                                {a.ces.map(|n| view! { " · CES " {n} "/7" })}
                            </p>
                            {(!a.reasons.is_empty()).then(|| {
                                let reasons = a.reasons.clone();
                                view! { <p class="muted">{move || reasons.iter().map(|r| reason_word(t(), *r)).collect::<Vec<_>>().join(", ")}</p> }
                            })}
                            {a.follow_up.clone().map(|text| view! {
                                <p class="quote-label">{move || t().follow_up_label}</p>
                                <blockquote lang=answer_lang.clone()>{text}</blockquote>
                            })}
                            {a.comment.clone().map(|text| view! {
                                <p class="quote-label">{move || t().comment_label}</p>
                                <blockquote lang=answer_lang.clone()>{text}</blockquote>
                            })}
                            {(!a.topics.is_empty()).then(|| view! { <p class="muted">{a.topics.join(", ")}</p> })}
                        </li>
                    }
                } />
            </ul>
            <Show when=move || !list.loading.get() && answers.with(Vec::is_empty)>
                <p class="empty">{move || t().no_answers}</p>
            </Show>
            <More next=list.next loading=list.loading on_more=move || list.more(ctx) />
        </section>
    }
}
