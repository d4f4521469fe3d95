//! The post-delivery survey: a shopper opens it with the order's `survey` token
//! (`POST /v1/shops/{shop}/survey/open`) and saves every answer as it is given
//! (`POST /v1/shops/{shop}/survey/answers`); the merchant words and switches its questions
//! (`/v1/admin/survey`), reads the satisfaction report (`GET /v1/admin/reports/satisfaction`)
//! and exports the responses (`GET /v1/admin/survey/responses.csv`). The responses behind the
//! report's counts are listed by `survey_responses`, from the same selection.
//!
//! Invariants: one response per order (its primary key); a response's answers only move
//! forward (each save carries every answer so far and a higher `seq`; an older one arriving late
//! changes nothing); a finished or dismissed response never changes again; the webhook events
//! (`survey.detractor`, `survey.completed`) are queued in the same batch as the answer that
//! causes them, once per order.

use crate::handlers::Context;
use crate::handlers::tokens;
use crate::handlers::webhooks;
use crate::platform::error::ApiError;
use crate::platform::http::{self, BodyType};
use crate::platform::idempotency::Idempotency;
use crate::platform::shopper_write;
use crate::store::cases::{Signal, Subject};
use crate::store::survey_responses::{self as responses, Save, Situation};
use crate::store::survey_settings;
use memnun_protocol::cases::CaseCause;
use memnun_protocol::survey::{
    self, Answers, Interval, MAX_REQUEST_BYTES, MAX_SETTINGS_BYTES, NpsGroup, Reason,
    SatisfactionQuery, SatisfactionReport, SurveyOpen, SurveyOpened, SurveySettings,
    SurveySettingsUpdate, SurveyState, SurveySubmission, Tally,
};
use memnun_protocol::survey_csv::{self, ExportRow};
use memnun_protocol::token::Purpose;
use memnun_protocol::{FieldErrors, FieldProblem, Id, topics};
use std::collections::BTreeMap;
use worker::{D1Database, Request, Response};

const ENDPOINT_ANSWERS: &str = "POST /v1/shops/{shop}/survey/answers";
/// Opening a survey and saving its answers share one limit per client.
const WRITE: shopper_write::Rules = shopper_write::Rules {
    client_limit: "SURVEY_WRITES",
    shop_limit: None,
    max_bytes: MAX_REQUEST_BYTES,
    body: BodyType::Json,
};
const OPEN_MAX_BYTES: usize = 2 * 1024;
/// Responses one export holds (the newest first); a shop with more exports by period.
const MAX_EXPORT_ROWS: u32 = 50_000;
const MS_PER_DAY: i64 = 86_400_000;

/// The shop's settings, or the defaults when the merchant has never set them.
pub async fn settings(db: &D1Database, shop: &Id) -> Result<SurveySettings, ApiError> {
    Ok(survey_settings::get(db, shop)
        .await?
        .unwrap_or_else(SurveySettings::defaults))
}

/// `GET /v1/admin/survey`.
pub async fn get_settings(cx: &Context<'_>) -> Result<Response, ApiError> {
    let (db, shop) = (&cx.db, &cx.shop);
    http::json(200, &settings(db, shop).await?)
}

/// `PUT /v1/admin/survey`: the fields given change, the others stay.
pub async fn put_settings(req: &mut Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let (db, shop, now) = (&cx.db, &cx.shop, cx.now);
    let (update, _): (SurveySettingsUpdate, _) =
        http::read_json(req, MAX_SETTINGS_BYTES, BodyType::Json).await?;
    let next = update
        .apply(&settings(db, shop).await?)
        .map_err(ApiError::Validation)?;
    survey_settings::put(db, shop, &next, now).await?;
    http::json(200, &next)
}

// The store reads a situation; what it means for the shopper is the survey's to say.
impl Situation {
    fn state(&self) -> SurveyState {
        if self.delivered_at.is_none() {
            SurveyState::NotDelivered
        } else if self.completed_at.is_some() {
            SurveyState::Completed
        } else if self.dismissed_at.is_some() {
            SurveyState::Dismissed
        } else if self.opened_at.is_none() && self.asked_lately != 0 {
            // A survey already opened is this order's own: it may always be finished.
            SurveyState::Cooldown
        } else {
            SurveyState::Open
        }
    }

    fn answers(&self) -> Answers {
        let reasons: Vec<String> = self
            .reasons
            .as_deref()
            .and_then(|r| serde_json::from_str(r).ok())
            .unwrap_or_default();
        let score = |v: Option<i64>| v.and_then(|v| u8::try_from(v).ok());
        Answers {
            nps: score(self.nps),
            reasons: reasons.iter().filter_map(|r| Reason::parse(r)).collect(),
            follow_up: self.follow_up.clone(),
            csat: score(self.csat),
            ces: score(self.ces),
            comment: self.comment.clone(),
        }
    }

    fn opened(&self, settings: &SurveySettings, locale: Option<&str>) -> SurveyOpened {
        SurveyOpened {
            state: self.state(),
            order_number: self.number.clone(),
            questions: settings.asked(),
            texts: settings.texts_for(locale),
            answers: self.answers(),
            seq: self.seq.and_then(|s| u32::try_from(s).ok()).unwrap_or(0),
        }
    }
}

async fn situation(
    db: &D1Database,
    shop: &Id,
    order: &Id,
    settings: &SurveySettings,
    now: i64,
) -> Result<Situation, ApiError> {
    let asked_since = now - i64::from(settings.cooldown_days) * MS_PER_DAY;
    responses::situation(db, shop, order, asked_since)
        .await?
        .ok_or(ApiError::NotFound("order"))
}

/// The order a `survey` token opens, or a 422 on `token` that says why not.
async fn token_order(db: &D1Database, shop: &Id, token: &str, now: i64) -> Result<Id, ApiError> {
    let refused = |why: &'static str| {
        let mut errors = FieldErrors::default();
        errors.push("token", FieldProblem::InvalidToken(why));
        ApiError::Validation(errors)
    };
    if token.is_empty() {
        let mut errors = FieldErrors::default();
        errors.push("token", FieldProblem::Required);
        return Err(ApiError::Validation(errors));
    }
    let claims = tokens::verify(db, shop, token, Purpose::Survey, now)
        .await?
        .map_err(|e| refused(e.explain()))?;
    Id::parse(&claims.order).map_err(|_| refused("does not name an order"))
}

/// `POST /v1/shops/{shop}/survey/open`: where the shopper stands, with the questions and
/// the answers so far. Opening marks the shopper as asked (the recontact cooldown counts from
/// here), so it is a POST; the token is in the body, out of URLs and logs.
pub async fn open(req: &mut Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let (db, shop, now) = (&cx.db, &cx.shop, cx.now);
    const OPEN: shopper_write::Rules = shopper_write::Rules {
        max_bytes: OPEN_MAX_BYTES,
        ..WRITE
    };
    let body = shopper_write::open::<SurveyOpen>(req, cx, &OPEN)
        .await?
        .body;
    let mut errors = FieldErrors::default();
    let locale = survey::check_locale(&mut errors, body.locale.as_deref());
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let order = token_order(db, shop, body.token.as_deref().unwrap_or(""), now).await?;
    let settings = settings(db, shop).await?;
    let mut situation = situation(db, shop, &order, &settings, now).await?;
    if situation.state() == SurveyState::Open && situation.opened_at.is_none() {
        responses::mark_opened(
            db,
            shop,
            &order,
            situation.email_hash.as_deref(),
            locale.as_deref(),
            now,
        )
        .await?;
        situation.opened_at = Some(now);
    }
    http::json(200, &situation.opened(&settings, locale.as_deref()))
}

/// `POST /v1/shops/{shop}/survey/answers`: saves every answer so far (with `Idempotency-Key`).
/// Answers 200 with where the shopper now stands; a save older than the stored one, or one for
/// a finished or dismissed survey, changes nothing and answers the stored state.
pub async fn answer(req: &mut Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let (db, shop, now) = (&cx.db, &cx.shop, cx.now);
    let (opened, idempotency) =
        shopper_write::open_idempotent::<SurveySubmission>(req, cx, &WRITE, ENDPOINT_ANSWERS)
            .await?;
    let submission = opened.body;
    let valid = submission
        .normalized()
        .validate()
        .map_err(ApiError::Validation)?;
    if let Some(replayed) = idempotency.replay(db, now).await? {
        return Ok(replayed);
    }
    let order = token_order(db, shop, &valid.token, now).await?;
    // The stored answer holds the shopper's answers: it is erased with the order's response.
    let idempotency = idempotency.about(order.as_str());
    let settings = settings(db, shop).await?;
    let situation = situation(db, shop, &order, &settings, now).await?;
    let locale = valid.locale.as_deref();
    match situation.state() {
        SurveyState::NotDelivered => {
            return Err(ApiError::Conflict(
                "the order has not been delivered yet; its survey opens once it is".into(),
            ));
        }
        SurveyState::Cooldown => {
            return Err(ApiError::Conflict(
                "this shopper was asked about another order recently; the shop does not ask \
                 again within its cooldown"
                    .into(),
            ));
        }
        SurveyState::Completed | SurveyState::Dismissed => {
            return http::json(200, &situation.opened(&settings, locale));
        }
        SurveyState::Open => {}
    }
    let stored_seq = situation.seq.unwrap_or(0);
    if i64::from(valid.seq) <= stored_seq {
        // An older state arriving late (a retry from an offline queue): the newer one stands.
        return http::json(200, &situation.opened(&settings, locale));
    }
    let save = Save {
        shop,
        order: &order,
        shopper_key: situation.email_hash.as_deref(),
        seq: valid.seq,
        locale,
        now,
    };
    if valid.dismissed {
        return dismiss(db, &save, &situation, &settings, idempotency).await;
    }
    let answers = &valid.answers;
    let topics = topics::tag(&answers.comments(), &settings.topics);
    let state = if valid.complete {
        SurveyState::Completed
    } else {
        SurveyState::Open
    };
    let answer = serde_json::to_string(&SurveyOpened {
        state,
        order_number: situation.number.clone(),
        questions: settings.asked(),
        texts: settings.texts_for(locale),
        answers: answers.clone(),
        seq: valid.seq,
    })
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut batch = idempotency.record(db, now, 200, &answer)?;
    batch.push(responses::save_answers(
        db,
        &save,
        answers,
        &topics,
        valid.complete,
    )?);

    // Events follow the stored state: queued only if this save is the one stored (its `seq` and
    // time: two saves racing with one `seq` cannot both pass).
    let data = serde_json::json!({
        "order": order.as_str(),
        "number": situation.number,
        "group": answers.nps.and_then(NpsGroup::of),
        "answers": answers,
        "topics": topics,
        "locale": locale,
        "completed": valid.complete,
    });
    if answers.nps.is_some_and(|n| n <= 6) {
        batch.push(webhooks::enqueue_if(
            db,
            shop,
            "survey.detractor",
            &format!("survey.detractor:{order}"),
            data.clone(),
            now,
            Some(responses::stored_as_detractor(&save)),
        )?);
    }
    if answers.nps.is_some_and(|n| n <= 6) || answers.csat.is_some_and(|c| c <= 2) {
        batch.extend(crate::handlers::cases::signal(
            db,
            &Signal {
                shop,
                cause: CaseCause::Survey,
                subject: Subject::Order(order.as_str()),
                review: None,
                key: &format!("survey:{order}"),
                detail: serde_json::json!({ "nps": answers.nps, "csat": answers.csat }),
                now,
            },
            Some(responses::stored_as_unhappy(&save)),
        )?);
    }
    if valid.complete {
        batch.push(webhooks::enqueue_if(
            db,
            shop,
            "survey.completed",
            &format!("survey.completed:{order}"),
            data,
            now,
            Some(responses::stored_as_completed(&save)),
        )?);
    }
    idempotency.commit(db, batch, now, 200, answer).await
}

/// "No thanks": the survey closes for good. The answers already stored stay as they were (a
/// dismissal carries none) and no event is queued.
async fn dismiss(
    db: &D1Database,
    save: &Save<'_>,
    situation: &Situation,
    settings: &SurveySettings,
    idempotency: Idempotency,
) -> Result<Response, ApiError> {
    let answer = serde_json::to_string(&SurveyOpened {
        state: SurveyState::Dismissed,
        seq: save.seq,
        ..situation.opened(settings, save.locale)
    })
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut batch = idempotency.record(db, save.now, 200, &answer)?;
    batch.push(responses::dismiss(db, save)?);
    idempotency.commit(db, batch, save.now, 200, answer).await
}

/// The period of the report, and of the response list that shows what it counts: `from`
/// inclusive, `to` exclusive, by delivery time.
pub fn period(from: Option<&str>, to: Option<&str>, now: i64) -> Result<(i64, i64), ApiError> {
    http::report_period(from, to, now, survey::REPORT_DEFAULT_DAYS)
}

/// `GET /v1/admin/reports/satisfaction?from=&to=&interval=week|day`: the satisfaction numbers
/// of the orders delivered in the period, in total and per week (or day). The counting is SQL;
/// the formulas are `protocol::survey`'s.
pub async fn report(req: &Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let (db, shop, now) = (&cx.db, &cx.shop, cx.now);
    let query: SatisfactionQuery = http::query(req)?;
    let (from, to) = period(query.from.as_deref(), query.to.as_deref(), now)?;
    let mut resp = http::json(
        200,
        &satisfaction(db, shop, from, to, query.interval).await?,
    )?;
    resp.headers_mut().set("Cache-Control", "no-store")?;
    Ok(resp)
}

/// The satisfaction numbers of `shop`'s orders delivered in `[from, to)`, in total and per
/// `interval` (the report, and the merchant's weekly digest).
pub async fn satisfaction(
    db: &D1Database,
    shop: &Id,
    from: i64,
    to: i64,
    interval: Interval,
) -> Result<SatisfactionReport, ApiError> {
    let counts = responses::report_counts(db, shop, from, to, interval).await?;
    let mut buckets: BTreeMap<i64, Tally> = BTreeMap::new();
    for row in counts.delivered {
        buckets.entry(row.bucket).or_default().delivered += row.n;
    }
    for row in counts.scores {
        buckets.entry(row.bucket).or_default().add_response(
            row.nps,
            row.csat,
            row.ces,
            row.completed != 0,
            row.n,
        );
    }
    for row in counts.reasons {
        if let Some(nps) = row.nps {
            buckets
                .entry(row.bucket)
                .or_default()
                .add_reason(nps, &row.name, row.n);
        }
    }
    for row in counts.topics {
        buckets
            .entry(row.bucket)
            .or_default()
            .add_topic(&row.name, row.n);
    }
    Ok(SatisfactionReport::build(from, to, interval, &buckets))
}

/// `GET /v1/admin/survey/responses.csv`: every answered or dismissed response, newest first,
/// with its order; cells a spreadsheet would run as formulas are neutralised.
pub async fn export(cx: &Context<'_>) -> Result<Response, ApiError> {
    let (db, shop) = (&cx.db, &cx.shop);
    let rows = responses::exported(db, shop, MAX_EXPORT_ROWS).await?;
    let list = |json: &str| -> Vec<String> { serde_json::from_str(json).unwrap_or_default() };
    let parsed: Vec<(Vec<String>, Vec<String>)> = rows
        .iter()
        .map(|r| (list(&r.reasons), list(&r.topics)))
        .collect();
    let export_rows: Vec<ExportRow<'_>> = rows
        .iter()
        .zip(&parsed)
        .map(|(r, (reasons, topics))| ExportRow {
            order: &r.order_id,
            number: &r.number,
            delivered_at: r.delivered_at,
            opened_at: r.opened_at,
            completed_at: r.completed_at,
            dismissed_at: r.dismissed_at,
            locale: r.locale.as_deref(),
            nps: r.nps,
            reasons,
            follow_up: r.follow_up.as_deref(),
            csat: r.csat,
            ces: r.ces,
            comment: r.comment.as_deref(),
            topics,
        })
        .collect();
    http::csv_download(
        survey_csv::export(&export_rows),
        &format!("{shop}-survey.csv"),
    )
}
