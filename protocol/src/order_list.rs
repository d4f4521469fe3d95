//! The merchant's lists of orders (`GET /v1/admin/orders`) and of shipments that need someone
//! to act (`GET /v1/admin/shipments/attention`): what the dashboard's orders page shows.

use crate::api::query::{Bounded, Cursor, FromCursor};
use crate::ids::Id;
use crate::order::TrackingStatus;
use serde::{Deserialize, Serialize};

/// Orders or shipments per page when not asked otherwise, and at most.
pub const PAGE_SIZE_DEFAULT: u32 = 20;
pub const PAGE_SIZE_MAX: u32 = 100;
/// A shipment whose last event is older than this many days needs attention, unless asked
/// otherwise (`?days=`, 1–90).
pub const STALE_DAYS_DEFAULT: u32 = 5;
pub const STALE_DAYS_MAX: u32 = 90;

/// One order in the merchant's list, newest placed first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OrderSummary {
    /// The merchant's own id (the `{order}` of `/v1/admin/orders/{order}`).
    pub id: String,
    /// The number the shopper knows.
    pub number: String,
    /// Unix milliseconds.
    pub placed_at: i64,
    pub updated_at: i64,
    /// When every shipment was first delivered.
    pub delivered_at: Option<i64>,
    /// The least advanced shipment's status, as the shopper's tracker shows it.
    pub status: TrackingStatus,
    pub shipments: u32,
    /// The time of the newest tracking event of any shipment.
    pub last_event_at: Option<i64>,
}

/// A page of `GET /v1/admin/orders?q=&limit=&cursor=`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OrderPage {
    pub orders: Vec<OrderSummary>,
    pub next_cursor: Option<String>,
}

/// Why a shipment is on the attention list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum AttentionReason {
    /// Its last event is an exception.
    Exception,
    /// Not delivered, returned or cancelled, and nothing has happened for `days` days.
    Stale,
}

/// A shipment that needs the merchant, oldest activity first (the most urgent at the top).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ShipmentAttention {
    pub order: String,
    pub number: String,
    pub shipment: String,
    pub carrier: String,
    pub tracking_number: Option<String>,
    /// The status of its last event; `ordered` before any.
    pub status: TrackingStatus,
    /// The time of its last event, or when the order was placed if it has none.
    pub last_activity_at: i64,
    pub reason: AttentionReason,
}

/// A page of `GET /v1/admin/shipments/attention?days=&limit=&cursor=`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct AttentionPage {
    pub days: u32,
    pub shipments: Vec<ShipmentAttention>,
    pub next_cursor: Option<String>,
}

/// The cursor of a list kept in (time, id…) order: after the row with this time and these ids.
/// Written `time.id`, or `time.order~shipment`: the time never holds a `.`, and ids (1–64 of
/// `A–Z a–z 0–9 . _ -`) never hold a `~`, so one split reads it back. Used by the order list,
/// the attention list and the survey's response list.
pub fn encode_cursor(time: i64, ids: &[&str]) -> String {
    format!("{time}.{}", ids.join("~"))
}

/// Reads a cursor of [`encode_cursor`] with exactly `N` ids; anything else (another list's
/// cursor, a forged one) is `None`.
pub fn decode_cursor<const N: usize>(raw: &str) -> Option<(i64, [Id; N])> {
    let (time, ids) = raw.split_once('.')?;
    let parsed: i64 = time.parse().ok()?;
    // One spelling per time: `+5` or `05` were never given out.
    if parsed.to_string() != time {
        return None;
    }
    let ids: Vec<Id> = ids
        .split('~')
        .map(|id| Id::parse(id).ok())
        .collect::<Option<_>>()?;
    Some((parsed, ids.try_into().ok()?))
}

/// `GET /v1/admin/orders`: newest placed first. `q` finds orders whose number or id starts with
/// it (ASCII letters in any case).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct OrderListQuery {
    /// 1-100 characters; leave it out to list everything.
    pub q: Option<String>,
    pub limit: Bounded<PAGE_SIZE_MAX>,
    pub cursor: Option<Cursor<(i64, [Id; 1])>>,
}

impl Default for OrderListQuery {
    fn default() -> Self {
        OrderListQuery {
            q: None,
            limit: Bounded(PAGE_SIZE_DEFAULT),
            cursor: None,
        }
    }
}

/// `GET /v1/admin/shipments/attention`: shipments with no news for `days`, or in trouble.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct AttentionQuery {
    /// Days without news after which a shipment counts as stale.
    pub days: Bounded<STALE_DAYS_MAX>,
    pub limit: Bounded<PAGE_SIZE_MAX>,
    pub cursor: Option<Cursor<(i64, [Id; 2])>>,
}

impl Default for AttentionQuery {
    fn default() -> Self {
        AttentionQuery {
            days: Bounded(STALE_DAYS_DEFAULT),
            limit: Bounded(PAGE_SIZE_DEFAULT),
            cursor: None,
        }
    }
}

impl<const N: usize> FromCursor for (i64, [Id; N]) {
    fn from_cursor(raw: &str) -> Option<Self> {
        decode_cursor::<N>(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_with_dots_in_ids() {
        let (time, [order]) = decode_cursor::<1>(&encode_cursor(1_795_000_000_000, &["A.1-x"]))
            .expect("a cursor it gave out");
        assert_eq!((time, order.as_str()), (1_795_000_000_000, "A.1-x"));
        let (time, [order, shipment]) =
            decode_cursor::<2>(&encode_cursor(0, &["o.1", "s.2"])).expect("a cursor it gave out");
        assert_eq!((time, order.as_str(), shipment.as_str()), (0, "o.1", "s.2"));
        assert!(decode_cursor::<1>(&encode_cursor(-5, &["o"])).is_some());
    }

    #[test]
    fn forged_cursors_are_refused() {
        for raw in [
            "",
            ".",
            "5",
            "5.",
            "x.o",
            "05.o",
            "+5.o",
            "5.o~",
            "5.o o",
            "5.o%",
            "5.' OR 1=1 --",
            "99999999999999999999.o",
        ] {
            assert!(decode_cursor::<1>(raw).is_none(), "{raw:?}");
        }
        assert!(
            decode_cursor::<2>("5.o").is_none(),
            "one id where two are expected"
        );
        assert!(
            decode_cursor::<1>("5.o~s").is_none(),
            "two ids where one is expected"
        );
        assert!(decode_cursor::<1>(&format!("5.{}", "x".repeat(65))).is_none());
    }
}
