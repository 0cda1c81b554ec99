-- Time-based targeting sessions (docs/billing.md#time-based-targeting): targeting beyond the plan,
-- paid per minute from the customer's prepaid credits. One open session per account at most; the
-- charging job posts one ledger transaction per batch of ended minutes, keyed
-- feature-session:<id>:<first minute index>, and moves minutes_charged in the same transaction.
CREATE TABLE billing_feature_sessions (
    id              uuid          PRIMARY KEY,
    user_id         uuid          NOT NULL REFERENCES users (id),
    -- the most expensive targeting option used so far: it sets the rate
    feature         varchar(10)   NOT NULL CHECK (feature IN ('country', 'state', 'city', 'zip', 'asn', 'isp')),
    rate_per_hour   numeric(12,6) NOT NULL CHECK (rate_per_hour > 0),
    started_at      timestamptz   NOT NULL,
    last_used_at    timestamptz   NOT NULL CHECK (last_used_at >= started_at),
    closed_at       timestamptz,
    close_reason    varchar(20)   CHECK (close_reason IN ('idle', 'credits_exhausted')),
    minutes_charged int           NOT NULL DEFAULT 0 CHECK (minutes_charged >= 0),
    charged_usd     numeric(24,6) NOT NULL DEFAULT 0 CHECK (charged_usd >= 0),
    -- closed and every minute charged (or the credits ran out): the job leaves it alone
    settled         boolean       NOT NULL DEFAULT false,
    CHECK ((closed_at IS NULL) = (close_reason IS NULL))
);

CREATE UNIQUE INDEX billing_feature_sessions_one_open ON billing_feature_sessions (user_id) WHERE closed_at IS NULL;
CREATE INDEX billing_feature_sessions_unsettled ON billing_feature_sessions (started_at) WHERE NOT settled;
CREATE INDEX billing_feature_sessions_user ON billing_feature_sessions (user_id, started_at DESC);
