-- The plan new accounts start on, admin-configurable (issue 3 item 1): Trial with its 0.5 GB unless
-- an admin picks another plan (seed 001 §4.1's "Starter with 5 GB free" is one such choice).
-- One row; included_gb_override replaces the plan's included GB as the first balance when set.
CREATE TABLE plan_signup_setting (
    id                   boolean       PRIMARY KEY DEFAULT true CHECK (id),
    plan_id              varchar(40)   NOT NULL REFERENCES plans (id),
    included_gb_override numeric(12,3) CHECK (included_gb_override >= 0),
    updated_at           timestamptz   NOT NULL DEFAULT now(),
    updated_by           uuid
);

INSERT INTO plan_signup_setting (plan_id) VALUES ('trial');

-- Admin plan filter and plan distribution (seed 001 §13): active subscriptions per plan.
CREATE INDEX user_plans_active_plan_idx ON user_plans (plan_id) WHERE status = 'active';
