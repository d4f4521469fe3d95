-- Failed API-key attempts per client address (its salted hash): after too many in a window, the
-- address is answered 429 whatever key it sends, so keys cannot be guessed at speed. A correct
-- key does not reset the count: a merchant's own key must not buy another try at someone else's.
CREATE TABLE admin_auth_failures (
    client_hash TEXT PRIMARY KEY,
    window_start INTEGER NOT NULL,
    failures INTEGER NOT NULL
) STRICT;

-- How long a shop keeps its shoppers' browsing events (views, strip impressions and clicks,
-- purchases seen by the beacon) before the scheduled purge deletes them. Thirteen months by
-- default, so a year can be compared with the year before.
ALTER TABLE shops ADD COLUMN event_retention_days INTEGER NOT NULL DEFAULT 395;

-- The purge finds old events and views per shop by time.
CREATE INDEX shopper_events_by_time ON shopper_events (shop_id, time);
CREATE INDEX browser_views_by_time ON browser_views (shop_id, first_at);
