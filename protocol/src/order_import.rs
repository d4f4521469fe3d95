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
    /// Shopify's order export (Orders → Export, "CSV for Excel, Numbers, or other spreadsheet
    /// programs"): see [`read_shopify_csv`].
    ShopifyCsv,
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
        ImportFormat::ShopifyCsv => {
            let problem = "a CSV export is read whole, not a line at a time".to_owned();
            return Err(BTreeMap::from([("row".to_owned(), problem)]));
        }
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

/// A time as Shopify's order export writes it (`2026-11-20 13:04:11 +0300`), as RFC 3339.
#[cfg(feature = "csv")]
fn export_time(raw: &str) -> Option<String> {
    let mut parts = raw.split_whitespace();
    let (date, time, zone) = (parts.next()?, parts.next()?, parts.next()?);
    let (sign, digits) = zone.split_at_checked(1)?;
    if !matches!(sign, "+" | "-")
        || digits.len() != 4
        || !digits.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    Some(format!(
        "{date}T{time}{sign}{}:{}",
        &digits[..2],
        &digits[2..]
    ))
}

/// The orders of Shopify's order export: one row per line item, an order's own fields on its
/// first row, its rows together. The export names a line's product, not its id, so
/// `product_named` finds the id (the edge looks the name up in the shop's catalog, which the
/// connector's `products/*` webhooks or `PUT /v1/admin/catalog` filled): a line named
/// `Title - Variant` is the product `Title` when no product has the whole name. An order with a
/// line no product answers to is refused, naming the line. A fulfilled order is one parcel of an
/// unnamed carrier (the export has no tracking), shipped when it was fulfilled.
#[cfg(feature = "csv")]
pub fn read_shopify_csv(
    bytes: &[u8],
    product_named: impl Fn(&str) -> Option<String>,
) -> Result<CsvOrders, String> {
    use crate::order::{ItemInput, ShipmentInput, TrackingStatus};
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    // The reader counts a record's line by its `\n`s only after a `\r\n`-ended one is behind
    // it; with plain `\n`s the lines the report names are the spreadsheet's own.
    let bytes: Vec<u8> = String::from_utf8_lossy(bytes)
        .replace("\r\n", "\n")
        .into_bytes();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(bytes.as_slice());
    let headers = reader
        .headers()
        .map_err(|e| format!("not a CSV file: {e}"))?
        .clone();
    let column = |name: &str| headers.iter().position(|h| h.trim() == name);
    let needed = ["Name", "Id", "Lineitem quantity", "Lineitem name"];
    if let Some(missing) = needed.iter().find(|n| column(n).is_none()) {
        return Err(format!(
            "not Shopify's order export: it has no {missing:?} column"
        ));
    }
    let at = |record: &csv::StringRecord, name: &str| -> Option<String> {
        let value = record.get(column(name)?)?.trim();
        (!value.is_empty()).then(|| value.to_owned())
    };
    // Each order as read so far (or why it is refused), with its first row's line.
    struct Reading {
        line: usize,
        name: String,
        currency: Option<String>,
        order: Result<ImportLine, BTreeMap<String, String>>,
    }
    let mut orders: Vec<Reading> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| format!("not a CSV file: {e}"))?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        let Some(name) = at(&record, "Name") else {
            continue;
        };
        if orders.last().is_none_or(|current| current.name != name) {
            let fulfilled_at = at(&record, "Fulfilled at").and_then(|t| export_time(&t));
            let time = |column: &str| {
                at(&record, column)
                    .and_then(|t| export_time(&t))
                    .map(serde_json::Value::String)
            };
            let order = match at(&record, "Id") {
                None => Err(BTreeMap::from([("id".to_owned(), "required".to_owned())])),
                Some(id) => Ok(ImportLine {
                    id,
                    order: OrderUpsert {
                        locale: None,
                        number: Some(name.trim_start_matches('#').to_owned()),
                        email: at(&record, "Email"),
                        placed_at: time("Created at"),
                        cancelled_at: time("Cancelled at"),
                        items: Some(Vec::new()),
                        refunded_minor: None,
                        shipments: Some(
                            fulfilled_at
                                .iter()
                                .map(|_| ShipmentInput {
                                    id: Some(FULFILLED.into()),
                                    carrier: Some("Other".into()),
                                    ..ShipmentInput::default()
                                })
                                .collect(),
                        ),
                    },
                    events: fulfilled_at
                        .into_iter()
                        .map(|time| {
                            let time = serde_json::Value::String(time);
                            EventInput::at(FULFILLED, TrackingStatus::Shipped, time)
                        })
                        .collect(),
                }),
            };
            orders.push(Reading {
                line,
                name: name.clone(),
                currency: at(&record, "Currency"),
                order,
            });
        }
        let Some(reading) = orders.last_mut() else {
            continue;
        };
        let (Ok(order), Some(title)) = (&mut reading.order, at(&record, "Lineitem name")) else {
            continue;
        };
        let product = product_named(&title).or_else(|| {
            title
                .rsplit_once(" - ")
                .and_then(|(product, _variant)| product_named(product.trim()))
        });
        let Some(product) = product else {
            let problem = format!("line {line}: no product in the catalog is named {title:?}");
            reading.order = Err(BTreeMap::from([("items".to_owned(), problem)]));
            continue;
        };
        let price_minor = at(&record, "Lineitem price")
            .zip(reading.currency.as_deref())
            .and_then(|(price, currency)| crate::connectors::minor_units(&price, currency));
        if let Some(items) = order.order.items.as_mut() {
            items.push(ItemInput {
                product: Some(product),
                quantity: at(&record, "Lineitem quantity").and_then(|q| q.parse().ok()),
                price_minor,
                currency: reading.currency.clone(),
            });
        }
    }
    let mut read = Vec::new();
    let mut refused = Vec::new();
    for reading in orders {
        match reading.order {
            Ok(order) => read.push((reading.line, order)),
            Err(errors) => refused.push(crate::merchant::RefusedRow {
                line: reading.line,
                errors,
            }),
        }
    }
    Ok(CsvOrders { read, refused })
}

/// The orders of a CSV export, each with the line of its first row, and the orders refused.
#[cfg(feature = "csv")]
#[derive(Debug)]
pub struct CsvOrders {
    pub read: Vec<(usize, ImportLine)>,
    pub refused: Vec<crate::merchant::RefusedRow>,
}

/// The parcel of a fulfilled order in Shopify's export, which has no tracking.
#[cfg(feature = "csv")]
const FULFILLED: &str = "fulfilled";

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

#[cfg(all(test, feature = "csv"))]
mod tests {
    use super::*;

    const EXPORT: &str = "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,\
Currency,Subtotal,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,\
Cancelled at,Id
#1042,ayse.yilmaz@example.com.tr,paid,2026-11-20 13:05:02 +0300,fulfilled,2026-11-21 10:15:00 +0300,\
TRY,1349.00,2026-11-20 13:04:11 +0300,2,El Yapımı Kahve Fincanı - Turuncu,450.00,FNC-01-T,,5923418734892
#1042,,,,,,,,,1,Fincan Tabağı,449.00,TBK-01,,
#1043,mehmet@example.com,refunded,,unfulfilled,,TRY,90.00,2026-11-22 09:00:00 +0300,1,Kayıp Ürün,90.00,,\
2026-11-22 10:00:00 +0300,5923418734893
";

    #[test]
    fn shopify_s_export_reads_into_orders_by_the_catalog_s_names() {
        let named = |name: &str| match name {
            "El Yapımı Kahve Fincanı" => Some("8812736512044".to_owned()),
            "Fincan Tabağı" => Some("8812736610348".to_owned()),
            _ => None,
        };
        let CsvOrders { read, refused } =
            read_shopify_csv(EXPORT.as_bytes(), named).expect("an export");
        let [(line, order)] = read.as_slice() else {
            panic!("one order read: {read:?}")
        };
        assert_eq!((*line, order.id.as_str()), (2, "5923418734892"));
        let valid = order.order.validate().expect("a valid order");
        assert_eq!(valid.number, "1042");
        let items: Vec<(&str, u32, Option<i64>)> = valid
            .items
            .iter()
            .map(|i| (i.product.as_str(), i.quantity, i.price_minor))
            .collect();
        assert_eq!(
            items,
            [
                ("8812736512044", 2, Some(45000)),
                ("8812736610348", 1, Some(44900))
            ]
        );
        assert_eq!(valid.shipments.len(), 1, "fulfilled: one parcel");
        assert_eq!(
            valid.placed_at,
            crate::time::parse_timestamp("2026-11-20T13:04:11+03:00")
        );
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].line, 4);
        assert!(refused[0].errors["items"].contains("Kayıp Ürün"));
        assert!(read_shopify_csv(b"Name,Email\n#1,a@b.c\n", named).is_err());
    }
}
