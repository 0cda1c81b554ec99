-- A dispute won gives back the pool access its chargeback took (docs/upstream-pool.md#buying-a-pool-plan):
-- a revocation records how much of the grant it actually removed (less than the purchase added when
-- the grant was ending anyway), and a purchase given back is no longer revoked, so a later refund of
-- the same invoice takes it back again.
ALTER TABLE pool_purchases ADD COLUMN taken_seconds bigint CHECK (taken_seconds >= 0);
ALTER TABLE pool_purchases ADD COLUMN reinstated_at timestamptz;
