//! Sends the outreach messages that are due, through each shop's provider, a few per run.
//!
//! A message is claimed before it is sent (a run that overlaps finds it taken) and its outcome
//! recorded under that claim. Before sending, the rules are read again, as they stand now: the
//! shop still sends; the shopper is not on its suppression list; no review came (for review
//! requests); the quiet hours and the per-shopper cap (which postpone, not skip). The provider's
//! answer decides the rest: sent; 429 and 5xx tried again with backoff (after `Retry-After` when
//! given); any other refusal final, shown with the provider's reason. When none of an order's
//! messages waits any more, its address is deleted.

use crate::handlers::orders;
use crate::handlers::outreach::{
    address_context, hour_in, key_context, keyring, message_id, unsubscribe_url,
};
use crate::platform::error::ApiError;
use crate::platform::secure::random_hex;
use crate::store::outreach::{self as store, Due, Suppression};
use futures_util::future::Either;
use memnun_protocol::Id;
use memnun_protocol::outreach::providers::{Envelope, SendOutcome};
use memnun_protocol::outreach::seal::Keyring;
use memnun_protocol::outreach::{MessageKind, ProductToReview, ReviewRequest};
use memnun_protocol::review::Locale;
use memnun_protocol::webhook::next_attempt_after;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement, Env, Headers, Method, Request, RequestInit};

/// Providers take a few messages a second: a run sends this many, one after another.
const MESSAGES_PER_RUN: u32 = 20;
/// Longer than a run of sends that each time out.
const CLAIM_LEASE_MS: i64 = 10 * 60_000;
const SEND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);
const DAY_MS: i64 = 86_400_000;

/// What to do with a claimed message.
enum Decision {
    Outcome(SendOutcome),
    Skip(&'static str),
    Postpone(i64, &'static str),
}

pub async fn send_due(env: &Env, db: &D1Database, now: i64) -> Result<(), ApiError> {
    let claim = random_hex(12)?;
    let lease_ends = now.max(worker::Date::now().as_millis() as i64) + CLAIM_LEASE_MS;
    let due = store::claim_due(db, &claim, now, lease_ends, MESSAGES_PER_RUN).await?;
    if due.is_empty() {
        return Ok(());
    }
    let keys = keyring(env).ok();
    // Tests point every provider at their capture server; a deployment sets nothing.
    let base = env
        .var("EMAIL_API_BASE")
        .ok()
        .map(|v| v.to_string())
        .filter(|v| !v.is_empty());
    let mut due = due;
    let mut statements = Vec::new();
    // Shoppers sent something in this run: the cap holds within a run too.
    let mut sent_now: Vec<(String, String)> = Vec::new();
    for message in &mut due {
        let shopper = (message.shop_id.clone(), message.address_key.clone());
        if sent_now.contains(&shopper) {
            message.last_sent_at = Some(now);
        }
        let message = &*message;
        let decision = match decide(env, db, message, keys.as_ref(), base.as_deref(), now).await {
            Ok(decision) => decision,
            // Ours, not the provider's: tried again like a provider's 5xx.
            Err(e) => Decision::Outcome(SendOutcome::Retry {
                reason: format!("not sent: {e}"),
                after_s: None,
            }),
        };
        if matches!(decision, Decision::Outcome(SendOutcome::Sent { .. })) {
            sent_now.push(shopper);
        }
        statements.extend(record(db, message, &claim, decision, now)?);
    }
    db.batch(statements).await?;
    Ok(())
}

async fn decide(
    env: &Env,
    db: &D1Database,
    message: &Due,
    keys: Option<&Keyring>,
    base: Option<&str>,
    now: i64,
) -> Result<Decision, ApiError> {
    let Some(settings) = message.settings()?.filter(|s| s.sending) else {
        return Ok(Decision::Skip("sending off"));
    };
    let kind = MessageKind::parse(&message.kind)
        .ok_or_else(|| ApiError::Internal(format!("unknown kind {}", message.kind)))?;
    if message.suppressed != 0 {
        return Ok(Decision::Skip("suppressed"));
    }
    let about_reviews = matches!(
        kind,
        MessageKind::ReviewRequest | MessageKind::ReviewReminder
    );
    if about_reviews && message.reviewed != 0 {
        return Ok(Decision::Skip("reviewed"));
    }
    let cap = i64::from(settings.cap_days) * DAY_MS;
    if let Some(last) = message
        .last_sent_at
        .filter(|last| cap > 0 && *last + cap > now)
    {
        return Ok(Decision::Postpone(last + cap, "capped"));
    }
    let zone = settings.time_zone.as_str();
    let hour_at = |at: i64| hour_in(zone, at).unwrap_or(12);
    if settings.quiet_hours.contains(hour_at(now)) {
        let until = settings.quiet_hours.first_time_outside(now, hour_at);
        return Ok(Decision::Postpone(until, "quiet hours"));
    }
    let keys = keys.ok_or(ApiError::NotConfigured("OUTREACH_KEY"))?;
    let shop = Id::parse(&message.shop_id).map_err(|_| ApiError::Internal("shop id".into()))?;
    let order_id =
        Id::parse(&message.order_id).map_err(|_| ApiError::Internal("order id".into()))?;
    let Some(address) = message
        .sealed
        .as_deref()
        .and_then(|sealed| keys.open(sealed, &address_context(shop.as_str(), order_id.as_str())))
    else {
        return Ok(Decision::Skip("no address"));
    };
    let refused = |reason: &str| {
        Decision::Outcome(SendOutcome::Refused {
            reason: reason.to_owned(),
            suppress: false,
        })
    };
    let Some(api_key) = message
        .api_key_sealed
        .as_deref()
        .and_then(|sealed| keys.open(sealed, &key_context(shop.as_str())))
    else {
        return Ok(refused(
            "the provider key cannot be read: set it again in Settings",
        ));
    };
    let (Some(provider), Some(sender)) = (settings.provider, settings.sender.as_deref()) else {
        return Ok(refused("no provider or sender in Settings"));
    };
    let locale = match message.locale.as_deref().unwrap_or(&settings.locale) {
        "tr" => Locale::Tr,
        _ => Locale::En,
    };
    let loaded = orders::load(db, &shop, &order_id, now).await?;
    let links = orders::links_for(db, &shop, &order_id, &loaded.order, now).await?;
    let products: Vec<&str> = links.reviews.iter().map(|l| l.product.as_str()).collect();
    let names = crate::store::catalog::names_of(db, &shop, &products).await?;
    let products: Vec<ProductToReview> = links
        .reviews
        .iter()
        .filter_map(|link| {
            let name = names
                .get(&link.product)
                .and_then(|n| n.get(locale.as_str()).or_else(|| n.values().next()))
                .cloned()
                .unwrap_or_else(|| link.product.clone());
            Some(ProductToReview {
                name,
                review_url: link.url.clone()?,
            })
        })
        .collect();
    if products.is_empty() {
        return Ok(Decision::Skip("no product page"));
    }
    let origin = message.edge_origin.as_deref().unwrap_or_default();
    let own = settings.own_words(kind, locale.as_str());
    let request = ReviewRequest {
        shop_name: message.shop_name.clone(),
        order_number: loaded.order.number.clone(),
        products,
        opening: own.opening,
        subject: own.subject,
        unsubscribe_url: unsubscribe_url(env, origin, shop.as_str(), &message.address_key)?,
        reminder: kind == MessageKind::ReviewReminder,
    };
    let Some(email) = request.render(locale) else {
        return Ok(refused(
            "a link in the message is not a web address: check the shop's pages",
        ));
    };
    let envelope = Envelope {
        from: sender,
        to: &address,
        reply_to: settings.reply_to.as_deref(),
        kind: kind.as_str(),
        message_id: &message.id,
    };
    let provider = provider.provider();
    let request = provider.request(
        base.unwrap_or(provider.name().base_url()),
        &api_key,
        &envelope,
        &email,
    );
    Ok(Decision::Outcome(post(&request, provider).await))
}

/// Sends `request` and reads the provider's answer, within [`SEND_TIMEOUT`].
async fn post(
    request: &memnun_protocol::outreach::providers::ProviderRequest,
    provider: &dyn memnun_protocol::outreach::providers::EmailProvider,
) -> SendOutcome {
    let not_reached = |reason: String| SendOutcome::Retry {
        reason,
        after_s: None,
    };
    let headers = Headers::new();
    for (name, value) in &request.headers {
        if let Err(e) = headers.set(name, value) {
            return not_reached(format!("not sent: {e}"));
        }
    }
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_body(Some(JsValue::from_str(&request.body)));
    let built = match Request::new_with_init(&request.url, &init) {
        Ok(built) => built,
        Err(e) => return not_reached(format!("not sent: {e}")),
    };
    let abort = worker::AbortController::default();
    let signal = abort.signal();
    let exchange = Box::pin(async {
        let mut resp = worker::Fetch::Request(built)
            .send_with_signal(&signal)
            .await?;
        let retry_after = resp.headers().get("Retry-After").ok().flatten();
        let body = resp.text().await.unwrap_or_default();
        Ok::<_, worker::Error>((resp.status_code(), retry_after, body))
    });
    let waited = Box::pin(worker::Delay::from(SEND_TIMEOUT));
    let outcome = futures_util::future::select(exchange, waited).await;
    abort.abort();
    match outcome {
        Either::Left((Ok((status, retry_after, body)), _)) => {
            provider.outcome(status, retry_after.as_deref(), &body)
        }
        Either::Left((Err(e), _)) => not_reached(format!("not reached: {e}")),
        // The provider may have taken it: Resend's idempotency key makes the retry safe.
        Either::Right(_) => not_reached(format!("no answer within {} s", SEND_TIMEOUT.as_secs())),
    }
}

/// The statements that record `decision` for `message`.
fn record(
    db: &D1Database,
    message: &Due,
    claim: &str,
    decision: Decision,
    now: i64,
) -> Result<Vec<D1PreparedStatement>, ApiError> {
    let id = message.id.as_str();
    let attempts = message.attempts + 1;
    let mut statements = Vec::new();
    match decision {
        Decision::Postpone(until, reason) => {
            statements.push(store::postpone(db, id, claim, until, reason)?);
            return Ok(statements);
        }
        Decision::Skip(reason) => statements.push(store::skipped(db, id, claim, now, reason)?),
        Decision::Outcome(SendOutcome::Sent { provider_id }) => {
            statements.push(store::sent(db, id, claim, attempts, now, &provider_id)?);
            if let Some(reminder_at) = reminder_due(message, now)? {
                statements.push(store::plan_follow_up(
                    db,
                    &message_id()?,
                    id,
                    MessageKind::ReviewReminder,
                    reminder_at,
                    now,
                )?);
            }
        }
        Decision::Outcome(SendOutcome::Retry { reason, after_s }) => {
            match next_attempt_after(attempts, now) {
                Some(next) => {
                    let hinted = after_s.map_or(0, |s| now + (s.min(86_400) as i64) * 1000);
                    statements.push(store::retry(
                        db,
                        id,
                        claim,
                        attempts,
                        next.max(hinted),
                        &reason,
                    )?);
                    return Ok(statements);
                }
                None => statements.push(store::failed(db, id, claim, attempts, now, &reason)?),
            }
        }
        Decision::Outcome(SendOutcome::Refused { reason, suppress }) => {
            statements.push(store::failed(db, id, claim, attempts, now, &reason)?);
            if suppress {
                let shop = Id::parse(&message.shop_id)
                    .map_err(|_| ApiError::Internal("shop id".into()))?;
                statements.push(store::suppress(
                    db,
                    &shop,
                    &message.address_key,
                    Suppression::Bounced,
                    now,
                )?);
            }
        }
    }
    statements.push(store::forget_address_when_done(db, id)?);
    Ok(statements)
}

/// When the reminder of a review request just sent is due, if the shop sends one.
fn reminder_due(message: &Due, now: i64) -> Result<Option<i64>, ApiError> {
    if message.kind != MessageKind::ReviewRequest.as_str() {
        return Ok(None);
    }
    let days = message
        .settings()?
        .map_or(0, |s| i64::from(s.review_request.reminder_days));
    Ok((days > 0).then_some(now + days * DAY_MS))
}
