//! Sends the outreach messages that are due, through each shop's provider, a few per run.
//!
//! A message is claimed before it is sent (a run that overlaps finds it taken) and its outcome
//! recorded under that claim. Before sending, the rules are read again, as they stand now: the
//! shop still sends that kind; the shopper is not on its suppression list; no review came (for
//! review requests); the survey was not answered and would ask them (for survey invitations);
//! the parcel is still where its notice says (for shipment notices); the quiet hours, the
//! per-shopper cap and "never a survey invitation and a review request on one day" (which
//! postpone, not skip; shipment notices are outside the cap). The provider's
//! answer decides the rest: sent; 429 and 5xx tried again with backoff (after `Retry-After` when
//! given); any other refusal final, shown with the provider's reason. Through a provider without
//! idempotency (Postmark), an attempt is noted before its request goes, and one that got no
//! answer is not made again: at most once. Each outcome is stored as soon as it is known. When
//! the order and its parcels are delivered and none of its messages waits any more, its address
//! is deleted. A reply notice is about a review, not an order: it goes to the address its author
//! left with the review, and says the reply as it stands when it is sent.

use crate::handlers::orders;
use crate::handlers::outreach::{
    address_context, hour_in, key_context, keyring, message_id, public_url, seal, unsubscribe_url,
    utc_offset_in, webhook_secret_context,
};
use crate::platform::error::ApiError;
use crate::platform::secure::random_hex;
use crate::store::outreach::{self as store, Due, Suppression};
use futures_util::future::Either;
use memnun_protocol::Id;
use memnun_protocol::order::TrackingStatus;
use memnun_protocol::order_list::STALE_DAYS_DEFAULT;
use memnun_protocol::outreach::providers::next_attempt_after;
use memnun_protocol::outreach::providers::{Envelope, SendOutcome};
use memnun_protocol::outreach::seal::Keyring;
use memnun_protocol::outreach::settings::OutreachSettings;
use memnun_protocol::outreach::{
    Digest, DigestFigures, Email, MessageKind, Notice, ProductToReview, ReviewRequest,
};
use memnun_protocol::review::Locale;
use memnun_protocol::survey::SurveySettings;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement, Env, Headers, Method, Request, RequestInit};

/// Providers take a few messages a second: a run sends this many, one after another.
const MESSAGES_PER_RUN: u32 = 20;
/// Of one shop in a run, so one shop's backlog or slow provider does not hold the others'.
const PER_SHOP_PER_RUN: u32 = 5;
/// Values sealed again per run while a key is being retired.
const RESEALS_PER_RUN: u32 = 50;
/// Longer than a run of sends that each time out.
const CLAIM_LEASE_MS: i64 = 10 * 60_000;
const SEND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);
const DAY_MS: i64 = 86_400_000;

/// What to do with a claimed message.
enum Decision {
    Outcome(SendOutcome),
    Skip(&'static str),
    Postpone(i64, &'static str),
    /// The claim went to another run before the request: nothing is sent or recorded here.
    Lost,
}

pub async fn send_due(env: &Env, db: &D1Database, now: i64) -> Result<(), ApiError> {
    let keys = keyring(env).ok();
    if let Some(keys) = keys.as_ref().filter(|k| k.rotating()) {
        reseal(db, keys).await?;
    }
    let claim = random_hex(12)?;
    let lease_ends = now.max(worker::Date::now().as_millis() as i64) + CLAIM_LEASE_MS;
    let due = store::claim_due(
        db,
        &claim,
        now,
        lease_ends,
        MESSAGES_PER_RUN,
        PER_SHOP_PER_RUN,
    )
    .await?;
    if due.is_empty() {
        return Ok(());
    }
    // Tests point every provider at their capture server; a deployment sets nothing.
    let base = env
        .var("EMAIL_API_BASE")
        .ok()
        .map(|v| v.to_string())
        .filter(|v| !v.is_empty());
    let mut due = due;
    // What each shopper was sent in this run: the cap and the one-day rule hold within a run too.
    let mut sent_now: Vec<(String, String, MessageKind)> = Vec::new();
    for message in &mut due {
        for (shop, key, kind) in &sent_now {
            if *shop != message.shop_id || *key != message.address_key {
                continue;
            }
            if kind.is_capped() {
                message.last_sent_at = Some(now);
            }
            if *kind == MessageKind::SurveyInvitation {
                message.invited_at = Some(now);
            }
        }
        let message = &*message;
        let decision = match decide(
            env,
            db,
            message,
            &claim,
            keys.as_ref(),
            base.as_deref(),
            now,
        )
        .await
        {
            Ok(decision) => decision,
            // Ours, not the provider's, and before any request: tried again like a 5xx.
            Err(e) => Decision::Outcome(SendOutcome::Retry {
                reason: format!("not sent: {e}"),
                after_s: None,
            }),
        };
        if let (Decision::Outcome(SendOutcome::Sent { .. }), Some(kind)) =
            (&decision, MessageKind::parse(&message.kind))
        {
            sent_now.push((message.shop_id.clone(), message.address_key.clone(), kind));
        }
        // Each outcome is stored as soon as it is known: a run cut short loses none it sent.
        let statements = record(db, message, &claim, decision, now)?;
        if !statements.is_empty() {
            db.batch(statements).await?;
        }
    }
    Ok(())
}

/// The local hour on Monday from which the week's digest goes.
const DIGEST_HOUR: i64 = 9;
/// Shops looked at per run for their digest.
const DIGEST_SHOPS_PER_RUN: u32 = 50;

/// Plans the merchant's digest of each shop that sends one, when its Monday morning (in the
/// shop's time zone) has come: once per shop and week (the message's id names the week). A day
/// late at most: a shop that turns the digest on midweek gets its first the next Monday.
pub async fn plan_digests(env: &Env, db: &D1Database, now: i64) -> Result<(), ApiError> {
    let mut statements = Vec::new();
    for shop in store::digest_shops(db, now, DIGEST_SHOPS_PER_RUN).await? {
        let Ok(settings) = serde_json::from_str::<OutreachSettings>(&shop.settings) else {
            continue;
        };
        let Some(to) = settings.digest.to.as_deref() else {
            continue;
        };
        let offset = utc_offset_in(&settings.time_zone, now).unwrap_or(0);
        let local = now + offset;
        // 1970-01-01 was a Thursday: days since then, plus 3, modulo 7 counts from Monday.
        let day = local.div_euclid(DAY_MS);
        let monday = day - (day + 3).rem_euclid(7);
        let since = local - (monday * DAY_MS + DIGEST_HOUR * 3_600_000);
        if !(0..DAY_MS).contains(&since) {
            continue;
        }
        let week = memnun_protocol::time::format_rfc3339_ms(monday * DAY_MS);
        let id = format!("digest-{}-{}", shop.shop_id, &week[..10]);
        let address_key = crate::platform::pseudonyms::merchant_email(env, to)?;
        // The week it is about ends at that Monday morning: every attempt says the same.
        let week_ends = now - since;
        statements.push(store::plan_digest(
            db,
            &id,
            &shop.shop_id,
            &address_key,
            week_ends,
            now,
        )?);
    }
    if !statements.is_empty() {
        db.batch(statements).await?;
    }
    Ok(())
}

/// Seals again, with the current key, what the previous one sealed: a few shops' secrets and
/// addresses per run, until `OUTREACH_KEY_PREVIOUS` can go (README, "Sending messages").
async fn reseal(db: &D1Database, keys: &Keyring) -> Result<(), ApiError> {
    let Some(previous) = keys.previous_prefix() else {
        return Ok(());
    };
    let stale = store::stale_sealed(db, &previous, RESEALS_PER_RUN).await?;
    let again = |sealed: Option<&str>, context: &str| -> Result<Option<String>, ApiError> {
        sealed
            .and_then(|s| keys.open(s, context))
            .map(|plain| seal(keys, &plain, context))
            .transpose()
    };
    let mut statements = Vec::new();
    for row in &stale {
        let shop = row.shop_id.as_str();
        // A value the previous key sealed that does not open (damaged) is of no use: it goes,
        // so that it is not picked again every run (the merchant sets a secret again).
        match &row.order_id {
            Some(order) => {
                let sealed = again(row.sealed.as_deref(), &address_context(shop, order))?;
                statements.push(store::reseal_address(db, row, order, sealed.as_deref())?);
            }
            None => {
                // A value already under the current key stays as it is.
                let kept = |sealed: Option<&str>, resealed: Option<String>| match sealed {
                    Some(s) if !s.starts_with(&previous) => Some(s.to_owned()),
                    _ => resealed,
                };
                let api_key = again(row.api_key_sealed.as_deref(), &key_context(shop))?;
                let secret = again(
                    row.webhook_secret_sealed.as_deref(),
                    &webhook_secret_context(shop),
                )?;
                statements.push(store::reseal_secrets(
                    db,
                    row,
                    kept(row.api_key_sealed.as_deref(), api_key).as_deref(),
                    kept(row.webhook_secret_sealed.as_deref(), secret).as_deref(),
                )?);
            }
        }
    }
    if !statements.is_empty() {
        db.batch(statements).await?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn decide(
    env: &Env,
    db: &D1Database,
    message: &Due,
    claim: &str,
    keys: Option<&Keyring>,
    base: Option<&str>,
    now: i64,
) -> Result<Decision, ApiError> {
    // An attempt whose answer was lost may have been sent: whatever else holds now, it is not
    // made again (only a provider without idempotency leaves this mark).
    if message.outcome.as_deref() == Some(SENDING) {
        return Ok(Decision::Outcome(SendOutcome::Refused {
            reason: UNKNOWN.into(),
            suppress: false,
        }));
    }
    let Some(settings) = message.settings()?.filter(|s| s.sending) else {
        return Ok(Decision::Skip("sending off"));
    };
    let kind = MessageKind::parse(&message.kind)
        .ok_or_else(|| ApiError::Internal(format!("unknown kind {}", message.kind)))?;
    if message.suppressed != 0 {
        return Ok(Decision::Skip("suppressed"));
    }
    // The shop's choices as they stand now, not as they stood when the message was planned.
    if let Some(rule) = switched_off(&settings, kind) {
        return Ok(Decision::Skip(rule));
    }
    let about_reviews = matches!(
        kind,
        MessageKind::ReviewRequest | MessageKind::ReviewReminder
    );
    if about_reviews && message.reviewed != 0 {
        return Ok(Decision::Skip("reviewed"));
    }
    if kind == MessageKind::SurveyInvitation {
        let survey = match message.survey_settings.as_deref() {
            Some(json) => crate::store::survey_settings::read(json)?,
            None => SurveySettings::defaults(),
        };
        if message.answered != 0 {
            return Ok(Decision::Skip("answered"));
        }
        if survey.asked().is_empty() {
            return Ok(Decision::Skip("survey off"));
        }
        // The survey would not ask them (it keeps its own cooldown): no invitation either.
        let cooldown = i64::from(survey.cooldown_days) * DAY_MS;
        if [message.surveyed_at, message.invited_at]
            .into_iter()
            .flatten()
            .any(|at| at + cooldown > now)
        {
            return Ok(Decision::Skip("survey cooldown"));
        }
    }
    if kind.is_capped() {
        let cap = i64::from(settings.cap_days) * DAY_MS;
        if let Some(last) = message
            .last_sent_at
            .filter(|last| cap > 0 && *last + cap > now)
        {
            return Ok(Decision::Postpone(last + cap, "capped"));
        }
        // A survey invitation and a review request never come on one day, whatever the cap.
        let other = match kind {
            MessageKind::SurveyInvitation => message.last_sent_at,
            _ => message.invited_at,
        };
        if let Some(other) = other.filter(|at| at + DAY_MS > now) {
            return Ok(Decision::Postpone(other + DAY_MS, "not on one day"));
        }
    }
    let zone = settings.time_zone.as_str();
    let hour_at = |at: i64| hour_in(zone, at).unwrap_or(12);
    if settings.quiet_hours.contains(hour_at(now)) {
        let until = settings.quiet_hours.first_time_outside(now, hour_at);
        return Ok(Decision::Postpone(until, "quiet hours"));
    }
    let keys = keys.ok_or(ApiError::NotConfigured("OUTREACH_KEY"))?;
    let shop = Id::parse(&message.shop_id).map_err(|_| ApiError::Internal("shop id".into()))?;
    let order_id = message
        .order_id
        .as_deref()
        .map(Id::parse)
        .transpose()
        .map_err(|_| ApiError::Internal("order id".into()))?;
    // An order's address is kept sealed for its messages and open cases; a review's is the
    // one its author left with it (for the merchant's eyes, and for the reply).
    let address = match order_id
        .as_ref()
        .map(Id::as_str)
        .or(message.case_order.as_deref())
    {
        Some(order_id) => message
            .sealed
            .as_deref()
            .and_then(|sealed| keys.open(sealed, &address_context(shop.as_str(), order_id))),
        // The address it was planned for, still: a changed one waits for next week's.
        None if kind == MessageKind::MerchantDigest => settings.digest.to.clone().filter(|to| {
            crate::platform::pseudonyms::merchant_email(env, to)
                .ok()
                .as_deref()
                == Some(message.address_key.as_str())
        }),
        // The address the question's author left, if it is still the one the notice was
        // planned for.
        None if kind == MessageKind::AnswerNotice => {
            message.question_email.clone().filter(|email| {
                crate::platform::pseudonyms::order_email(env, email)
                    .ok()
                    .as_deref()
                    == Some(message.address_key.as_str())
            })
        }
        None => message.review_email.clone(),
    };
    // A case answer planned for its review's author (the order's address was not kept): that
    // address, if it is still the one the answer was planned for.
    let address = match address {
        None if kind == MessageKind::CaseAnswer => message.review_email.clone().filter(|email| {
            crate::platform::pseudonyms::order_email(env, email)
                .ok()
                .as_deref()
                == Some(message.address_key.as_str())
        }),
        found => found,
    };
    let Some(address) = address else {
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
        tag if tag.starts_with("tr") => Locale::Tr,
        _ => Locale::En,
    };
    let origin = message.edge_origin.as_deref().unwrap_or_default();
    let words = Words {
        kind,
        locale,
        own: settings.own_words(kind, locale.as_str()),
        unsubscribe_url: unsubscribe_url(env, origin, shop.as_str(), &message.address_key)?,
    };
    let rendered = match &order_id {
        Some(order_id) => about_order(db, message, &shop, order_id, words, now).await?,
        None if kind == MessageKind::CaseAnswer => {
            about_case(db, message, &shop, words, now).await?
        }
        None if kind == MessageKind::MerchantDigest => {
            let dashboard_url = format!(
                "{}/admin",
                public_url(env).unwrap_or_else(|| origin.to_owned())
            );
            Ok(the_week(db, message, &shop, words, dashboard_url).await?)
        }
        None if kind == MessageKind::AnswerNotice => {
            about_question(db, message, &shop, words).await?
        }
        None => about_review(db, message, &shop, words).await?,
    };
    let rendered = match rendered {
        Ok(rendered) => rendered,
        Err(rule) => return Ok(Decision::Skip(rule)),
    };
    let Some(email) = rendered else {
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
    if !provider.idempotent() {
        // Noted under this run's claim, or not at all: a run that lost the claim sends nothing.
        let noted = store::started(db, &message.id, claim)?.run().await?;
        let changed = noted.meta()?.and_then(|m| m.changes).unwrap_or(0);
        if changed != 1 {
            return Ok(Decision::Lost);
        }
    }
    Ok(Decision::Outcome(post(&request, provider).await))
}

/// What a message says, whatever it is about.
struct Words {
    kind: MessageKind,
    locale: Locale,
    own: memnun_protocol::outreach::settings::OwnWords,
    unsubscribe_url: String,
}

/// A message about an order, rendered; `Err` names the rule that skips it.
async fn about_order(
    db: &D1Database,
    message: &Due,
    shop: &Id,
    order_id: &Id,
    words: Words,
    now: i64,
) -> Result<Result<Option<Email>, &'static str>, ApiError> {
    let loaded = orders::load(db, shop, order_id, now).await?;
    // Links minted as of the message's planning, not of this attempt: every attempt sends the
    // same body, as an idempotency key requires.
    let links = orders::links_for(db, shop, order_id, &loaded.order, message.created_at).await?;
    let Words {
        kind,
        locale,
        own,
        unsubscribe_url,
    } = words;
    let rendered = if matches!(
        kind,
        MessageKind::ReviewRequest | MessageKind::ReviewReminder
    ) {
        let products: Vec<&str> = links.reviews.iter().map(|l| l.product.as_str()).collect();
        let names = crate::store::catalog::names_of(db, shop, &products).await?;
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
            return Ok(Err("no product page"));
        }
        ReviewRequest {
            shop_name: message.shop_name.clone(),
            order_number: loaded.order.number.clone(),
            products,
            opening: own.opening,
            subject: own.subject,
            unsubscribe_url,
            reminder: kind == MessageKind::ReviewReminder,
        }
        .render(locale)
    } else {
        let mut notice = Notice {
            kind,
            shop_name: message.shop_name.clone(),
            order_number: loaded.order.number.clone(),
            product: None,
            quote: None,
            parcels: None,
            carrier: None,
            tracking_number: None,
            carrier_url: None,
            url: links.tracker.url,
            opening: own.opening,
            subject: own.subject,
            unsubscribe_url,
        };
        if kind == MessageKind::SurveyInvitation {
            notice.url = links.survey.url;
            if notice.url.is_none() {
                return Ok(Err("no survey page"));
            }
        } else if kind == MessageKind::ShipmentDelivered {
            // About the whole order (planned once, when it all arrived): still so.
            if loaded.order.status != TrackingStatus::Delivered {
                return Ok(Err("overtaken"));
            }
        } else {
            let Some(parcel) = loaded
                .order
                .shipments
                .iter()
                .find(|s| s.id == message.shipment_id)
            else {
                return Ok(Err("no such shipment"));
            };
            // Told late (the quiet hours, a retry): a parcel that moved on is not
            // announced where it was.
            if MessageKind::shipment_notice_for(parcel.status) != Some(kind) {
                return Ok(Err("overtaken"));
            }
            notice.parcels = Some(loaded.order.shipments.len());
            notice.carrier = Some(parcel.carrier.clone());
            notice.tracking_number = parcel.tracking_number.clone();
            notice.carrier_url = parcel.tracking_url.clone();
        }
        notice.render(locale)
    };
    Ok(Ok(rendered))
}

/// The merchant's digest of the seven days before `now`, each satisfaction figure set against
/// the seven days before those.
async fn the_week(
    db: &D1Database,
    message: &Due,
    shop: &Id,
    words: Words,
    dashboard_url: String,
) -> Result<Option<Email>, ApiError> {
    use memnun_protocol::survey::Interval;
    // The week before the Monday morning it was planned for, whenever it goes: every attempt
    // says the same (an idempotency key needs it), and no two digests count a day twice.
    let end = message.created_at;
    let week_ago = end - 7 * DAY_MS;
    let reviews = store::digest_reviews(db, shop, week_ago, end).await?;
    let survey = crate::handlers::survey::satisfaction;
    let this_week = survey(db, shop, week_ago, end, Interval::Week)
        .await?
        .totals;
    let before = survey(db, shop, week_ago - 7 * DAY_MS, week_ago, Interval::Week)
        .await?
        .totals;
    // The dashboard's list counts the same (nothing new for its default days, or an exception);
    // past 100, the digest says 100.
    let stale_before = end - i64::from(STALE_DAYS_DEFAULT) * DAY_MS;
    let attention =
        crate::store::order_list::attention_page(db, shop, 100, stale_before, None).await?;
    Ok(Digest {
        shop_name: message.shop_name.clone(),
        figures: DigestFigures {
            new_reviews: reviews.new_reviews.unwrap_or(0),
            average_rating_tenths: reviews.average_tenths.map(|t| t.round() as i64),
            waiting_for_moderation: reviews.waiting.unwrap_or(0),
            nps_tenths: this_week.nps.score_tenths,
            nps_before_tenths: before.nps.score_tenths,
            csat_tenths: this_week.csat.percent_tenths,
            csat_before_tenths: before.csat.percent_tenths,
            shipments_needing_attention: attention.len() as u64,
        },
        dashboard_url,
        unsubscribe_url: words.unsubscribe_url,
    }
    .render(words.locale))
}

/// A reply notice, rendered from its review as it stands now: the reply's latest words, or
/// nothing when the reply was removed or the review is not shown.
async fn about_review(
    db: &D1Database,
    message: &Due,
    shop: &Id,
    words: Words,
) -> Result<Result<Option<Email>, &'static str>, ApiError> {
    let (Some(product), Some(reply)) = (&message.review_product, &message.review_reply) else {
        return Ok(Err("reply removed"));
    };
    if message.review_status.as_deref() != Some("published") {
        return Ok(Err("review not published"));
    }
    product_notice(db, shop, &message.shop_name, product, reply, words).await
}

/// An answer notice, rendered from its question as it stands now: the answer's latest words,
/// or nothing when the question is no longer shown.
async fn about_question(
    db: &D1Database,
    message: &Due,
    shop: &Id,
    words: Words,
) -> Result<Result<Option<Email>, &'static str>, ApiError> {
    let (Some(product), Some(answer)) = (&message.question_product, &message.question_answer)
    else {
        return Ok(Err("question gone"));
    };
    if message.question_status.as_deref() != Some("published") {
        return Ok(Err("question not shown"));
    }
    product_notice(db, shop, &message.shop_name, product, answer, words).await
}

/// A notice that quotes the merchant's words about `product` and leads to its page.
async fn product_notice(
    db: &D1Database,
    shop: &Id,
    shop_name: &str,
    product: &str,
    quote: &str,
    words: Words,
) -> Result<Result<Option<Email>, &'static str>, ApiError> {
    let names = crate::store::catalog::names_of(db, shop, &[product]).await?;
    let name = names
        .get(product)
        .and_then(|n| n.get(words.locale.as_str()).or_else(|| n.values().next()))
        .cloned()
        .unwrap_or_else(|| product.to_owned());
    let Some(url) = crate::handlers::shops::pages(db, shop)
        .await?
        .product_url(product)
    else {
        return Ok(Err("no product page"));
    };
    Ok(Ok(Notice {
        kind: words.kind,
        shop_name: shop_name.to_owned(),
        order_number: String::new(),
        product: Some(name),
        quote: Some(quote.to_owned()),
        parcels: None,
        carrier: None,
        tracking_number: None,
        carrier_url: None,
        url: Some(url),
        opening: words.own.opening,
        subject: words.own.subject,
        unsubscribe_url: words.unsubscribe_url,
    }
    .render(words.locale)))
}

/// The merchant's answer to a case, in its words; with the tracker's link when the case is
/// about an order and the shop has a tracker page.
async fn about_case(
    db: &D1Database,
    message: &Due,
    shop: &Id,
    words: Words,
    now: i64,
) -> Result<Result<Option<Email>, &'static str>, ApiError> {
    let Some(answer) = message.case_answer.clone() else {
        return Ok(Err("answer removed"));
    };
    let (order_number, url) = match message.case_order.as_deref().map(Id::parse) {
        Some(Ok(order_id)) => {
            let loaded = orders::load(db, shop, &order_id, now).await?;
            let links =
                orders::links_for(db, shop, &order_id, &loaded.order, message.created_at).await?;
            (loaded.order.number, links.tracker.url)
        }
        _ => (String::new(), None),
    };
    Ok(Ok(Notice {
        kind: words.kind,
        shop_name: message.shop_name.clone(),
        order_number,
        product: None,
        quote: Some(answer),
        parcels: None,
        carrier: None,
        tracking_number: None,
        carrier_url: None,
        url,
        opening: words.own.opening,
        subject: words.own.subject,
        unsubscribe_url: words.unsubscribe_url,
    }
    .render(words.locale)))
}

/// A message's outcome while an attempt's answer is not known.
const SENDING: &str = "sending";
/// Why a message is not sent again through a provider without idempotency.
const UNKNOWN: &str = "no answer to an attempt: it may have been sent, so it is not sent again";

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
        Either::Left((Err(e), _)) if provider.idempotent() => {
            not_reached(format!("not reached: {e}"))
        }
        Either::Right(_) if provider.idempotent() => {
            // The provider may have taken it: its idempotency key makes the retry safe.
            not_reached(format!("no answer within {} s", SEND_TIMEOUT.as_secs()))
        }
        _ => SendOutcome::Refused {
            reason: UNKNOWN.into(),
            suppress: false,
        },
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
        Decision::Lost => return Ok(statements),
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
                    let hinted = after_s.map_or(0, |s| now + (s.min(21_600) as i64) * 1000);
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
    if let Some(order_id) = message.order_id.as_ref().or(message.case_order.as_ref()) {
        statements.push(store::forget_address_when_done(
            db,
            &message.shop_id,
            order_id,
        )?);
    }
    Ok(statements)
}

/// The rule that keeps `kind` from going out under `settings`, if one does.
fn switched_off(settings: &OutreachSettings, kind: MessageKind) -> Option<&'static str> {
    match kind {
        MessageKind::ReviewRequest | MessageKind::ReviewReminder if !settings.review_request.on => {
            Some("review requests off")
        }
        MessageKind::ReviewReminder if settings.review_request.reminder_days == 0 => {
            Some("reminders off")
        }
        MessageKind::SurveyInvitation if !settings.survey_invitation.on => {
            Some("survey invitations off")
        }
        kind if kind.is_shipment_notice() && !settings.shipment_notices.sends(kind) => {
            Some("shipment notices off")
        }
        MessageKind::MerchantDigest if !settings.digest.on => Some("digest off"),
        MessageKind::ReplyNotice if !settings.reply_notice.on => Some("reply notices off"),
        MessageKind::AnswerNotice if !settings.answer_notice.on => Some("answer notices off"),
        _ => None,
    }
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
