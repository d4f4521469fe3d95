//! Recommendations, in three parts: `ingest` takes shoppers' events
//! (`POST /v1/shops/{shop}/events`) and orders' baskets into the co-occurrence counts, `strip`
//! reads a product's strip from them (`GET /v1/shops/{shop}/products/{product}/recommendations`),
//! and `report` tells the merchant what the strip did.
//!
//! Invariants: an event is stored once (by its id) and counted once; a browser counts once per
//! product viewed and a basket once (by its key), so `n` and `co` count browsers and baskets,
//! not page views; one request writes at most `PAIRS_PER_REQUEST` pair rows and leaves the rest
//! to the scheduled handler (`ingest::drain_backlog`), so a big order or a long history cannot exhaust a
//! request's query budget; reading a strip is a few indexed range reads.

pub mod ingest;
pub mod report;
pub mod strip;
