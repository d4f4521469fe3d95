//! The widget files: `/v1/memnun.js` (the loader, cached for minutes, since it names the current
//! release) and `/v1/assets/*` (content-hashed glue and wasm, cached for a year as immutable).
//! Any page may load them (`Access-Control-Allow-Origin: *`).

use crate::platform::error::ApiError;
use worker::{Env, Headers, Request, Response};

pub const LOADER_PATH: &str = "/v1/memnun.js";

/// The merchant dashboard's page may run only its own script and wasm and talk only to this
/// origin; no other site may frame it (the key typed into it is worth stealing). Its images are
/// its own, or `blob:` URLs of photos it fetched with the key (a held photo has no public address).
const ADMIN_CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self'; connect-src 'self'; img-src 'self' data: blob:; base-uri 'none'; \
    form-action 'none'; frame-ancestors 'none'";

/// `GET /admin`: the dashboard (`public/admin.html`, written by `cargo xtask build`), which
/// names the current release's hashed files: revalidated on every visit.
pub async fn admin_page(req: Request, env: &Env) -> Result<Response, ApiError> {
    // The assets binding answers `/admin` with `admin.html` (its html_handling).
    let mut upstream = env.assets("ASSETS")?.fetch_request(req).await?;
    if upstream.status_code() != 200 {
        return Err(ApiError::NotFound("dashboard"));
    }
    let headers = Headers::new();
    headers.set("Content-Type", "text/html; charset=utf-8")?;
    headers.set("Cache-Control", "no-cache")?;
    headers.set("Content-Security-Policy", ADMIN_CSP)?;
    headers.set("X-Frame-Options", "DENY")?;
    headers.set("X-Content-Type-Options", "nosniff")?;
    headers.set("Referrer-Policy", "no-referrer")?;
    headers.set("Cross-Origin-Resource-Policy", "same-origin")?;
    // No window this page opens (or that opened it) can reach into it.
    headers.set("Cross-Origin-Opener-Policy", "same-origin")?;
    Ok(Response::builder()
        .with_status(200)
        .with_headers(headers)
        .fixed(upstream.bytes().await?))
}

pub async fn serve(req: Request, env: &Env) -> Result<Response, ApiError> {
    let is_loader = req.path() == LOADER_PATH;
    let mut upstream = env.assets("ASSETS")?.fetch_request(req).await?;
    let status = upstream.status_code();
    if status != 200 && status != 304 {
        return Err(ApiError::NotFound("asset"));
    }
    let headers = Headers::new();
    for name in ["Content-Type", "ETag"] {
        if let Some(value) = upstream.headers().get(name)? {
            headers.set(name, &value)?;
        }
    }
    headers.set("Access-Control-Allow-Origin", "*")?;
    headers.set("Cross-Origin-Resource-Policy", "cross-origin")?;
    headers.set("X-Content-Type-Options", "nosniff")?;
    headers.set(
        "Cache-Control",
        if is_loader {
            "public, max-age=300"
        } else {
            "public, max-age=31536000, immutable"
        },
    )?;
    let body = if status == 200 {
        upstream.bytes().await?
    } else {
        Vec::new()
    };
    Ok(Response::builder()
        .with_status(status)
        .with_headers(headers)
        .fixed(body))
}
