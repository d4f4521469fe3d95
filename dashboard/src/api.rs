//! The dashboard's one client: the documented admin API (`/v1/admin/…`) on the origin that
//! served the page, with the shop's key as a bearer token. No private routes: anything the
//! dashboard does, a merchant's own script can do with the same calls.

use memnun_protocol::ErrorBody;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestCredentials, RequestInit, Response};

/// The signed-in shop's key. Cloning is cheap.
#[derive(Clone, PartialEq)]
pub struct Client {
    key: Arc<str>,
}

/// Never prints the key: a debug line must not be where it leaks.
impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Client { key: <hidden> }")
    }
}

/// Why a call did not give what was asked.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// The key is wrong or revoked (401).
    Unauthorized,
    /// The edge refused, with its message and the fields at fault (`field`, `problem`).
    Refused {
        status: u16,
        message: String,
        fields: Vec<(String, String)>,
    },
    /// No answer arrived, or not one this client can read.
    Network,
}

impl Failure {
    pub fn field(&self, name: &str) -> Option<String> {
        match self {
            Failure::Refused { fields, .. } => fields
                .iter()
                .find(|(f, _)| f == name)
                .map(|(_, problem)| problem.clone()),
            _ => None,
        }
    }
}

pub enum Body {
    None,
    Json(String),
    /// A file the merchant picked, sent as it is on disk: the edge, not the browser, says
    /// whether it is UTF-8 (the browser would silently replace what is not).
    CsvFile(web_sys::File),
}

impl Client {
    pub fn new(key: &str) -> Client {
        Client { key: key.into() }
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    /// Sends one request to `/v1/admin/{path}` and answers the body's text on success.
    pub async fn call(&self, method: &str, path: &str, body: Body) -> Result<String, Failure> {
        let (status, text) = self
            .raw(method, path, body)
            .await
            .map_err(|_| Failure::Network)?;
        if (200..300).contains(&status) {
            return Ok(text);
        }
        Err(failure(status, &text))
    }

    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, Failure> {
        let text = self.call("GET", path, Body::None).await?;
        serde_json::from_str(&text).map_err(|_| Failure::Network)
    }

    pub async fn send<T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: &impl Serialize,
    ) -> Result<T, Failure> {
        let json = serde_json::to_string(body).map_err(|_| Failure::Network)?;
        let text = self.call(method, path, Body::Json(json)).await?;
        serde_json::from_str(&text).map_err(|_| Failure::Network)
    }

    /// Downloads the answer to `method /v1/admin/{path}` as the file `filename`, byte for byte
    /// (a CSV's byte-order mark included, which Excel needs to read Turkish letters).
    pub async fn download(
        &self,
        method: &str,
        path: &str,
        body: Body,
        filename: &str,
    ) -> Result<(), Failure> {
        let response = self.fetch_ok(method, path, body).await?;
        save(&response, filename)
            .await
            .map_err(|_| Failure::Network)
    }

    /// The answer to `GET /v1/admin/{path}` (an image) as an object URL an `<img>` can show: an
    /// image element cannot send the key itself. The caller revokes it.
    pub async fn object_url(&self, path: &str) -> Result<String, Failure> {
        let response = self.fetch_ok("GET", path, Body::None).await?;
        let blob = async {
            let blob: web_sys::Blob = JsFuture::from(response.blob()?).await?.dyn_into()?;
            web_sys::Url::create_object_url_with_blob(&blob)
        };
        blob.await.map_err(|_: JsValue| Failure::Network)
    }

    /// The answer to a request whose body is not JSON (a file, an image), once it is a success;
    /// a refusal's JSON error as a `Failure`.
    async fn fetch_ok(&self, method: &str, path: &str, body: Body) -> Result<Response, Failure> {
        let response = self
            .fetch(method, path, body)
            .await
            .map_err(|_| Failure::Network)?;
        let status = response.status();
        if !(200..300).contains(&status) {
            let text = read_text(&response).await.unwrap_or_default();
            return Err(failure(status, &text));
        }
        Ok(response)
    }

    async fn raw(&self, method: &str, path: &str, body: Body) -> Result<(u16, String), JsValue> {
        let response = self.fetch(method, path, body).await?;
        let text = read_text(&response).await?;
        Ok((response.status(), text))
    }

    async fn fetch(&self, method: &str, path: &str, body: Body) -> Result<Response, JsValue> {
        let headers = web_sys::Headers::new()?;
        headers.set("Authorization", &format!("Bearer {}", self.key))?;
        let init = RequestInit::new();
        init.set_method(method);
        // The key travels in the header only: no cookie exists to send.
        init.set_credentials(RequestCredentials::Omit);
        match body {
            Body::None => {}
            Body::Json(json) => {
                headers.set("Content-Type", "application/json")?;
                init.set_body(&JsValue::from_str(&json));
            }
            Body::CsvFile(file) => {
                headers.set("Content-Type", "text/csv")?;
                init.set_body(&file);
            }
        }
        init.set_headers(&headers);
        let window = web_sys::window().ok_or("no window")?;
        let url = format!("/v1/admin/{path}");
        JsFuture::from(window.fetch_with_str_and_init(&url, &init))
            .await?
            .dyn_into()
    }
}

async fn read_text(response: &Response) -> Result<String, JsValue> {
    Ok(JsFuture::from(response.text()?)
        .await?
        .as_string()
        .unwrap_or_default())
}

fn failure(status: u16, text: &str) -> Failure {
    if status == 401 {
        return Failure::Unauthorized;
    }
    match serde_json::from_str::<ErrorBody>(text) {
        Ok(body) => Failure::Refused {
            status,
            message: body.error.message,
            fields: body.error.fields.into_iter().collect(),
        },
        Err(_) => Failure::Refused {
            status,
            message: format!("HTTP {status}"),
            fields: Vec::new(),
        },
    }
}

async fn save(response: &Response, filename: &str) -> Result<(), JsValue> {
    let blob: web_sys::Blob = JsFuture::from(response.blob()?).await?.dyn_into()?;
    save_blob(&blob, filename)
}

/// Offers `text` as the file `filename` of type `mime` (a table the page drew, as CSV).
pub fn save_text(text: &str, filename: &str, mime: &str) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    save_blob(&blob, filename)
}

fn save_blob(blob: &web_sys::Blob, filename: &str) -> Result<(), JsValue> {
    let url = web_sys::Url::create_object_url_with_blob(blob)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    link.set_href(&url);
    link.set_download(filename);
    // In the document while clicked (some browsers ignore a detached link), and the URL kept
    // until the download has surely started.
    let body = document.body().ok_or("no body")?;
    body.append_child(&link)?;
    link.click();
    link.remove();
    leptos::prelude::set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(60),
    );
    Ok(())
}

/// A query string from the pairs whose value is not empty, each value percent-encoded.
pub fn query(pairs: &[(&str, &str)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", String::from(js_sys::encode_uri_component(v))))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// A path segment from a merchant's id (already URL-safe by the id rule; encoded anyway).
pub fn segment(id: &str) -> String {
    String::from(js_sys::encode_uri_component(id))
}
