-- Cases (issue 20): every unhappy shopper gets an owner and an answer.

-- A case: about an order (`order_id`), or a review without one (`review_id` alone). `subject`
-- is `order:<id>` or `review:<id>`: at most one unresolved case per subject and cause. Erased
-- with its order; a review's own case with the review (the erasure deletes it first); a case
-- about an order only forgets the review behind it.
CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    cause TEXT NOT NULL CHECK (cause IN ('survey', 'review', 'report', 'shipment', 'complaint')),
    subject TEXT NOT NULL,
    order_id TEXT,
    review_id TEXT REFERENCES reviews (id) ON DELETE SET NULL,
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'waiting', 'resolved')),
    owner TEXT,
    resolution_category TEXT,
    resolution TEXT,
    signals INTEGER NOT NULL DEFAULT 1,
    opened_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    first_response_at INTEGER,
    resolved_at INTEGER,
    FOREIGN KEY (shop_id, order_id) REFERENCES orders (shop_id, id) ON DELETE CASCADE,
    CHECK ((state = 'resolved') = (resolved_at IS NOT NULL))
) STRICT;
CREATE UNIQUE INDEX cases_one_unresolved ON cases (shop_id, subject, cause)
    WHERE state != 'resolved';
CREATE INDEX cases_queue ON cases (shop_id, state, opened_at, id);
CREATE INDEX cases_by_order ON cases (shop_id, order_id) WHERE order_id IS NOT NULL;
CREATE INDEX cases_by_review ON cases (review_id) WHERE review_id IS NOT NULL;

-- Everything that happened to a case, oldest first. A signal's line carries its `signal_key`
-- (`survey:<order>`, `review:<id>`, `report:<review>:<reporter>`, `shipment:<order>:<parcel>:…`,
-- `complaint:<id>`), unique per shop: the same signal seen again is not counted again. An
-- answer sent by email names its message (`message_id`).
CREATE TABLE case_history (
    id INTEGER PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    shop_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    text TEXT,
    detail TEXT,
    signal_key TEXT,
    message_id TEXT
) STRICT;
CREATE UNIQUE INDEX case_history_signals ON case_history (shop_id, signal_key)
    WHERE signal_key IS NOT NULL;
CREATE INDEX case_history_by_case ON case_history (case_id, id);
CREATE INDEX case_history_by_message ON case_history (message_id) WHERE message_id IS NOT NULL;

-- A shop's case settings (`protocol::cases::CaseSettings` as JSON).
CREATE TABLE case_settings (
    shop_id TEXT PRIMARY KEY REFERENCES shops (id) ON DELETE CASCADE,
    settings TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- The outbox takes the merchant's answers to cases: a message about a case (`case_id`), with
-- neither an order nor a review of its own (a case may have several answers). SQLite changes a
-- table's checks only by building it again.
CREATE TABLE outreach_messages_new (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL,
    order_id TEXT,
    kind TEXT NOT NULL,
    shipment_id TEXT NOT NULL DEFAULT '',
    review_id TEXT REFERENCES reviews (id) ON DELETE CASCADE,
    case_id TEXT REFERENCES cases (id) ON DELETE CASCADE,
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
    CHECK (order_id IS NULL OR review_id IS NULL),
    CHECK ((kind = 'case_answer') = (case_id IS NOT NULL)),
    CHECK ((kind IN ('merchant_digest', 'case_answer')) = (order_id IS NULL AND review_id IS NULL))
) STRICT;
INSERT INTO outreach_messages_new (id, shop_id, order_id, kind, shipment_id, review_id,
    address_key, due_at, created_at, attempts, claim, claimed_until, sent_at, failed_at,
    skipped_at, outcome, provider_id)
SELECT id, shop_id, order_id, kind, shipment_id, review_id, address_key, due_at, created_at,
    attempts, claim, claimed_until, sent_at, failed_at, skipped_at, outcome, provider_id
FROM outreach_messages;
DROP TABLE outreach_messages;
ALTER TABLE outreach_messages_new RENAME TO outreach_messages;
CREATE UNIQUE INDEX outreach_messages_one_per_review ON outreach_messages (shop_id, review_id, kind)
    WHERE review_id IS NOT NULL;
CREATE INDEX outreach_messages_due ON outreach_messages (due_at)
    WHERE sent_at IS NULL AND failed_at IS NULL AND skipped_at IS NULL;
CREATE INDEX outreach_messages_by_shopper ON outreach_messages (shop_id, address_key, sent_at);
CREATE INDEX outreach_messages_by_shop ON outreach_messages (shop_id, created_at);
CREATE INDEX outreach_messages_by_case ON outreach_messages (case_id) WHERE case_id IS NOT NULL;

-- The hourly look for parcels stuck without news reads only orders not yet delivered.
CREATE INDEX orders_undelivered ON orders (placed_at) WHERE delivered_at IS NULL AND cancelled_at IS NULL;
