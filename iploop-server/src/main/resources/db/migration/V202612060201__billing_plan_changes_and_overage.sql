-- Plan changes made through billing and overage billed at the period end (docs/billing.md#plan-changes,
-- docs/billing.md#overage).

-- Invoices now also bill a plan upgrade's prorated difference ('plan') and a period's overage ('overage').
ALTER TABLE billing_invoices DROP CONSTRAINT billing_invoices_package_kind_check;
ALTER TABLE billing_invoices ADD CONSTRAINT billing_invoices_package_kind_check
    CHECK (package_kind IN ('credits', 'gb', 'plan', 'overage'));

-- One row per plan upgrade billed by us: what was credited for the old plan and charged for the new one.
CREATE TABLE billing_plan_changes (
    id              uuid          PRIMARY KEY,
    user_id         uuid          NOT NULL REFERENCES users (id),
    subscription_id uuid          NOT NULL,           -- the plans feature's subscription
    from_plan       varchar(40)   NOT NULL,
    to_plan         varchar(40)   NOT NULL,
    provider        varchar(20)   NOT NULL,           -- manual or stripe
    period_start    timestamptz   NOT NULL,
    period_end      timestamptz   NOT NULL,
    changed_at      timestamptz   NOT NULL,
    credit_cents    bigint        NOT NULL CHECK (credit_cents >= 0),  -- unused share of the old price
    charge_cents    bigint        NOT NULL CHECK (charge_cents >= 0),  -- new price for the rest of the period
    amount_cents    bigint        NOT NULL CHECK (amount_cents = charge_cents - credit_cents),
    gb_delta        numeric(21,9) NOT NULL,
    invoice_id      uuid          REFERENCES billing_invoices (id),
    stripe_subscription varchar(255)
);

CREATE INDEX billing_plan_changes_user_idx ON billing_plan_changes (user_id, changed_at DESC);

-- One row per subscription and closed period with overage: the key that makes it billed once,
-- whatever the number of runs or instances. stripe_invoice_item is set once Stripe has the item.
CREATE TABLE billing_overage_charges (
    subscription_id     uuid          NOT NULL,
    period_start        timestamptz   NOT NULL,
    period_end          timestamptz   NOT NULL,
    user_id             uuid          NOT NULL REFERENCES users (id),
    plan_id             varchar(40)   NOT NULL,
    gb                  numeric(21,9) NOT NULL CHECK (gb > 0),
    price_per_gb        numeric(10,4) NOT NULL,
    amount_cents        bigint        NOT NULL CHECK (amount_cents >= 0),
    provider            varchar(20)   NOT NULL,
    invoice_id          uuid          REFERENCES billing_invoices (id),
    ledger_transaction_id uuid,
    stripe_customer     varchar(255),
    stripe_invoice_item varchar(255),
    created_at          timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (subscription_id, period_start)
);

CREATE INDEX billing_overage_charges_stripe_pending_idx ON billing_overage_charges (created_at)
    WHERE provider = 'stripe' AND stripe_invoice_item IS NULL;
