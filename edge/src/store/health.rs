//! What `GET /v1/health` asks the database: that it answers, and how far its schema is.

use serde::Deserialize;
use worker::D1Database;

/// How many migrations the database has applied (`d1_migrations`, kept by wrangler), or `None`
/// when it answered no row.
pub async fn migrations_applied(db: &D1Database) -> worker::Result<Option<i64>> {
    #[derive(Deserialize)]
    struct Row {
        migrations: i64,
    }
    let row: Option<Row> = db
        .prepare("SELECT count(*) AS migrations FROM d1_migrations")
        .first(None)
        .await?;
    Ok(row.map(|r| r.migrations))
}
