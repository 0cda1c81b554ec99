-- Destination port of each usage record (docs/operator-transparency.md#destination-ports): the port the
-- customer asked for, next to target_host. Null for rows written before ports were recorded and for
-- refusals before the target was parsed. Nullable without a default: adding it rewrites no rows.
ALTER TABLE usage_records ADD COLUMN target_port integer CHECK (target_port BETWEEN 1 AND 65535);
