-- Usage carried through the upstream pool (docs/upstream-pool.md#metering): the local pool port the
-- customer used, null for residential (node) and direct traffic. Pool quotas sum only these rows.
ALTER TABLE usage_records ADD COLUMN pool_port integer;
CREATE INDEX usage_records_pool_user_started_idx ON usage_records (user_id, started_at) WHERE pool_port IS NOT NULL;
