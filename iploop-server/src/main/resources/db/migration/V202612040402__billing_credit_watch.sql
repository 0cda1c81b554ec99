-- Low-balance alerts and auto top-up of the prepaid credits (docs/billing.md#low-balance-alerts,
-- #auto-top-up). The *_armed flags make each fire once per crossing: cleared when the balance falls
-- under the threshold and the alert or top-up fires, set again when the balance is back at or above it.
CREATE TABLE billing_credit_settings (
    user_id            uuid          PRIMARY KEY REFERENCES users (id),
    low_balance_usd    numeric(12,2) CHECK (low_balance_usd > 0),
    low_balance_armed  boolean       NOT NULL DEFAULT true,
    auto_enabled       boolean       NOT NULL DEFAULT false,
    auto_threshold_usd numeric(12,2) CHECK (auto_threshold_usd > 0),
    auto_package_id    varchar(40),
    auto_max_per_month int           NOT NULL DEFAULT 1 CHECK (auto_max_per_month BETWEEN 1 AND 31),
    auto_armed         boolean       NOT NULL DEFAULT true,
    updated_at         timestamptz   NOT NULL DEFAULT now(),
    CHECK (NOT auto_enabled OR (auto_threshold_usd IS NOT NULL AND auto_package_id IS NOT NULL))
);

-- Invoices created by auto top-up; the cap counts them per calendar month (UTC).
CREATE TABLE billing_auto_top_ups (
    invoice_id uuid        PRIMARY KEY REFERENCES billing_invoices (id),
    user_id    uuid        NOT NULL REFERENCES users (id),
    month      date        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX billing_auto_top_ups_user_month ON billing_auto_top_ups (user_id, month);
