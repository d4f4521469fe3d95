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

use worker::{
    Context, Env, MessageBatch, Request, Response, ScheduleContext, ScheduledEvent, event,
};
use worker::{js_sys, web_sys};

#[event(fetch)]
async fn fetch(req: web_sys::Request, env: Env, ctx: Context) -> worker::Result<Response> {
    Ok(router::route(without_cf(req), env, &ctx).await)
}

/// workers-rs converts `request.cf` (what Cloudflare knows of the client: country, TLS, bot
/// score) into a Rust value on every request, and workerd builds that object anew for the getter:
/// 0.19 ms of a review POST's 3.9 ms of CPU (`bench/edge-profile.mjs`). memnun reads none of it,
/// so an own property shadows the getter before the conversion; if the runtime refuses, the
/// request is converted as it was.
fn without_cf(req: web_sys::Request) -> Request {
    let _ = js_sys::Reflect::define_property(&req, &"cf".into(), &js_sys::Object::new());
    Request::from(req)
}

/// The event queue and its dead-letter queue (`handlers::recommend::ingest`). Never an error:
/// each message is acknowledged or retried on its own.
#[event(queue)]
async fn queue(
    batch: MessageBatch<serde_json::Value>,
    env: Env,
    _ctx: Context,
) -> worker::Result<()> {
    handlers::recommend::ingest::consume(batch, &env).await;
    Ok(())
}

#[event(scheduled)]
async fn scheduled(event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    jobs::run(event.schedule() as i64, &event.cron(), &env).await;
}
