//! The overview's counts (`orders`, `order_items`, `shopper_events`, `survey_responses`,
//! `shipments`, `reviews`): per UTC day, month, carrier or NPS answer, for
//! `memnun_protocol::overview` to turn into figures. Read-only.
//!
//! A buyer is an order's `email_hash`; their first order is their earliest standing
//! (`cancelled_at IS NULL`) order, read through `orders_by_buyer`. A visit is a browser's UTC
//! day; whether it bought is read through `shopper_events_by_browser`. Money is the report's
//! currency's: an order's total is Σ price × quantity of its items in it, `NULL` when it has none.

use super::Params;
use crate::platform::error::ApiError;
use memnun_protocol::Id;
use memnun_protocol::overview::{
    BuyersDay, CART_WINDOW_MS, CONVERSION_WINDOW_MS, CarrierCount, CohortCell, CohortSize,
    MS_PER_DAY, NpsRepeat, OverviewCounts, PRODUCTS_MAX, ProductVisits, SalesDay, SecondOrderGap,
    VisitsDay,
};
use serde::Deserialize;
use worker::{D1Database, D1PreparedStatement};

/// The periods one overview reads: `[before_from, from)`, `[from, to)`, the cohorts' first orders
/// from `cohorts_from`, the days of their visits ([`visit_days`]) with the last one rolled up,
/// and `now` (windows not over yet are not counted).
pub struct Span {
    pub before_from: i64,
    pub from: i64,
    pub to: i64,
    pub cohorts_from: i64,
    pub visit_days: (i64, i64),
    pub visit_days_before: (i64, i64),
    pub rolled_through: Option<i64>,
    pub now: i64,
}

/// Notes that rolling up `shop`'s days after `through_day` failed: it goes behind the others.
pub async fn roll_up_failed(db: &D1Database, shop: &str, through_day: i64) -> Result<(), ApiError> {
    Params::new()
        .text(shop)
        .int(through_day)
        .bind(
            db,
            "INSERT INTO visit_rollups (shop_id, through_day, failures) VALUES (?1, ?2, 1) \
             ON CONFLICT (shop_id) DO UPDATE SET failures = visit_rollups.failures + 1",
        )?
        .run()
        .await?;
    Ok(())
}

/// What an overview needs to know before it counts, in one round trip: the currencies of the
/// standing orders placed in `[from, to)` with a priced item (the most orders first), and the
/// last day of the shop's visits rolled up, if any.
pub async fn before_counting(
    db: &D1Database,
    shop: &Id,
    from: i64,
    to: i64,
) -> Result<(Vec<String>, Option<i64>), ApiError> {
    #[derive(Deserialize)]
    struct Currency {
        currency: String,
    }
    #[derive(Deserialize)]
    struct Rolled {
        through_day: i64,
    }
    let [currencies, rolled] = crate::platform::http::batch(
        db,
        vec![
            Params::new().text(shop.as_str()).int(from).int(to).bind(
                db,
                "SELECT i.currency AS currency, COUNT(DISTINCT i.order_id) AS n \
                 FROM orders o JOIN order_items i ON i.shop_id = o.shop_id AND i.order_id = o.id \
                 WHERE o.shop_id = ?1 AND o.placed_at >= ?2 AND o.placed_at < ?3 \
                 AND o.cancelled_at IS NULL AND i.price_minor IS NOT NULL \
                 AND i.currency IS NOT NULL GROUP BY i.currency ORDER BY n DESC, currency",
            )?,
            Params::new().text(shop.as_str()).bind(
                db,
                "SELECT through_day FROM visit_rollups WHERE shop_id = ?1",
            )?,
        ],
    )
    .await?;
    let currencies: Vec<Currency> = currencies.results()?;
    let rolled: Vec<Rolled> = rolled.results()?;
    Ok((
        currencies.into_iter().map(|c| c.currency).collect(),
        rolled.first().map(|r| r.through_day),
    ))
}

/// An order `o`'s items' total in the currency `?4`, `NULL` without a priced item in it. At most
/// 10^17 (100 items of 10,000 at 10^11), so it fits; the sums over orders are `TOTAL`s (exact to
/// 2^53, about 90 trillion liras in kuruş) cast back, which saturate where `SUM` would fail.
const ITEMS_TOTAL: &str = "(SELECT SUM(i.price_minor * i.quantity) FROM order_items i \
     WHERE i.shop_id = o.shop_id AND i.order_id = o.id AND i.currency = ?4 \
     AND i.price_minor IS NOT NULL)";

/// Buyers (`buyer`) whose first standing order (`first_at`) was placed in `[?2, ?3)`, with
/// their next one (`second_at`, `NULL` if none yet).
const FIRSTS: &str = "WITH firsts AS (\
     SELECT o.email_hash AS buyer, MIN(o.placed_at) AS first_at FROM orders o \
     WHERE o.shop_id = ?1 AND o.email_hash IS NOT NULL AND o.cancelled_at IS NULL \
     GROUP BY o.email_hash HAVING first_at >= ?2 AND first_at < ?3), \
     seconds AS (SELECT f.buyer, f.first_at, (SELECT MIN(n.placed_at) FROM orders n \
     WHERE n.shop_id = ?1 AND n.email_hash = f.buyer AND n.cancelled_at IS NULL \
     AND n.placed_at > f.first_at) AS second_at FROM firsts f) ";

/// The calendar month (UTC) of a time in milliseconds, numbered as `time::month_of_day`.
fn month_of(column: &str) -> String {
    format!(
        "(CAST(strftime('%Y', {column} / 1000, 'unixepoch') AS INTEGER) * 12 \
         + CAST(strftime('%m', {column} / 1000, 'unixepoch') AS INTEGER) - 1)"
    )
}

/// Orders delivered in `[?2, ?3)` (`o`), joined with `join`, and the carrier of their first
/// parcel (`s`).
fn delivered_by_carrier(join: &str) -> String {
    format!(
        "FROM orders o {join} JOIN shipments s ON s.shop_id = o.shop_id \
         AND s.order_id = o.id AND s.position = (SELECT MIN(f.position) FROM shipments f \
         WHERE f.shop_id = o.shop_id AND f.order_id = o.id) \
         WHERE o.shop_id = ?1 AND o.delivered_at >= ?2 AND o.delivered_at < ?3 \
         AND o.cancelled_at IS NULL"
    )
}

fn sales(
    db: &D1Database,
    shop: &Id,
    from: i64,
    to: i64,
    currency: &str,
) -> Result<D1PreparedStatement, ApiError> {
    Ok(Params::new().text(shop.as_str()).int(from).int(to).text(currency).bind(
        db,
        &format!(
            "SELECT day, COUNT(*) AS orders, COUNT(total) AS priced_orders, \
             CAST(TOTAL(total) AS INTEGER) AS revenue_minor, \
             CAST(TOTAL(CASE WHEN total IS NOT NULL THEN refunded END) AS INTEGER) \
             AS refunded_minor \
             FROM (SELECT o.placed_at / {MS_PER_DAY} AS day, COALESCE(o.refunded_minor, 0) AS refunded, \
             {ITEMS_TOTAL} AS total FROM orders o WHERE o.shop_id = ?1 AND o.placed_at >= ?2 \
             AND o.placed_at < ?3 AND o.cancelled_at IS NULL) GROUP BY day"
        ),
    )?)
}

fn buyers(
    db: &D1Database,
    shop: &Id,
    from: i64,
    to: i64,
    now: i64,
) -> Result<D1PreparedStatement, ApiError> {
    let window = |days: i64| {
        let ms = days * MS_PER_DAY;
        format!(
            "COUNT(CASE WHEN first_at <= ?4 - {ms} THEN 1 END) AS eligible_{days}, \
             COUNT(CASE WHEN first_at <= ?4 - {ms} AND second_at <= first_at + {ms} THEN 1 END) \
             AS repeated_{days}"
        )
    };
    Ok(Params::new()
        .text(shop.as_str())
        .int(from)
        .int(to)
        .int(now)
        .bind(
            db,
            &format!(
                "{FIRSTS} SELECT first_at / {MS_PER_DAY} AS day, COUNT(*) AS buyers, {}, {}, {} \
             FROM seconds GROUP BY day",
                window(30),
                window(60),
                window(90)
            ),
        )?)
}

fn gaps(db: &D1Database, shop: &Id, from: i64, to: i64) -> Result<D1PreparedStatement, ApiError> {
    Ok(Params::new().text(shop.as_str()).int(from).int(to).bind(
        db,
        &format!(
            "{FIRSTS} SELECT (second_at - first_at) / {MS_PER_DAY} AS days, COUNT(*) AS n \
             FROM seconds WHERE second_at IS NOT NULL GROUP BY days"
        ),
    )?)
}

/// One row per visit (a browser's day) from the events of `[?2, ?3)` whose window ended by `?4`:
/// `day, visits, converted, carts, carts_bought`, a view's visit (1, whether the browser bought
/// within the conversion window after one of its views, 0, 0) or an add to cart's (0, 0, 1,
/// whether it bought within the cart window).
fn live_visits() -> String {
    let bought_within = |event: &str, window: i64| {
        format!(
            "MAX(EXISTS (SELECT 1 FROM shopper_events p WHERE p.shop_id = ?1 \
             AND p.browser_key = {event}.browser_key AND p.kind = 'purchase' \
             AND p.time >= {event}.time AND p.time <= {event}.time + {window}))"
        )
    };
    let of_kind = |event: &str, kind: &str, window: i64| {
        format!(
            "FROM shopper_events {event} WHERE {event}.shop_id = ?1 AND {event}.kind = '{kind}' \
             AND {event}.time >= ?2 AND {event}.time < ?3 AND {event}.time <= ?4 - {window} \
             GROUP BY day, {event}.browser_key"
        )
    };
    format!(
        "SELECT v.time / {MS_PER_DAY} AS day, 1 AS visits, {} AS converted, 0 AS carts, \
         0 AS carts_bought {} \
         UNION ALL \
         SELECT a.time / {MS_PER_DAY} AS day, 0, 0, 1, {} {}",
        bought_within("v", CONVERSION_WINDOW_MS),
        of_kind("v", "product_view", CONVERSION_WINDOW_MS),
        bought_within("a", CART_WINDOW_MS),
        of_kind("a", "add_to_cart", CART_WINDOW_MS),
    )
}

/// One row per visit and product viewed in it, from the views of `[?2, ?3)` whose window ended by
/// `?4`: `product, day, converted` (whether the browser bought that product within the window).
fn live_product_visits() -> String {
    format!(
        "SELECT v.product_id AS product, v.time / {MS_PER_DAY} AS day, \
         MAX(EXISTS (SELECT 1 FROM shopper_events p WHERE p.shop_id = ?1 \
         AND p.browser_key = v.browser_key AND p.kind = 'purchase' \
         AND p.time >= v.time AND p.time <= v.time + {CONVERSION_WINDOW_MS} \
         AND (p.product_id = v.product_id \
         OR EXISTS (SELECT 1 FROM json_each(p.products) j WHERE j.value = v.product_id)))) \
         AS converted FROM shopper_events v WHERE v.shop_id = ?1 \
         AND v.kind = 'product_view' AND v.time >= ?2 \
         AND v.time < ?3 AND v.time <= ?4 - {CONVERSION_WINDOW_MS} \
         GROUP BY product, day, v.browser_key"
    )
}

/// The products a day's rows keep: a page may send any id, so a day keeps the most viewed.
pub const PRODUCTS_PER_DAY: usize = 500;

/// Per day and product from the views of `[?2, ?3)` (`day, product, visits, converted`), the
/// [`PRODUCTS_PER_DAY`] most viewed of each day: what the roll-up keeps and the live days count
/// alike, so the two agree.
fn daily_product_visits() -> String {
    format!(
        "SELECT day, product, visits, converted FROM (SELECT day, product, COUNT(*) AS visits, \
         SUM(converted) AS converted, ROW_NUMBER() OVER (PARTITION BY day \
         ORDER BY COUNT(*) DESC, product) AS place FROM ({}) GROUP BY day, product) \
         WHERE place <= {PRODUCTS_PER_DAY}",
        live_product_visits()
    )
}

/// The days a period's visits are counted on: those that start in `[from, to)`.
pub fn visit_days(from: i64, to: i64) -> (i64, i64) {
    let first_at_or_after = |ms: i64| (ms + MS_PER_DAY - 1).div_euclid(MS_PER_DAY);
    (first_at_or_after(from), first_at_or_after(to))
}

/// The parameters of a report's visit counts over the days `[first, end)`: rolled-up days up to
/// `rolled_through` (`?5`, `?6`), the events themselves after it (`?2`, `?3`, with `?4` now).
fn visit_params(
    shop: &Id,
    (first, end): (i64, i64),
    rolled_through: Option<i64>,
    now: i64,
) -> Params {
    let live_from = rolled_through.map_or(first, |d| (d + 1).max(first));
    Params::new()
        .text(shop.as_str())
        .int(live_from * MS_PER_DAY)
        .int(end.max(live_from) * MS_PER_DAY)
        .int(now)
        .int(first)
        .int(live_from.min(end))
}

fn visits(
    db: &D1Database,
    shop: &Id,
    days: (i64, i64),
    rolled_through: Option<i64>,
    now: i64,
) -> Result<D1PreparedStatement, ApiError> {
    Ok(visit_params(shop, days, rolled_through, now).bind(
        db,
        &format!(
            "SELECT day, SUM(visits) AS visits, SUM(converted) AS converted, \
             SUM(carts) AS carts, SUM(carts_bought) AS carts_bought FROM (\
             SELECT day, visits, converted, carts, carts_bought FROM visit_days \
             WHERE shop_id = ?1 AND day >= ?5 AND day < ?6 UNION ALL {}) GROUP BY day",
            live_visits()
        ),
    )?)
}

/// A shop whose visits are rolled up only through `through_day` (or not at all: then the day
/// before its first event).
#[derive(Deserialize)]
pub struct DueRollup {
    pub shop: String,
    pub through_day: i64,
}

/// The last day whose every event's windows have ended by `now`.
pub fn last_final_day(now: i64) -> i64 {
    (now - CART_WINDOW_MS.max(CONVERSION_WINDOW_MS)).div_euclid(MS_PER_DAY) - 1
}

/// At most `limit` shops with whole days of visits not rolled up yet: those whose last roll-up
/// did not fail first (a shop whose days keep failing does not hold the others back), then the
/// furthest behind.
pub async fn due_rollups(
    db: &D1Database,
    now: i64,
    limit: i64,
) -> Result<Vec<DueRollup>, ApiError> {
    Ok(Params::new()
        .int(last_final_day(now))
        .int(limit)
        .bind(
            db,
            &format!(
                "SELECT shop, through_day FROM (SELECT s.id AS shop, COALESCE(r.through_day, \
                 (SELECT MIN(e.time) FROM shopper_events e WHERE e.shop_id = s.id) / {MS_PER_DAY} - 1) \
                 AS through_day, COALESCE(r.failures, 0) AS failures \
                 FROM shops s LEFT JOIN visit_rollups r ON r.shop_id = s.id) \
                 WHERE through_day IS NOT NULL AND through_day < ?1 \
                 ORDER BY failures, through_day LIMIT ?2"
            ),
        )?
        .all()
        .await?
        .results()?)
}

/// Rolls up `shop`'s visits of the days `first..=last` (`visit_days`, `product_visit_days`) and
/// moves its mark to `last`, in one batch; `now` is past every window of those days.
pub async fn roll_up(
    db: &D1Database,
    shop: &str,
    first: i64,
    last: i64,
    now: i64,
) -> Result<(), ApiError> {
    let range = || {
        Params::new()
            .text(shop)
            .int(first * MS_PER_DAY)
            .int((last + 1) * MS_PER_DAY)
            .int(now)
    };
    let days = || Params::new().text(shop).int(first).int(last);
    db.batch(vec![
        // Rolled again (two runs overlapped), a day is counted anew, not merged with its old rows.
        days().bind(
            db,
            "DELETE FROM visit_days WHERE shop_id = ?1 AND day >= ?2 AND day <= ?3",
        )?,
        days().bind(
            db,
            "DELETE FROM product_visit_days WHERE shop_id = ?1 AND day >= ?2 AND day <= ?3",
        )?,
        range().bind(
            db,
            &format!(
                "INSERT OR REPLACE INTO visit_days (shop_id, day, visits, converted, carts, \
                 carts_bought) SELECT ?1, day, SUM(visits), SUM(converted), SUM(carts), \
                 SUM(carts_bought) FROM ({}) GROUP BY day",
                live_visits()
            ),
        )?,
        range().bind(
            db,
            &format!(
                "INSERT OR REPLACE INTO product_visit_days (shop_id, day, product_id, visits, \
                 converted) SELECT ?1, day, product, visits, converted FROM ({})",
                daily_product_visits()
            ),
        )?,
        Params::new().text(shop).int(last).bind(
            db,
            "INSERT INTO visit_rollups (shop_id, through_day, failures) VALUES (?1, ?2, 0) \
             ON CONFLICT (shop_id) DO UPDATE SET failures = 0, \
             through_day = MAX(visit_rollups.through_day, excluded.through_day)",
        )?,
    ])
    .await?;
    Ok(())
}

/// Everything else the overview counts, in one batch. `currency` is the report's (`""` when
/// no order had a price: no item matches it).
pub async fn counts(
    db: &D1Database,
    shop: &Id,
    span: &Span,
    currency: &str,
) -> Result<OverviewCounts, ApiError> {
    let Span {
        before_from,
        from,
        to,
        cohorts_from,
        now,
        ..
    } = *span;
    let current = || Params::new().text(shop.as_str()).int(from).int(to);
    let cohort_month = month_of("f.first_at");
    let order_month = month_of("o.placed_at");
    let statements = vec![
        sales(db, shop, from, to, currency)?,
        sales(db, shop, before_from, from, currency)?,
        buyers(db, shop, from, to, now)?,
        buyers(db, shop, before_from, from, now)?,
        gaps(db, shop, from, to)?,
        gaps(db, shop, before_from, from)?,
        Params::new()
            .text(shop.as_str())
            .int(cohorts_from)
            .int(to)
            .bind(
                db,
                &format!(
                    "{FIRSTS} SELECT {cohort_month} AS cohort, COUNT(*) AS buyers FROM firsts f \
                 GROUP BY cohort"
                ),
            )?,
        Params::new()
            .text(shop.as_str())
            .int(cohorts_from)
            .int(to)
            .text(currency)
            .bind(
                db,
                &format!(
                    "{FIRSTS} SELECT cohort, month, COUNT(DISTINCT buyer) AS buyers, \
                     CAST(TOTAL(total) AS INTEGER) AS revenue_minor FROM (\
                     SELECT {cohort_month} AS cohort, {order_month} AS month, f.buyer, \
                     {ITEMS_TOTAL} - COALESCE(o.refunded_minor, 0) AS total FROM firsts f \
                     JOIN orders o ON o.shop_id = ?1 AND o.email_hash = f.buyer \
                     AND o.cancelled_at IS NULL AND o.placed_at < ?3) \
                     GROUP BY cohort, month"
                ),
            )?,
        visits(db, shop, span.visit_days, span.rolled_through, now)?,
        visits(db, shop, span.visit_days_before, span.rolled_through, now)?,
        visit_params(shop, span.visit_days, span.rolled_through, now).bind(
            db,
            &format!(
                "SELECT product, SUM(visits) AS visits, SUM(converted) AS converted FROM (\
                 SELECT product_id AS product, visits, converted FROM product_visit_days \
                 WHERE shop_id = ?1 AND day >= ?5 AND day < ?6 UNION ALL \
                 SELECT product, visits, converted FROM ({})) \
                 WHERE product IN (SELECT c.product_id FROM catalog_items c WHERE c.shop_id = ?1) \
                 GROUP BY product ORDER BY visits DESC, product LIMIT {PRODUCTS_MAX}",
                daily_product_visits()
            ),
        )?,
        current().bind(
            db,
            "SELECT r.nps AS nps, COUNT(*) AS answered, COUNT(CASE WHEN EXISTS (\
             SELECT 1 FROM orders n WHERE n.shop_id = ?1 AND n.email_hash = o.email_hash \
             AND n.cancelled_at IS NULL AND n.placed_at > o.placed_at) THEN 1 END) AS repeated \
             FROM orders o JOIN survey_responses r ON r.shop_id = o.shop_id AND r.order_id = o.id \
             WHERE o.shop_id = ?1 AND o.delivered_at >= ?2 AND o.delivered_at < ?3 \
             AND o.cancelled_at IS NULL AND o.email_hash IS NOT NULL AND r.nps IS NOT NULL \
             GROUP BY r.nps",
        )?,
        current().bind(
            db,
            &format!(
                "SELECT s.carrier AS carrier, (o.delivered_at - o.placed_at) / 3600000 AS value, \
                 COUNT(*) AS n {} GROUP BY carrier, value",
                delivered_by_carrier("")
            ),
        )?,
        current().bind(
            db,
            &format!(
                "SELECT s.carrier AS carrier, r.csat AS value, COUNT(*) AS n {} \
                 AND r.csat IS NOT NULL GROUP BY carrier, value",
                delivered_by_carrier(
                    "JOIN survey_responses r ON r.shop_id = o.shop_id AND r.order_id = o.id"
                )
            ),
        )?,
        current().bind(
            db,
            &format!(
                "SELECT s.carrier AS carrier, v.rating AS value, COUNT(*) AS n {} \
                 AND v.status = 'published' GROUP BY carrier, value",
                delivered_by_carrier(
                    "JOIN reviews v ON v.shop_id = o.shop_id AND v.order_id = o.id"
                )
            ),
        )?,
    ];
    let mut results = db.batch(statements).await?.into_iter();
    let mut next = || {
        results
            .next()
            .ok_or_else(|| ApiError::Internal("an overview query gave no result".into()))
    };
    Ok(OverviewCounts {
        sales: next()?.results::<SalesDay>()?,
        sales_before: next()?.results()?,
        buyers: next()?.results::<BuyersDay>()?,
        buyers_before: next()?.results()?,
        gaps: next()?.results::<SecondOrderGap>()?,
        gaps_before: next()?.results()?,
        cohort_sizes: next()?.results::<CohortSize>()?,
        cohort_cells: next()?.results::<CohortCell>()?,
        visits: next()?.results::<VisitsDay>()?,
        visits_before: next()?.results()?,
        products: next()?.results::<ProductVisits>()?,
        nps: next()?.results::<NpsRepeat>()?,
        lead_hours: next()?.results::<CarrierCount>()?,
        csat: next()?.results()?,
        ratings: next()?.results()?,
    })
}
