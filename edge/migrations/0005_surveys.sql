-- The post-delivery survey: each shop's settings, and one response per order (answered step by
-- step, so a row exists from the moment the survey is opened).

CREATE TABLE survey_settings (
    shop_id TEXT PRIMARY KEY REFERENCES shops (id) ON DELETE CASCADE,
    -- `protocol::survey::SurveySettings` as JSON.
    settings TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE survey_responses (
    shop_id TEXT NOT NULL,
    order_id TEXT NOT NULL,
    -- The order's email hash (when it has one): the recontact cooldown is per shopper.
    shopper_key TEXT,
    -- The highest answer number stored: an older state arriving late never overwrites a newer.
    seq INTEGER NOT NULL DEFAULT 0,
    nps INTEGER CHECK (nps BETWEEN 0 AND 10),
    -- JSON array of `Reason` names.
    reasons TEXT NOT NULL DEFAULT '[]',
    follow_up TEXT,
    csat INTEGER CHECK (csat BETWEEN 1 AND 5),
    ces INTEGER CHECK (ces BETWEEN 1 AND 7),
    comment TEXT,
    -- JSON array of the topics the follow-up and comment touch, tagged when saved.
    topics TEXT NOT NULL DEFAULT '[]',
    locale TEXT,
    opened_at INTEGER NOT NULL,
    -- When the first answer arrived: a response counts once it has one.
    answered_at INTEGER,
    updated_at INTEGER NOT NULL,
    completed_at INTEGER,
    dismissed_at INTEGER,
    PRIMARY KEY (shop_id, order_id),
    FOREIGN KEY (shop_id, order_id) REFERENCES orders (shop_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX survey_responses_by_shopper ON survey_responses (shop_id, shopper_key, opened_at);
CREATE INDEX orders_by_delivery ON orders (shop_id, delivered_at) WHERE delivered_at IS NOT NULL;
