-- The merchant's order list (`GET /v1/admin/orders`) pages newest placed first by
-- (placed_at, id): read in this index's order, a page stops after its rows.
CREATE INDEX orders_by_placed ON orders (shop_id, placed_at DESC, id DESC);
