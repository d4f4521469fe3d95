//! The widget files: `/v1/memnun.js` (the loader, cached for minutes, since it names the current
//! release) and `/v1/assets/*` (content-hashed glue and wasm, cached for a year as immutable).
//! Any page may load them (`Access-Control-Allow-Origin: *`).

use crate::error::ApiError;
use worker::{Env, Headers, Request, Response};

pub const LOADER_PATH: &str = "/v1/memnun.js";

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
