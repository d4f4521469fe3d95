-- The recommendation strip: the shop's catalog, shoppers' events, and the co-occurrence counts
-- kept up to date as events and orders arrive (so a product's list is an indexed lookup).

CREATE TABLE catalog_items (
    shop_id TEXT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    product_id TEXT NOT NULL,
    -- JSON object: language → name.
    name TEXT NOT NULL,
    price_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    image_url TEXT,
    url TEXT NOT NULL,
    category TEXT,
    in_stock INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (shop_id, product_id)
) STRICT;
CREATE INDEX catalog_by_category ON catalog_items (shop_id, category) WHERE in_stock = 1;
CREATE INDEX catalog_newest ON catalog_items (shop_id, created_at) WHERE in_stock = 1;

-- Every event once (its id is the browser's UUID for it). `browser_key` is a salted hash of the
-- browser's random id.
CREATE TABLE shopper_events (
    shop_id TEXT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    browser_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    product_id TEXT,
    -- JSON array: a purchase's products, or those a strip showed.
    products TEXT NOT NULL DEFAULT '[]',
    order_id TEXT,
    source TEXT,
    arm TEXT,
    time INTEGER NOT NULL,
    PRIMARY KEY (shop_id, id)
) STRICT;
CREATE INDEX shopper_events_by_kind ON shopper_events (shop_id, kind, time);

-- Which products each browser has viewed (first time): co-views count browsers, not page views.
CREATE TABLE browser_views (
    shop_id TEXT NOT NULL,
    browser_key TEXT NOT NULL,
    product_id TEXT NOT NULL,
    first_at INTEGER NOT NULL,
    PRIMARY KEY (shop_id, browser_key, product_id)
) STRICT;
CREATE INDEX browser_views_recent ON browser_views (shop_id, browser_key, first_at);

-- Baskets counted once: `order:<id>` (from the order API or a purchase event naming its order)
-- or `event:<id>`.
CREATE TABLE baskets (
    shop_id TEXT NOT NULL,
    basket_key TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (shop_id, basket_key)
) STRICT;

-- n(a): baskets (`buy`) or browsers (`view`) with the product.
CREATE TABLE item_counts (
    shop_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('buy', 'view')),
    product_id TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (shop_id, kind, product_id)
) STRICT;
CREATE INDEX item_counts_top ON item_counts (shop_id, kind, n DESC);

-- co(a, b), stored in both directions so a product's neighbours are one indexed range.
CREATE TABLE item_pairs (
    shop_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('buy', 'view')),
    a TEXT NOT NULL,
    b TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (shop_id, kind, a, b)
) STRICT;
CREATE INDEX item_pairs_top ON item_pairs (shop_id, kind, a, n DESC);

-- Pair updates beyond one request's budget, done by the scheduled handler.
CREATE TABLE pair_backlog (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    shop_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    -- JSON array of [a, b] pairs.
    pairs TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
