-- Privacy (docs/privacy.md): consent records at sign-up, and the marks of erasure and of the last
-- data export (rate limit of GET /api/account/export).
CREATE TABLE account_consents (
    id          bigserial    PRIMARY KEY,
    user_id     uuid         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    document    varchar(20)  NOT NULL CHECK (document IN ('terms', 'privacy_policy')),
    version     varchar(40)  NOT NULL,
    accepted_at timestamptz  NOT NULL,
    ip_address  inet
);

CREATE INDEX account_consents_user_idx ON account_consents (user_id, accepted_at);

ALTER TABLE users ADD COLUMN erased_at timestamptz;
ALTER TABLE users ADD COLUMN last_data_export_at timestamptz;
