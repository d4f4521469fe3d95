//! What every part of the edge stands on and no resource owns: request bodies and answers
//! (`http`), errors (`error`), the log and the request id (`log`), the one clock (`clock`),
//! random ids and hashes (`secure`), the salted hashes that stand for people (`pseudonyms`),
//! idempotency keys (`idempotency`), where the edge's own requests may go (`outbound`), the
//! opening every shopper request shares (`shopper_write`), which database holds a shop
//! (`databases`), Cloudflare's cache for the public reads (`public_cache`), and, in tests only,
//! the D1 statement count (`statement_count`).

pub mod clock;
pub mod databases;
pub mod error;
pub mod http;
pub mod idempotency;
pub mod log;
pub mod outbound;
pub mod pseudonyms;
pub mod public_cache;
pub mod secure;
pub mod shopper_write;
pub mod statement_count;
