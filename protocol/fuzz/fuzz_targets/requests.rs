//! The first byte picks a parser, the rest is its input: each request type's JSON (parse,
//! validate, and for what is accepted, serialise, parse and validate again to the same result),
//! the review CSV import, tokens, cursors, ids and timestamps. A panic or a broken round trip is
//! a finding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use memnun_protocol::events::EventBatch;
use memnun_protocol::feedback::{NewReport, NewVote};
use memnun_protocol::order::{Lookup, NewEvents, OrderUpsert};
use memnun_protocol::review::NewReview;
use memnun_protocol::shop::ShopUpdate;
use memnun_protocol::shopper::ShopperRequest;
use memnun_protocol::survey::SurveySubmission;
use memnun_protocol::token::{Purpose, verify};
use memnun_protocol::{Id, merchant, order_list, time};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt::Debug;

fn round_trip<T, V, E>(bytes: &[u8], validate: impl Fn(&T) -> Result<V, E>)
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
    V: PartialEq + Debug,
    E: PartialEq + Debug,
{
    let Ok(request) = serde_json::from_slice::<T>(bytes) else {
        return;
    };
    let first = validate(&request);
    let text = serde_json::to_string(&request).expect("a parsed request serialises");
    let again: T = serde_json::from_str(&text).expect("and parses again");
    // Floats held as raw JSON may come back one unit off (serde_json without float_roundtrip):
    // compare what validation makes of them, which is what the edge stores.
    assert_eq!(first, validate(&again));
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let text = std::str::from_utf8(rest).unwrap_or("");
    match which % 12 {
        0 => round_trip::<NewReview, _, _>(rest, NewReview::validate),
        1 => round_trip::<NewVote, _, _>(rest, NewVote::validate),
        2 => round_trip::<NewReport, _, _>(rest, NewReport::validate),
        3 => round_trip::<OrderUpsert, _, _>(rest, OrderUpsert::validate),
        4 => round_trip::<NewEvents, _, _>(rest, NewEvents::validate),
        5 => round_trip::<Lookup, _, _>(rest, Lookup::validate),
        6 => round_trip::<SurveySubmission, _, _>(rest, SurveySubmission::validate),
        7 => round_trip::<EventBatch, _, _>(rest, |b: &EventBatch| {
            b.check()
                .map(|(browser, good, refused)| (browser, good.len(), refused.len()))
                .map_err(|e| format!("{e:?}"))
        }),
        8 => {
            round_trip::<ShopUpdate, _, _>(rest, ShopUpdate::validate);
            round_trip::<ShopperRequest, _, _>(rest, ShopperRequest::validate);
        }
        9 => {
            let _ = memnun_protocol::review_csv::parse_import(rest);
        }
        10 => {
            let _ = verify(text, Purpose::Track, "shop", 0, |_| {
                Some(b"secret".to_vec())
            });
        }
        _ => {
            let _ = merchant::decode_cursor(text);
            let _ = order_list::decode_cursor::<2>(text);
            let _ = time::parse_timestamp(text);
            if let Ok(id) = Id::parse(text) {
                assert_eq!(id.as_str(), text);
            }
        }
    }
});
