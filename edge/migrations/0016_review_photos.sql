-- Photos in reviews. A photo's bytes are in R2 (binding PHOTOS) under `photos/{shop}/{id}`; this
-- row says what they are and whether they may be shown. An imported photo starts `waiting`, with
-- its address in the other tool, until the scheduled job (`jobs::photos`) copies it (`ready`) or
-- gives up on it (`failed`, with why). A photo is shown when it is `ready`, its own `status` is
-- `published` and so is its review's.
CREATE TABLE review_photos (
    shop_id TEXT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    review_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('published', 'pending', 'rejected')),
    state TEXT NOT NULL CHECK (state IN ('waiting', 'ready', 'failed')),
    source_url TEXT,
    content_type TEXT,
    width INTEGER,
    height INTEGER,
    size INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    error TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (shop_id, id)
) STRICT;

-- A review's photos in order; one photo per place.
CREATE UNIQUE INDEX review_photos_by_review ON review_photos (shop_id, review_id, position);
-- The copies that are due, across shops.
CREATE INDEX review_photos_waiting ON review_photos (next_attempt_at) WHERE state = 'waiting';
