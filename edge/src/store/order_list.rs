//! The merchant's lists over orders, read from `orders`, `shipments` and `shipment_events`:
//! a page of orders with each shipment's latest event, and the shipments that need someone to
//! act. Nothing is written here. Each list is one statement, and a shipment's latest event is
//! ranked exactly as `protocol::order::current_status` ranks events, so a list never disagrees
//! with the shopper's tracker.

use super::Params;
use crate::platform::error::ApiError;
use crate::platform::http;
use memnun_protocol::Id;
use memnun_protocol::order::TrackingStatus;
use serde::Deserialize;
use worker::D1Database;

/// SQL ranking a shipment's events newest first as `order::current_status` does: by time, then
/// (at the same time) the one furthest along, statuses that end or break the journey above
/// every step, then by name as the tracker's `ORDER BY time, status` leaves the last of equals.
/// Built from the protocol's steps, never from the request.
fn latest_event_window() -> String {
    // Above every step, as `current_status`'s `usize::MAX`, and within SQLite's integers.
    const OFF_THE_STEPS: usize = 1_000;
    let arms: String = TrackingStatus::ALL
        .iter()
        .map(|s| {
            format!(
                " WHEN '{}' THEN {}",
                s.as_str(),
                s.step().unwrap_or(OFF_THE_STEPS)
            )
        })
        .collect();
    format!(
        "ROW_NUMBER() OVER (PARTITION BY order_id, shipment_id \
         ORDER BY time DESC, CASE status{arms} ELSE -1 END DESC, status DESC)"
    )
}

/// One shipment of a listed order with its latest event, or a listed order without shipments
/// (`shipment` `None`).
#[derive(Deserialize)]
pub struct OrderShipmentRow {
    pub id: String,
    pub number: String,
    pub placed_at: i64,
    pub updated_at: i64,
    pub delivered_at: Option<i64>,
    pub cancelled_at: Option<i64>,
    pub shipment: Option<String>,
    /// The shipment's latest status as stored, `None` before its first event.
    pub status: Option<String>,
    pub time: Option<i64>,
}

/// Up to `count` of `shop`'s orders, newest placed first (then by id, descending): those whose
/// number or id starts with `search` (ASCII letters lowered, as `http::search_term` gives it) if
/// given, and only those after
/// `after` (a `(placed_at, id)` of the previous page). One row per shipment (or per order
/// without any), in the page's order and the shipments' own.
pub async fn orders_page(
    db: &D1Database,
    shop: &Id,
    count: i64,
    search: Option<&str>,
    after: Option<(i64, &str)>,
) -> worker::Result<Vec<OrderShipmentRow>> {
    let mut page_sql = String::from(
        "SELECT id, number, placed_at, updated_at, delivered_at, cancelled_at FROM orders \
         WHERE shop_id = ?1",
    );
    let mut params = Params::new().text(shop.as_str()).int(count);
    if let Some(term) = search {
        params = params.text(term);
        let q = params.len();
        // Starts with: its first occurrence is at the start.
        page_sql.push_str(&format!(
            " AND (instr(lower(number), ?{q}) = 1 OR instr(lower(id), ?{q}) = 1)"
        ));
    }
    if let Some((time, id)) = after {
        params = params.int(time).text(id);
        let (t, i) = (params.len() - 1, params.len());
        page_sql.push_str(&format!(
            " AND (placed_at < ?{t} OR (placed_at = ?{t} AND id < ?{i}))"
        ));
    }
    page_sql.push_str(" ORDER BY placed_at DESC, id DESC LIMIT ?2");
    // The page first, then the latest event of only its shipments.
    let sql = format!(
        "WITH page AS ({page_sql}), \
         latest AS (SELECT order_id, shipment_id, status, time, {} AS n FROM shipment_events \
           WHERE shop_id = ?1 AND order_id IN (SELECT id FROM page)) \
         SELECT p.id, p.number, p.placed_at, p.updated_at, p.delivered_at, p.cancelled_at, \
           s.id AS shipment, l.status, l.time \
         FROM page p \
         LEFT JOIN shipments s ON s.shop_id = ?1 AND s.order_id = p.id \
         LEFT JOIN latest l ON l.order_id = s.order_id AND l.shipment_id = s.id AND l.n = 1 \
         ORDER BY p.placed_at DESC, p.id DESC, s.position",
        latest_event_window()
    );
    params.bind(db, &sql)?.all().await?.results()
}

/// A shipment that may need attention, with its latest status (`ordered` before its first
/// event) and when it last moved (its order's placing, before its first event).
#[derive(Deserialize)]
pub struct AttentionRow {
    pub order_id: String,
    pub number: String,
    pub shipment: String,
    pub carrier: String,
    pub tracking_number: Option<String>,
    pub status: String,
    pub last_activity_at: i64,
}

/// Up to `count` of `shop`'s shipments whose latest status is an exception, or not final with
/// no activity since `stale_before`, of orders not cancelled; oldest activity first (then by order and shipment), only
/// those after `after` (a `(last_activity_at, order, shipment)` of the previous page).
pub async fn attention_page(
    db: &D1Database,
    shop: &Id,
    count: i64,
    stale_before: i64,
    after: Option<(i64, &str, &str)>,
) -> Result<Vec<AttentionRow>, ApiError> {
    let finals: Vec<&str> = TrackingStatus::ALL
        .iter()
        .filter(|s| s.is_final())
        .map(|s| s.as_str())
        .collect();
    let mut params = Params::new()
        .text(shop.as_str())
        .int(count)
        .text(TrackingStatus::Ordered.as_str())
        .text(TrackingStatus::Exception.as_str())
        .text(&http::to_json(&finals)?)
        .int(stale_before);
    let mut after_sql = "";
    if let Some((time, order_id, shipment)) = after {
        params = params.int(time).text(order_id).text(shipment);
        after_sql = " AND (last_activity_at > ?7 OR (last_activity_at = ?7 AND (order_id > ?8 \
                     OR (order_id = ?8 AND shipment > ?9))))";
    }
    // Every shipment of the shop is read: whether one needs attention depends on its latest
    // event, which no index holds. One statement, whose cost grows with the shop's shipments;
    // a latest status stored with each shipment would be the next step for very large shops.
    let sql = format!(
        "WITH latest AS (SELECT order_id, shipment_id, status, time, {} AS n \
           FROM shipment_events WHERE shop_id = ?1), \
         tracked AS (SELECT s.order_id, o.number, s.id AS shipment, s.carrier, \
           s.tracking_number, COALESCE(l.status, ?3) AS status, \
           COALESCE(l.time, o.placed_at) AS last_activity_at \
           FROM shipments s JOIN orders o ON o.shop_id = s.shop_id AND o.id = s.order_id \
           LEFT JOIN latest l ON l.order_id = s.order_id AND l.shipment_id = s.id AND l.n = 1 \
           WHERE s.shop_id = ?1 AND o.cancelled_at IS NULL) \
         SELECT * FROM tracked WHERE (status = ?4 OR (status NOT IN \
           (SELECT value FROM json_each(?5)) AND last_activity_at < ?6)){after_sql} \
         ORDER BY last_activity_at, order_id, shipment LIMIT ?2",
        latest_event_window()
    );
    Ok(params.bind(db, &sql)?.all().await?.results()?)
}
