//! The widgets' one HTTP client for the edge: `fetch` from `web-sys` (no HTTP crate: each one
//! costs every shopper bytes), JSON through the browser's own parser (see `wire.rs`).

use js_sys::{Function, Promise};
use std::cell::OnceCell;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestCredentials, RequestInit, RequestMode, Response};

/// Where the edge is and which shop this page belongs to.
#[derive(Clone, Debug)]
pub struct Api {
    /// The edge's `/v1/` URL, ending in a slash.
    base: String,
    shop: String,
}

/// An answer from the edge: its status, its JSON body (`null` when there was none) and the
/// body's text as sent.
pub struct Answer {
    pub status: u16,
    pub body: JsValue,
    pub text: String,
}

impl Answer {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

impl Api {
    pub fn new(base: String, shop: String) -> Api {
        let base = if base.ends_with('/') {
            base
        } else {
            format!("{base}/")
        };
        Api { base, shop }
    }

    /// The URL of a shop resource, e.g. `shop_url("reviews")`. Path parts are merchant ids,
    /// already restricted to URL-safe characters by `memnun_protocol::Id`.
    pub fn shop_url(&self, path: &str) -> String {
        format!("{}shops/{}/{}", self.base, self.shop, path)
    }
}

thread_local! {
    /// The loader's `fetch` (`mount`): it answers a widget's first request with the one it
    /// started beside the module, when the widget's is the same.
    static LOADER_FETCH: OnceCell<Function> = const { OnceCell::new() };
}

/// Sends every request through the loader's `fetch` (every widget is mounted by the loader).
pub fn fetch_through(loader_fetch: Function) {
    LOADER_FETCH.with(|f| {
        let _ = f.set(loader_fetch);
    });
}

/// GETs public data. An `Err` means no answer arrived.
pub async fn get(url: &str) -> Result<Answer, JsValue> {
    let init = RequestInit::new();
    init.set_method("GET");
    init.set_mode(RequestMode::Cors);
    init.set_credentials(RequestCredentials::Omit);
    send(url, &init).await
}

/// POSTs `body` (already JSON) with its idempotency key. An `Err` means no answer arrived
/// (offline, edge down, CORS refused): the caller keeps the write and sends it again.
pub async fn post_json(url: &str, body: &str, idempotency_key: &str) -> Result<Answer, JsValue> {
    let headers = web_sys::Headers::new()?;
    headers.set("Content-Type", "application/json")?;
    headers.set(memnun_protocol::idempotency::HEADER, idempotency_key)?;
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_mode(RequestMode::Cors);
    init.set_credentials(RequestCredentials::Omit);
    init.set_headers(&headers);
    init.set_body(&JsValue::from_str(body));
    send(url, &init).await
}

async fn send(url: &str, init: &RequestInit) -> Result<Answer, JsValue> {
    let pending = LOADER_FETCH
        .with(|f| f.get().map(|f| f.call2(&JsValue::NULL, &url.into(), init)))
        .ok_or("not mounted by the loader")??;
    let response: Response = JsFuture::from(Promise::from(pending)).await?.dyn_into()?;
    let status = response.status();
    let text = JsFuture::from(response.text()?)
        .await?
        .as_string()
        .unwrap_or_default();
    let body = crate::wire::parse(&text);
    Ok(Answer { status, body, text })
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `crypto.randomUUID()`, or the error of calling it where it is missing: only secure
    /// contexts have it (not a shop served over plain http).
    #[wasm_bindgen(catch, js_namespace = crypto, js_name = randomUUID)]
    fn random_uuid() -> Result<String, wasm_bindgen::JsValue>;
}

/// A random UUID (version 4) from the browser's CSPRNG, for idempotency keys.
pub fn new_idempotency_key() -> String {
    if let Ok(uuid) = random_uuid() {
        return uuid;
    }
    let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) else {
        return String::new();
    };
    let random = js_sys::Uint8Array::new_with_length(16);
    if crypto
        .get_random_values_with_array_buffer_view(&random)
        .is_err()
    {
        return String::new();
    }
    let mut bytes = random.to_vec();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut uuid = String::with_capacity(36);
    for (i, byte) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            uuid.push('-');
        }
        uuid.push(HEX[usize::from(byte >> 4)] as char);
        uuid.push(HEX[usize::from(byte & 0x0f)] as char);
    }
    uuid
}

/// Resolves after `ms` milliseconds.
pub async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(promise).await;
}
