//! Opens a case for each parcel stuck without news past its shop's `stuck_after_days`: on the
//! hourly trigger, a bounded number per run, the longest silent first. A
//! parcel is signalled once per silence: news and then a new silence signal it again (joining
//! the order's shipment case while it is unresolved).

use crate::handlers::cases::signal;
use crate::platform::error::ApiError;
use crate::store::cases::{self as store, Signal, Subject};
use memnun_protocol::Id;
use memnun_protocol::cases::CaseCause;
use worker::D1Database;

/// Parcels signalled per run; a backlog takes the next hours.
const STUCK_PER_RUN: u32 = 50;
/// Signals per batch (each is four statements).
const SIGNALS_PER_BATCH: usize = 10;

pub async fn open_stuck(db: &D1Database, now: i64) -> Result<(), ApiError> {
    let stuck = store::stuck(db, now, STUCK_PER_RUN).await?;
    for chunk in stuck.chunks(SIGNALS_PER_BATCH) {
        let mut batch = Vec::new();
        for parcel in chunk {
            let Ok(shop) = Id::parse(&parcel.shop_id) else {
                continue;
            };
            batch.extend(signal(
                db,
                &Signal {
                    shop: &shop,
                    cause: CaseCause::Shipment,
                    subject: Subject::Order(&parcel.order_id),
                    review: None,
                    key: &format!(
                        "shipment:{}:{}:stuck:{}",
                        parcel.order_id, parcel.shipment_id, parcel.last_activity_at
                    ),
                    detail: serde_json::json!({
                        "shipment": parcel.shipment_id, "carrier": parcel.carrier,
                        "status": "stuck", "last_activity_at": parcel.last_activity_at,
                        "days": parcel.days,
                    }),
                    now,
                },
                None,
            )?);
        }
        if !batch.is_empty() {
            db.batch(batch).await?;
        }
    }
    Ok(())
}
