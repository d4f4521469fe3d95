//! The widget files: `/v1/memnun.js` (the loader, cached for minutes, since it names the current
//! release), `/v1/assets/*` (content-hashed glue and wasm, cached for a year as immutable) and
//! `/v1/modules/*` (the current release's glue and wasm of a page whose content is a widget, under
//! names a merchant can paste into preload hints, fresh for minutes like the loader). Any page may
//! load them (`Access-Control-Allow-Origin: *`).

use crate::platform::error::ApiError;
use std::collections::HashMap;
use worker::{Env, Headers, Request, RequestInit, Response};

pub const LOADER_PATH: &str = "/v1/memnun.js";

/// Which hashed file each stable module name is now (`cargo xtask build` writes it). Not routed:
/// only this handler reads it.
const MODULE_NAMES_PATH: &str = "/v1/modules.json";

/// The header naming the hashed file a stable name answered with. The loader takes a wasm only
/// if it is its own release's (a glue says its wasm itself): across a deploy, a browser may hold a
/// loader and a stable file of different releases.
const FILE_HEADER: &str = "Memnun-File";

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
    let cache = if req.path() == LOADER_PATH {
        MINUTES
    } else {
        IMMUTABLE
    };
    let upstream = env.assets("ASSETS")?.fetch_request(req).await?;
    public_file(upstream, cache, Headers::new(), "asset").await
}

const MINUTES: &str = "public, max-age=300";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// A stable name's answer: fresh for minutes like the loader, then used at once while it is
/// asked again in the background, so a page without the preload hints pays no round trip for it
/// on a later visit (a copy of another release is not taken, so a stale one costs only a fetch of
/// the hashed file).
const MINUTES_THEN_STALE: &str = "public, max-age=300, stale-while-revalidate=604800";

/// `GET /v1/modules/{file}`: the hashed glue or wasm that `file` (`survey.js`, `survey.wasm`,
/// `order-tracker.js`, `order-tracker.wasm`) names in this release, with the hashed name in
/// [`FILE_HEADER`].
pub async fn module(req: Request, env: &Env, file: &str) -> Result<Response, ApiError> {
    let assets = env.assets("ASSETS")?;
    let mut url = req.url()?;
    url.set_path(MODULE_NAMES_PATH);
    let mut names = assets.fetch(url.as_str(), None).await?;
    if names.status_code() != 200 {
        return Err(ApiError::Internal(format!(
            "{MODULE_NAMES_PATH} is missing ({}): deploy what `cargo xtask build` wrote",
            names.status_code()
        )));
    }
    let names: HashMap<String, String> = names.json().await?;
    let hashed = names.get(file).ok_or(ApiError::NotFound("module"))?;
    url.set_path(&format!("/v1/assets/{hashed}"));
    // The browser's validator goes along, so a held copy costs a 304.
    let headers = Headers::new();
    if let Some(tag) = req.headers().get("If-None-Match")? {
        headers.set("If-None-Match", &tag)?;
    }
    let mut init = RequestInit::new();
    init.with_method(req.method()).with_headers(headers);
    let upstream = assets.fetch(url.as_str(), Some(init)).await?;
    let headers = Headers::new();
    headers.set(FILE_HEADER, hashed)?;
    headers.set("Access-Control-Expose-Headers", FILE_HEADER)?;
    public_file(upstream, MINUTES_THEN_STALE, headers, "module").await
}

/// An asset's answer to any page: its type and validator, `cache`, and `headers`.
async fn public_file(
    mut upstream: Response,
    cache: &str,
    headers: Headers,
    what: &'static str,
) -> Result<Response, ApiError> {
    let status = upstream.status_code();
    if status != 200 && status != 304 {
        return Err(ApiError::NotFound(what));
    }
    for name in ["Content-Type", "ETag"] {
        if let Some(value) = upstream.headers().get(name)? {
            headers.set(name, &value)?;
        }
    }
    headers.set("Access-Control-Allow-Origin", "*")?;
    headers.set("Cross-Origin-Resource-Policy", "cross-origin")?;
    headers.set("X-Content-Type-Options", "nosniff")?;
    headers.set("Cache-Control", cache)?;
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
