//! Shopper events (`POST /v1/shops/{shop}/events`): what the loader queues on a shop's pages and
//! sends in small batches with `sendBeacon` when the page is hidden (JSON as `text/plain`, so no
//! preflight). They feed the recommendations (co-views, co-purchases) and their report
//! (impressions, clicks, attributed purchases).
//!
//! Privacy: a batch names its browser only by a random id the loader creates once the shop's
//! consent hook allows it (never under Global Privacy Control); no cookie, no address, no
//! email. The edge keeps a salted hash of that id.

use crate::Id;
use crate::recommend::{Arm, Source};
use crate::text::{FieldErrors, FieldProblem};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Events one batch may carry: each costs a few rows, and a request has a query budget.
pub const MAX_EVENTS_PER_BATCH: usize = 20;
/// Products one `purchase` event may list.
pub const MAX_PRODUCTS_PER_EVENT: usize = 20;
pub const MAX_REQUEST_BYTES: usize = 16 * 1024;

/// What a shopper did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    ProductView,
    AddToCart,
    Purchase,
    RecommendationShown,
    RecommendationClicked,
}

impl EventKind {
    pub const ALL: [EventKind; 5] = [
        EventKind::ProductView,
        EventKind::AddToCart,
        EventKind::Purchase,
        EventKind::RecommendationShown,
        EventKind::RecommendationClicked,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            EventKind::ProductView => "product_view",
            EventKind::AddToCart => "add_to_cart",
            EventKind::Purchase => "purchase",
            EventKind::RecommendationShown => "recommendation_shown",
            EventKind::RecommendationClicked => "recommendation_clicked",
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One event as the loader sends it; loosely typed so a bad event is refused alone.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct EventInput {
    /// A UUID the loader gives each event: the same event sent twice is stored once.
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// The product viewed, added, shown in a strip or clicked there; for a purchase attributed
    /// to a recommendation, the recommended product bought.
    #[serde(default)]
    pub product: Option<String>,
    /// The products of a purchase.
    #[serde(default)]
    pub products: Option<Vec<String>>,
    /// A purchase's order id: the order API's purchase of the same order counts once with it.
    #[serde(default)]
    pub order: Option<String>,
    /// Where a shown or clicked recommendation came from; for a purchase or add to cart, the
    /// recommendation it is attributed to (a click within the last 7 days on this browser).
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub arm: Option<String>,
}

/// The body of `POST /v1/shops/{shop}/events`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct EventBatch {
    /// The browser's random id (a UUID).
    #[serde(default)]
    pub browser: Option<String>,
    #[serde(default)]
    pub events: Vec<serde_json::Value>,
}

/// An event that passed every rule (serialized only inside the edge: its event queue).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopperEvent {
    pub id: String,
    pub kind: EventKind,
    pub product: Option<String>,
    pub products: Vec<String>,
    pub order: Option<String>,
    pub source: Option<Source>,
    pub arm: Option<Arm>,
}

/// An event the batch left out: its position and field → problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct RefusedEvent {
    pub index: usize,
    pub errors: BTreeMap<String, String>,
}

/// The answer to a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct EventsReceived {
    pub accepted: usize,
    /// Events already received (the same id), not counted again. Always 0 when `queued`: the
    /// queue's consumer drops them later.
    pub duplicates: usize,
    pub refused: Vec<RefusedEvent>,
    /// The accepted events were put on the deployment's event queue and are stored within
    /// seconds, each id once (absent when they were stored before the answer).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub queued: bool,
}

fn is_uuid(s: &str) -> bool {
    crate::idempotency::is_valid_key(s)
}

impl EventInput {
    pub fn validate(&self) -> Result<ShopperEvent, FieldErrors> {
        let mut errors = FieldErrors::default();
        let id = match self.id.as_deref() {
            Some(id) if is_uuid(id) => id.to_ascii_lowercase(),
            Some(_) => {
                errors.push("id", FieldProblem::NotAUuid);
                String::new()
            }
            None => {
                errors.push("id", FieldProblem::Required);
                String::new()
            }
        };
        let kind = match self.kind.as_deref().map(EventKind::parse) {
            Some(Some(kind)) => Some(kind),
            Some(None) => {
                errors.push("type", FieldProblem::NotAChoice);
                None
            }
            None => {
                errors.push("type", FieldProblem::Required);
                None
            }
        };
        let product = match self.product.as_deref().map(Id::parse) {
            None => None,
            Some(Ok(p)) => Some(p.to_string()),
            Some(Err(_)) => {
                errors.push("product", FieldProblem::InvalidId);
                None
            }
        };
        let mut products: Vec<String> = Vec::new();
        let listed = self.products.as_deref().unwrap_or_default();
        if listed.len() > MAX_PRODUCTS_PER_EVENT {
            errors.push(
                "products",
                FieldProblem::TooMany {
                    max: MAX_PRODUCTS_PER_EVENT,
                },
            );
        } else {
            for raw in listed {
                match Id::parse(raw) {
                    Ok(p) if !products.iter().any(|q| q == p.as_str()) => {
                        products.push(p.to_string())
                    }
                    Ok(_) => {}
                    Err(_) => {
                        errors.push("products", FieldProblem::InvalidId);
                        break;
                    }
                }
            }
        }
        let order = match self.order.as_deref().map(Id::parse) {
            None => None,
            Some(Ok(o)) => Some(o.to_string()),
            Some(Err(_)) => {
                errors.push("order", FieldProblem::InvalidId);
                None
            }
        };
        let source = match self.source.as_deref().map(Source::parse) {
            None => None,
            Some(Some(s)) => Some(s),
            Some(None) => {
                errors.push("source", FieldProblem::NotAChoice);
                None
            }
        };
        let arm = match self.arm.as_deref().map(Arm::parse) {
            None => None,
            Some(Some(a)) => Some(a),
            Some(None) => {
                errors.push("arm", FieldProblem::NotAChoice);
                None
            }
        };
        // What each kind needs to mean anything.
        match kind {
            Some(EventKind::ProductView | EventKind::AddToCart) if product.is_none() => {
                errors.push("product", FieldProblem::Required)
            }
            Some(EventKind::Purchase) if products.is_empty() && product.is_none() => {
                errors.push("products", FieldProblem::Required)
            }
            Some(EventKind::RecommendationShown | EventKind::RecommendationClicked)
                if product.is_none() || source.is_none() =>
            {
                errors.push(
                    if product.is_none() {
                        "product"
                    } else {
                        "source"
                    },
                    FieldProblem::Required,
                )
            }
            _ => {}
        }
        match kind {
            Some(kind) if errors.is_empty() => {
                // A purchase of one product may name it as `product`.
                if kind == EventKind::Purchase && products.is_empty() {
                    products.extend(product.clone());
                }
                Ok(ShopperEvent {
                    id,
                    kind,
                    product,
                    products,
                    order,
                    source,
                    arm,
                })
            }
            _ => Err(errors),
        }
    }
}

/// Why a whole batch is refused (422): nothing in it is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchError {
    Browser(FieldProblem),
    TooMany,
}

impl EventBatch {
    /// The browser id and the good events (each id once), and the refused ones.
    pub fn check(&self) -> Result<(String, Vec<ShopperEvent>, Vec<RefusedEvent>), BatchError> {
        let browser = match self.browser.as_deref() {
            Some(b) if is_uuid(b) => b.to_ascii_lowercase(),
            Some(_) => return Err(BatchError::Browser(FieldProblem::NotAUuid)),
            None => return Err(BatchError::Browser(FieldProblem::Required)),
        };
        if self.events.len() > MAX_EVENTS_PER_BATCH {
            return Err(BatchError::TooMany);
        }
        let mut good: Vec<ShopperEvent> = Vec::new();
        let mut refused = Vec::new();
        for (index, raw) in self.events.iter().enumerate() {
            let outcome = serde_json::from_value::<EventInput>(raw.clone())
                .map_err(|e| {
                    BTreeMap::from([(
                        "event".to_owned(),
                        format!("is not an event of the documented shape: {e}"),
                    )])
                })
                .and_then(|input| {
                    input.validate().map_err(|e| {
                        e.0.iter()
                            .map(|(f, p)| ((*f).to_owned(), p.to_string()))
                            .collect()
                    })
                });
            match outcome {
                Ok(event) if !good.iter().any(|g| g.id == event.id) => good.push(event),
                Ok(_) => {}
                Err(errors) => refused.push(RefusedEvent { index, errors }),
            }
        }
        Ok((browser, good, refused))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const B: &str = "5b0c7e1a-4f7e-4a58-9a57-0c6f1f8e3b21";
    const E1: &str = "0b5b1f64-2a7d-4a8e-9d7e-3f9f1f2a0c11";
    const E2: &str = "0b5b1f64-2a7d-4a8e-9d7e-3f9f1f2a0c12";

    fn batch(events: &str) -> EventBatch {
        serde_json::from_str(&format!(r#"{{"browser":"{B}","events":{events}}}"#)).expect("json")
    }

    #[test]
    fn good_events_pass_and_bad_ones_are_refused_alone() {
        let (browser, good, refused) = batch(&format!(
            r#"[{{"id":"{E1}","type":"product_view","product":"cup"}},
                {{"id":"x","type":"teleport","product":"../etc"}},
                {{"id":"{E2}","type":"purchase","products":["cup","shirt","cup"],"order":"A-1"}},
                7]"#
        ))
        .check()
        .expect("batch");
        assert_eq!(browser, B);
        assert_eq!(good.len(), 2);
        assert_eq!(good[1].products, vec!["cup", "shirt"], "each product once");
        assert_eq!(refused.len(), 2);
        for field in ["id", "type", "product"] {
            assert!(refused[0].errors.contains_key(field), "{field}");
        }
        assert!(refused[1].errors.contains_key("event"));
    }

    #[test]
    fn each_kind_needs_what_gives_it_meaning() {
        for (event, field) in [
            (r#"{"type":"product_view"}"#, "product"),
            (r#"{"type":"purchase"}"#, "products"),
            (
                r#"{"type":"recommendation_shown","product":"cup"}"#,
                "source",
            ),
            (
                r#"{"type":"recommendation_clicked","product":"cup"}"#,
                "source",
            ),
            (
                r#"{"type":"recommendation_clicked","product":"cup","source":"magic"}"#,
                "source",
            ),
            (
                r#"{"type":"product_view","product":"cup","arm":"c"}"#,
                "arm",
            ),
        ] {
            let with_id = event.replacen('{', &format!(r#"{{"id":"{E1}","#), 1);
            let input: EventInput = serde_json::from_str(&with_id).expect("json");
            assert!(
                input.validate().expect_err(event).get(field).is_some(),
                "{event}"
            );
        }
    }

    #[test]
    fn a_batch_needs_a_browser_id_and_a_bounded_size() {
        let no_browser: EventBatch = serde_json::from_str(r#"{"events":[]}"#).expect("json");
        assert_eq!(
            no_browser.check().err(),
            Some(BatchError::Browser(FieldProblem::Required))
        );
        let events: Vec<String> = (0..=MAX_EVENTS_PER_BATCH)
            .map(|i| format!(r#"{{"id":"{i}","type":"product_view","product":"p"}}"#))
            .collect();
        assert_eq!(
            batch(&format!("[{}]", events.join(","))).check().err(),
            Some(BatchError::TooMany)
        );
    }

    #[test]
    fn a_repeated_event_id_counts_once_in_a_batch() {
        let (_, good, _) = batch(&format!(
            r#"[{{"id":"{E1}","type":"product_view","product":"cup"}},
                {{"id":"{E1}","type":"product_view","product":"cup"}}]"#
        ))
        .check()
        .expect("batch");
        assert_eq!(good.len(), 1);
    }
}
