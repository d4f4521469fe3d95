//! memnun's edge: a Cloudflare Worker that validates, stores (D1) and serves what the widgets
//! send and show, and serves the widgets themselves.
//!
//! Architecture invariant: this crate knows no DOM. Requests become typed values from
//! `memnun_protocol` at the door; every failure is an `ApiError`, answered as JSON in one place
//! (`router::fail`); nothing here panics on what a client sends.
//!
//! The tree is the architecture: `router` (the request path, driven by the route table in
//! `memnun_protocol::api`), `handlers` (one module per resource), `store` (every SQL statement),
//! `jobs` (what the Cron Trigger runs), `platform` (what they all stand on).

mod handlers;
mod jobs;
mod platform;
mod router;
mod store;

use worker::{Context, Env, Request, Response, ScheduleContext, ScheduledEvent, event};

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    Ok(router::route(req, env).await)
}

#[event(scheduled)]
async fn scheduled(event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    jobs::run(event.schedule() as i64, &event.cron(), &env).await;
}
