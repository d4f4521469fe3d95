//! Recommendations: shoppers' events (`POST /v1/shops/{shop}/events`), the co-occurrence counts
//! they and the order API keep up to date, and a product's strip
//! (`GET /v1/shops/{shop}/products/{product}/recommendations`).
//!
//! Invariants: an event is stored once (by its id) and counted once; a browser counts once per
//! product viewed and a basket once (by its key), so `n` and `co` count browsers and baskets,
//! not page views; one request writes at most `PAIRS_PER_REQUEST` pair rows and leaves the rest
//! to the scheduled handler (`drain_backlog`), so a big order or a long history cannot exhaust a
//! request's query budget; reading a strip is a few indexed range reads.

use crate::handlers::Context;
use crate::handlers::shops;
use crate::platform::error::ApiError;
use crate::platform::http::{self, BodyType};
use crate::platform::pseudonyms;
use crate::platform::shopper_write;
use crate::store;
use crate::store::co_occurrence::PairKind;
use crate::store::recommendations::StockedItem;
use memnun_protocol::Id;
use memnun_protocol::events::{
    BatchError, EventBatch, EventKind, EventsReceived, MAX_REQUEST_BYTES, ShopperEvent,
};
use memnun_protocol::recommend::{
    self, Neighbour, PAIRS_PER_REQUEST, RecentlyViewedQuery, RecommendationReportQuery,
    Recommendations, RecommendationsQuery, Recommended, Source,
};
use memnun_protocol::{FieldErrors, FieldProblem};
use std::collections::{BTreeMap, BTreeSet};
use worker::{D1Database, D1PreparedStatement, Request, Response};

/// Backlog rows one run of the scheduled handler applies (two statements each, in one batch,
/// next to the webhook deliveries: within the 50 queries of a Workers Free invocation).
const BACKLOG_ROWS_PER_RUN: u32 = 10;
/// Attempts at storing an event batch that lost a race to a request storing the same events.
const STORE_TRIES: u32 = 3;
/// The period the recommendations report covers when the merchant does not say.
const REPORT_DEFAULT_DAYS: i64 = 28;
/// How long a strip may be cached by browsers and the CDN.
const STRIP_MAX_AGE_S: u32 = 300;

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

/// `GET /v1/shops/{shop}/products/{product}/recommendations?limit=&arm=&locale=`.
pub async fn list(req: &Request, cx: &Context<'_>, product: &Id) -> Result<Response, ApiError> {
    let (db, shop) = (&cx.db, &cx.shop);
    let query: RecommendationsQuery = http::query(req)?;
    let (limit, arm, locale) = (query.limit.0, query.arm, query.locale.as_str());
    const CANDIDATES: u32 = 50;
    let results = db
        .batch(vec![
            shops::exists_statement(db, shop)?,
            store::recommendations::neighbours(db, shop, product, PairKind::Buy)?,
            store::recommendations::neighbours(db, shop, product, PairKind::View)?,
            store::recommendations::top_rated_in_category(db, shop, product, CANDIDATES)?,
            store::recommendations::bestsellers(db, shop, CANDIDATES)?,
            store::recommendations::newest(db, shop, CANDIDATES)?,
        ])
        .await?;
    let mut results = results.into_iter();
    let mut next = || {
        results
            .next()
            .ok_or_else(|| ApiError::Internal("a recommendation query gave no result".into()))
    };
    let ranked = |(n_a, neighbours): (u64, Vec<Neighbour>)| -> Vec<String> {
        recommend::rank_similar(n_a, &neighbours)
    };
    shops::found(&next()?)?;
    let mut by_source: BTreeMap<Source, Vec<String>> = BTreeMap::new();
    by_source.insert(
        Source::BoughtTogether,
        ranked(store::recommendations::read_neighbours(&next()?)?),
    );
    by_source.insert(
        Source::ViewedTogether,
        ranked(store::recommendations::read_neighbours(&next()?)?),
    );
    by_source.insert(
        Source::TopRated,
        store::recommendations::read_products(&next()?)?,
    );
    by_source.insert(
        Source::Bestseller,
        store::recommendations::read_products(&next()?)?,
    );
    by_source.insert(
        Source::Newest,
        store::recommendations::read_products(&next()?)?,
    );

    // Which candidates the catalog has in stock, with what the strip shows of them.
    let all: Vec<&String> = by_source
        .values()
        .flatten()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let rows = store::recommendations::in_stock(db, shop, &all).await?;
    let by_id: BTreeMap<&str, &StockedItem> =
        rows.iter().map(|i| (i.product_id.as_str(), i)).collect();
    let strip = recommend::fill(
        limit as usize,
        product.as_str(),
        arm,
        |source| by_source.get(&source).cloned().unwrap_or_default(),
        |p| by_id.contains_key(p),
    );
    let items = strip
        .into_iter()
        .filter_map(|(id, source)| Some(card(by_id.get(id.as_str())?, source, locale)))
        .collect();
    let mut resp = http::json(
        200,
        &Recommendations {
            product: product.to_string(),
            arm,
            items,
        },
    )?;
    resp.headers_mut().set(
        "Cache-Control",
        &format!("public, max-age={STRIP_MAX_AGE_S}"),
    )?;
    Ok(resp)
}

/// `GET /v1/admin/reports/recommendations?from=&to=`: impressions, clicks, click-through and
/// attributed adds to cart and purchases, in total, per source, per arm and per product, from
/// the events of the period (default the last 28 days, at most 366).
pub async fn report(req: &Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let (db, shop, now) = (&cx.db, &cx.shop, cx.now);
    let query: RecommendationReportQuery = http::query(req)?;
    let (from, to) = http::report_period(
        query.from.as_deref(),
        query.to.as_deref(),
        now,
        REPORT_DEFAULT_DAYS,
    )?;
    let counts = store::events::recommendation_counts(db, shop, from, to).await?;
    let mut resp = http::json(
        200,
        &recommend::RecommendationReport::build(from, to, &counts),
    )?;
    resp.headers_mut().set("Cache-Control", "no-store")?;
    Ok(resp)
}

/// A strip's card from a catalog row: the name in `locale` (else the other language) and the
/// mean rating in hundredths.
fn card(item: &StockedItem, source: Source, locale: &str) -> Recommended {
    let names: BTreeMap<String, String> = serde_json::from_str(&item.name).unwrap_or_default();
    let name = names
        .get(locale)
        .or_else(|| names.values().next())
        .cloned()
        .unwrap_or_default();
    let counts: Vec<Option<u32>> = item
        .stars
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default();
    let histogram: Vec<u32> = counts.into_iter().map(|c| c.unwrap_or(0)).collect();
    let reviews: u32 = histogram.iter().sum();
    let total: u32 = histogram.iter().zip(1u32..).map(|(n, s)| n * s).sum();
    Recommended {
        product: item.product_id.clone(),
        name,
        price_minor: item.price_minor,
        currency: item.currency.clone(),
        image_url: item.image_url.clone(),
        url: item.url.clone(),
        rating_hundredths: (reviews > 0).then(|| (200 * total + reviews) / (2 * reviews)),
        reviews,
        source,
    }
}

/// `GET /v1/shops/{shop}/catalog?ids=a,b,c&locale=`: the cards of the products a browser viewed
/// lately (the strip's "recently viewed" mode; the list is the browser's own, kept by the
/// loader), in the order given, those in stock only.
pub async fn recently_viewed(req: &Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let (db, shop) = (&cx.db, &cx.shop);
    let query: RecentlyViewedQuery = http::query(req)?;
    let ids: Vec<String> = query.ids.0.iter().map(|id| id.to_string()).collect();
    let locale = query.locale.as_str();
    let [shop_row, stock] = http::batch(
        db,
        vec![
            shops::exists_statement(db, shop)?,
            store::recommendations::in_stock_statement(db, shop, &ids)?,
        ],
    )
    .await?;
    shops::found(&shop_row)?;
    let rows: Vec<StockedItem> = stock.results()?;
    let items: Vec<Recommended> = ids
        .iter()
        .filter_map(|id| rows.iter().find(|r| r.product_id == *id))
        .map(|row| card(row, Source::RecentlyViewed, locale))
        .collect();
    let mut resp = http::json(200, &recommend::RecentlyViewed { items })?;
    // The list is one browser's history: its own cache may keep it, no shared one.
    resp.headers_mut().set(
        "Cache-Control",
        &format!("private, max-age={STRIP_MAX_AGE_S}"),
    )?;
    Ok(resp)
}
