//! Orders and their tracking: `orders`, their `order_items` and `shipments`, and the
//! shipments' `shipment_events`. An upsert replaces the order's items and shipments whole, in
//! one batch, while a shipment kept by id keeps its tracking events; an event is stored once per
//! (shipment, status, time); an order is marked delivered once. Items, shipments and events go
//! to D1 as JSON through `json_each`: a whole order is a handful of statements, whatever its
//! size, inside D1's per-request query limit.

use super::Params;
use crate::platform::error::ApiError;
use crate::platform::http;
use memnun_protocol::Id;
use memnun_protocol::order::{TrackingEvent, ValidOrder, ValidShipment};
use serde::{Deserialize, Serialize};
use worker::{D1Database, D1PreparedStatement, D1Result};

fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String, ApiError> {
    serde_json::to_string(value).map_err(|e| ApiError::Internal(e.to_string()))
}

/// Creates or replaces `shop`'s order `order_id` as `order` says, at `now`: its number, its
/// email as `email_hash` (a hash already stored stays when none is given), when it was placed
/// (`now` for a new order that does not say), whether it is cancelled, its items and its
/// shipments. Shipments no longer listed go, with their events. `also` runs after, in the same
/// transaction (the address kept for messages; a connector's guard, which undoes it all by
/// failing: its newer-wins rule).
pub async fn save(
    db: &D1Database,
    shop: &Id,
    order_id: &Id,
    order: &ValidOrder,
    email_hash: Option<&str>,
    now: i64,
    also: Vec<D1PreparedStatement>,
) -> Result<(), ApiError> {
    // The shape the statements read with `json_extract`.
    #[derive(Serialize)]
    struct ShipmentJson<'a> {
        id: &'a str,
        carrier: &'a str,
        tracking_number: Option<&'a str>,
        tracking_url: Option<&'a str>,
        estimate_at: Option<i64>,
        estimate_source: Option<&'a str>,
    }
    let items = to_json(&order.items)?;
    let shipments: Vec<ShipmentJson> = order
        .shipments
        .iter()
        .map(|s| ShipmentJson {
            id: s.id.as_str(),
            carrier: &s.carrier,
            tracking_number: s.tracking_number.as_deref(),
            tracking_url: s.tracking_url.as_deref(),
            estimate_at: s.estimated_delivery.as_ref().map(|e| e.date),
            estimate_source: s.estimated_delivery.as_ref().map(|e| e.source.as_str()),
        })
        .collect();
    let shipments = to_json(&shipments)?;
    let key = || Params::new().text(shop.as_str()).text(order_id.as_str());
    let mut batch = vec![
        key()
            .text(&order.number)
            .opt_text(email_hash)
            .opt_int(order.placed_at)
            .int(now)
            .opt_int(order.cancelled_at)
            .opt_int(order.refunded_minor)
            .bind(
                db,
                "INSERT INTO orders (shop_id, id, number, email_hash, placed_at, updated_at, \
                 cancelled_at, refunded_minor) VALUES (?1, ?2, ?3, ?4, COALESCE(?5, ?6), ?6, ?7, ?8) \
                 ON CONFLICT (shop_id, id) DO UPDATE SET number = excluded.number, \
                 email_hash = COALESCE(excluded.email_hash, orders.email_hash), \
                 placed_at = COALESCE(?5, orders.placed_at), updated_at = excluded.updated_at, \
                 cancelled_at = excluded.cancelled_at, refunded_minor = excluded.refunded_minor",
            )?,
        key().bind(
            db,
            "DELETE FROM order_items WHERE shop_id = ?1 AND order_id = ?2",
        )?,
        key().text(&items).bind(
            db,
            "INSERT INTO order_items (shop_id, order_id, position, product_id, quantity, \
             price_minor, currency) \
             SELECT ?1, ?2, j.key, json_extract(j.value, '$.product'), \
             json_extract(j.value, '$.quantity'), json_extract(j.value, '$.price_minor'), \
             json_extract(j.value, '$.currency') FROM json_each(?3) j",
        )?,
        key().text(&shipments).bind(
            db,
            "DELETE FROM shipments WHERE shop_id = ?1 AND order_id = ?2 \
             AND id NOT IN (SELECT json_extract(value, '$.id') FROM json_each(?3))",
        )?,
        // `WHERE true`: SQLite reads an ON after a bare FROM as a join's, not the upsert's.
        key().text(&shipments).bind(
            db,
            "INSERT INTO shipments (shop_id, order_id, id, position, carrier, tracking_number, \
             tracking_url, estimate_at, estimate_source) \
             SELECT ?1, ?2, json_extract(j.value, '$.id'), j.key, \
             json_extract(j.value, '$.carrier'), json_extract(j.value, '$.tracking_number'), \
             json_extract(j.value, '$.tracking_url'), json_extract(j.value, '$.estimate_at'), \
             json_extract(j.value, '$.estimate_source') FROM json_each(?3) j WHERE true \
             ON CONFLICT (shop_id, order_id, id) DO UPDATE SET position = excluded.position, \
             carrier = excluded.carrier, tracking_number = excluded.tracking_number, \
             tracking_url = excluded.tracking_url, estimate_at = excluded.estimate_at, \
             estimate_source = excluded.estimate_source",
        )?,
    ];
    batch.extend(also);
    db.batch(batch).await?;
    Ok(())
}

/// Creates or updates one shipment of `shop`'s order `order_id` (which must exist), after its
/// others when it is new; the order's other shipments stay as they are. `guard` as for [`save`].
pub async fn save_shipment(
    db: &D1Database,
    shop: &Id,
    order_id: &Id,
    shipment: &ValidShipment,
    guard: D1PreparedStatement,
) -> worker::Result<()> {
    let save = Params::new()
        .text(shop.as_str())
        .text(order_id.as_str())
        .text(shipment.id.as_str())
        .text(&shipment.carrier)
        .opt_text(shipment.tracking_number.as_deref())
        .opt_text(shipment.tracking_url.as_deref())
        .opt_int(shipment.estimated_delivery.as_ref().map(|e| e.date))
        .opt_text(
            shipment
                .estimated_delivery
                .as_ref()
                .map(|e| e.source.as_str()),
        )
        .bind(
            db,
            "INSERT INTO shipments (shop_id, order_id, id, position, carrier, tracking_number, \
             tracking_url, estimate_at, estimate_source) \
             SELECT ?1, ?2, ?3, COALESCE(MAX(position) + 1, 0), ?4, ?5, ?6, ?7, ?8 \
             FROM shipments WHERE shop_id = ?1 AND order_id = ?2 \
             ON CONFLICT (shop_id, order_id, id) DO UPDATE SET carrier = excluded.carrier, \
             tracking_number = excluded.tracking_number, tracking_url = excluded.tracking_url, \
             estimate_at = COALESCE(excluded.estimate_at, shipments.estimate_at), \
             estimate_source = COALESCE(excluded.estimate_source, shipments.estimate_source)",
        )?;
    db.batch(vec![save, guard]).await?;
    Ok(())
}

/// Stores `events` of `shop`'s order `order_id`, received at `now`, each (shipment, status,
/// time) once; answers how many were new.
pub async fn add_events(
    db: &D1Database,
    shop: &Id,
    order_id: &Id,
    events: &[TrackingEvent],
    now: i64,
) -> Result<usize, ApiError> {
    let json = to_json(events)?;
    let result = Params::new()
        .text(shop.as_str())
        .text(order_id.as_str())
        .text(&json)
        .int(now)
        .bind(
            db,
            "INSERT OR IGNORE INTO shipment_events (shop_id, order_id, shipment_id, status, time, \
             location, note, received_at) \
             SELECT ?1, ?2, json_extract(j.value, '$.shipment'), json_extract(j.value, '$.status'), \
             json_extract(j.value, '$.time'), json_extract(j.value, '$.location'), \
             json_extract(j.value, '$.note'), ?4 FROM json_each(?3) j",
        )?
        .run()
        .await?;
    Ok(result.meta()?.and_then(|m| m.changes).unwrap_or(0))
}

/// The statement that cancels `shop`'s order `order_id` at `at`, unless it already is.
pub fn cancel(
    db: &D1Database,
    shop: &Id,
    order_id: &Id,
    at: i64,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(shop.as_str())
        .text(order_id.as_str())
        .int(at)
        .bind(
            db,
            "UPDATE orders SET cancelled_at = COALESCE(cancelled_at, ?3) \
             WHERE shop_id = ?1 AND id = ?2",
        )
}

/// The statement that marks `shop`'s order `order_id` delivered at `delivered_at`, unless it
/// already is: batched with the `order.delivered` event.
pub fn mark_delivered(
    db: &D1Database,
    shop: &Id,
    order_id: &Id,
    delivered_at: i64,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(shop.as_str())
        .text(order_id.as_str())
        .int(delivered_at)
        .bind(
            db,
            "UPDATE orders SET delivered_at = ?3 WHERE shop_id = ?1 AND id = ?2 AND delivered_at IS NULL",
        )
}

#[derive(Deserialize)]
pub struct OrderRow {
    pub number: String,
    pub placed_at: i64,
    pub delivered_at: Option<i64>,
    pub cancelled_at: Option<i64>,
}

#[derive(Deserialize)]
pub struct ShipmentRow {
    pub id: String,
    pub carrier: String,
    pub tracking_number: Option<String>,
    pub tracking_url: Option<String>,
    pub estimate_at: Option<i64>,
    pub estimate_source: Option<String>,
}

#[derive(Deserialize)]
pub struct TrackingEventRow {
    pub shipment_id: String,
    /// As stored; a status this build does not know is the caller's to skip.
    pub status: String,
    pub time: i64,
    pub location: Option<String>,
    pub note: Option<String>,
}

/// An order's item, with what the shop's catalog says of its product (all `None` when the catalog
/// has no entry for it).
#[derive(Deserialize)]
pub struct ItemRow {
    pub product: String,
    pub quantity: u32,
    /// The catalog's names, as stored (JSON: language → name).
    pub catalog_names: Option<String>,
    pub image_url: Option<String>,
    pub url: Option<String>,
}

/// An order as stored: items and shipments in their order, events by time (then status).
pub struct StoredOrder {
    pub order: OrderRow,
    pub items: Vec<ItemRow>,
    pub shipments: Vec<ShipmentRow>,
    pub events: Vec<TrackingEventRow>,
}

/// `shop`'s order `order_id` with its items, shipments and events, read in one batch (one
/// transaction, so never half of an upsert), or `None` if there is no such order.
pub async fn load(
    db: &D1Database,
    shop: &Id,
    order_id: &Id,
) -> Result<Option<StoredOrder>, ApiError> {
    let key = || Params::new().text(shop.as_str()).text(order_id.as_str());
    let [order_rows, item_rows, shipment_rows, event_rows] = http::batch(
        db,
        vec![
            key().bind(
                db,
                "SELECT number, placed_at, delivered_at, cancelled_at FROM orders \
                 WHERE shop_id = ?1 AND id = ?2",
            )?,
            key().bind(
                db,
                "SELECT i.product_id AS product, i.quantity, c.name AS catalog_names, \
                 c.image_url, c.url FROM order_items i LEFT JOIN catalog_items c \
                 ON c.shop_id = i.shop_id AND c.product_id = i.product_id \
                 WHERE i.shop_id = ?1 AND i.order_id = ?2 ORDER BY i.position",
            )?,
            key().bind(
                db,
                "SELECT id, carrier, tracking_number, tracking_url, estimate_at, estimate_source \
                 FROM shipments WHERE shop_id = ?1 AND order_id = ?2 ORDER BY position",
            )?,
            key().bind(
                db,
                "SELECT shipment_id, status, time, location, note FROM shipment_events \
                 WHERE shop_id = ?1 AND order_id = ?2 ORDER BY time, status",
            )?,
        ],
    )
    .await?;
    let Some(order) = order_rows.results::<OrderRow>()?.into_iter().next() else {
        return Ok(None);
    };
    let items = item_rows.results()?;
    let events = event_rows.results()?;
    let shipments = shipment_rows.results()?;
    Ok(Some(StoredOrder {
        order,
        items,
        shipments,
        events,
    }))
}

/// The statement that finds `shop`'s order numbered `number` whose email hashes to
/// `email_hash`: batched with the lookup budgets' reservations, read with [`found`].
pub fn find_by_number_and_email(
    db: &D1Database,
    shop: &Id,
    number: &str,
    email_hash: &str,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(shop.as_str())
        .text(number)
        .text(email_hash)
        .bind(
            db,
            "SELECT id FROM orders WHERE shop_id = ?1 AND number = ?2 AND email_hash = ?3 \
             LIMIT 1",
        )
}

/// The id of the order [`find_by_number_and_email`] found, if it found one.
pub fn found(result: &D1Result) -> worker::Result<Option<String>> {
    #[derive(Deserialize)]
    struct Found {
        id: String,
    }
    Ok(result.results::<Found>()?.into_iter().next().map(|f| f.id))
}

/// An order of an import, ready to store.
#[derive(Serialize)]
pub struct ImportedOrder {
    pub id: String,
    /// What its tombstone would hold (`pseudonyms::erased_order`): an order erased before is
    /// not imported again.
    #[serde(skip)]
    pub erased_key: String,
    pub number: String,
    pub email_hash: Option<String>,
    pub placed_at: Option<i64>,
    pub cancelled_at: Option<i64>,
    pub refunded_minor: Option<i64>,
    /// When its last parcel was delivered, if all were: the order counts as delivered then,
    /// and no `order.delivered` goes out for history.
    pub delivered_at: Option<i64>,
    pub items: Vec<memnun_protocol::order::Item>,
    pub shipments: Vec<ImportedShipment>,
    pub events: Vec<TrackingEvent>,
}

#[derive(Serialize)]
pub struct ImportedShipment {
    pub id: String,
    pub carrier: String,
    pub tracking_number: Option<String>,
    pub tracking_url: Option<String>,
    pub estimate_at: Option<i64>,
    pub estimate_source: Option<String>,
}

/// Of `ids` (each with its tombstone's key, `pseudonyms::erased_order`), those `shop` has as
/// orders already, or whose orders its shoppers had erased.
pub async fn known<C: FromIterator<String>>(
    db: &D1Database,
    shop: &Id,
    ids: &[(&str, &str)],
) -> worker::Result<C> {
    super::texts(
        Params::new()
            .text(shop.as_str())
            .text(&serde_json::to_string(ids)?)
            .bind(
                db,
                "SELECT json_extract(j.value, '$[0]') FROM json_each(?2) j \
                 WHERE json_extract(j.value, '$[0]') IN (SELECT id FROM orders WHERE shop_id = ?1) \
                 OR json_extract(j.value, '$[1]') IN \
                 (SELECT order_key FROM erased_orders WHERE shop_id = ?1)",
            )?,
    )
    .await
}

/// Stores `orders` (which [`known`] did not find) at `now`, with their items, shipments and
/// events, in four statements whatever their number; `also` (their baskets) in the same batch.
/// An order the platform sends between [`known`] and this keeps its own row; the platform's
/// next payload replaces its items and shipments whole.
pub async fn import(
    db: &D1Database,
    shop: &Id,
    orders: &[ImportedOrder],
    now: i64,
    also: Vec<D1PreparedStatement>,
) -> Result<(), ApiError> {
    if orders.is_empty() {
        return Ok(());
    }
    let json = to_json(orders)?;
    // D1 takes exactly as many values as a statement's highest `?N`.
    let orders_json = || Params::new().text(shop.as_str()).text(&json);
    let batch = || orders_json().int(now);
    let mut statements = vec![
        batch().bind(
            db,
            "INSERT OR IGNORE INTO orders (shop_id, id, number, email_hash, placed_at, \
             updated_at, cancelled_at, delivered_at, refunded_minor) \
             SELECT ?1, json_extract(o.value, '$.id'), json_extract(o.value, '$.number'), \
             json_extract(o.value, '$.email_hash'), \
             COALESCE(json_extract(o.value, '$.placed_at'), ?3), ?3, \
             json_extract(o.value, '$.cancelled_at'), json_extract(o.value, '$.delivered_at'), \
             json_extract(o.value, '$.refunded_minor') \
             FROM json_each(?2) o",
        )?,
        orders_json().bind(
            db,
            "INSERT OR IGNORE INTO order_items (shop_id, order_id, position, product_id, \
             quantity, price_minor, currency) \
             SELECT ?1, json_extract(o.value, '$.id'), i.key, json_extract(i.value, '$.product'), \
             json_extract(i.value, '$.quantity'), json_extract(i.value, '$.price_minor'), \
             json_extract(i.value, '$.currency') \
             FROM json_each(?2) o, json_each(o.value, '$.items') i",
        )?,
        orders_json().bind(
            db,
            "INSERT OR IGNORE INTO shipments (shop_id, order_id, id, position, carrier, \
             tracking_number, tracking_url, estimate_at, estimate_source) \
             SELECT ?1, json_extract(o.value, '$.id'), json_extract(s.value, '$.id'), s.key, \
             json_extract(s.value, '$.carrier'), json_extract(s.value, '$.tracking_number'), \
             json_extract(s.value, '$.tracking_url'), json_extract(s.value, '$.estimate_at'), \
             json_extract(s.value, '$.estimate_source') \
             FROM json_each(?2) o, json_each(o.value, '$.shipments') s",
        )?,
        batch().bind(
            db,
            "INSERT OR IGNORE INTO shipment_events (shop_id, order_id, shipment_id, status, \
             time, location, note, received_at) \
             SELECT ?1, json_extract(o.value, '$.id'), json_extract(e.value, '$.shipment'), \
             json_extract(e.value, '$.status'), json_extract(e.value, '$.time'), \
             json_extract(e.value, '$.location'), json_extract(e.value, '$.note'), ?3 \
             FROM json_each(?2) o, json_each(o.value, '$.events') e",
        )?,
    ];
    statements.extend(also);
    db.batch(statements).await?;
    Ok(())
}
