//! What the counts are made of: shoppers' events (`POST /v1/shops/{shop}/events`), the baskets
//! the order API reports, and the scheduled handler's share of the pair updates.

use crate::handlers::Context;
use crate::platform::error::ApiError;
use crate::platform::http::{self, BodyType};
use crate::platform::pseudonyms;
use crate::platform::shopper_write;
use crate::store;
use crate::store::co_occurrence::PairKind;
use memnun_protocol::Id;
use memnun_protocol::events::{
    BatchError, EventBatch, EventKind, EventsReceived, MAX_REQUEST_BYTES, ShopperEvent,
};
use memnun_protocol::recommend::{self, PAIRS_PER_REQUEST};
use memnun_protocol::{FieldErrors, FieldProblem};
use worker::{D1Database, D1PreparedStatement, Request, Response};

/// Backlog rows one run of the scheduled handler applies (two statements each, in one batch,
/// next to the webhook deliveries: within the 50 queries of a Workers Free invocation).
const BACKLOG_ROWS_PER_RUN: u32 = 10;
/// Attempts at storing an event batch that lost a race to a request storing the same events.
const STORE_TRIES: u32 = 3;
/// Statements for `pairs`: the first `budget` now, the rest queued for the scheduled handler
/// in chunks of `PAIRS_PER_REQUEST`, all in one statement (so a request's statement count does
/// not grow with its pairs).
fn pair_statements(
    db: &D1Database,
    shop: &Id,
    kind: PairKind,
    pairs: &[(String, String)],
    budget: usize,
    now: i64,
) -> Result<Vec<D1PreparedStatement>, ApiError> {
    let (now_pairs, later) = pairs.split_at(budget.min(pairs.len()));
    let mut statements = Vec::new();
    if !now_pairs.is_empty() {
        statements.push(store::co_occurrence::add_pairs(db, shop, kind, now_pairs)?);
    }
    if !later.is_empty() {
        let chunks: Vec<&[(String, String)]> = later.chunks(PAIRS_PER_REQUEST).collect();
        statements.push(store::co_occurrence::queue_pairs(
            db, shop, kind, &chunks, now,
        )?);
    }
    Ok(statements)
}

/// Counts new baskets (key, products), each product once per basket, in a fixed number of
/// statements however many baskets. `budget` is how many pair rows may be written now.
fn basket_statements(
    db: &D1Database,
    shop: &Id,
    baskets: &[(String, Vec<String>)],
    budget: usize,
    now: i64,
) -> Result<Vec<D1PreparedStatement>, ApiError> {
    if baskets.is_empty() {
        return Ok(Vec::new());
    }
    let keys: Vec<&str> = baskets.iter().map(|(k, _)| k.as_str()).collect();
    let mut counted: Vec<String> = Vec::new();
    let mut pairs = Vec::new();
    for (_, products) in baskets {
        let mut distinct: Vec<String> = Vec::new();
        for p in products {
            if !distinct.contains(p) {
                distinct.push(p.clone());
            }
        }
        pairs.extend(recommend::basket_pairs(&distinct));
        counted.extend(distinct);
    }
    // A request that finds a basket new and loses the race to record it (the same order
    // upserted twice at once) counts nothing: its batch fails on the key as a whole, and the
    // caller looks again. The order API's keys (`order:`) and the events' (`event:`) never meet.
    let mut statements = vec![store::baskets::record(db, shop, &keys, now)?];
    statements.extend(store::co_occurrence::count_items(
        db,
        shop,
        PairKind::Buy,
        &counted,
    )?);
    statements.extend(pair_statements(
        db,
        shop,
        PairKind::Buy,
        &pairs,
        budget,
        now,
    )?);
    Ok(statements)
}

/// The statements that count, of `baskets` (key, products), those not counted before: for an
/// import's orders, run in the import's batch.
pub async fn new_baskets(
    db: &D1Database,
    shop: &Id,
    baskets: Vec<(String, Vec<String>)>,
    now: i64,
) -> Result<Vec<D1PreparedStatement>, ApiError> {
    let keys: Vec<String> = baskets.iter().map(|(k, _)| k.clone()).collect();
    let counted = store::baskets::counted(db, shop, &keys).await?;
    let new: Vec<(String, Vec<String>)> = baskets
        .into_iter()
        .filter(|(key, products)| !products.is_empty() && !counted.contains(key))
        .collect();
    basket_statements(db, shop, &new, PAIRS_PER_REQUEST, now)
}

/// Counts an order's products as a basket, once per order (the order API calls this on every
/// upsert; only the first counts).
pub async fn record_basket(
    db: &D1Database,
    shop: &Id,
    key: &str,
    products: &[String],
    now: i64,
) -> Result<(), ApiError> {
    let key = key.to_owned();
    if products.is_empty()
        || !store::baskets::counted(db, shop, std::slice::from_ref(&key))
            .await?
            .is_empty()
    {
        return Ok(());
    }
    let statements = basket_statements(
        db,
        shop,
        &[(key.clone(), products.to_vec())],
        PAIRS_PER_REQUEST,
        now,
    )?;
    match db.batch(statements).await {
        Ok(_) => Ok(()),
        // The same order upserted at once by another request, which counted it first: this
        // batch failed on the basket's key and counted nothing, as it should.
        Err(e) => {
            if store::baskets::counted(db, shop, std::slice::from_ref(&key))
                .await?
                .is_empty()
            {
                Err(e.into())
            } else {
                Ok(())
            }
        }
    }
}

fn batch_refused(error: BatchError) -> ApiError {
    let mut errors = FieldErrors::default();
    match error {
        BatchError::Browser(problem) => errors.push("browser", problem),
        BatchError::TooMany => errors.push(
            "events",
            FieldProblem::TooMany {
                max: memnun_protocol::events::MAX_EVENTS_PER_BATCH,
            },
        ),
    }
    ApiError::Validation(errors)
}

/// `POST /v1/shops/{shop}/events`: a batch from the loader (JSON, sent as `text/plain` by
/// `sendBeacon`). Answers 202 with what was taken; repeats of an event id count once.
pub async fn receive(req: &mut Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let (env, db, shop, now) = (cx.env, &cx.db, &cx.shop, cx.now);
    const BEACON: shopper_write::Rules = shopper_write::Rules {
        client_limit: "EVENT_WRITES",
        shop_limit: Some("SHOP_EVENTS"),
        max_bytes: MAX_REQUEST_BYTES,
        body: BodyType::Beacon,
    };
    let batch = shopper_write::open::<EventBatch>(req, cx, &BEACON)
        .await?
        .body;
    let (browser, events, refused) = batch.check().map_err(batch_refused)?;
    let browser_key = pseudonyms::browser(&pseudonyms::salt(env)?, &browser);
    // The same batch twice at once (a beacon and its retry), or two tabs of one browser seeing
    // a product first at once: both requests find the same events or first views new, but
    // only one can store them (inserted without OR IGNORE, so the other's batch fails as a
    // whole and counts nothing) and the other looks again. A failure that stays is a 500, so
    // `sendBeacon`'s caller (or a retry) may send the batch again: its event ids make a second
    // delivery count once.
    let mut tries = 0;
    loop {
        tries += 1;
        match store_events(db, shop, &browser_key, &events, now).await? {
            Ok((accepted, duplicates)) => {
                return http::json(
                    202,
                    &EventsReceived {
                        accepted,
                        duplicates,
                        refused,
                    },
                );
            }
            Err(e) if tries >= STORE_TRIES => return Err(e.into()),
            Err(_) => {}
        }
    }
}

/// Stores and counts the events not stored yet: how many were new and how many were not, or
/// the batch's failure (most likely a racing request stored some of them first).
async fn store_events(
    db: &D1Database,
    shop: &Id,
    browser_key: &str,
    events: &[ShopperEvent],
    now: i64,
) -> Result<Result<(usize, usize), worker::Error>, ApiError> {
    let ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
    let known = store::events::stored_ids(db, shop, &ids).await?;
    // An id repeated inside the batch is a duplicate too: stored once, under its first event.
    let mut taken = known;
    let fresh: Vec<&ShopperEvent> = events
        .iter()
        .filter(|e| taken.insert(e.id.clone()))
        .collect();
    let duplicates = events.len() - fresh.len();
    if fresh.is_empty() {
        return Ok(Ok((0, duplicates)));
    }

    let mut statements = vec![store::events::insert(db, shop, browser_key, &fresh, now)?];
    let (views, view_pairs) = view_statements(db, shop, browser_key, &fresh, now).await?;
    statements.extend(views);
    // A purchase naming an order is counted by the order API, which the merchant's own system
    // feeds: a page cannot claim (or block) an order's basket. One naming none is a basket.
    let baskets: Vec<(String, Vec<String>)> = fresh
        .iter()
        .filter(|e| e.kind == EventKind::Purchase && e.order.is_none())
        .map(|e| (format!("event:{}", e.id), e.products.clone()))
        .collect();
    let keys: Vec<String> = baskets.iter().map(|(k, _)| k.clone()).collect();
    let known = store::baskets::counted(db, shop, &keys).await?;
    let mut new_baskets: Vec<(String, Vec<String>)> = Vec::new();
    for (key, products) in baskets {
        if !known.contains(&key) && !new_baskets.iter().any(|(k, _)| *k == key) {
            new_baskets.push((key, products));
        }
    }
    // One budget of pair rows for the whole request: views first, then baskets.
    let budget = PAIRS_PER_REQUEST.saturating_sub(view_pairs.len());
    statements.extend(pair_statements(
        db,
        shop,
        PairKind::View,
        &view_pairs,
        PAIRS_PER_REQUEST,
        now,
    )?);
    statements.extend(basket_statements(db, shop, &new_baskets, budget, now)?);
    Ok(db
        .batch(statements)
        .await
        .map(|_| (fresh.len(), duplicates)))
}

/// The statements for this batch's product views: each product this browser views for the
/// first time is counted and paired with the ones it viewed before.
#[allow(clippy::type_complexity)]
async fn view_statements(
    db: &D1Database,
    shop: &Id,
    browser_key: &str,
    fresh: &[&ShopperEvent],
    now: i64,
) -> Result<(Vec<D1PreparedStatement>, Vec<(String, String)>), ApiError> {
    let viewed: Vec<&str> = fresh
        .iter()
        .filter(|e| e.kind == EventKind::ProductView)
        .filter_map(|e| e.product.as_deref())
        .collect();
    if viewed.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let mut seen = store::views::viewed_before(db, shop, browser_key, &viewed).await?;
    let mut recent =
        store::views::latest(db, shop, browser_key, recommend::VIEW_PAIR_WINDOW).await?;
    let mut first_views: Vec<String> = Vec::new();
    let mut pairs = Vec::new();
    for product in viewed {
        if seen.insert(product.to_owned()) {
            pairs.extend(recommend::view_pairs(product, &recent));
            recent.insert(0, product.to_owned());
            first_views.push(product.to_owned());
        }
    }
    if first_views.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let mut statements = vec![store::views::record_first(
        db,
        shop,
        browser_key,
        &first_views,
        now,
    )?];
    statements.extend(store::co_occurrence::count_items(
        db,
        shop,
        PairKind::View,
        &first_views,
    )?);
    Ok((statements, pairs))
}

/// The scheduled handler's share: applies the queued pair updates, oldest first, each with the
/// removal of its row in one batch (so a row is applied once).
pub async fn drain_backlog(db: &D1Database) -> Result<(), ApiError> {
    let rows = store::co_occurrence::backlog(db, BACKLOG_ROWS_PER_RUN).await?;
    // One batch for the run, each row applied next to its removal.
    let mut batch = Vec::new();
    for id in rows {
        batch.push(store::co_occurrence::apply_queued(db, id)?);
        batch.push(store::co_occurrence::remove_queued(db, id)?);
    }
    if !batch.is_empty() {
        db.batch(batch).await?;
    }
    Ok(())
}
