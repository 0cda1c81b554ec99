-- Usage retention (docs/privacy.md#retention): per-request rows are kept for a configurable number of
-- days (default 90); older rows are moved into per-account daily aggregates, which are kept.
CREATE TABLE usage_daily (
    user_id          uuid        NOT NULL REFERENCES users (id),
    day              date        NOT NULL,                -- UTC day of started_at
    records          bigint      NOT NULL CHECK (records >= 0),
    request_count    bigint      NOT NULL CHECK (request_count >= 0),
    bytes_downloaded bigint      NOT NULL CHECK (bytes_downloaded >= 0),
    bytes_uploaded   bigint      NOT NULL CHECK (bytes_uploaded >= 0),
    success_count    bigint      NOT NULL CHECK (success_count >= 0),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, day)
);

CREATE INDEX usage_daily_day_idx ON usage_daily (day);

-- One row: how many days per-request rows are kept, and who set it last.
CREATE TABLE usage_retention_settings (
    id               boolean     PRIMARY KEY DEFAULT true CHECK (id),
    per_request_days integer     NOT NULL DEFAULT 90 CHECK (per_request_days BETWEEN 1 AND 3650),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    updated_by       uuid
);

INSERT INTO usage_retention_settings (id) VALUES (true);
