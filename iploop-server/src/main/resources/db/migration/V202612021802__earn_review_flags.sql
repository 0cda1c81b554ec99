-- Earnings jumps raise a review flag (docs/earn-fraud.md): while a user has an open flag, none of
-- their cash-outs is auto-approved; an admin clears it (audited).
CREATE TABLE earn_review_flags (
    id             uuid        PRIMARY KEY,
    user_id        uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    node_id        uuid        REFERENCES nodes (id),   -- null for an owner-wide jump
    scope          varchar(10) NOT NULL CHECK (scope IN ('device', 'owner')),
    period_credits bigint      NOT NULL,
    trailing_avg   numeric     NOT NULL,
    reason         text        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    cleared_at     timestamptz,
    cleared_by     uuid        REFERENCES users (id),
    cleared_note   text
);
CREATE INDEX earn_review_flags_open_idx ON earn_review_flags (user_id) WHERE cleared_at IS NULL;
