-- The identifiers Google Shopping matches a product's reviews by (the review feed,
-- `GET /v1/shops/{shop}/feeds/google-product-reviews.xml`): JSON arrays of GTINs, manufacturer
-- part numbers and SKUs (one per variant of a product that has many), and the brand.
ALTER TABLE catalog_items ADD COLUMN gtins TEXT NOT NULL DEFAULT '[]';
ALTER TABLE catalog_items ADD COLUMN mpns TEXT NOT NULL DEFAULT '[]';
ALTER TABLE catalog_items ADD COLUMN skus TEXT NOT NULL DEFAULT '[]';
ALTER TABLE catalog_items ADD COLUMN brand TEXT;
