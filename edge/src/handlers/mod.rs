//! One module per resource of the API: each reads and validates its request (through
//! `platform::shopper_write` for what shoppers' pages send), decides, calls the store, and answers
//! with a protocol type. The router (`router.rs`) calls them; they never answer an error
//! themselves (an `ApiError` goes back to `router::fail`).

pub mod api_keys;
pub mod assets;
pub mod catalog;
pub mod feedback;
pub mod moderation;
pub mod order_list;
pub mod orders;
pub mod recommend;
pub mod review_csv;
pub mod reviews;
pub mod shoppers;
pub mod shops;
pub mod survey;
pub mod survey_responses;
pub mod tokens;
pub mod webhooks;
