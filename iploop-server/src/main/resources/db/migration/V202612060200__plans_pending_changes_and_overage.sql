-- Plan changes scheduled for the period end, card-paid renewal and overage (docs/billing.md#plan-changes,
-- docs/billing.md#overage, docs/plans-and-alerts.md#periods-and-renewal).
--   pending_plan_id    the plan the subscription moves to at its period end (a downgrade), or NULL;
--   pending_cancel     the subscription ends at its period end (expires_at is set to it as well);
--   pending_since      when the pending change was asked for;
--   renews_on_payment  a payment provider (Stripe) renews the period when the next period is paid:
--                      the renewal job leaves it alone.
ALTER TABLE user_plans
    ADD COLUMN pending_plan_id   varchar(40) REFERENCES plans (id),
    ADD COLUMN pending_cancel    boolean     NOT NULL DEFAULT false,
    ADD COLUMN pending_since     timestamptz,
    ADD COLUMN renews_on_payment boolean     NOT NULL DEFAULT false,
    ADD CONSTRAINT user_plans_pending_ck CHECK (NOT (pending_cancel AND pending_plan_id IS NOT NULL));

-- What the renewal of a period did besides the GB: the plan before and after (a scheduled change)
-- and the GB used beyond everything the period had (overage, billed by billing at the period end).
ALTER TABLE plan_renewals
    ADD COLUMN old_plan_id varchar(40),
    ADD COLUMN new_plan_id varchar(40),
    ADD COLUMN overage_gb  numeric(21,9) NOT NULL DEFAULT 0 CHECK (overage_gb >= 0);
