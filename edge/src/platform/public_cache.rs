//! Cloudflare's cache in front of the public reads. A Worker's answers are not kept by
//! Cloudflare's CDN on their own, whatever `Cache-Control` says; the Cache API
//! (`caches.default`) is how a Worker keeps them. An answer a public route marks
//! `Cache-Control: public, max-age=N` (the snippets, the review feed, the recommendations, the
//! photos) is kept in the data center's cache under its URL for those N seconds (five minutes at
//! most), and the next reader there is answered from it: no handler, no D1 read, no R2 read.
//!
//! Nothing is purged on a write. The max-age a route sets is already how stale a browser or any
//! shared cache may show its answer, and the Cache API purges one data center only; a route
//! whose readers must see a write at once (the review list, the questions) says `no-store` and
//! is never kept. The key is the URL alone (no request header changes a public answer), so a
//! `Range` or `If-None-Match` of one reader never shapes another's answer.
//!
//! On where `PUBLIC_READ_CACHE` is "true" (production). The tests keep it off, since they write
//! and read back at once, except `tests/public-cache.test.mjs`, which turns it on. Cloudflare
//! ignores the Cache API on `*.workers.dev` addresses: a deployment needs a route on its own
//! zone for this to take effect.

use worker::{Cache, Context, Env, Headers, Request, Response};

/// The longest a shared cache keeps a public answer: what a take-down may take to show.
const SHARED_MAX_AGE_S: u32 = 300;

pub fn enabled(env: &Env) -> bool {
    env.var("PUBLIC_READ_CACHE")
        .is_ok_and(|v| v.to_string() == "true")
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
/// a success that says it is public. A streamed answer (the feed, a photo) is teed, not read
/// twice. Shared caches, this one included, keep it `SHARED_MAX_AGE_S` at most (`s-maxage`),
/// so a photo taken down leaves Cloudflare's cache within minutes while browsers keep theirs a
/// day.
pub fn keep(ctx: &Context, req: &Request, resp: &mut Response) {
    let Some(control) = resp.headers().get("Cache-Control").ok().flatten() else {
        return;
    };
    let directives: Vec<&str> = control.split(',').map(str::trim).collect();
    if !directives.contains(&"public") || !(200..300).contains(&resp.status_code()) {
        return;
    }
    let max_age = directives
        .iter()
        .find_map(|d| d.strip_prefix("max-age=")?.parse::<u32>().ok())
        .unwrap_or(0);
    let shared = directives.iter().any(|d| d.starts_with("s-maxage="));
    if max_age > SHARED_MAX_AGE_S && !shared {
        let capped = format!("{control}, s-maxage={SHARED_MAX_AGE_S}");
        if resp.headers_mut().set("Cache-Control", &capped).is_err() {
            return;
        }
    }
    let (Ok(url), Ok(copy)) = (req.url(), resp.cloned()) else {
        return;
    };
    ctx.wait_until(async move {
        let _ = Cache::default().put(url.as_str(), copy).await;
    });
}
