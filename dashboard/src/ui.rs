//! Pieces every page uses: the error line, "show more" paging, and the period chooser.

use crate::Ctx;
use crate::format::{DAY_MS, iso_date, now_ms, parse_date};
use leptos::prelude::*;

/// A failure said where the merchant looks, and to screen readers at once.
#[component]
pub fn ErrorLine(error: RwSignal<Option<String>>) -> impl IntoView {
    view! {
        <p class="error" role="alert">{move || error.get()}</p>
    }
}

/// "Show more" for a cursor-paged list: there while the API says more is left.
#[component]
pub fn More(
    next: RwSignal<Option<String>>,
    loading: RwSignal<bool>,
    on_more: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    view! {
        <Show when=move || next.get().is_some()>
            <button type="button" class="secondary more" disabled=move || loading.get()
                on:click=move |_| on_more()>
                {move || if loading.get() { ctx.t().loading } else { ctx.t().show_more }}
            </button>
        </Show>
    }
}

/// A report's period as dates (`to` includes its day), `days` long up to today by default.
#[derive(Clone, Debug, PartialEq)]
pub struct Period {
    pub from: String,
    pub to: String,
}

impl Period {
    pub fn last_days(days: i64) -> Period {
        let today = now_ms();
        Period {
            from: iso_date(today - (days - 1) * DAY_MS),
            to: iso_date(today),
        }
    }

    /// The period of the same length just before this one, for the change against it.
    pub fn before(&self) -> Option<Period> {
        let from = parse_date(&self.from)?;
        let to = parse_date(&self.to)?;
        let days = (to - from) / DAY_MS + 1;
        Some(Period {
            from: iso_date(from - days * DAY_MS),
            to: iso_date(from - DAY_MS),
        })
    }

    pub fn query(&self) -> [(&'static str, &str); 2] {
        [("from", &self.from), ("to", &self.to)]
    }
}

/// From and to dates with a button that applies them.
#[component]
pub fn PeriodChooser(period: RwSignal<Period>) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let from = RwSignal::new(period.get_untracked().from);
    let to = RwSignal::new(period.get_untracked().to);
    view! {
        <form class="period" novalidate on:submit=move |ev| {
            ev.prevent_default();
            period.set(Period { from: from.get_untracked(), to: to.get_untracked() });
        }>
            <label>{move || ctx.t().from}
                <input type="date" name="from" prop:value=move || from.get()
                    on:input=move |ev| from.set(event_target_value(&ev)) />
            </label>
            <label>{move || ctx.t().to}
                <input type="date" name="to" prop:value=move || to.get()
                    on:input=move |ev| to.set(event_target_value(&ev)) />
            </label>
            <button type="submit">{move || ctx.t().show}</button>
        </form>
    }
}
