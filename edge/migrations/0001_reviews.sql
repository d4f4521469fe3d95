-- memnun's first schema: shops, their merchant API keys and allowed origins, product reviews
-- with a maintained rating summary per product, and remembered idempotency keys.
-- Times are Unix milliseconds from the edge's one clock.

CREATE TABLE shops (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    -- HMAC secret for signed links (tracker, review and survey tokens).
    token_secret TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

-- Origins whose pages may write to the shop's public endpoints (e.g. https://shop.example).
CREATE TABLE shop_origins (
    shop_id TEXT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    origin TEXT NOT NULL,
    PRIMARY KEY (shop_id, origin)
) STRICT;

-- Merchant API keys, stored as SHA-256 hashes of the key; a shop may hold several named keys.
CREATE TABLE api_keys (
    key_hash TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
) STRICT;

CREATE TABLE reviews (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    product_id TEXT NOT NULL,
    rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    author TEXT NOT NULL,
    -- Never returned by public endpoints.
    email TEXT,
    locale TEXT,
    -- Who this row is about, for a shopper's export and deletion: a salted hash of the email
    -- when one was given, else of the client.
    shopper_key TEXT NOT NULL,
    -- Salted hash of the client address; the address itself is never stored.
    client_hash TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('published', 'pending', 'rejected')),
    created_at INTEGER NOT NULL
) STRICT;

-- Serves a product's published reviews newest first, paged by (created_at, id).
CREATE INDEX reviews_by_product ON reviews (shop_id, product_id, status, created_at DESC, id DESC);
CREATE INDEX reviews_by_shopper ON reviews (shop_id, shopper_key);

-- Maintained in the same batch as every review write, so a product page reads its summary with
-- one indexed lookup. stars_N counts the published N-star reviews.
CREATE TABLE product_ratings (
    shop_id TEXT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    product_id TEXT NOT NULL,
    stars_1 INTEGER NOT NULL DEFAULT 0,
    stars_2 INTEGER NOT NULL DEFAULT 0,
    stars_3 INTEGER NOT NULL DEFAULT 0,
    stars_4 INTEGER NOT NULL DEFAULT 0,
    stars_5 INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (shop_id, product_id)
) STRICT;

-- The first answer to each write, by (shop, endpoint, Idempotency-Key), so a retry gets it
-- again and a reuse with another body is refused. Kept at least 24 hours.
CREATE TABLE idempotency_keys (
    shop_id TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    response_body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (shop_id, endpoint, idempotency_key)
) STRICT;
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
