//! Reading and writing the wire types of `memnun_protocol` as JavaScript values, by hand.
//!
//! Why not serde: on the edge the types are (de)serialized with serde, but in the widgets serde's
//! generic code (and the float formatting its error messages pull in) cost ~35 KB of wasm, about
//! 12 KB brotli for every shopper. The browser parses and prints the JSON; this module only maps
//! fields. The names are the protocol's; the HTTP and browser tests check both sides agree.

use js_sys::{Array, JSON, Object, Reflect};
use memnun_protocol::order::{
    Estimate, Invitations, OrderView, ReviewInvitation, ShipmentView, Tracked, TrackingEvent,
    TrackingStatus, ViewItem,
};
use memnun_protocol::{ErrorCode, NewReview, RatingSummary, Reply, Review, ReviewPage};
use wasm_bindgen::{JsCast, JsValue};

fn field(object: &JsValue, name: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

pub fn text(object: &JsValue, name: &str) -> Option<String> {
    field(object, name).as_string()
}

pub fn number(object: &JsValue, name: &str) -> Option<f64> {
    field(object, name).as_f64()
}

pub fn set(object: &Object, name: &str, value: JsValue) {
    // Setting a property on a plain new object cannot fail.
    let _ = Reflect::set(object, &JsValue::from_str(name), &value);
}

pub fn stringify(object: &Object) -> Option<String> {
    JSON::stringify(object).ok()?.as_string()
}

pub fn parse(text: &str) -> JsValue {
    JSON::parse(text).unwrap_or(JsValue::NULL)
}

pub fn review_page(value: &JsValue) -> Option<ReviewPage> {
    let summary = field(value, "summary");
    let histogram: Array = field(&summary, "histogram").dyn_into().ok()?;
    let mut counts = [0u32; 5];
    for (i, slot) in counts.iter_mut().enumerate() {
        *slot = histogram.get(i as u32).as_f64()? as u32;
    }
    let reviews: Array = field(value, "reviews").dyn_into().ok()?;
    let reviews = reviews
        .iter()
        .map(|r| review(&r))
        .collect::<Option<Vec<_>>>()?;
    Some(ReviewPage {
        summary: RatingSummary {
            count: number(&summary, "count")? as u32,
            average: number(&summary, "average")?,
            histogram: counts,
        },
        reviews,
        next_cursor: text(value, "next_cursor"),
        notice: text(value, "notice"),
    })
}

fn review(value: &JsValue) -> Option<Review> {
    Some(Review {
        id: text(value, "id")?,
        product: text(value, "product")?,
        rating: number(value, "rating")? as u8,
        title: text(value, "title").unwrap_or_default(),
        body: text(value, "body")?,
        author: text(value, "author")?,
        locale: text(value, "locale"),
        created_at: number(value, "created_at")? as i64,
        verified: field(value, "verified").as_bool().unwrap_or(false),
        helpful: number(value, "helpful").unwrap_or(0.0) as u32,
        reply: {
            let reply = field(value, "reply");
            text(&reply, "body").map(|body| Reply {
                body,
                created_at: number(&reply, "created_at").unwrap_or(0.0) as i64,
            })
        },
        // The list shows no photos yet: nothing is read, and without protocol's `photos`
        // feature the field is nothing.
        photos: Default::default(),
    })
}

/// The error code of an error answer, if it is one of ours.
pub fn error_code(value: &JsValue) -> Option<ErrorCode> {
    let code = text(&field(value, "error"), "code")?;
    ErrorCode::ALL.into_iter().find(|c| c.as_str() == code)
}

/// The per-field messages of a `validation_failed` answer.
pub fn error_fields(value: &JsValue) -> Vec<(String, String)> {
    let fields = field(&field(value, "error"), "fields");
    if !fields.is_object() {
        return Vec::new();
    }
    Object::entries(fields.unchecked_ref())
        .iter()
        .filter_map(|entry| {
            let pair: Array = entry.dyn_into().ok()?;
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        })
        .collect()
}

pub fn new_review(review: &NewReview) -> Object {
    let object = Object::new();
    let put = |name: &str, value: &Option<String>| {
        if let Some(v) = value {
            set(&object, name, JsValue::from_str(v));
        }
    };
    put("product", &review.product);
    put("title", &review.title);
    put("body", &review.body);
    put("author", &review.author);
    put("email", &review.email);
    put("locale", &review.locale);
    put("website", &review.website);
    put("token", &review.token);
    put("photo_key", &review.photo_key);
    if let Some(rating) = review.rating {
        set(&object, "rating", JsValue::from_f64(rating as f64));
    }
    if let Some(ms) = review.fill_ms {
        set(&object, "fill_ms", JsValue::from_f64(ms as f64));
    }
    object
}

/// A plain object of string fields, for the outbox's stored entries.
pub fn strings(fields: &[(&str, &str)]) -> Object {
    let object = Object::new();
    for (name, value) in fields {
        set(&object, name, JsValue::from_str(value));
    }
    object
}

fn array(object: &JsValue, name: &str) -> Vec<JsValue> {
    field(object, name)
        .dyn_into::<Array>()
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

/// The answer to an order lookup or a track token: the shopper's view and a `track` token.
pub fn tracked(value: &JsValue) -> Option<Tracked> {
    let order = field(value, "order");
    let status = |v: &JsValue| TrackingStatus::parse(&text(v, "status")?);
    let shipments = array(&order, "shipments")
        .iter()
        .map(|s| {
            let estimate = field(s, "estimated_delivery");
            Some(ShipmentView {
                id: text(s, "id")?,
                carrier: text(s, "carrier")?,
                tracking_number: text(s, "tracking_number"),
                tracking_url: text(s, "tracking_url"),
                status: status(s)?,
                estimated_delivery: number(&estimate, "date").map(|date| Estimate {
                    date: date as i64,
                    source: text(&estimate, "source").unwrap_or_default(),
                }),
                events: array(s, "events")
                    .iter()
                    .filter_map(|e| {
                        Some(TrackingEvent {
                            shipment: text(e, "shipment")?,
                            status: status(e)?,
                            time: number(e, "time")? as i64,
                            location: text(e, "location"),
                            note: text(e, "note"),
                        })
                    })
                    .collect(),
            })
        })
        .collect::<Option<Vec<_>>>()?;
    let invitations = field(&order, "invitations");
    let invitations =
        (!invitations.is_null() && !invitations.is_undefined()).then(|| Invitations {
            reviews: array(&invitations, "reviews")
                .iter()
                .filter_map(|r| {
                    Some(ReviewInvitation {
                        product: text(r, "product")?,
                        url: text(r, "url"),
                        token: text(r, "token").unwrap_or_default(),
                    })
                })
                .collect(),
            survey_url: text(&invitations, "survey_url"),
            survey_token: text(&invitations, "survey_token").unwrap_or_default(),
        });
    Some(Tracked {
        order: OrderView {
            number: text(&order, "number")?,
            placed_at: number(&order, "placed_at")? as i64,
            status: status(&order)?,
            items: array(&order, "items")
                .iter()
                .filter_map(|i| {
                    Some(ViewItem {
                        product: text(i, "product")?,
                        quantity: number(i, "quantity")? as u32,
                        name: text(i, "name"),
                        image_url: text(i, "image_url"),
                        url: text(i, "url"),
                    })
                })
                .collect(),
            shipments,
            invitations,
        },
        token: text(value, "token")?,
    })
}

/// Only the state of an answer, for a save's answer (where nothing else is read).
#[cfg(feature = "survey")]
pub fn survey_state(value: &JsValue) -> Option<memnun_protocol::survey::SurveyState> {
    use memnun_protocol::survey::SurveyState;
    [
        SurveyState::Open,
        SurveyState::Completed,
        SurveyState::Dismissed,
        SurveyState::Cooldown,
        SurveyState::NotDelivered,
    ]
    .into_iter()
    .find(|s| text(value, "state").as_deref() == Some(s.as_str()))
}

#[cfg(feature = "survey")]
pub fn survey_opened(value: &JsValue) -> Option<memnun_protocol::survey::SurveyOpened> {
    use memnun_protocol::survey::{Answers, Question, Reason, SurveyOpened, SurveyTexts};
    let state = survey_state(value)?;
    let questions = array(value, "questions")
        .iter()
        .filter_map(|q| {
            let name = q.as_string()?;
            Question::ALL.into_iter().find(|q| q.as_str() == name)
        })
        .collect();
    let texts_object = field(value, "texts");
    let texts = SurveyTexts(
        Object::entries(texts_object.dyn_ref::<Object>()?)
            .iter()
            .filter_map(|entry| {
                let pair: Array = entry.dyn_into().ok()?;
                Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
            })
            .collect(),
    );
    let a = field(value, "answers");
    let score = |name: &str| number(&a, name).map(|n| n as u8);
    Some(SurveyOpened {
        state,
        order_number: text(value, "order_number").unwrap_or_default(),
        questions,
        texts,
        answers: Answers {
            nps: score("nps"),
            reasons: array(&a, "reasons")
                .iter()
                .filter_map(|r| Reason::parse(&r.as_string()?))
                .collect(),
            follow_up: text(&a, "follow_up"),
            csat: score("csat"),
            ces: score("ces"),
            comment: text(&a, "comment"),
        },
        seq: number(value, "seq").unwrap_or(0.0) as u32,
    })
}

/// The body of a survey save: every answer so far, numbered (`SurveySubmission`).
#[cfg(feature = "survey")]
pub fn survey_submission(
    token: &str,
    seq: u32,
    answers: &memnun_protocol::survey::Answers,
    complete: bool,
    dismissed: bool,
    locale: &str,
) -> String {
    let object = Object::new();
    set(&object, "token", JsValue::from_str(token));
    set(&object, "seq", JsValue::from(seq));
    set(&object, "complete", JsValue::from_bool(complete));
    set(&object, "dismissed", JsValue::from_bool(dismissed));
    set(&object, "locale", JsValue::from_str(locale));
    let a = Object::new();
    let score = |name: &str, v: Option<u8>| {
        if let Some(v) = v {
            set(&a, name, JsValue::from(v));
        }
    };
    score("nps", answers.nps);
    score("csat", answers.csat);
    score("ces", answers.ces);
    let reasons: Array = answers
        .reasons
        .iter()
        .map(|r| JsValue::from_str(r.as_str()))
        .collect();
    set(&a, "reasons", reasons.into());
    for (name, value) in [
        ("follow_up", &answers.follow_up),
        ("comment", &answers.comment),
    ] {
        if let Some(v) = value {
            set(&a, name, JsValue::from_str(v));
        }
    }
    set(&object, "answers", a.into());
    stringify(&object).unwrap_or_default()
}

/// The items of a recommendations answer (or of recently viewed products); an item missing a
/// field it needs is left out.
#[cfg(feature = "recommendations")]
pub fn recommendations(value: &JsValue) -> Vec<memnun_protocol::recommend::Recommended> {
    use memnun_protocol::recommend::{Recommended, Source};
    array(value, "items")
        .iter()
        .filter_map(|i| {
            Some(Recommended {
                product: text(i, "product")?,
                name: text(i, "name")?,
                price_minor: number(i, "price_minor")? as i64,
                currency: text(i, "currency")?,
                image_url: text(i, "image_url"),
                url: text(i, "url")?,
                rating_hundredths: number(i, "rating_hundredths").map(|r| r as u32),
                reviews: number(i, "reviews").unwrap_or(0.0) as u32,
                source: Source::parse(&text(i, "source")?)?,
            })
        })
        .collect()
}

/// The widgets' decoders against the shared wire samples (`protocol/samples/`): each reads its
/// sample into the very value serde reads on the edge's side. Run in wasm (`cargo xtask test`),
/// where the browser's `JSON` these decoders rely on exists.
#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn sample<T: serde::de::DeserializeOwned>(text: &str) -> (JsValue, T) {
        (
            parse(text),
            serde_json::from_str(text).expect("the sample is its type"),
        )
    }

    #[wasm_bindgen_test]
    fn review_page_reads_like_serde() {
        let (js, expected): (_, ReviewPage) =
            sample(include_str!("../../protocol/samples/review_page.json"));
        assert_eq!(review_page(&js), Some(expected));
    }

    #[wasm_bindgen_test]
    fn tracked_reads_like_serde() {
        let (js, expected): (_, Tracked) =
            sample(include_str!("../../protocol/samples/tracked.json"));
        assert_eq!(tracked(&js), Some(expected));
    }

    #[wasm_bindgen_test]
    fn recently_viewed_reads_like_serde() {
        let (js, expected): (_, memnun_protocol::recommend::RecentlyViewed) =
            sample(include_str!("../../protocol/samples/recently_viewed.json"));
        assert_eq!(recommendations(&js), expected.items);
    }

    #[wasm_bindgen_test]
    fn survey_opened_reads_like_serde() {
        let (js, expected): (_, memnun_protocol::survey::SurveyOpened) =
            sample(include_str!("../../protocol/samples/survey_opened.json"));
        assert_eq!(survey_opened(&js), Some(expected));
    }

    #[wasm_bindgen_test]
    fn errors_read_their_code_and_fields() {
        let text = include_str!("../../protocol/samples/error_validation.json");
        let expected: memnun_protocol::ErrorBody =
            serde_json::from_str(text).expect("an ErrorBody");
        let js = parse(text);
        assert_eq!(error_code(&js), Some(expected.error.code));
        let fields: Vec<(String, String)> = expected.error.fields.into_iter().collect();
        assert_eq!(error_fields(&js), fields);
    }
}
