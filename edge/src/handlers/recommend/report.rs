//! What the merchant sees: the strip's report (`GET /v1/admin/reports/recommendations`).

use crate::handlers::Context;
use crate::platform::error::ApiError;
use crate::platform::http;
use crate::store;
use memnun_protocol::recommend::{self, RecommendationReportQuery};
use worker::{Request, Response};

/// The period the recommendations report covers when the merchant does not say.
const REPORT_DEFAULT_DAYS: i64 = 28;

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
