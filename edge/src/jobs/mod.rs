//! What the Cron Trigger (`wrangler.toml [triggers]`, every minute) runs: the webhook
//! deliveries and outreach messages that are due, the cases of stuck parcels (hourly), the
//! recommendation backlog, and the retention purge. The event's own
//! time is the clock, so tests move it by triggering later. Each job runs in bounded slices, so a
//! backlog drains over several runs rather than overrunning one.

pub mod cases;
pub mod outreach;
pub mod retention;

use crate::handlers::{recommend, webhooks};
use crate::platform::log;
use crate::router::database;
use worker::Env;

pub async fn run(now: i64, env: &Env) {
    let run = format!("scheduled-{now}");
    match database(env) {
        Ok(db) => {
            // Before the deliveries, so a case opened here is announced in the same run.
            if let Err(e) = cases::open_stuck(&db, now).await {
                log::error(&run, &format!("stuck parcels failed: {e}"));
            }
            if let Err(e) = webhooks::deliver_due(env, &db, now).await {
                log::error(&run, &format!("webhook deliveries failed: {e}"));
            }
            if let Err(e) = outreach::plan_digests(env, &db, now).await {
                log::error(&run, &format!("digest planning failed: {e}"));
            }
            if let Err(e) = outreach::send_due(env, &db, now).await {
                log::error(&run, &format!("outreach sends failed: {e}"));
            }
            if let Err(e) = recommend::ingest::drain_backlog(&db).await {
                log::error(&run, &format!("recommendation backlog failed: {e}"));
            }
            if let Err(e) = retention::purge(&db, now).await {
                log::error(&run, &format!("retention purge failed: {e}"));
            }
        }
        Err(e) => log::error(&run, &format!("no database: {e}")),
    }
}
