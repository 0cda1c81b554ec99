-- Subscriptions (seed 001 §6.4). At most one active subscription per account.
CREATE TABLE user_plans (
    id         uuid          PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    uuid          NOT NULL REFERENCES users (id),
    plan_id    varchar(40)   NOT NULL REFERENCES plans (id),
    gb_balance numeric(15,6) NOT NULL DEFAULT 0,
    gb_used    numeric(15,6) NOT NULL DEFAULT 0,
    status     varchar(20)   NOT NULL DEFAULT 'active'
               CHECK (status IN ('active', 'suspended', 'cancelled')),
    started_at timestamptz   NOT NULL DEFAULT now(),
    expires_at timestamptz
);

CREATE UNIQUE INDEX user_plans_one_active_uk ON user_plans (user_id) WHERE status = 'active';
CREATE INDEX user_plans_user_idx ON user_plans (user_id, started_at);
