//! Orders and their tracking. The merchant API writes them (`PUT /v1/admin/orders/{order}`,
//! `POST …/events`) and makes their links (`POST …/links`); shoppers read them with a `track`
//! token (`POST /v1/shops/{shop}/orders/track`) or find them by number and email
//! (`POST /v1/shops/{shop}/orders/lookup`). A shopper's view never holds the email or prices.

use crate::handlers::Context;
use crate::handlers::shops;
use crate::handlers::tokens::{self, Signer};
use crate::handlers::webhooks;
use crate::platform::error::ApiError;
use crate::platform::http::{self, BodyType};
use crate::platform::pseudonyms;
use crate::platform::secure::sha256_hex;
use crate::platform::shopper_write;
use crate::store::cases::{Signal, Subject};
use crate::store::failure_windows::{Spent, give_back_lookup_failure, reserve_lookup_failure};
use crate::store::orders::{self as order_store, ItemRow, StoredOrder};
use crate::store::outreach::{self as outreach_store, NoticeToPlan};
use memnun_protocol::Id;
use memnun_protocol::cases::CaseCause;
use memnun_protocol::catalog;
use memnun_protocol::order::{
    self, Estimate, EventsAdded, Invitations, LOOKUP_MAX_BYTES, Link, Lookup, MAX_REQUEST_BYTES,
    NewEvents, OrderLinks, OrderUpsert, OrderView, ProductLink, ReviewInvitation, ShipmentView,
    TrackRequest, Tracked, TrackingEvent, TrackingStatus, ViewItem,
};
use memnun_protocol::outreach::MessageKind;
use memnun_protocol::review::Locale;
use memnun_protocol::token::Purpose;
use std::collections::BTreeMap;
use worker::{D1Database, D1PreparedStatement, Request, Response};

/// How long the links in messages and invitations stay valid.
const LINK_TTL_DAYS: u32 = 90;
/// Finding an order (by number and email, or by a track token) is a read that carries private
/// data, so it comes as a POST; its limit is per client, apart from the shop's writes.
const SHOPPER_READ: shopper_write::Rules = shopper_write::Rules {
    client_limit: "ORDER_LOOKUPS",
    shop_limit: None,
    max_bytes: LOOKUP_MAX_BYTES,
    body: BodyType::Json,
};
/// How long the token a lookup gives the widget stays valid.
const TRACK_TTL_DAYS: u32 = 30;

/// `PUT /v1/admin/orders/{order}`: creates or replaces the order, its items and shipments
/// (events stay with their shipment's id).
pub async fn upsert(
    req: &mut Request,
    cx: &Context<'_>,
    order_id: &str,
) -> Result<Response, ApiError> {
    let order_id = crate::platform::http::parse_id("order", order_id)?;
    let (upsert, _): (OrderUpsert, _) =
        http::read_json(req, MAX_REQUEST_BYTES, BodyType::Json).await?;
    save(cx, &order_id, upsert, None).await?;
    let view = load(&cx.db, &cx.shop, &order_id, cx.now).await?;
    http::json(200, &view.order)
}

/// Creates or replaces the order as `upsert` says (the merchant's API and the platforms'
/// connectors alike), and counts it once as a basket for "bought together". `guard` (a
/// connector's) runs in the same transaction and undoes the write by failing.
pub async fn save(
    cx: &Context<'_>,
    order_id: &Id,
    upsert: OrderUpsert,
    guard: Option<D1PreparedStatement>,
) -> Result<(), ApiError> {
    let (env, db, shop, now) = (cx.env, &cx.db, &cx.shop, cx.now);
    let upsert = OrderUpsert {
        number: upsert
            .number
            .as_deref()
            .map(memnun_protocol::text::normalize),
        ..upsert
    };
    let valid = upsert.validate().map_err(ApiError::Validation)?;
    let hashed_email = valid
        .email
        .as_deref()
        .map(|e| pseudonyms::order_email(env, e))
        .transpose()?;
    // The address for the shop's messages, sealed, in the same transaction as the order (a
    // guard that undoes the order undoes it too).
    let address = crate::handlers::outreach::keep_address(
        cx,
        order_id,
        valid.email.as_deref(),
        hashed_email.as_deref(),
        valid.locale,
    )?;
    order_store::save(
        db,
        shop,
        order_id,
        &valid,
        hashed_email.as_deref(),
        now,
        address.into_iter().chain(guard).collect(),
    )
    .await?;
    // An order is a basket for "bought together": counted once, on its first upsert.
    let products: Vec<String> = valid.items.iter().map(|i| i.product.clone()).collect();
    crate::handlers::recommend::ingest::record_basket(
        db,
        shop,
        &format!("order:{order_id}"),
        &products,
        now,
    )
    .await
}

/// `GET /v1/admin/orders/{order}`: the order as its shopper sees it.
pub async fn get(cx: &Context<'_>, order_id: &str) -> Result<Response, ApiError> {
    let (db, shop, now) = (&cx.db, &cx.shop, cx.now);
    let order_id = crate::platform::http::parse_id("order", order_id)?;
    http::json(200, &load(db, shop, &order_id, now).await?.order)
}

/// `POST /v1/admin/orders/{order}/events`: adds tracking events. Each (shipment, status, time)
/// is stored once; when the order becomes delivered, `order.delivered` is queued for the
/// shop's webhook.
pub async fn add_events(
    req: &mut Request,
    cx: &Context<'_>,
    order_id: &str,
) -> Result<Response, ApiError> {
    let (db, shop, now) = (&cx.db, &cx.shop, cx.now);
    let order_id = crate::platform::http::parse_id("order", order_id)?;
    let (new, _): (NewEvents, _) = http::read_json(req, MAX_REQUEST_BYTES, BodyType::Json).await?;
    let normalized = NewEvents {
        events: new.events.map(|events| {
            events
                .into_iter()
                .map(|e| order::EventInput {
                    location: e.location.as_deref().map(memnun_protocol::text::normalize),
                    note: e.note.as_deref().map(memnun_protocol::text::normalize),
                    ..e
                })
                .collect()
        }),
    };
    let events = normalized.validate().map_err(ApiError::Validation)?;
    let before = load(db, shop, &order_id, now).await?;
    let unknown: Vec<&str> = events
        .iter()
        .map(|e| e.shipment.as_str())
        .filter(|s| !before.order.shipments.iter().any(|v| v.id == *s))
        .collect();
    if let Some(first) = unknown.first() {
        return Err(ApiError::InvalidParameter(format!(
            "shipment {first} is not one of this order's shipments; add it with PUT first"
        )));
    }
    let (added, after) = record_events(cx, &order_id, &events).await?;
    http::json(
        200,
        &EventsAdded {
            added: added as u64,
            duplicates: events.len().saturating_sub(added) as u64,
            order: after.order,
        },
    )
}

/// How old an event may be and still bring its shipment notice: a parcel's news, told days
/// late (a back-fill, a platform catching up), is no news.
const NOTICE_FRESH_MS: i64 = 2 * 86_400_000;

/// Stores the events of the order's shipments, each (shipment, status, time) once; plans the
/// shop's shipment notices for the fresh ones; and when they make the order delivered, marks it,
/// queues `order.delivered` and plans what the shop sends after delivery. How many were new, and
/// the order after them.
pub async fn record_events(
    cx: &Context<'_>,
    order_id: &Id,
    events: &[TrackingEvent],
) -> Result<(usize, Loaded), ApiError> {
    let (db, shop, now) = (&cx.db, &cx.shop, cx.now);
    let added = order_store::add_events(db, shop, order_id, events, now).await?;
    let after = load(db, shop, order_id, now).await?;
    // Each (parcel, notice) once, however many events name it; the outbox's key keeps it once
    // across requests too. Whether the parcel is still there is asked again when it is sent.
    let mut notices: Vec<NoticeToPlan> = Vec::new();
    for event in events.iter().filter(|e| e.time >= now - NOTICE_FRESH_MS) {
        // "Delivered" is the order's, not a parcel's: planned when the whole order is (below).
        let Some(kind) = MessageKind::shipment_notice_for(event.status)
            .filter(|k| *k != MessageKind::ShipmentDelivered)
        else {
            continue;
        };
        if !notices
            .iter()
            .any(|n| n.kind == kind && n.shipment == event.shipment)
        {
            notices.push(NoticeToPlan {
                id: crate::handlers::outreach::message_id()?,
                kind,
                shipment: &event.shipment,
            });
        }
    }
    let becomes_delivered =
        after.order.status == TrackingStatus::Delivered && after.delivered_at.is_none();
    if becomes_delivered
        && memnun_protocol::order::delivery_time(&after.order.shipments, now)
            >= now - NOTICE_FRESH_MS
    {
        notices.push(NoticeToPlan {
            id: crate::handlers::outreach::message_id()?,
            kind: MessageKind::ShipmentDelivered,
            shipment: "",
        });
    }
    let mut batch = Vec::new();
    // A parcel held by an exception that is fresh and still where it is: a case for the shop.
    for event in events
        .iter()
        .filter(|e| e.status == TrackingStatus::Exception && e.time >= now - NOTICE_FRESH_MS)
    {
        let Some(parcel) = after
            .order
            .shipments
            .iter()
            .find(|s| s.id == event.shipment && s.status == TrackingStatus::Exception)
        else {
            continue;
        };
        batch.extend(crate::handlers::cases::signal(
            db,
            &Signal {
                shop,
                cause: CaseCause::Shipment,
                subject: Subject::Order(order_id.as_str()),
                review: None,
                key: &format!(
                    "shipment:{order_id}:{}:exception:{}",
                    event.shipment, event.time
                ),
                detail: serde_json::json!({
                    "shipment": parcel.id, "carrier": parcel.carrier,
                    "tracking_number": parcel.tracking_number, "status": event.status,
                    "time": event.time, "note": event.note, "location": event.location,
                }),
                now,
            },
            None,
        )?);
    }
    if !notices.is_empty() {
        batch.push(outreach_store::plan_shipment_notices(
            db, shop, order_id, &notices, now,
        )?);
    }
    if becomes_delivered {
        batch.extend(delivered(db, shop, order_id, &after, now).await?);
    }
    if !batch.is_empty() {
        db.batch(batch).await?;
    }
    Ok((added, after))
}

/// The statements that mark the order delivered (once), queue `order.delivered` with its links,
/// plan the shop's review request and survey invitation (those it sends), and forget the
/// shopper's address when nothing is planned. After the shipment notices' plans.
async fn delivered(
    db: &D1Database,
    shop: &Id,
    order_id: &Id,
    loaded: &Loaded,
    now: i64,
) -> Result<Vec<D1PreparedStatement>, ApiError> {
    let links = links_for(db, shop, order_id, &loaded.order, now).await?;
    let delivered_at = memnun_protocol::order::delivery_time(&loaded.order.shipments, now);
    let data = serde_json::json!({
        "order": order_id.as_str(),
        "number": loaded.order.number,
        "delivered_at": delivered_at,
        "links": links,
    });
    let mut batch = vec![order_store::mark_delivered(
        db,
        shop,
        order_id,
        delivered_at,
    )?];
    for kind in [MessageKind::ReviewRequest, MessageKind::SurveyInvitation] {
        batch.push(outreach_store::plan_after_delivery(
            db,
            &crate::handlers::outreach::message_id()?,
            shop,
            order_id,
            kind,
            delivered_at,
            now,
        )?);
    }
    batch.push(outreach_store::forget_address_when_done(
        db,
        shop.as_str(),
        order_id.as_str(),
    )?);
    batch.push(webhooks::enqueue(
        db,
        shop,
        "order.delivered",
        &format!("order.delivered:{order_id}"),
        data,
        now,
    )?);
    Ok(batch)
}

fn with_fragment(page: Option<&str>, key: &str, token: &str) -> Option<String> {
    page.map(|p| format!("{p}#{key}={token}"))
}

pub async fn links_for(
    db: &D1Database,
    shop: &Id,
    order_id: &Id,
    order: &OrderView,
    now: i64,
) -> Result<OrderLinks, ApiError> {
    let signer = Signer::load(db, shop).await?;
    let pages = shops::pages(db, shop).await?;
    let mint = |purpose, product: Option<&str>| {
        signer
            .mint(purpose, order_id.as_str(), product, LINK_TTL_DAYS, now)
            .token
    };
    let tracker = mint(Purpose::Track, None);
    let survey = mint(Purpose::Survey, None);
    let mut products: Vec<&str> = order.items.iter().map(|i| i.product.as_str()).collect();
    products.dedup();
    Ok(OrderLinks {
        tracker: Link {
            url: with_fragment(pages.tracker_page.as_deref(), "memnun", &tracker),
            token: tracker,
        },
        survey: Link {
            url: with_fragment(pages.survey_page.as_deref(), "memnun", &survey),
            token: survey,
        },
        reviews: products
            .into_iter()
            .map(|product| {
                let token = mint(Purpose::Review, Some(product));
                ProductLink {
                    product: product.to_owned(),
                    url: with_fragment(
                        pages.product_url(product).as_deref(),
                        "memnun-review",
                        &token,
                    ),
                    token,
                }
            })
            .collect(),
    })
}

/// `POST /v1/admin/orders/{order}/links`: the tracker, survey and review links for messages.
pub async fn links(cx: &Context<'_>, order_id: &str) -> Result<Response, ApiError> {
    let (db, shop, now) = (&cx.db, &cx.shop, cx.now);
    let order_id = crate::platform::http::parse_id("order", order_id)?;
    let loaded = load(db, shop, &order_id, now).await?;
    http::json(
        201,
        &links_for(db, shop, &order_id, &loaded.order, now).await?,
    )
}

/// An order as stored, made into the shopper's view.
pub struct Loaded {
    pub order: OrderView,
    delivered_at: Option<i64>,
    /// What the catalog says of each item's product, in the order of `order.items`.
    catalog: Vec<ItemRow>,
}

/// The order as its shopper sees it, or `404`.
pub async fn load(db: &D1Database, shop: &Id, order_id: &Id, now: i64) -> Result<Loaded, ApiError> {
    let StoredOrder {
        order: order_row,
        items,
        shipments,
        events,
    } = order_store::load(db, shop, order_id)
        .await?
        .ok_or(ApiError::NotFound("order"))?;
    let shipments: Vec<ShipmentView> = shipments
        .into_iter()
        .map(|s| {
            let mut timeline: Vec<TrackingEvent> = events
                .iter()
                .filter(|e| e.shipment_id == s.id)
                .filter_map(|e| {
                    Some(TrackingEvent {
                        shipment: e.shipment_id.clone(),
                        status: TrackingStatus::parse(&e.status)?,
                        time: e.time,
                        location: e.location.clone(),
                        note: e.note.clone(),
                    })
                })
                .collect();
            order::without_repeats(&mut timeline);
            let status = order::current_status(&timeline);
            let estimate = s.estimate_at.map(|date| Estimate {
                date,
                source: s.estimate_source.clone().unwrap_or_else(|| "shop".into()),
            });
            ShipmentView {
                estimated_delivery: order::visible_estimate(estimate.as_ref(), status, now),
                id: s.id,
                carrier: s.carrier,
                tracking_number: s.tracking_number,
                tracking_url: s.tracking_url,
                status,
                events: timeline,
            }
        })
        .collect();
    Ok(Loaded {
        order: OrderView {
            number: order_row.number,
            placed_at: order_row.placed_at,
            status: order::order_status(&shipments, order_row.cancelled_at.is_some()),
            items: items
                .iter()
                .map(|i| ViewItem {
                    product: i.product.clone(),
                    quantity: i.quantity,
                    name: None,
                    image_url: None,
                    url: None,
                })
                .collect(),
            shipments,
            invitations: None,
        },
        delivered_at: order_row.delivered_at,
        catalog: items,
    })
}

/// The shopper's view, with invitations to review and answer the survey once delivered.
async fn shopper_view(
    db: &D1Database,
    shop: &Id,
    order_id: &Id,
    locale: Locale,
    now: i64,
) -> Result<OrderView, ApiError> {
    let Loaded {
        mut order, catalog, ..
    } = load(db, shop, order_id, now).await?;
    for (item, row) in order.items.iter_mut().zip(catalog) {
        let names: Option<BTreeMap<String, String>> = row
            .catalog_names
            .and_then(|names| serde_json::from_str(&names).ok());
        if let Some(name) = names
            .as_ref()
            .and_then(|n| catalog::name_in(n, locale.as_str()))
        {
            item.name = Some(name.to_owned());
            item.image_url = row.image_url;
            item.url = row.url;
        }
    }
    if order.status == TrackingStatus::Delivered && !order.shipments.is_empty() {
        let links = links_for(db, shop, order_id, &order, now).await?;
        order.invitations = Some(Invitations {
            reviews: links
                .reviews
                .into_iter()
                .map(|l| ReviewInvitation {
                    product: l.product,
                    url: l.url,
                    token: l.token,
                })
                .collect(),
            survey_url: links.survey.url,
            survey_token: links.survey.token,
        });
    }
    Ok(order)
}

fn track_token(signer: &Signer, order_id: &Id, now: i64) -> String {
    signer
        .mint(Purpose::Track, order_id.as_str(), None, TRACK_TTL_DAYS, now)
        .token
}

/// The one answer every failed lookup gets, whatever failed: no order with that number, another
/// email, a bad token. Nothing tells an enumerator which.
fn not_found() -> ApiError {
    ApiError::NotFound("order")
}

/// A budget of failed lookups in fixed windows of `window_ms`, counted in `lookup_failures`.
/// Only failures count, so a shopper who types their own number and email spends nothing.
/// Each lookup reserves one failure in every budget in the same statement that reads what is
/// spent (so a burst cannot overshoot a budget), and gives it back unless the lookup failed.
struct LookupBudget {
    key: String,
    window_ms: i64,
}

/// Failed lookups with one email in a day: walking order numbers for a known email, from any
/// number of addresses, stops here.
const EMAIL_FAILURES_PER_DAY: i64 = 10;
/// Failed lookups in one shop in an hour, whoever makes them. Once they are spent, a client
/// that has itself failed `CLIENT_FAILURES_ONCE_SHOP_SPENT` times that hour is refused: many
/// addresses guessing together get a few guesses each, while a shopper who has not been
/// guessing (or one persistent guesser's victims) still finds their order.
const SHOP_FAILURES_PER_HOUR: i64 = 300;
const CLIENT_FAILURES_ONCE_SHOP_SPENT: i64 = 3;
/// Failed lookups in one shop in an hour past which everyone is refused: guessers with
/// thousands of addresses (an IPv6 /48 holds 65,536 clients) stop here, at the cost of the
/// shop's lookups for the rest of the hour.
const SHOP_FAILURES_CEILING_PER_HOUR: i64 = 10 * SHOP_FAILURES_PER_HOUR;
const HOUR_MS: i64 = 3_600_000;

/// The budget row of a shopper's email (`lookup_failures.budget`); the erasure in
/// `shoppers.rs` deletes it by the same form.
fn email_budget_key(shop: &Id, email_hash: &str) -> String {
    format!("email:{shop}:{email_hash}")
}

/// Seconds until `spent`'s window of `budget` ends, for `Retry-After`.
fn seconds_left(spent: &Spent, budget: &LookupBudget, now: i64) -> u32 {
    let ends = spent.window_start + budget.window_ms;
    ((ends - now + 999) / 1000).clamp(1, i64::from(u32::MAX)) as u32
}

fn read_spent(reserved: worker::D1Result) -> Result<Spent, ApiError> {
    reserved
        .results::<Spent>()?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::Internal("a lookup budget answered no row".into()))
}

/// `POST /v1/shops/{shop}/orders/lookup`: a shopper finds their order by number and email.
/// Limited per client (all lookups, and those of one number: a client guessing emails for a
/// number is stopped, while the buyer, from their own address, is not), and by budgets of
/// failures per email and per shop, so neither many numbers nor many emails can be tried from
/// many addresses.
pub async fn lookup(req: &mut Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let (env, db, shop, now) = (cx.env, &cx.db, &cx.shop, cx.now);
    let shopper_write::Opened {
        body: lookup,
        client,
    } = shopper_write::open::<Lookup>(req, cx, &SHOPPER_READ).await?;
    let lookup = Lookup {
        number: lookup
            .number
            .as_deref()
            .map(memnun_protocol::text::normalize),
        ..lookup
    };
    let (number, email) = lookup.validate().map_err(ApiError::Validation)?;
    let number_key = sha256_hex(&[b"order-number", shop.as_str().as_bytes(), number.as_bytes()]);
    http::rate_limit(
        env,
        "ORDER_LOOKUPS_PER_NUMBER",
        format!("{client}:{number_key}"),
    )
    .await?;
    let email_key = pseudonyms::order_email(env, &email)?;
    let budgets = [
        LookupBudget {
            key: email_budget_key(shop, &email_key),
            window_ms: 24 * HOUR_MS,
        },
        LookupBudget {
            key: format!("shop:{shop}"),
            window_ms: HOUR_MS,
        },
        LookupBudget {
            key: format!("client:{shop}:{client}"),
            window_ms: HOUR_MS,
        },
    ];
    // The reservations and the order in one round trip (one transaction); a miss takes the
    // same path as a wrong email.
    let [by_email, by_shop, by_client, found] = http::batch::<4>(
        db,
        vec![
            reserve_lookup_failure(db, &budgets[0].key, now, budgets[0].window_ms)?,
            reserve_lookup_failure(db, &budgets[1].key, now, budgets[1].window_ms)?,
            reserve_lookup_failure(db, &budgets[2].key, now, budgets[2].window_ms)?,
            order_store::find_by_number_and_email(db, shop, &number, &email_key)?,
        ],
    )
    .await?;
    let [email_spent, shop_spent, client_spent] = [by_email, by_shop, by_client].map(read_spent);
    let (email_spent, shop_spent, client_spent) = (email_spent?, shop_spent?, client_spent?);
    // Refused before the order is named, whether this guess was right or not.
    let refused = if email_spent.failures > EMAIL_FAILURES_PER_DAY {
        Some(seconds_left(&email_spent, &budgets[0], now))
    } else if shop_spent.failures > SHOP_FAILURES_CEILING_PER_HOUR {
        Some(seconds_left(&shop_spent, &budgets[1], now))
    } else if shop_spent.failures > SHOP_FAILURES_PER_HOUR
        && client_spent.failures > CLIENT_FAILURES_ONCE_SHOP_SPENT
    {
        Some(
            seconds_left(&shop_spent, &budgets[1], now).min(seconds_left(
                &client_spent,
                &budgets[2],
                now,
            )),
        )
    } else {
        None
    };
    let order_id = order_store::found(&found)?.and_then(|id| Id::parse(&id).ok());
    if refused.is_none() && order_id.is_none() {
        return Err(not_found());
    }
    // Not a failure: the reservations go back.
    let spent = [email_spent, shop_spent, client_spent];
    let given_back = budgets
        .iter()
        .zip(&spent)
        .map(|(budget, spent)| give_back_lookup_failure(db, &budget.key, spent))
        .collect::<Result<Vec<_>, _>>()?;
    // Lost, a give-back only leaves a budget one failure fuller: not worth the shopper's answer.
    db.batch(given_back).await.ok();
    if let Some(seconds) = refused {
        return Err(ApiError::RateLimited(seconds));
    }
    let order_id = order_id.ok_or_else(not_found)?;
    let signer = Signer::load(db, shop).await?;
    http::json(
        200,
        &Tracked {
            order: shopper_view(db, shop, &order_id, lookup.locale, now).await?,
            token: track_token(&signer, &order_id, now),
        },
    )
}

/// `POST /v1/shops/{shop}/orders/track`: the order a `track` token opens. In the body, not the
/// URL, so the token stays out of logs.
pub async fn track(req: &mut Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let (db, shop, now) = (&cx.db, &cx.shop, cx.now);
    let body = shopper_write::open::<TrackRequest>(req, cx, &SHOPPER_READ)
        .await?
        .body;
    let token = body.token.unwrap_or_default();
    let claims = tokens::verify(db, shop, &token, Purpose::Track, now)
        .await?
        .map_err(|_| not_found())?;
    let order_id = Id::parse(&claims.order).map_err(|_| not_found())?;
    let order = match shopper_view(db, shop, &order_id, body.locale, now).await {
        Err(ApiError::NotFound(_)) => return Err(not_found()),
        other => other?,
    };
    http::json(200, &Tracked { order, token })
}
