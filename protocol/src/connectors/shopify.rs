//! Shopify's webhooks, as its Admin REST resources (the `orders/*` topics send the Order,
//! `fulfillments/*` the Fulfillment), read into memnun's order and its tracking events.
//!
//! - memnun's order id is Shopify's order `id`; the number the shopper knows is `order_number`
//!   (the receipt's `#1042` without its `#`); the email goes to the order's salted hash as the
//!   merchant API's does; `cancelled_at` cancels it.
//! - An item is a line with a `product_id` (custom lines and tips have none); its price is in
//!   the order's currency's minor unit.
//! - A shipment is a fulfillment, under its id: `tracking_company` is the carrier (empty ones
//!   are detected from the number, see `carriers`), the first tracking number and URL its own.
//! - Its events: `shipped` when it was created, and its `shipment_status` (table in
//!   [`tracking_status`]) when it was last updated; a cancelled fulfillment is `cancelled`.
//! - What memnun cannot keep does not refuse the order (every later payload of it would be
//!   refused too): lines and parcels past memnun's limits are left out, a quantity past 10,000
//!   is kept as 10,000, a parcel of a carrier memnun does not know keeps Shopify's name for it. An
//!   event is one (shipment, status, time), so the same delivery twice, or an older one after a
//!   newer, leaves the same timeline.

use crate::carriers;
use crate::catalog::ItemInput as CatalogInput;
use crate::order::{
    EventInput, ItemInput, MAX_ITEMS, MAX_SHIPMENTS, OrderUpsert, ShipmentInput, TrackingStatus,
};

/// The carrier of a parcel Shopify names none for: its own word for an unlisted one.
const UNLISTED_CARRIER: &str = "Other";
/// The most of one line memnun keeps (more is kept as this many).
const MAX_QUANTITY: i64 = 10_000;
use serde::Deserialize;

/// An Order resource: the fields memnun reads; the rest is ignored.
#[derive(Debug, Clone, Deserialize)]
pub struct Order {
    pub id: u64,
    /// `gid://shopify/Order/…`: what the body is, whatever the (unsigned) topic header says.
    #[serde(default)]
    pub admin_graphql_api_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub order_number: Option<u64>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub contact_email: Option<String>,
    /// The language the shopper bought in (`tr-TR`).
    #[serde(default)]
    pub customer_locale: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    /// When the merchant cancelled it (`orders/cancelled`, and every later payload).
    #[serde(default)]
    pub cancelled_at: Option<String>,
    /// When Shopify last changed the order: of two payloads of one order, the later one
    /// counts, whichever arrives last.
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub line_items: Vec<LineItem>,
    #[serde(default)]
    pub fulfillments: Vec<Fulfillment>,
    /// Its refunds so far: Shopify sends the order again (`orders/updated`) with each one.
    #[serde(default)]
    pub refunds: Vec<Refund>,
}

/// A Refund, as the order carries it: which lines, how many, and what became of the goods.
#[derive(Debug, Clone, Deserialize)]
pub struct Refund {
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub refund_line_items: Vec<RefundLine>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RefundLine {
    pub line_item_id: u64,
    #[serde(default)]
    pub quantity: i64,
    /// `return` (the goods came back), `cancel` (never sent), `no_restock` (refunded, the
    /// shopper keeps them) or `legacy_restock`.
    #[serde(default)]
    pub restock_type: Option<String>,
}

impl RefundLine {
    /// Whether the shopper no longer has these goods (or never had them).
    fn taken_back(&self) -> bool {
        matches!(
            self.restock_type.as_deref(),
            Some("return" | "cancel" | "legacy_restock")
        )
    }
}

/// A line of a fulfillment: which order line, how many.
#[derive(Debug, Clone, Deserialize)]
pub struct FulfilledLine {
    pub id: u64,
    #[serde(default)]
    pub quantity: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LineItem {
    #[serde(default)]
    pub id: Option<u64>,
    #[serde(default)]
    pub product_id: Option<u64>,
    #[serde(default)]
    pub quantity: Option<i64>,
    #[serde(default)]
    pub price: Option<String>,
}

/// A Fulfillment resource: one parcel of an order.
#[derive(Debug, Clone, Deserialize)]
pub struct Fulfillment {
    pub id: u64,
    #[serde(default)]
    pub admin_graphql_api_id: Option<String>,
    pub order_id: u64,
    /// `pending`, `open`, `success`, `cancelled`, `error` or `failure`.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub shipment_status: Option<String>,
    #[serde(default)]
    pub tracking_company: Option<String>,
    #[serde(default)]
    pub tracking_number: Option<String>,
    #[serde(default)]
    pub tracking_numbers: Vec<String>,
    #[serde(default)]
    pub tracking_url: Option<String>,
    #[serde(default)]
    pub tracking_urls: Vec<String>,
    #[serde(default)]
    pub line_items: Vec<FulfilledLine>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// Whether a resource's `admin_graphql_api_id` (when it has one) names a `resource`: the
/// signature covers the body, not the topic header, so a signed body of one resource must not be
/// read as another.
pub fn is_a(admin_graphql_api_id: Option<&str>, resource: &str) -> bool {
    admin_graphql_api_id.is_none_or(|gid| {
        gid.strip_prefix("gid://shopify/")
            .and_then(|rest| rest.strip_prefix(resource))
            .is_some_and(|rest| rest.starts_with('/'))
    })
}

/// Where a fulfillment's `shipment_status` puts the parcel in memnun's timeline; `None` for a
/// status Shopify may add later, which then adds no event.
pub fn tracking_status(shipment_status: &str) -> Option<TrackingStatus> {
    Some(match shipment_status {
        // A fulfillment is shipped from its first event on; a label printed after it says
        // nothing new and must not move the parcel back.
        "label_printed" | "label_purchased" | "confirmed" | "carrier_picked_up" => {
            TrackingStatus::Shipped
        }
        "in_transit" => TrackingStatus::InTransit,
        "out_for_delivery" => TrackingStatus::OutForDelivery,
        "attempted_delivery" => TrackingStatus::DeliveryAttemptFailed,
        "ready_for_pickup" => TrackingStatus::AvailableForPickup,
        "delivered" | "picked_up" => TrackingStatus::Delivered,
        "delayed" => TrackingStatus::Delayed,
        "failure" => TrackingStatus::Exception,
        _ => return None,
    })
}

impl Order {
    /// memnun's id for the order.
    pub fn order_id(&self) -> String {
        self.id.to_string()
    }

    /// When Shopify last changed the order, in ms (0 when it does not say, so any dated
    /// payload counts as later).
    pub fn changed_at(&self) -> i64 {
        self.updated_at
            .as_deref()
            .and_then(crate::time::parse_timestamp)
            .unwrap_or(0)
    }

    /// The whole order as `PUT /v1/admin/orders/{order}` takes it.
    pub fn upsert(&self) -> OrderUpsert {
        let number = self.order_number.map(|n| n.to_string()).or_else(|| {
            self.name
                .as_deref()
                .map(|n| n.trim().trim_start_matches('#').to_owned())
        });
        OrderUpsert {
            number,
            email: self.email.clone().or_else(|| self.contact_email.clone()),
            locale: self.customer_locale.clone(),
            placed_at: self.created_at.clone().map(serde_json::Value::String),
            cancelled_at: self.cancelled_at.clone().map(serde_json::Value::String),
            // Refunded lines are left out of the items (`taken_back`), so revenue is net.
            refunded_minor: None,
            items: Some(
                self.line_items
                    .iter()
                    .filter_map(|line| {
                        // What went back or never left is not the shopper's to review.
                        let kept = line.quantity.unwrap_or(1)
                            - line.id.map_or(0, |id| self.taken_back(id).0);
                        if kept < 1 {
                            return None;
                        }
                        Some(ItemInput {
                            product: Some(line.product_id?.to_string()),
                            quantity: Some(kept.min(MAX_QUANTITY)),
                            price_minor: line.price.as_deref().and_then(|price| {
                                super::minor_units(price, self.currency.as_deref()?)
                            }),
                            currency: self.currency.clone(),
                        })
                    })
                    .take(MAX_ITEMS)
                    .collect(),
            ),
            // An order's first parcels, as many as memnun keeps: refusing the order would keep
            // every later payload of it out too.
            shipments: Some(
                self.fulfillments
                    .iter()
                    .take(MAX_SHIPMENTS)
                    .map(Fulfillment::shipment)
                    .collect(),
            ),
        }
    }

    /// How many of the line `line_id` its refunds took back (returned or never sent), and when
    /// the last of them was made.
    fn taken_back(&self, line_id: u64) -> (i64, Option<&str>) {
        self.refunds
            .iter()
            .flat_map(|refund| {
                refund
                    .refund_line_items
                    .iter()
                    .filter(move |l| l.line_item_id == line_id && l.taken_back())
                    .map(move |l| (l.quantity, refund.created_at.as_deref()))
            })
            .fold((0, None), |(n, last), (quantity, at)| {
                (n + quantity, last.max(at))
            })
    }

    /// The tracking events its fulfillments tell, and `returned` for a parcel whose every line
    /// came back, when the refund that took the last of them back was made.
    pub fn events(&self) -> Vec<EventInput> {
        self.fulfillments
            .iter()
            .take(MAX_SHIPMENTS)
            .flat_map(|f| {
                let mut events = f.events();
                let returned: Option<Vec<(i64, Option<&str>)>> = (!f.line_items.is_empty())
                    .then(|| f.line_items.iter().map(|l| self.taken_back(l.id)).collect());
                let all_back = returned.as_ref().is_some_and(|lines| {
                    f.line_items
                        .iter()
                        .zip(lines)
                        .all(|(line, (back, _))| *back >= line.quantity.max(1))
                });
                let when = returned.iter().flatten().filter_map(|(_, at)| *at).max();
                if let (true, Some(when)) = (all_back, when) {
                    events.push(EventInput::at(
                        f.shipment_id(),
                        TrackingStatus::Returned,
                        serde_json::Value::String(when.to_owned()),
                    ));
                }
                events
            })
            .collect()
    }
}

impl Fulfillment {
    /// memnun's id for the shipment.
    pub fn shipment_id(&self) -> String {
        self.id.to_string()
    }

    /// memnun's id for its order.
    pub fn order_id(&self) -> String {
        self.order_id.to_string()
    }

    /// When Shopify last changed the parcel, in ms (0 when it does not say).
    pub fn changed_at(&self) -> i64 {
        self.updated_at
            .as_deref()
            .or(self.created_at.as_deref())
            .and_then(crate::time::parse_timestamp)
            .unwrap_or(0)
    }

    pub fn shipment(&self) -> ShipmentInput {
        let first = |one: &Option<String>, many: &[String]| {
            one.clone()
                .or_else(|| many.first().cloned())
                .filter(|s| !s.trim().is_empty())
        };
        let tracking_number = first(&self.tracking_number, &self.tracking_numbers);
        // A parcel always has a carrier to show: Shopify's name for it when memnun knows the
        // carrier; else the one its number names; else Shopify's own words for it (its
        // "Other", a local delivery's name). A platform's parcel is never refused for lack of one.
        let company = self
            .tracking_company
            .clone()
            .filter(|c| !c.trim().is_empty());
        let carrier = company
            .clone()
            .filter(|c| carriers::by_name(c).is_some())
            .or_else(|| {
                tracking_number
                    .as_deref()
                    .and_then(carriers::detect)
                    .map(|c| c.name.to_owned())
            })
            .or(company)
            .unwrap_or_else(|| UNLISTED_CARRIER.to_owned());
        ShipmentInput {
            id: Some(self.shipment_id()),
            carrier: Some(carrier),
            tracking_url: first(&self.tracking_url, &self.tracking_urls),
            tracking_number,
            estimated_delivery: None,
        }
    }

    pub fn events(&self) -> Vec<EventInput> {
        let event = |status: TrackingStatus, time: &Option<String>| {
            let time = serde_json::Value::String(time.clone()?);
            Some(EventInput::at(self.shipment_id(), status, time))
        };
        let latest = self
            .updated_at
            .as_ref()
            .or(self.created_at.as_ref())
            .cloned();
        let now = match self.status.as_deref() {
            Some("cancelled") => Some(TrackingStatus::Cancelled),
            _ => self.shipment_status.as_deref().and_then(tracking_status),
        };
        [
            event(TrackingStatus::Shipped, &self.created_at),
            now.and_then(|status| event(status, &latest)),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// A Product resource (`products/create`, `products/update`): what the catalog keeps of it.
#[derive(Debug, Clone, Deserialize)]
pub struct Product {
    pub id: u64,
    #[serde(default)]
    pub admin_graphql_api_id: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    /// The last part of its address in the storefront: `/products/{handle}`.
    #[serde(default)]
    pub handle: Option<String>,
    #[serde(default)]
    pub product_type: Option<String>,
    /// Its brand, as the catalog keeps it.
    #[serde(default)]
    pub vendor: Option<String>,
    /// `active`, `draft` or `archived`: only an active product is on sale.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub variants: Vec<Variant>,
    #[serde(default)]
    pub image: Option<Image>,
    #[serde(default)]
    pub images: Vec<Image>,
    #[serde(default)]
    pub updated_at: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Variant {
    #[serde(default)]
    pub price: Option<String>,
    #[serde(default)]
    pub inventory_quantity: Option<i64>,
    /// `deny` (no sale past stock) or `continue`.
    #[serde(default)]
    pub inventory_policy: Option<String>,
    /// `shopify` when Shopify counts its stock; `null` when no one does.
    #[serde(default)]
    pub inventory_management: Option<String>,
    #[serde(default)]
    pub sku: Option<String>,
    /// Its GTIN (EAN, UPC, ISBN) when the merchant filled it in.
    #[serde(default)]
    pub barcode: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Image {
    #[serde(default)]
    pub src: Option<String>,
}

/// The privacy webhooks Shopify sends an app (`customers/data_request`, `customers/redact`,
/// `shop/redact`): who, and which orders.
#[derive(Debug, Clone, Deserialize)]
pub struct PrivacyRequest {
    /// Required: no other resource has it, so a signed Order or Product body (whose topic
    /// header is not signed) cannot pass for a privacy request.
    pub shop_domain: String,
    #[serde(default)]
    pub customer: Option<Customer>,
    #[serde(default)]
    pub orders_requested: Option<Vec<u64>>,
    #[serde(default)]
    pub orders_to_redact: Option<Vec<u64>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Customer {
    #[serde(default)]
    pub id: Option<u64>,
    #[serde(default)]
    pub email: Option<String>,
}

/// `products/delete`: only the id (nothing else is taken: a signed Product body sent again under
/// this topic must not delete it).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeletedProduct {
    pub id: u64,
}

impl Product {
    /// memnun's id for the product (the order lines' `product_id`).
    pub fn product_id(&self) -> String {
        self.id.to_string()
    }

    /// When Shopify last changed it, in ms (0 when it does not say).
    pub fn changed_at(&self) -> i64 {
        self.updated_at
            .as_deref()
            .and_then(crate::time::parse_timestamp)
            .unwrap_or(0)
    }

    /// The catalog item it makes, priced from its cheapest variant in `currency`, named in
    /// `locale`, at `storefront`'s `/products/{handle}`; `None` when it is not on sale (a draft or
    /// archived product), which takes it out of the catalog.
    pub fn catalog_item(
        &self,
        storefront: &str,
        currency: &str,
        locale: &str,
    ) -> Option<CatalogInput> {
        if self.status.as_deref().is_some_and(|s| s != "active") {
            return None;
        }
        let price_minor = self
            .variants
            .iter()
            .filter_map(|v| super::minor_units(v.price.as_deref()?, currency))
            .min();
        let in_stock = self.variants.is_empty()
            || self.variants.iter().any(|v| {
                v.inventory_management.is_none()
                    || v.inventory_policy.as_deref() == Some("continue")
                    || v.inventory_quantity.is_some_and(|q| q > 0)
            });
        Some(CatalogInput {
            id: Some(self.product_id()),
            name: self
                .title
                .clone()
                .map(|title| [(locale.to_owned(), title)].into_iter().collect()),
            price_minor,
            currency: Some(currency.to_owned()),
            image_url: self
                .image
                .as_ref()
                .or(self.images.first())
                .and_then(|i| i.src.clone()),
            url: self
                .handle
                .as_deref()
                .map(|handle| format!("{}/products/{handle}", storefront.trim_end_matches('/'))),
            category: self.product_type.clone(),
            in_stock: Some(in_stock),
            gtins: Some(super::identifiers(
                self.variants.iter().filter_map(|v| v.barcode.as_deref()),
                true,
            )),
            mpns: None,
            skus: Some(super::identifiers(
                self.variants.iter().filter_map(|v| v.sku.as_deref()),
                false,
            )),
            brand: super::brand(self.vendor.as_deref()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::NewEvents;

    const ORDER: &str = include_str!("../../../tests/fixtures/shopify/order.json");

    #[test]
    fn an_order_payload_becomes_the_order_the_merchant_api_takes() {
        let order: Order = serde_json::from_str(ORDER).expect("Shopify's Order");
        assert_eq!(order.order_id(), "5923418734892");
        let valid = order.upsert().validate().expect("a valid order");
        assert_eq!(valid.number, "1042");
        assert_eq!(valid.email.as_deref(), Some("ayse.yilmaz@example.com.tr"));
        let items: Vec<(&str, u32, Option<i64>)> = valid
            .items
            .iter()
            .map(|i| (i.product.as_str(), i.quantity, i.price_minor))
            .collect();
        assert_eq!(
            items,
            [
                ("8812736512044", 2, Some(45000)),
                ("8812736610348", 1, Some(44900)),
            ],
            "the gift wrap line has no product"
        );
        let shipment = &valid.shipments[0];
        assert_eq!(shipment.id.as_str(), "5412983455788");
        assert_eq!(shipment.carrier, "Yurtiçi Kargo");
        assert_eq!(
            shipment.tracking_url.as_deref(),
            Some(
                "https://www.yurticikargo.com/tr/online-servisler/gonderi-sorgula?code=302785463910"
            )
        );
    }

    #[test]
    fn a_fulfillment_tells_when_it_shipped_and_where_it_is() {
        let order: Order = serde_json::from_str(ORDER).expect("Shopify's Order");
        let events = NewEvents {
            events: Some(order.events()),
        }
        .validate()
        .expect("valid events");
        let told: Vec<(TrackingStatus, i64)> = events.iter().map(|e| (e.status, e.time)).collect();
        let at = |t: &str| crate::time::parse_timestamp(t).expect("a time");
        assert_eq!(
            told,
            [
                (TrackingStatus::Shipped, at("2026-11-21T10:15:00+03:00")),
                (TrackingStatus::InTransit, at("2026-11-23T09:41:57+03:00")),
            ]
        );
    }

    #[test]
    fn a_cancelled_fulfillment_and_an_unknown_status() {
        let fulfillment = |status: &str, shipment_status: &str| -> Fulfillment {
            serde_json::from_value(serde_json::json!({
                "id": 1, "order_id": 2, "status": status, "shipment_status": shipment_status,
                "tracking_company": "Other", "tracking_number": "1Z5R89390357567127",
                "created_at": "2026-11-21T10:15:00Z", "updated_at": "2026-11-22T10:15:00Z"
            }))
            .expect("a Fulfillment")
        };
        let statuses = |f: &Fulfillment| -> Vec<Option<String>> {
            f.events().into_iter().map(|e| e.status).collect()
        };
        let cancelled = fulfillment("cancelled", "in_transit");
        assert_eq!(
            statuses(&cancelled),
            [Some("shipped".into()), Some("cancelled".into())]
        );
        assert_eq!(
            cancelled.shipment().carrier.as_deref(),
            Some("UPS"),
            "Shopify's \"Other\" gives way to the carrier the number names"
        );
        let unlisted: Fulfillment = serde_json::from_value(serde_json::json!({
            "id": 3, "order_id": 2, "status": "success", "tracking_company": null,
            "tracking_number": "302785463910"
        }))
        .expect("a Fulfillment");
        let shipment = unlisted.shipment().validate().expect("never refused");
        assert_eq!(shipment.carrier, "Other");
        assert_eq!(shipment.tracking_url, None);
        assert_eq!(
            statuses(&fulfillment("success", "teleported")),
            [Some("shipped".into())]
        );
    }

    #[test]
    fn what_came_back_leaves_the_order_and_a_parcel_all_back_is_returned() {
        let mut order: Order = serde_json::from_str(ORDER).expect("Shopify's Order");
        let refund = |lines: serde_json::Value| -> Refund {
            serde_json::from_value(serde_json::json!({
                "created_at": "2026-11-30T12:00:00+03:00", "refund_line_items": lines
            }))
            .expect("a Refund")
        };
        // One of two cups refunded without coming back: still the shopper's.
        order.refunds = vec![refund(serde_json::json!([
            {"line_item_id": 14693741232172_u64, "quantity": 1, "restock_type": "no_restock"}
        ]))];
        let quantities = |o: &Order| -> Vec<(String, i64)> {
            o.upsert()
                .items
                .unwrap_or_default()
                .into_iter()
                .map(|i| (i.product.unwrap_or_default(), i.quantity.unwrap_or(1)))
                .collect()
        };
        assert_eq!(
            quantities(&order),
            [("8812736512044".into(), 2), ("8812736610348".into(), 1)]
        );
        let returned = |o: &Order| {
            o.events()
                .iter()
                .any(|e| e.status.as_deref() == Some("returned"))
        };
        assert!(!returned(&order));
        // Both cups and the saucer sent back: the lines go, the parcel is returned.
        order.refunds.push(refund(serde_json::json!([
            {"line_item_id": 14693741232172_u64, "quantity": 2, "restock_type": "return"},
            {"line_item_id": 14693741264940_u64, "quantity": 1, "restock_type": "return"}
        ])));
        assert_eq!(quantities(&order), []);
        assert!(returned(&order));
    }

    #[test]
    fn a_product_on_sale_is_a_catalog_item_and_a_draft_is_none() {
        let product: Product = serde_json::from_value(serde_json::json!({
            "id": 8812736512044_u64, "title": "El Yapımı Kahve Fincanı", "handle": "el-yapimi-kahve-fincani",
            "product_type": "Fincan", "status": "active", "vendor": "Kütahya Porselen",
            "variants": [
                {"price": "475.00", "inventory_quantity": 0, "inventory_policy": "deny", "inventory_management": "shopify",
                 "sku": "FNC-LAC-01", "barcode": "8690000000012"},
                {"price": "450.00", "inventory_quantity": 3, "inventory_policy": "deny", "inventory_management": "shopify",
                 "sku": "FNC-LAC-02", "barcode": "1234"}
            ],
            "image": {"src": "https://cdn.shopify.com/s/files/1/fincan.jpg"},
            "updated_at": "2026-11-19T09:00:00+03:00"
        }))
        .expect("a Product");
        let item = product
            .catalog_item("https://moda-fincan.com.tr/", "TRY", "tr")
            .expect("on sale")
            .validate()
            .expect("a valid item");
        assert_eq!(item.id, "8812736512044");
        assert_eq!(item.name_in("tr"), "El Yapımı Kahve Fincanı");
        assert_eq!(item.price_minor, 45000, "the cheapest variant");
        assert_eq!(
            item.url,
            "https://moda-fincan.com.tr/products/el-yapimi-kahve-fincani"
        );
        assert!(item.in_stock);
        assert_eq!(
            item.gtins,
            ["8690000000012"],
            "a wrong barcode is left out, not the product"
        );
        assert_eq!(item.skus, ["FNC-LAC-01", "FNC-LAC-02"]);
        assert_eq!(item.brand.as_deref(), Some("Kütahya Porselen"));
        let draft = Product {
            status: Some("draft".into()),
            ..product
        };
        assert!(
            draft
                .catalog_item("https://moda-fincan.com.tr", "TRY", "tr")
                .is_none()
        );
    }

    #[test]
    fn every_documented_shipment_status_has_a_place() {
        for status in [
            "label_printed",
            "label_purchased",
            "attempted_delivery",
            "ready_for_pickup",
            "confirmed",
            "in_transit",
            "out_for_delivery",
            "delivered",
            "failure",
            "carrier_picked_up",
            "picked_up",
            "delayed",
        ] {
            assert!(tracking_status(status).is_some(), "{status}");
        }
    }
}
