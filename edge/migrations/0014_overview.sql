-- The overview (business numbers): what an order's shop refunded, and the indexes its counts
-- read through (a buyer's orders in time; a browser's events of a kind in time).

ALTER TABLE orders ADD COLUMN refunded_minor INTEGER;

-- First and next orders of a buyer (an email hash): standing orders only, as the overview counts.
CREATE INDEX orders_by_buyer ON orders (shop_id, email_hash, placed_at)
    WHERE email_hash IS NOT NULL AND cancelled_at IS NULL;

-- Whether a browser bought within a window after a view or an add to cart.
CREATE INDEX shopper_events_by_browser ON shopper_events (shop_id, browser_key, kind, time);

-- Conversion and cart abandonment, rolled up per UTC day once every window of the day is over
-- (`jobs::overview`): the overview reads these, not a year of events, and they outlive the events'
-- retention. Counts only: no browser is named, so a shopper's erasure has nothing to find here.
-- A day keeps its 500 most viewed products; the overview shows those in the shop's catalog.
CREATE TABLE visit_days (
    shop_id TEXT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    day INTEGER NOT NULL,
    visits INTEGER NOT NULL,
    converted INTEGER NOT NULL,
    carts INTEGER NOT NULL,
    carts_bought INTEGER NOT NULL,
    PRIMARY KEY (shop_id, day)
) STRICT;

CREATE TABLE product_visit_days (
    shop_id TEXT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    day INTEGER NOT NULL,
    product_id TEXT NOT NULL,
    visits INTEGER NOT NULL,
    converted INTEGER NOT NULL,
    PRIMARY KEY (shop_id, day, product_id)
) STRICT;

-- The last day rolled up per shop: later days are counted from the events themselves. `failures`:
-- runs in a row whose roll-up of the shop failed (it waits behind the others).
CREATE TABLE visit_rollups (
    shop_id TEXT PRIMARY KEY REFERENCES shops (id) ON DELETE CASCADE,
    through_day INTEGER NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0
) STRICT;
