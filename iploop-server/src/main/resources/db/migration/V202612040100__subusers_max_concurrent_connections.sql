-- A sub-user's own limit of connections open at once (docs/sub-users.md#limits), within the
-- account's plan; null: only the plan's limit applies.
ALTER TABLE sub_users ADD COLUMN max_concurrent_connections integer CHECK (max_concurrent_connections > 0);
