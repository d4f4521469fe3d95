//! The outbox: every write a widget makes goes through here. A write is stored in
//! `localStorage` before it is sent, and stays there until the edge answers it, so a network
//! failure, a stopped edge or a reload loses nothing; it is sent again with the same
//! idempotency key, so the edge stores it once however often it arrives.

use crate::api::{self, Answer};
use memnun_protocol::ErrorBody;
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;

const STORAGE_KEY: &str = "memnun:outbox:v1";
const RETRY_FIRST_MS: i32 = 1_000;
const RETRY_MAX_MS: i32 = 30_000;

/// One write waiting for an answer.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Pending {
    pub idempotency_key: String,
    pub url: String,
    pub body: String,
}

/// What became of a write.
pub enum Outcome {
    /// The edge answered (success, or a refusal that a retry would not change).
    Answered(Answer),
    /// No answer yet: it is kept and will be sent again.
    Queued,
}

type Listener = Box<dyn Fn(Answer)>;

thread_local! {
    static LISTENERS: RefCell<HashMap<String, Listener>> = RefCell::new(HashMap::new());
    static RETRYING: Cell<bool> = const { Cell::new(false) };
}

/// Stores `pending`, sends it, and says what became of the first attempt. If it is queued,
/// `on_answer` runs once when a later attempt is answered.
pub async fn submit(pending: Pending, on_answer: impl Fn(Answer) + 'static) -> Outcome {
    let mut all = load();
    all.retain(|p| p.idempotency_key != pending.idempotency_key);
    all.push(pending.clone());
    save(&all);
    match attempt(&pending).await {
        Some(answer) => Outcome::Answered(answer),
        None => {
            LISTENERS.with(|l| l.borrow_mut().insert(pending.idempotency_key, Box::new(on_answer)));
            resend_pending();
            Outcome::Queued
        }
    }
}

/// Sends every stored write again, backing off while the edge does not answer. Called on every
/// mount, so writes left by an earlier visit go out on the next page view.
pub fn resend_pending() {
    if RETRYING.with(|r| r.replace(true)) || load().is_empty() {
        RETRYING.with(|r| r.set(false));
        return;
    }
    wasm_bindgen_futures::spawn_local(async {
        let mut delay = RETRY_FIRST_MS;
        loop {
            for pending in load() {
                if let Some(answer) = attempt(&pending).await {
                    let listener =
                        LISTENERS.with(|l| l.borrow_mut().remove(&pending.idempotency_key));
                    if let Some(listener) = listener {
                        listener(answer);
                    }
                }
            }
            if load().is_empty() {
                break;
            }
            api::sleep(delay).await;
            delay = (delay * 2).min(RETRY_MAX_MS);
        }
        RETRYING.with(|r| r.set(false));
    });
}

/// One attempt: `Some` when the edge gave a final answer (the write then leaves the outbox),
/// `None` when it should be tried again.
async fn attempt(pending: &Pending) -> Option<Answer> {
    let answer = api::post_json(&pending.url, &pending.body, &pending.idempotency_key)
        .await
        .ok()?;
    // Trust the edge's error code; an answer without one (a proxy's 502, say) is retried
    // when it is a server error.
    let retryable = match answer.decode::<ErrorBody>() {
        Some(error) => error.error.code.is_retryable(),
        None => answer.status == 429 || answer.status >= 500,
    };
    if retryable {
        return None;
    }
    remove(&pending.idempotency_key);
    Some(answer)
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn load() -> Vec<Pending> {
    let Some(text) = storage().and_then(|s| s.get_item(STORAGE_KEY).ok().flatten()) else {
        return Vec::new();
    };
    js_sys::JSON::parse(&text)
        .ok()
        .and_then(|v| serde_wasm_bindgen::from_value(v).ok())
        .unwrap_or_default()
}

fn save(all: &[Pending]) {
    let Some(storage) = storage() else { return };
    if all.is_empty() {
        let _ = storage.remove_item(STORAGE_KEY);
    } else if let Some(text) = api::to_json(&all) {
        // A full or blocked storage only costs the reload-survival; the send still happens.
        let _ = storage.set_item(STORAGE_KEY, &text);
    }
}

fn remove(key: &str) {
    let mut all = load();
    all.retain(|p| p.idempotency_key != key);
    save(&all);
}
