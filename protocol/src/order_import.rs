//! The back-fill of past orders (`POST /v1/admin/orders/import`): JSON lines, one order per
//! line, in memnun's own shape or as a platform's REST API lists its orders, so a shop that
//! connects today has its history for verified reviews and "bought together". Each line is read
//! into the same `OrderUpsert` and events as the merchant API and the connectors take.

use crate::connectors::{shopify, woocommerce};
use crate::order::{EventInput, OrderUpsert};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Orders one request may carry: a larger history is sent in several files (each one's D1
/// statements stay within a Workers Free invocation's).
pub const MAX_IMPORT_ORDERS: usize = 1000;
/// The longest line read (an order with 100 lines and 10 parcels stays far below).
pub const MAX_LINE_BYTES: usize = 256 * 1024;
/// The largest body taken.
pub const MAX_IMPORT_BYTES: usize = 16 * 1024 * 1024;

/// What the lines are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ImportFormat {
    /// `{"id": "A-1001", …}`: the order's id and the body `PUT /v1/admin/orders/{order}` takes,
    /// with an optional `events` list as `POST …/events` takes it.
    #[default]
    Memnun,
    /// Shopify's Order resource, one per line (`jq -c '.orders[]'` over the Admin REST API's
    /// `GET /admin/api/2025-10/orders.json?status=any`).
    Shopify,
    /// WooCommerce's Order resource, one per line (`jq -c '.[]'` over
    /// `GET /wp-json/wc/v3/orders`).
    #[serde(rename = "woocommerce")]
    WooCommerce,
}

/// `POST /v1/admin/orders/import?format=`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OrderImportQuery {
    #[serde(default)]
    pub format: ImportFormat,
}

/// One line in memnun's shape.
#[derive(Debug, Clone, Deserialize)]
struct MemnunLine {
    id: String,
    #[serde(flatten)]
    order: OrderUpsert,
    #[serde(default)]
    events: Vec<EventInput>,
}

/// One order read from a line: its id, the order, and its events.
#[derive(Debug, Clone)]
pub struct ImportLine {
    pub id: String,
    pub order: OrderUpsert,
    pub events: Vec<EventInput>,
}

/// Reads one line in `format`, or says (as the row report words it) why it cannot be read.
pub fn read_line(
    format: ImportFormat,
    line: &[u8],
) -> Result<ImportLine, BTreeMap<String, String>> {
    let unreadable = |e: serde_json::Error| {
        BTreeMap::from([(
            "row".to_owned(),
            format!("not an order of this format: {e}"),
        )])
    };
    Ok(match format {
        ImportFormat::Memnun => {
            let line: MemnunLine = serde_json::from_slice(line).map_err(unreadable)?;
            ImportLine {
                id: line.id,
                order: line.order,
                events: line.events,
            }
        }
        ImportFormat::Shopify => {
            let order: shopify::Order = serde_json::from_slice(line).map_err(unreadable)?;
            ImportLine {
                id: order.order_id(),
                events: order.events(),
                order: order.upsert(),
            }
        }
        ImportFormat::WooCommerce => {
            let order: woocommerce::Order = serde_json::from_slice(line).map_err(unreadable)?;
            ImportLine {
                id: order.order_id(),
                events: order.events(),
                order: order.upsert(),
            }
        }
    })
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OrderImportReport {
    /// Orders stored.
    pub imported: u32,
    /// Orders memnun has already (from the API, a connector or an earlier import): left as they
    /// are. An order a shopper had erased counts here too, and stays erased.
    pub already_there: u32,
    /// Lines left out, by line number (from 1), with why.
    pub refused: Vec<crate::merchant::RefusedRow>,
}
