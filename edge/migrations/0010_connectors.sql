-- Connectors (issue 18): a shop platform (Shopify today) sends orders and shipments by itself,
-- through webhooks it signs with a secret the merchant gives memnun.

-- The secret each connected platform signs with. Kept as the webhook and token secrets are:
-- readable by the edge only, never answered again after it is set.
CREATE TABLE connectors (
    shop_id TEXT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    platform TEXT NOT NULL,
    secret TEXT NOT NULL,
    connected_at INTEGER NOT NULL,
    PRIMARY KEY (shop_id, platform)
) STRICT;

-- Every delivery taken, by the platform's own id for it, so one delivered twice changes nothing,
-- and the merchant sees the latest working. The retention purge deletes them after 30 days.
CREATE TABLE connector_deliveries (
    shop_id TEXT NOT NULL,
    platform TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    -- What it did: `applied`, `stale` (older than what the order holds) or `ignored` (a topic
    -- memnun does not read).
    outcome TEXT NOT NULL,
    PRIMARY KEY (shop_id, platform, delivery_id)
) STRICT;
CREATE INDEX connector_deliveries_latest ON connector_deliveries (shop_id, received_at);
-- The retention purge's order, across shops.
CREATE INDEX connector_deliveries_received ON connector_deliveries (received_at);

-- When the platform last changed each order it sent (its `updated_at`): of two payloads of one
-- order, the later one counts, whichever arrives last.
CREATE TABLE connector_orders (
    shop_id TEXT NOT NULL,
    order_id TEXT NOT NULL,
    changed_at INTEGER NOT NULL,
    PRIMARY KEY (shop_id, order_id),
    FOREIGN KEY (shop_id, order_id) REFERENCES orders (shop_id, id) ON DELETE CASCADE
) STRICT;
