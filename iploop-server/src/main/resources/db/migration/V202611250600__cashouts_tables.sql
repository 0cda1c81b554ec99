-- Cash-outs (seed 000 §3.5; issue 4 items 5 and 7). Methods are varchar with CHECKs rather than
-- PostgreSQL enums so a new method is one migration of a CHECK, not an ALTER TYPE. Money is
-- numeric with its currency; the credits moved are whole earn credits (1 credit = USD 0.001).

CREATE TABLE cashout_methods_config (
    method                varchar(30)   PRIMARY KEY
                          CHECK (method IN ('paypal', 'usdt', 'bitcoin', 'bank_transfer', 'amazon_gift_card', 'revolut')),
    min_amount_usd        numeric(10,2) NOT NULL CHECK (min_amount_usd > 0),
    fee_usd               numeric(10,2) NOT NULL DEFAULT 0 CHECK (fee_usd >= 0),
    fee_percent           numeric(5,2)  NOT NULL DEFAULT 0 CHECK (fee_percent >= 0 AND fee_percent < 100),
    currency              char(3)       NOT NULL DEFAULT 'USD',
    processing_time_hours integer       NOT NULL CHECK (processing_time_hours > 0),
    is_active             boolean       NOT NULL DEFAULT TRUE,
    requires_verification boolean       NOT NULL DEFAULT TRUE,
    -- Completed cash-outs of the user after which a new one is approved without an admin; NULL:
    -- always reviewed (bank transfers).
    auto_approve_after    integer       CHECK (auto_approve_after >= 0)
);

-- Seed 000 §3.5.2 verbatim (Revolut is listed but not active yet).
INSERT INTO cashout_methods_config (method, min_amount_usd, fee_usd, fee_percent, processing_time_hours, is_active,
                                    requires_verification, auto_approve_after) VALUES
    ('paypal',           5.00,  0,    0, 72,  TRUE,  TRUE, 3),
    ('usdt',             5.00,  1.00, 0, 24,  TRUE,  TRUE, 3),
    ('bitcoin',          10.00, 0,    0, 24,  TRUE,  TRUE, 5),
    ('bank_transfer',    50.00, 5.00, 0, 168, TRUE,  TRUE, NULL),
    ('amazon_gift_card', 5.00,  0,    0, 1,   TRUE,  TRUE, 3),
    ('revolut',          5.00,  0,    0, 48,  FALSE, TRUE, 3);

CREATE TABLE saved_payment_methods (
    id                uuid         PRIMARY KEY,
    user_id           uuid         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    method            varchar(30)  NOT NULL REFERENCES cashout_methods_config (method),
    label             varchar(100),
    -- AES-256-GCM (platform SecretsCipher) of the JSON details, bound to user_id; never plain.
    details_encrypted text         NOT NULL,
    details_masked    varchar(200) NOT NULL,
    is_default        boolean      NOT NULL DEFAULT FALSE,
    verified          boolean      NOT NULL DEFAULT FALSE,
    -- The e-mailed verification code: SHA-256 only, single use, limited attempts.
    code_hash         varchar(64),
    code_expires_at   timestamptz,
    code_attempts     integer      NOT NULL DEFAULT 0,
    created_at        timestamptz  NOT NULL DEFAULT now()
);

CREATE INDEX saved_payment_methods_user_idx ON saved_payment_methods (user_id, created_at);

CREATE TABLE auto_cashout_config (
    user_id              uuid          PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    enabled              boolean       NOT NULL DEFAULT FALSE,
    threshold_usd        numeric(10,2) NOT NULL DEFAULT 20.00 CHECK (threshold_usd > 0),
    payment_method_id    uuid          REFERENCES saved_payment_methods (id) ON DELETE SET NULL,
    last_auto_cashout_at timestamptz,
    updated_at           timestamptz   NOT NULL DEFAULT now()
);

CREATE TABLE cashout_requests (
    id                        uuid          PRIMARY KEY,
    user_id                   uuid          NOT NULL REFERENCES users (id),
    method                    varchar(30)   NOT NULL REFERENCES cashout_methods_config (method),
    amount_credits            bigint        NOT NULL CHECK (amount_credits > 0),
    amount_usd                numeric(10,2) NOT NULL CHECK (amount_usd > 0),
    fee_usd                   numeric(10,2) NOT NULL DEFAULT 0 CHECK (fee_usd >= 0),
    net_amount_usd            numeric(10,2) NOT NULL CHECK (net_amount_usd > 0),
    currency                  char(3)       NOT NULL DEFAULT 'USD',
    -- A copy of the details at request time (AES-256-GCM, bound to user_id), so deleting a saved
    -- method never changes where a cash-out in flight is paid.
    payment_details_encrypted text          NOT NULL,
    payment_details_masked    varchar(200)  NOT NULL,
    saved_payment_method_id   uuid          REFERENCES saved_payment_methods (id) ON DELETE SET NULL,
    -- CashoutStateMachine decides which changes are allowed; this CHECK only keeps names honest.
    status                    varchar(30)   NOT NULL CHECK (status IN ('awaiting_confirmation', 'pending',
                              'approved', 'processing', 'completed', 'rejected', 'cancelled', 'expired', 'failed')),
    requires_review           boolean       NOT NULL DEFAULT TRUE,
    auto                      boolean       NOT NULL DEFAULT FALSE,
    auto_day                  date,         -- the UTC day of an auto-cash-out: one per user and day
    code_hash                 varchar(64),
    code_expires_at           timestamptz,
    code_attempts             integer       NOT NULL DEFAULT 0,
    admin_notes               text,
    reviewed_by               uuid          REFERENCES users (id),
    reviewed_at               timestamptz,
    provider                  varchar(30),  -- 'paypal' or 'manual' once processing
    provider_reference        varchar(255), -- PayPal payout_batch_id
    payout_attempts           integer       NOT NULL DEFAULT 0,
    next_attempt_at           timestamptz,
    last_error                text,
    transaction_id            varchar(255), -- PayPal or blockchain transaction id
    confirmed_at              timestamptz,
    processed_at              timestamptz,
    completed_at              timestamptz,
    created_at                timestamptz   NOT NULL DEFAULT now(),
    updated_at                timestamptz   NOT NULL DEFAULT now()
);

CREATE INDEX cashout_requests_user_idx ON cashout_requests (user_id, created_at DESC, id DESC);
CREATE INDEX cashout_requests_status_idx ON cashout_requests (status, created_at);
CREATE INDEX cashout_requests_due_idx ON cashout_requests (next_attempt_at) WHERE status = 'processing';
CREATE UNIQUE INDEX cashout_requests_auto_day ON cashout_requests (user_id, auto_day) WHERE auto_day IS NOT NULL;
