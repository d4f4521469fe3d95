//! Survey settings (`survey_settings`): a shop's survey questions, texts and cooldown, kept
//! whole as one JSON document per shop. A shop without a row has never set them; the defaults
//! are the handler's, so they can change without a migration.

use crate::platform::error::ApiError;
use memnun_protocol::Id;
use memnun_protocol::survey::SurveySettings;
use worker::D1Database;

const SETTINGS: super::Document = super::Document {
    table: "survey_settings",
    column: "settings",
    what: "survey settings",
};

/// The shop's stored settings, or `None` when it has never set them.
pub async fn get(db: &D1Database, shop: &Id) -> Result<Option<SurveySettings>, ApiError> {
    super::get_document(db, &SETTINGS, shop).await
}

/// Settings as stored.
pub fn read(json: &str) -> Result<SurveySettings, ApiError> {
    serde_json::from_str(json)
        .map_err(|e| ApiError::Internal(format!("stored survey settings unreadable: {e}")))
}

/// Stores the shop's settings whole, in place of any before.
pub async fn put(
    db: &D1Database,
    shop: &Id,
    settings: &SurveySettings,
    now: i64,
) -> Result<(), ApiError> {
    super::put_document(db, &SETTINGS, shop, settings, now).await
}
