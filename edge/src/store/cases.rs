//! Cases (`cases`, `case_history`, `case_settings`): what opens them, what the merchant does
//! with them, and the answers that go to shoppers through the outbox (`outreach_messages` of
//! kind `case_answer`).
//!
//! A signal is three statements in its cause's batch, under the same condition as the write that
//! caused it: open a case (unless one about the same subject and cause is unresolved: the
//! partial unique index `cases_one_unresolved` ignores the insert), join the unresolved one
//! otherwise, and write the signal's history line, unique per `signal_key`, so a signal seen
//! again changes nothing. Every change a merchant makes writes its history line in the same
//! batch, only when the change happened (`changes()`).

use super::Params;
use crate::platform::error::ApiError;
use crate::store::webhook_outbox::Condition;
use memnun_protocol::Id;
use memnun_protocol::cases::{
    AnswerEmail, Case, CaseAction, CaseCause, CaseEntry, CaseFilter, CaseSettings, CaseState,
    CaseSurvey, CaseTimes, Resolution, ResolutionCategory, ValidCaseUpdate, is_overdue, respond_by,
};
use memnun_protocol::outreach::{MessageKind, MessageState};
use serde::Deserialize;
use worker::{D1Database, D1PreparedStatement};

/// The actor of what memnun does by itself.
pub const SYSTEM: &str = "system";

/// What a case is about: its order, or a review that has none.
pub enum Subject<'a> {
    Order(&'a str),
    Review(&'a str),
}

/// A signal that opens a case, or joins the unresolved one of its subject and cause.
pub struct Signal<'a> {
    pub shop: &'a Id,
    pub cause: CaseCause,
    pub subject: Subject<'a>,
    /// The review behind the signal, when the subject is its order.
    pub review: Option<&'a str>,
    /// Names the signal: seen again, it is not counted again.
    pub key: &'a str,
    /// What the signal was, for the history (JSON object).
    pub detail: serde_json::Value,
    pub now: i64,
}

/// The statements of `signal` (opening, if it opens one, case `new_id`), each under `condition` (SQL whose values are numbered from `?7`;
/// `?2` is the shop), or none.
pub fn signal(
    db: &D1Database,
    new_id: &str,
    signal: &Signal<'_>,
    condition: Option<Condition<'_>>,
) -> Result<Vec<D1PreparedStatement>, ApiError> {
    let (order, review, subject) = match signal.subject {
        Subject::Order(order) => (Some(order), signal.review, format!("order:{order}")),
        Subject::Review(review) => (None, Some(review), format!("review:{review}")),
    };
    let detail = crate::platform::http::to_json(&signal.detail)?;
    let (condition_sql, condition_values) = match condition {
        Some((sql, values)) => (sql, values),
        None => ("1", Params::new()),
    };
    // The condition's values sit at ?7…; each statement's own come after them.
    let next = 7 + condition_values.len();
    let with_condition = || -> Params {
        Params::new()
            .text(new_id)
            .text(signal.shop.as_str())
            .text(signal.cause.as_str())
            .text(&subject)
            .text(signal.key)
            .int(signal.now)
            .extend(condition_values.clone())
    };
    let seen = "EXISTS (SELECT 1 FROM case_history WHERE shop_id = ?2 AND signal_key = ?5)";
    let unresolved = "shop_id = ?2 AND subject = ?4 AND cause = ?3 AND state != 'resolved'";
    let (o, r) = (next, next + 1);
    Ok(vec![
        with_condition()
            .opt_text(order)
            .opt_text(review)
            .bind(
                db,
                &format!(
                    "INSERT OR IGNORE INTO cases (id, shop_id, cause, subject, order_id, review_id, \
                     opened_at, updated_at) SELECT ?1, ?2, ?3, ?4, ?{o}, ?{r}, ?6, ?6 \
                     WHERE NOT {seen} AND ({condition_sql}) \
                     AND (?{o} IS NULL OR EXISTS (SELECT 1 FROM orders WHERE shop_id = ?2 AND id = ?{o})) \
                     AND (?{r} IS NULL OR EXISTS (SELECT 1 FROM reviews WHERE shop_id = ?2 AND id = ?{r}))"
                ),
            )?,
        with_condition().bind(
            db,
            &format!(
                "UPDATE cases SET signals = signals + 1, updated_at = ?6, state = 'open' \
                 WHERE {unresolved} AND id != ?1 AND NOT {seen} AND ({condition_sql})"
            ),
        )?,
        with_condition().text(&detail).bind(
            db,
            &format!(
                "INSERT OR IGNORE INTO case_history (case_id, shop_id, at, actor, action, detail, \
                 signal_key) SELECT id, ?2, ?6, '{SYSTEM}', \
                 CASE WHEN id = ?1 THEN 'opened' ELSE 'signal' END, ?{next}, ?5 FROM cases \
                 WHERE {unresolved} AND ({condition_sql})"
            ),
        )?,
    ])
}

/// A condition for a statement after [`signal`]'s: that it opened case `new_id` (values from
/// `?7`, as webhooks' conditions are numbered).
pub fn opened(new_id: &str) -> Condition<'static> {
    (
        "EXISTS (SELECT 1 FROM cases WHERE shop_id = ?2 AND id = ?7)",
        Params::new().text(new_id),
    )
}

/// A condition: that case `id` was resolved at `at` (by this batch).
pub fn resolved_at(id: &str, at: i64) -> Condition<'static> {
    (
        "EXISTS (SELECT 1 FROM cases WHERE shop_id = ?2 AND id = ?7 AND resolved_at = ?8)",
        Params::new().text(id).int(at),
    )
}

/// A case as stored, with its order's number.
#[derive(Debug, Deserialize)]
pub struct Row {
    pub id: String,
    pub cause: String,
    pub state: String,
    pub order_id: Option<String>,
    pub order_number: Option<String>,
    pub review_id: Option<String>,
    pub owner: Option<String>,
    pub signals: u32,
    pub opened_at: i64,
    pub updated_at: i64,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub resolution_category: Option<String>,
    pub resolution: Option<String>,
}

impl Row {
    pub fn case(self, settings: &CaseSettings, now: i64) -> Result<Case, ApiError> {
        let unreadable = |what: &str| ApiError::Internal(format!("case {}: {what}", self.id));
        let resolution = match self.resolution_category.as_deref() {
            Some(category) => Some(Resolution {
                category: ResolutionCategory::parse(category)
                    .ok_or_else(|| unreadable("category"))?,
                text: self.resolution.clone(),
            }),
            None => None,
        };
        let target = settings.target_ms();
        Ok(Case {
            cause: CaseCause::parse(&self.cause).ok_or_else(|| unreadable("cause"))?,
            state: CaseState::parse(&self.state).ok_or_else(|| unreadable("state"))?,
            respond_by: respond_by(self.opened_at, target),
            overdue: self.resolved_at.is_none()
                && is_overdue(self.opened_at, self.first_response_at, target, now),
            id: self.id,
            order: self.order_id,
            order_number: self.order_number,
            review: self.review_id,
            owner: self.owner,
            signals: self.signals,
            opened_at: self.opened_at,
            updated_at: self.updated_at,
            first_response_at: self.first_response_at,
            resolved_at: self.resolved_at,
            resolution,
        })
    }
}

const COLUMNS: &str = "c.id, c.cause, c.state, c.order_id, o.number AS order_number, \
     c.review_id, c.owner, c.signals, c.opened_at, c.updated_at, c.first_response_at, \
     c.resolved_at, c.resolution_category, c.resolution \
     FROM cases c LEFT JOIN orders o ON o.shop_id = c.shop_id AND o.id = c.order_id";

const SETTINGS: super::Document = super::Document {
    table: "case_settings",
    column: "settings",
    what: "case settings",
};

/// The shop's settings, or the defaults.
pub async fn settings(db: &D1Database, shop: &Id) -> Result<CaseSettings, ApiError> {
    Ok(super::get_document(db, &SETTINGS, shop)
        .await?
        .unwrap_or_default())
}

pub async fn put_settings(
    db: &D1Database,
    shop: &Id,
    settings: &CaseSettings,
    now: i64,
) -> Result<(), ApiError> {
    super::put_document(db, &SETTINGS, shop, settings, now).await
}

/// A page of the queue: unresolved oldest first, resolved newest first; after `cursor`.
pub async fn page(
    db: &D1Database,
    shop: &Id,
    filter: CaseFilter,
    cause: Option<CaseCause>,
    owner: Option<&str>,
    rows: u32,
    cursor: Option<(i64, &str)>,
) -> Result<Vec<Row>, ApiError> {
    let states: &[&str] = match filter {
        CaseFilter::Unresolved => &["open", "waiting"],
        CaseFilter::Open => &["open"],
        CaseFilter::Waiting => &["waiting"],
        CaseFilter::Resolved => &["resolved"],
    };
    let newest_first = filter == CaseFilter::Resolved;
    let mut params = Params::new()
        .text(shop.as_str())
        .int(i64::from(rows))
        .text(&crate::platform::http::to_json(&states)?);
    let mut sql = format!(
        "SELECT {COLUMNS} WHERE c.shop_id = ?1 AND c.state IN (SELECT value FROM json_each(?3))"
    );
    if let Some(cause) = cause {
        params = params.text(cause.as_str());
        sql.push_str(&format!(" AND c.cause = ?{}", params.len()));
    }
    if let Some(owner) = owner {
        params = params.text(owner);
        sql.push_str(&format!(" AND c.owner = ?{}", params.len()));
    }
    let (compare, order) = if newest_first {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    if let Some((at, id)) = cursor {
        params = params.int(at).text(id);
        let (a, i) = (params.len() - 1, params.len());
        sql.push_str(&format!(" AND (c.opened_at, c.id) {compare} (?{a}, ?{i})"));
    }
    sql.push_str(&format!(
        " ORDER BY c.opened_at {order}, c.id {order} LIMIT ?2"
    ));
    Ok(params.bind(db, &sql)?.all().await?.results()?)
}

/// One case of the shop.
pub async fn get(db: &D1Database, shop: &Id, id: &str) -> Result<Option<Row>, ApiError> {
    Ok(Params::new()
        .text(shop.as_str())
        .text(id)
        .bind(
            db,
            &format!("SELECT {COLUMNS} WHERE c.shop_id = ?1 AND c.id = ?2"),
        )?
        .first(None)
        .await?)
}

/// Whether another case about the same subject and cause as case `id` is unresolved (so `id`
/// cannot be opened again).
pub async fn has_unresolved_twin(db: &D1Database, shop: &Id, id: &str) -> Result<bool, ApiError> {
    #[derive(Deserialize)]
    struct Found {
        n: i64,
    }
    let found: Option<Found> = Params::new()
        .text(shop.as_str())
        .text(id)
        .bind(
            db,
            "SELECT COUNT(*) AS n FROM cases c JOIN cases o ON o.shop_id = c.shop_id \
             AND o.subject = c.subject AND o.cause = c.cause AND o.id != c.id \
             AND o.state != 'resolved' WHERE c.shop_id = ?1 AND c.id = ?2",
        )?
        .first(None)
        .await?;
    Ok(found.is_some_and(|f| f.n > 0))
}

/// What answering a case needs to know: whether the shop sends, the address memnun keeps (the
/// order's, sealed; or a review's author's), and the shopper's key.
#[derive(Debug, Deserialize)]
pub struct Reach {
    pub sending: i64,
    pub sealed: Option<String>,
    pub review_email: Option<String>,
    pub email_hash: Option<String>,
}

pub async fn reach(db: &D1Database, shop: &Id, id: &str) -> Result<Option<Reach>, ApiError> {
    Ok(Params::new()
        .text(shop.as_str())
        .text(id)
        .bind(
            db,
            "SELECT COALESCE((SELECT json_extract(s.settings, '$.sending') FROM outreach_settings s \
               WHERE s.shop_id = ?1), 0) AS sending, \
             a.sealed, r.email AS review_email, o.email_hash \
             FROM cases c LEFT JOIN outreach_addresses a ON a.shop_id = c.shop_id \
               AND a.order_id = c.order_id \
             LEFT JOIN orders o ON o.shop_id = c.shop_id AND o.id = c.order_id \
             LEFT JOIN reviews r ON r.shop_id = c.shop_id AND r.id = c.review_id \
             WHERE c.shop_id = ?1 AND c.id = ?2",
        )?
        .first(None)
        .await?)
}

/// The survey answer behind a case, as it stands.
pub async fn survey(
    db: &D1Database,
    shop: &Id,
    order: &str,
) -> Result<Option<CaseSurvey>, ApiError> {
    #[derive(Deserialize)]
    struct Answer {
        nps: Option<u8>,
        csat: Option<u8>,
        comment: Option<String>,
    }
    let row: Option<Answer> = Params::new()
        .text(shop.as_str())
        .text(order)
        .bind(
            db,
            "SELECT nps, csat, comment FROM survey_responses WHERE shop_id = ?1 AND order_id = ?2",
        )?
        .first(None)
        .await?;
    Ok(row.map(|a| CaseSurvey {
        nps: a.nps,
        csat: a.csat,
        comment: a.comment,
    }))
}

/// The case's history, oldest first, with how each answer's email went.
pub async fn history(db: &D1Database, id: &str) -> Result<Vec<CaseEntry>, ApiError> {
    #[derive(Deserialize)]
    struct Line {
        id: i64,
        at: i64,
        actor: String,
        action: String,
        text: Option<String>,
        detail: Option<String>,
        message_id: Option<String>,
        sent_at: Option<i64>,
        failed_at: Option<i64>,
        skipped_at: Option<i64>,
        outcome: Option<String>,
    }
    let lines: Vec<Line> = Params::new()
        .text(id)
        .bind(
            db,
            "SELECT h.id, h.at, h.actor, h.action, h.text, h.detail, h.message_id, m.sent_at, \
             m.failed_at, m.skipped_at, m.outcome FROM case_history h \
             LEFT JOIN outreach_messages m ON m.id = h.message_id \
             WHERE h.case_id = ?1 ORDER BY h.id",
        )?
        .all()
        .await?
        .results()?;
    lines
        .into_iter()
        .map(|l| {
            let state = if l.sent_at.is_some() {
                MessageState::Sent
            } else if l.failed_at.is_some() {
                MessageState::Failed
            } else if l.skipped_at.is_some() {
                MessageState::Skipped
            } else {
                MessageState::Scheduled
            };
            Ok(CaseEntry {
                id: l.id,
                at: l.at,
                actor: l.actor,
                action: CaseAction::parse(&l.action)
                    .ok_or_else(|| ApiError::Internal(format!("case action {}", l.action)))?,
                text: l.text,
                detail: l
                    .detail
                    .as_deref()
                    .map(serde_json::from_str)
                    .transpose()
                    .map_err(|e| ApiError::Internal(e.to_string()))?,
                email: l.message_id.map(|_| AnswerEmail {
                    state,
                    // A message in flight says nothing yet.
                    outcome: l.outcome.filter(|o| o != "sending"),
                }),
            })
        })
        .collect()
}

/// A history line of case `case` by `actor`.
struct Line<'a> {
    case: &'a str,
    actor: &'a str,
    action: CaseAction,
    text: Option<&'a str>,
    detail: Option<&'a str>,
}

/// Writes `line`, only if the statement before it changed a row.
fn line_if_changed(
    db: &D1Database,
    shop: &Id,
    line: Line<'_>,
    now: i64,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(line.case)
        .text(shop.as_str())
        .int(now)
        .text(line.actor)
        .text(line.action.as_str())
        .opt_text(line.text)
        .opt_text(line.detail)
        .bind(
            db,
            "INSERT INTO case_history (case_id, shop_id, at, actor, action, text, detail) \
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE changes() > 0",
        )
}

/// The statements of a merchant's change to case `id`, each followed by its history line.
pub fn update(
    db: &D1Database,
    shop: &Id,
    id: &str,
    change: &ValidCaseUpdate,
    actor: &str,
    now: i64,
) -> Result<Vec<D1PreparedStatement>, ApiError> {
    let mut batch = Vec::new();
    if let Some(owner) = &change.owner {
        batch.push(
            Params::new()
                .text(shop.as_str())
                .text(id)
                .opt_text(owner.as_deref())
                .int(now)
                .bind(
                    db,
                    "UPDATE cases SET owner = ?3, updated_at = ?4 \
                     WHERE shop_id = ?1 AND id = ?2 AND owner IS NOT ?3",
                )?,
        );
        batch.push(line_if_changed(
            db,
            shop,
            Line {
                case: id,
                actor,
                action: CaseAction::Owner,
                text: Some(owner.as_deref().unwrap_or("")),
                detail: None,
            },
            now,
        )?);
    }
    if let Some(state) = change.state {
        // Out of `open` is a response; back to `open` (from a resolved case too) clears the
        // resolution, unless another unresolved case holds the same subject and cause.
        batch.push(
            Params::new()
                .text(shop.as_str())
                .text(id)
                .text(state.as_str())
                .int(now)
                .bind(
                    db,
                    "UPDATE cases SET state = ?3, updated_at = ?4, \
                     first_response_at = CASE WHEN ?3 != 'open' \
                       THEN COALESCE(first_response_at, ?4) ELSE first_response_at END, \
                     resolved_at = NULL, resolution_category = NULL, resolution = NULL \
                     WHERE shop_id = ?1 AND id = ?2 AND state != ?3 \
                     AND NOT EXISTS (SELECT 1 FROM cases o WHERE o.shop_id = ?1 AND o.id != ?2 \
                       AND o.subject = cases.subject AND o.cause = cases.cause \
                       AND o.state != 'resolved')",
                )?,
        );
        let detail = serde_json::json!({ "state": state }).to_string();
        batch.push(line_if_changed(
            db,
            shop,
            Line {
                case: id,
                actor,
                action: CaseAction::State,
                text: None,
                detail: Some(&detail),
            },
            now,
        )?);
    }
    if let Some(resolution) = &change.resolution {
        batch.push(
            Params::new()
                .text(shop.as_str())
                .text(id)
                .text(resolution.category.as_str())
                .opt_text(resolution.text.as_deref())
                .int(now)
                .bind(
                    db,
                    "UPDATE cases SET state = 'resolved', resolved_at = COALESCE(resolved_at, ?5), \
                     first_response_at = COALESCE(first_response_at, ?5), \
                     resolution_category = ?3, resolution = ?4, updated_at = ?5 \
                     WHERE shop_id = ?1 AND id = ?2 AND (state != 'resolved' \
                       OR resolution_category IS NOT ?3 OR resolution IS NOT ?4)",
                )?,
        );
        let detail = serde_json::json!({ "category": resolution.category }).to_string();
        batch.push(line_if_changed(
            db,
            shop,
            Line {
                case: id,
                actor,
                action: CaseAction::Resolved,
                text: resolution.text.as_deref(),
                detail: Some(&detail),
            },
            now,
        )?);
    }
    Ok(batch)
}

/// An internal note.
pub fn note(
    db: &D1Database,
    shop: &Id,
    id: &str,
    actor: &str,
    text: &str,
    now: i64,
) -> Result<Vec<D1PreparedStatement>, ApiError> {
    Ok(vec![
        Params::new().text(shop.as_str()).text(id).int(now).bind(
            db,
            "UPDATE cases SET updated_at = ?3 WHERE shop_id = ?1 AND id = ?2",
        )?,
        line_if_changed(
            db,
            shop,
            Line {
                case: id,
                actor,
                action: CaseAction::Note,
                text: Some(text),
                detail: None,
            },
            now,
        )?,
    ])
}

/// An answer to the shopper: by email as message `message_id` (to `address_key`) when
/// `by_email` and the shop sends, written in the history, and the case's first response if it
/// had none; an open case waits for the shopper next.
#[allow(clippy::too_many_arguments)]
pub fn answer(
    db: &D1Database,
    shop: &Id,
    id: &str,
    actor: &str,
    text: &str,
    email: Option<(&str, &str)>,
    reply: bool,
    now: i64,
) -> Result<Vec<D1PreparedStatement>, ApiError> {
    let mut batch = Vec::new();
    if let Some((message_id, address_key)) = email {
        batch.push(
            Params::new()
                .text(message_id)
                .text(shop.as_str())
                .text(id)
                .text(MessageKind::CaseAnswer.as_str())
                .text(address_key)
                .int(now)
                .bind(
                    db,
                    "INSERT INTO outreach_messages (id, shop_id, case_id, kind, address_key, \
                     due_at, created_at) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?6 \
                     FROM outreach_settings s WHERE s.shop_id = ?2 \
                     AND json_extract(s.settings, '$.sending')",
                )?,
        );
    }
    let detail = serde_json::json!({
        "email": email.is_some(),
        "reply": reply,
    })
    .to_string();
    batch.push(
        Params::new()
            .text(id)
            .text(shop.as_str())
            .int(now)
            .text(actor)
            .text(text)
            .text(&detail)
            .opt_text(email.map(|(message_id, _)| message_id))
            .bind(
                db,
                "INSERT INTO case_history (case_id, shop_id, at, actor, action, text, detail, \
                 message_id) SELECT ?1, ?2, ?3, ?4, 'answer', ?5, \
                 json_set(?6, '$.email', json(CASE WHEN m.id IS NULL THEN 'false' ELSE 'true' END)), \
                 m.id FROM (SELECT 1) LEFT JOIN outreach_messages m ON m.id = ?7",
            )?,
    );
    batch.push(Params::new().text(shop.as_str()).text(id).int(now).bind(
        db,
        "UPDATE cases SET updated_at = ?3, first_response_at = COALESCE(first_response_at, ?3), \
                 state = CASE WHEN state = 'open' THEN 'waiting' ELSE state END \
                 WHERE shop_id = ?1 AND id = ?2",
    )?);
    Ok(batch)
}

/// The times of the cases opened in `[from, to)`, for the report.
pub async fn times(
    db: &D1Database,
    shop: &Id,
    from: i64,
    to: i64,
) -> Result<Vec<CaseTimes>, ApiError> {
    Ok(Params::new()
        .text(shop.as_str())
        .int(from)
        .int(to)
        .bind(
            db,
            "SELECT opened_at, first_response_at, resolved_at FROM cases \
             WHERE shop_id = ?1 AND opened_at >= ?2 AND opened_at < ?3",
        )?
        .all()
        .await?
        .results()?)
}

/// A parcel with no news for its shop's `stuck_after_days`.
#[derive(Debug, Deserialize)]
pub struct Stuck {
    pub shop_id: String,
    pub order_id: String,
    pub shipment_id: String,
    pub carrier: String,
    /// Its last event's time, or the order's placing when it has none.
    pub last_activity_at: i64,
    pub days: i64,
}

/// How far back the look for stuck parcels reaches, by the order's placing.
pub const STUCK_HORIZON_MS: i64 = 60 * 86_400_000;

/// Up to `limit` parcels of orders placed within [`STUCK_HORIZON_MS`], not delivered, returned
/// or cancelled, silent for their shop's days and not yet signalled for this silence: the
/// longest silent first.
pub async fn stuck(db: &D1Database, now: i64, limit: u32) -> Result<Vec<Stuck>, ApiError> {
    Ok(Params::new()
        .int(now)
        .int(i64::from(limit))
        .int(i64::from(memnun_protocol::cases::STUCK_DAYS_DEFAULT))
        .int(now - STUCK_HORIZON_MS)
        .bind(
            db,
            "SELECT t.* FROM (SELECT o.shop_id, o.id AS order_id, s.id AS shipment_id, s.carrier, \
               COALESCE((SELECT MAX(e.time) FROM shipment_events e WHERE e.shop_id = s.shop_id \
                 AND e.order_id = s.order_id AND e.shipment_id = s.id), o.placed_at) \
                 AS last_activity_at, \
               COALESCE((SELECT json_extract(cs.settings, '$.stuck_after_days') \
                 FROM case_settings cs WHERE cs.shop_id = o.shop_id), ?3) AS days \
             FROM orders o JOIN shipments s ON s.shop_id = o.shop_id AND s.order_id = o.id \
             WHERE o.delivered_at IS NULL AND o.cancelled_at IS NULL AND o.placed_at >= ?4 \
             AND NOT EXISTS (SELECT 1 FROM shipment_events e WHERE e.shop_id = s.shop_id \
               AND e.order_id = s.order_id AND e.shipment_id = s.id \
               AND e.status IN ('delivered', 'returned', 'cancelled'))) t \
             WHERE t.last_activity_at <= ?1 - t.days * 86400000 \
             AND NOT EXISTS (SELECT 1 FROM case_history h WHERE h.shop_id = t.shop_id \
               AND h.signal_key = 'shipment:' || t.order_id || ':' || t.shipment_id \
                 || ':stuck:' || t.last_activity_at) \
             ORDER BY t.last_activity_at LIMIT ?2",
        )?
        .all()
        .await?
        .results()?)
}
