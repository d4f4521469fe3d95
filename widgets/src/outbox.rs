//! The outbox: every write a widget makes goes through here. A write is stored in
//! `localStorage` before it is sent, and stays there until the edge answers it, so a network
//! failure, a stopped edge or a reload loses nothing; it is sent again with the same
//! idempotency key, so the edge stores it once however often it arrives. A write no answer has
//! come to in `KEPT_MS` (a week) is dropped: its body may hold an email or a verified-buyer
//! token, and a shared computer should not keep them longer than the write needs. A shopper's
//! photos are the exception: too large for the shop's `localStorage`, they are retried from the
//! page's memory while it stays open ([`send_from_memory`]).

use crate::api::{self, Answer};
use crate::wire;
use js_sys::Array;
use std::cell::{Cell, RefCell};
use wasm_bindgen::JsCast;

const STORAGE_KEY: &str = "memnun:outbox:v1";
const RETRY_FIRST_MS: i32 = 1_000;
const RETRY_MAX_MS: i32 = 30_000;
/// How long a stored write waits for an answer before it is dropped.
const KEPT_MS: f64 = 7.0 * 86_400_000.0;

/// One write waiting for an answer.
#[derive(Clone, Debug)]
pub struct Pending {
    pub idempotency_key: String,
    pub url: String,
    pub body: String,
    /// When it was first stored (Unix ms); `submit` sets it.
    pub queued_at: f64,
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
    // A Vec, not a HashMap: there are rarely more than one or two, and a map costs bytes. Each
    // keeps its write: another tab's queue may deliver it (the outbox is shared), and sending
    // this copy again then gets the edge's first answer back, so this tab can show it.
    static LISTENERS: RefCell<Vec<(Pending, Listener)>> = const { RefCell::new(Vec::new()) };
    static RETRYING: Cell<bool> = const { Cell::new(false) };
}

/// Stores `pending`, sends it, and says what became of the first attempt. If it is queued,
/// `on_answer` runs once when a later attempt is answered.
pub async fn submit(mut pending: Pending, on_answer: impl Fn(Answer) + 'static) -> Outcome {
    pending.queued_at = js_sys::Date::now();
    let mut all = load();
    all.retain(|p| p.idempotency_key != pending.idempotency_key);
    all.push(pending.clone());
    save(&all);
    match attempt(&pending).await {
        Some(answer) => Outcome::Answered(answer),
        None => {
            LISTENERS.with(|l| l.borrow_mut().push((pending, Box::new(on_answer))));
            resend_pending();
            Outcome::Queued
        }
    }
}

/// As [`submit`], for a write whose later answer nobody waits for (one function for all of
/// them: each closure given to `submit` is a copy of its code).
pub fn send(pending: Pending) -> impl std::future::Future<Output = Outcome> {
    submit(pending, |_| {})
}

/// Sends `pending` as the outbox does, but keeps it in this page's memory only, never in
/// `localStorage`: for a shopper's photo, whose megabytes would crowd the shop's own storage
/// (about 5 MB for the whole site). It is retried while the page stays open.
pub fn send_from_memory(pending: Pending) {
    LISTENERS.with(|l| l.borrow_mut().push((pending, Box::new(|_| {}))));
    resend_pending();
}

/// Sends every stored write again, backing off while the edge does not answer. Called on every
/// mount, so writes left by an earlier visit go out on the next page view.
pub fn resend_pending() {
    // One retry loop per page: a second mount while one runs must not start another.
    if waiting().is_empty() || RETRYING.with(|r| r.replace(true)) {
        return;
    }
    wasm_bindgen_futures::spawn_local(async {
        let mut delay = RETRY_FIRST_MS;
        loop {
            for pending in waiting() {
                if let Some(answer) = attempt(&pending).await {
                    let listener = LISTENERS.with(|l| {
                        let mut listeners = l.borrow_mut();
                        let index = listeners
                            .iter()
                            .position(|(p, _)| p.idempotency_key == pending.idempotency_key);
                        index.map(|i| listeners.swap_remove(i).1)
                    });
                    if let Some(listener) = listener {
                        listener(answer);
                    }
                }
            }
            if waiting().is_empty() {
                break;
            }
            api::sleep(delay).await;
            delay = (delay * 2).min(RETRY_MAX_MS);
        }
        RETRYING.with(|r| r.set(false));
    });
}

/// The stored writes, and this page's own that another tab delivered (gone from the store but
/// still awaited here).
fn waiting() -> Vec<Pending> {
    let mut all = load();
    LISTENERS.with(|l| {
        for (pending, _) in l.borrow().iter() {
            if !all
                .iter()
                .any(|p| p.idempotency_key == pending.idempotency_key)
            {
                all.push(pending.clone());
            }
        }
    });
    all
}

/// One attempt: `Some` when the edge gave a final answer (the write then leaves the outbox),
/// `None` when it should be tried again.
async fn attempt(pending: &Pending) -> Option<Answer> {
    let answer = api::post_json(&pending.url, &pending.body, &pending.idempotency_key)
        .await
        .ok()?;
    // Trust the edge's error code; an answer without one (a proxy's 502, say) is retried
    // when it is a server error.
    let retryable = match wire::error_code(&answer.body) {
        Some(code) => code.is_retryable(),
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
    let Ok(entries) = wire::parse(&text).dyn_into::<Array>() else {
        return Vec::new();
    };
    let now = js_sys::Date::now();
    let mut rewrite = false;
    let all: Vec<Pending> = entries
        .iter()
        .filter_map(|e| {
            // One stored before times were kept counts from now, and is dated once, here (an
            // entry queued this very millisecond is rewritten as is: cheaper, in bytes, than
            // telling the two apart).
            let queued_at = wire::number(&e, "queued_at").unwrap_or(now);
            rewrite |= queued_at == now || now - queued_at >= KEPT_MS;
            Some(Pending {
                idempotency_key: wire::text(&e, "idempotency_key")?,
                url: wire::text(&e, "url")?,
                body: wire::text(&e, "body")?,
                queued_at,
            })
            .filter(|_| now - queued_at < KEPT_MS)
        })
        .collect();
    // Too old ones leave the store as soon as they are read; undated ones are stored dated.
    if rewrite {
        save(&all);
    }
    all
}

fn save(all: &[Pending]) {
    let Some(storage) = storage() else { return };
    if all.is_empty() {
        let _ = storage.remove_item(STORAGE_KEY);
    } else if let Some(text) = js_sys::JSON::stringify(&to_array(all))
        .ok()
        .and_then(|t| t.as_string())
    {
        // A full or blocked storage only costs the reload-survival; the send still happens.
        let _ = storage.set_item(STORAGE_KEY, &text);
    }
}

fn to_array(all: &[Pending]) -> Array {
    all.iter()
        .map(|p| {
            let entry = wire::strings(&[
                ("idempotency_key", &p.idempotency_key),
                ("url", &p.url),
                ("body", &p.body),
            ]);
            wire::set(&entry, "queued_at", p.queued_at.into());
            entry
        })
        .collect()
}

fn remove(key: &str) {
    let mut all = load();
    all.retain(|p| p.idempotency_key != key);
    save(&all);
}
