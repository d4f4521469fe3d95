//! Cloudflare's cache in front of the public reads. A Worker's answers are not kept by
//! Cloudflare's CDN on their own, whatever `Cache-Control` says; the Cache API
//! (`caches.default`) is how a Worker keeps them. The answers of the operations in [`keeps`]
//! (the recommendation strip, the snippets, the photos), when they say
//! `Cache-Control: public`, are kept in the data center's cache under their URL for as long as
//! they let a shared cache keep them (five minutes each), and the next reader there is answered
//! from the copy: no handler, no D1 read, no R2 read.
//!
//! Nothing is purged on a write. Five minutes is already how stale a shared cache may show these
//! answers, and the Cache API purges one data center only; what readers must see at once (the
//! review list, the questions) says `no-store` and is never kept. The review feed is left out:
//! it is streamed and may be tens of megabytes, which keeping a copy would hold in memory while
//! a slow reader reads. The key is the URL alone (no request header changes a public answer), so
//! a `Range` or `If-None-Match` of one reader never shapes another's answer.
//!
//! On where `PUBLIC_READ_CACHE` is "true" (production). The tests keep it off, since they write
//! and read back at once, except `tests/public-cache.test.mjs`, which turns it on. Cloudflare
//! ignores the Cache API on `*.workers.dev` addresses: a deployment needs a route on its own
//! zone for this to take effect.

use memnun_protocol::api::OperationName;
use worker::{Cache, Context, Env, Headers, Request, Response};

pub fn enabled(env: &Env) -> bool {
    env.var("PUBLIC_READ_CACHE")
        .is_ok_and(|v| v.to_string() == "true")
}

/// Whether `operation`'s public answers are kept.
pub fn keeps(operation: OperationName) -> bool {
    use OperationName as Op;
    matches!(
        operation,
        Op::Recommendations
            | Op::ReviewsJsonLd
            | Op::ReviewsHtml
            | Op::ReviewPhoto
            | Op::ReviewPhotoThumbnail
    )
}

/// The answer kept for `req`'s URL, if there is one. A failing cache is a miss.
pub async fn lookup(req: &Request) -> Option<Response> {
    let url = req.url().ok()?;
    let hit = Cache::default().get(url.as_str(), false).await.ok()??;
    // The cache's answer has immutable headers, and the router adds its own to every answer.
    let headers = Headers::new();
    for (name, value) in hit.headers().entries() {
        headers.set(&name, &value).ok()?;
    }
    let status = hit.status_code();
    let (_, body) = hit.into_parts();
    Response::from_body(body)
        .ok()
        .map(|r| r.with_status(status).with_headers(headers))
}

/// Keeps a copy of `resp` under `req`'s URL, after the answer has gone (`wait_until`), if it is
/// a success that says it is public. A photo's stream is teed, not read twice.
pub fn keep(ctx: &Context, req: &Request, resp: &mut Response) {
    let public = resp
        .headers()
        .get("Cache-Control")
        .ok()
        .flatten()
        .is_some_and(|value| value.split(',').any(|d| d.trim() == "public"));
    if !public || !(200..300).contains(&resp.status_code()) {
        return;
    }
    let (Ok(url), Ok(copy)) = (req.url(), resp.cloned()) else {
        return;
    };
    ctx.wait_until(async move {
        let _ = Cache::default().put(url.as_str(), copy).await;
    });
}
