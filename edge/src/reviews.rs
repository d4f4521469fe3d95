//! Product reviews: `POST /v1/shops/{shop}/reviews` stores one (with its product's rating
//! summary, in one batch), `GET /v1/shops/{shop}/products/{product}/reviews` answers the
//! summary and a page of published reviews, newest first, paged by cursor.

use crate::clock;
use crate::error::ApiError;
use crate::http::{self, BodyType};
use crate::idempotency::Idempotency;
use crate::secure::{random_hex, sha256_hex};
use memnun_protocol::review::{MAX_REQUEST_BYTES, PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX};
use memnun_protocol::{
    Id, NewReview, RatingSummary, Review, ReviewCreated, ReviewCursor, ReviewPage,
};
use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::{D1Database, Env, Request, Response};

const ENDPOINT_CREATE: &str = "POST /v1/shops/{shop}/reviews";

pub async fn create(
    req: &mut Request,
    env: &Env,
    db: &D1Database,
    shop: &Id,
) -> Result<Response, ApiError> {
    let client = http::client_hash(req, env);
    http::rate_limit(env, "REVIEW_WRITES", format!("{shop}:{client}")).await?;
    let key = Idempotency::key_of(req)?;
    let (new, raw): (NewReview, Vec<u8>) =
        http::read_json(req, MAX_REQUEST_BYTES, BodyType::Json).await?;
    let now = clock::now_ms(req, env);
    let idempotency = Idempotency::new(shop, ENDPOINT_CREATE, key, &raw);

    if new.is_bot() {
        // Answer as a success so the bot learns nothing; store nothing.
        return http::json(202, &serde_json::json!({ "status": "received" }));
    }
    let valid = new.normalized().validate().map_err(ApiError::Validation)?;
    if let Some(replayed) = idempotency.replay(db, now).await? {
        return Ok(replayed);
    }

    let salt = env
        .var("CLIENT_HASH_SALT")
        .map(|v| v.to_string())
        .unwrap_or_default();
    let shopper_key = match &valid.email {
        Some(email) => sha256_hex(&[b"email", salt.as_bytes(), email.to_lowercase().as_bytes()]),
        None => sha256_hex(&[b"client", client.as_bytes()]),
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
    };
    let answer = serde_json::to_string(&ReviewCreated {
        review: review.clone(),
    })
    .map_err(|e| ApiError::Internal(e.to_string()))?;

    let mut batch = idempotency.record(db, now, 201, &answer)?;
    batch.push(
        db.prepare(
            "INSERT INTO reviews (id, shop_id, product_id, rating, title, body, author, email, \
             locale, shopper_key, client_hash, status, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'published', ?12)",
        )
        .bind(&[
            review.id.as_str().into(),
            shop.as_str().into(),
            review.product.as_str().into(),
            JsValue::from_f64(f64::from(review.rating)),
            review.title.as_str().into(),
            review.body.as_str().into(),
            review.author.as_str().into(),
            valid
                .email
                .as_deref()
                .map_or(JsValue::NULL, JsValue::from_str),
            review
                .locale
                .as_deref()
                .map_or(JsValue::NULL, JsValue::from_str),
            shopper_key.as_str().into(),
            client.as_str().into(),
            JsValue::from_f64(now as f64),
        ])?,
    );
    let star = |n: u8| JsValue::from_f64(if review.rating == n { 1.0 } else { 0.0 });
    batch.push(
        db.prepare(
            "INSERT INTO product_ratings \
             (shop_id, product_id, stars_1, stars_2, stars_3, stars_4, stars_5, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
             ON CONFLICT (shop_id, product_id) DO UPDATE SET \
             stars_1 = stars_1 + excluded.stars_1, stars_2 = stars_2 + excluded.stars_2, \
             stars_3 = stars_3 + excluded.stars_3, stars_4 = stars_4 + excluded.stars_4, \
             stars_5 = stars_5 + excluded.stars_5, updated_at = excluded.updated_at",
        )
        .bind(&[
            shop.as_str().into(),
            review.product.as_str().into(),
            star(1),
            star(2),
            star(3),
            star(4),
            star(5),
            JsValue::from_f64(now as f64),
        ])?,
    );

    match db.batch(batch).await {
        Ok(_) => http::json_text(201, answer),
        // Most likely a racing request with the same key won: answer what it stored.
        Err(e) => match idempotency.replay(db, now).await? {
            Some(replayed) => Ok(replayed),
            None => Err(e.into()),
        },
    }
}

pub async fn list(
    req: &Request,
    db: &D1Database,
    shop: &Id,
    product: &Id,
) -> Result<Response, ApiError> {
    let (limit, cursor) = page_query(req)?;

    #[derive(Deserialize)]
    struct RatingRow {
        stars_1: u32,
        stars_2: u32,
        stars_3: u32,
        stars_4: u32,
        stars_5: u32,
    }
    #[derive(Deserialize)]
    struct ReviewRow {
        id: String,
        product_id: String,
        rating: u8,
        title: String,
        body: String,
        author: String,
        locale: Option<String>,
        created_at: i64,
    }

    let ids: [JsValue; 2] = [shop.as_str().into(), product.as_str().into()];
    let mut reviews_query = String::from(
        "SELECT id, product_id, rating, title, body, author, locale, created_at FROM reviews \
         WHERE shop_id = ?1 AND product_id = ?2 AND status = 'published'",
    );
    let mut review_args = vec![
        ids[0].clone(),
        ids[1].clone(),
        JsValue::from_f64(f64::from(limit + 1)),
    ];
    if let Some(c) = &cursor {
        reviews_query.push_str(" AND (created_at < ?4 OR (created_at = ?4 AND id < ?5))");
        review_args.push(JsValue::from_f64(c.created_at as f64));
        review_args.push(c.id.as_str().into());
    }
    reviews_query.push_str(" ORDER BY created_at DESC, id DESC LIMIT ?3");

    let results = db
        .batch(vec![
            db.prepare("SELECT 1 AS one FROM shops WHERE id = ?1")
                .bind(&ids[..1])?,
            db.prepare(
                "SELECT stars_1, stars_2, stars_3, stars_4, stars_5 FROM product_ratings \
                 WHERE shop_id = ?1 AND product_id = ?2",
            )
            .bind(&ids)?,
            db.prepare(reviews_query).bind(&review_args)?,
        ])
        .await?;
    let [shop_rows, rating_rows, review_rows] = <[_; 3]>::try_from(results)
        .map_err(|_| ApiError::Internal("batch answered a wrong number of results".into()))?;
    if shop_rows.results::<serde_json::Value>()?.is_empty() {
        return Err(ApiError::NotFound("shop"));
    }
    let histogram = rating_rows
        .results::<RatingRow>()?
        .first()
        .map_or([0; 5], |r| {
            [r.stars_1, r.stars_2, r.stars_3, r.stars_4, r.stars_5]
        });
    let mut reviews: Vec<Review> = review_rows
        .results::<ReviewRow>()?
        .into_iter()
        .map(|r| Review {
            id: r.id,
            product: r.product_id,
            rating: r.rating,
            title: r.title,
            body: r.body,
            author: r.author,
            locale: r.locale,
            created_at: r.created_at,
        })
        .collect();
    let next_cursor = if reviews.len() > limit as usize {
        reviews.truncate(limit as usize);
        reviews.last().map(|r| {
            ReviewCursor {
                created_at: r.created_at,
                id: r.id.clone(),
            }
            .encode()
        })
    } else {
        None
    };
    http::json(
        200,
        &ReviewPage {
            summary: RatingSummary::from_histogram(histogram),
            reviews,
            next_cursor,
        },
    )
}

fn page_query(req: &Request) -> Result<(u32, Option<ReviewCursor>), ApiError> {
    let url = req.url()?;
    let mut limit = PAGE_SIZE_DEFAULT;
    let mut cursor = None;
    for (name, value) in url.query_pairs() {
        match name.as_ref() {
            "limit" => {
                limit = value
                    .parse::<u32>()
                    .ok()
                    .filter(|n| (1..=PAGE_SIZE_MAX).contains(n))
                    .ok_or_else(|| {
                        ApiError::InvalidParameter(format!(
                            "limit must be a whole number from 1 to {PAGE_SIZE_MAX}"
                        ))
                    })?;
            }
            "cursor" => {
                cursor = Some(ReviewCursor::decode(&value).ok_or_else(|| {
                    ApiError::InvalidParameter("cursor is not one this API gave out".into())
                })?);
            }
            _ => {}
        }
    }
    Ok((limit, cursor))
}
