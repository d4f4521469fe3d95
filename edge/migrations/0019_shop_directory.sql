-- The shop directory (`platform/databases.rs`): which data database holds a shop, and which shop
-- a merchant key opens. Every database gets every migration (one schema), but only the control
-- database (binding `DB`) fills these two tables. A shop without a row lives in the first data
-- database, which is where every shop lived before the directory: a deployment with one
-- database never writes here.
CREATE TABLE shop_directory (
    shop_id TEXT PRIMARY KEY,
    -- The binding of its data database (`DATA_DATABASES` in wrangler.toml).
    database TEXT NOT NULL,
    -- Set while `cargo xtask shop move` copies the shop: its writes are answered 503.
    writes_paused_at INTEGER,
    -- The move under way: where the shop is being copied.
    moving_to TEXT,
    -- After a move: the database that still holds the old copy, until the chore deletes it.
    left_in TEXT,
    placed_at INTEGER NOT NULL
) STRICT;
CREATE INDEX shop_directory_by_database ON shop_directory (database);

-- Keys are kept as their hashes, as in `api_keys`; a key whose hash has no row opens a shop of
-- the first data database.
CREATE TABLE key_directory (
    key_hash TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL
) STRICT;
CREATE INDEX key_directory_by_shop ON key_directory (shop_id);
