-- Campaign affiliate programme (docs/affiliates.md). The referral code and who referred whom stay
-- where sign-up records them (earn_operators.referral_code, referrals): one code, one capture.

-- One row per affiliate and visitor cookie: a click counts once per visitor.
CREATE TABLE affiliate_clicks (
    affiliate_id  uuid        NOT NULL REFERENCES users (id),
    visitor_id    varchar(32) NOT NULL,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (affiliate_id, visitor_id)
);

-- One commission per campaign wallet top-up of a referred customer (unique: a replayed top-up
-- event grants nothing twice). Amounts in EUR; the ledger holds the money, this row the facts.
CREATE TABLE affiliate_commissions (
    id                 uuid          PRIMARY KEY,
    affiliate_id       uuid          NOT NULL REFERENCES users (id),
    referee_id         uuid          NOT NULL REFERENCES users (id),
    top_up_transaction uuid          NOT NULL CONSTRAINT affiliate_commissions_top_up UNIQUE,
    top_up_amount      numeric(20,6) NOT NULL CHECK (top_up_amount > 0),
    amount             numeric(20,6) NOT NULL CHECK (amount > 0),
    currency           char(3)       NOT NULL DEFAULT 'EUR' CHECK (currency = 'EUR'),
    status             varchar(12)   NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'available')),
    available_at       timestamptz   NOT NULL,
    pending_transaction uuid         NOT NULL,
    release_transaction uuid,
    released_at        timestamptz,
    created_at         timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT affiliate_commissions_not_self CHECK (affiliate_id <> referee_id)
);
CREATE INDEX affiliate_commissions_affiliate ON affiliate_commissions (affiliate_id, created_at DESC);
CREATE INDEX affiliate_commissions_due ON affiliate_commissions (available_at) WHERE status = 'pending';
