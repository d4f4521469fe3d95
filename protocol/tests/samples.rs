//! The shared wire samples (`protocol/samples/`, see its README) are exactly what serde reads and
//! writes for their types: each reads into its type and writes back the same JSON.

use memnun_protocol::order::Tracked;
use memnun_protocol::recommend::RecentlyViewed;
use memnun_protocol::survey::SurveyOpened;
use memnun_protocol::{ErrorBody, ReviewPage};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Numbers compared by value: JSON has one kind, serde two (`4` and `4.0`).
fn normalized(value: Value) -> Value {
    match value {
        Value::Number(n) => Value::from(n.as_f64().unwrap_or(f64::NAN)),
        Value::Array(items) => Value::Array(items.into_iter().map(normalized).collect()),
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .map(|(k, v)| (k, normalized(v)))
                .collect(),
        ),
        other => other,
    }
}

fn round_trips<T: DeserializeOwned + Serialize>(name: &str) {
    let path = format!("{}/samples/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let read: T =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} does not read: {e}"));
    let written = serde_json::to_value(&read).unwrap();
    let sample: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        normalized(written),
        normalized(sample),
        "{name} does not write back the same"
    );
}

#[test]
fn every_sample_is_its_type_exactly() {
    round_trips::<ReviewPage>("review_page.json");
    round_trips::<Tracked>("tracked.json");
    round_trips::<RecentlyViewed>("recently_viewed.json");
    round_trips::<SurveyOpened>("survey_opened.json");
    round_trips::<ErrorBody>("error_validation.json");
}
