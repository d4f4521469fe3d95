//! What the counts are made of: shoppers' events (`POST /v1/shops/{shop}/events`), the baskets
//! the order API reports, and the scheduled handler's share of the pair updates.
//!
//! Events are the bulk of a busy shop's writes. Where the deployment binds an event queue
//! (`EVENTS_QUEUE`, a Cloudflare Queue), the endpoint checks a batch and puts it on the queue,
//! answering before D1 is touched; `consume` stores the queue's batches in the shop's database
//! (at most `max_batch_size` messages a call, a few statements each: within D1's queries per
//! invocation), each event id once, so a redelivered message counts nothing twice. A message that
//! fails past the queue's retries goes to its dead-letter queue, whose consumer parks it in
//! `parked_events`; the every-minute job stores the parked ones. Without a queue, the endpoint
//! stores the batch itself, as before.

use crate::handlers::Context;
use crate::platform::databases;
use crate::platform::error::ApiError;
use crate::platform::http::{self, BodyType};
use crate::platform::log;
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
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::HashSet;
use worker::{
    D1Database, D1PreparedStatement, Env, MessageBatch, MessageExt, QueueRetryOptionsBuilder,
    Request, Response,
};

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
    if let Some(queue) = event_queue(env)? {
        let accepted = events.len();
        if accepted > 0 {
            let message = QueuedEvents {
                shop: shop.to_string(),
                browser_key,
                events,
                received_at: now,
            };
            queue.send(message).await?;
        }
        return http::json(
            202,
            &EventsReceived {
                accepted,
                duplicates: 0,
                refused,
                queued: true,
            },
        );
    }
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
                        queued: false,
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

/// The queue names the consumer knows (wrangler.toml's `[[queues.consumers]]`).
pub const EVENT_QUEUE: &str = "memnun-events";
pub const EVENT_DEAD_LETTERS: &str = "memnun-events-dead-letters";
/// Parked messages one run of the scheduled handler stores (a few statements each).
const PARKED_PER_RUN: u32 = 5;
/// How long a message for a shop being moved waits before it comes back.
const PAUSED_QUEUE_DELAY_SECONDS: u32 = 30;

/// One browser's checked events, as `receive` puts them on the event queue: the browser only as
/// its salted key, as it is stored.
#[derive(Serialize, Deserialize)]
pub struct QueuedEvents {
    pub shop: String,
    pub browser_key: String,
    pub events: Vec<ShopperEvent>,
    /// When the edge took them: their stored time.
    pub received_at: i64,
}

/// Whether events go through the event queue here.
pub fn queued(env: &Env) -> bool {
    env.var("EVENTS_QUEUE")
        .is_ok_and(|v| !v.to_string().is_empty())
}

/// The event queue, where the deployment names one (`EVENTS_QUEUE`).
fn event_queue(env: &Env) -> Result<Option<worker::Queue>, ApiError> {
    let name = env
        .var("EVENTS_QUEUE")
        .map(|v| v.to_string())
        .unwrap_or_default();
    if name.is_empty() {
        return Ok(None);
    }
    env.queue(&name)
        .map(Some)
        .map_err(|_| ApiError::NoBinding("EVENTS_QUEUE"))
}

/// Why a queued message is not stored now.
enum NotStored {
    /// The shop is being moved: try again after the pause.
    Paused,
    Failed(String),
}

/// The queue's consumer: stores each message's events (the event queue) or parks the message
/// (its dead-letter queue). A message acknowledged is done; one retried comes back.
pub async fn consume(batch: MessageBatch<serde_json::Value>, env: &Env) {
    let queue = batch.queue();
    let messages = match batch.messages() {
        Ok(messages) => messages,
        Err(e) => {
            log::error("queue", &format!("{queue}: unreadable batch: {e}"));
            batch.retry_all();
            return;
        }
    };
    for message in messages {
        let id = message.id();
        let outcome = match serde_json::from_value::<QueuedEvents>(message.body().clone()) {
            // Nothing this edge sends: kept out of the way rather than retried forever.
            Err(e) => {
                log::error(
                    "queue",
                    &format!("{queue}: message {id} is not events: {e}"),
                );
                message.ack();
                continue;
            }
            Ok(queued) if queue == EVENT_QUEUE => store_queued(env, &id, &queued).await,
            Ok(queued) if queue == EVENT_DEAD_LETTERS => park(env, &id, &queued).await,
            Ok(_) => Err(NotStored::Failed(format!(
                "no consumer for the queue {queue}"
            ))),
        };
        match outcome {
            Ok(()) => message.ack(),
            // A move pauses a shop for the directory's cache time and its copy: a retry each
            // half minute, within the queue's `max_retries` (README's configuration).
            Err(NotStored::Paused) => message.retry_with_options(
                &QueueRetryOptionsBuilder::new()
                    .with_delay_seconds(PAUSED_QUEUE_DELAY_SECONDS)
                    .build(),
            ),
            Err(NotStored::Failed(why)) => {
                log::error("queue", &format!("{queue}: message {id}: {why}"));
                message.retry();
            }
        }
    }
}

async fn store_queued(env: &Env, id: &str, queued: &QueuedEvents) -> Result<(), NotStored> {
    let failed = |e: ApiError| NotStored::Failed(e.to_string());
    let shop = Id::parse(&queued.shop).map_err(|_| NotStored::Failed("shop id".into()))?;
    let place = databases::for_shop(env, &shop).await.map_err(failed)?;
    if place.writes_paused {
        return Err(NotStored::Paused);
    }
    if fails_for_test(env, id, queued) {
        return Err(NotStored::Failed(
            "made to fail (QUEUE_TEST_FAILURES)".into(),
        ));
    }
    store_all(&place.db, &shop, queued).await.map_err(failed)
}

/// Stores a queued message's events: those stored before (a redelivery, a parked copy) count
/// nothing again.
async fn store_all(db: &D1Database, shop: &Id, queued: &QueuedEvents) -> Result<(), ApiError> {
    let mut tries = 0;
    loop {
        tries += 1;
        match store_events(
            db,
            shop,
            &queued.browser_key,
            &queued.events,
            queued.received_at,
        )
        .await?
        {
            Ok(_) => return Ok(()),
            Err(e) if tries >= STORE_TRIES => return Err(e.into()),
            Err(_) => {}
        }
    }
}

async fn park(env: &Env, id: &str, queued: &QueuedEvents) -> Result<(), NotStored> {
    let failed = |e: String| NotStored::Failed(e);
    let shop = Id::parse(&queued.shop).map_err(|_| NotStored::Failed("shop id".into()))?;
    let place = databases::for_shop(env, &shop)
        .await
        .map_err(|e| failed(e.to_string()))?;
    // Parked in the shop's database, so not while it is being copied out of it.
    if place.writes_paused {
        return Err(NotStored::Paused);
    }
    let body = serde_json::to_string(queued).map_err(|e| failed(e.to_string()))?;
    let now = worker::js_sys::Date::now() as i64;
    store::events::park(&place.db, id, shop.as_str(), &body, now)
        .await
        .map_err(|e| failed(e.to_string()))
}

/// The scheduled handler's share: stores the parked messages of this database, oldest first,
/// each forgotten once its events are stored. A shop being moved keeps its parked rows, which
/// move with it. One that fails is logged and left for the next run; the rest go on.
pub async fn store_parked(env: &Env, db: &D1Database, run: &str) -> Result<(), ApiError> {
    for parked in store::events::parked(db, PARKED_PER_RUN).await? {
        if let Err(e) = store_one_parked(env, db, &parked).await {
            log::error(
                run,
                &format!("parked message {} not stored: {e}", parked.message_id),
            );
        }
    }
    Ok(())
}

async fn store_one_parked(
    env: &Env,
    db: &D1Database,
    parked: &store::events::Parked,
) -> Result<(), ApiError> {
    let queued: QueuedEvents = serde_json::from_str(&parked.body)
        .map_err(|e| ApiError::Internal(format!("unreadable: {e}")))?;
    let shop = Id::parse(&queued.shop)
        .map_err(|_| ApiError::Internal("a parked message's shop id".into()))?;
    let place = databases::for_shop(env, &shop).await?;
    if place.writes_paused {
        return Ok(());
    }
    // Its events go to the shop's database, wherever the row was parked.
    store_all(&place.db, &shop, &queued).await?;
    store::events::unpark(db, &parked.message_id).await?;
    Ok(())
}

thread_local! {
    /// Messages made to fail once already (tests only).
    static MADE_TO_FAIL: RefCell<HashSet<String>> = RefCell::new(HashSet::new());
}

/// Tests only (`QUEUE_TEST_FAILURES` in wrangler.toml's test environment, unset elsewhere):
/// `N` fails the first delivery of every message whose first event id's bytes sum to a multiple
/// of N; `N!` fails every delivery of those, so they reach the dead-letter queue.
fn fails_for_test(env: &Env, id: &str, queued: &QueuedEvents) -> bool {
    let rule = env
        .var("QUEUE_TEST_FAILURES")
        .map(|v| v.to_string())
        .unwrap_or_default();
    let (n, always) = match rule.strip_suffix('!') {
        Some(n) => (n, true),
        None => (rule.as_str(), false),
    };
    let Some(n) = n.parse::<u32>().ok().filter(|n| *n > 0) else {
        return false;
    };
    let Some(first) = queued.events.first() else {
        return false;
    };
    let sum: u32 = first.id.bytes().map(u32::from).sum();
    if !sum.is_multiple_of(n) {
        return false;
    }
    always || MADE_TO_FAIL.with(|made| made.borrow_mut().insert(id.to_owned()))
}
