//! Pieces every page uses: the error line, cursor-paged lists with "show more", the period
//! chooser, and the guard that keeps a slow answer from overwriting a newer one.

use crate::Ctx;
use crate::format::{DAY_MS, iso_date, now_ms, parse_date};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::de::DeserializeOwned;

/// Numbers the requests of one view, so that only the answer to the latest one is shown: a
/// merchant who changes a filter twice sees the second filter's answer even when the first
/// arrives later.
#[derive(Clone, Copy)]
pub struct Latest(StoredValue<u64>);

impl Latest {
    pub fn new() -> Latest {
        Latest(StoredValue::new(0))
    }

    /// A new request: the ones before it are stale from now on.
    pub fn start(self) -> u64 {
        self.0.update_value(|n| *n += 1);
        self.0.get_value()
    }

    pub fn current(self) -> u64 {
        self.0.get_value()
    }

    /// Whether `ticket` is still the latest request, and the view that made it still shown: an
    /// answer arriving after the merchant left the page has nowhere to go.
    pub fn is_current(self, ticket: u64) -> bool {
        self.0.try_get_value() == Some(ticket)
    }
}

/// A page of a cursor-paged list as the API answers it.
pub trait Page: DeserializeOwned + 'static {
    type Item: Clone + Send + Sync + 'static;
    fn into_parts(self) -> (Vec<Self::Item>, Option<String>);
}

/// A list paged by the API's cursor: the first page of a query, then "show more" of the same
/// query (the one applied, not whatever the filter fields say now). Answers to superseded
/// queries are dropped.
pub struct Paged<P: Page> {
    pub items: RwSignal<Vec<P::Item>>,
    pub next: RwSignal<Option<String>>,
    pub loading: RwSignal<bool>,
    pub error: RwSignal<Option<String>>,
    applied: StoredValue<String>,
    latest: Latest,
}

impl<P: Page> Clone for Paged<P> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P: Page> Copy for Paged<P> {}

impl<P: Page> Paged<P> {
    pub fn new() -> Paged<P> {
        Paged {
            items: RwSignal::new(Vec::new()),
            next: RwSignal::new(None),
            loading: RwSignal::new(false),
            error: RwSignal::new(None),
            applied: StoredValue::new(String::new()),
            latest: Latest::new(),
        }
    }

    /// Loads the first page of `path` (an admin path with its query), replacing the list.
    pub fn load(self, ctx: Ctx, path: String, on_loaded: impl Fn(usize) + Send + Sync + 'static) {
        self.applied.set_value(path.clone());
        let ticket = self.latest.start();
        self.fetch(ctx, path, ticket, false, on_loaded);
    }

    /// The next page of the query applied last.
    pub fn more(self, ctx: Ctx) {
        let Some(cursor) = self.next.get_untracked() else {
            return;
        };
        let path = with_query(&self.applied.get_value(), "cursor", &cursor);
        self.fetch(ctx, path, self.latest.current(), true, |_| {});
    }

    fn fetch(
        self,
        ctx: Ctx,
        path: String,
        ticket: u64,
        more: bool,
        on_loaded: impl Fn(usize) + Send + Sync + 'static,
    ) {
        self.loading.set(true);
        spawn_local(async move {
            let answer = ctx.client().get::<P>(&path).await;
            if !self.latest.is_current(ticket) {
                return;
            }
            match answer {
                Ok(page) => {
                    let (items, next) = page.into_parts();
                    self.error.set(None);
                    self.items.update(|all| {
                        if !more {
                            all.clear();
                        }
                        all.extend(items);
                    });
                    self.next.set(next);
                    on_loaded(self.items.with_untracked(Vec::len));
                }
                Err(f) => {
                    if !more {
                        self.items.set(Vec::new());
                        self.next.set(None);
                    }
                    self.error.set(Some(ctx.explain(&f)));
                }
            }
            self.loading.set(false);
        });
    }

    /// Replaces one item where it is (after an action on it).
    pub fn replace(self, matches: impl Fn(&P::Item) -> bool, item: P::Item) {
        self.items.update(|all| {
            if let Some(slot) = all.iter_mut().find(|i| matches(i)) {
                *slot = item;
            }
        });
    }
}

/// `path` with one more query parameter.
pub fn with_query(path: &str, name: &str, value: &str) -> String {
    let separator = if path.contains('?') { '&' } else { '?' };
    format!(
        "{path}{separator}{name}={}",
        String::from(js_sys::encode_uri_component(value))
    )
}

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
pub fn PeriodChooser(period: RwSignal<Period>, busy: RwSignal<bool>) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let from = RwSignal::new(period.get_untracked().from);
    let to = RwSignal::new(period.get_untracked().to);
    view! {
        <form class="period" novalidate on:submit=move |ev| {
            ev.prevent_default();
            let chosen = Period { from: from.get_untracked(), to: to.get_untracked() };
            // The same dates again would only close what is open below.
            if chosen != period.get_untracked() {
                period.set(chosen);
            }
        }>
            <label>{move || ctx.t().from}
                <input type="date" name="from" prop:value=move || from.get()
                    on:input=move |ev| from.set(event_target_value(&ev)) />
            </label>
            <label>{move || ctx.t().to}
                <input type="date" name="to" prop:value=move || to.get()
                    on:input=move |ev| to.set(event_target_value(&ev)) />
            </label>
            <button type="submit" disabled=move || busy.get()>
                {move || if busy.get() { ctx.t().loading } else { ctx.t().show }}
            </button>
        </form>
    }
}

/// Moves the keyboard to the element `id` once the view drawn anew has it (after the next frame):
/// a change that redraws what holds the focus would otherwise drop it to the page.
pub fn focus_after_drawing(id: String) {
    request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        if let Some(element) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(&id))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = element.focus();
        }
    });
}
