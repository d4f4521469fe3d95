//! Shop platforms that send orders and shipments by themselves: the merchant connects one with
//! the secret it signs its webhooks with (`/v1/admin/connectors/{platform}`), and the platform's
//! webhooks (`POST /v1/connectors/shopify/{shop}`) become memnun's orders, shipments and
//! tracking events through the same validation and storage as the merchant API.
//!
//! A delivery is checked in this order, and nothing is read from its body before the signature
//! holds: the shop has connected the platform (else `404`); the body is at most
//! `MAX_WEBHOOK_BYTES` (else `413`); the signature over the raw bytes is the shop's secret's
//! (else `401`); the delivery has an id (else `400`) not taken before (else `200`, changing
//! nothing). Then the topic decides: an order payload is stored unless a payload or parcel the
//! platform changed as late or later is stored already (then only the tracking events it adds
//! are kept); a fulfillment is stored unless it is older than that, and counts as a change of
//! its order; one for an order not seen yet is `409`, which the platform retries; a topic memnun
//! does not read is `200` and ignored. Every answer but `2xx` makes the platform retry.
//!
//! Known gap: the check of the stored time and the write are two round trips, so two payloads
//! of one order taken at the same moment can both pass the check (issue 18 goes on).

use crate::handlers::Context;
use crate::handlers::orders;
use crate::platform::error::ApiError;
use crate::platform::http::{self, BodyType};
use crate::store::connectors as store;
use crate::store::orders as order_store;
use memnun_protocol::Id;
use memnun_protocol::connectors::{
    self, Connector, ConnectorList, ConnectorUpdate, DeliveryOutcome, DeliveryTaken,
    MAX_WEBHOOK_BYTES, Platform, shopify,
};
use memnun_protocol::order::NewEvents;
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
    let secret = update.validate().map_err(ApiError::Validation)?;
    store::connect(&cx.db, &cx.shop, platform, &secret, cx.now).await?;
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

/// `POST /v1/connectors/shopify/{shop}`: one of Shopify's webhooks.
pub async fn receive_shopify(req: &mut Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let platform = Platform::Shopify;
    let secret = store::secret(&cx.db, &cx.shop, platform)
        .await?
        .ok_or(ApiError::NotFound("connector"))?;
    let body = http::read_body(req, MAX_WEBHOOK_BYTES, &["application/json"]).await?;
    let header = |name: &str| req.headers().get(name).ok().flatten().unwrap_or_default();
    if !connectors::signed(secret.as_bytes(), &body, &header("X-Shopify-Hmac-Sha256")) {
        return Err(ApiError::BadSignature("X-Shopify-Hmac-Sha256"));
    }
    let delivery = header("X-Shopify-Webhook-Id");
    if delivery.is_empty()
        || delivery.len() > 100
        || !delivery.bytes().all(|b| b.is_ascii_graphic())
    {
        return Err(ApiError::InvalidParameter(
            "X-Shopify-Webhook-Id must name the delivery".into(),
        ));
    }
    let topic = header("X-Shopify-Topic");
    if store::taken_before(&cx.db, &cx.shop, platform, &delivery).await? {
        return http::json(
            200,
            &DeliveryTaken {
                outcome: DeliveryOutcome::Duplicate,
            },
        );
    }
    let parse = |what: &str| ApiError::MalformedJson(format!("not a Shopify {what}"));
    let outcome = match topic.as_str() {
        "orders/create"
        | "orders/updated"
        | "orders/paid"
        | "orders/fulfilled"
        | "orders/partially_fulfilled"
        | "orders/cancelled" => {
            let order: shopify::Order =
                serde_json::from_slice(&body).map_err(|_| parse("Order"))?;
            take_order(cx, &order).await?
        }
        "fulfillments/create" | "fulfillments/update" => {
            let fulfillment: shopify::Fulfillment =
                serde_json::from_slice(&body).map_err(|_| parse("Fulfillment"))?;
            take_fulfillment(cx, &fulfillment).await?
        }
        _ => DeliveryOutcome::Ignored,
    };
    store::record_delivery(
        &cx.db, &cx.shop, platform, &delivery, &topic, outcome, cx.now,
    )
    .await?;
    http::json(200, &DeliveryTaken { outcome })
}

fn platform_id(what: &'static str, id: String) -> Result<Id, ApiError> {
    Id::parse(&id).map_err(|e| ApiError::InvalidParameter(format!("the {what} id {e}")))
}

/// Stores the order as the payload has it, unless a payload the platform made later is stored
/// already; its tracking events are kept either way, so the timeline is the same whatever order
/// the payloads came in.
async fn take_order(cx: &Context<'_>, order: &shopify::Order) -> Result<DeliveryOutcome, ApiError> {
    let order_id = platform_id("order", order.order_id())?;
    let changed_at = order.changed_at();
    let stored = store::order_changed_at(&cx.db, &cx.shop, &order_id).await?;
    let outcome = if stored.is_some_and(|s| s >= changed_at) {
        DeliveryOutcome::Stale
    } else {
        orders::save(cx, &order_id, order.upsert()).await?;
        store::order_changed(&cx.db, &cx.shop, &order_id, changed_at)?
            .run()
            .await?;
        DeliveryOutcome::Applied
    };
    take_events(cx, &order_id, order.events()).await?;
    Ok(outcome)
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
        return Err(ApiError::Conflict(
            "this fulfillment's order has not arrived yet; send it again later".into(),
        ));
    }
    let changed_at = fulfillment.changed_at();
    let stored = store::order_changed_at(&cx.db, &cx.shop, &order_id).await?;
    let outcome = if stored.is_some_and(|s| s > changed_at) {
        DeliveryOutcome::Stale
    } else {
        let shipment = fulfillment
            .shipment()
            .validate()
            .map_err(ApiError::Validation)?;
        order_store::save_shipment(&cx.db, &cx.shop, &order_id, &shipment).await?;
        // Shopify changes the order with its parcel: an order payload from before this parcel
        // (without it) is older than this, and must not take it away.
        store::order_changed(&cx.db, &cx.shop, &order_id, changed_at)?
            .run()
            .await?;
        DeliveryOutcome::Applied
    };
    take_events(cx, &order_id, fulfillment.events()).await?;
    Ok(outcome)
}

/// Keeps the events of the order's shipments (a shipment the order no longer has is passed
/// over, as the order stored says).
async fn take_events(
    cx: &Context<'_>,
    order_id: &Id,
    events: Vec<memnun_protocol::order::EventInput>,
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
