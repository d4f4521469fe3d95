-- Reviews a merchant can trust and run: moderation policy and queue with an audit log, replies,
-- verified buyers (review tokens), helpful votes, shopper reports, imports, and rotating token
-- secrets.

-- The shop's moderation policy (protocol::moderation::ModerationPolicy), one row per shop;
-- a shop without a row uses the default policy.
CREATE TABLE moderation_policies (
    shop_id TEXT PRIMARY KEY REFERENCES shops (id) ON DELETE CASCADE,
    -- The policy as JSON: mode, hold_at_or_below, block_list, use_default_block_list,
    -- report_threshold, notice_tr, notice_en. Read whole on every review write.
    policy TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- Token secrets (HMAC keys of signed links). The newest unretired one signs; every unretired one
-- verifies, so links already sent keep working until the merchant retires their secret.
CREATE TABLE shop_secrets (
    shop_id TEXT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    kid TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    retired_at INTEGER,
    PRIMARY KEY (shop_id, kid)
) STRICT;
INSERT INTO shop_secrets (shop_id, kid, secret, created_at)
    SELECT id, 's1', token_secret, created_at FROM shops;
ALTER TABLE shops DROP COLUMN token_secret;

-- Why a review waits in the queue (protocol::moderation::HoldReason), when it was last
-- moderated; whether a review token proved the purchase, and of which order; the helpful count
-- and distinct reports, maintained with the vote and report rows; the shop's public reply.
ALTER TABLE reviews ADD COLUMN hold_reason TEXT;
ALTER TABLE reviews ADD COLUMN verified INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reviews ADD COLUMN order_id TEXT;
ALTER TABLE reviews ADD COLUMN helpful_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reviews ADD COLUMN report_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reviews ADD COLUMN reply_body TEXT;
ALTER TABLE reviews ADD COLUMN reply_at INTEGER;
-- Duplicate-text detection: a hash of the folded body, per product, within a day.
ALTER TABLE reviews ADD COLUMN body_hash TEXT;
-- Where the review came from: 'widget' or 'import'; and for imports, the key that makes
-- importing the same file twice add nothing.
ALTER TABLE reviews ADD COLUMN source TEXT NOT NULL DEFAULT 'widget';
ALTER TABLE reviews ADD COLUMN import_key TEXT;

-- The public list's other orders (highest, lowest, most helpful), each paged by its own key.
CREATE INDEX reviews_by_rating ON reviews (shop_id, product_id, status, rating, created_at DESC, id DESC);
CREATE INDEX reviews_by_helpful ON reviews (shop_id, product_id, status, helpful_count DESC, created_at DESC, id DESC);
-- The moderation queue and the merchant's list, newest first, by status.
CREATE INDEX reviews_by_status ON reviews (shop_id, status, created_at DESC, id DESC);
CREATE INDEX reviews_by_body ON reviews (shop_id, product_id, body_hash, created_at);
-- One review per product per order for verified reviews.
CREATE UNIQUE INDEX reviews_verified_order ON reviews (shop_id, order_id, product_id) WHERE order_id IS NOT NULL;
CREATE UNIQUE INDEX reviews_import_key ON reviews (shop_id, import_key) WHERE import_key IS NOT NULL;

-- "Was this helpful?": one vote per browser (a random id the widget keeps) per review. The
-- voter id is stored hashed.
CREATE TABLE review_votes (
    shop_id TEXT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    review_id TEXT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    voter_key TEXT NOT NULL,
    client_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (review_id, voter_key)
) STRICT;

-- "Report this review": one report per browser per review, with its reason.
CREATE TABLE review_reports (
    shop_id TEXT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    review_id TEXT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    reporter_key TEXT NOT NULL,
    reason TEXT NOT NULL,
    note TEXT NOT NULL,
    client_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (review_id, reporter_key)
) STRICT;
CREATE INDEX review_reports_by_shop ON review_reports (shop_id, created_at DESC);

-- Every moderation action, kept for the merchant to read: who (the API key's name, or 'system'
-- for the policy and the report threshold), when, what, why.
CREATE TABLE moderation_log (
    id INTEGER PRIMARY KEY,
    shop_id TEXT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    review_id TEXT NOT NULL,
    action TEXT NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX moderation_log_by_shop ON moderation_log (shop_id, id DESC);
