-- Plan periods and renewal (docs/plans-and-alerts.md#periods-and-renewal).
-- renewal: what happens to a subscription's GB at the end of its period:
--   'none'     the allowance is one-off (Trial, Pay-as-you-go, Enterprise with no byte limit): no periods end;
--   'reset'    the balance becomes the plan's included GB, unused GB are lost;
--   'rollover' the balance becomes the plan's included GB plus the unused GB, at most one period's
--              included GB carried (so the balance never exceeds twice the included GB).
ALTER TABLE plans
    ADD COLUMN renewal varchar(10) NOT NULL DEFAULT 'reset' CHECK (renewal IN ('none', 'reset', 'rollover'));

UPDATE plans SET renewal = 'none'     WHERE id IN ('trial', 'payg', 'enterprise');
UPDATE plans SET renewal = 'reset'    WHERE id IN ('starter', 'growth');
UPDATE plans SET renewal = 'rollover' WHERE id = 'business';

-- The current period of a subscription: [period_start, period_end). period_end is NULL for plans
-- that do not renew. period_gb_used counts this period's usage (gb_used stays the lifetime total).
ALTER TABLE user_plans
    ADD COLUMN period_start   timestamptz,
    ADD COLUMN period_end     timestamptz,
    ADD COLUMN period_gb_used numeric(21,9) NOT NULL DEFAULT 0;

UPDATE user_plans up SET period_start = up.started_at,
       period_end = CASE WHEN p.renewal = 'none' THEN NULL ELSE (up.started_at AT TIME ZONE 'UTC' + interval '1 month') AT TIME ZONE 'UTC' END,
       period_gb_used = up.gb_used
FROM plans p WHERE p.id = up.plan_id;

ALTER TABLE user_plans
    ALTER COLUMN period_start SET DEFAULT now(),
    ALTER COLUMN period_start SET NOT NULL,
    ADD CONSTRAINT user_plans_period_ck CHECK (period_end IS NULL OR period_end > period_start);

-- The renewal job's work list: active subscriptions whose period has ended.
CREATE INDEX user_plans_period_due_idx ON user_plans (period_end) WHERE status = 'active' AND period_end IS NOT NULL;

-- One row per renewed period: the unique key makes a renewal happen exactly once per subscription
-- and period, whatever the number of runs, instances or crashes.
CREATE TABLE plan_renewals (
    subscription_id  uuid          NOT NULL REFERENCES user_plans (id),
    period_start     timestamptz   NOT NULL,
    new_period_start timestamptz   NOT NULL,
    new_period_end   timestamptz   NOT NULL,
    rule             varchar(10)   NOT NULL,
    old_gb_balance   numeric(21,9) NOT NULL,
    new_gb_balance   numeric(21,9) NOT NULL,
    renewed_at       timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (subscription_id, period_start)
);
