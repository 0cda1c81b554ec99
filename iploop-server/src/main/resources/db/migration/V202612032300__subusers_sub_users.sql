-- Sub-users of an account (docs/sub-users.md): their own proxy credentials (username
-- CUSTOMERID-sub-NAME, a secret stored as SHA-256 like API keys), traffic limit, request limits
-- within the plan, allowed targeting, IP whitelist and expiry.
CREATE TABLE sub_users (
    id                  uuid         PRIMARY KEY,
    user_id             uuid         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- the parent's public customer id (immutable), so the proxy credential check is one lookup
    customer_id         varchar(32)  NOT NULL,
    name                varchar(32)  NOT NULL CHECK (name ~ '^[a-z0-9_]{1,32}$'),
    secret_hash         char(64)     NOT NULL UNIQUE,
    secret_prefix       varchar(16)  NOT NULL,
    enabled             boolean      NOT NULL DEFAULT true,
    -- null: no own limit (the account's balance still applies)
    traffic_limit_bytes bigint       CHECK (traffic_limit_bytes > 0),
    traffic_period      varchar(8)   NOT NULL DEFAULT 'month' CHECK (traffic_period IN ('month', 'total')),
    requests_per_second integer      NOT NULL DEFAULT 0 CHECK (requests_per_second >= 0),
    requests_per_day    bigint       NOT NULL DEFAULT 0 CHECK (requests_per_day >= 0),
    allowed_countries   text[]       NOT NULL DEFAULT '{}',
    city_allowed        boolean      NOT NULL DEFAULT true,
    ip_whitelist        text[]       NOT NULL DEFAULT '{}',
    expires_at          timestamptz,
    -- set when the limit period's bytes reached the limit; notified once by the limit job
    limit_reached_at    timestamptz,
    limit_notified      boolean      NOT NULL DEFAULT false,
    created_at          timestamptz  NOT NULL DEFAULT now(),
    updated_at          timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT sub_users_name_unique UNIQUE (customer_id, name)
);
CREATE INDEX sub_users_user ON sub_users (user_id, created_at);

-- Bytes carried per sub-user and UTC month (from the stored usage records, in their transaction),
-- so a limit check reads one or a few rows instead of summing usage_records. No foreign key: a
-- usage batch of a sub-user deleted meanwhile must not fail on it (its rows are deleted with it).
CREATE TABLE sub_user_traffic (
    sub_user_id uuid   NOT NULL,
    month       date   NOT NULL,
    bytes       bigint NOT NULL CHECK (bytes >= 0),
    PRIMARY KEY (sub_user_id, month)
);
