//! Orders: the newest orders with where they are, searchable by number; and the shipments that
//! need the merchant (no news for N days, or an exception) before the shopper has to ask.

use crate::Ctx;
use crate::api;
use crate::format;
use crate::i18n::Strings;
use crate::ui::{ErrorLine, More, Page, Paged};
use leptos::prelude::*;
use memnun_protocol::order::TrackingStatus;
use memnun_protocol::order_list::{
    AttentionPage, AttentionReason, OrderPage, OrderSummary, STALE_DAYS_DEFAULT, STALE_DAYS_MAX,
    ShipmentAttention,
};

pub fn status_word(t: &Strings, status: TrackingStatus) -> &'static str {
    use TrackingStatus as S;
    match status {
        S::Ordered => t.st_ordered,
        S::Confirmed => t.st_confirmed,
        S::Packed => t.st_packed,
        S::Shipped => t.st_shipped,
        S::InTransit => t.st_in_transit,
        S::OutForDelivery => t.st_out_for_delivery,
        S::DeliveryAttemptFailed => t.st_attempt_failed,
        S::AvailableForPickup => t.st_pickup,
        S::Delivered => t.st_delivered,
        S::Exception => t.st_exception,
        S::Delayed => t.st_delayed,
        S::Returned => t.st_returned,
        S::Cancelled => t.st_cancelled,
    }
}

impl Page for OrderPage {
    type Item = OrderSummary;
    fn into_parts(self) -> (Vec<OrderSummary>, Option<String>) {
        (self.orders, self.next_cursor)
    }
}

impl Page for AttentionPage {
    type Item = ShipmentAttention;
    fn into_parts(self) -> (Vec<ShipmentAttention>, Option<String>) {
        (self.shipments, self.next_cursor)
    }
}

#[component]
pub fn OrdersPage() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = move || ctx.t();
    view! {
        <h1 tabindex="-1">{move || t().page_orders}</h1>
        <Attention />
        <RecentOrders />
    }
}

#[component]
fn RecentOrders() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = move || ctx.t();
    let lang = move || ctx.lang.get();
    let search = RwSignal::new(String::new());
    let list = Paged::<OrderPage>::new();
    let orders = list.items;
    let load = move || {
        let path = format!(
            "orders{}",
            api::query(&[("q", search.get_untracked().trim())])
        );
        list.load(ctx, path, |_| {});
    };
    load();
    view! {
        <section aria-labelledby="orders-heading">
            <h2 id="orders-heading">{move || t().recent_orders}</h2>
            <form class="filters" role="search" novalidate on:submit=move |ev| { ev.prevent_default(); load(); }>
                <label>{move || t().order_search}
                    <input type="search" name="q" maxlength="100" inputmode="search" prop:value=move || search.get()
                        on:input=move |ev| search.set(event_target_value(&ev)) />
                </label>
                <button type="submit">{move || t().search_button}</button>
            </form>
            <ErrorLine error=list.error />
            <div class="table-wrap">
                <table class="orders">
                    <caption class="sr-only">{move || t().recent_orders}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{move || t().number}</th>
                            <th scope="col">{move || t().placed}</th>
                            <th scope="col">{move || t().state}</th>
                            <th scope="col">{move || t().shipments}</th>
                            <th scope="col">{move || t().last_event}</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || orders.get() key=|o| o.id.clone() children=move |o| {
                            let (placed, last, status, shipments) = (o.placed_at, o.last_event_at, o.status, o.shipments);
                            view! {
                                <tr>
                                    <th scope="row">{o.number.clone()} <span class="muted">" (" {o.id.clone()} ")"</span></th>
                                    <td>{move || format::date(lang(), placed)}</td>
                                    <td><span class=format!("badge {}", status.as_str())>{move || status_word(t(), status)}</span></td>
                                    <td>{shipments}</td>
                                    <td>{move || last.map_or_else(|| "–".to_owned(), |l| format::date_time(lang(), l))}</td>
                                </tr>
                            }
                        } />
                    </tbody>
                </table>
            </div>
            <Show when=move || !list.loading.get() && orders.with(Vec::is_empty)>
                <p class="empty">{move || t().no_orders}</p>
            </Show>
            <More next=list.next loading=list.loading on_more=move || list.more(ctx) />
        </section>
    }
}

#[component]
fn Attention() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = move || ctx.t();
    let lang = move || ctx.lang.get();
    let days = RwSignal::new(STALE_DAYS_DEFAULT.to_string());
    // The days of the list shown, which the field may no longer say.
    let shown_days = RwSignal::new(STALE_DAYS_DEFAULT);
    let list = Paged::<AttentionPage>::new();
    let shipments = list.items;
    let load = move || {
        let asked = days.get_untracked().trim().to_owned();
        let path = format!("shipments/attention{}", api::query(&[("days", &asked)]));
        list.load(ctx, path, move |_| {
            if let Ok(d) = asked.parse() {
                shown_days.set(d);
            }
        });
    };
    load();
    view! {
        <section aria-labelledby="attention-heading">
            <h2 id="attention-heading">{move || t().needs_attention}</h2>
            <form class="filters" novalidate on:submit=move |ev| { ev.prevent_default(); load(); }>
                <label>{move || t().stale_after_days}
                    <input type="number" name="days" min="1" max=STALE_DAYS_MAX inputmode="numeric"
                        prop:value=move || days.get() on:input=move |ev| days.set(event_target_value(&ev)) />
                </label>
                <button type="submit">{move || t().show}</button>
            </form>
            <ErrorLine error=list.error />
            <ul class="attention">
                <For each=move || shipments.get() key=|s| (s.order.clone(), s.shipment.clone()) children=move |s| {
                    let (status, reason, at) = (s.status, s.reason, s.last_activity_at);
                    view! {
                        <li class=format!("attention-item {}", match reason { AttentionReason::Exception => "exception", AttentionReason::Stale => "stale" })>
                            <p class="title">
                                <strong>{move || t().order_number.replace("{}", &s.number)}</strong>
                                " · " {s.carrier.clone()}
                                {s.tracking_number.clone().map(|n| view! { " · " <span class="mono">{n}</span> })}
                            </p>
                            <p>
                                <span class="badge warn">{move || match reason {
                                    AttentionReason::Exception => t().reason_exception.to_owned(),
                                    AttentionReason::Stale => t().reason_stale.replace("{}", &shown_days.get().to_string()),
                                }}</span>
                                // An exception's reason already says where it is.
                                {(status != TrackingStatus::Exception).then(|| view! { " " {move || status_word(t(), status)} })}
                                " · " {move || t().last_activity.replace("{}", &format::date_time(lang(), at))}
                            </p>
                        </li>
                    }
                } />
            </ul>
            <Show when=move || !list.loading.get() && shipments.with(Vec::is_empty)>
                <p class="empty">{move || t().nothing_needs_attention}</p>
            </Show>
            <More next=list.next loading=list.loading on_more=move || list.more(ctx) />
        </section>
    }
}
