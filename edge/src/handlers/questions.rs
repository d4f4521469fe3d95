//! Questions and answers about a product. Shoppers: `POST /v1/shops/{shop}/questions` asks one
//! (it waits for the merchant), `GET /v1/shops/{shop}/products/{product}/questions` lists the
//! answered ones, searchable (the review list carries the newest with its first page), and
//! `POST …/questions/{question}/votes` says an answer helped. The merchant:
//! `GET /v1/admin/questions` (the queue and the rest), `PUT …/{question}/answer` (answering
//! shows the question; its author, who left an email, hears of the first answer through the
//! shop's messages) and `POST …/{question}/reject`.
//!
//! The spam rules of reviews apply as far as they can to words without a rating: the honeypot
//! and the fill time (answered like a success, nothing stored), the block lists and the same
//! words twice within a day (`hold_reason`, shown to the merchant). Every question waits anyway:
//! nothing a shopper asks is shown before the merchant has answered it.

use crate::handlers::Context;
use crate::handlers::feedback::{self, Started};
use crate::platform::error::ApiError;
use crate::platform::http::{self, BodyType};
use crate::platform::pseudonyms;
use crate::platform::secure::{random_hex, sha256_hex};
use crate::platform::shopper_write;
use crate::store::questions::{self as stored, Asked};
use memnun_protocol::Id;
use memnun_protocol::feedback::{NewVote, VoteCounted};
use memnun_protocol::moderation::{self as policy, HoldReason, ModerationMode};
use memnun_protocol::questions::{
    AnswerUpdate, MAX_REQUEST_BYTES, MerchantQuestionPage, MerchantQuestionQuery, NewQuestion,
    QuestionListQuery, QuestionPage, QuestionReceived, QuestionStatus, encode_cursor,
    is_question_id, search_fold, search_words,
};
use worker::{Request, Response};

const ENDPOINT_ASK: &str = "POST /v1/shops/{shop}/questions";
const ENDPOINT_VOTE: &str = "POST /v1/shops/{shop}/questions/{question}/votes";
/// A shopper's questions count against the same limit as their reviews.
const WRITE: shopper_write::Rules = shopper_write::Rules {
    client_limit: "REVIEW_WRITES",
    shop_limit: None,
    max_bytes: MAX_REQUEST_BYTES,
    body: BodyType::Json,
};
/// The same words about the same product within this time are marked as a duplicate.
const DUPLICATE_WINDOW_MS: i64 = 24 * 60 * 60 * 1000;
/// How long an answer notice waits after the answer, for second thoughts (as a reply notice).
const ANSWER_NOTICE_DELAY_MS: i64 = 10 * 60_000;

fn question_id(raw: &str) -> Result<&str, ApiError> {
    if is_question_id(raw) {
        Ok(raw)
    } else {
        Err(ApiError::InvalidParameter(
            "question id is not one this API gave out".into(),
        ))
    }
}

pub async fn ask(req: &mut Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let (env, db, shop, now) = (cx.env, &cx.db, &cx.shop, cx.now);
    let (opened, idempotency) =
        shopper_write::open_idempotent::<NewQuestion>(req, cx, &WRITE, ENDPOINT_ASK).await?;
    let (asked, client) = (opened.body, opened.client);
    let valid = asked
        .normalized()
        .validate()
        .map_err(ApiError::Validation)?;
    if asked.is_bot() {
        return http::json(202, &memnun_protocol::Received::new());
    }
    let folded = search_fold(&valid.body);
    let body_hash = sha256_hex(&[
        b"question",
        folded
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .as_bytes(),
    ]);
    let [prior, policy_row] = http::batch(
        db,
        vec![
            idempotency.replay_statement(db, now)?,
            stored::policy_and_duplicate(
                db,
                shop,
                valid.product.as_str(),
                &body_hash,
                now - DUPLICATE_WINDOW_MS,
            )?,
        ],
    )
    .await?;
    if let Some(replayed) = idempotency.replay_answer(&prior)? {
        return Ok(replayed);
    }
    let (shop_policy, duplicate) = crate::store::reviews::policy_and_duplicate_of(&policy_row)?;
    if !shop_policy.take_questions {
        return Err(ApiError::Conflict(
            "this shop does not take questions".into(),
        ));
    }
    // Every question waits for its answer: only what the words themselves show is a reason.
    let words_only = policy::ModerationPolicy {
        mode: ModerationMode::Publish,
        ..shop_policy
    };
    let hold = if duplicate {
        Some(HoldReason::Duplicate)
    } else {
        policy::hold_reason(
            &words_only,
            5,
            &[&valid.body, &valid.author],
            valid.locale.as_deref(),
        )
    };
    let shopper_key = match &valid.email {
        Some(email) => pseudonyms::review_email(&pseudonyms::salt(env)?, email),
        None => pseudonyms::review_client(&client),
    };
    let id = format!("q{}", random_hex(12)?);
    let answer = http::to_json(&QuestionReceived {
        id: id.clone(),
        status: QuestionStatus::Pending,
    })?;
    // The stored answer names the question: it is erased with it.
    let idempotency = idempotency.about(&id);
    let mut batch = idempotency.record(db, now, 201, &answer)?;
    batch.push(stored::insert(
        db,
        shop,
        &Asked {
            id: &id,
            product: valid.product.as_str(),
            body: &valid.body,
            author: &valid.author,
            email: valid.email.as_deref(),
            locale: valid.locale.as_deref(),
            shopper_key: &shopper_key,
            client: &client,
            body_hash: &body_hash,
            hold_reason: hold.map(HoldReason::as_str),
            search_text: &folded,
        },
        now,
    )?);
    idempotency.commit(db, batch, now, 201, answer).await
}

/// `GET /v1/shops/{shop}/products/{product}/questions?q=&limit=&cursor=`: the product's answered
/// questions, newest first, those holding every word of `q` when it is given.
pub async fn list(req: &Request, cx: &Context<'_>, product: &Id) -> Result<Response, ApiError> {
    let (db, shop) = (&cx.db, &cx.shop);
    let query: QuestionListQuery = http::query(req)?;
    let words = match query.q.as_deref() {
        None => Vec::new(),
        Some(q) => search_words(&memnun_protocol::text::normalize(q)).ok_or_else(|| {
            ApiError::InvalidParameter(
                "q must be 1 to 100 characters without control characters \
                 (leave it out to list everything)"
                    .into(),
            )
        })?,
    };
    let limit = query.limit.0;
    let after = query.cursor.map(|c| c.0);
    let [count, page] = http::batch(
        db,
        stored::shown(db, shop, product, &words, limit + 1, after.as_ref())?.into(),
    )
    .await?;
    let (count, mut questions) = stored::shown_of(&count, &page)?;
    let next_cursor = http::next_page(&mut questions, limit, |q| {
        encode_cursor(q.created_at, &q.id)
    });
    http::json(
        200,
        &QuestionPage {
            count,
            questions,
            next_cursor,
        },
    )
}

pub async fn vote(
    req: &mut Request,
    cx: &Context<'_>,
    question: &str,
) -> Result<Response, ApiError> {
    let (db, shop, now) = (&cx.db, &cx.shop, cx.now);
    let Started {
        body,
        client,
        idempotency,
    } = match feedback::start::<NewVote>(req, cx, ENDPOINT_VOTE).await? {
        Ok(started) => started,
        Err(replayed) => return Ok(replayed),
    };
    let voter = body.validate().map_err(ApiError::Validation)?;
    let question = question_id(question)?;
    if !stored::is_shown(db, shop, question).await? {
        return Err(ApiError::NotFound("question"));
    }
    let helpful = stored::vote(
        db,
        shop,
        question,
        &pseudonyms::voter(shop, &voter),
        &client,
        now,
    )
    .await?;
    let answer = http::to_json(&VoteCounted { helpful })?;
    db.batch(idempotency.record(db, now, 200, &answer)?)
        .await
        .ok();
    http::json_text(200, answer)
}

/// `GET /v1/admin/questions?status=&product=&limit=&cursor=`: newest first.
pub async fn for_merchant(req: &Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let query: MerchantQuestionQuery = http::query(req)?;
    let limit = query.limit.0;
    let after = query.cursor.map(|c| c.0);
    let mut questions = stored::for_merchant(
        &cx.db,
        &cx.shop,
        query.status,
        query.product.as_ref().map(|p| &p.0),
        limit + 1,
        after.as_ref(),
    )
    .await?;
    let next_cursor = http::next_page(&mut questions, limit, |q| {
        encode_cursor(q.created_at, &q.id)
    });
    http::json(
        200,
        &MerchantQuestionPage {
            questions,
            next_cursor,
        },
    )
}

/// `PUT /v1/admin/questions/{question}/answer`: answers (or changes the answer), which shows the
/// question; the first answer is sent to its author when they left an email and the shop sends
/// answer notices, a little later, so an answer corrected at once goes in its last words.
pub async fn answer(
    req: &mut Request,
    cx: &Context<'_>,
    question: &str,
) -> Result<Response, ApiError> {
    let (db, shop, now) = (&cx.db, &cx.shop, cx.now);
    let (update, _): (AnswerUpdate, _) =
        http::read_json(req, MAX_REQUEST_BYTES, BodyType::Json).await?;
    let question = question_id(question)?;
    let words = AnswerUpdate {
        body: update.body.as_deref().map(memnun_protocol::text::normalize),
    }
    .validate()
    .map_err(ApiError::Validation)?;
    let (current, email) = stored::get(db, shop, question)
        .await?
        .ok_or(ApiError::NotFound("question"))?;
    if current.status == QuestionStatus::Rejected {
        return Err(ApiError::Conflict("the question was rejected".into()));
    }
    let search_text = format!("{}\n{}", search_fold(&current.body), search_fold(&words));
    let mut batch = vec![stored::set_answer(
        db,
        shop,
        question,
        &words,
        &search_text,
        now,
    )?];
    let first_answer = current.answer.is_none();
    if let (true, Some(email)) = (first_answer, email.as_deref()) {
        batch.push(stored::plan_answer_notice(
            db,
            &crate::handlers::outreach::message_id()?,
            shop,
            question,
            &pseudonyms::order_email(cx.env, email)?,
            now + ANSWER_NOTICE_DELAY_MS,
            now,
        )?);
    }
    let results = db.batch(batch).await?;
    // Rejected between the read above and this batch: nothing changed, nothing was planned.
    let answered = match results.first() {
        Some(result) => !result.results::<serde_json::Value>()?.is_empty(),
        None => false,
    };
    if !answered {
        return Err(ApiError::Conflict("the question was rejected".into()));
    }
    one(cx, question).await
}

/// `POST /v1/admin/questions/{question}/reject`: keeps it out for good (an answer notice not
/// sent yet goes with it).
pub async fn reject(cx: &Context<'_>, question: &str) -> Result<Response, ApiError> {
    let (db, shop) = (&cx.db, &cx.shop);
    let question = question_id(question)?;
    let (current, _) = stored::get(db, shop, question)
        .await?
        .ok_or(ApiError::NotFound("question"))?;
    if current.status == QuestionStatus::Rejected {
        return Err(ApiError::Conflict(
            "the question is already rejected".into(),
        ));
    }
    db.batch(stored::reject(db, shop, question)?).await?;
    one(cx, question).await
}

async fn one(cx: &Context<'_>, question: &str) -> Result<Response, ApiError> {
    let (found, _) = stored::get(&cx.db, &cx.shop, question)
        .await?
        .ok_or(ApiError::NotFound("question"))?;
    http::json(200, &found)
}
