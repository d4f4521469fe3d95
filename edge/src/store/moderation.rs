//! The moderation policy each shop sets (`moderation_policies`, the policy as JSON) and the audit
//! log of what was done to reviews (`moderation_log`). A log line is written in the same batch as
//! the change it records; one that follows a conditional change is written only if that change
//! happened, so the log never claims a decision that lost a race.

use super::Params;
use crate::platform::error::ApiError;
use memnun_protocol::Id;
use memnun_protocol::merchant::{ModerationAction, ModerationLogEntry};
use memnun_protocol::moderation::ModerationPolicy;
use serde::Deserialize;
use worker::{D1Database, D1PreparedStatement, D1Result};

/// Who acts: the name of the API key used, or `system` for the policy itself.
pub struct Actor<'a>(pub &'a str);

const POLICY: super::Document = super::Document {
    table: "moderation_policies",
    column: "policy",
    what: "moderation policy",
};

/// The policy as stored, or the default one when the merchant has never set it.
pub fn parse_policy(stored: Option<&str>) -> Result<ModerationPolicy, ApiError> {
    match stored {
        None => Ok(ModerationPolicy::default()),
        Some(json) => serde_json::from_str(json)
            .map_err(|e| ApiError::Internal(format!("stored policy unreadable: {e}"))),
    }
}

/// The shop's policy, or the default one when the merchant has never set it.
pub async fn policy(db: &D1Database, shop: &Id) -> Result<ModerationPolicy, ApiError> {
    #[derive(Deserialize)]
    struct Row {
        policy: String,
    }
    let row: Option<Row> = Params::new()
        .text(shop.as_str())
        .bind(
            db,
            "SELECT policy FROM moderation_policies WHERE shop_id = ?1",
        )?
        .first(None)
        .await?;
    parse_policy(row.map(|r| r.policy).as_deref())
}

/// Stores `policy` as the shop's, in place of any before it.
pub async fn save_policy(
    db: &D1Database,
    shop: &Id,
    policy: &ModerationPolicy,
    now: i64,
) -> Result<(), ApiError> {
    super::put_document(db, &POLICY, shop, policy, now).await
}

/// The read of whether the shop exists, with its policy; [`shop_policy_of`] reads its result.
pub fn shop_policy(db: &D1Database, shop: &Id) -> worker::Result<D1PreparedStatement> {
    Params::new().text(shop.as_str()).bind(
        db,
        "SELECT p.policy FROM shops s LEFT JOIN moderation_policies p ON p.shop_id = s.id \
         WHERE s.id = ?1",
    )
}

/// The shop's policy, `None` when it has never set one; `NotFound` when there is no such shop.
pub fn shop_policy_of(found: &D1Result) -> Result<Option<ModerationPolicy>, ApiError> {
    #[derive(Deserialize)]
    struct Row {
        policy: Option<String>,
    }
    let row = found
        .results::<Row>()?
        .into_iter()
        .next()
        .ok_or(ApiError::NotFound("shop"))?;
    match row.policy {
        Some(json) => Ok(Some(parse_policy(Some(&json))?)),
        None => Ok(None),
    }
}

/// A line of the audit log: what was done to which review, by whom, and why.
pub struct LogLine<'a> {
    pub review: &'a str,
    pub action: ModerationAction,
    pub actor: &'a Actor<'a>,
    pub reason: Option<&'a str>,
}

/// The statement writing `line`. With `if_changed`, it writes only when the statement just
/// before it in the batch changed a row, so a lost race logs no decision it did not make.
pub fn log_line(
    db: &D1Database,
    shop: &Id,
    line: LogLine,
    now: i64,
    if_changed: bool,
) -> worker::Result<D1PreparedStatement> {
    let LogLine {
        review,
        action,
        actor,
        reason,
    } = line;
    let condition = if if_changed {
        " WHERE changes() > 0"
    } else {
        ""
    };
    Params::new()
        .text(shop.as_str())
        .text(review)
        .text(action.as_str())
        .text(actor.0)
        .opt_text(reason)
        .int(now)
        .bind(
            db,
            &format!(
                "INSERT INTO moderation_log (shop_id, review_id, action, actor, reason, created_at) \
                 SELECT ?1, ?2, ?3, ?4, ?5, ?6{condition}"
            ),
        )
}

/// A condition for the statement right after a [`log_line`] written `if_changed`: that the line
/// was written, so what follows a decision happens only with it (`changes()` is the last
/// statement's).
pub const IF_LOGGED: &str = "changes() > 0";

/// At most `rows` lines of the shop's log, newest first: older than the line `before`, about
/// `review` only when given.
pub async fn log_page(
    db: &D1Database,
    shop: &Id,
    rows: u32,
    before: Option<i64>,
    review: Option<&str>,
) -> worker::Result<Vec<ModerationLogEntry>> {
    let mut sql = String::from(
        "SELECT id, review_id AS review, action, actor, reason, created_at FROM moderation_log \
         WHERE shop_id = ?1",
    );
    let mut params = Params::new().text(shop.as_str()).int(i64::from(rows));
    if let Some(b) = before {
        params = params.int(b);
        sql.push_str(&format!(" AND id < ?{}", params.len()));
    }
    if let Some(r) = review {
        params = params.text(r);
        sql.push_str(&format!(" AND review_id = ?{}", params.len()));
    }
    sql.push_str(" ORDER BY id DESC LIMIT ?2");
    params.bind(db, &sql)?.all().await?.results()
}
