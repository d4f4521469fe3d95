//! Outreach, the merchant's and the shopper's side: the settings (`/v1/admin/outreach`), what
//! was sent (`/v1/admin/outreach/messages`), and the unsubscribe link every message carries
//! (`/v1/outreach/{shop}/unsubscribe`), and the providers' bounce and complaint webhooks
//! (`/v1/outreach/{shop}/events/{provider}`). Sending is the scheduled job's (`jobs::outreach`).
//!
//! The unsubscribe link answers two callers: a person who opens it (`GET`: a page that asks,
//! and changes nothing, since mail scanners open every link) and a mail client's one-click
//! unsubscribe (RFC 8058: a `POST` with `List-Unsubscribe=One-Click`, no cookies, no origin),
//! which the page's button sends too. Its token is the only credential.

use crate::handlers::Context;
use crate::platform::error::ApiError;
use crate::platform::http::{self, BodyType};
use crate::platform::pseudonyms;
use crate::platform::secure::random_hex;
use crate::store::outreach::{self as store, Suppression};
use memnun_protocol::Id;
use memnun_protocol::outreach::provider_events::{
    ProviderEvent, ProviderEventTaken, basic_auth_matches, read_postmark, read_resend, verify_svix,
};
use memnun_protocol::outreach::providers::ProviderName;
use memnun_protocol::outreach::seal::{Keyring, NONCE_BYTES};
use memnun_protocol::outreach::settings::{
    MAX_SETTINGS_BYTES, OutreachSettings, OutreachSettingsUpdate,
};
use memnun_protocol::outreach::{
    self, UnsubscribeQuery, unsubscribe_page, verify_unsubscribe_token,
};
use memnun_protocol::text::{FieldErrors, FieldProblem};
use worker::{D1PreparedStatement, Env, Headers, Request, Response, js_sys};

/// The unsubscribe page's own policy: no script, a form that posts to itself.
const PAGE_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; \
                        frame-ancestors 'none'; base-uri 'none'";

/// The deployment's sealing keys (`OUTREACH_KEY`, and `OUTREACH_KEY_PREVIOUS` while rotating).
pub fn keyring(env: &Env) -> Result<Keyring, ApiError> {
    let read = |name: &str| env.secret(name).ok().map(|v| v.to_string());
    let current = read("OUTREACH_KEY")
        .filter(|k| !k.trim().is_empty())
        .ok_or(ApiError::NotConfigured("OUTREACH_KEY"))?;
    Keyring::new(&current, read("OUTREACH_KEY_PREVIOUS").as_deref())
        .map_err(|_| ApiError::NotConfigured("OUTREACH_KEY"))
}

/// `plain` sealed for `context` with a fresh nonce.
pub fn seal(keys: &Keyring, plain: &str, context: &str) -> Result<String, ApiError> {
    let mut nonce = [0u8; NONCE_BYTES];
    getrandom::fill(&mut nonce).map_err(|e| ApiError::Internal(format!("no randomness: {e}")))?;
    Ok(keys.seal(plain, context, nonce))
}

/// Where a shop's provider key is sealed for.
pub fn key_context(shop: &str) -> String {
    format!("provider-key/{shop}")
}

/// Where a shop's provider webhook secret is sealed for.
pub fn webhook_secret_context(shop: &str) -> String {
    format!("webhook-secret/{shop}")
}

/// Where an order's address is sealed for.
pub fn address_context(shop: &str, order: &str) -> String {
    format!("address/{shop}/{order}")
}

/// The hour (0–23) at `at_ms` in the IANA zone `zone`, as the runtime's time-zone data says;
/// `None` for a zone it does not know.
pub fn hour_in(zone: &str, at_ms: i64) -> Option<u32> {
    let local = at_ms + utc_offset_in(zone, at_ms)?;
    u32::try_from(local.rem_euclid(86_400_000) / 3_600_000).ok()
}

/// How far the IANA zone `zone` is ahead of UTC at `at_ms`, in ms (its local time is
/// `at_ms` plus this); `None` for a zone the runtime does not know.
pub fn utc_offset_in(zone: &str, at_ms: i64) -> Option<i64> {
    let intl = js_sys::Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    let constructor: js_sys::Function = js_sys::Reflect::get(&intl, &"DateTimeFormat".into())
        .ok()?
        .into();
    let options = js_sys::Object::new();
    for (key, value) in [
        ("timeZone", zone),
        ("year", "numeric"),
        ("month", "numeric"),
        ("day", "numeric"),
        ("hour", "numeric"),
        ("minute", "numeric"),
        ("hourCycle", "h23"),
    ] {
        js_sys::Reflect::set(&options, &key.into(), &value.into()).ok()?;
    }
    // Constructed through Reflect: an unknown zone throws a RangeError, caught here.
    let format =
        js_sys::Reflect::construct(&constructor, &js_sys::Array::of2(&"en-US".into(), &options))
            .ok()?;
    let to_parts: js_sys::Function = js_sys::Reflect::get(&format, &"formatToParts".into())
        .ok()?
        .into();
    let date = js_sys::Date::new(&((at_ms - at_ms.rem_euclid(60_000)) as f64).into());
    let parts: js_sys::Array = to_parts.call1(&format, &date).ok()?.into();
    let mut local = [0f64; 5];
    for part in parts.iter() {
        let kind = js_sys::Reflect::get(&part, &"type".into())
            .ok()?
            .as_string()?;
        let value = js_sys::Reflect::get(&part, &"value".into())
            .ok()?
            .as_string()?;
        let slot = ["year", "month", "day", "hour", "minute"]
            .iter()
            .position(|k| *k == kind);
        if let Some(slot) = slot {
            local[slot] = value.parse().ok()?;
        }
    }
    let local_ms = js_sys::Date::utc(local[0], local[1] - 1.0)
        + (local[2] - 1.0) * 86_400_000.0
        + local[3] * 3_600_000.0
        + local[4] * 60_000.0;
    Some(local_ms as i64 - (at_ms - at_ms.rem_euclid(60_000)))
}

/// The shop's settings, or the defaults when it has never set them.
async fn current(cx: &Context<'_>) -> Result<(OutreachSettings, bool), ApiError> {
    Ok(match store::settings(&cx.db, &cx.shop).await? {
        Some(stored) => (stored.settings, stored.api_key_sealed.is_some()),
        None => (OutreachSettings::default(), false),
    })
}

/// `GET /v1/admin/outreach`.
pub async fn get_settings(cx: &Context<'_>) -> Result<Response, ApiError> {
    http::json(200, &current(cx).await?.0)
}

/// `PUT /v1/admin/outreach`: the fields given change, the others stay. Turning sending on needs
/// the deployment's sealing key; turning it off forgets every address kept and skips what waits.
pub async fn put_settings(req: &mut Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let edge_origin = req.url()?.origin().ascii_serialization();
    let (update, _): (OutreachSettingsUpdate, _) =
        http::read_json(req, MAX_SETTINGS_BYTES, BodyType::Json).await?;
    let (before, key_stored) = current(cx).await?;
    let applied = update
        .apply(&before, key_stored)
        .map_err(ApiError::Validation)?;
    if hour_in(&applied.settings.time_zone, cx.now).is_none() {
        let mut errors = FieldErrors::default();
        errors.push("time_zone", FieldProblem::NotAChoice);
        return Err(ApiError::Validation(errors));
    }
    let needs_key =
        applied.settings.sending || applied.api_key.is_some() || applied.webhook_secret.is_some();
    let (sealed_key, sealed_webhook_secret) = if needs_key {
        let keys = keyring(cx.env)?;
        let shop = cx.shop.as_str();
        (
            applied
                .api_key
                .as_deref()
                .map(|k| seal(&keys, k, &key_context(shop)))
                .transpose()?,
            applied
                .webhook_secret
                .as_deref()
                .map(|k| seal(&keys, k, &webhook_secret_context(shop)))
                .transpose()?,
        )
    } else {
        (None, None)
    };
    let origin = public_url(cx.env).unwrap_or(edge_origin);
    // A merchant who stopped the digest from its link starts it again here, by asking for it.
    let digest_key = update
        .digest
        .as_ref()
        .filter(|d| d.on == Some(true) || d.to.is_some())
        .and(applied.settings.digest.to.as_deref())
        .map(|to| pseudonyms::merchant_email(cx.env, to))
        .transpose()?;
    store::put_settings(
        &cx.db,
        &cx.shop,
        &applied.settings,
        store::NewSecrets {
            api_key: sealed_key.as_deref(),
            webhook_secret: sealed_webhook_secret.as_deref(),
            forget_webhook_secret: applied.forget_webhook_secret,
            digest_key_to_clear: digest_key.as_deref(),
        },
        &origin,
        cx.now,
    )
    .await?;
    http::json(200, &applied.settings)
}

/// The edge's public address when the deployment names it (`PUBLIC_URL`).
pub fn public_url(env: &Env) -> Option<String> {
    env.var("PUBLIC_URL")
        .ok()
        .map(|v| v.to_string().trim_end_matches('/').to_owned())
        .filter(|v| !v.is_empty())
}

/// `GET /v1/admin/outreach/messages`.
pub async fn report(cx: &Context<'_>) -> Result<Response, ApiError> {
    http::json(200, &store::report(&cx.db, &cx.shop).await?)
}

/// The statements that keep an order's address for its messages (they check themselves that the
/// shop sends). None without an address, or in a deployment without `OUTREACH_KEY`, where no
/// shop can send; a key that is set but unreadable is the operator's mistake, answered `503`.
pub fn keep_address(
    cx: &Context<'_>,
    order_id: &Id,
    email: Option<&str>,
    address_key: Option<&str>,
    locale: Option<&str>,
) -> Result<Vec<D1PreparedStatement>, ApiError> {
    let (Some(email), Some(address_key)) = (email, address_key) else {
        return Ok(Vec::new());
    };
    let current = cx
        .env
        .secret("OUTREACH_KEY")
        .map(|k| k.to_string())
        .unwrap_or_default();
    if current.trim().is_empty() {
        return Ok(Vec::new());
    }
    // The current key only: a mistyped previous key must not stop every shop's orders.
    let keys = Keyring::new(&current, None).map_err(|_| ApiError::NotConfigured("OUTREACH_KEY"))?;
    let sealed = seal(
        &keys,
        email,
        &address_context(cx.shop.as_str(), order_id.as_str()),
    )?;
    Ok(store::keep_address(
        &cx.db,
        &cx.shop,
        order_id,
        &sealed,
        address_key,
        locale,
        cx.now,
    )?
    .into())
}

/// The id of a new message.
pub fn message_id() -> Result<String, ApiError> {
    random_hex(12)
}

/// The shopper a link's token stands for, or `404` (the same for every token not ours).
fn shopper_of(req: &Request, cx: &Context<'_>) -> Result<String, ApiError> {
    let query: UnsubscribeQuery = http::query(req)?;
    let salt = pseudonyms::salt(cx.env)?;
    query
        .token
        .and_then(|token| verify_unsubscribe_token(salt.as_bytes(), cx.shop.as_str(), &token))
        .ok_or(ApiError::NotFound("unsubscribe link"))
}

/// The link a message carries to unsubscribe the shopper whose address hashes to `address_key`.
pub fn unsubscribe_url(
    env: &Env,
    edge_origin: &str,
    shop: &str,
    address_key: &str,
) -> Result<String, ApiError> {
    let salt = pseudonyms::salt(env)?;
    let token = outreach::unsubscribe_token(salt.as_bytes(), shop, address_key);
    let origin = public_url(env).unwrap_or_else(|| edge_origin.to_owned());
    Ok(format!(
        "{origin}/v1/outreach/{shop}/unsubscribe?token={token}"
    ))
}

fn page(html: String) -> Result<Response, ApiError> {
    let headers = Headers::new();
    headers.set("Content-Type", "text/html; charset=utf-8")?;
    headers.set("Content-Security-Policy", PAGE_CSP)?;
    headers.set("Referrer-Policy", "no-referrer")?;
    headers.set("X-Frame-Options", "DENY")?;
    Ok(Response::ok(html)?.with_headers(headers))
}

async fn shop_name(cx: &Context<'_>) -> Result<String, ApiError> {
    crate::store::shops::name(&cx.db, &cx.shop)
        .await?
        .ok_or(ApiError::NotFound("unsubscribe link"))
}

/// `GET /v1/outreach/{shop}/unsubscribe?token=…`: asks; changes nothing.
pub async fn unsubscribe_page_for(req: &Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let address_key = shopper_of(req, cx)?;
    let done = store::is_suppressed(&cx.db, &cx.shop, &address_key).await?;
    page(unsubscribe_page(&shop_name(cx).await?, done))
}

/// `POST /v1/outreach/{shop}/unsubscribe?token=…`: the one-click unsubscribe (and the page's
/// button). The body (`List-Unsubscribe=One-Click`) is not needed: the token says who.
pub async fn unsubscribe(req: &mut Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let address_key = shopper_of(req, cx)?;
    http::drain_unread_body(req).await;
    store::suppress(
        &cx.db,
        &cx.shop,
        &address_key,
        Suppression::Unsubscribed,
        cx.now,
    )?
    .run()
    .await?;
    page(unsubscribe_page(&shop_name(cx).await?, true))
}

/// The largest provider event memnun reads (they are a few KB).
const MAX_EVENT_BYTES: usize = 64 * 1024;

/// `POST /v1/outreach/{shop}/events/resend` and `…/postmark`: the provider's bounce and
/// complaint webhooks. Proven before anything is read (Resend's Svix signature, Postmark's basic
/// credentials), with the secret the shop set; a shop without one answers `401` as for a wrong
/// one. A hard bounce or a complaint puts each recipient on the suppression list.
pub async fn receive_event(
    req: &mut Request,
    cx: &Context<'_>,
    provider: ProviderName,
) -> Result<Response, ApiError> {
    let refused = match provider {
        ProviderName::Resend => ApiError::BadSignature("svix-signature"),
        ProviderName::Postmark => ApiError::BadSignature("Authorization"),
    };
    let stored = store::settings(&cx.db, &cx.shop).await?;
    // Only the shop's own provider's endpoint takes its secret.
    let sealed = stored
        .filter(|s| s.settings.provider == Some(provider))
        .and_then(|s| s.webhook_secret_sealed);
    let Some(sealed) = sealed else {
        http::drain_unread_body(req).await;
        return Err(refused);
    };
    let secret = keyring(cx.env)?
        .open(&sealed, &webhook_secret_context(cx.shop.as_str()))
        .ok_or(ApiError::Internal(
            "the webhook secret cannot be opened".into(),
        ))?;
    let header = |name: &str| req.headers().get(name).ok().flatten();
    let (svix_id, svix_time, svix_signature, authorization) = (
        header("svix-id"),
        header("svix-timestamp"),
        header("svix-signature"),
        header("Authorization"),
    );
    let body = http::read_body(req, MAX_EVENT_BYTES, &["application/json"]).await?;
    let proven = match provider {
        ProviderName::Resend => match (svix_id, svix_time, svix_signature) {
            (Some(id), Some(time), Some(signature)) => {
                verify_svix(&secret, &id, &time, &body, &signature, cx.now / 1000)
            }
            _ => false,
        },
        ProviderName::Postmark => basic_auth_matches(authorization.as_deref(), &secret),
    };
    if !proven {
        return Err(refused);
    }
    let event = match provider {
        ProviderName::Resend => read_resend(&body),
        ProviderName::Postmark => read_postmark(&body),
    }
    .ok_or_else(|| ApiError::MalformedJson("not an event of this provider".into()))?;
    let (reason, addresses) = match event {
        ProviderEvent::Bounced(to) => (Suppression::Bounced, to),
        ProviderEvent::Complained(to) => (Suppression::Complained, to),
        ProviderEvent::Ignored => {
            return http::json(
                200,
                &ProviderEventTaken {
                    taken: "ignored".into(),
                },
            );
        }
    };
    let statements = addresses
        .iter()
        .map(|address| {
            let key = pseudonyms::order_email(cx.env, address)?;
            Ok(store::suppress(&cx.db, &cx.shop, &key, reason, cx.now)?)
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    cx.db.batch(statements).await?;
    http::json(
        200,
        &ProviderEventTaken {
            taken: reason.as_str().into(),
        },
    )
}
