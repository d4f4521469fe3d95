//! Shops (`shops`: where the shop's pages are, how long its events are kept) and their allowed
//! origins (`shop_origins`: the only web origins that may write to the shop's public
//! endpoints). A shop's row is made by provisioning, never here: what is here reads and
//! changes shops that exist, and a missing shop is told apart from a shop that says no.

use super::Params;
use memnun_protocol::Id;
use memnun_protocol::shop::ShopPages;
use serde::Deserialize;
use worker::{D1Database, D1PreparedStatement, D1Result};

/// Whether `origin` may write to `shop`: `None` when there is no such shop.
pub async fn origin_allowed(
    db: &D1Database,
    shop: &Id,
    origin: &str,
) -> worker::Result<Option<bool>> {
    #[derive(Deserialize)]
    struct Row {
        allowed: Option<i64>,
    }
    let row: Option<Row> = Params::new()
        .text(shop.as_str())
        .text(origin)
        .bind(
            db,
            "SELECT (SELECT 1 FROM shop_origins o WHERE o.shop_id = s.id AND o.origin = ?2) AS allowed \
             FROM shops s WHERE s.id = ?1",
        )?
        .first(None)
        .await?;
    Ok(row.map(|r| r.allowed.is_some()))
}

/// The shop's allowed origins, in order.
pub async fn allowed_origins(db: &D1Database, shop: &Id) -> worker::Result<Vec<String>> {
    #[derive(Deserialize)]
    struct Row {
        origin: String,
    }
    let rows: Vec<Row> = Params::new()
        .text(shop.as_str())
        .bind(
            db,
            "SELECT origin FROM shop_origins WHERE shop_id = ?1 ORDER BY origin",
        )?
        .all()
        .await?
        .results()?;
    Ok(rows.into_iter().map(|r| r.origin).collect())
}

/// Forgets every allowed origin of the shop: the first statement of replacing them, in the
/// batch that adds the new ones ([`allow_origin`]), so no request sees half a list.
pub fn forget_origins(db: &D1Database, shop: &Id) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(shop.as_str())
        .bind(db, "DELETE FROM shop_origins WHERE shop_id = ?1")
}

pub fn allow_origin(
    db: &D1Database,
    shop: &Id,
    origin: &str,
) -> worker::Result<D1PreparedStatement> {
    Params::new().text(shop.as_str()).text(origin).bind(
        db,
        "INSERT INTO shop_origins (shop_id, origin) VALUES (?1, ?2)",
    )
}

/// One of the shop's pages.
#[derive(Clone, Copy)]
pub enum Page {
    Tracker,
    Survey,
    Product,
}

/// Sets where one of the shop's pages is, or clears it (`None`).
pub fn set_page(
    db: &D1Database,
    shop: &Id,
    page: Page,
    url: Option<&str>,
) -> worker::Result<D1PreparedStatement> {
    let sql = match page {
        Page::Tracker => "UPDATE shops SET tracker_page = ?2 WHERE id = ?1",
        Page::Survey => "UPDATE shops SET survey_page = ?2 WHERE id = ?1",
        Page::Product => "UPDATE shops SET product_page = ?2 WHERE id = ?1",
    };
    Params::new()
        .text(shop.as_str())
        .opt_text(url)
        .bind(db, sql)
}

pub fn set_event_retention_days(
    db: &D1Database,
    shop: &Id,
    days: u32,
) -> worker::Result<D1PreparedStatement> {
    Params::new().text(shop.as_str()).int(i64::from(days)).bind(
        db,
        "UPDATE shops SET event_retention_days = ?2 WHERE id = ?1",
    )
}

/// How many days the shop keeps its events, or `None` when there is no such shop.
pub async fn event_retention_days(db: &D1Database, shop: &Id) -> worker::Result<Option<u32>> {
    #[derive(Deserialize)]
    struct Row {
        event_retention_days: u32,
    }
    let row: Option<Row> = Params::new()
        .text(shop.as_str())
        .bind(db, "SELECT event_retention_days FROM shops WHERE id = ?1")?
        .first(None)
        .await?;
    Ok(row.map(|r| r.event_retention_days))
}

/// Where the shop's pages are, or `None` when there is no such shop.
pub async fn pages(db: &D1Database, shop: &Id) -> worker::Result<Option<ShopPages>> {
    Params::new()
        .text(shop.as_str())
        .bind(
            db,
            "SELECT tracker_page, survey_page, product_page FROM shops WHERE id = ?1",
        )?
        .first(None)
        .await
}

/// A statement whose result is one row if `shop` exists, to batch with a read about the shop;
/// [`exists_in`] reads its result.
pub fn exists(db: &D1Database, shop: &Id) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(shop.as_str())
        .bind(db, "SELECT 1 AS found FROM shops WHERE id = ?1")
}

/// Whether [`exists`]'s result holds its row.
pub fn exists_in(result: &D1Result) -> worker::Result<bool> {
    #[derive(Deserialize)]
    struct Found {
        #[allow(dead_code)]
        found: i64,
    }
    Ok(!result.results::<Found>()?.is_empty())
}

/// The shop's name, as its messages and pages show it.
pub async fn name(db: &D1Database, shop: &Id) -> worker::Result<Option<String>> {
    let names: Vec<String> = super::texts(
        Params::new()
            .text(shop.as_str())
            .bind(db, "SELECT name FROM shops WHERE id = ?1")?,
    )
    .await?;
    Ok(names.into_iter().next())
}

/// The shop's name and its product page template, or `None` when there is no such shop.
pub async fn name_and_product_page(
    db: &D1Database,
    shop: &Id,
) -> worker::Result<Option<(String, Option<String>)>> {
    #[derive(Deserialize)]
    struct Row {
        name: String,
        product_page: Option<String>,
    }
    let row: Option<Row> = Params::new()
        .text(shop.as_str())
        .bind(db, "SELECT name, product_page FROM shops WHERE id = ?1")?
        .first(None)
        .await?;
    Ok(row.map(|r| (r.name, r.product_page)))
}
