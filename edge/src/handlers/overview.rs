//! `GET /v1/admin/reports/overview`: the business numbers (orders, revenue, average basket,
//! repeat purchases, cohorts' lifetime value, conversion, cart abandonment) and satisfaction set
//! against them. The store counts; `memnun_protocol::overview` has every formula.

use crate::handlers::Context;
use crate::platform::error::ApiError;
use crate::platform::http;
use crate::store::overview::{self as store, Span};
use memnun_protocol::overview::{OverviewQuery, OverviewReport, cohorts_from};
use worker::{Request, Response};

pub async fn report(req: &Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let (db, shop, now) = (&cx.db, &cx.shop, cx.now);
    let query: OverviewQuery = http::query(req)?;
    let asked = query.currency().map_err(|_| {
        ApiError::InvalidParameter("currency must be three capital letters (ISO 4217)".into())
    })?;
    let (from, to) = http::report_period(
        query.from.as_deref(),
        query.to.as_deref(),
        now,
        query.interval.default_days(),
    )?;
    let before_from = from - (to - from);
    let (currencies, rolled_through) = store::before_counting(db, shop, before_from, to).await?;
    let currency = asked
        .map(str::to_owned)
        .or_else(|| currencies.first().cloned());
    let span = Span {
        before_from,
        from,
        to,
        cohorts_from: cohorts_from(from, to),
        visit_days: store::visit_days(from, to),
        visit_days_before: store::visit_days(before_from, from),
        rolled_through,
        now,
    };
    let counts = store::counts(db, shop, &span, currency.as_deref().unwrap_or("")).await?;
    let report = OverviewReport::build(from, to, query.interval, currency, currencies, &counts);
    let mut resp = http::json(200, &report)?;
    resp.headers_mut().set("Cache-Control", "no-store")?;
    Ok(resp)
}
