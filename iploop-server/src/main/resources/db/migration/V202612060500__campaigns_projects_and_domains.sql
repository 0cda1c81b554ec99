-- Traffic campaigns (docs/campaigns.md): projects whose settings are kept as the exact JSON text the
-- customer saved, the domains customers proved to control, and the visit counters the engine
-- reserves against.

-- A domain an account claimed; verified by a DNS TXT record (covers its subdomains) or by the file
-- /.well-known/iploop-verification.txt (covers that exact host). Re-checked daily; failures counts
-- consecutive failed re-checks, and a domain lapses (verified_at NULL, lapsed_at set) after enough.
CREATE TABLE campaign_domains (
    id               uuid         PRIMARY KEY,
    user_id          uuid         NOT NULL REFERENCES users (id),
    domain           varchar(253) NOT NULL,
    token            varchar(64)  NOT NULL,
    method           varchar(4)   CHECK (method IN ('dns', 'file')),
    verified_at      timestamptz,
    last_checked_at  timestamptz,
    last_error       text,
    failures         int          NOT NULL DEFAULT 0 CHECK (failures >= 0),
    lapsed_at        timestamptz,
    created_at       timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT campaign_domains_user_domain UNIQUE (user_id, domain),
    CHECK ((verified_at IS NULL) OR (method IS NOT NULL))
);

CREATE INDEX campaign_domains_verified_idx ON campaign_domains (verified_at) WHERE verified_at IS NOT NULL;

-- settings is json, not jsonb: json keeps the text as sent (whitespace, key order, escapes), which
-- the API returns byte for byte; jsonb would normalise it. Counters: visits reserved by the engine,
-- today's (UTC day visits_day) and in total; limits of 0 mean none. A limit lowered below what
-- was already reserved is allowed: the reservation grants nothing more.
CREATE TABLE campaign_projects (
    id            uuid         PRIMARY KEY,
    user_id       uuid         NOT NULL REFERENCES users (id),
    name          varchar(100) NOT NULL,
    status        varchar(10)  NOT NULL CHECK (status IN ('active', 'paused', 'stopped', 'completed')),
    status_reason text,
    daily_limit   int          NOT NULL CHECK (daily_limit >= 0),
    total_target  bigint       NOT NULL CHECK (total_target >= 0),
    expires_at    timestamptz,
    settings      json         NOT NULL,
    visits_day    date,
    visits_today  int          NOT NULL DEFAULT 0 CHECK (visits_today >= 0),
    visits_total  bigint       NOT NULL DEFAULT 0 CHECK (visits_total >= 0),
    created_at    timestamptz  NOT NULL DEFAULT now(),
    updated_at    timestamptz  NOT NULL DEFAULT now()
);

CREATE INDEX campaign_projects_user_idx ON campaign_projects (user_id, created_at);
CREATE INDEX campaign_projects_status_idx ON campaign_projects (status);
