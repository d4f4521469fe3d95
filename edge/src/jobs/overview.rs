//! The overview's daily roll-up of visits: each run takes the shops furthest behind and rolls up
//! to a week of their days whose windows are over (`store::overview::roll_up`), so the overview
//! reads daily counts, not a year of events. A new shop's history takes a few runs; a shop whose
//! week fails is tried a day at a time, and if that fails too, said in the log and put behind
//! the others, who still advance.

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
        // A week too heavy for one run is tried a day at a time; what still fails is said, and
        // the shop waits behind the others until a run of it succeeds.
        let rolled = match store::roll_up(db, &due.shop, first, last, now).await {
            Err(_) if last > first => store::roll_up(db, &due.shop, first, first, now).await,
            other => other,
        };
        if let Err(e) = rolled {
            log::error(
                &format!("scheduled-{now}"),
                &format!("visit roll-up of shop {} failed: {e}", due.shop),
            );
            store::roll_up_failed(db, &due.shop, due.through_day).await?;
        }
    }
    Ok(())
}
