//! Product questions and their answers (`questions`), and the votes on answers
//! (`question_votes`). The rules this module keeps: a question is shown only while it is
//! `published`, which only an answer makes it; `search_text` is always the question and its
//! answer folded (`questions::search_fold`), written with every change of either; the helpful
//! count is recounted from the votes in the batch that changes them, counting distinct clients
//! (a browser id is anyone's to make up), as for reviews.

use super::Params;
use crate::platform::error::ApiError;
use memnun_protocol::Id;
use memnun_protocol::questions::{
    Answer, MerchantQuestion, Question, QuestionCursor, QuestionStatus,
};
use serde::Deserialize;
use worker::{D1Database, D1PreparedStatement, D1Result};

/// Recounts the helpful counts of the answers the shopper voted on, leaving their votes out
/// (the erasure's parameters, `shoppers::ShopperKeys::bind`: ?1 the shop, ?5 the voter key).
pub const RECOUNT_WITHOUT_VOTER: &str = "UPDATE questions SET helpful_count = \
     (SELECT COUNT(DISTINCT v.client_hash) FROM question_votes v \
      WHERE v.question_id = questions.id AND v.voter_key != ?5) \
     WHERE shop_id = ?1 AND id IN (SELECT question_id FROM question_votes \
      WHERE shop_id = ?1 AND voter_key = ?5 AND ?5 != '')";

/// A question as it is stored when asked.
pub struct Asked<'a> {
    pub id: &'a str,
    pub product: &'a str,
    pub body: &'a str,
    pub author: &'a str,
    pub email: Option<&'a str>,
    pub locale: Option<&'a str>,
    pub shopper_key: &'a str,
    pub client: &'a str,
    pub body_hash: &'a str,
    pub hold_reason: Option<&'a str>,
    pub search_text: &'a str,
}

pub fn insert(
    db: &D1Database,
    shop: &Id,
    q: &Asked<'_>,
    now: i64,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(q.id)
        .text(shop.as_str())
        .text(q.product)
        .text(q.body)
        .text(q.author)
        .opt_text(q.email)
        .opt_text(q.locale)
        .text(q.shopper_key)
        .text(q.client)
        .text(q.body_hash)
        .opt_text(q.hold_reason)
        .text(q.search_text)
        .int(now)
        .bind(
            db,
            "INSERT INTO questions (id, shop_id, product_id, body, author, email, locale, \
             shopper_key, client_hash, body_hash, hold_reason, search_text, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )
}

/// The statement that reads the shop's policy (`NULL` when it has never set one) and whether the
/// same words were asked about the product since `since`: one row, in the shape
/// `reviews::policy_and_duplicate_of` reads.
pub fn policy_and_duplicate(
    db: &D1Database,
    shop: &Id,
    product: &str,
    body_hash: &str,
    since: i64,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(shop.as_str())
        .text(product)
        .text(body_hash)
        .int(since)
        .bind(
            db,
            "SELECT (SELECT policy FROM moderation_policies WHERE shop_id = ?1) AS policy, \
             (SELECT 1 FROM questions WHERE shop_id = ?1 AND product_id = ?2 AND body_hash = ?3 \
              AND created_at > ?4 LIMIT 1) AS duplicate",
        )
}

#[derive(Deserialize)]
struct Row {
    id: String,
    product_id: String,
    body: String,
    author: String,
    locale: Option<String>,
    created_at: i64,
    answer_body: Option<String>,
    answered_at: Option<i64>,
    helpful_count: u32,
    #[serde(default)]
    status: String,
    #[serde(default)]
    hold_reason: Option<String>,
    #[serde(default)]
    email: Option<String>,
}

/// What shoppers see of a question: no address, no status, no hold reason.
const PUBLIC_COLUMNS: &str = "id, product_id, body, author, locale, created_at, answer_body, \
     answered_at, helpful_count";
const COLUMNS: &str = "id, product_id, body, author, locale, created_at, answer_body, \
     answered_at, helpful_count, status, hold_reason, email";

impl Row {
    fn answer(&self) -> Option<Answer> {
        Some(Answer {
            body: self.answer_body.clone()?,
            created_at: self.answered_at.unwrap_or(self.created_at),
        })
    }

    fn public(self) -> Option<Question> {
        Some(Question {
            answer: self.answer()?,
            id: self.id,
            product: self.product_id,
            body: self.body,
            author: self.author,
            locale: self.locale,
            created_at: self.created_at,
            helpful: self.helpful_count,
        })
    }

    fn merchant(self) -> MerchantQuestion {
        MerchantQuestion {
            answer: self.answer(),
            status: QuestionStatus::parse(&self.status).unwrap_or(QuestionStatus::Pending),
            notify: self.email.is_some(),
            id: self.id,
            product: self.product_id,
            body: self.body,
            author: self.author,
            locale: self.locale,
            created_at: self.created_at,
            hold_reason: self.hold_reason,
            helpful: self.helpful_count,
        }
    }
}

/// The two statements of a public list of `product`'s answered questions: how many match, and
/// `rows` of them newest first after `after`, each holding every word of `words` (folded) in
/// the question or its answer.
pub fn shown(
    db: &D1Database,
    shop: &Id,
    product: &Id,
    words: &[String],
    rows: u32,
    after: Option<&QuestionCursor>,
) -> worker::Result<[D1PreparedStatement; 2]> {
    let mut params = Params::new()
        .text(shop.as_str())
        .text(product.as_str())
        .int(i64::from(rows));
    let mut filter = String::from("shop_id = ?1 AND product_id = ?2 AND status = 'published'");
    for word in words {
        params = params.text(word);
        // A scan of one product's answered questions: a handful, rarely hundreds.
        filter.push_str(&format!(" AND instr(search_text, ?{}) > 0", params.len()));
    }
    let count = Params::new().extend(params.clone()).bind(
        db,
        &format!("SELECT COUNT(*) AS n, ?3 AS rows FROM questions WHERE {filter}"),
    )?;
    let mut page = filter;
    if let Some(c) = after {
        params = params.int(c.created_at).text(&c.id);
        let (t, i) = (params.len() - 1, params.len());
        page.push_str(&format!(
            " AND (created_at < ?{t} OR (created_at = ?{t} AND id < ?{i}))"
        ));
    }
    let page = params.bind(
        db,
        &format!(
            "SELECT {PUBLIC_COLUMNS} FROM questions WHERE {page} \
             ORDER BY created_at DESC, id DESC LIMIT ?3"
        ),
    )?;
    Ok([count, page])
}

/// What [`shown`]'s statements read: the count, and the page.
pub fn shown_of(count: &D1Result, page: &D1Result) -> Result<(u32, Vec<Question>), ApiError> {
    #[derive(Deserialize)]
    struct Count {
        n: u32,
    }
    let n = count
        .results::<Count>()?
        .into_iter()
        .next()
        .map_or(0, |c| c.n);
    let questions = page
        .results::<Row>()?
        .into_iter()
        .filter_map(Row::public)
        .collect();
    Ok((n, questions))
}

/// The merchant's list: newest first, of one status and product or of all.
pub async fn for_merchant(
    db: &D1Database,
    shop: &Id,
    status: Option<QuestionStatus>,
    product: Option<&Id>,
    rows: u32,
    after: Option<&QuestionCursor>,
) -> Result<Vec<MerchantQuestion>, ApiError> {
    let mut params = Params::new().text(shop.as_str()).int(i64::from(rows));
    let mut sql = format!("SELECT {COLUMNS} FROM questions WHERE shop_id = ?1");
    if let Some(status) = status {
        params = params.text(status.as_str());
        sql.push_str(&format!(" AND status = ?{}", params.len()));
    }
    if let Some(product) = product {
        params = params.text(product.as_str());
        sql.push_str(&format!(" AND product_id = ?{}", params.len()));
    }
    if let Some(c) = after {
        params = params.int(c.created_at).text(&c.id);
        let (t, i) = (params.len() - 1, params.len());
        sql.push_str(&format!(
            " AND (created_at < ?{t} OR (created_at = ?{t} AND id < ?{i}))"
        ));
    }
    sql.push_str(" ORDER BY created_at DESC, id DESC LIMIT ?2");
    let rows: Vec<Row> = params.bind(db, &sql)?.all().await?.results()?;
    Ok(rows.into_iter().map(Row::merchant).collect())
}

/// One question as the merchant sees it, with the address its author left (for the answer's
/// email; never sent to the merchant's screen).
pub async fn get(
    db: &D1Database,
    shop: &Id,
    id: &str,
) -> Result<Option<(MerchantQuestion, Option<String>)>, ApiError> {
    let row: Option<Row> = Params::new()
        .text(shop.as_str())
        .text(id)
        .bind(
            db,
            &format!("SELECT {COLUMNS} FROM questions WHERE shop_id = ?1 AND id = ?2"),
        )?
        .first(None)
        .await?;
    Ok(row.map(|r| {
        let email = r.email.clone();
        (r.merchant(), email)
    }))
}

/// Answers the question (or changes its answer) and shows it; `search_text` is the question
/// and the answer folded. A rejected question stays rejected: the statement changes no row,
/// and answers no id (a reject that came between the handler's read and this batch).
pub fn set_answer(
    db: &D1Database,
    shop: &Id,
    id: &str,
    answer: &str,
    search_text: &str,
    now: i64,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(shop.as_str())
        .text(id)
        .text(answer)
        .text(search_text)
        .int(now)
        .bind(
            db,
            "UPDATE questions SET status = 'published', answer_body = ?3, answered_at = ?5, \
             search_text = ?4 WHERE shop_id = ?1 AND id = ?2 AND status != 'rejected' \
             RETURNING id",
        )
}

/// Keeps the question out for good, with the answer's email if one was waiting.
pub fn reject(db: &D1Database, shop: &Id, id: &str) -> worker::Result<Vec<D1PreparedStatement>> {
    Ok(vec![
        Params::new().text(shop.as_str()).text(id).bind(
            db,
            "UPDATE questions SET status = 'rejected' WHERE shop_id = ?1 AND id = ?2",
        )?,
        Params::new().text(shop.as_str()).text(id).bind(
            db,
            "DELETE FROM outreach_messages WHERE shop_id = ?1 AND question_id = ?2 \
             AND sent_at IS NULL AND failed_at IS NULL AND skipped_at IS NULL",
        )?,
    ])
}

/// Whether `id` is an answered question of `shop` (what shoppers can vote on).
pub async fn is_shown(db: &D1Database, shop: &Id, id: &str) -> worker::Result<bool> {
    let found: Option<serde_json::Value> = Params::new()
        .text(shop.as_str())
        .text(id)
        .bind(
            db,
            "SELECT 1 AS shown FROM questions WHERE shop_id = ?1 AND id = ?2 \
             AND status = 'published'",
        )?
        .first(None)
        .await?;
    Ok(found.is_some())
}

/// Stores the vote of the browser `voter_key` (once per browser) and answers the helpful count
/// with it, in one batch.
pub async fn vote(
    db: &D1Database,
    shop: &Id,
    question: &str,
    voter_key: &str,
    client: &str,
    now: i64,
) -> Result<u32, ApiError> {
    #[derive(Deserialize)]
    struct Count {
        helpful_count: u32,
    }
    let [_, counted] = crate::platform::http::batch(
        db,
        vec![
            Params::new()
                .text(shop.as_str())
                .text(question)
                .text(voter_key)
                .text(client)
                .int(now)
                .bind(
                    db,
                    "INSERT OR IGNORE INTO question_votes (shop_id, question_id, voter_key, \
                     client_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                )?,
            Params::new().text(shop.as_str()).text(question).bind(
                db,
                "UPDATE questions SET helpful_count = \
                 (SELECT COUNT(DISTINCT client_hash) FROM question_votes \
                  WHERE shop_id = ?1 AND question_id = ?2) \
                 WHERE shop_id = ?1 AND id = ?2 RETURNING helpful_count",
            )?,
        ],
    )
    .await?;
    counted
        .results::<Count>()?
        .first()
        .map(|c| c.helpful_count)
        .ok_or_else(|| ApiError::Internal("vote count answered no row".into()))
}

/// The statement that plans the answer notice `id` for `question`, to its author's address
/// (hashed: `address_key`), due at `due_at`: if the shop sends messages and answer notices, and
/// the author left an address, and the question is shown (run after [`set_answer`] in its
/// batch: a question rejected meanwhile gets none). Planned once per question: an answer
/// changed later is not sent
/// again (the message says the answer as it stands when it goes).
pub fn plan_answer_notice(
    db: &D1Database,
    id: &str,
    shop: &Id,
    question: &str,
    address_key: &str,
    due_at: i64,
    now: i64,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(id)
        .text(shop.as_str())
        .text(question)
        .text(memnun_protocol::outreach::MessageKind::AnswerNotice.as_str())
        .text(address_key)
        .int(due_at)
        .int(now)
        .bind(
            db,
            "INSERT OR IGNORE INTO outreach_messages (id, shop_id, question_id, kind, \
             address_key, due_at, created_at) \
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 FROM outreach_settings s JOIN questions q \
             ON q.shop_id = s.shop_id AND q.id = ?3 \
             WHERE s.shop_id = ?2 AND json_extract(s.settings, '$.sending') \
             AND COALESCE(json_extract(s.settings, '$.answer_notice.on'), 1) \
             AND q.email IS NOT NULL AND q.status = 'published'",
        )
}
