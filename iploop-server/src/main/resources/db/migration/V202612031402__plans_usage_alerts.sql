-- Usage alerts (docs/plans-and-alerts.md#usage-alerts): per account, which thresholds of the period's
-- GB to be told about (80 % and 100 % by default, plus an optional custom one); no row = the defaults.
CREATE TABLE plan_alert_settings (
    user_id        uuid        PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    at_80          boolean     NOT NULL DEFAULT true,
    at_100         boolean     NOT NULL DEFAULT true,
    custom_percent integer     CHECK (custom_percent BETWEEN 1 AND 100),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- One row per threshold reached in a period: the key makes each alert fire at most once per period.
CREATE TABLE plan_usage_alerts (
    subscription_id uuid        NOT NULL REFERENCES user_plans (id),
    period_start    timestamptz NOT NULL,
    threshold       integer     NOT NULL CHECK (threshold BETWEEN 1 AND 100),
    fired_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (subscription_id, period_start, threshold)
);
