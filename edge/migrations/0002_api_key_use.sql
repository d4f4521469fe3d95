-- Named merchant API keys: when each was last used (shown to the merchant, so stale keys can be
-- revoked), and one active key per name in a shop.
ALTER TABLE api_keys ADD COLUMN last_used_at INTEGER;
CREATE UNIQUE INDEX api_keys_active_name ON api_keys (shop_id, name) WHERE revoked_at IS NULL;
