//! Shop platforms that send orders and shipments by themselves: the merchant connects one with
//! the secret it signs its webhooks with (`/v1/admin/connectors/{platform}`), and the platform's
//! webhooks (`POST /v1/connectors/shopify/{shop}`) become memnun's orders, shipments and
//! tracking events through the same validation and storage as the merchant API.
//!
//! A delivery is checked in this order, and nothing is read from its body before the signature
//! holds: the body is at most `MAX_WEBHOOK_BYTES` (else `413`); the shop has connected the
//! platform and the signature over the raw bytes is its secret's (else `401`, the same whether
//! the shop connected or not, so the answer tells no one which shops did); the delivery has an
//! id (else `400`) not taken before, nor its event under the same topic (else `200`, changing
//! nothing). Then the topic decides (docs/API.md has the table): an order payload is stored
//! unless a payload or parcel the platform changed as late or later is stored already (then only
//! the tracking events it adds are kept); a fulfillment is stored unless it is older than that,
//! and counts as a change of its order; one for an order not seen yet is `409`, which the
//! platform retries; a topic memnun does not read is `200` and ignored. A signed payload memnun
//! cannot store is `200` and `refused`, with the reason in the merchant's list: sending the same
//! bytes again cannot help, and a platform drops an address that keeps failing. An order its
//! shopper had erased is never stored again. Every answer but `2xx` makes the platform retry.

use crate::handlers::Context;
use crate::handlers::orders;
use crate::handlers::shoppers;
use crate::platform::error::ApiError;
use crate::platform::http::{self, BodyType};
use crate::platform::pseudonyms;
use crate::platform::secure::sha256_hex;
use crate::store::connectors::{self as store, Delivery, Payload, Tripped};
use crate::store::orders as order_store;
use crate::store::{catalog, shops};
use memnun_protocol::Id;
use memnun_protocol::catalog::ItemInput as CatalogInput;
use memnun_protocol::connectors::{
    self, Connector, ConnectorList, ConnectorUpdate, DeliveryOutcome, DeliveryTaken,
    MAX_WEBHOOK_BYTES, Platform, shopify, woocommerce,
};
use memnun_protocol::order::{EventInput, NewEvents, OrderUpsert};
use memnun_protocol::shopper::ShopperRequest;
use worker::{Request, Response};

/// Deliveries the merchant's list shows per platform.
const DELIVERIES_SHOWN: u32 = 20;

fn platform(name: &str) -> Result<Platform, ApiError> {
    Platform::parse(name).ok_or(ApiError::NotFound("connector"))
}

/// `GET /v1/admin/connectors`: the connected platforms, each with its webhook address, the
/// topics to subscribe to and the latest deliveries.
pub async fn list(req: &Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    http::json(200, &connector_list(req, cx, None).await?)
}

async fn connector_list(
    req: &Request,
    cx: &Context<'_>,
    only: Option<Platform>,
) -> Result<ConnectorList, ApiError> {
    let url = req.url()?;
    let origin = url.origin().ascii_serialization();
    let mut connectors = Vec::new();
    for row in store::connected(&cx.db, &cx.shop).await? {
        let Some(platform) = Platform::parse(&row.platform) else {
            continue;
        };
        if only.is_some_and(|o| o != platform) {
            continue;
        }
        connectors.push(Connector {
            platform,
            connected_at: row.connected_at,
            currency: row.currency,
            locale: row.locale,
            signature_refused_at: row.signature_refused_at,
            webhook_url: format!("{origin}/v1/connectors/{}/{}", platform.as_str(), cx.shop),
            topics: platform.topics().iter().map(|t| (*t).to_owned()).collect(),
            deliveries: store::deliveries(&cx.db, &cx.shop, platform, DELIVERIES_SHOWN).await?,
        });
    }
    Ok(ConnectorList { connectors })
}

/// `PUT /v1/admin/connectors/{platform}`: connects the platform with the secret it signs its
/// webhooks with (never answered back), in place of any before it.
pub async fn put(req: &mut Request, cx: &Context<'_>, name: &str) -> Result<Response, ApiError> {
    let platform = platform(name)?;
    let (update, _): (ConnectorUpdate, _) = http::read_json(req, 4 * 1024, BodyType::Json).await?;
    let valid = update.validate().map_err(ApiError::Validation)?;
    store::connect(&cx.db, &cx.shop, platform, &valid, cx.now).await?;
    http::json(200, &connector_list(req, cx, Some(platform)).await?)
}

/// `DELETE /v1/admin/connectors/{platform}`: its webhooks are refused from now on.
pub async fn delete(cx: &Context<'_>, name: &str) -> Result<Response, ApiError> {
    let platform = platform(name)?;
    if !store::disconnect(&cx.db, &cx.shop, platform).await? {
        return Err(ApiError::NotFound("connector"));
    }
    Ok(Response::empty()?.with_status(204))
}

/// `POST /v1/connectors/{platform}/{shop}`: one of the platform's webhooks.
pub async fn receive(
    req: &mut Request,
    cx: &Context<'_>,
    platform: Platform,
) -> Result<Response, ApiError> {
    let headers = platform.headers();
    if platform == Platform::WooCommerce && is_form(req) {
        // WooCommerce checks a webhook's address when it is saved with an unsigned form post
        // (`webhook_id=12`), and refuses to save it unless the answer is 2xx. It may come before
        // the merchant connected memnun; it changes nothing and tells nothing.
        let body = http::read_body(req, 256, &[FORM]).await?;
        return match woocommerce_ping(&body) {
            true => answer(DeliveryOutcome::Ignored, None),
            false => Err(ApiError::UnsupportedMediaType("application/json")),
        };
    }
    let body = http::read_body(req, MAX_WEBHOOK_BYTES, &["application/json"]).await?;
    let header = |name: &str| req.headers().get(name).ok().flatten().unwrap_or_default();
    let Some(setup) = store::setup(&cx.db, &cx.shop, platform).await? else {
        return Err(ApiError::BadSignature(headers.signature));
    };
    if !connectors::signed(setup.secret.as_bytes(), &body, &header(headers.signature)) {
        store::signature_refused(&cx.db, &cx.shop, platform, cx.now).await?;
        return Err(ApiError::BadSignature(headers.signature));
    }
    let (id, event_id, topic) = (
        header(headers.delivery),
        headers.event.map(header).unwrap_or_default(),
        header(headers.topic),
    );
    let named = |value: &str| {
        !value.is_empty() && value.len() <= 100 && value.bytes().all(|b| b.is_ascii_graphic())
    };
    if !named(&id) {
        return Err(ApiError::InvalidParameter(format!(
            "{} must name the delivery",
            headers.delivery
        )));
    }
    // A platform that names no event (WooCommerce) makes its delivery id from the webhook and
    // the second it sent it: two deliveries in one second share it. With the body's digest, only
    // the same body again is the same delivery.
    let id = match headers.event {
        Some(_) => id,
        None => format!("{id}-{}", &sha256_hex(&[&body])[..16]),
    };
    let delivery = Delivery {
        id: &id,
        event_id: named(&event_id).then_some(event_id.as_str()),
        topic: &topic,
    };
    if store::taken_before(&cx.db, &cx.shop, platform, &delivery).await? {
        return answer(DeliveryOutcome::Duplicate, None);
    }
    let taken = match platform {
        Platform::Shopify => match topic.as_str() {
            "customers/data_request" | "customers/redact" | "shop/redact" => {
                return match read::<shopify::PrivacyRequest>(&body, "Shopify privacy request") {
                    Ok(request) => take_privacy(cx, &delivery, &request).await,
                    Err(e) => settle(cx, platform, &delivery, Err(e)).await,
                };
            }
            _ => from_shopify(cx, &setup, &topic, &body).await,
        },
        Platform::WooCommerce => from_woocommerce(cx, &setup, &topic, &body).await,
    };
    settle(cx, platform, &delivery, taken).await
}

const FORM: &str = "application/x-www-form-urlencoded";

fn is_form(req: &Request) -> bool {
    let content_type = req.headers().get("Content-Type").ok().flatten();
    content_type.is_some_and(|t| {
        t.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .eq_ignore_ascii_case(FORM)
    })
}

/// Whether `body` is WooCommerce's ping: `webhook_id=` and the webhook's number.
fn woocommerce_ping(body: &[u8]) -> bool {
    body.strip_prefix(b"webhook_id=")
        .is_some_and(|n| !n.is_empty() && n.len() <= 20 && n.iter().all(u8::is_ascii_digit))
}

fn read<T: serde::de::DeserializeOwned>(body: &[u8], what: &str) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::MalformedJson(format!("not a {what}: {e}")))
}

async fn from_shopify(
    cx: &Context<'_>,
    setup: &store::Setup,
    topic: &str,
    body: &[u8],
) -> Result<DeliveryOutcome, ApiError> {
    match topic {
        "orders/create"
        | "orders/updated"
        | "orders/paid"
        | "orders/fulfilled"
        | "orders/partially_fulfilled"
        | "orders/cancelled" => {
            let order: shopify::Order = read(body, "Shopify Order")?;
            resource(order.admin_graphql_api_id.as_deref(), "Order")?;
            take_order(
                cx,
                order.order_id(),
                order.changed_at(),
                order.upsert(),
                order.events(),
            )
            .await
        }
        "fulfillments/create" | "fulfillments/update" => {
            let fulfillment: shopify::Fulfillment = read(body, "Shopify Fulfillment")?;
            resource(fulfillment.admin_graphql_api_id.as_deref(), "Fulfillment")?;
            take_fulfillment(cx, &fulfillment).await
        }
        "products/create" | "products/update" => {
            let product: shopify::Product = read(body, "Shopify Product")?;
            resource(product.admin_graphql_api_id.as_deref(), "Product")?;
            // Shopify's product pages are at `/products/{handle}` of the shop's storefront: the
            // first origin the merchant allowed for the widgets.
            let storefront = shops::allowed_origins(&cx.db, &cx.shop)
                .await?
                .into_iter()
                .next()
                .ok_or_else(|| {
                    ApiError::InvalidParameter(
                        "the shop has no allowed origin to make the product's address from".into(),
                    )
                })?;
            let item = product.catalog_item(&storefront, &setup.currency, &setup.locale);
            take_product(cx, product.product_id(), item, product.changed_at()).await
        }
        "products/delete" => {
            let deleted: shopify::DeletedProduct = read(body, "Shopify Product")?;
            take_product(cx, deleted.id.to_string(), None, cx.now).await
        }
        _ => Ok(DeliveryOutcome::Ignored),
    }
}

/// Refuses a Shopify body that names itself another resource than its topic's.
fn resource(admin_graphql_api_id: Option<&str>, expected: &str) -> Result<(), ApiError> {
    match shopify::is_a(admin_graphql_api_id, expected) {
        true => Ok(()),
        false => Err(ApiError::MalformedJson(format!(
            "the body is not a Shopify {expected}"
        ))),
    }
}

async fn from_woocommerce(
    cx: &Context<'_>,
    setup: &store::Setup,
    topic: &str,
    body: &[u8],
) -> Result<DeliveryOutcome, ApiError> {
    match topic {
        "order.created" | "order.updated" | "order.restored" => {
            let order: woocommerce::Order = read(body, "WooCommerce Order")?;
            take_order(
                cx,
                order.order_id(),
                order.changed_at(),
                order.upsert(),
                order.events(),
            )
            .await
        }
        // Trashed or deleted: cancelled (the reviews it verified stay verified). Restoring it
        // from the trash changes it later, and its payload counts again.
        "order.deleted" => {
            let deleted: woocommerce::Deleted = read(body, "WooCommerce Order")?;
            cancel_order(cx, deleted.id.to_string()).await
        }
        "product.created" | "product.updated" | "product.restored" => {
            let product: woocommerce::Product = read(body, "WooCommerce Product")?;
            let item = product.catalog_item(&setup.currency, &setup.locale);
            take_product(cx, product.product_id(), item, product.changed_at()).await
        }
        "product.deleted" => {
            let deleted: woocommerce::Deleted = read(body, "WooCommerce Product")?;
            take_product(cx, deleted.id.to_string(), None, cx.now).await
        }
        _ => Ok(DeliveryOutcome::Ignored),
    }
}

/// Shopify's privacy webhooks. A customer's erasure is memnun's shopper erasure by their email
/// (every order, review and answer stored under it); a data request is listed for the merchant,
/// who exports the shopper's data in the dashboard (memnun cannot send it to them); a shop's
/// erasure (48 hours after the app is uninstalled) disconnects Shopify and forgets its
/// deliveries.
async fn take_privacy(
    cx: &Context<'_>,
    delivery: &Delivery<'_>,
    request: &shopify::PrivacyRequest,
) -> Result<Response, ApiError> {
    let platform = Platform::Shopify;
    let email = request.customer.as_ref().and_then(|c| c.email.clone());
    // Each topic's own shape: a body of another (its topic header is not signed) is refused.
    let shaped = match delivery.topic {
        "customers/redact" => request.customer.is_some() && request.orders_to_redact.is_some(),
        "customers/data_request" => {
            request.customer.is_some() && request.orders_requested.is_some()
        }
        _ => request.customer.is_none(),
    };
    if !shaped {
        let e = ApiError::MalformedJson(format!("not a Shopify {} body", delivery.topic));
        return settle(cx, platform, delivery, Err(e)).await;
    }
    let detail = match delivery.topic {
        "customers/redact" => {
            let mut erased = 0;
            let mut reviews = 0;
            if let Ok(shopper) = (ShopperRequest {
                email: email.clone(),
                browser: None,
            })
            .validate()
            {
                let report = shoppers::erase(cx, &shopper).await?;
                erased += report.orders;
                reviews += report.reviews;
            }
            // Orders under another email, or none, and ids not arrived yet: gone and kept out.
            let ids: Vec<String> = request
                .orders_to_redact
                .iter()
                .flatten()
                .map(u64::to_string)
                .collect();
            erased += shoppers::erase_orders(cx, &ids).await?;
            format!(
                "erased the customer's {erased} orders and {reviews} reviews, and what hung on them"
            )
        }
        "customers/data_request" => {
            let customer = request
                .customer
                .as_ref()
                .and_then(|c| c.id)
                .map_or_else(|| "a customer".to_owned(), |id| format!("customer {id}"));
            let orders: Vec<String> = request
                .orders_requested
                .iter()
                .flatten()
                .map(u64::to_string)
                .collect();
            format!(
                "Shopify forwards {customer}'s request for their data (orders {}): export it \
                 under Shoppers with their email, and send it to them",
                orders.join(", ")
            )
        }
        _ => {
            store::disconnect(&cx.db, &cx.shop, platform).await?;
            store::forget_deliveries(&cx.db, &cx.shop, platform).await?;
            return answer(DeliveryOutcome::Applied, None);
        }
    };
    store::record_delivery(
        &cx.db,
        &cx.shop,
        platform,
        delivery,
        DeliveryOutcome::Applied,
        Some(&detail),
        cx.now,
    )
    .await?;
    answer(DeliveryOutcome::Applied, Some(detail))
}

fn answer(outcome: DeliveryOutcome, detail: Option<String>) -> Result<Response, ApiError> {
    http::json(200, &DeliveryTaken { outcome, detail })
}

/// Records what the delivery came to and answers the platform: `200` for what sending again
/// cannot change (stored, or refused for good), `409` for what may fare better later, and an
/// error of memnun's own unrecorded (the platform retries it).
async fn settle(
    cx: &Context<'_>,
    platform: Platform,
    delivery: &Delivery<'_>,
    taken: Result<DeliveryOutcome, ApiError>,
) -> Result<Response, ApiError> {
    let (outcome, detail) = match taken {
        Ok(outcome) => (outcome, None),
        Err(ApiError::Conflict(reason)) => (DeliveryOutcome::Retry, Some(reason)),
        Err(
            e @ (ApiError::MalformedJson(_)
            | ApiError::InvalidParameter(_)
            | ApiError::Validation(_)),
        ) => (DeliveryOutcome::Refused, Some(refusal(&e))),
        Err(other) => return Err(other),
    };
    store::record_delivery(
        &cx.db,
        &cx.shop,
        platform,
        delivery,
        outcome,
        detail.as_deref(),
        cx.now,
    )
    .await?;
    match (outcome, detail) {
        (DeliveryOutcome::Retry, Some(reason)) => Err(ApiError::Conflict(reason)),
        (outcome, detail) => answer(outcome, detail),
    }
}

/// What the merchant reads of a refusal: the fields and their problems.
fn refusal(error: &ApiError) -> String {
    match error {
        ApiError::Validation(fields) => fields
            .0
            .iter()
            .map(|(field, problem)| format!("{field}: {problem}"))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

fn platform_id(what: &'static str, id: String) -> Result<Id, ApiError> {
    Id::parse(&id).map_err(|e| ApiError::InvalidParameter(format!("the {what} id {e}")))
}

/// What `order_id`'s tombstone would hold, were its shopper to have it erased.
fn erased_key(cx: &Context<'_>, order_id: &Id) -> Result<String, ApiError> {
    let salt = pseudonyms::salt(cx.env)?;
    Ok(pseudonyms::erased_order(&salt, &cx.shop, order_id.as_str()))
}

/// The outcome of a write carrying an [`store::order_guard`]: applied, or what tripped it.
fn guarded(written: Result<(), ApiError>) -> Result<DeliveryOutcome, ApiError> {
    match written {
        Ok(()) => Ok(DeliveryOutcome::Applied),
        Err(e) => match Tripped::of(&e) {
            Some(Tripped::Stale) => Ok(DeliveryOutcome::Stale),
            Some(Tripped::Erased) => Ok(DeliveryOutcome::Erased),
            None => Err(e),
        },
    }
}

/// Stores the order as the payload has it, unless a payload the platform made later is stored
/// already; its tracking events are kept either way, so the timeline is the same whatever order
/// the payloads came in.
async fn take_order(
    cx: &Context<'_>,
    order_id: String,
    changed_at: i64,
    upsert: OrderUpsert,
    events: Vec<EventInput>,
) -> Result<DeliveryOutcome, ApiError> {
    let order_id = platform_id("order", order_id)?;
    let key = erased_key(cx, &order_id)?;
    let guard = store::order_guard(
        &cx.db,
        &cx.shop,
        &order_id,
        &key,
        changed_at,
        Payload::Order,
    )?;
    let outcome = guarded(orders::save(cx, &order_id, upsert, Some(guard)).await)?;
    if outcome != DeliveryOutcome::Erased {
        take_events(cx, &order_id, events).await?;
    }
    Ok(outcome)
}

/// Cancels an order the platform deleted, as of now (a payload of it the platform changed later,
/// such as its restoring, counts again); one memnun does not have is ignored.
async fn cancel_order(cx: &Context<'_>, order_id: String) -> Result<DeliveryOutcome, ApiError> {
    let order_id = platform_id("order", order_id)?;
    if order_store::load(&cx.db, &cx.shop, &order_id)
        .await?
        .is_none()
    {
        return Ok(DeliveryOutcome::Ignored);
    }
    let key = erased_key(cx, &order_id)?;
    let guard = store::order_guard(&cx.db, &cx.shop, &order_id, &key, cx.now, Payload::Order)?;
    let cancel = order_store::cancel(&cx.db, &cx.shop, &order_id, cx.now)?;
    write_guarded(cx, vec![cancel, guard]).await
}

/// Runs `batch` (whose guard may trip it) and says what it came to.
async fn write_guarded(
    cx: &Context<'_>,
    batch: Vec<worker::D1PreparedStatement>,
) -> Result<DeliveryOutcome, ApiError> {
    guarded(cx.db.batch(batch).await.map(drop).map_err(ApiError::from))
}

/// Adds or updates one parcel of an order memnun has, with its events.
async fn take_fulfillment(
    cx: &Context<'_>,
    fulfillment: &shopify::Fulfillment,
) -> Result<DeliveryOutcome, ApiError> {
    let order_id = platform_id("order", fulfillment.order_id())?;
    if order_store::load(&cx.db, &cx.shop, &order_id)
        .await?
        .is_none()
    {
        if store::erased(&cx.db, &cx.shop, &erased_key(cx, &order_id)?).await? {
            return Ok(DeliveryOutcome::Erased);
        }
        return Err(ApiError::Conflict(
            "this fulfillment's order has not arrived yet; send it again later".into(),
        ));
    }
    let shipment = fulfillment
        .shipment()
        .validate()
        .map_err(ApiError::Validation)?;
    // Shopify changes the order with its parcel: an order payload from before this parcel
    // (without it) is older than this, and must not take it away.
    let guard = store::order_guard(
        &cx.db,
        &cx.shop,
        &order_id,
        &erased_key(cx, &order_id)?,
        fulfillment.changed_at(),
        Payload::Parcel,
    )?;
    let written = order_store::save_shipment(&cx.db, &cx.shop, &order_id, &shipment, guard).await;
    let outcome = guarded(written.map_err(ApiError::from))?;
    if outcome != DeliveryOutcome::Erased {
        take_events(cx, &order_id, fulfillment.events()).await?;
    }
    Ok(outcome)
}

/// Puts the product in the catalog as `item` has it (or takes it out, for `None`: not on sale,
/// or deleted), unless a payload the platform changed later, or its deletion, is stored already.
async fn take_product(
    cx: &Context<'_>,
    product_id: String,
    item: Option<CatalogInput>,
    changed_at: i64,
) -> Result<DeliveryOutcome, ApiError> {
    let product_id = platform_id("product", product_id)?;
    let item = item
        .map(|input| input.validate().map_err(ApiError::Validation))
        .transpose()?;
    let write = match &item {
        Some(item) => catalog::upsert(&cx.db, &cx.shop, std::slice::from_ref(item), cx.now)?,
        None => catalog::remove(&cx.db, &cx.shop, &product_id)?,
    };
    let guard = store::product_guard(&cx.db, &cx.shop, &product_id, changed_at)?;
    write_guarded(cx, vec![write, guard]).await
}

/// Keeps the events of the order's shipments (a shipment the order no longer has is passed
/// over, as the order stored says).
async fn take_events(
    cx: &Context<'_>,
    order_id: &Id,
    events: Vec<EventInput>,
) -> Result<(), ApiError> {
    if events.is_empty() {
        return Ok(());
    }
    let events = NewEvents {
        events: Some(events),
    }
    .validate()
    .map_err(ApiError::Validation)?;
    let stored = orders::load(&cx.db, &cx.shop, order_id, cx.now).await?;
    let known: Vec<_> = events
        .into_iter()
        .filter(|e| stored.order.shipments.iter().any(|s| s.id == e.shipment))
        .collect();
    if !known.is_empty() {
        orders::record_events(cx, order_id, &known).await?;
    }
    Ok(())
}
