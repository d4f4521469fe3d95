//! WooCommerce's webhooks, as its REST API (v3) resources: `order.*` topics send the Order,
//! `product.*` the Product (`*.deleted` only the id), read into memnun's order, its tracking
//! events and the catalog.
//!
//! - memnun's order id is WooCommerce's order `id`; the number the shopper knows is `number`; the
//!   email is the billing email; times are the `*_gmt` fields (UTC without an offset).
//! - An item is a line with a product (`product_id` not 0; a variation counts as its product).
//! - WooCommerce core has no parcels: they come from the shipment-tracking extensions' order
//!   meta. Read are `_wc_shipment_tracking_items` (WooCommerce Shipment Tracking, and Advanced
//!   Shipment Tracking, which writes the same) and `tracking_company` with `tracking_code` (Kargo
//!   Takip Türkiye). A `completed` order with neither is one parcel of an unnamed carrier.
//! - Statuses: `completed` ships every parcel (at its `date_shipped`, else when completed);
//!   `delivered` (the custom status delivery plugins add) delivers them; `cancelled`, `refunded`
//!   and `failed` cancel the order; `pending`, `processing` and `on-hold` add nothing.

use crate::carriers;
use crate::catalog::ItemInput as CatalogInput;
use crate::order::{
    EventInput, ItemInput, MAX_ITEMS, MAX_SHIPMENTS, OrderUpsert, ShipmentInput, TrackingStatus,
};
use serde::Deserialize;
use serde_json::Value;

/// The carrier of a parcel no extension names: the word the merchant reads for it.
const UNLISTED_CARRIER: &str = "Other";
/// The most of one line memnun keeps.
const MAX_QUANTITY: i64 = 10_000;
/// The shipment id of a completed order's only parcel when no extension tracks it.
const UNTRACKED_PARCEL: &str = "order";

/// An Order resource: the fields memnun reads.
#[derive(Debug, Clone, Deserialize)]
pub struct Order {
    pub id: u64,
    /// Required: only an order has it, so a signed Product body (whose topic header is not
    /// signed) cannot pass for an order.
    pub order_key: String,
    #[serde(default)]
    pub number: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub date_created_gmt: Option<String>,
    /// When WooCommerce last changed the order: of two payloads of one order, the later counts.
    #[serde(default)]
    pub date_modified_gmt: Option<String>,
    #[serde(default)]
    pub date_completed_gmt: Option<String>,
    #[serde(default)]
    pub billing: Option<Billing>,
    #[serde(default)]
    pub line_items: Vec<LineItem>,
    #[serde(default)]
    pub meta_data: Vec<Meta>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Billing {
    #[serde(default)]
    pub email: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LineItem {
    #[serde(default)]
    pub product_id: Option<u64>,
    #[serde(default)]
    pub quantity: Option<i64>,
    /// The unit price, a JSON number in the order's currency.
    #[serde(default)]
    pub price: Option<Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Meta {
    pub key: String,
    #[serde(default)]
    pub value: Value,
}

/// One entry of `_wc_shipment_tracking_items`.
#[derive(Debug, Clone, Default, Deserialize)]
struct TrackingItem {
    #[serde(default)]
    tracking_id: Option<String>,
    #[serde(default)]
    tracking_provider: Option<String>,
    #[serde(default)]
    custom_tracking_provider: Option<String>,
    #[serde(default)]
    custom_tracking_link: Option<String>,
    #[serde(default)]
    tracking_number: Option<String>,
    /// Unix seconds, as a string or a number.
    #[serde(default)]
    date_shipped: Option<Value>,
}

/// A time as WooCommerce's `*_gmt` fields write it (UTC, no offset), for memnun's parser.
fn gmt(time: &str) -> String {
    let time = time.trim();
    if time.ends_with('Z') || time.get(19..).is_some_and(|rest| rest.contains(['+', '-'])) {
        time.to_owned()
    } else {
        format!("{time}Z")
    }
}

fn text(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// A parcel as the extensions describe it, with when it shipped if they say.
struct Parcel {
    shipment: ShipmentInput,
    shipped_at: Option<Value>,
}

impl Order {
    /// memnun's id for the order.
    pub fn order_id(&self) -> String {
        self.id.to_string()
    }

    /// When WooCommerce last changed the order, in ms (0 when it does not say).
    pub fn changed_at(&self) -> i64 {
        self.date_modified_gmt
            .as_deref()
            .and_then(|t| crate::time::parse_timestamp(&gmt(t)))
            .unwrap_or(0)
    }

    fn status(&self) -> &str {
        self.status.as_deref().unwrap_or("")
    }

    fn meta(&self, key: &str) -> Option<&Value> {
        self.meta_data
            .iter()
            .find(|m| m.key == key)
            .map(|m| &m.value)
    }

    fn meta_text(&self, key: &str) -> Option<String> {
        match self.meta(key)? {
            Value::String(s) => text(&Some(s.clone())),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// The parcels the shipment-tracking extensions wrote on the order.
    fn parcels(&self) -> Vec<Parcel> {
        let mut parcels: Vec<Parcel> = Vec::new();
        let items: Vec<TrackingItem> = self
            .meta("_wc_shipment_tracking_items")
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default();
        for (index, item) in items.iter().enumerate() {
            let number = text(&item.tracking_number);
            let named =
                text(&item.tracking_provider).or_else(|| text(&item.custom_tracking_provider));
            parcels.push(Parcel {
                shipment: shipment(
                    text(&item.tracking_id).unwrap_or_else(|| format!("tracking-{}", index + 1)),
                    named,
                    number,
                    text(&item.custom_tracking_link),
                ),
                shipped_at: item.date_shipped.as_ref().and_then(unix_seconds),
            });
        }
        if let Some(number) = self.meta_text("tracking_code") {
            let already = parcels
                .iter()
                .any(|p| p.shipment.tracking_number.as_deref() == Some(number.as_str()));
            if !already {
                parcels.push(Parcel {
                    shipment: shipment(
                        "kargo-takip".into(),
                        self.meta_text("tracking_company"),
                        Some(number),
                        None,
                    ),
                    shipped_at: None,
                });
            }
        }
        if parcels.is_empty() && matches!(self.status(), "completed" | "delivered") {
            parcels.push(Parcel {
                shipment: shipment(UNTRACKED_PARCEL.into(), None, None, None),
                shipped_at: None,
            });
        }
        parcels.truncate(MAX_SHIPMENTS);
        parcels
    }

    /// The whole order as `PUT /v1/admin/orders/{order}` takes it.
    pub fn upsert(&self) -> OrderUpsert {
        let time = |t: &Option<String>| t.as_deref().map(|t| Value::String(gmt(t)));
        let cancelled = matches!(self.status(), "cancelled" | "refunded" | "failed");
        OrderUpsert {
            locale: None,
            number: text(&self.number).or_else(|| Some(self.order_id())),
            email: self.billing.as_ref().and_then(|b| text(&b.email)),
            placed_at: time(&self.date_created_gmt),
            refunded_minor: None,
            cancelled_at: if cancelled {
                time(&self.date_modified_gmt)
            } else {
                None
            },
            items: Some(
                self.line_items
                    .iter()
                    .filter_map(|line| {
                        let product = line.product_id.filter(|id| *id != 0)?;
                        Some(ItemInput {
                            product: Some(product.to_string()),
                            quantity: line.quantity.map(|q| q.clamp(1, MAX_QUANTITY)),
                            price_minor: line.price.as_ref().and_then(|price| {
                                let amount = match price {
                                    Value::Number(n) => n.to_string(),
                                    Value::String(s) => s.clone(),
                                    _ => return None,
                                };
                                super::minor_units(&amount, self.currency.as_deref()?)
                            }),
                            currency: self.currency.clone(),
                        })
                    })
                    .take(MAX_ITEMS)
                    .collect(),
            ),
            shipments: Some(self.parcels().into_iter().map(|p| p.shipment).collect()),
        }
    }

    /// The tracking events its status and its parcels tell.
    pub fn events(&self) -> Vec<EventInput> {
        let at = |t: &Option<String>| t.as_deref().map(|t| Value::String(gmt(t)));
        let shipped = matches!(self.status(), "completed" | "delivered");
        let delivered = self.status() == "delivered";
        let mut events = Vec::new();
        for parcel in self.parcels() {
            let id = parcel.shipment.id.clone().unwrap_or_default();
            let event = |status: TrackingStatus, time: Option<Value>| {
                Some(EventInput::at(id.clone(), status, time?))
            };
            // A parcel the extension dated has shipped then, whatever the order's status.
            let shipped_at = parcel.shipped_at.clone().or_else(|| {
                shipped
                    .then(|| at(&self.date_completed_gmt).or_else(|| at(&self.date_modified_gmt)))
                    .flatten()
            });
            events.extend(event(TrackingStatus::Shipped, shipped_at));
            if delivered {
                events.extend(event(
                    TrackingStatus::Delivered,
                    at(&self.date_modified_gmt),
                ));
            }
        }
        events
    }
}

fn unix_seconds(value: &Value) -> Option<Value> {
    let seconds = match value {
        Value::Number(n) => n.as_i64()?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    Some(Value::from(seconds.checked_mul(1000)?))
}

/// A parcel with a carrier to show: the carrier the extension names when memnun knows it (by
/// memnun's name: the extensions write slugs such as `aras-kargo`), else the one its number
/// names, else the extension's own words, else "Other".
fn shipment(
    id: String,
    named: Option<String>,
    number: Option<String>,
    url: Option<String>,
) -> ShipmentInput {
    let carrier = named
        .as_deref()
        .and_then(carriers::by_name)
        .map(|c| c.name.to_owned())
        .or_else(|| {
            number
                .as_deref()
                .and_then(carriers::detect)
                .map(|c| c.name.to_owned())
        })
        .or(named)
        .unwrap_or_else(|| UNLISTED_CARRIER.to_owned());
    ShipmentInput {
        id: Some(id),
        carrier: Some(carrier),
        tracking_number: number,
        tracking_url: url,
        estimated_delivery: None,
    }
}

/// A Product resource (`product.created`, `product.updated`, `product.restored`).
#[derive(Debug, Clone, Deserialize)]
pub struct Product {
    pub id: u64,
    #[serde(default)]
    pub name: Option<String>,
    /// Its page in the shop.
    #[serde(default)]
    pub permalink: Option<String>,
    /// `publish`, `draft`, `pending` or `private`: only a published product is on sale.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub price: Option<String>,
    /// `instock`, `outofstock` or `onbackorder`.
    #[serde(default)]
    pub stock_status: Option<String>,
    #[serde(default)]
    pub images: Vec<Image>,
    #[serde(default)]
    pub categories: Vec<Category>,
    #[serde(default)]
    pub date_modified_gmt: Option<String>,
    #[serde(default)]
    pub sku: Option<String>,
    /// "GTIN, UPC, EAN or ISBN" (WooCommerce 9.2 and later).
    #[serde(default)]
    pub global_unique_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Image {
    #[serde(default)]
    pub src: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Category {
    #[serde(default)]
    pub name: Option<String>,
}

/// `*.deleted`: only the id (nothing else is taken: a signed Order or Product body sent again
/// under this topic must not delete it).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deleted {
    pub id: u64,
}

impl Product {
    pub fn product_id(&self) -> String {
        self.id.to_string()
    }

    /// When WooCommerce last changed it, in ms (0 when it does not say).
    pub fn changed_at(&self) -> i64 {
        self.date_modified_gmt
            .as_deref()
            .and_then(|t| crate::time::parse_timestamp(&gmt(t)))
            .unwrap_or(0)
    }

    /// The catalog item it makes, priced in `currency` and named in `locale`; `None` when it is
    /// not on sale, which takes it out of the catalog.
    pub fn catalog_item(&self, currency: &str, locale: &str) -> Option<CatalogInput> {
        if self.status.as_deref().is_some_and(|s| s != "publish") {
            return None;
        }
        Some(CatalogInput {
            id: Some(self.product_id()),
            name: text(&self.name).map(|name| [(locale.to_owned(), name)].into_iter().collect()),
            price_minor: self
                .price
                .as_deref()
                .and_then(|p| super::minor_units(p, currency)),
            currency: Some(currency.to_owned()),
            image_url: self.images.first().and_then(|i| text(&i.src)),
            url: text(&self.permalink),
            category: self.categories.first().and_then(|c| text(&c.name)),
            in_stock: Some(self.stock_status.as_deref() != Some("outofstock")),
            gtins: Some(super::identifiers(self.global_unique_id.as_deref(), true)),
            mpns: None,
            skus: Some(super::identifiers(self.sku.as_deref(), false)),
            brand: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::NewEvents;

    const ORDER: &str = include_str!("../../../tests/fixtures/woocommerce/order.json");

    fn order(status: &str, meta: Value) -> Order {
        let mut value: Value = serde_json::from_str(ORDER).expect("JSON");
        value["status"] = Value::String(status.into());
        value["meta_data"] = meta;
        serde_json::from_value(value).expect("WooCommerce's Order")
    }

    #[test]
    fn an_order_payload_becomes_the_order_the_merchant_api_takes() {
        let order: Order = serde_json::from_str(ORDER).expect("WooCommerce's Order");
        let valid = order.upsert().validate().expect("a valid order");
        assert_eq!(valid.number, "1077");
        assert_eq!(valid.email.as_deref(), Some("mehmet.demir@example.com.tr"));
        assert_eq!(
            valid.placed_at,
            crate::time::parse_timestamp("2026-11-20T07:12:40Z")
        );
        let items: Vec<(&str, u32, Option<i64>)> = valid
            .items
            .iter()
            .map(|i| (i.product.as_str(), i.quantity, i.price_minor))
            .collect();
        assert_eq!(
            items,
            [("412", 2, Some(45000)), ("415", 1, Some(129990))],
            "a variation counts as its product; a fee line is no item"
        );
        let [shipment] = valid.shipments.as_slice() else {
            panic!("one parcel: {:?}", valid.shipments)
        };
        assert_eq!(shipment.carrier, "Aras Kargo");
        assert_eq!(shipment.tracking_number.as_deref(), Some("4215786903"));
        assert_eq!(
            shipment.tracking_url.as_deref(),
            Some("https://kargotakip.araskargo.com.tr/mainpage.aspx?code=4215786903")
        );
    }

    #[test]
    fn statuses_ship_deliver_and_cancel() {
        let statuses = |o: &Order| -> Vec<(TrackingStatus, String)> {
            if o.events().is_empty() {
                return Vec::new();
            }
            NewEvents {
                events: Some(o.events()),
            }
            .validate()
            .expect("valid events")
            .into_iter()
            .map(|e| (e.status, e.shipment.to_string()))
            .collect()
        };
        let kargo_takip = serde_json::json!([
            {"id": 1, "key": "tracking_company", "value": "Yurtiçi Kargo"},
            {"id": 2, "key": "tracking_code", "value": "302785463910"}
        ]);
        let processing = order("processing", kargo_takip.clone());
        assert_eq!(statuses(&processing), [], "not shipped yet");
        let shipment = &processing.upsert().validate().expect("valid").shipments[0];
        assert_eq!(
            (
                shipment.carrier.as_str(),
                shipment.tracking_number.as_deref()
            ),
            ("Yurtiçi Kargo", Some("302785463910"))
        );
        assert_eq!(
            statuses(&order("completed", kargo_takip.clone())),
            [(TrackingStatus::Shipped, "kargo-takip".into())]
        );
        assert_eq!(
            statuses(&order("delivered", serde_json::json!([]))),
            [
                (TrackingStatus::Shipped, "order".into()),
                (TrackingStatus::Delivered, "order".into())
            ],
            "a completed order no extension tracks is one parcel"
        );
        for status in ["cancelled", "refunded", "failed"] {
            let cancelled = order(status, serde_json::json!([])).upsert().validate();
            assert!(cancelled.expect("valid").cancelled_at.is_some(), "{status}");
        }
        assert!(
            order("on-hold", serde_json::json!([]))
                .upsert()
                .validate()
                .expect("valid")
                .cancelled_at
                .is_none()
        );
    }

    #[test]
    fn a_published_product_is_a_catalog_item() {
        let product: Product = serde_json::from_value(serde_json::json!({
            "id": 412, "name": "El Yapımı Kahve Fincanı", "permalink": "https://moda-fincan.com.tr/urun/kahve-fincani/",
            "status": "publish", "price": "450", "stock_status": "onbackorder",
            "images": [{"id": 9, "src": "https://moda-fincan.com.tr/wp-content/uploads/fincan.jpg"}],
            "categories": [{"id": 3, "name": "Fincan"}], "date_modified_gmt": "2026-11-19T06:00:00"
        }))
        .expect("a Product");
        let item = product
            .catalog_item("TRY", "tr")
            .expect("published")
            .validate()
            .expect("valid");
        assert_eq!(
            (item.price_minor, item.in_stock, item.category.as_deref()),
            (45000, true, Some("Fincan"))
        );
        assert_eq!(
            product.changed_at(),
            crate::time::parse_timestamp("2026-11-19T06:00:00Z").expect("a time")
        );
        let draft = Product {
            status: Some("draft".into()),
            ..product
        };
        assert!(draft.catalog_item("TRY", "tr").is_none());
    }
}
