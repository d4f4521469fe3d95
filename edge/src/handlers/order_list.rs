//! The merchant's lists over orders: every order, newest placed first, with its overall status
//! (`GET /v1/admin/orders`), and the shipments that need someone to act, oldest activity first
//! (`GET /v1/admin/shipments/attention`).
//!
//! Statuses are not stored; they are read from the events exactly as the shopper's tracker
//! reads them (`protocol::order::current_status` per shipment, `overall_status` per order), so
//! the list never disagrees with the tracker. Each request is one D1 statement.

use crate::handlers::Context;
use crate::platform::error::ApiError;
use crate::platform::http;
use crate::store::order_list as order_list_store;
use memnun_protocol::api::query::Cursor;
use memnun_protocol::order::{self, TrackingStatus};
use memnun_protocol::order_list::{
    self, AttentionPage, AttentionQuery, AttentionReason, OrderListQuery, OrderPage, OrderSummary,
    ShipmentAttention,
};
use worker::{Request, Response};

const MS_PER_DAY: i64 = 86_400_000;

/// `GET /v1/admin/orders?q=&limit=&cursor=`: newest placed first. `q` finds orders whose number
/// or id starts with it (ASCII letters in any case).
pub async fn orders(req: &Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let (db, shop) = (&cx.db, &cx.shop);
    let query: OrderListQuery = http::query(req)?;
    let search = query.q.as_deref().map(http::search_term).transpose()?;
    let limit = query.limit.0;
    let cursor = query.cursor.map(|Cursor(c)| c);
    let after = cursor.as_ref().map(|(time, [id])| (*time, id.as_str()));
    let rows =
        order_list_store::orders_page(db, shop, i64::from(limit + 1), search.as_deref(), after)
            .await?;
    let mut orders: Vec<OrderSummary> = Vec::new();
    // Each order's shipments' statuses, in the shipments' order, as the tracker reads them.
    let mut statuses: Vec<(Vec<TrackingStatus>, bool)> = Vec::new();
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
            statuses.push((Vec::new(), row.cancelled_at.is_some()));
        }
        if row.shipment.is_none() {
            continue;
        }
        let (Some(summary), Some((shipment_statuses, _))) =
            (orders.last_mut(), statuses.last_mut())
        else {
            continue;
        };
        summary.shipments += 1;
        summary.last_event_at = summary.last_event_at.max(row.time);
        shipment_statuses.push(stored_status(row.status.as_deref())?);
    }
    for (summary, (shipment_statuses, cancelled)) in orders.iter_mut().zip(statuses) {
        summary.status = order::overall_status(shipment_statuses, cancelled);
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
pub async fn attention(req: &Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let (db, shop, now) = (&cx.db, &cx.shop, cx.now);
    let query: AttentionQuery = http::query(req)?;
    let (days, limit) = (query.days.0, query.limit.0);
    let cursor = query.cursor.map(|Cursor(c)| c);
    let stale_before = now - i64::from(days) * MS_PER_DAY;
    let after = cursor
        .as_ref()
        .map(|(time, [order_id, shipment])| (*time, order_id.as_str(), shipment.as_str()));
    let rows =
        order_list_store::attention_page(db, shop, i64::from(limit + 1), stale_before, after)
            .await?;
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
