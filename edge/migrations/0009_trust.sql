-- Trust under attack (issue 16): what outsiders send counts per client, not per made-up id;
-- order lookups have budgets a stranger cannot spend for the buyer; keys have scopes; webhook
-- deliveries are claimed before they are sent.

-- A merchant's approval clears the reports counted so far: they stay for the record, and only
-- reports made after it (cleared_at NULL) count towards holding the review again.
ALTER TABLE review_reports ADD COLUMN cleared_at INTEGER;

-- Failed order lookups per budget, in fixed windows (edge/src/orders.rs): per email (its salted
-- hash, a day), so one address list cannot be walked through order numbers from many clients,
-- and per shop (an hour), so many clients together cannot either. Only failures count: a
-- shopper who types their own number and email is never refused for someone else's guesses
-- until that budget is spent.
CREATE TABLE lookup_failures (
    budget TEXT PRIMARY KEY,
    window_start INTEGER NOT NULL,
    failures INTEGER NOT NULL
) STRICT;

-- What a key may do (protocol::shop::ApiKeyScope): `read` keys only read, `moderate` keys also
-- decide and reply to reviews, `full` keys do everything. Existing keys keep doing everything.
ALTER TABLE api_keys ADD COLUMN scope TEXT NOT NULL DEFAULT 'full'
    CHECK (scope IN ('full', 'read', 'moderate'));

-- A run of the scheduled handler claims the deliveries it sends (`claim`, its random id) until
-- `claimed_until`: an overlapping run skips them, and a run that died lets them go when the
-- lease ends (edge/src/webhooks.rs).
ALTER TABLE webhook_outbox ADD COLUMN claim TEXT;
ALTER TABLE webhook_outbox ADD COLUMN claimed_until INTEGER;
CREATE INDEX webhook_outbox_by_claim ON webhook_outbox (claim) WHERE claim IS NOT NULL;

-- The secret a new one replaced still signs, beside it, until `previous_secret_until`, so the
-- merchant's receiver can be updated without missing an event.
ALTER TABLE webhooks ADD COLUMN previous_secret TEXT;
ALTER TABLE webhooks ADD COLUMN previous_secret_until INTEGER;

-- What a stored answer is about (a review id, an order id), where it holds a shopper's words:
-- erasing the shopper erases the replay too (edge/src/shoppers.rs).
ALTER TABLE idempotency_keys ADD COLUMN subject TEXT;
CREATE INDEX idempotency_keys_by_subject ON idempotency_keys (shop_id, subject)
    WHERE subject IS NOT NULL;
