//! What this browser remembers for the widgets, in `localStorage`: a random id (so a vote or a
//! report counts once per browser, with no cookie and nothing about the person), and which
//! reviews it has found helpful (so the button stays pressed on the next visit).

const ID_KEY: &str = "memnun:browser:v1";
const VOTES_KEY: &str = "memnun:votes:v1";
/// Enough for every review one shopper plausibly votes on; older ones are forgotten first.
const VOTES_KEPT: usize = 200;

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// This browser's random id, created on first use.
pub fn id() -> String {
    let stored = storage().and_then(|s| s.get_item(ID_KEY).ok().flatten());
    if let Some(id) = stored.filter(|id| memnun_protocol::idempotency::is_valid_key(id)) {
        return id;
    }
    let id = crate::api::new_idempotency_key();
    if let Some(s) = storage() {
        let _ = s.set_item(ID_KEY, &id);
    }
    id
}

fn votes() -> String {
    storage()
        .and_then(|s| s.get_item(VOTES_KEY).ok().flatten())
        .unwrap_or_default()
}

pub fn has_voted(review: &str) -> bool {
    votes().split(' ').any(|v| v == review)
}

pub fn remember_vote(review: &str) {
    let all = votes();
    let mut ids: Vec<&str> = all.split(' ').filter(|v| !v.is_empty()).collect();
    ids.push(review);
    let start = ids.len().saturating_sub(VOTES_KEPT);
    if let Some(s) = storage() {
        let _ = s.set_item(VOTES_KEY, &ids[start..].join(" "));
    }
}
