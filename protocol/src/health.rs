//! `GET /v1/health`: what a monitor reads.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Health {
    pub ok: bool,
    pub database: DatabaseHealth,
    /// How many migrations the database has applied (absent when it did not answer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub migrations: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Copy, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DatabaseHealth {
    Ok,
    Unavailable,
}
