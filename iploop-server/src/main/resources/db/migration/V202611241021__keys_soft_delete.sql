-- Deleting an API key marks it deleted instead of removing the row: usage of the key still in the
-- gateway's unflushed batch must keep its api_key_id (usage_records references api_keys), and the
-- per-key usage history stays attributable. A deleted key never authenticates and is never listed.
ALTER TABLE api_keys ADD COLUMN deleted_at timestamptz;
