//! Survey settings (`survey_settings`): a shop's survey questions, texts and cooldown, kept
//! whole as one JSON document per shop. A shop without a row has never set them; the defaults
//! are the handler's, so they can change without a migration.

use super::Params;
use crate::platform::error::ApiError;
use memnun_protocol::Id;
use memnun_protocol::survey::SurveySettings;
use serde::Deserialize;
use worker::D1Database;

/// The shop's stored settings, or `None` when it has never set them.
pub async fn get(db: &D1Database, shop: &Id) -> Result<Option<SurveySettings>, ApiError> {
    #[derive(Deserialize)]
    struct Row {
        settings: String,
    }
    let row: Option<Row> = Params::new()
        .text(shop.as_str())
        .bind(
            db,
            "SELECT settings FROM survey_settings WHERE shop_id = ?1",
        )?
        .first(None)
        .await?;
    row.map(|row| read(&row.settings)).transpose()
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
    super::put_document(
        db,
        "INSERT INTO survey_settings (shop_id, settings, updated_at) VALUES (?1, ?2, ?3) \
         ON CONFLICT (shop_id) DO UPDATE SET settings = excluded.settings, \
         updated_at = excluded.updated_at",
        shop,
        settings,
        now,
    )
    .await
}
