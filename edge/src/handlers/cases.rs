//! Cases (`/v1/admin/cases…`, `/v1/admin/reports/cases`) and the tracker's complaint form
//! (`POST /v1/shops/{shop}/orders/complaints`). The signals that open cases are written by the
//! handlers of their causes (survey answers, reviews, reports, tracking events, complaints)
//! through [`signal`], in the same batch as the write that caused them.

use crate::handlers::Context;
use crate::handlers::outreach::{address_context, keyring, message_id};
use crate::handlers::webhooks;
use crate::platform::error::ApiError;
use crate::platform::http::{self, BodyType};
use crate::platform::pseudonyms;
use crate::platform::secure::random_hex;
use crate::platform::shopper_write::{self, Opened};
use crate::store::cases::{self as store, Signal, Subject};
use crate::store::moderation::{LogLine, log_line};
use crate::store::webhook_outbox::Condition;
use memnun_protocol::cases::{
    CaseCause, CaseListQuery, CasePage, CaseReport, CaseReportQuery, CaseSettings, CaseState,
    CaseUpdate, CaseView, MAX_REQUEST_BYTES, NewCaseAnswer, NewCaseNote, NewComplaint,
};
use memnun_protocol::merchant::ModerationAction;
use memnun_protocol::order_list::encode_cursor;
use memnun_protocol::token::Purpose;
use memnun_protocol::{FieldErrors, FieldProblem, Id, Received};
use worker::{D1Database, D1PreparedStatement, Request, Response};

const ENDPOINT_COMPLAINT: &str = "POST /v1/shops/{shop}/orders/complaints";

/// The statements of `signal` under `condition`, and the `case.opened` event if it opens one.
pub fn signal(
    db: &D1Database,
    signal: &Signal<'_>,
    condition: Option<Condition<'_>>,
) -> Result<Vec<D1PreparedStatement>, ApiError> {
    // The id of the case this signal opens, if it opens one.
    let new_id = format!("c{}", random_hex(12)?);
    let mut batch = store::signal(db, &new_id, signal, condition)?;
    let (order, review) = match signal.subject {
        Subject::Order(order) => (Some(order), signal.review),
        Subject::Review(review) => (None, Some(review)),
    };
    batch.push(webhooks::enqueue_if(
        db,
        signal.shop,
        "case.opened",
        &format!("case.opened:{new_id}"),
        serde_json::json!({
            "case": {
                "id": new_id,
                "cause": signal.cause,
                "order": order,
                "review": review,
                "opened_at": signal.now,
            },
            "signal": signal.detail,
        }),
        signal.now,
        Some(store::opened(&new_id)),
    )?);
    Ok(batch)
}

/// `GET /v1/admin/cases`.
pub async fn list(req: &Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let (db, shop, now) = (&cx.db, &cx.shop, cx.now);
    let query: CaseListQuery = http::query(req)?;
    let settings = store::settings(db, shop).await?;
    let limit = query.limit.0;
    let cursor = query.cursor.as_ref().map(|c| (c.0.0, c.0.1[0].as_str()));
    let rows = store::page(
        db,
        shop,
        query.state,
        query.cause,
        query.owner.as_deref(),
        limit + 1,
        cursor,
    )
    .await?;
    let mut cases = rows
        .into_iter()
        .map(|row| row.case(&settings, now))
        .collect::<Result<Vec<_>, _>>()?;
    let next_cursor = http::next_page(&mut cases, limit, |c| {
        encode_cursor(c.opened_at, &[c.id.as_str()])
    });
    http::json(200, &CasePage { cases, next_cursor })
}

/// The case with its history, the address to go on by hand and the survey answer behind it.
async fn view(cx: &Context<'_>, id: &str) -> Result<CaseView, ApiError> {
    let (db, shop, now) = (&cx.db, &cx.shop, cx.now);
    let settings = store::settings(db, shop).await?;
    let row = store::get(db, shop, id)
        .await?
        .ok_or(ApiError::NotFound("case"))?;
    let history = store::history(db, id).await?;
    let reach = store::reach(db, shop, id).await?;
    // A report's case is about a review someone else wrote: its author's address is not for it.
    let address = reach
        .as_ref()
        .filter(|_| row.cause != CaseCause::Report.as_str())
        .and_then(|r| address_of(cx, row.order_id.as_deref(), r));
    let survey = match (row.cause.as_str(), row.order_id.as_deref()) {
        ("survey", Some(order)) => store::survey(db, shop, order).await?,
        _ => None,
    };
    let case = row.case(&settings, now)?;
    let can_email = address.is_some() && reach.is_some_and(|r| r.sending != 0);
    Ok(CaseView {
        case,
        history,
        address,
        can_email,
        survey,
    })
}

/// The shopper's address as memnun keeps it: the order's (sealed), else the one its review's
/// author left.
fn address_of(cx: &Context<'_>, order: Option<&str>, reach: &store::Reach) -> Option<String> {
    let sealed = order
        .zip(reach.sealed.as_deref())
        .and_then(|(order, sealed)| {
            keyring(cx.env)
                .ok()?
                .open(sealed, &address_context(cx.shop.as_str(), order))
        });
    sealed.or_else(|| reach.review_email.clone())
}

/// `GET /v1/admin/cases/{case}`.
pub async fn get(cx: &Context<'_>, id: &str) -> Result<Response, ApiError> {
    http::json(200, &view(cx, id).await?)
}

async fn exists(cx: &Context<'_>, id: &str) -> Result<store::Row, ApiError> {
    store::get(&cx.db, &cx.shop, id)
        .await?
        .ok_or(ApiError::NotFound("case"))
}

/// `PUT /v1/admin/cases/{case}`: state, owner, resolution.
pub async fn put(req: &mut Request, cx: &Context<'_>, id: &str) -> Result<Response, ApiError> {
    let (db, shop, now) = (&cx.db, &cx.shop, cx.now);
    let (update, _): (CaseUpdate, _) =
        http::read_json(req, MAX_REQUEST_BYTES, BodyType::Json).await?;
    let change = update
        .normalized()
        .validate()
        .map_err(ApiError::Validation)?;
    let before = exists(cx, id).await?;
    // Refused before anything changes: one unresolved case per subject and cause. (The update
    // itself checks again, for a signal that opens a case in between.)
    let reopening = change.state.is_some() && before.state == CaseState::Resolved.as_str();
    let conflict = || {
        ApiError::Conflict(
            "another case about the same thing is unresolved: handle that one".into(),
        )
    };
    if reopening && store::has_unresolved_twin(db, shop, id).await? {
        return Err(conflict());
    }
    let actor = cx.actor().0.to_owned();
    let mut batch = store::update(db, shop, id, &change, &actor, now)?;
    if change.resolution.is_some() {
        batch.push(webhooks::enqueue_if(
            db,
            shop,
            "case.resolved",
            &format!("case.resolved:{id}:{now}"),
            serde_json::json!({
                "case": { "id": id, "cause": before.cause, "order": before.order_id,
                          "review": before.review_id, "opened_at": before.opened_at,
                          "resolved_at": now },
                "resolution": change.resolution.as_ref().map(|r| serde_json::json!({
                    "category": r.category, "text": r.text,
                })),
            }),
            now,
            Some(store::resolved_at(id, now)),
        )?);
        if let Some(order) = &before.order_id {
            batch.push(crate::store::outreach::forget_address_when_done(
                db,
                shop.as_str(),
                order,
            )?);
        }
    }
    db.batch(batch).await?;
    let after = view(cx, id).await?;
    // A case opened in between took the subject: the update left this one resolved.
    if reopening && after.case.state == CaseState::Resolved {
        return Err(conflict());
    }
    http::json(200, &after)
}

/// `POST /v1/admin/cases/{case}/notes`: an internal note.
pub async fn note(req: &mut Request, cx: &Context<'_>, id: &str) -> Result<Response, ApiError> {
    let (db, shop, now) = (&cx.db, &cx.shop, cx.now);
    let (body, _): (NewCaseNote, _) =
        http::read_json(req, MAX_REQUEST_BYTES, BodyType::Json).await?;
    let text = NewCaseNote {
        text: body.text.as_deref().map(memnun_protocol::text::normalize),
    }
    .validate()
    .map_err(ApiError::Validation)?;
    exists(cx, id).await?;
    db.batch(store::note(db, shop, id, cx.actor().0, &text, now)?)
        .await?;
    http::json(201, &view(cx, id).await?)
}

/// `POST /v1/admin/cases/{case}/answers`: the merchant's answer, by email when the shop sends
/// and memnun keeps the address, and as the review's public reply when asked.
pub async fn answer(req: &mut Request, cx: &Context<'_>, id: &str) -> Result<Response, ApiError> {
    let (db, shop, now) = (&cx.db, &cx.shop, cx.now);
    let (body, _): (NewCaseAnswer, _) =
        http::read_json(req, MAX_REQUEST_BYTES, BodyType::Json).await?;
    let answer = NewCaseAnswer {
        text: body.text.as_deref().map(memnun_protocol::text::normalize),
        ..body
    }
    .validate()
    .map_err(ApiError::Validation)?;
    let row = exists(cx, id).await?;
    let review = row.review_id.as_deref().filter(|_| answer.reply);
    if answer.reply && review.is_none() {
        let mut errors = FieldErrors::default();
        errors.push("reply", FieldProblem::NotAChoice);
        return Err(ApiError::Validation(errors));
    }
    let reach = store::reach(db, shop, id).await?;
    // A report's case is about a review someone else wrote: its author is not who to answer.
    let reachable = answer.email && row.cause != CaseCause::Report.as_str();
    let address_key = match (&reach, row.order_id.as_deref()) {
        _ if !reachable => None,
        (Some(r), Some(_)) if r.sealed.is_some() => r.email_hash.clone(),
        (Some(r), _) => r
            .review_email
            .as_deref()
            .map(|email| pseudonyms::order_email(cx.env, email))
            .transpose()?,
        (None, _) => None,
    };
    let message = address_key
        .map(|key| Ok::<_, ApiError>((message_id()?, key)))
        .transpose()?;
    let actor = cx.actor().0.to_owned();
    let mut batch = store::answer(
        db,
        shop,
        id,
        &actor,
        &answer.text,
        message.as_ref().map(|(m, k)| (m.as_str(), k.as_str())),
        review.is_some(),
        now,
    )?;
    if let Some(review) = review {
        batch.push(crate::store::reviews::set_reply(
            db,
            shop,
            review,
            Some(&answer.text),
            now,
        )?);
        batch.push(log_line(
            db,
            shop,
            LogLine {
                review,
                action: ModerationAction::Replied,
                actor: &cx.actor(),
                reason: Some("answered from a case"),
            },
            now,
            false,
        )?);
    }
    db.batch(batch).await?;
    http::json(201, &view(cx, id).await?)
}

/// `GET /v1/admin/cases/settings`.
pub async fn get_settings(cx: &Context<'_>) -> Result<Response, ApiError> {
    http::json(200, &store::settings(&cx.db, &cx.shop).await?)
}

/// `PUT /v1/admin/cases/settings`: the whole settings, defaults for what is left out.
pub async fn put_settings(req: &mut Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let (settings, _): (CaseSettings, _) =
        http::read_json(req, MAX_REQUEST_BYTES, BodyType::Json).await?;
    settings.validate().map_err(ApiError::Validation)?;
    store::put_settings(&cx.db, &cx.shop, &settings, cx.now).await?;
    http::json(200, &settings)
}

/// `GET /v1/admin/reports/cases?from=&to=`: response times of the cases opened in the period.
pub async fn report(req: &Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let (db, shop, now) = (&cx.db, &cx.shop, cx.now);
    let query: CaseReportQuery = http::query(req)?;
    let (from, to) = http::report_period(
        query.from.as_deref(),
        query.to.as_deref(),
        now,
        memnun_protocol::survey::REPORT_DEFAULT_DAYS,
    )?;
    let settings = store::settings(db, shop).await?;
    let times = store::times(db, shop, from, to).await?;
    http::json(200, &CaseReport::build(from, to, &settings, &times))
}

/// `POST /v1/shops/{shop}/orders/complaints`: "Something wrong?" from the tracker, on an order
/// delivered or late. The shopper hears that it was received; the shop gets a case.
pub async fn complaint(req: &mut Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    const WRITE: shopper_write::Rules = shopper_write::Rules {
        client_limit: "REVIEW_WRITES",
        shop_limit: None,
        max_bytes: MAX_REQUEST_BYTES,
        body: BodyType::Json,
    };
    let (db, shop, now) = (&cx.db, &cx.shop, cx.now);
    let (Opened { body, .. }, idempotency) =
        shopper_write::open_idempotent::<NewComplaint>(req, cx, &WRITE, ENDPOINT_COMPLAINT).await?;
    if let Some(replayed) = idempotency.replay(db, now).await? {
        return Ok(replayed);
    }
    let (token, message) = NewComplaint {
        message: body
            .message
            .as_deref()
            .map(memnun_protocol::text::normalize),
        ..body
    }
    .validate()
    .map_err(ApiError::Validation)?;
    let not_found = || ApiError::NotFound("order");
    let claims = crate::handlers::tokens::verify(db, shop, &token, Purpose::Track, now)
        .await?
        .map_err(|_| not_found())?;
    let order = Id::parse(&claims.order).map_err(|_| not_found())?;
    let loaded = match crate::handlers::orders::load(db, shop, &order, now).await {
        Err(ApiError::NotFound(_)) => return Err(not_found()),
        other => other?,
    };
    if !memnun_protocol::order::takes_complaints(&loaded.order, now) {
        return Err(ApiError::Conflict(
            "the order is on its way: write once it is delivered, or if it is late".into(),
        ));
    }
    // The stored answer names the order: it is erased with it.
    let idempotency = idempotency.about(order.as_str());
    let answer = http::to_json(&Received::new())?;
    let mut batch = idempotency.record(db, now, 202, &answer)?;
    let key = format!("complaint:{}", random_hex(12)?);
    batch.extend(signal(
        db,
        &Signal {
            shop,
            cause: CaseCause::Complaint,
            subject: Subject::Order(order.as_str()),
            review: None,
            key: &key,
            detail: serde_json::json!({ "message": message, "status": loaded.order.status }),
            now,
        },
        None,
    )?);
    idempotency.commit(db, batch, now, 202, answer).await
}
