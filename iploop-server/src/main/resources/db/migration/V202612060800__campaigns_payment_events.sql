-- Payment-provider webhook events that fund campaign wallets (docs/campaigns.md#funding). One row per
-- provider event id, inserted before anything is credited: a replayed or concurrent duplicate event
-- finds the row (the primary key serialises concurrent inserts) and changes nothing.
-- status: credited (the wallet got amount), unmatched (no account found; an admin assigns it),
-- rejected (signed but not creditable: not EUR, bad amount, other event type; reason says why).
CREATE TABLE campaign_payment_events (
    event_id        varchar(200)  PRIMARY KEY,
    event_type      varchar(100)  NOT NULL,
    status          varchar(10)   NOT NULL CHECK (status IN ('credited', 'unmatched', 'rejected')),
    reason          text,
    amount          numeric(20, 6),
    currency        varchar(10),
    payer_email     varchar(320),
    reference       varchar(200),
    user_id         uuid          REFERENCES users (id),
    transaction_id  uuid,
    assigned_by     uuid          REFERENCES users (id),
    payload         text          NOT NULL,
    received_at     timestamptz   NOT NULL DEFAULT now(),
    resolved_at     timestamptz,
    CHECK ((status = 'credited') = (user_id IS NOT NULL AND transaction_id IS NOT NULL))
);

CREATE INDEX campaign_payment_events_status_idx ON campaign_payment_events (status, received_at DESC);
