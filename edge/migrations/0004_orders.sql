-- Orders and their tracking (the order tracker), the shop's pages that links point to, and
-- webhooks delivered through an outbox by the scheduled handler.

CREATE TABLE orders (
    shop_id TEXT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    -- The merchant's own order id (the path's {order}).
    id TEXT NOT NULL,
    -- The number the shopper knows, for lookups.
    number TEXT NOT NULL,
    -- A salted hash of the lower-cased email: checks lookups, never returned.
    email_hash TEXT,
    placed_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    -- When every shipment was first delivered (and `order.delivered` was queued).
    delivered_at INTEGER,
    PRIMARY KEY (shop_id, id)
) STRICT;
CREATE INDEX orders_by_number ON orders (shop_id, number);

CREATE TABLE order_items (
    shop_id TEXT NOT NULL,
    order_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    product_id TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    price_minor INTEGER,
    currency TEXT,
    PRIMARY KEY (shop_id, order_id, position),
    FOREIGN KEY (shop_id, order_id) REFERENCES orders (shop_id, id) ON DELETE CASCADE
) STRICT;

CREATE TABLE shipments (
    shop_id TEXT NOT NULL,
    order_id TEXT NOT NULL,
    id TEXT NOT NULL,
    position INTEGER NOT NULL,
    carrier TEXT NOT NULL,
    tracking_number TEXT,
    tracking_url TEXT,
    estimate_at INTEGER,
    estimate_source TEXT,
    PRIMARY KEY (shop_id, order_id, id),
    FOREIGN KEY (shop_id, order_id) REFERENCES orders (shop_id, id) ON DELETE CASCADE
) STRICT;

-- One row per event: the same (shipment, status, time) arriving twice is stored once.
CREATE TABLE shipment_events (
    shop_id TEXT NOT NULL,
    order_id TEXT NOT NULL,
    shipment_id TEXT NOT NULL,
    status TEXT NOT NULL,
    time INTEGER NOT NULL,
    location TEXT,
    note TEXT,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (shop_id, order_id, shipment_id, status, time),
    FOREIGN KEY (shop_id, order_id, shipment_id) REFERENCES shipments (shop_id, order_id, id) ON DELETE CASCADE
) STRICT;

-- Where the shop's tracker and survey pages are, and its product pages (`{product}` stands for
-- the product id), so links and invitations can point there.
ALTER TABLE shops ADD COLUMN tracker_page TEXT;
ALTER TABLE shops ADD COLUMN survey_page TEXT;
ALTER TABLE shops ADD COLUMN product_page TEXT;

-- The merchant's webhook: where events go and the secret that signs them.
CREATE TABLE webhooks (
    shop_id TEXT PRIMARY KEY REFERENCES shops (id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- Events waiting to be delivered (or delivered, kept for the record). The request that causes
-- an event only writes a row here; the scheduled handler sends it, retrying with backoff.
CREATE TABLE webhook_outbox (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    event_type TEXT NOT NULL,
    -- What the event is about, so it is queued once: e.g. 'order.delivered:A-1001'.
    event_key TEXT NOT NULL,
    payload TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    delivered_at INTEGER,
    failed_at INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (shop_id, event_key)
) STRICT;
CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
