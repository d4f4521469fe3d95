-- Outreach (issue 19): the messages memnun sends shoppers by itself, through the shop's email
-- provider, from an outbox the scheduled handler works through.

-- A shop's outreach settings (`protocol::outreach::settings::OutreachSettings` as JSON) and its
-- provider key, sealed (AES-GCM under the deployment's OUTREACH_KEY; never readable from here).
CREATE TABLE outreach_settings (
    shop_id TEXT PRIMARY KEY REFERENCES shops (id) ON DELETE CASCADE,
    settings TEXT NOT NULL,
    api_key_sealed TEXT,
    -- What proves the provider's bounce and complaint webhooks, sealed the same way.
    webhook_secret_sealed TEXT,
    -- The edge's own address as the merchant reached it when saving (for the unsubscribe links),
    -- unless the deployment sets PUBLIC_URL.
    edge_origin TEXT,
    updated_at INTEGER NOT NULL
) STRICT;

-- A shopper's address, kept only for an order of a shop that sends messages, only sealed, and
-- only while a message may still go to it: deleted once the order and its parcels are delivered
-- and its last message is sent or skipped, and with the order (an erasure). `address_key` is the order's `email_hash`.
CREATE TABLE outreach_addresses (
    shop_id TEXT NOT NULL,
    order_id TEXT NOT NULL,
    sealed TEXT NOT NULL,
    address_key TEXT NOT NULL,
    -- `tr` or `en`: the order's language, or the shop's when it named none.
    locale TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (shop_id, order_id),
    FOREIGN KEY (shop_id, order_id) REFERENCES orders (shop_id, id) ON DELETE CASCADE
) STRICT;

-- The outbox: one row per message, at most one of each kind per order (and per parcel, for a
-- shipment notice: `shipment_id`, empty for the other kinds), or, for a reply notice, per review
-- (`review_id`; its `order_id` is NULL, as a review need not have an order). A run claims due rows
-- with a lease (`claim`, `claimed_until`) and records an outcome only under its own claim, as
-- `webhook_outbox` does. A message ends sent, failed or skipped (`outcome` says why).
CREATE TABLE outreach_messages (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL,
    order_id TEXT,
    kind TEXT NOT NULL,
    shipment_id TEXT NOT NULL DEFAULT '',
    review_id TEXT REFERENCES reviews (id) ON DELETE CASCADE,
    -- The shopper's `address_key`: the cap and the suppression list are per shopper.
    address_key TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    claim TEXT,
    claimed_until INTEGER,
    sent_at INTEGER,
    failed_at INTEGER,
    skipped_at INTEGER,
    outcome TEXT,
    provider_id TEXT,
    UNIQUE (shop_id, order_id, kind, shipment_id),
    FOREIGN KEY (shop_id, order_id) REFERENCES orders (shop_id, id) ON DELETE CASCADE,
    -- About an order or a review; the merchant's digest about neither (keyed by its id).
    CHECK (order_id IS NULL OR review_id IS NULL),
    CHECK ((kind = 'merchant_digest') = (order_id IS NULL AND review_id IS NULL))
) STRICT;
CREATE UNIQUE INDEX outreach_messages_one_per_review ON outreach_messages (shop_id, review_id, kind)
    WHERE review_id IS NOT NULL;
CREATE INDEX outreach_messages_due ON outreach_messages (due_at)
    WHERE sent_at IS NULL AND failed_at IS NULL AND skipped_at IS NULL;
CREATE INDEX outreach_messages_by_shopper ON outreach_messages (shop_id, address_key, sent_at);
CREATE INDEX outreach_messages_by_shop ON outreach_messages (shop_id, created_at);

-- Who gets nothing more from a shop, and why: `unsubscribed` (the one-click link or header),
-- `bounced`, `complained` (the provider's webhooks, or its refusal of the recipient). Keyed by the
-- salted hash of the address only; every send checks it.
CREATE TABLE outreach_suppressions (
    shop_id TEXT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    address_key TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (reason IN ('unsubscribed', 'bounced', 'complained')),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (shop_id, address_key)
) STRICT;
