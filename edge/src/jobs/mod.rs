//! What the Cron Triggers (`wrangler.toml [triggers]`) run: every minute, the webhook deliveries
//! and outreach messages that are due, imported photos' copies, the recommendation backlog, the overview's daily roll-up of
//! visits, and the retention purge; every
//! hour ([`HOURLY`]), the cases of parcels stuck without news. The event's own
//! time is the clock, so tests move it by triggering later. Each job runs in bounded slices, so a
//! backlog drains over several runs rather than overrunning one.

pub mod cases;
pub mod outreach;
pub mod overview;
pub mod photos;
pub mod retention;

use crate::handlers::{recommend, webhooks};
use crate::platform::databases;
use crate::platform::log;
use worker::{D1Database, Env};

/// The Cron Triggers' schedules (`wrangler.toml`), as the event names them.
pub const EVERY_MINUTE: &str = "* * * * *";
pub const HOURLY: &str = "0 * * * *";

/// Every data database in turn (`platform::databases`): each holds its shops' backlog.
pub async fn run(now: i64, cron: &str, env: &Env) {
    let run = format!("scheduled-{now}");
    let moving = match databases::in_moves(env).await {
        Ok(moving) => moving,
        Err(e) => {
            log::error(&run, &format!("the directory's moves unread: {e}"));
            return;
        }
    };
    for (binding, db) in databases::every_data_database(env) {
        if moving.contains(&binding) {
            log::info(
                &run,
                &format!("{binding} skipped this run: a shop is being moved"),
            );
            continue;
        }
        match db {
            Ok(db) => run_on(&run, &db, now, cron, env).await,
            Err(e) => log::error(&run, &format!("no database {binding}: {e}")),
        }
    }
}

async fn run_on(run: &str, db: &D1Database, now: i64, cron: &str, env: &Env) {
    match cron {
        HOURLY => {
            if let Err(e) = cases::open_stuck(db, now).await {
                log::error(run, &format!("stuck parcels failed: {e}"));
            }
        }
        EVERY_MINUTE => {
            if let Err(e) = webhooks::deliver_due(env, db, now).await {
                log::error(run, &format!("webhook deliveries failed: {e}"));
            }
            if let Err(e) = outreach::plan_digests(env, db, now).await {
                log::error(run, &format!("digest planning failed: {e}"));
            }
            if let Err(e) = outreach::send_due(env, db, now).await {
                log::error(run, &format!("outreach sends failed: {e}"));
            }
            if let Err(e) = recommend::ingest::drain_backlog(db).await {
                log::error(run, &format!("recommendation backlog failed: {e}"));
            }
            if let Err(e) = recommend::ingest::store_parked(env, db, run).await {
                log::error(run, &format!("parked events failed: {e}"));
            }
            if let Err(e) = overview::roll_up_visits(db, now).await {
                log::error(run, &format!("visit roll-up failed: {e}"));
            }
            if let Err(e) = retention::purge(db, now).await {
                log::error(run, &format!("retention purge failed: {e}"));
            }
            if let Err(e) = photos::purge_unclaimed(env, db, now).await {
                log::error(run, &format!("unclaimed photos' purge failed: {e}"));
            }
            // Last: it waits on other servers, and must not hold up the jobs above.
            if let Err(e) = photos::copy_due(env, db, now).await {
                log::error(run, &format!("photo copies failed: {e}"));
            }
        }
        // A schedule added to wrangler.toml without its jobs here: said, not run as another.
        _ => log::error(run, &format!("no jobs for the schedule {cron:?}")),
    }
}
