//! The merchant's lists over orders: every order, newest placed first, with its overall status
//! (`GET /v1/admin/orders`), and the shipments that need someone to act, oldest activity first
//! (`GET /v1/admin/shipments/attention`).
//!
//! Statuses are not stored; they are read from the events exactly as the shopper's tracker
//! reads them (`protocol::order::current_status` per shipment, `overall_status` per order), so
//! the list never disagrees with the tracker. Each request is one D1 statement.

use crate::error::ApiError;
use crate::http;
use memnun_protocol::Id;
use memnun_protocol::order::{self, TrackingStatus};
use memnun_protocol::order_list::{
    self, AttentionPage, AttentionReason, OrderPage, OrderSummary, PAGE_SIZE_DEFAULT,
    PAGE_SIZE_MAX, STALE_DAYS_DEFAULT, STALE_DAYS_MAX, ShipmentAttention,
};
use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::{D1Database, Request, Response};

const MS_PER_DAY: i64 = 86_400_000;

fn bad_cursor() -> ApiError {
    ApiError::InvalidParameter("cursor is not one this API gave out".into())
}

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

/// `GET /v1/admin/orders?q=&limit=&cursor=`: newest placed first. `q` finds orders whose number
/// or id starts with it (ASCII letters in any case).
pub async fn orders(req: &Request, db: &D1Database, shop: &Id) -> Result<Response, ApiError> {
    let url = req.url()?;
    let mut limit = PAGE_SIZE_DEFAULT;
    let mut search = None;
    let mut cursor = None;
    for (name, value) in url.query_pairs() {
        match name.as_ref() {
            "q" => search = Some(http::search_term(&value)?),
            "limit" => limit = http::page_limit(&value, PAGE_SIZE_MAX)?,
            "cursor" => {
                cursor = Some(order_list::decode_cursor::<1>(&value).ok_or_else(bad_cursor)?)
            }
            _ => {}
        }
    }
    let mut page_sql = String::from(
        "SELECT id, number, placed_at, updated_at, delivered_at FROM orders WHERE shop_id = ?1",
    );
    let mut args: Vec<JsValue> = vec![
        shop.as_str().into(),
        JsValue::from_f64(f64::from(limit + 1)),
    ];
    if let Some(term) = search {
        args.push(term.into());
        let q = args.len();
        // Starts with: its first occurrence is at the start.
        page_sql.push_str(&format!(
            " AND (instr(lower(number), ?{q}) = 1 OR instr(lower(id), ?{q}) = 1)"
        ));
    }
    if let Some((time, [id])) = &cursor {
        args.push(JsValue::from_f64(*time as f64));
        args.push(id.as_str().into());
        let (t, i) = (args.len() - 1, args.len());
        page_sql.push_str(&format!(
            " AND (placed_at < ?{t} OR (placed_at = ?{t} AND id < ?{i}))"
        ));
    }
    page_sql.push_str(" ORDER BY placed_at DESC, id DESC LIMIT ?2");
    // The page first, then the latest event of only its shipments: one statement, one row per
    // shipment (or per order without any), in the page's order and the shipments' own.
    let sql = format!(
        "WITH page AS ({page_sql}), \
         latest AS (SELECT order_id, shipment_id, status, time, {} AS n FROM shipment_events \
           WHERE shop_id = ?1 AND order_id IN (SELECT id FROM page)) \
         SELECT p.id, p.number, p.placed_at, p.updated_at, p.delivered_at, \
           s.id AS shipment, l.status, l.time \
         FROM page p \
         LEFT JOIN shipments s ON s.shop_id = ?1 AND s.order_id = p.id \
         LEFT JOIN latest l ON l.order_id = s.order_id AND l.shipment_id = s.id AND l.n = 1 \
         ORDER BY p.placed_at DESC, p.id DESC, s.position",
        latest_event_window()
    );

    #[derive(Deserialize)]
    struct Row {
        id: String,
        number: String,
        placed_at: i64,
        updated_at: i64,
        delivered_at: Option<i64>,
        shipment: Option<String>,
        status: Option<String>,
        time: Option<i64>,
    }
    let rows: Vec<Row> = db.prepare(sql).bind(&args)?.all().await?.results()?;
    let mut orders: Vec<OrderSummary> = Vec::new();
    // Each order's shipments' statuses, in the shipments' order, as the tracker reads them.
    let mut statuses: Vec<Vec<TrackingStatus>> = Vec::new();
    for row in rows {
        if orders.last().is_none_or(|o| o.id != row.id) {
            orders.push(OrderSummary {
                id: row.id,
                number: row.number,
                placed_at: row.placed_at,
                updated_at: row.updated_at,
                delivered_at: row.delivered_at,
                status: TrackingStatus::Ordered,
                shipments: 0,
                last_event_at: None,
            });
            statuses.push(Vec::new());
        }
        if row.shipment.is_none() {
            continue;
        }
        let (Some(summary), Some(shipment_statuses)) = (orders.last_mut(), statuses.last_mut())
        else {
            continue;
        };
        summary.shipments += 1;
        summary.last_event_at = summary.last_event_at.max(row.time);
        shipment_statuses.push(stored_status(row.status.as_deref())?);
    }
    for (summary, shipment_statuses) in orders.iter_mut().zip(statuses) {
        summary.status = order::overall_status(shipment_statuses);
    }
    let next_cursor = http::next_page(&mut orders, limit, |o| {
        order_list::encode_cursor(o.placed_at, &[&o.id])
    });
    http::json(
        200,
        &OrderPage {
            orders,
            next_cursor,
        },
    )
}

/// A shipment's latest status as stored, `ordered` before its first event.
fn stored_status(status: Option<&str>) -> Result<TrackingStatus, ApiError> {
    match status {
        None => Ok(TrackingStatus::Ordered),
        Some(s) => TrackingStatus::parse(s)
            .ok_or_else(|| ApiError::Internal(format!("stored tracking status unknown: {s}"))),
    }
}

/// `GET /v1/admin/shipments/attention?days=&limit=&cursor=`: shipments whose latest event is an
/// exception, and those not yet final with nothing new for `days` days; oldest activity first.
pub async fn attention(
    req: &Request,
    db: &D1Database,
    shop: &Id,
    now: i64,
) -> Result<Response, ApiError> {
    let url = req.url()?;
    let mut days = STALE_DAYS_DEFAULT;
    let mut limit = PAGE_SIZE_DEFAULT;
    let mut cursor = None;
    for (name, value) in url.query_pairs() {
        match name.as_ref() {
            "days" => {
                days = value
                    .parse::<u32>()
                    .ok()
                    .filter(|d| (1..=STALE_DAYS_MAX).contains(d))
                    .ok_or_else(|| {
                        ApiError::InvalidParameter(format!(
                            "days must be a whole number from 1 to {STALE_DAYS_MAX}"
                        ))
                    })?
            }
            "limit" => limit = http::page_limit(&value, PAGE_SIZE_MAX)?,
            "cursor" => {
                cursor = Some(order_list::decode_cursor::<2>(&value).ok_or_else(bad_cursor)?)
            }
            _ => {}
        }
    }
    let stale_before = now - i64::from(days) * MS_PER_DAY;
    let finals: Vec<&str> = TrackingStatus::ALL
        .iter()
        .filter(|s| s.is_final())
        .map(|s| s.as_str())
        .collect();
    let mut args: Vec<JsValue> = vec![
        shop.as_str().into(),
        JsValue::from_f64(f64::from(limit + 1)),
        TrackingStatus::Ordered.as_str().into(),
        TrackingStatus::Exception.as_str().into(),
        http::to_json(&finals)?.into(),
        JsValue::from_f64(stale_before as f64),
    ];
    let mut after = String::new();
    if let Some((time, [order_id, shipment])) = &cursor {
        args.push(JsValue::from_f64(*time as f64));
        args.push(order_id.as_str().into());
        args.push(shipment.as_str().into());
        after = " AND (last_activity_at > ?7 OR (last_activity_at = ?7 AND (order_id > ?8 \
                 OR (order_id = ?8 AND shipment > ?9))))"
            .into();
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
           WHERE s.shop_id = ?1) \
         SELECT * FROM tracked WHERE (status = ?4 OR (status NOT IN \
           (SELECT value FROM json_each(?5)) AND last_activity_at < ?6)){after} \
         ORDER BY last_activity_at, order_id, shipment LIMIT ?2",
        latest_event_window()
    );

    #[derive(Deserialize)]
    struct Row {
        order_id: String,
        number: String,
        shipment: String,
        carrier: String,
        tracking_number: Option<String>,
        status: String,
        last_activity_at: i64,
    }
    let rows: Vec<Row> = db.prepare(sql).bind(&args)?.all().await?.results()?;
    let mut shipments = rows
        .into_iter()
        .map(|r| {
            let status = stored_status(Some(&r.status))?;
            Ok(ShipmentAttention {
                reason: if status == TrackingStatus::Exception {
                    AttentionReason::Exception
                } else {
                    AttentionReason::Stale
                },
                order: r.order_id,
                number: r.number,
                shipment: r.shipment,
                carrier: r.carrier,
                tracking_number: r.tracking_number,
                status,
                last_activity_at: r.last_activity_at,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let next_cursor = http::next_page(&mut shipments, limit, |s| {
        order_list::encode_cursor(s.last_activity_at, &[&s.order, &s.shipment])
    });
    http::json(
        200,
        &AttentionPage {
            days,
            shipments,
            next_cursor,
        },
    )
}
