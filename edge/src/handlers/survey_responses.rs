//! The answered surveys behind the satisfaction report's counts
//! (`GET /v1/admin/survey/responses`), newest delivery first: what the merchant reads after
//! seeing that five detractors named the delivery time.
//!
//! Invariant: the list selects with the report's own SQL
//! (`store::survey_responses::answered_in_period`) and
//! period (`survey::period`), and filters as the report counts (a reason for the group of the
//! response's NPS answer; a topic for every response tagged with it), so for one period the
//! number of responses listed under `group` and `reason`, or under `topic`, is the report's count.

use crate::handlers::Context;
use crate::handlers::survey;
use crate::platform::error::ApiError;
use crate::platform::http;
use crate::store::survey_responses::{self as store, Filter};
use memnun_protocol::api::query::Cursor;
use memnun_protocol::order_list;
use memnun_protocol::survey::{
    NpsGroup, Reason, SurveyResponse, SurveyResponsePage, SurveyResponseQuery,
};
use worker::{Request, Response};

/// `GET /v1/admin/survey/responses?from=&to=&group=&reason=&topic=&limit=&cursor=`.
pub async fn list(req: &Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let (db, shop, now) = (&cx.db, &cx.shop, cx.now);
    let query: SurveyResponseQuery = http::query(req)?;
    let limit = query.limit.0;
    let (from, to) = survey::period(query.from.as_deref(), query.to.as_deref(), now)?;
    let filter = Filter {
        from,
        to,
        group: query.group,
        reason: query.reason,
        topic: query.topic.as_ref().map(|t| t.0.as_str()),
        after: query
            .cursor
            .as_ref()
            .map(|Cursor((time, [order]))| (*time, order.as_str())),
        limit,
    };
    let rows = store::listed(db, shop, &filter).await?;
    let list = |json: &str| -> Vec<String> { serde_json::from_str(json).unwrap_or_default() };
    let score = |v: Option<i64>| v.and_then(|v| u8::try_from(v).ok());
    let mut responses: Vec<SurveyResponse> = rows
        .into_iter()
        .map(|r| SurveyResponse {
            group: score(r.nps).and_then(NpsGroup::of),
            nps: score(r.nps),
            reasons: list(&r.reasons)
                .iter()
                .filter_map(|name| Reason::parse(name))
                .collect(),
            topics: list(&r.topics),
            order: r.order_id,
            number: r.number,
            follow_up: r.follow_up,
            csat: score(r.csat),
            ces: score(r.ces),
            comment: r.comment,
            locale: r.locale,
            delivered_at: r.delivered_at,
            answered_at: r.answered_at,
            completed: r.completed != 0,
        })
        .collect();
    let next_cursor = http::next_page(&mut responses, limit, |r| {
        order_list::encode_cursor(r.delivered_at, &[&r.order])
    });
    http::json(
        200,
        &SurveyResponsePage {
            responses,
            next_cursor,
        },
    )
}
