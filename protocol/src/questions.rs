//! Questions and answers about a product: a shopper asks (`NewQuestion`), the merchant answers
//! (`AnswerUpdate`), and the answered questions are listed on the product page under the
//! reviews (`QuestionPage`), searchable, with "Did this help?" votes counted as review votes are.
//!
//! A question is never shown before the merchant answers it: every question waits in the
//! merchant's queue (`pending`), answering publishes it, rejecting keeps it out for good. The
//! spam rules of reviews apply as they can to a text without a rating (the honeypot, the fill
//! time, the block lists, the same text twice): what they find is the question's
//! `hold_reason`, shown to the merchant, who decides.

use crate::api::query::{Bounded, Cursor, FromCursor, IdParam};
use crate::ids::Id;
use crate::review::{Locale, MIN_FILL_MS, email_field, locale_field, product_field, text_field};
use crate::text::{FieldErrors, TextRule};
use serde::{Deserialize, Serialize};

pub const BODY_RULE: TextRule = TextRule {
    required: true,
    max_chars: 1000,
    multiline: true,
};
pub const AUTHOR_RULE: TextRule = TextRule {
    required: true,
    max_chars: 50,
    multiline: false,
};
/// The merchant's answer.
pub const ANSWER_RULE: TextRule = TextRule {
    required: true,
    max_chars: 3000,
    multiline: true,
};

/// The largest request body `POST /v1/shops/{shop}/questions` reads (413 beyond, before parsing).
pub const MAX_REQUEST_BYTES: usize = 8 * 1024;
/// The answered questions the review list carries with its first page (`ReviewListing`), so
/// the product page shows them without a request of their own.
pub const PREVIEW: u32 = 3;
/// Questions on a page when the client does not say; and the most it may ask for.
pub const PAGE_SIZE_DEFAULT: u32 = 10;
pub const PAGE_SIZE_MAX: u32 = 50;
/// The words of a search that count; more are ignored.
pub const SEARCH_MAX_WORDS: usize = 6;
pub const SEARCH_MAX_CHARS: usize = 100;

/// A question as a shopper sends it. Every field is optional on the wire so that a missing one is
/// reported as `required` (422), not as malformed JSON (400).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct NewQuestion {
    #[serde(default)]
    pub product: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
    /// The name shown with the question.
    #[serde(default)]
    pub author: Option<String>,
    /// To be told of the answer (an `answer_notice` message, when the shop sends messages).
    /// Never shown and never returned by a public endpoint.
    #[serde(default)]
    pub email: Option<String>,
    /// The language the question is written in (`tr` or `en`); the answer's email is in it.
    #[serde(default)]
    pub locale: Option<String>,
    /// The honeypot, as on reviews. Not stored.
    #[serde(default)]
    pub website: Option<String>,
    /// Milliseconds between the form's display and its submit. Not stored.
    #[serde(default)]
    pub fill_ms: Option<i64>,
}

/// A question that passed every rule.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidQuestion {
    pub product: Id,
    pub body: String,
    pub author: String,
    pub email: Option<String>,
    pub locale: Option<String>,
}

impl NewQuestion {
    /// Sent by a bot: the honeypot filled in, or sent faster than a person types.
    pub fn is_bot(&self) -> bool {
        self.website.as_deref().is_some_and(|w| !w.is_empty())
            || self.fill_ms.is_none_or(|ms| ms < MIN_FILL_MS)
    }

    /// Applies every rule, reporting all problems at once. On the edge the text must already be
    /// NFC-normalised ([`NewQuestion::normalized`]).
    pub fn validate(&self) -> Result<ValidQuestion, FieldErrors> {
        let mut errors = FieldErrors::default();
        let product = product_field(&mut errors, self.product.as_deref());
        let body = text_field(&mut errors, "body", BODY_RULE, &self.body);
        let author = text_field(&mut errors, "author", AUTHOR_RULE, &self.author);
        let email = email_field(&mut errors, self.email.as_deref());
        let locale = locale_field(&mut errors, self.locale.as_deref());
        match product {
            Some(product) if errors.is_empty() => Ok(ValidQuestion {
                product,
                body,
                author,
                email,
                locale,
            }),
            _ => Err(errors),
        }
    }

    /// The same question with its text NFC-normalised, as the edge checks and stores it.
    #[cfg(feature = "normalize")]
    pub fn normalized(&self) -> NewQuestion {
        use crate::text::normalize;
        let n = |v: &Option<String>| v.as_deref().map(normalize);
        NewQuestion {
            body: n(&self.body),
            author: n(&self.author),
            email: n(&self.email),
            ..self.clone()
        }
    }
}

/// Where a question stands: waiting for the merchant, answered and shown, or kept out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum QuestionStatus {
    Pending,
    Published,
    Rejected,
}

impl QuestionStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            QuestionStatus::Pending => "pending",
            QuestionStatus::Published => "published",
            QuestionStatus::Rejected => "rejected",
        }
    }

    pub fn parse(raw: &str) -> Option<QuestionStatus> {
        [
            QuestionStatus::Pending,
            QuestionStatus::Published,
            QuestionStatus::Rejected,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }
}

/// The answer to `POST /v1/shops/{shop}/questions` (201): the question waits for the merchant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct QuestionReceived {
    pub id: String,
    pub status: QuestionStatus,
}

/// The merchant's answer, as shoppers see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Answer {
    pub body: String,
    /// Unix time in milliseconds of its last change.
    pub created_at: i64,
}

/// An answered question, as public endpoints show it: no email, nothing but the name the
/// shopper chose to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Question {
    pub id: String,
    pub product: String,
    pub body: String,
    pub author: String,
    pub locale: Option<String>,
    /// Unix time in milliseconds.
    pub created_at: i64,
    pub answer: Answer,
    /// How many shoppers found the answer helpful (distinct clients, as for reviews).
    pub helpful: u32,
}

/// A page of a product's answered questions, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct QuestionPage {
    /// How many answered questions the product has (matching `q`, when searched).
    pub count: u32,
    pub questions: Vec<Question>,
    /// Pass as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}

/// `GET /v1/shops/{shop}/products/{product}/questions`.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct QuestionListQuery {
    pub limit: Bounded<PAGE_SIZE_MAX>,
    /// The `next_cursor` of the page before (with the same `q`).
    pub cursor: Option<Cursor<QuestionCursor>>,
    /// Words the question or its answer holds, all of them, in any case (1-100 characters; the
    /// first six words count).
    pub q: Option<String>,
}

impl Default for QuestionListQuery {
    fn default() -> Self {
        QuestionListQuery {
            limit: Bounded(PAGE_SIZE_DEFAULT),
            cursor: None,
            q: None,
        }
    }
}

/// A review list's answer (`GET …/products/{product}/reviews`): the page of reviews, and with
/// the first page, the product's newest answered questions ([`PREVIEW`] of them) while the shop
/// takes questions, so the product page shows them without a request of their own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ReviewListing {
    #[serde(flatten)]
    pub page: crate::ReviewPage,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub questions: Option<QuestionPage>,
}

/// Question ids are minted by the edge: `q` followed by 24 lowercase hex digits.
pub fn is_question_id(id: &str) -> bool {
    id.len() == 25
        && id.starts_with('q')
        && id[1..]
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A question-list cursor: after the question with this time and id, newest first.
pub fn encode_cursor(created_at: i64, id: &str) -> String {
    format!("{created_at}.{id}")
}

/// Where a list of questions goes on: after the question with this time and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionCursor {
    pub created_at: i64,
    pub id: String,
}

impl FromCursor for QuestionCursor {
    fn from_cursor(raw: &str) -> Option<Self> {
        let (time, id) = raw.split_once('.')?;
        let ok = !time.is_empty()
            && time.len() <= 16
            && time.bytes().all(|b| b.is_ascii_digit())
            && is_question_id(id);
        ok.then(|| {
            Some(QuestionCursor {
                created_at: time.parse().ok()?,
                id: id.to_owned(),
            })
        })?
    }
}

/// Text as searches compare it: lower case, with the Turkish `ı`, `I` and `İ` all read as `i`
/// (a shopper types "kilif" for "kılıf", or "KILIF"), and the combining dot left over from
/// lower-casing `İ` dropped. The same on the stored text and on the words searched for.
pub fn search_fold(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .filter(|c| *c != '\u{307}')
        .map(|c| if c == 'ı' { 'i' } else { c })
        .collect()
}

/// The words of a search, folded ([`search_fold`]): `None` when it is empty, too long or holds
/// control characters.
pub fn search_words(q: &str) -> Option<Vec<String>> {
    let chars = q.chars().count();
    if chars == 0 || chars > SEARCH_MAX_CHARS || q.chars().any(char::is_control) {
        return None;
    }
    let words: Vec<String> = search_fold(q)
        .split_whitespace()
        .take(SEARCH_MAX_WORDS)
        .map(str::to_owned)
        .collect();
    (!words.is_empty()).then_some(words)
}

/// The body of `PUT /v1/admin/questions/{question}/answer`: the answer's words. Answering
/// publishes the question; answering again changes the words.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct AnswerUpdate {
    #[serde(default)]
    pub body: Option<String>,
}

impl AnswerUpdate {
    pub fn validate(&self) -> Result<String, FieldErrors> {
        let value = self.body.as_deref().unwrap_or("");
        ANSWER_RULE
            .check(value)
            .map(|()| value.to_owned())
            .map_err(|problem| {
                let mut errors = FieldErrors::default();
                errors.push("body", problem);
                errors
            })
    }
}

/// A question as the merchant sees it: with its status, what the spam rules found, and whether
/// its author asked to be told of the answer (the address itself stays out of lists).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct MerchantQuestion {
    pub id: String,
    pub product: String,
    pub body: String,
    pub author: String,
    pub locale: Option<String>,
    pub created_at: i64,
    pub status: QuestionStatus,
    /// What held it beyond the rule that every question waits: `blocked_word` or `duplicate`.
    pub hold_reason: Option<String>,
    pub answer: Option<Answer>,
    pub helpful: u32,
    /// The author left an email to hear of the answer.
    pub notify: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct MerchantQuestionPage {
    pub questions: Vec<MerchantQuestion>,
    pub next_cursor: Option<String>,
}

/// `GET /v1/admin/questions`: newest first, of one status and product or of all.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct MerchantQuestionQuery {
    pub status: Option<QuestionStatus>,
    pub product: Option<IdParam>,
    pub limit: Bounded<PAGE_SIZE_MAX>,
    pub cursor: Option<Cursor<QuestionCursor>>,
}

impl Default for MerchantQuestionQuery {
    fn default() -> Self {
        MerchantQuestionQuery {
            status: None,
            product: None,
            limit: Bounded(PAGE_SIZE_DEFAULT),
            cursor: None,
        }
    }
}

/// The language of an answer's email: the question's, else the shop's.
pub fn locale_of(question: Option<&str>) -> Option<Locale> {
    match question {
        Some("tr") => Some(Locale::Tr),
        Some("en") => Some(Locale::En),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asked() -> NewQuestion {
        NewQuestion {
            product: Some("cezve-04".into()),
            body: Some("Does it work on an induction hob?".into()),
            author: Some("Ayşe".into()),
            email: None,
            locale: Some("en".into()),
            website: None,
            fill_ms: Some(8_000),
        }
    }

    #[test]
    fn a_question_needs_a_product_words_and_a_name() {
        assert!(asked().validate().is_ok());
        let errors = NewQuestion::default().validate().unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["product", "body", "author"]);
        let long = NewQuestion {
            body: Some("a".repeat(1001)),
            email: Some("not an email".into()),
            locale: Some("de".into()),
            ..asked()
        };
        let fields: Vec<&str> = long
            .validate()
            .unwrap_err()
            .0
            .iter()
            .map(|(f, _)| *f)
            .collect();
        assert_eq!(fields, ["body", "email", "locale"]);
    }

    #[test]
    fn bots_are_told_apart_by_the_honeypot_and_the_time() {
        assert!(!asked().is_bot());
        assert!(
            NewQuestion {
                website: Some("x".into()),
                ..asked()
            }
            .is_bot()
        );
        assert!(
            NewQuestion {
                fill_ms: Some(500),
                ..asked()
            }
            .is_bot()
        );
        assert!(
            NewQuestion {
                fill_ms: None,
                ..asked()
            }
            .is_bot()
        );
    }

    #[test]
    fn searches_fold_turkish_i_and_case() {
        assert_eq!(search_fold("KILIF İnce ılık"), "kilif ince ilik");
        assert_eq!(
            search_words("  Kılıf   indüksiyon "),
            Some(vec!["kilif".to_owned(), "indüksiyon".to_owned()])
        );
        assert_eq!(search_words(""), None);
        assert_eq!(search_words("   "), None);
        assert_eq!(search_words("a\u{0}b"), None);
        assert_eq!(search_words(&"a".repeat(101)), None);
        assert_eq!(search_words("a b c d e f g h").unwrap().len(), 6);
    }

    #[test]
    fn cursors_and_ids() {
        let id = format!("q{}", "0a".repeat(12));
        assert!(is_question_id(&id));
        assert!(!is_question_id(&format!("r{}", "0a".repeat(12))));
        let cursor = encode_cursor(1_700_000_000_000, &id);
        let decoded = QuestionCursor::from_cursor(&cursor).unwrap();
        assert_eq!((decoded.created_at, decoded.id), (1_700_000_000_000, id));
        assert_eq!(QuestionCursor::from_cursor("1.x"), None);
        assert_eq!(
            QuestionCursor::from_cursor(&format!("1.r{}", "0a".repeat(12))),
            None
        );
    }

    #[test]
    fn an_answer_has_words() {
        assert!(
            AnswerUpdate {
                body: Some("Yes.".into())
            }
            .validate()
            .is_ok()
        );
        assert!(AnswerUpdate { body: None }.validate().is_err());
        assert!(
            AnswerUpdate {
                body: Some("a".repeat(3001))
            }
            .validate()
            .is_err()
        );
    }
}
