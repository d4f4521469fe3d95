//! The overview's daily roll-up of visits: each run takes the shops furthest behind and rolls up
//! to a week of their days whose windows are over (`store::overview::roll_up`), so the overview
//! reads daily counts, not a year of events. A new shop's history takes a few runs; a shop whose
//! week fails is said in the log and tried again next run, and the others still advance.

use crate::platform::error::ApiError;
use crate::platform::log;
use crate::store::overview as store;
use worker::D1Database;

/// Shops per run (three statements each, within the minute's statement budget) and days per shop.
const SHOPS_PER_RUN: i64 = 4;
const DAYS_PER_RUN: i64 = 7;

pub async fn roll_up_visits(db: &D1Database, now: i64) -> Result<(), ApiError> {
    let last_final = store::last_final_day(now);
    for due in store::due_rollups(db, now, SHOPS_PER_RUN).await? {
        let first = due.through_day + 1;
        let last = (due.through_day + DAYS_PER_RUN).min(last_final);
        if let Err(e) = store::roll_up(db, &due.shop, first, last, now).await {
            log::error(
                &format!("scheduled-{now}"),
                &format!("visit roll-up of shop {} failed: {e}", due.shop),
            );
        }
    }
    Ok(())
}
