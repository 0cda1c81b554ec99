-- Customers buy pool plans through billing (docs/upstream-pool.md#buying-a-pool-plan): invoices of
-- package_kind 'pool' (no credits, no GB), and one row per paid pool invoice recording what it granted,
-- so a replayed payment grants once (invoice_id primary key) and a refund takes back exactly that.
ALTER TABLE billing_invoices DROP CONSTRAINT billing_invoices_package_kind_check;
ALTER TABLE billing_invoices ADD CONSTRAINT billing_invoices_package_kind_check
    CHECK (package_kind IN ('credits', 'gb', 'plan', 'overage', 'wallet', 'pool'));

-- Plans customers can buy themselves; Custom plans stay admin-granted.
ALTER TABLE pool_plans ADD COLUMN for_sale boolean NOT NULL DEFAULT false;
UPDATE pool_plans SET for_sale = true WHERE id IN ('basic', 'pro', 'enterprise');

CREATE TABLE pool_purchases (
    invoice_id        uuid          PRIMARY KEY,
    user_id           uuid          NOT NULL,
    plan_id           varchar(32)   NOT NULL REFERENCES pool_plans (id),
    -- the grant's end before and after this purchase (before: null when there was no live grant)
    previous_end      timestamptz,
    new_end           timestamptz   NOT NULL,
    added_seconds     bigint        NOT NULL CHECK (added_seconds > 0),
    created_at        timestamptz   NOT NULL DEFAULT now(),
    revoked_at        timestamptz,
    revoke_reason     varchar(200)
);
CREATE INDEX pool_purchases_user_idx ON pool_purchases (user_id, created_at DESC);
