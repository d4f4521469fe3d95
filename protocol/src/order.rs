//! Orders and their tracking: what the merchant sends (`OrderUpsert`, `NewEvents`), the
//! tracking statuses, and what a shopper sees (`OrderView`: no email, no address).
//!
//! An order has items and shipments; each shipment has a timeline of events. Events may arrive
//! out of order and more than once: one event is identified by (shipment, status, time), and a
//! timeline is ordered by event time, so the same events give the same timeline however they
//! came.

use crate::carriers;
use crate::ids::Id;
use crate::review::Locale;
use crate::text::{FieldErrors, FieldProblem, TextRule, is_plausible_email};
use crate::time::parse_timestamp;
use serde::{Deserialize, Serialize};

/// The largest order upsert body, and the most items, shipments and events one request carries
/// (each event is a statement's worth of work at the edge; see DESIGN.md on D1's query limit).
pub const MAX_REQUEST_BYTES: usize = 64 * 1024;
pub const MAX_ITEMS: usize = 100;
pub const MAX_SHIPMENTS: usize = 10;
pub const MAX_EVENTS_PER_REQUEST: usize = 50;

pub const NUMBER_RULE: TextRule = TextRule {
    required: true,
    max_chars: 40,
    multiline: false,
};
pub const CARRIER_RULE: TextRule = TextRule {
    required: true,
    max_chars: 60,
    multiline: false,
};
pub const TRACKING_NUMBER_RULE: TextRule = TextRule {
    required: false,
    max_chars: 60,
    multiline: false,
};
pub const LOCATION_RULE: TextRule = TextRule {
    required: false,
    max_chars: 100,
    multiline: false,
};
pub const NOTE_RULE: TextRule = TextRule {
    required: false,
    max_chars: 500,
    multiline: false,
};
pub const URL_MAX_CHARS: usize = 2000;

/// Where a shipment is, a superset of what AfterShip reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TrackingStatus {
    Ordered,
    Confirmed,
    Packed,
    Shipped,
    InTransit,
    OutForDelivery,
    DeliveryAttemptFailed,
    AvailableForPickup,
    Delivered,
    Exception,
    Delayed,
    Returned,
    Cancelled,
}

impl TrackingStatus {
    pub const ALL: [TrackingStatus; 13] = [
        TrackingStatus::Ordered,
        TrackingStatus::Confirmed,
        TrackingStatus::Packed,
        TrackingStatus::Shipped,
        TrackingStatus::InTransit,
        TrackingStatus::OutForDelivery,
        TrackingStatus::DeliveryAttemptFailed,
        TrackingStatus::AvailableForPickup,
        TrackingStatus::Delivered,
        TrackingStatus::Exception,
        TrackingStatus::Delayed,
        TrackingStatus::Returned,
        TrackingStatus::Cancelled,
    ];

    /// The steps of a journey that goes well, in order: what the timeline shows as done and to
    /// come.
    pub const STEPS: [TrackingStatus; 7] = [
        TrackingStatus::Ordered,
        TrackingStatus::Confirmed,
        TrackingStatus::Packed,
        TrackingStatus::Shipped,
        TrackingStatus::InTransit,
        TrackingStatus::OutForDelivery,
        TrackingStatus::Delivered,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            TrackingStatus::Ordered => "ordered",
            TrackingStatus::Confirmed => "confirmed",
            TrackingStatus::Packed => "packed",
            TrackingStatus::Shipped => "shipped",
            TrackingStatus::InTransit => "in_transit",
            TrackingStatus::OutForDelivery => "out_for_delivery",
            TrackingStatus::DeliveryAttemptFailed => "delivery_attempt_failed",
            TrackingStatus::AvailableForPickup => "available_for_pickup",
            TrackingStatus::Delivered => "delivered",
            TrackingStatus::Exception => "exception",
            TrackingStatus::Delayed => "delayed",
            TrackingStatus::Returned => "returned",
            TrackingStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Option<TrackingStatus> {
        TrackingStatus::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// Where on the journey this status puts a shipment: the index of the last step it
    /// completes. Side statuses (an attempt failed, a delay) keep the shipment where it was on
    /// the road; those that end it (returned, cancelled) and exceptions are `None`.
    pub fn step(self) -> Option<usize> {
        match self {
            TrackingStatus::DeliveryAttemptFailed | TrackingStatus::AvailableForPickup => Some(5),
            TrackingStatus::Delayed => Some(4),
            TrackingStatus::Exception | TrackingStatus::Returned | TrackingStatus::Cancelled => {
                None
            }
            other => TrackingStatus::STEPS.iter().position(|s| *s == other),
        }
    }

    /// Whether nothing more will happen to the shipment.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            TrackingStatus::Delivered | TrackingStatus::Returned | TrackingStatus::Cancelled
        )
    }
}

/// One item of an order, as the merchant sends it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ItemInput {
    #[serde(default)]
    pub product: Option<String>,
    #[serde(default)]
    pub quantity: Option<i64>,
    /// In the currency's minor unit (kuruş, cents), so no float ever holds money.
    #[serde(default)]
    pub price_minor: Option<i64>,
    /// ISO 4217, e.g. `TRY`, `EUR`.
    #[serde(default)]
    pub currency: Option<String>,
}

/// When a shipment should arrive, and who says so.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct EstimateInput {
    /// `2026-11-25` or an RFC 3339 time.
    #[serde(default)]
    pub date: Option<String>,
    /// `carrier` or `shop`.
    #[serde(default)]
    pub source: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ShipmentInput {
    /// The merchant's id for the shipment, unique within the order.
    #[serde(default)]
    pub id: Option<String>,
    /// Required unless the tracking number names it (`carriers::detect`).
    #[serde(default)]
    pub carrier: Option<String>,
    #[serde(default)]
    pub tracking_number: Option<String>,
    /// The carrier's page for this shipment; for a carrier `carriers` knows, its own page is
    /// made from the tracking number when this is left out.
    #[serde(default)]
    pub tracking_url: Option<String>,
    #[serde(default)]
    pub estimated_delivery: Option<EstimateInput>,
}

/// The body of `PUT /v1/admin/orders/{order}`: the whole order as the merchant knows it now.
/// Items and shipments are replaced; a shipment's events stay with its id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OrderUpsert {
    /// The order number the shopper knows (on the receipt), for lookups.
    #[serde(default)]
    pub number: Option<String>,
    /// Stored only as a salted hash, to check lookups; never returned.
    #[serde(default)]
    pub email: Option<String>,
    /// Unix milliseconds or RFC 3339; defaults to when the edge first sees the order.
    #[serde(default)]
    pub placed_at: Option<serde_json::Value>,
    /// When the shop cancelled the order (unix milliseconds or RFC 3339); absent or `null` while
    /// it stands. A cancelled order shows as `cancelled` unless a parcel of it was delivered.
    #[serde(default)]
    pub cancelled_at: Option<serde_json::Value>,
    #[serde(default)]
    pub items: Option<Vec<ItemInput>>,
    /// What the shop has refunded of the order so far, in its items' currency's minor unit
    /// (0 to 10^11); absent or `null` for nothing. Revenue in the overview is net of it.
    #[serde(default)]
    pub refunded_minor: Option<i64>,
    #[serde(default)]
    pub shipments: Option<Vec<ShipmentInput>>,
    /// The shopper's language (`tr`, `en`, or a tag such as `tr-TR`), for the messages memnun
    /// sends about the order; other languages get the shop's default.
    #[serde(default)]
    pub locale: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Item {
    pub product: String,
    pub quantity: u32,
    pub price_minor: Option<i64>,
    pub currency: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Estimate {
    /// Unix milliseconds (midnight UTC of the date given, or the time given).
    pub date: i64,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ValidShipment {
    pub id: Id,
    pub carrier: String,
    pub tracking_number: Option<String>,
    pub tracking_url: Option<String>,
    pub estimated_delivery: Option<Estimate>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ValidOrder {
    pub number: String,
    /// Lower-cased and trimmed, as lookups compare it.
    pub email: Option<String>,
    pub placed_at: Option<i64>,
    pub cancelled_at: Option<i64>,
    pub items: Vec<Item>,
    pub refunded_minor: Option<i64>,
    pub shipments: Vec<ValidShipment>,
    /// `tr` or `en`, when the order named one of them.
    pub locale: Option<&'static str>,
}

/// The language of `tag` (`tr-TR` → `tr`), if memnun writes in it.
pub fn known_locale(tag: &str) -> Option<&'static str> {
    let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
    crate::review::LOCALES.into_iter().find(|l| *l == primary)
}

/// An http(s) URL without white space or control characters.
pub fn is_web_url(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() > "https://".len()
        && url.chars().count() <= URL_MAX_CHARS
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn time_value(value: &serde_json::Value) -> Option<i64> {
    match value {
        // Past year 9999 a time is not one, and past 2^53 it would not survive JavaScript.
        serde_json::Value::Number(n) => n
            .as_i64()
            .filter(|ms| (0..=crate::time::max_ms()).contains(ms)),
        serde_json::Value::String(s) => parse_timestamp(s),
        _ => None,
    }
}

impl ShipmentInput {
    /// One shipment on its own (a platform's parcel added to an order memnun has), its field
    /// errors under `shipments` as in a whole order's.
    pub fn validate(&self) -> Result<ValidShipment, FieldErrors> {
        let mut errors = FieldErrors::default();
        let shipment = match self.id.as_deref().map(Id::parse) {
            Some(Ok(id)) => Some(self.checked(id, &mut errors)),
            Some(Err(_)) => {
                errors.push("shipments", FieldProblem::InvalidId);
                None
            }
            None => {
                errors.push("shipments", FieldProblem::Required);
                None
            }
        };
        match shipment {
            Some(shipment) if errors.is_empty() => Ok(shipment),
            _ => Err(errors),
        }
    }

    /// The shipment `id`, its problems added to `errors`.
    fn checked(&self, id: Id, errors: &mut FieldErrors) -> ValidShipment {
        let tracking_number = self
            .tracking_number
            .clone()
            .filter(|t| !t.trim().is_empty());
        if let Err(p) = TRACKING_NUMBER_RULE.check(tracking_number.as_deref().unwrap_or("")) {
            errors.push("shipments", p);
        }
        // Without a carrier, the number may name it: only when one carrier's format takes it.
        let carrier = match self.carrier.clone().filter(|c| !c.trim().is_empty()) {
            Some(named) => named,
            None => tracking_number
                .as_deref()
                .and_then(carriers::detect)
                .map(|c| c.name.to_owned())
                .unwrap_or_default(),
        };
        if let Err(p) = CARRIER_RULE.check(&carrier) {
            errors.push("shipments", p);
        }
        let tracking_url = self.tracking_url.clone().filter(|u| !u.is_empty());
        if tracking_url.as_deref().is_some_and(|u| !is_web_url(u)) {
            errors.push("shipments", FieldProblem::NotAUrl);
        }
        // A known carrier's own page, when the shop gave none.
        let tracking_url = tracking_url.or_else(|| {
            let number = tracking_number.as_deref()?;
            Some(carriers::by_name(&carrier)?.tracking_url(number))
        });
        let estimated_delivery = match &self.estimated_delivery {
            None => None,
            Some(e) => {
                let date = e.date.as_deref().and_then(parse_timestamp);
                let source = e.source.clone().unwrap_or_else(|| "shop".into());
                if date.is_none() {
                    errors.push("shipments", FieldProblem::NotATime);
                }
                if source != "carrier" && source != "shop" {
                    errors.push("shipments", FieldProblem::NotAChoice);
                }
                date.map(|date| Estimate { date, source })
            }
        };
        ValidShipment {
            id,
            carrier,
            tracking_number,
            tracking_url,
            estimated_delivery,
        }
    }
}

impl OrderUpsert {
    pub fn validate(&self) -> Result<ValidOrder, FieldErrors> {
        let mut errors = FieldErrors::default();
        let number = self.number.clone().unwrap_or_default();
        if let Err(p) = NUMBER_RULE.check(&number) {
            errors.push("number", p);
        }
        let email = match self.email.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(e) if is_plausible_email(e) => Some(e.to_lowercase()),
            Some(_) => {
                errors.push("email", FieldProblem::NotAnEmail);
                None
            }
        };
        let mut optional_time = |field: &'static str, value: &Option<serde_json::Value>| match value
        {
            None | Some(serde_json::Value::Null) => None,
            Some(v) => {
                let t = time_value(v);
                if t.is_none() {
                    errors.push(field, FieldProblem::NotATime);
                }
                t
            }
        };
        let placed_at = optional_time("placed_at", &self.placed_at);
        let cancelled_at = optional_time("cancelled_at", &self.cancelled_at);
        let refunded_minor = self.refunded_minor.filter(|r| *r != 0);
        if refunded_minor.is_some_and(|r| !(0..=crate::catalog::PRICE_MINOR_MAX).contains(&r)) {
            errors.push(
                "refunded_minor",
                FieldProblem::OutOfRange {
                    min: 0,
                    max: crate::catalog::PRICE_MINOR_MAX,
                },
            );
        }
        let locale = match self.locale.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(tag)
                if tag.len() <= 35
                    && tag
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') =>
            {
                known_locale(tag)
            }
            Some(_) => {
                errors.push("locale", FieldProblem::NotAChoice);
                None
            }
        };
        let items_in = self.items.clone().unwrap_or_default();
        if items_in.len() > MAX_ITEMS {
            errors.push("items", FieldProblem::TooMany { max: MAX_ITEMS });
        }
        let mut items = Vec::new();
        for item in items_in.iter().take(MAX_ITEMS) {
            let product = item.product.as_deref().map(Id::parse);
            let quantity = item.quantity.unwrap_or(1);
            let currency_ok = item
                .currency
                .as_deref()
                .is_none_or(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()));
            match product {
                Some(Ok(p)) if (1..=10_000).contains(&quantity) && currency_ok => {
                    // Bounded as a catalog price is: an order's total then fits an i64.
                    let price_max = crate::catalog::PRICE_MINOR_MAX;
                    if item
                        .price_minor
                        .is_some_and(|p| !(0..=price_max).contains(&p))
                    {
                        errors.push(
                            "items",
                            FieldProblem::OutOfRange {
                                min: 0,
                                max: price_max,
                            },
                        );
                    }
                    items.push(Item {
                        product: p.to_string(),
                        quantity: quantity as u32,
                        price_minor: item.price_minor,
                        currency: item.currency.clone(),
                    });
                }
                None => errors.push("items", FieldProblem::Required),
                Some(Err(_)) => errors.push("items", FieldProblem::InvalidId),
                Some(Ok(_)) if !currency_ok => errors.push("items", FieldProblem::NotAChoice),
                Some(Ok(_)) => errors.push(
                    "items",
                    FieldProblem::OutOfRange {
                        min: 1,
                        max: 10_000,
                    },
                ),
            }
        }
        let shipments_in = self.shipments.clone().unwrap_or_default();
        if shipments_in.len() > MAX_SHIPMENTS {
            errors.push("shipments", FieldProblem::TooMany { max: MAX_SHIPMENTS });
        }
        let mut shipments: Vec<ValidShipment> = Vec::new();
        for s in shipments_in.iter().take(MAX_SHIPMENTS) {
            let id = match s.id.as_deref().map(Id::parse) {
                Some(Ok(id)) if !shipments.iter().any(|v| v.id == id) => id,
                Some(Ok(_)) => {
                    errors.push("shipments", FieldProblem::InUse);
                    continue;
                }
                Some(Err(_)) => {
                    errors.push("shipments", FieldProblem::InvalidId);
                    continue;
                }
                None => {
                    errors.push("shipments", FieldProblem::Required);
                    continue;
                }
            };
            shipments.push(s.checked(id, &mut errors));
        }
        if errors.is_empty() {
            Ok(ValidOrder {
                number,
                email,
                placed_at,
                cancelled_at,
                items,
                refunded_minor,
                shipments,
                locale,
            })
        } else {
            Err(errors)
        }
    }
}

/// One tracking event as the merchant (or the carrier's feed) sends it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct EventInput {
    #[serde(default)]
    pub shipment: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    /// Unix milliseconds or RFC 3339.
    #[serde(default)]
    pub time: Option<serde_json::Value>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

impl EventInput {
    /// `shipment` at `status` at `time` (as a platform tells it), no place, no note.
    pub fn at(
        shipment: impl Into<String>,
        status: TrackingStatus,
        time: serde_json::Value,
    ) -> Self {
        EventInput {
            shipment: Some(shipment.into()),
            status: Some(status.as_str().to_owned()),
            time: Some(time),
            location: None,
            note: None,
        }
    }
}

/// The body of `POST /v1/admin/orders/{order}/events`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct NewEvents {
    #[serde(default)]
    pub events: Option<Vec<EventInput>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct TrackingEvent {
    pub shipment: String,
    pub status: TrackingStatus,
    /// Unix milliseconds.
    pub time: i64,
    pub location: Option<String>,
    pub note: Option<String>,
}

impl NewEvents {
    /// Every event checked; problems are reported as `events[i].field` so the merchant knows
    /// which event is wrong.
    pub fn validate(&self) -> Result<Vec<TrackingEvent>, FieldErrors> {
        let mut errors = FieldErrors::default();
        let events = match &self.events {
            None => {
                errors.push("events", FieldProblem::Required);
                return Err(errors);
            }
            Some(e) if e.is_empty() => {
                errors.push("events", FieldProblem::Required);
                return Err(errors);
            }
            Some(e) if e.len() > MAX_EVENTS_PER_REQUEST => {
                errors.push(
                    "events",
                    FieldProblem::TooMany {
                        max: MAX_EVENTS_PER_REQUEST,
                    },
                );
                return Err(errors);
            }
            Some(e) => e,
        };
        let mut valid = Vec::with_capacity(events.len());
        for e in events {
            let shipment = match e.shipment.as_deref().map(Id::parse) {
                Some(Ok(id)) => Some(id.to_string()),
                Some(Err(_)) => {
                    errors.push("events.shipment", FieldProblem::InvalidId);
                    None
                }
                None => {
                    errors.push("events.shipment", FieldProblem::Required);
                    None
                }
            };
            let status = match e.status.as_deref() {
                None => {
                    errors.push("events.status", FieldProblem::Required);
                    None
                }
                Some(raw) => {
                    let s = TrackingStatus::parse(raw);
                    if s.is_none() {
                        errors.push("events.status", FieldProblem::NotAChoice);
                    }
                    s
                }
            };
            let time = match &e.time {
                None => {
                    errors.push("events.time", FieldProblem::Required);
                    None
                }
                Some(v) => {
                    let t = time_value(v);
                    if t.is_none() {
                        errors.push("events.time", FieldProblem::NotATime);
                    }
                    t
                }
            };
            let location = e.location.clone().filter(|l| !l.trim().is_empty());
            if let Err(p) = LOCATION_RULE.check(location.as_deref().unwrap_or("")) {
                errors.push("events.location", p);
            }
            let note = e.note.clone().filter(|n| !n.trim().is_empty());
            if let Err(p) = NOTE_RULE.check(note.as_deref().unwrap_or("")) {
                errors.push("events.note", p);
            }
            if let (Some(shipment), Some(status), Some(time)) = (shipment, status, time) {
                valid.push(TrackingEvent {
                    shipment,
                    status,
                    time,
                    location,
                    note,
                });
            }
        }
        if errors.is_empty() {
            Ok(valid)
        } else {
            Err(errors)
        }
    }
}

/// A shipment as the shopper sees it: its timeline ordered by event time (oldest first), where it
/// is now, and its estimated delivery while that still means something.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ShipmentView {
    pub id: String,
    pub carrier: String,
    pub tracking_number: Option<String>,
    pub tracking_url: Option<String>,
    /// The status of the latest event; `ordered` before any.
    pub status: TrackingStatus,
    /// Hidden once delivered or once the date has passed.
    pub estimated_delivery: Option<Estimate>,
    pub events: Vec<TrackingEvent>,
}

/// What a shopper sees of an order: no email, no address, no prices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OrderView {
    pub number: String,
    /// Unix milliseconds.
    pub placed_at: i64,
    /// The least advanced shipment's status (the order is only as far as its slowest part);
    /// `ordered` with no shipments; `cancelled` once the shop cancelled it, unless a parcel of it
    /// was delivered.
    pub status: TrackingStatus,
    pub items: Vec<ViewItem>,
    pub shipments: Vec<ShipmentView>,
    /// Once every shipment is delivered: where to review the items and answer the survey.
    pub invitations: Option<Invitations>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ViewItem {
    pub product: String,
    pub quantity: u32,
    /// The shopper's view only (`orders/track`, `orders/lookup`), when the catalog has the
    /// product: its name in the request's `locale` (else in its other language).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// With `name`, the catalog's image of the product, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// With `name`, the product's page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ReviewInvitation {
    pub product: String,
    /// The product page with a review token in its fragment, or only the token when the shop
    /// has not said where its product pages are.
    pub url: Option<String>,
    pub token: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Invitations {
    pub reviews: Vec<ReviewInvitation>,
    pub survey_url: Option<String>,
    pub survey_token: String,
}

/// The current status of a timeline: that of its latest event by time; of events at the same
/// time, the one furthest along (so a `delivered` and an `out_for_delivery` stamped alike
/// read as delivered).
pub fn current_status(events: &[TrackingEvent]) -> TrackingStatus {
    events
        .iter()
        .max_by_key(|e| (e.time, e.status.step().unwrap_or(usize::MAX)))
        .map_or(TrackingStatus::Ordered, |e| e.status)
}

/// The estimate to show: none once delivered (or otherwise final) or once its day has passed.
pub fn visible_estimate(
    estimate: Option<&Estimate>,
    status: TrackingStatus,
    now_ms: i64,
) -> Option<Estimate> {
    const DAY_MS: i64 = 86_400_000;
    estimate
        .filter(|e| !status.is_final() && e.date + DAY_MS > now_ms)
        .cloned()
}

/// Days without news after which an order not yet delivered counts as late for the tracker's
/// "Something wrong?" form (the shipments page's default for "stale").
pub const LATE_AFTER_DAYS: i64 = crate::order_list::STALE_DAYS_DEFAULT as i64;

/// Whether the tracker offers "Something wrong?" for `order` at `now_ms`, and the edge takes a
/// complaint about it: once it is delivered, or while it is late (a parcel delayed, held by an
/// exception or missed on a delivery attempt, or nothing new for [`LATE_AFTER_DAYS`]). A
/// cancelled or returned order is the shop's to explain, not late.
pub fn takes_complaints(order: &OrderView, now_ms: i64) -> bool {
    const DAY_MS: i64 = 86_400_000;
    match order.status {
        TrackingStatus::Delivered => return true,
        TrackingStatus::Cancelled | TrackingStatus::Returned => return false,
        _ => {}
    }
    let troubled = order.shipments.iter().any(|s| {
        matches!(
            s.status,
            TrackingStatus::Delayed
                | TrackingStatus::Exception
                | TrackingStatus::DeliveryAttemptFailed
        )
    });
    let last_news = order
        .shipments
        .iter()
        .flat_map(|s| s.events.iter().map(|e| e.time))
        .fold(order.placed_at, i64::max);
    troubled || last_news + LATE_AFTER_DAYS * DAY_MS <= now_ms
}

/// When a delivered order arrived: its last shipment's delivery as the carrier dated it, never
/// later than `now_ms`. A shop that sends its history late (or a day's events at night) still
/// has each order counted in the week it was delivered, not the week it was told.
pub fn delivery_time(shipments: &[ShipmentView], now_ms: i64) -> i64 {
    shipments
        .iter()
        .filter_map(|s| {
            s.events
                .iter()
                .filter(|e| e.status == TrackingStatus::Delivered)
                .map(|e| e.time)
                .max()
        })
        .max()
        .map_or(now_ms, |t| t.min(now_ms))
}

/// Drops each event that only tells again what the one before it in `timeline` (in time order)
/// told: the same status, place and note. A platform retells a parcel's status with every scan
/// of it; the shopper sees each step once, dated when it first happened. Reading it from the
/// stored events (not refusing the repeats) keeps the timeline the same whatever order they
/// came in.
pub fn without_repeats(timeline: &mut Vec<TrackingEvent>) {
    timeline.dedup_by(|later, earlier| {
        later.status == earlier.status
            && later.location == earlier.location
            && later.note == earlier.note
    });
}

/// The order's overall status: its least advanced shipment's (final statuses count as done);
/// `cancelled` when the shop cancelled it and none of its parcels was delivered (a parcel that
/// arrived stays arrived: the shopper has it, and may review it).
pub fn order_status(shipments: &[ShipmentView], cancelled: bool) -> TrackingStatus {
    overall_status(shipments.iter().map(|s| s.status), cancelled)
}

/// [`order_status`] from the shipments' statuses alone, in the shipments' order (of two equally
/// far along, the first counts), for lists that read no timelines.
pub fn overall_status(
    statuses: impl IntoIterator<Item = TrackingStatus>,
    cancelled: bool,
) -> TrackingStatus {
    let statuses: Vec<TrackingStatus> = statuses.into_iter().collect();
    if cancelled && !statuses.contains(&TrackingStatus::Delivered) {
        return TrackingStatus::Cancelled;
    }
    statuses
        .into_iter()
        .min_by_key(|s| match s.step() {
            _ if s.is_final() => usize::MAX,
            Some(step) => step,
            None => 0,
        })
        .unwrap_or(TrackingStatus::Ordered)
}

/// The body of `POST /v1/shops/{shop}/orders/lookup`: a shopper finding their order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Lookup {
    #[serde(default)]
    pub number: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// The language the items' names are given in.
    #[serde(default)]
    pub locale: Locale,
}

pub const LOOKUP_MAX_BYTES: usize = 1024;

impl Lookup {
    /// The number (trimmed, by the order number's rule) and the email to look up; the email is
    /// only required here: a malformed one simply finds nothing, like a wrong one.
    pub fn validate(&self) -> Result<(String, String), FieldErrors> {
        let mut errors = FieldErrors::default();
        let number = self.number.as_deref().unwrap_or("").trim();
        if let Err(p) = NUMBER_RULE.check(number) {
            errors.push("number", p);
        }
        let email = self.email.as_deref().unwrap_or("").trim();
        if email.is_empty() {
            errors.push("email", FieldProblem::Required);
        }
        if errors.is_empty() {
            Ok((number.to_owned(), email.to_owned()))
        } else {
            Err(errors)
        }
    }
}

/// The answer to a lookup or a token: the order and a `track` token the widget keeps, so a
/// reload does not ask again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Tracked {
    pub order: OrderView,
    pub token: String,
}

/// `POST /v1/admin/orders/{order}/events`: how many events were new, and the order after them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct EventsAdded {
    pub added: u64,
    /// Events already recorded (the same shipment, status and time), counted once.
    pub duplicates: u64,
    pub order: OrderView,
}

/// `POST /v1/shops/{shop}/orders/track`: the tracker link's token.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct TrackRequest {
    #[serde(default)]
    pub token: Option<String>,
    /// The language the items' names are given in.
    #[serde(default)]
    pub locale: Locale,
}

/// A link for a message: the page with the token in its fragment, or only the token when the
/// shop has not said where the page is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Link {
    pub url: Option<String>,
    pub token: String,
}

/// A product's review link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ProductLink {
    pub product: String,
    pub url: Option<String>,
    pub token: String,
}

/// `POST /v1/admin/orders/{order}/links`: the links to send the shopper.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OrderLinks {
    pub tracker: Link,
    pub survey: Link,
    pub reviews: Vec<ProductLink>,
}

#[cfg(test)]
mod tests {

    /// A parcel with these (status, time) events, where the last one left it.
    fn shipment(id: &str, events: &[(TrackingStatus, i64)]) -> ShipmentView {
        ShipmentView {
            id: id.into(),
            carrier: "PTT".into(),
            tracking_number: None,
            tracking_url: None,
            status: events.last().map_or(TrackingStatus::Ordered, |e| e.0),
            estimated_delivery: None,
            events: events
                .iter()
                .map(|&(status, time)| TrackingEvent {
                    shipment: id.into(),
                    status,
                    time,
                    location: None,
                    note: None,
                })
                .collect(),
        }
    }

    #[test]
    fn an_order_is_delivered_when_its_last_shipment_was() {
        let a = shipment(
            "a",
            &[
                (TrackingStatus::Shipped, 10),
                (TrackingStatus::Delivered, 50),
            ],
        );
        let b = shipment("b", &[(TrackingStatus::Delivered, 70)]);
        assert_eq!(delivery_time(&[a.clone(), b], 1_000), 70);
        assert_eq!(delivery_time(std::slice::from_ref(&a), 1_000), 50);
        assert_eq!(delivery_time(&[a], 40), 40, "never later than now");
        assert_eq!(delivery_time(&[], 1_000), 1_000);
    }

    #[test]
    fn complaints_are_taken_once_delivered_or_late() {
        const DAY: i64 = 86_400_000;
        let order = |status: TrackingStatus, events: &[(TrackingStatus, i64)]| OrderView {
            number: "1001".into(),
            placed_at: 0,
            status,
            items: vec![],
            shipments: vec![shipment("s", events)],
            invitations: None,
        };
        let moving = order(
            TrackingStatus::InTransit,
            &[(TrackingStatus::InTransit, DAY)],
        );
        assert!(!takes_complaints(&moving, 2 * DAY), "on its way, with news");
        assert!(
            takes_complaints(&moving, 6 * DAY),
            "five days without news since the last event"
        );
        let held = order(
            TrackingStatus::Exception,
            &[(TrackingStatus::Exception, DAY)],
        );
        assert!(takes_complaints(&held, DAY));
        let delivered = order(
            TrackingStatus::Delivered,
            &[(TrackingStatus::Delivered, DAY)],
        );
        assert!(takes_complaints(&delivered, DAY));
        let cancelled = order(TrackingStatus::Cancelled, &[]);
        assert!(!takes_complaints(&cancelled, 30 * DAY));
    }
    use super::*;

    fn event(status: TrackingStatus, time: i64) -> TrackingEvent {
        TrackingEvent {
            shipment: "s1".into(),
            status,
            time,
            location: None,
            note: None,
        }
    }

    #[test]
    fn statuses_have_their_wire_names() {
        for s in TrackingStatus::ALL {
            assert_eq!(TrackingStatus::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert_eq!(TrackingStatus::parse("lost"), None);
    }

    #[test]
    fn the_latest_event_is_the_status_whatever_the_order_of_arrival() {
        let events = [
            event(TrackingStatus::InTransit, 30),
            event(TrackingStatus::Ordered, 10),
            event(TrackingStatus::Shipped, 20),
        ];
        assert_eq!(current_status(&events), TrackingStatus::InTransit);
        assert_eq!(current_status(&[]), TrackingStatus::Ordered);
        let same_time = [
            event(TrackingStatus::Delivered, 40),
            event(TrackingStatus::OutForDelivery, 40),
        ];
        assert_eq!(current_status(&same_time), TrackingStatus::Delivered);
    }

    #[test]
    fn the_estimate_hides_once_delivered_or_overdue() {
        let e = Estimate {
            date: 1_000 * 86_400_000,
            source: "carrier".into(),
        };
        let before = e.date - 1;
        assert!(visible_estimate(Some(&e), TrackingStatus::InTransit, before).is_some());
        assert!(
            visible_estimate(Some(&e), TrackingStatus::InTransit, e.date + 3_600_000).is_some()
        );
        assert!(
            visible_estimate(Some(&e), TrackingStatus::InTransit, e.date + 86_400_000).is_none()
        );
        assert!(visible_estimate(Some(&e), TrackingStatus::Delivered, before).is_none());
    }

    /// A shipment at `status`, with nothing else told of it.
    fn view(status: TrackingStatus) -> ShipmentView {
        ShipmentView {
            id: "s".into(),
            carrier: "c".into(),
            tracking_number: None,
            tracking_url: None,
            status,
            estimated_delivery: None,
            events: Vec::new(),
        }
    }

    #[test]
    fn an_order_is_as_far_as_its_slowest_shipment() {
        assert_eq!(
            order_status(
                &[
                    view(TrackingStatus::Delivered),
                    view(TrackingStatus::Shipped)
                ],
                false
            ),
            TrackingStatus::Shipped
        );
        assert_eq!(
            order_status(
                &[
                    view(TrackingStatus::Delivered),
                    view(TrackingStatus::Delivered)
                ],
                false
            ),
            TrackingStatus::Delivered
        );
        assert_eq!(order_status(&[], false), TrackingStatus::Ordered);
    }

    #[test]
    fn a_status_told_again_is_one_step() {
        let event = |status: TrackingStatus, time: i64, location: Option<&str>| TrackingEvent {
            shipment: "s".into(),
            status,
            time,
            location: location.map(str::to_owned),
            note: None,
        };
        let mut timeline = vec![
            event(TrackingStatus::Shipped, 1, None),
            event(TrackingStatus::InTransit, 2, None),
            event(TrackingStatus::InTransit, 3, None),
            event(TrackingStatus::InTransit, 4, Some("Ankara")),
            event(TrackingStatus::Delayed, 5, None),
            event(TrackingStatus::InTransit, 6, None),
            event(TrackingStatus::InTransit, 7, None),
        ];
        without_repeats(&mut timeline);
        let told: Vec<(TrackingStatus, i64)> =
            timeline.iter().map(|e| (e.status, e.time)).collect();
        assert_eq!(
            told,
            [
                (TrackingStatus::Shipped, 1),
                (TrackingStatus::InTransit, 2),
                (TrackingStatus::InTransit, 4),
                (TrackingStatus::Delayed, 5),
                (TrackingStatus::InTransit, 6),
            ]
        );
    }

    #[test]
    fn a_cancelled_order_is_cancelled_unless_a_parcel_arrived() {
        assert_eq!(order_status(&[], true), TrackingStatus::Cancelled);
        assert_eq!(
            order_status(&[view(TrackingStatus::InTransit)], true),
            TrackingStatus::Cancelled
        );
        assert_eq!(
            order_status(&[view(TrackingStatus::Delivered)], true),
            TrackingStatus::Delivered
        );
    }

    #[test]
    fn the_status_alone_gives_the_same_overall_status() {
        use TrackingStatus::{Cancelled, Delivered, Exception, InTransit, Ordered, Shipped};
        for statuses in [
            vec![Delivered, Shipped],
            vec![Exception, Ordered],
            vec![Ordered, Exception],
            vec![Cancelled, Delivered],
            vec![InTransit, Delivered, Shipped],
            vec![],
        ] {
            let views: Vec<ShipmentView> = statuses.iter().map(|&status| view(status)).collect();
            for cancelled in [false, true] {
                assert_eq!(
                    overall_status(statuses.iter().copied(), cancelled),
                    order_status(&views, cancelled),
                    "{statuses:?}"
                );
            }
        }
        assert_eq!(
            overall_status([Ordered, Exception], false),
            Ordered,
            "the first of equals"
        );
    }

    #[test]
    fn an_order_upsert_is_checked_field_by_field() {
        let good: OrderUpsert = serde_json::from_value(serde_json::json!({
            "number": "1001",
            "email": " Ayse@Example.com ",
            "placed_at": "2026-11-20T10:00:00Z",
            "items": [{"product": "kahve-fincani-01", "quantity": 2, "price_minor": 45000, "currency": "TRY"}],
            "shipments": [{"id": "s1", "carrier": "Yurtiçi Kargo", "tracking_number": "YK123",
                           "tracking_url": "https://kargo.example/YK123",
                           "estimated_delivery": {"date": "2026-11-25", "source": "carrier"}}]
        }))
        .unwrap();
        let v = good.validate().unwrap();
        assert_eq!(v.email.as_deref(), Some("ayse@example.com"));
        assert_eq!(v.items[0].quantity, 2);
        assert_eq!(
            v.shipments[0].estimated_delivery.as_ref().unwrap().source,
            "carrier"
        );

        let bad: OrderUpsert = serde_json::from_value(serde_json::json!({
            "email": "nope",
            "placed_at": "yesterday",
            "items": [{"product": "../x"}, {"product": "p", "quantity": 0}],
            "shipments": [{"id": "s1", "carrier": "", "tracking_url": "javascript:alert(1)"},
                          {"id": "s1", "carrier": "c"}]
        }))
        .unwrap();
        let e = bad.validate().unwrap_err();
        for field in ["number", "email", "placed_at", "items", "shipments"] {
            assert!(e.get(field).is_some(), "{field}");
        }
    }

    #[test]
    fn a_known_carrier_gets_its_page_and_a_distinctive_number_its_carrier() {
        let upsert = |shipments: serde_json::Value| -> Result<ValidOrder, FieldErrors> {
            let order: OrderUpsert = serde_json::from_value(serde_json::json!({
                "number": "1001", "placed_at": "2026-11-20T10:00:00Z",
                "items": [{"product": "p", "quantity": 1}], "shipments": shipments
            }))
            .unwrap();
            order.validate()
        };
        let v = upsert(serde_json::json!([
            {"id": "s1", "carrier": "Yurtiçi Kargo", "tracking_number": "123456789012"},
            {"id": "s2", "tracking_number": "1Z5R89390357567127"},
            {"id": "s3", "carrier": "Yurtiçi Kargo", "tracking_number": "9",
             "tracking_url": "https://shop.example/track/9"},
            {"id": "s4", "carrier": "Our own van", "tracking_number": "7"},
            {"id": "s5", "carrier": "Aras Kargo"}
        ]))
        .unwrap();
        let shipped: Vec<(&str, Option<&str>)> = v
            .shipments
            .iter()
            .map(|s| (s.carrier.as_str(), s.tracking_url.as_deref()))
            .collect();
        assert_eq!(
            shipped,
            [
                (
                    "Yurtiçi Kargo",
                    Some(
                        "https://www.yurticikargo.com/tr/online-servisler/gonderi-sorgula?code=123456789012"
                    )
                ),
                (
                    "UPS",
                    Some("https://www.ups.com/track?tracknum=1Z5R89390357567127")
                ),
                ("Yurtiçi Kargo", Some("https://shop.example/track/9")),
                ("Our own van", None),
                ("Aras Kargo", None),
            ]
        );
        // A number anyone could have names no carrier: the carrier is still required.
        let e = upsert(serde_json::json!([{"id": "s1", "tracking_number": "123456789012"}]))
            .unwrap_err();
        assert_eq!(e.get("shipments"), Some(FieldProblem::Required));
    }

    #[test]
    fn events_are_checked_and_capped() {
        let ok: NewEvents = serde_json::from_value(serde_json::json!({"events": [
            {"shipment": "s1", "status": "shipped", "time": "2026-11-21T08:00:00+03:00", "location": "İstanbul"},
            {"shipment": "s1", "status": "delivered", "time": 1795000000000i64}
        ]}))
        .unwrap();
        let v = ok.validate().unwrap();
        assert_eq!(v[0].status, TrackingStatus::Shipped);
        assert_eq!(v[1].time, 1_795_000_000_000);
        let bad: NewEvents = serde_json::from_value(serde_json::json!({"events": [
            {"shipment": "s 1", "status": "lost", "time": "soon"}
        ]}))
        .unwrap();
        let e = bad.validate().unwrap_err();
        for field in ["events.shipment", "events.status", "events.time"] {
            assert!(e.get(field).is_some(), "{field}");
        }
        let many = NewEvents {
            events: Some(vec![EventInput::default(); MAX_EVENTS_PER_REQUEST + 1]),
        };
        assert_eq!(
            many.validate().unwrap_err().get("events"),
            Some(FieldProblem::TooMany {
                max: MAX_EVENTS_PER_REQUEST
            })
        );
        assert!(NewEvents::default().validate().is_err());
    }

    #[test]
    fn a_lookup_needs_a_number_and_an_email() {
        let ok = Lookup {
            number: Some(" 1001 ".into()),
            email: Some("a@b.co".into()),
            ..Lookup::default()
        };
        assert_eq!(ok.validate().unwrap(), ("1001".into(), "a@b.co".into()));
        let e = Lookup::default().validate().unwrap_err();
        assert_eq!(e.get("number"), Some(FieldProblem::Required));
        assert_eq!(e.get("email"), Some(FieldProblem::Required));
        let long = Lookup {
            number: Some("9".repeat(41)),
            email: Some("a@b.co".into()),
            ..Lookup::default()
        };
        assert_eq!(
            long.validate().unwrap_err().get("number"),
            Some(FieldProblem::TooLong { max: 40 })
        );
    }

    #[test]
    fn urls_must_be_web_addresses() {
        assert!(is_web_url("https://kargo.example/t?n=1"));
        for bad in [
            "",
            "https://",
            "javascript:alert(1)",
            "https://a b",
            "ftp://x",
        ] {
            assert!(!is_web_url(bad), "{bad}");
        }
    }
}
