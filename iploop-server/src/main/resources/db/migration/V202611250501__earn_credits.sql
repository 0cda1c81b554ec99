-- Earn side of issue 4 (seed 000 §3.3, §3.4, §3.6.3, §3.7). Units: bytes are bytes; GB means
-- 2^30 bytes everywhere in earn (seed 000 §3.6.3 divides by 1073741824); rates are USD per GB;
-- credits are whole numbers, 1 credit = USD 0.001, so USD 0.10/GB = 100 credits/GB (DESIGN §5).
-- Money itself lives in the ledger: these tables explain how each EARN_CREDIT was computed.

-- Tiers by lifetime GB shared (seed 000 §3.3.1). rate_per_gb is the effective base rate of the
-- tier; bonus_multiplier is the same bonus relative to bronze, shown to users, never applied on top.
CREATE TABLE tier_config (
    tier             varchar(10)   PRIMARY KEY CHECK (tier IN ('bronze', 'silver', 'gold')),
    rank             smallint      NOT NULL UNIQUE,
    min_gb_shared    numeric(15,6) NOT NULL,
    rate_per_gb      numeric(10,4) NOT NULL CHECK (rate_per_gb > 0),
    bonus_multiplier numeric(4,2)  NOT NULL DEFAULT 1.0,
    badge_color      varchar(7),
    badge_icon       varchar(50)
);

INSERT INTO tier_config VALUES
    ('bronze', 0, 0,   0.10, 1.0, '#CD7F32', 'shield-bronze'),
    ('silver', 1, 50,  0.12, 1.2, '#C0C0C0', 'shield-silver'),
    ('gold',   2, 500, 0.15, 1.5, '#FFD700', 'shield-gold');

-- Rare-geography multipliers (seed 000 §3.3.4). Countries not listed are 1.0; "ultra-rare" (3.0,
-- fewer than iploop.earn.ultra-rare-below-nodes sharing nodes in the country) is computed by the job.
CREATE TABLE geo_multipliers (
    country    char(2)      PRIMARY KEY CHECK (country ~ '^[A-Z]{2}$'),
    multiplier numeric(4,2) NOT NULL CHECK (multiplier >= 1),
    tier       varchar(20)  NOT NULL CHECK (tier IN ('common', 'uncommon', 'rare'))
);

INSERT INTO geo_multipliers (country, multiplier, tier) VALUES
    ('US', 1.0, 'common'), ('GB', 1.0, 'common'), ('DE', 1.0, 'common'),
    ('FR', 1.0, 'common'), ('CA', 1.0, 'common'), ('AU', 1.0, 'common'),
    ('BR', 1.5, 'uncommon'), ('MX', 1.5, 'uncommon'), ('PL', 1.5, 'uncommon'),
    ('RO', 1.5, 'uncommon'), ('ZA', 1.5, 'uncommon'), ('TH', 1.5, 'uncommon'),
    ('NG', 2.0, 'rare'), ('KE', 2.0, 'rare'), ('PK', 2.0, 'rare'),
    ('BD', 2.0, 'rare'), ('EG', 2.0, 'rare'), ('VN', 2.0, 'rare');

-- One row per user who touched earn: tier (never downgraded), lifetime bytes credited, referral
-- code and who referred them (seed 000 §3.3.1, §3.7). Created on registration or first use.
CREATE TABLE earn_operators (
    user_id         uuid        PRIMARY KEY REFERENCES users (id),
    tier            varchar(10) NOT NULL DEFAULT 'bronze' REFERENCES tier_config (tier),
    lifetime_bytes  bigint      NOT NULL DEFAULT 0 CHECK (lifetime_bytes >= 0),
    tier_updated_at timestamptz,
    referral_code   varchar(20) NOT NULL CONSTRAINT earn_operators_referral_code UNIQUE,
    referred_by     uuid        REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT earn_operators_not_self_referred CHECK (referred_by IS DISTINCT FROM user_id)
);

-- How each device-period's credits were computed (seed 000 §3.6.3), one ledger EARN_CREDIT each.
-- Exact arithmetic: exact_credits = carry_in + bytes / 2^30 * rate_per_gb * 1000 * multiplier;
-- total_credits = floor(exact_credits); carry_out = exact_credits - total_credits (kept per device,
-- so nothing is lost to rounding over time). Multiplier factors are kept so a total is explainable.
CREATE TABLE device_earnings (
    id                    bigserial     PRIMARY KEY,
    node_id               uuid          NOT NULL REFERENCES nodes (id),
    user_id               uuid          NOT NULL REFERENCES users (id),
    period_start          timestamptz   NOT NULL,
    period_end            timestamptz   NOT NULL,
    bytes_shared          bigint        NOT NULL CHECK (bytes_shared > 0),
    tier                  varchar(10)   NOT NULL REFERENCES tier_config (tier),
    rate_per_gb           numeric(10,4) NOT NULL,
    base_credits          numeric       NOT NULL,  -- bytes / 2^30 * rate_per_gb * 1000, exact
    device_multiplier     numeric(4,2)  NOT NULL,  -- 2.0 with 3+ sharing devices (seed 000 §3.3.2)
    uptime_multiplier     numeric(4,2)  NOT NULL,  -- 1.5 after 24 h continuous uptime (§3.3.3)
    geo_multiplier        numeric(4,2)  NOT NULL,  -- §3.3.4, ultra-rare included
    geo_tier              varchar(20)   NOT NULL,
    multiplier            numeric(8,4)  NOT NULL,  -- the product of the three
    carry_in              numeric       NOT NULL CHECK (carry_in >= 0 AND carry_in < 1),
    total_credits         bigint        NOT NULL CHECK (total_credits >= 0),
    carry_out             numeric       NOT NULL CHECK (carry_out >= 0 AND carry_out < 1),
    ledger_transaction_id uuid          REFERENCES ledger_transactions (id),  -- null when 0 credits
    -- The referrer's 10 % of total_credits (seed 000 §3.7), posted as its own REFERRAL_COMMISSION.
    referrer_id           uuid          REFERENCES users (id),
    commission_credits    bigint        NOT NULL DEFAULT 0 CHECK (commission_credits >= 0),
    commission_transaction_id uuid      REFERENCES ledger_transactions (id),
    created_at            timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT device_earnings_period UNIQUE (node_id, period_start),
    CONSTRAINT device_earnings_period_order CHECK (period_end > period_start)
);

CREATE INDEX device_earnings_user_idx ON device_earnings (user_id, period_start DESC);
CREATE INDEX device_earnings_referrer_idx ON device_earnings (referrer_id, period_end) WHERE referrer_id IS NOT NULL;

-- Bytes each node carried, one row per node and usage batch, written in the usage batch's own
-- transaction (exact, never double-counted). earning_id is set when the credit job turned the row
-- into credits; a row is credited once because the job sets it under the device's lock.
CREATE TABLE bandwidth_contributions (
    id          bigserial   PRIMARY KEY,
    node_id     uuid        NOT NULL REFERENCES nodes (id),
    user_id     uuid        NOT NULL REFERENCES users (id),
    bytes       bigint      NOT NULL CHECK (bytes > 0),
    recorded_at timestamptz NOT NULL DEFAULT now(),
    earning_id  bigint      REFERENCES device_earnings (id)
);

CREATE INDEX bandwidth_contributions_uncredited_idx ON bandwidth_contributions (node_id, recorded_at)
    WHERE earning_id IS NULL;
CREATE INDEX bandwidth_contributions_user_idx ON bandwidth_contributions (user_id, recorded_at);
CREATE INDEX bandwidth_contributions_node_idx ON bandwidth_contributions (node_id, recorded_at);

-- Per-device crediting state; its row lock serialises crediting of one device across threads and
-- instances. credited_until: end of the last credited period. carry: fraction of a credit owed.
-- uptime_since/last_seen_at: continuous uptime, broken by a gap over 10 minutes (§3.3.3).
CREATE TABLE earn_device_state (
    node_id        uuid        PRIMARY KEY REFERENCES nodes (id),
    user_id        uuid        NOT NULL REFERENCES users (id),
    credited_until timestamptz,
    carry          numeric     NOT NULL DEFAULT 0 CHECK (carry >= 0 AND carry < 1),
    uptime_since   timestamptz,
    last_seen_at   timestamptz
);

-- Referrals (seed 000 §3.7): the referee got 500 credits; the referrer gets 10 % of the referee's
-- credited earnings for life, rounded down per posting with the remainder carried here.
CREATE TABLE referrals (
    id                        uuid        PRIMARY KEY,
    referrer_id               uuid        NOT NULL REFERENCES users (id),
    referee_id                uuid        NOT NULL CONSTRAINT referrals_referee UNIQUE REFERENCES users (id),
    referral_code             varchar(20) NOT NULL,
    status                    varchar(20) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'churned')),
    referee_total_earnings    bigint      NOT NULL DEFAULT 0,
    referrer_total_commission bigint      NOT NULL DEFAULT 0,
    commission_carry          numeric     NOT NULL DEFAULT 0 CHECK (commission_carry >= 0 AND commission_carry < 1),
    created_at                timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT referrals_not_self CHECK (referrer_id <> referee_id)
);

CREATE INDEX referrals_referrer_idx ON referrals (referrer_id, created_at);
