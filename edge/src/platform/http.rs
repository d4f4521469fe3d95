//! Reading requests and writing answers the same way on every endpoint: capped JSON bodies,
//! content types, JSON answers, CORS headers, the client's identity.

use crate::platform::error::ApiError;
use futures_util::StreamExt;
use memnun_protocol::Id;
use serde::Serialize;
use serde::de::DeserializeOwned;
use worker::{D1Database, D1PreparedStatement, D1Result, Env, Headers, Request, Response};

/// Which content types a JSON endpoint reads.
#[derive(Clone, Copy)]
pub enum BodyType {
    Json,
    /// JSON sent by `navigator.sendBeacon`, which can only send it as `text/plain` (a
    /// CORS-safelisted type, so no preflight).
    Beacon,
}

/// Reads and parses a JSON body of at most `max_bytes`, refusing larger ones before parsing.
/// Returns the parsed value and the raw bytes (hashed for idempotency).
pub async fn read_json<T: DeserializeOwned>(
    req: &mut Request,
    max_bytes: usize,
    body_type: BodyType,
) -> Result<(T, Vec<u8>), ApiError> {
    let media: &[&'static str] = match body_type {
        BodyType::Json => &["application/json"],
        BodyType::Beacon => &["application/json", "text/plain"],
    };
    let bytes = read_body(req, max_bytes, media).await?;
    // serde would read a JSON array as a struct's fields in order; only objects are ours.
    if bytes.trim_ascii_start().first() != Some(&b'{') {
        return Err(ApiError::MalformedJson("expected a JSON object".into()));
    }
    let value =
        serde_json::from_slice(&bytes).map_err(|e| ApiError::MalformedJson(e.to_string()))?;
    Ok((value, bytes))
}

pub fn json<T: Serialize>(status: u16, value: &T) -> Result<Response, ApiError> {
    let body = serde_json::to_string(value).map_err(|e| ApiError::Internal(e.to_string()))?;
    json_text(status, body)
}

pub fn json_text(status: u16, body: String) -> Result<Response, ApiError> {
    let headers = Headers::new();
    headers.set("Content-Type", "application/json; charset=utf-8")?;
    headers.set("Cache-Control", "no-store")?;
    Ok(Response::ok(body)?
        .with_status(status)
        .with_headers(headers))
}

/// Reads a body of one of the `media` types, of at most `max_bytes`: larger ones are refused
/// (413) by their `Content-Length` before reading, or as soon as more arrives than allowed.
pub async fn read_body(
    req: &mut Request,
    max_bytes: usize,
    media: &[&'static str],
) -> Result<Vec<u8>, ApiError> {
    let announced = announced_length(req, max_bytes, media)?;
    // HTTP delivers no more than a body's announced length, so it fits the bound: one
    // `arrayBuffer()` instead of a stream reader (0.15 ms less CPU for a review POST,
    // `bench/edge-profile.mjs`). Not when it also says chunked, where the length means nothing
    // and only counting what arrives holds the bound. The count stays as a guard.
    if announced.is_some() && req.headers().get("Transfer-Encoding")?.is_none() {
        let bytes = req.bytes().await.map_err(|e| match e {
            worker::Error::BodyUsed => ApiError::Internal("the body was read twice".into()),
            _ => lost_body(),
        })?;
        if bytes.len() > max_bytes {
            return Err(ApiError::PayloadTooLarge(max_bytes));
        }
        return Ok(bytes);
    }
    let mut body = BodyStream::counting(req, max_bytes)?;
    let mut bytes = Vec::new();
    while let Some(chunk) = body.next_chunk().await? {
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// A client that goes away mid-body is not our failure: no log line, and a 400 (which nobody
/// reads) instead of a 500.
fn lost_body() -> ApiError {
    ApiError::MalformedJson("the body did not arrive whole (the connection was lost)".into())
}

/// A body read as it arrives (see [`body_stream`]).
pub struct BodyStream {
    stream: worker::ByteStream,
    max_bytes: usize,
    seen: usize,
}

impl BodyStream {
    /// `req`'s body, counted as it arrives: Content-Length may be absent (chunked).
    fn counting(req: &mut Request, max_bytes: usize) -> Result<Self, ApiError> {
        Ok(Self {
            stream: req.stream()?,
            max_bytes,
            seen: 0,
        })
    }

    /// The next bytes, `None` at the end, or `413` once more than the bound has arrived.
    pub async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, ApiError> {
        let Some(chunk) = self.stream.next().await else {
            return Ok(None);
        };
        let chunk = chunk.map_err(|_| lost_body())?;
        self.seen += chunk.len();
        if self.seen > self.max_bytes {
            // Answering while the client still sends makes it see a reset, not our 413.
            drain(&mut self.stream).await;
            return Err(ApiError::PayloadTooLarge(self.max_bytes));
        }
        Ok(Some(chunk))
    }
}

/// A body of one of the `media` types, of at most `max_bytes`, to read as it arrives: one
/// announced larger is refused (413) before reading.
pub fn body_stream(
    req: &mut Request,
    max_bytes: usize,
    media: &[&'static str],
) -> Result<BodyStream, ApiError> {
    announced_length(req, max_bytes, media)?;
    BodyStream::counting(req, max_bytes)
}

/// The body's announced length, if any, once its type is one of `media` and that length is
/// within `max_bytes` (else 415 or 413, before anything is read).
fn announced_length(
    req: &Request,
    max_bytes: usize,
    media: &[&'static str],
) -> Result<Option<usize>, ApiError> {
    let content_type = req.headers().get("Content-Type")?.unwrap_or_default();
    let given = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if !media.contains(&given.as_str()) {
        return Err(ApiError::UnsupportedMediaType(
            media.first().copied().unwrap_or(""),
        ));
    }
    match req.headers().get("Content-Length")? {
        None => Ok(None),
        Some(length) => match length.trim().parse::<usize>() {
            Ok(n) if n <= max_bytes => Ok(Some(n)),
            // Left unread here; `router` drains it (or closes the connection) after answering.
            _ => Err(ApiError::PayloadTooLarge(max_bytes)),
        },
    }
}

/// The request's query string read into `Q` (see `memnun_protocol::api::query`), or a `400`
/// naming the parameter that cannot be read.
pub fn query<Q: DeserializeOwned>(req: &Request) -> Result<Q, ApiError> {
    let url = req.url()?;
    memnun_protocol::api::query::parse(url.query_pairs()).map_err(ApiError::InvalidParameter)
}

/// Cuts a list read with `LIMIT limit + 1` to `limit` and answers the cursor of its last item
/// when that extra row said more are left (`None` on the last page).
pub fn next_page<T>(
    items: &mut Vec<T>,
    limit: u32,
    cursor_of: impl Fn(&T) -> String,
) -> Option<String> {
    if items.len() <= limit as usize {
        return None;
    }
    items.truncate(limit as usize);
    items.last().map(cursor_of)
}

/// The longest search (`q`) a merchant list reads.
pub const SEARCH_MAX_CHARS: usize = 100;

/// A search parameter `q`: 1–100 characters without control characters, NFC-normalised as
/// stored text is (so a letter typed decomposed still finds itself), ASCII letters lowered.
///
/// Lists compare it with `instr(lower(column), ?)`, not LIKE: D1 refuses LIKE patterns over 50
/// bytes, fewer than 100 Turkish letters take, and `instr` has no wildcards to escape, so `%`
/// and `_` find only themselves. SQLite's `lower` folds ASCII letters only, as this does:
/// `kumaş` finds `KUMAş` but not `KUMAŞ`.
pub fn search_term(value: &str) -> Result<String, ApiError> {
    let term = memnun_protocol::text::normalize(value);
    let chars = term.chars().count();
    if chars == 0 || chars > SEARCH_MAX_CHARS || term.chars().any(char::is_control) {
        return Err(ApiError::InvalidParameter(format!(
            "q must be 1 to {SEARCH_MAX_CHARS} characters without control characters \
             (leave it out to list everything)"
        )));
    }
    Ok(term.to_ascii_lowercase())
}

/// Who may read an answer from another origin.
#[derive(Clone, Debug)]
pub enum Cors {
    /// Public data: any page may read it.
    Public,
    /// A write from one of the shop's allowed origins: only that origin may read the answer.
    Origin(String),
    /// Not readable cross-origin (merchant API, or an origin that is not allowed).
    None,
}

impl Cors {
    pub fn apply(&self, resp: &mut Response) -> Result<(), ApiError> {
        let headers = resp.headers_mut();
        match self {
            Cors::Public => headers.set("Access-Control-Allow-Origin", "*")?,
            Cors::Origin(origin) => {
                headers.set("Access-Control-Allow-Origin", origin)?;
                headers.append("Vary", "Origin")?;
            }
            Cors::None => {}
        }
        Ok(())
    }
}

/// The request's `Origin`, if it sent one.
pub fn origin(req: &Request) -> Option<String> {
    req.headers().get("Origin").ok().flatten()
}

/// Counts one write by `key` against the limiter bound as `binding` in `wrangler.toml`.
pub async fn rate_limit(env: &Env, binding: &str, key: String) -> Result<(), ApiError> {
    let limiter = env.rate_limiter(binding)?;
    let outcome = limiter.limit(key).await?;
    if outcome.success {
        Ok(())
    } else {
        // The binding's windows are 10 or 60 s and it does not say which part is left.
        Err(ApiError::RateLimited(60))
    }
}

/// Reads (and drops) what is left of a body the handler did not read, up to `DRAIN_LIMIT`
/// bytes. Answering before the body is read makes workerd close the connection without saying
/// so (a `Connection: close` set here is dropped by the runtime), and a client that reuses it
/// for its next request sees that request fail (`ECONNRESET`, or wrangler's "worker restarted
/// mid-request"). A larger body costs its sender the connection.
pub async fn drain_unread_body(req: &mut Request) {
    if req.inner().body_used() || req.inner().body().is_none() {
        return;
    }
    // A body announced as larger than the bound would be read in vain: the connection goes.
    let announced = req.headers().get("Content-Length").ok().flatten();
    if announced
        .and_then(|l| l.trim().parse::<usize>().ok())
        .is_some_and(|n| n > DRAIN_LIMIT)
    {
        return;
    }
    let Ok(mut stream) = req.stream() else { return };
    drain(&mut stream).await;
}

/// The most of an unread body the edge reads to keep a connection usable: twice the largest
/// body any endpoint takes (the CSV import's 2 MiB), so a client that sent too much keeps its
/// connection. The bytes are only counted, never kept.
const DRAIN_LIMIT: usize = 4 * 1024 * 1024;

/// Reads (and drops) up to `DRAIN_LIMIT` more bytes of `stream`.
async fn drain(stream: &mut worker::ByteStream) {
    let mut seen = 0;
    while let Some(Ok(chunk)) = stream.next().await {
        seen += chunk.len();
        if seen > DRAIN_LIMIT {
            break;
        }
    }
}

/// A merchant report's period from its `from` and `to` query values (`protocol::time::
/// report_period`), or a 400 that says what is wrong.
pub fn report_period(
    from: Option<&str>,
    to: Option<&str>,
    now: i64,
    default_days: i64,
) -> Result<(i64, i64), ApiError> {
    use memnun_protocol::FieldProblem;
    use memnun_protocol::time::{self, REPORT_MAX_DAYS};
    time::report_period(from, to, now, default_days).map_err(|errors| {
        let said: Vec<String> = errors
            .0
            .iter()
            .map(|(field, problem)| match problem {
                FieldProblem::OutOfRange { .. } => format!(
                    "{field} must be before to, and the period at most {REPORT_MAX_DAYS} days"
                ),
                other => format!("{field} {other}"),
            })
            .collect();
        ApiError::InvalidParameter(said.join("; "))
    })
}

/// JSON text of a value to bind as a statement parameter (lists read by `json_each`).
pub fn to_json<T: Serialize>(value: &T) -> Result<String, ApiError> {
    serde_json::to_string(value).map_err(|e| ApiError::Internal(e.to_string()))
}

/// Runs `statements` in one D1 batch (one round trip) and gives their `N` results in order.
pub async fn batch<const N: usize>(
    db: &D1Database,
    statements: Vec<D1PreparedStatement>,
) -> Result<[D1Result; N], ApiError> {
    <[D1Result; N]>::try_from(db.batch(statements).await?)
        .map_err(|_| ApiError::Internal("batch answered a wrong number of results".into()))
}

/// A path or query parameter that must be an id: `what` names it in the 400.
pub fn parse_id(what: &str, raw: &str) -> Result<Id, ApiError> {
    Id::parse(raw).map_err(|e| ApiError::InvalidParameter(format!("{what} id {e}")))
}

/// A CSV file for the merchant to save as `filename`: never kept by a cache.
pub fn csv_download(csv: String, filename: &str) -> Result<Response, ApiError> {
    let mut resp = Response::ok(csv)?;
    let headers = resp.headers_mut();
    headers.set("Content-Type", "text/csv; charset=utf-8; header=present")?;
    headers.set(
        "Content-Disposition",
        &format!("attachment; filename=\"{filename}\""),
    )?;
    headers.set("Cache-Control", "no-store")?;
    Ok(resp)
}
