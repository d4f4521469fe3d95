-- Photos shoppers add to their reviews. The browser sends each photo (and its thumbnail) on its
-- own, carrying the review's `photo_key`, a UUID the browser chose: whichever of the review and
-- its photo arrives first, the second joins them. Until its review arrives a photo has no
-- `review_id`; one whose review never comes (a bot's, one refused) is deleted with its bytes a
-- week later (`jobs::photos`), when the browser's outbox has given up on the review too.
CREATE TABLE review_photos_new (
    shop_id TEXT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    review_id TEXT,
    photo_key TEXT,
    position INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('published', 'pending', 'rejected')),
    state TEXT NOT NULL CHECK (state IN ('waiting', 'ready', 'failed')),
    source_url TEXT,
    content_type TEXT,
    width INTEGER,
    height INTEGER,
    size INTEGER,
    -- A shopper's photo has a thumbnail beside it in R2 (`…/{id}/thumbnail`); an imported one
    -- does not, and its full photo stands in.
    thumbnail_type TEXT,
    thumbnail_size INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    error TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (shop_id, id),
    CHECK (review_id IS NOT NULL OR photo_key IS NOT NULL)
) STRICT;
INSERT INTO review_photos_new (shop_id, id, review_id, position, status, state, source_url,
    content_type, width, height, size, attempts, next_attempt_at, error, created_at)
SELECT shop_id, id, review_id, position, status, state, source_url, content_type, width, height,
    size, attempts, next_attempt_at, error, created_at
FROM review_photos;
DROP TABLE review_photos;
ALTER TABLE review_photos_new RENAME TO review_photos;

CREATE UNIQUE INDEX review_photos_by_review ON review_photos (shop_id, review_id, position);
CREATE INDEX review_photos_waiting ON review_photos (next_attempt_at) WHERE state = 'waiting';
-- One photo per place of a review's key, so a key never has more than four.
CREATE UNIQUE INDEX review_photos_by_key ON review_photos (shop_id, photo_key, position)
    WHERE photo_key IS NOT NULL;
-- Photos whose review has not come: for the purge, and counted per shop against their cap.
CREATE INDEX review_photos_unclaimed ON review_photos (shop_id, created_at) WHERE review_id IS NULL;
-- The merchant's queue of photos to look at.
CREATE INDEX review_photos_pending ON review_photos (shop_id, review_id) WHERE status = 'pending';

ALTER TABLE reviews ADD COLUMN photo_key TEXT;
CREATE UNIQUE INDEX reviews_by_photo_key ON reviews (shop_id, photo_key)
    WHERE photo_key IS NOT NULL;
