-- Shoppers' events that went through the event queue and failed there past its retries: the
-- dead-letter queue's consumer parks each message here, in its shop's database, and the
-- every-minute job stores them (`handlers::recommend::ingest`). Keyed by the queue's message
-- id, so a message delivered twice is parked once; its events count once by their own ids.
CREATE TABLE parked_events (
    message_id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL,
    -- The queued message as JSON (`ingest::QueuedEvents`).
    body TEXT NOT NULL,
    parked_at INTEGER NOT NULL
) STRICT;
CREATE INDEX parked_events_by_age ON parked_events (parked_at);
