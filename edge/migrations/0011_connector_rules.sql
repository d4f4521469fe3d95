-- Connectors, second step (issue 18): what the database itself holds true about a platform's
-- payloads, cancelled orders, and what the merchant sees of refused deliveries.

-- When the shop cancelled the order (a platform's `cancelled_at`, the merchant API's
-- `cancelled_at`): the tracker shows it cancelled unless a parcel of it was delivered.
ALTER TABLE orders ADD COLUMN cancelled_at INTEGER;

-- Orders a shopper's erasure took away. A platform resends an order whenever it changes (and
-- retries old deliveries for hours): none of that may bring the order back. Holds only a salted
-- hash of the order's id (`pseudonyms::erased_order`), so nothing here names the order or its
-- shopper; a payload's guard carries the same hash of its order (`connector_orders.order_key`).
CREATE TABLE erased_orders (
    shop_id TEXT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    order_key TEXT NOT NULL,
    erased_at INTEGER NOT NULL,
    PRIMARY KEY (shop_id, order_key)
) STRICT;
ALTER TABLE connector_orders ADD COLUMN order_key TEXT;

-- Of two payloads of one order, the one the platform changed later counts, whichever arrives
-- last. The write of a payload and this check are one transaction: the write's batch notes the
-- payload's time here, and a time not later than the one stored aborts the whole batch, so two
-- payloads taken at the same moment cannot both pass. (A parcel at the same time as its order
-- does not move the time, so it passes: see store::connectors.)
CREATE TRIGGER connector_orders_only_forward BEFORE UPDATE OF changed_at ON connector_orders
WHEN NEW.changed_at <= OLD.changed_at
BEGIN
    SELECT RAISE(ABORT, 'memnun: stale connector payload');
END;

CREATE TRIGGER connector_orders_not_erased BEFORE INSERT ON connector_orders
WHEN EXISTS (
    SELECT 1 FROM erased_orders WHERE shop_id = NEW.shop_id AND order_key = NEW.order_key
)
BEGIN
    SELECT RAISE(ABORT, 'memnun: erased order');
END;

-- The platform's id for the event a delivery tells of (Shopify's `X-Shopify-Event-Id`): two
-- subscriptions to one topic deliver one event twice, under two delivery ids.
ALTER TABLE connector_deliveries ADD COLUMN event_id TEXT;
CREATE INDEX connector_deliveries_event ON connector_deliveries (shop_id, platform, event_id);
-- Why a delivery was refused or put off, for the merchant (`refused`, `retry`).
ALTER TABLE connector_deliveries ADD COLUMN detail TEXT;

-- When a request came whose signature was not the secret's (noted at most once an hour): the
-- merchant's sign, if deliveries stopped, that the secret given is not the one the platform signs
-- with. One time per connector, so nothing an outsider sends grows the database.
ALTER TABLE connectors ADD COLUMN signature_refused_at INTEGER;

-- What the catalog needs of a platform that does not say it with each product: the currency
-- its prices are in and the language its titles are written in (the merchant sets both).
ALTER TABLE connectors ADD COLUMN currency TEXT NOT NULL DEFAULT 'TRY';
ALTER TABLE connectors ADD COLUMN locale TEXT NOT NULL DEFAULT 'tr';

-- When the platform last changed each product it sent, as `connector_orders` for orders: of two
-- payloads of one product the later one counts, and a deleted product (noted as changed when
-- memnun took the deletion) is not brought back by an update sent before it.
CREATE TABLE connector_products (
    shop_id TEXT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    product_id TEXT NOT NULL,
    changed_at INTEGER NOT NULL,
    PRIMARY KEY (shop_id, product_id)
) STRICT;

CREATE TRIGGER connector_products_only_forward BEFORE UPDATE OF changed_at ON connector_products
WHEN NEW.changed_at <= OLD.changed_at
BEGIN
    SELECT RAISE(ABORT, 'memnun: stale connector payload');
END;
