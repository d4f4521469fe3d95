//! Log lines and the request id that ties them to answers. Every answer carries `X-Request-Id`
//! and every line this worker logs is JSON naming the same id (or the scheduled run's), so a
//! merchant who quotes an id from a failed answer leads straight to its line in Workers Logs.
//!
//! What may be logged: error details from D1 and the runtime, and ids. Never a request body,
//! header, email, key, token or secret: nothing here takes them, and the tests read every line
//! the worker writes during the hostile and privacy tests looking for them.

use crate::platform::secure::random_hex;
use worker::Request;

pub const REQUEST_ID_HEADER: &str = "X-Request-Id";

/// Cloudflare's own `CF-Ray` id when it is there (it also names the request in Cloudflare's
/// logs), else a random one (locally, and if the header is ever missing or malformed).
pub fn request_id(req: &Request) -> String {
    let ray = req.headers().get("CF-Ray").ok().flatten();
    match ray {
        Some(ray)
            if !ray.is_empty()
                && ray.len() <= 64
                && ray.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') =>
        {
            ray
        }
        _ => random_hex(8).unwrap_or_else(|_| "unknown".to_owned()),
    }
}

/// One error line about the request (or scheduled run) `id`.
pub fn error(id: &str, message: &str) {
    worker::console_error!(
        "{}",
        serde_json::json!({ "level": "error", "request_id": id, "message": message })
    );
}

/// One line about the request (or scheduled run) `id` that tells of no failure: something the
/// edge chose not to do, and why.
pub fn info(id: &str, message: &str) {
    worker::console_log!(
        "{}",
        serde_json::json!({ "level": "info", "request_id": id, "message": message })
    );
}
