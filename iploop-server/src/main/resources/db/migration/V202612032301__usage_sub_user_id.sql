-- The sub-user whose credentials carried a stream (docs/sub-users.md#usage); null for the account's
-- own keys. No foreign key: a sub-user deleted while the gateway still holds its unflushed usage
-- must not make that batch fail; its rows keep the id.
ALTER TABLE usage_records ADD COLUMN sub_user_id uuid;
CREATE INDEX usage_records_sub_user_started_idx ON usage_records (sub_user_id, started_at) WHERE sub_user_id IS NOT NULL;
