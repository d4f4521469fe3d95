-- Questions and answers about a product (`protocol::questions`). Every question waits for the
-- merchant (`pending`); answering publishes it, rejecting keeps it out. `search_text` is the
-- question and its answer folded as searches compare them (`questions::search_fold`), kept in
-- step by every write of either.
CREATE TABLE questions (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    product_id TEXT NOT NULL,
    body TEXT NOT NULL,
    author TEXT NOT NULL,
    -- To hear of the answer; never returned by public endpoints.
    email TEXT,
    locale TEXT,
    -- Who this row is about, for a shopper's export and erasure (as `reviews.shopper_key`).
    shopper_key TEXT NOT NULL,
    client_hash TEXT NOT NULL,
    body_hash TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'published', 'rejected')),
    hold_reason TEXT,
    answer_body TEXT,
    answered_at INTEGER,
    search_text TEXT NOT NULL,
    helpful_count INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    CHECK (status != 'published' OR answer_body IS NOT NULL)
) STRICT;
CREATE INDEX questions_shown ON questions (shop_id, product_id, created_at)
    WHERE status = 'published';
CREATE INDEX questions_by_status ON questions (shop_id, status, created_at);
CREATE INDEX questions_by_shopper ON questions (shop_id, shopper_key);
CREATE INDEX questions_same_text ON questions (shop_id, product_id, body_hash);

-- "Did this help?" on an answer: one row per browser, counted by distinct client, as
-- `review_votes`.
CREATE TABLE question_votes (
    shop_id TEXT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    question_id TEXT NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    voter_key TEXT NOT NULL,
    client_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (question_id, voter_key)
) STRICT;

-- The outbox takes the answer notice: a message about a question (`question_id`), to the
-- address its author left. SQLite changes a table's checks only by building it again.
CREATE TABLE outreach_messages_new (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL,
    order_id TEXT,
    kind TEXT NOT NULL,
    shipment_id TEXT NOT NULL DEFAULT '',
    review_id TEXT REFERENCES reviews (id) ON DELETE CASCADE,
    case_id TEXT REFERENCES cases (id) ON DELETE CASCADE,
    question_id TEXT REFERENCES questions (id) ON DELETE CASCADE,
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
    CHECK ((kind = 'answer_notice') = (question_id IS NOT NULL)),
    CHECK ((kind IN ('merchant_digest', 'case_answer', 'answer_notice'))
        = (order_id IS NULL AND review_id IS NULL))
) STRICT;
INSERT INTO outreach_messages_new (id, shop_id, order_id, kind, shipment_id, review_id, case_id,
    address_key, due_at, created_at, attempts, claim, claimed_until, sent_at, failed_at,
    skipped_at, outcome, provider_id)
SELECT id, shop_id, order_id, kind, shipment_id, review_id, case_id, address_key, due_at,
    created_at, attempts, claim, claimed_until, sent_at, failed_at, skipped_at, outcome,
    provider_id
FROM outreach_messages;
DROP TABLE outreach_messages;
ALTER TABLE outreach_messages_new RENAME TO outreach_messages;
CREATE UNIQUE INDEX outreach_messages_one_per_review ON outreach_messages (shop_id, review_id, kind)
    WHERE review_id IS NOT NULL;
CREATE UNIQUE INDEX outreach_messages_one_per_question ON outreach_messages (shop_id, question_id)
    WHERE question_id IS NOT NULL;
CREATE INDEX outreach_messages_due ON outreach_messages (due_at)
    WHERE sent_at IS NULL AND failed_at IS NULL AND skipped_at IS NULL;
CREATE INDEX outreach_messages_by_shopper ON outreach_messages (shop_id, address_key, sent_at);
CREATE INDEX outreach_messages_by_shop ON outreach_messages (shop_id, created_at);
CREATE INDEX outreach_messages_by_case ON outreach_messages (case_id) WHERE case_id IS NOT NULL;
