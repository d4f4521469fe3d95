//! Product reviews: what a shopper sends (`NewReview`), what the edge stores and shows
//! (`Review`), the maintained per-product `RatingSummary`, and the cursor-paged `ReviewPage`.
//!
//! Field names are the same in the form, the JSON, the table columns and the docs.

use crate::api::query::Bounded;
use crate::ids::Id;
use crate::text::{FieldErrors, FieldProblem, TextRule, is_plausible_email};
use serde::{Deserialize, Serialize};

pub const RATING_MIN: i64 = 1;
pub const RATING_MAX: i64 = 5;
pub const TITLE_RULE: TextRule = TextRule {
    required: false,
    max_chars: 100,
    multiline: false,
};
pub const BODY_RULE: TextRule = TextRule {
    required: true,
    max_chars: 5000,
    multiline: true,
};
pub const AUTHOR_RULE: TextRule = TextRule {
    required: true,
    max_chars: 50,
    multiline: false,
};
pub const EMAIL_MAX_CHARS: usize = 254;

/// The largest request body `POST /v1/shops/{shop}/reviews` reads; larger ones are refused
/// (413) before parsing. The longest valid review is about 5,500 characters, up to 4 bytes
/// each in UTF-8, and more when escaped in JSON.
pub const MAX_REQUEST_BYTES: usize = 32 * 1024;

/// Reviews per page when the client does not say; and the most it may ask for.
pub const PAGE_SIZE_DEFAULT: u32 = 5;
pub const PAGE_SIZE_MAX: u32 = 50;

/// The languages a review may be written in, and the widgets speak.
pub const LOCALES: [&str; 2] = [Locale::Tr.as_str(), Locale::En.as_str()];

/// The language an answer's texts are chosen in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Locale {
    Tr,
    #[default]
    En,
}

impl Locale {
    pub const fn as_str(self) -> &'static str {
        match self {
            Locale::Tr => "tr",
            Locale::En => "en",
        }
    }
}

/// The least time, in milliseconds, between the form's display and its submit that a person
/// needs to rate and write a review. Faster submits are bots: answered like the honeypot.
pub const MIN_FILL_MS: i64 = 3_000;

/// A review as a shopper submits it. Every field is optional on the wire so that a missing one
/// is reported by [`NewReview::validate`] as `required` (422), not as malformed JSON (400).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct NewReview {
    #[serde(default)]
    pub product: Option<String>,
    #[serde(default)]
    pub rating: Option<i64>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
    /// The name shown with the review.
    #[serde(default)]
    pub author: Option<String>,
    /// Never shown and never returned by a public endpoint.
    #[serde(default)]
    pub email: Option<String>,
    /// The language the review is written in (`tr` or `en`).
    #[serde(default)]
    pub locale: Option<String>,
    /// The honeypot: a field people never see and bots fill in. Not stored.
    #[serde(default)]
    pub website: Option<String>,
    /// Milliseconds between the form's display and its submit (see [`MIN_FILL_MS`]). Not stored.
    #[serde(default)]
    pub fill_ms: Option<i64>,
    /// A `review` token from the shop's review request (email or SMS link): proves the purchase,
    /// so the review is shown as a verified purchase. An invalid token is refused, never ignored.
    #[serde(default)]
    pub token: Option<String>,
    /// A UUID the browser chose for this review's photos: each photo sent to
    /// `POST /v1/shops/{shop}/photos` carries it, before or after the review arrives, and joins
    /// the review it names. Leave it out for a review without photos.
    #[serde(default)]
    pub photo_key: Option<String>,
}

/// A review that passed every rule; `email` is `None` when none was given.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidReview {
    pub product: Id,
    pub rating: u8,
    pub title: String,
    pub body: String,
    pub author: String,
    pub email: Option<String>,
    pub locale: Option<String>,
    /// Lower-case, as photos name it.
    pub photo_key: Option<String>,
}

impl NewReview {
    /// Whether the honeypot was filled in: the edge then answers as if it had stored the review
    /// and stores nothing, so bots learn nothing.
    pub fn is_bot(&self) -> bool {
        self.website.as_deref().is_some_and(|w| !w.is_empty())
            || self.fill_ms.is_none_or(|ms| ms < MIN_FILL_MS)
    }

    /// Applies every rule, reporting all problems at once. On the edge the text fields must
    /// already be NFC-normalised (see [`NewReview::normalized`]).
    pub fn validate(&self) -> Result<ValidReview, FieldErrors> {
        let mut errors = FieldErrors::default();

        let product = product_field(&mut errors, self.product.as_deref());

        let rating = match self.rating {
            None => {
                errors.push("rating", FieldProblem::Required);
                None
            }
            Some(r) if (RATING_MIN..=RATING_MAX).contains(&r) => Some(r as u8),
            Some(_) => {
                errors.push(
                    "rating",
                    FieldProblem::OutOfRange {
                        min: RATING_MIN,
                        max: RATING_MAX,
                    },
                );
                None
            }
        };

        let title = text_field(&mut errors, "title", TITLE_RULE, &self.title);
        let body = text_field(&mut errors, "body", BODY_RULE, &self.body);
        let author = text_field(&mut errors, "author", AUTHOR_RULE, &self.author);

        let email = email_field(&mut errors, self.email.as_deref());
        let locale = locale_field(&mut errors, self.locale.as_deref());

        let photo_key = match self.photo_key.as_deref() {
            None | Some("") => None,
            Some(key) => crate::photos::photo_key(key)
                .map_err(|problem| errors.push("photo_key", problem))
                .ok(),
        };

        match (product, rating) {
            (Some(product), Some(rating)) if errors.is_empty() => Ok(ValidReview {
                product,
                rating,
                title,
                body,
                author,
                email,
                locale,
                photo_key,
            }),
            _ => Err(errors),
        }
    }

    /// The same review with its text NFC-normalised, as the edge checks and stores it.
    #[cfg(feature = "normalize")]
    pub fn normalized(&self) -> NewReview {
        use crate::text::normalize;
        let n = |v: &Option<String>| v.as_deref().map(normalize);
        NewReview {
            title: n(&self.title),
            body: n(&self.body),
            author: n(&self.author),
            email: n(&self.email),
            ..self.clone()
        }
    }
}

/// A text field checked by `rule`: its value, or empty with the problem noted.
pub(crate) fn text_field(
    errors: &mut FieldErrors,
    field: &'static str,
    rule: TextRule,
    value: &Option<String>,
) -> String {
    let value = value.as_deref().unwrap_or("");
    match rule.check(value) {
        Ok(()) => value.to_owned(),
        Err(problem) => {
            errors.push(field, problem);
            String::new()
        }
    }
}

/// `product` as a shopper's write names it: required, and a merchant id.
pub(crate) fn product_field(errors: &mut FieldErrors, value: Option<&str>) -> Option<Id> {
    match value {
        None | Some("") => {
            errors.push("product", FieldProblem::Required);
            None
        }
        Some(raw) => Id::parse(raw)
            .map_err(|_| errors.push("product", FieldProblem::InvalidId))
            .ok(),
    }
}

/// An optional `email`: `None` when none was given, trimmed, at most [`EMAIL_MAX_CHARS`].
pub(crate) fn email_field(errors: &mut FieldErrors, value: Option<&str>) -> Option<String> {
    match value.map(str::trim) {
        None | Some("") => None,
        Some(e) if e.chars().count() > EMAIL_MAX_CHARS => {
            errors.push(
                "email",
                FieldProblem::TooLong {
                    max: EMAIL_MAX_CHARS,
                },
            );
            None
        }
        Some(e) if !is_plausible_email(e) => {
            errors.push("email", FieldProblem::NotAnEmail);
            None
        }
        Some(e) => Some(e.to_owned()),
    }
}

/// An optional `locale`: one of [`LOCALES`].
pub(crate) fn locale_field(errors: &mut FieldErrors, value: Option<&str>) -> Option<String> {
    match value {
        None | Some("") => None,
        Some(l) if LOCALES.contains(&l) => Some(l.to_owned()),
        Some(_) => {
            errors.push("locale", FieldProblem::NotAChoice);
            None
        }
    }
}

/// A published review, as public endpoints show it. It carries no email and nothing else that
/// identifies the shopper beyond the name they chose to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Review {
    pub id: String,
    pub product: String,
    pub rating: u8,
    pub title: String,
    pub body: String,
    pub author: String,
    pub locale: Option<String>,
    /// Unix time in milliseconds.
    pub created_at: i64,
    /// Posted with a valid `review` token: the shop's own link proved the purchase.
    pub verified: bool,
    /// How many shoppers found it helpful.
    pub helpful: u32,
    /// The shop's public answer, shown under the review.
    pub reply: Option<Reply>,
    /// The photos shown with the review, in order; left out when there are none.
    #[serde(default, skip_serializing_if = "no_photos")]
    #[cfg_attr(not(feature = "photos"), serde(skip_deserializing))]
    pub photos: Photos,
}

/// A review's photos: a list with the `photos` feature (the edge), nothing at all without it.
/// The widgets do not show photos yet, and a list in every review (its clone, comparison and
/// drop) cost the product page 315 B; a reader builds the field with `Default::default()`
/// either way, so a build that unifies the features (the workspace) still compiles.
#[cfg(feature = "photos")]
pub type Photos = Vec<ReviewPhoto>;
#[cfg(not(feature = "photos"))]
pub type Photos = NoPhotos;

/// What a review's photos are in a build without them.
#[cfg(not(feature = "photos"))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct NoPhotos;

#[cfg(feature = "photos")]
fn no_photos(photos: &Photos) -> bool {
    photos.is_empty()
}

#[cfg(not(feature = "photos"))]
fn no_photos(_: &Photos) -> bool {
    true
}

/// A photo shown with a review, at `/v1/shops/{shop}/photos/{id}`; its size lets a page keep
/// its place before it loads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ReviewPhoto {
    pub id: String,
    pub width: u32,
    pub height: u32,
}

/// The shop's public answer to a review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Reply {
    pub body: String,
    /// Unix time in milliseconds.
    pub created_at: i64,
}

/// Where a review stands: shown, waiting in the moderation queue, or refused by the merchant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    Published,
    Pending,
    Rejected,
}

impl ReviewStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            ReviewStatus::Published => "published",
            ReviewStatus::Pending => "pending",
            ReviewStatus::Rejected => "rejected",
        }
    }

    pub fn parse(raw: &str) -> Option<ReviewStatus> {
        [
            ReviewStatus::Published,
            ReviewStatus::Pending,
            ReviewStatus::Rejected,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }
}

/// The answer to a stored review (201). `status` is `pending` when the shop's moderation policy
/// holds it for the merchant; the widget then says it will appear once checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ReviewCreated {
    pub review: Review,
    pub status: ReviewStatus,
}

/// A product's ratings at a glance. `histogram[0]` counts 1-star reviews, `histogram[4]`
/// 5-star ones.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct RatingSummary {
    pub count: u32,
    /// The mean rating rounded to two decimals; 0 when there are no reviews.
    pub average: f64,
    pub histogram: [u32; 5],
}

impl RatingSummary {
    pub fn from_histogram(histogram: [u32; 5]) -> RatingSummary {
        let count: u32 = histogram.iter().sum();
        let sum: u64 = histogram
            .iter()
            .zip(1u64..)
            .map(|(n, stars)| u64::from(*n) * stars)
            .sum();
        let average = if count == 0 {
            0.0
        } else {
            (sum as f64 / f64::from(count) * 100.0).round() / 100.0
        };
        RatingSummary {
            count,
            average,
            histogram,
        }
    }
}

/// One page of a product's published reviews, in the order asked for, with the product's
/// summary (of all its published reviews, whatever the filter).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ReviewPage {
    pub summary: RatingSummary,
    pub reviews: Vec<Review>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// The shop's note on how its reviews are collected and checked, in the language asked for
    /// (`locale`), or memnun's own words (`moderation::DEFAULT_NOTICE_EN`, `…_TR`) when the shop
    /// has written none: the list always gives one, for the widget to show.
    pub notice: Option<String>,
}

/// The orders the public list offers. Ties fall back to newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReviewSort {
    #[default]
    Newest,
    Highest,
    Lowest,
    Helpful,
}

impl ReviewSort {
    pub const ALL: [ReviewSort; 4] = [
        ReviewSort::Newest,
        ReviewSort::Highest,
        ReviewSort::Lowest,
        ReviewSort::Helpful,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            ReviewSort::Newest => "newest",
            ReviewSort::Highest => "highest",
            ReviewSort::Lowest => "lowest",
            ReviewSort::Helpful => "helpful",
        }
    }

    pub fn parse(raw: &str) -> Option<ReviewSort> {
        ReviewSort::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// The cursor's tag, so a cursor from one order is refused by another.
    const fn tag(self) -> char {
        match self {
            ReviewSort::Newest => 'n',
            ReviewSort::Highest => 'h',
            ReviewSort::Lowest => 'l',
            ReviewSort::Helpful => 'v',
        }
    }
}

/// Where a page of reviews starts: after the review with this sort key (rating, helpful count,
/// or 0 for newest), time and id. On the wire it is an opaque string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewCursor {
    pub sort: ReviewSort,
    pub key: i64,
    pub created_at: i64,
    pub id: String,
}

impl ReviewCursor {
    pub fn encode(&self) -> String {
        format!(
            "{}{}.{}.{}",
            self.sort.tag(),
            self.key,
            self.created_at,
            self.id
        )
    }

    /// Decodes a cursor given out for `sort`; anything else is `None`.
    pub fn decode(raw: &str, sort: ReviewSort) -> Option<ReviewCursor> {
        let rest = raw.strip_prefix(sort.tag())?;
        let (key, rest) = rest.split_once('.')?;
        let (time, id) = rest.split_once('.')?;
        let digits =
            |s: &str| !s.is_empty() && s.len() <= 16 && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(key) || !digits(time) || !is_review_id(id) {
            return None;
        }
        Some(ReviewCursor {
            sort,
            key: key.parse().ok()?,
            created_at: time.parse().ok()?,
            id: id.to_owned(),
        })
    }
}

/// Review ids are minted by the edge: `r` followed by 24 lowercase hex digits.
pub fn is_review_id(id: &str) -> bool {
    id.len() == 25
        && id.starts_with('r')
        && id[1..]
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A write taken without anything to show for it: a report, or a review judged to come from a
/// bot (answered like a success, so the bot learns nothing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Received {
    pub status: ReceivedStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Copy, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReceivedStatus {
    Received,
}

impl Received {
    pub const fn new() -> Self {
        Received {
            status: ReceivedStatus::Received,
        }
    }
}

impl Default for Received {
    fn default() -> Self {
        Self::new()
    }
}

/// `GET …/products/{product}/reviews`: what the public list shows.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct ReviewListQuery {
    /// Reviews on a page.
    pub limit: Bounded<PAGE_SIZE_MAX>,
    /// The `next_cursor` of the page before, given out for the same sort.
    pub cursor: Option<String>,
    pub sort: ReviewSort,
    /// Only the reviews with this many stars.
    pub stars: Option<Bounded<5>>,
    /// Only the reviews written in this language.
    pub locale: Option<Locale>,
    /// `only`: only the reviews with photos shown.
    pub photos: Option<PhotosFilter>,
}

/// Which reviews a list shows by their photos.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PhotosFilter {
    Only,
}

impl Default for ReviewListQuery {
    fn default() -> Self {
        ReviewListQuery {
            limit: Bounded(PAGE_SIZE_DEFAULT),
            cursor: None,
            sort: ReviewSort::default(),
            stars: None,
            locale: None,
            photos: None,
        }
    }
}

/// `GET …/products/{product}/reviews.jsonld` and `reviews.html`: the product as the shop's page
/// names it, and the language of the snippet.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct ProductPageQuery {
    pub locale: Locale,
    /// The product's name as the page shows it, 1-200 characters (required for JSON-LD).
    pub name: Option<String>,
    /// The product page's http(s) address.
    pub url: Option<String>,
}

/// A review id given as a parameter (`?review=`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ReviewIdParam(
    #[cfg_attr(feature = "openapi", schemars(regex(pattern = "^r[0-9a-f]{24}$")))] pub String,
);

impl<'de> Deserialize<'de> for ReviewIdParam {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        if !is_review_id(&raw) {
            return Err(serde::de::Error::custom("is not a review id"));
        }
        Ok(ReviewIdParam(raw))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> NewReview {
        NewReview {
            product: Some("sku-1".into()),
            rating: Some(4),
            title: Some("Güzel".into()),
            body: Some("Kumaşı çok yumuşak.".into()),
            author: Some("Ayşe".into()),
            email: Some("ayse@example.com".into()),
            locale: Some("tr".into()),
            website: None,
            fill_ms: Some(12_000),
            token: None,
            photo_key: None,
        }
    }

    #[test]
    fn a_photo_key_is_a_uuid() {
        let key = "5B1E4C0A-2B7D-4E0F-9A51-1C2D3E4F5A6B";
        let with_key = NewReview {
            photo_key: Some(key.into()),
            ..good()
        };
        assert_eq!(
            with_key.validate().unwrap().photo_key.as_deref(),
            Some("5b1e4c0a-2b7d-4e0f-9a51-1c2d3e4f5a6b")
        );
        let bad = NewReview {
            photo_key: Some("photos-please".into()),
            ..good()
        };
        assert_eq!(
            bad.validate().unwrap_err().get("photo_key"),
            Some(FieldProblem::NotAUuid)
        );
    }

    #[test]
    fn a_complete_review_is_valid() {
        let v = good().validate().unwrap();
        assert_eq!(v.rating, 4);
        assert_eq!(v.product.as_str(), "sku-1");
        assert_eq!(v.email.as_deref(), Some("ayse@example.com"));
    }

    #[test]
    fn title_email_and_locale_are_optional() {
        let r = NewReview {
            title: None,
            email: Some("  ".into()),
            locale: None,
            ..good()
        };
        let v = r.validate().unwrap();
        assert_eq!(v.title, "");
        assert_eq!(v.email, None);
    }

    #[test]
    fn every_missing_required_field_is_reported_at_once() {
        let errors = NewReview::default().validate().unwrap_err();
        for field in ["product", "rating", "body", "author"] {
            assert_eq!(errors.get(field), Some(FieldProblem::Required), "{field}");
        }
        assert_eq!(errors.get("title"), None);
    }

    #[test]
    fn rating_must_be_one_to_five() {
        for r in [0, 6, -1, i64::MAX] {
            let e = NewReview {
                rating: Some(r),
                ..good()
            }
            .validate()
            .unwrap_err();
            assert_eq!(
                e.get("rating"),
                Some(FieldProblem::OutOfRange { min: 1, max: 5 })
            );
        }
        for r in 1..=5 {
            assert!(
                NewReview {
                    rating: Some(r),
                    ..good()
                }
                .validate()
                .is_ok()
            );
        }
    }

    #[test]
    fn lengths_are_limited() {
        let e = NewReview {
            body: Some("a".repeat(5001)),
            ..good()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.get("body"), Some(FieldProblem::TooLong { max: 5000 }));
        assert!(
            NewReview {
                body: Some("ü".repeat(5000)),
                ..good()
            }
            .validate()
            .is_ok()
        );
        let e = NewReview {
            title: Some("a".repeat(101)),
            ..good()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.get("title"), Some(FieldProblem::TooLong { max: 100 }));
        let e = NewReview {
            author: Some("a".repeat(51)),
            ..good()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.get("author"), Some(FieldProblem::TooLong { max: 50 }));
    }

    #[test]
    fn bad_product_email_and_locale_are_refused() {
        let r = NewReview {
            product: Some("../etc".into()),
            email: Some("not-an-email".into()),
            locale: Some("de".into()),
            ..good()
        };
        let e = r.validate().unwrap_err();
        assert_eq!(e.get("product"), Some(FieldProblem::InvalidId));
        assert_eq!(e.get("email"), Some(FieldProblem::NotAnEmail));
        assert_eq!(e.get("locale"), Some(FieldProblem::NotAChoice));
    }

    #[test]
    fn control_characters_in_the_name_are_refused() {
        let e = NewReview {
            author: Some("A\u{202e}moc.evil".into()),
            ..good()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.get("author"), Some(FieldProblem::ControlCharacter));
    }

    #[test]
    fn honeypot_marks_bots() {
        assert!(!good().is_bot());
        assert!(
            !NewReview {
                website: Some(String::new()),
                ..good()
            }
            .is_bot()
        );
        assert!(
            NewReview {
                website: Some("http://spam".into()),
                ..good()
            }
            .is_bot()
        );
    }

    #[test]
    fn summary_counts_and_averages() {
        let s = RatingSummary::from_histogram([0, 0, 1, 1, 1]);
        assert_eq!(s.count, 3);
        assert_eq!(s.average, 4.0);
        let s = RatingSummary::from_histogram([1, 0, 0, 0, 2]);
        assert_eq!(s.average, 3.67);
        assert_eq!(RatingSummary::from_histogram([0; 5]).average, 0.0);
    }

    #[test]
    fn cursor_round_trips_and_refuses_forgeries() {
        for sort in ReviewSort::ALL {
            let c = ReviewCursor {
                sort,
                key: 4,
                created_at: 1_700_000_000_000,
                id: format!("r{}", "a1".repeat(12)),
            };
            assert_eq!(ReviewCursor::decode(&c.encode(), sort), Some(c.clone()));
            for other in ReviewSort::ALL.into_iter().filter(|s| *s != sort) {
                assert_eq!(ReviewCursor::decode(&c.encode(), other), None);
            }
        }
        for bad in [
            "",
            "n0.1.",
            "n0..rabc",
            "n0.x.r000000000000000000000000",
            "n0.-1.r000000000000000000000000",
            "n-1.1.r000000000000000000000000",
            "n0.1.r00000000000000000000000g",
            "n0.1.r' OR 1=1 --",
            "n0.+1.r000000000000000000000000",
            "n0.99999999999999999.r000000000000000000000000",
            "1.r000000000000000000000000",
        ] {
            assert_eq!(
                ReviewCursor::decode(bad, ReviewSort::Newest),
                None,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn too_fast_or_untimed_submits_are_bots() {
        for fill in [None, Some(0), Some(-5), Some(MIN_FILL_MS - 1)] {
            assert!(
                NewReview {
                    fill_ms: fill,
                    ..good()
                }
                .is_bot(),
                "{fill:?}"
            );
        }
        assert!(
            !NewReview {
                fill_ms: Some(MIN_FILL_MS),
                ..good()
            }
            .is_bot()
        );
    }

    #[test]
    fn sorts_and_statuses_have_their_wire_names() {
        for sort in ReviewSort::ALL {
            assert_eq!(ReviewSort::parse(sort.as_str()), Some(sort));
            assert_eq!(serde_json::to_value(sort).unwrap(), sort.as_str());
        }
        assert_eq!(ReviewSort::parse("NEWEST"), None);
        for status in [
            ReviewStatus::Published,
            ReviewStatus::Pending,
            ReviewStatus::Rejected,
        ] {
            assert_eq!(ReviewStatus::parse(status.as_str()), Some(status));
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
    }

    #[test]
    fn the_wire_names_match_the_docs() {
        let json = serde_json::to_value(good()).unwrap();
        for field in [
            "product", "rating", "title", "body", "author", "email", "locale", "website",
            "fill_ms", "token",
        ] {
            assert!(json.get(field).is_some(), "{field}");
        }
        let parsed: NewReview = serde_json::from_str(r#"{"rating":5,"extra":1}"#).unwrap();
        assert_eq!(parsed.rating, Some(5));
    }
}
