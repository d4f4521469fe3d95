//! The control database's directory (`shop_directory`, `key_directory`): where each shop's data
//! lives and which shop a key opens. Read through `platform::databases`, which caches it per
//! isolate; written when a key is made and by `cargo xtask shop` (create, move).

use super::Params;
use memnun_protocol::Id;
use serde::Deserialize;
use worker::D1Database;

/// A shop's row in the directory.
#[derive(Clone, Deserialize)]
pub struct Place {
    /// The binding of its data database.
    pub database: String,
    /// Set while a move copies it.
    pub writes_paused_at: Option<i64>,
}

/// Where `shop` lives, if the directory names it.
pub async fn place(control: &D1Database, shop: &str) -> worker::Result<Option<Place>> {
    Params::new()
        .text(shop)
        .bind(
            control,
            "SELECT database, writes_paused_at FROM shop_directory WHERE shop_id = ?1",
        )?
        .first(None)
        .await
}

/// The shop a key's hash opens, if the directory names one.
pub async fn shop_of_key(control: &D1Database, key_hash: &str) -> worker::Result<Option<String>> {
    #[derive(Deserialize)]
    struct Row {
        shop_id: String,
    }
    let row: Option<Row> = Params::new()
        .text(key_hash)
        .bind(
            control,
            "SELECT shop_id FROM key_directory WHERE key_hash = ?1",
        )?
        .first(None)
        .await?;
    Ok(row.map(|r| r.shop_id))
}

/// Notes that the key with `key_hash` opens `shop`.
pub async fn add_key(control: &D1Database, key_hash: &str, shop: &Id) -> worker::Result<()> {
    Params::new()
        .text(key_hash)
        .text(shop.as_str())
        .bind(
            control,
            "INSERT INTO key_directory (key_hash, shop_id) VALUES (?1, ?2) \
             ON CONFLICT (key_hash) DO UPDATE SET shop_id = excluded.shop_id",
        )?
        .run()
        .await?;
    Ok(())
}

/// The databases a move under way touches: where a shop is being copied from and to, and where
/// a switched move's old copy still is.
pub async fn databases_in_moves(control: &D1Database) -> worker::Result<Vec<String>> {
    super::texts(control.prepare(
        "SELECT database FROM shop_directory WHERE moving_to IS NOT NULL \
         UNION SELECT moving_to FROM shop_directory WHERE moving_to IS NOT NULL \
         UNION SELECT left_in FROM shop_directory WHERE left_in IS NOT NULL",
    ))
    .await
}
