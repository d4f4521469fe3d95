//! Recommendations: impressions, clicks, click-through and what followed, per source, per arm of
//! the experiment, and per product, from `reports/recommendations`.

use crate::Ctx;
use crate::api;
use crate::format;
use crate::i18n::Strings;
use crate::ui::{ErrorLine, Latest, Period, PeriodChooser};
use leptos::prelude::*;
use leptos::task::spawn_local;
use memnun_protocol::recommend::{RecFigures, RecommendationReport, Source};

/// Products per page of the table (the report has at most 100).
const PRODUCTS_PER_PAGE: usize = 20;

fn source_word(t: &Strings, source: Source) -> &'static str {
    match source {
        Source::BoughtTogether => t.src_bought_together,
        Source::ViewedTogether => t.src_viewed_together,
        Source::TopRated => t.src_top_rated,
        Source::Bestseller => t.src_bestseller,
        Source::Newest => t.src_newest,
        Source::RecentlyViewed => t.src_recently_viewed,
    }
}

#[component]
pub fn RecommendationsPage() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = move || ctx.t();
    let period = RwSignal::new(Period::last_days(28));
    let report = RwSignal::new(None::<RecommendationReport>);
    let error = RwSignal::new(None::<String>);
    let shown = RwSignal::new(PRODUCTS_PER_PAGE);
    let loading = RwSignal::new(false);
    let latest = Latest::new();
    Effect::new(move |_| {
        let p = period.get();
        shown.set(PRODUCTS_PER_PAGE);
        let ticket = latest.start();
        loading.set(true);
        spawn_local(async move {
            let path = format!("reports/recommendations{}", api::query(&p.query()));
            let answer = ctx.client().get::<RecommendationReport>(&path).await;
            if !latest.is_current(ticket) {
                return;
            }
            loading.set(false);
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
        });
    });
    view! {
        <h1 tabindex="-1">{move || t().page_recommendations}</h1>
        <PeriodChooser period=period busy=loading />
        <ErrorLine error=error />
        {move || report.get().map(|r| {
            let mut rows: Vec<(String, RecFigures)> = vec![(t().total.to_owned(), r.totals)];
            rows.extend(r.by_source.iter().map(|(s, f)| (source_word(t(), *s).to_owned(), *f)));
            let arms: Vec<(String, RecFigures)> = r
                .by_arm
                .iter()
                .map(|(a, f)| (t().arm.replace("{}", &a.as_str().to_uppercase()), *f))
                .collect();
            let products = r.products.clone();
            let total_products = products.len();
            view! {
                <FiguresTable caption=t().by_source.to_owned() first=t().source.to_owned() rows=rows />
                <FiguresTable caption=t().by_arm.to_owned() first=t().arm_column.to_owned() rows=arms />
                <section aria-labelledby="products-heading">
                    <h2 id="products-heading">{t().top_products}</h2>
                    {move || {
                        let rows: Vec<(String, RecFigures)> = products
                            .iter()
                            .take(shown.get())
                            .map(|p| (p.product.clone(), p.figures))
                            .collect();
                        view! { <FiguresTable caption=t().top_products.to_owned() first=t().product.to_owned() rows=rows hidden_caption=true /> }
                    }}
                    <Show when=move || shown.get() < total_products>
                        <button type="button" class="secondary more"
                            on:click=move |_| shown.update(|n| *n += PRODUCTS_PER_PAGE)>
                            {move || t().show_more}
                        </button>
                    </Show>
                    <Show when=move || total_products == 0>
                        <p class="empty">{move || t().no_impressions}</p>
                    </Show>
                </section>
            }
        })}
    }
}

#[component]
fn FiguresTable(
    caption: String,
    first: String,
    rows: Vec<(String, RecFigures)>,
    #[prop(optional)] hidden_caption: bool,
) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = move || ctx.t();
    let lang = move || ctx.lang.get();
    view! {
        <div class="table-wrap">
            <table class="rec-figures">
                <caption class:sr-only=hidden_caption>{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">{first}</th>
                        <th scope="col">{move || t().impressions}</th>
                        <th scope="col">{move || t().clicks}</th>
                        <th scope="col">"CTR %"</th>
                        <th scope="col">{move || t().add_to_carts}</th>
                        <th scope="col">{move || t().purchases}</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|(name, f)| view! {
                        <tr>
                            <th scope="row">{name}</th>
                            <td>{f.impressions}</td>
                            <td>{f.clicks}</td>
                            <td>{move || format::tenths(lang(), f.ctr_tenths)}</td>
                            <td>{f.add_to_carts}</td>
                            <td>{f.purchases}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
