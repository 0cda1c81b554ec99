-- Auto-ban rules (docs/moderation.md#auto-ban-rules). One row of settings (absent: the defaults in
-- code); the poor-quality timer per node; and what each rule did, keyed by its evidence, so the same
-- evidence never quarantines a node twice (also not after an admin lifted the quarantine).
CREATE TABLE autoban_rules (
    id                   smallint    PRIMARY KEY CHECK (id = 1),
    quality_enabled      boolean     NOT NULL,
    quality_below        integer     NOT NULL CHECK (quality_below BETWEEN 1 AND 100),
    quality_for_minutes  integer     NOT NULL CHECK (quality_for_minutes BETWEEN 1 AND 10080),
    quality_min_streams  integer     NOT NULL CHECK (quality_min_streams BETWEEN 1 AND 1000000),
    quality_expiry_hours integer     NOT NULL CHECK (quality_expiry_hours BETWEEN 1 AND 8760),
    abuse_enabled        boolean     NOT NULL,
    abuse_reports        integer     NOT NULL CHECK (abuse_reports BETWEEN 1 AND 1000),
    abuse_window_hours   integer     NOT NULL CHECK (abuse_window_hours BETWEEN 1 AND 720),
    abuse_expiry_hours   integer     NOT NULL CHECK (abuse_expiry_hours BETWEEN 0 AND 8760),
    fraud_enabled        boolean     NOT NULL,
    fraud_expiry_hours   integer     NOT NULL CHECK (fraud_expiry_hours BETWEEN 0 AND 8760),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    updated_by           uuid        REFERENCES users (id)
);

-- A connected node whose score has been below the threshold at every evaluation since low_since.
CREATE TABLE autoban_quality_watch (
    node_id          uuid        PRIMARY KEY REFERENCES nodes (id),
    low_since        timestamptz NOT NULL,
    streams_at_start bigint      NOT NULL,
    highest_quality  integer     NOT NULL,
    lowest_quality   integer     NOT NULL
);

CREATE TABLE autoban_actions (
    rule          varchar(40)  NOT NULL,
    node_id       uuid         NOT NULL REFERENCES nodes (id),
    evidence      varchar(100) NOT NULL,
    moderation_id uuid,
    created_at    timestamptz  NOT NULL DEFAULT now(),
    PRIMARY KEY (rule, node_id, evidence)
);
