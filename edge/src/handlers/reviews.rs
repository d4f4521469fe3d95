//! Product reviews: `POST /v1/shops/{shop}/reviews` stores one (with its product's rating
//! summary, in one batch), published at once or held as the shop's moderation policy says;
//! `GET /v1/shops/{shop}/products/{product}/reviews` answers the summary and a page of published
//! reviews in the order asked for, paged by cursor; `…/reviews.jsonld` and `…/reviews.html` give
//! shops' servers the same summary as schema.org JSON-LD and HTML to put in their pages.

use crate::handlers::Context;
use crate::handlers::tokens;
use crate::platform::error::ApiError;
use crate::platform::http::{self, BodyType};
use crate::platform::pseudonyms;
use crate::platform::secure::{random_hex, sha256_hex};
use crate::platform::shopper_write;
use crate::store::cases::{Signal, Subject};
use crate::store::moderation::{self, Actor, LogLine};
use crate::store::ratings::{self, SummaryChange};
use crate::store::reviews::{self as stored, PublishedQuery, Submission};
use memnun_protocol::api::query::Bounded;
use memnun_protocol::cases::CaseCause;
use memnun_protocol::merchant::{ModerationAction, SYSTEM_ACTOR};
use memnun_protocol::moderation::{self as policy, HoldReason};
use memnun_protocol::questions::{
    Question, QuestionPage, ReviewListing, encode_cursor as questions_cursor,
};
use memnun_protocol::review::{
    Locale, MAX_REQUEST_BYTES, PhotosFilter, ProductPageQuery, ReviewListQuery,
};
use memnun_protocol::token::Purpose;
use memnun_protocol::{
    FieldErrors, FieldProblem, Id, NewReview, RatingSummary, Review, ReviewCreated, ReviewCursor,
    ReviewPage, ReviewSort, ReviewStatus,
};
use worker::{D1Database, Request, Response};

/// Reviews given to search engines with the summary (Google shows a few; more is weight).
const JSONLD_REVIEWS: u32 = 10;
/// How long shops' servers and the CDN may keep the JSON-LD and HTML snippets.
const SNIPPET_MAX_AGE_S: u32 = 300;
/// The same body for the same product within this time is held as a duplicate.
const DUPLICATE_WINDOW_MS: i64 = 24 * 60 * 60 * 1000;

/// Reviews of this many stars or fewer are sent to the shop's webhook as `review.low_rating`.
const LOW_RATING: u8 = 2;

const ENDPOINT_CREATE: &str = "POST /v1/shops/{shop}/reviews";
const WRITE: shopper_write::Rules = shopper_write::Rules {
    client_limit: "REVIEW_WRITES",
    shop_limit: None,
    max_bytes: MAX_REQUEST_BYTES,
    body: BodyType::Json,
};

pub async fn create(req: &mut Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let (env, db, shop, now) = (cx.env, &cx.db, &cx.shop, cx.now);
    let (opened, idempotency) =
        shopper_write::open_idempotent::<NewReview>(req, cx, &WRITE, ENDPOINT_CREATE).await?;
    let (new, client) = (opened.body, opened.client);

    let valid = new.normalized().validate().map_err(ApiError::Validation)?;
    if new.is_bot() {
        // Answer as a success so the bot learns nothing; store nothing. After validation, so a
        // person who was quick and wrong still learns what to fix.
        return http::json(202, &memnun_protocol::Received::new());
    }
    let body_hash = sha256_hex(&[
        b"body",
        policy::fold(&valid.body, valid.locale.as_deref())
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .as_bytes(),
    ]);
    // The replay and the shop's policy in one round trip: a write is answered after three (the
    // origin, these two reads, the batch) rather than four.
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
    let order = match new.token.as_deref().filter(|t| !t.is_empty()) {
        None => None,
        Some(token) => Some(verified_order(db, shop, token, valid.product.as_str(), now).await?),
    };
    let (shop_policy, duplicate) = stored::policy_and_duplicate_of(&policy_row)?;
    let hold = if duplicate {
        Some(HoldReason::Duplicate)
    } else {
        policy::hold_reason(
            &shop_policy,
            valid.rating,
            &[&valid.title, &valid.body, &valid.author],
            valid.locale.as_deref(),
        )
    };
    let status = if hold.is_some() {
        ReviewStatus::Pending
    } else {
        ReviewStatus::Published
    };

    let shopper_key = match &valid.email {
        Some(email) => pseudonyms::review_email(&pseudonyms::salt(env)?, email),
        None => pseudonyms::review_client(&client),
    };
    let review = Review {
        id: format!("r{}", random_hex(12)?),
        product: valid.product.to_string(),
        rating: valid.rating,
        title: valid.title,
        body: valid.body,
        author: valid.author,
        locale: valid.locale,
        created_at: now,
        verified: order.is_some(),
        helpful: 0,
        reply: None,
        photos: Vec::new(),
    };
    let answer = serde_json::to_string(&ReviewCreated {
        review: review.clone(),
        status,
    })
    .map_err(|e| ApiError::Internal(e.to_string()))?;

    // The stored answer holds the shopper's words: it is erased with the review.
    let idempotency = idempotency.about(&review.id);
    let mut batch = idempotency.record(db, now, 201, &answer)?;
    batch.push(stored::insert(
        db,
        shop,
        &review,
        &Submission {
            email: valid.email.as_deref(),
            shopper_key: &shopper_key,
            client: &client,
            status,
            hold,
            order: order.as_deref(),
            body_hash: &body_hash,
            photo_key: valid.photo_key.as_deref(),
        },
    )?);
    if let Some(key) = valid.photo_key.as_deref() {
        batch.push(crate::store::photos::claim(db, shop, &review.id, key)?);
    }
    if let Some(reason) = hold {
        batch.push(moderation::log_line(
            db,
            shop,
            LogLine {
                review: &review.id,
                action: ModerationAction::Held,
                actor: &Actor(SYSTEM_ACTOR),
                reason: Some(reason.as_str()),
            },
            now,
            false,
        )?);
    }
    // The merchant hears at once of a review waiting for them and of an unhappy buyer.
    let event = |reason: Option<&str>| {
        serde_json::json!({
            "review": &review,
            "status": status,
            "hold_reason": reason,
        })
    };
    if let Some(reason) = hold {
        batch.push(crate::handlers::webhooks::enqueue(
            db,
            shop,
            "review.held",
            &format!("review.held:{}", review.id),
            event(Some(reason.as_str())),
            now,
        )?);
    }
    if review.rating <= LOW_RATING {
        let subject = match order.as_deref() {
            Some(order) => Subject::Order(order),
            None => Subject::Review(&review.id),
        };
        batch.extend(crate::handlers::cases::signal(
            db,
            &Signal {
                shop,
                cause: CaseCause::Review,
                subject,
                review: Some(&review.id),
                key: &format!("review:{}", review.id),
                detail: serde_json::json!({
                    "review": review.id, "product": review.product, "rating": review.rating,
                }),
                now,
            },
            None,
        )?);
        batch.push(crate::handlers::webhooks::enqueue(
            db,
            shop,
            "review.low_rating",
            &format!("review.low_rating:{}", review.id),
            event(hold.map(HoldReason::as_str)),
            now,
        )?);
    }
    batch.push(ratings::summary(
        db,
        shop,
        SummaryChange::Added {
            product: &review.product,
            rating: review.rating,
            status,
        },
        now,
    )?);
    match db.batch(batch).await {
        Ok(_) => http::json_text(201, answer),
        // Most likely a racing request with the same key won: answer what it stored.
        Err(e) => match idempotency.replay(db, now).await? {
            Some(replayed) => Ok(replayed),
            // Or a racing review with the same order's token (the unique index refused it).
            None if order.is_some() && e.to_string().contains("order_id") => {
                Err(token_refused(TOKEN_USED))
            }
            // Or another review took the photo key (a browser's bug, or someone's guess).
            None if valid.photo_key.is_some() && e.to_string().contains("photo_key") => {
                let mut errors = FieldErrors::default();
                errors.push("photo_key", FieldProblem::InUse);
                Err(ApiError::Validation(errors))
            }
            None if order.is_some() => Err(token_refused(TOKEN_USED)),
            None => Err(e.into()),
        },
    }
}

const TOKEN_USED: &str = "was already used for a review of this product";

fn token_refused(why: &'static str) -> ApiError {
    let mut errors = FieldErrors::default();
    errors.push("token", FieldProblem::InvalidToken(why));
    ApiError::Validation(errors)
}

/// The order a review token proves, if it is valid for this shop and product and not used yet.
/// An invalid token is refused (422 on `token`), never quietly ignored.
async fn verified_order(
    db: &D1Database,
    shop: &Id,
    token: &str,
    product: &str,
    now: i64,
) -> Result<String, ApiError> {
    let claims = tokens::verify(db, shop, token, Purpose::Review, now)
        .await?
        .map_err(|e| token_refused(e.explain()))?;
    if claims.product.as_deref() != Some(product) {
        return Err(token_refused("is a review link for another product"));
    }
    if stored::token_used(db, shop, &claims.order, product).await? {
        return Err(token_refused(TOKEN_USED));
    }
    Ok(claims.order)
}

/// What a public list asks for: its page size, order, star filter, where it starts, and the
/// language of the shop's notice.
struct ListQuery {
    limit: u32,
    sort: ReviewSort,
    stars: Option<u8>,
    with_photos: bool,
    cursor: Option<ReviewCursor>,
    locale: Option<&'static str>,
}

pub async fn list(req: &Request, cx: &Context<'_>, product: &Id) -> Result<Response, ApiError> {
    let (db, shop) = (&cx.db, &cx.shop);
    let query = list_query(req)?;
    // The first page carries the answered questions, for the widget to show under the reviews.
    let first = query.cursor.is_none();
    let (page, policy, questions) = page(db, shop, product, &query, first).await?;
    let takes_questions = policy.as_ref().is_none_or(|p| p.take_questions);
    let turkish = query.locale == Some("tr");
    let notice = policy
        .and_then(|p| {
            let text = if turkish { p.notice_tr } else { p.notice_en };
            (!text.trim().is_empty()).then_some(text)
        })
        .unwrap_or_else(|| {
            let default = if turkish {
                policy::DEFAULT_NOTICE_TR
            } else {
                policy::DEFAULT_NOTICE_EN
            };
            default.to_owned()
        });
    http::json(
        200,
        &ReviewListing {
            page: ReviewPage {
                notice: Some(notice),
                ..page
            },
            questions: questions
                .filter(|_| takes_questions)
                .map(|(count, questions)| QuestionPage {
                    count,
                    next_cursor: (count as usize > questions.len()).then(|| {
                        questions
                            .last()
                            .map(|q| questions_cursor(q.created_at, &q.id))
                            .unwrap_or_default()
                    }),
                    questions,
                }),
        },
    )
}

/// What a page of reviews answers: the page, the shop's policy (`None` when it has never set
/// one), and when asked for, the product's answered questions (how many, and the newest).
type Paged = (
    ReviewPage,
    Option<policy::ModerationPolicy>,
    Option<(u32, Vec<Question>)>,
);

/// A page of published reviews with the product's summary, and the shop's policy.
async fn page(
    db: &D1Database,
    shop: &Id,
    product: &Id,
    query: &ListQuery,
    with_questions: bool,
) -> Result<Paged, ApiError> {
    let found = stored::published(
        db,
        shop,
        product,
        &PublishedQuery {
            rows: query.limit + 1,
            sort: query.sort,
            stars: query.stars,
            with_photos: query.with_photos,
            after: query.cursor.as_ref(),
            with_questions,
        },
    )
    .await?;
    let mut reviews = found.reviews;
    let next_cursor = if reviews.len() > query.limit as usize {
        reviews.truncate(query.limit as usize);
        reviews.last().map(|r| {
            ReviewCursor {
                sort: query.sort,
                key: match query.sort {
                    ReviewSort::Newest => 0,
                    ReviewSort::Highest | ReviewSort::Lowest => i64::from(r.rating),
                    ReviewSort::Helpful => i64::from(r.helpful),
                },
                created_at: r.created_at,
                id: r.id.clone(),
            }
            .encode()
        })
    } else {
        None
    };
    Ok((
        ReviewPage {
            summary: RatingSummary::from_histogram(found.histogram),
            reviews,
            next_cursor,
            notice: None,
        },
        found.policy,
        found.questions,
    ))
}

fn list_query(req: &Request) -> Result<ListQuery, ApiError> {
    let query: ReviewListQuery = http::query(req)?;
    // Checked after `sort`, whatever the parameters' order: a cursor opens only its own.
    let cursor = query
        .cursor
        .map(|raw| {
            ReviewCursor::decode(&raw, query.sort).ok_or_else(|| {
                ApiError::InvalidParameter(
                    "cursor is not one this API gave out for this sort".into(),
                )
            })
        })
        .transpose()?;
    Ok(ListQuery {
        limit: query.limit.0,
        sort: query.sort,
        stars: query.stars.map(|Bounded(n)| n as u8),
        with_photos: query.photos == Some(PhotosFilter::Only),
        cursor,
        locale: query.locale.map(Locale::as_str),
    })
}

/// `GET /v1/shops/{shop}/products/{product}/reviews.jsonld?name=…&url=…`: schema.org
/// `Product` JSON-LD with the summary and the newest reviews, for a shop's server to put in the
/// page it renders; 204 while the product has no published review (search engines' rules).
/// With `format = Html`, `…/reviews.html?locale=…`: a summary snippet, with the JSON-LD script
/// when `name` is given.
pub async fn snippet(
    req: &Request,
    cx: &Context<'_>,
    product: &Id,
    html: bool,
) -> Result<Response, ApiError> {
    let (db, shop) = (&cx.db, &cx.shop);
    let ProductPageQuery {
        locale,
        name,
        url: product_url,
    } = http::query(req)?;
    let locale = locale.as_str();
    let name = name.map(|n| memnun_protocol::text::normalize(&n));
    if name
        .as_ref()
        .is_some_and(|n| !(1..=200).contains(&n.chars().count()) || n.chars().any(char::is_control))
    {
        return Err(ApiError::InvalidParameter(
            "name must be the product's name, 1-200 characters".into(),
        ));
    }
    if let Some(u) = &product_url {
        let ok = (u.starts_with("https://") || u.starts_with("http://"))
            && u.len() <= 2000
            && !u.chars().any(|c| c.is_control() || c.is_whitespace());
        if !ok {
            return Err(ApiError::InvalidParameter(
                "url must be the product page's http(s) address".into(),
            ));
        }
    }
    if !html && name.is_none() {
        return Err(ApiError::InvalidParameter(
            "name is required: the product's name as the page shows it".into(),
        ));
    }
    let query = ListQuery {
        limit: JSONLD_REVIEWS,
        sort: ReviewSort::Newest,
        stars: None,
        with_photos: false,
        cursor: None,
        locale: None,
    };
    let (page, _, _) = page(db, shop, product, &query, false).await?;
    let jsonld = name.as_deref().and_then(|n| {
        memnun_protocol::jsonld::product_jsonld(
            n,
            product_url.as_deref(),
            &page.summary,
            &page.reviews,
        )
    });
    let (status, content_type, body) = if html {
        let mut body = memnun_protocol::jsonld::summary_html(&page.summary, locale);
        if let Some(json) = jsonld {
            body.push_str("<script type=\"application/ld+json\">");
            body.push_str(&json);
            body.push_str("</script>");
        }
        (200, "text/html; charset=utf-8", body)
    } else {
        match jsonld {
            Some(json) => (200, "application/ld+json; charset=utf-8", json),
            None => (204, "application/ld+json; charset=utf-8", String::new()),
        }
    };
    let mut resp = if status == 204 {
        Response::empty()?.with_status(204)
    } else {
        Response::ok(body)?
    };
    let headers = resp.headers_mut();
    headers.set("Content-Type", content_type)?;
    headers.set(
        "Cache-Control",
        &format!("public, max-age={SNIPPET_MAX_AGE_S}"),
    )?;
    Ok(resp)
}
