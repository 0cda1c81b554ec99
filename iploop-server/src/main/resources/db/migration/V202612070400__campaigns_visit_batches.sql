-- The visits the engine sends for one project in one round, written before the first is sent, so
-- delivered visits and their charge are one durable unit (docs/campaigns.md#charging-exactly-once).
-- state: 'sending' while the round runs (delivered counts each visit the site answered), 'settled'
-- once no more visits will be counted (the undelivered rest was given back to the project's
-- counters), then 'charged' (the wallet spend with the key campaign-spend:<project>:batch:<id> is
-- on the ledger) or 'unpaid' (the wallet could not pay; the project was paused). A batch left in
-- 'sending' or 'settled' by a crashed engine is finished by the next round on any instance.
CREATE TABLE campaign_visit_batches (
    id           uuid          PRIMARY KEY,
    project_id   uuid          NOT NULL REFERENCES campaign_projects (id) ON DELETE CASCADE,
    reserved     int           NOT NULL CHECK (reserved > 0),
    delivered    int           NOT NULL DEFAULT 0 CHECK (delivered >= 0 AND delivered <= reserved),
    rate         numeric(10,4) NOT NULL CHECK (rate > 0),
    state        varchar(8)    NOT NULL CHECK (state IN ('sending', 'settled', 'charged', 'unpaid')),
    reserved_at  timestamptz   NOT NULL,
    settled_at   timestamptz,
    ledger_transaction_id uuid
);

CREATE INDEX campaign_visit_batches_open_idx ON campaign_visit_batches (reserved_at)
    WHERE state IN ('sending', 'settled');
CREATE INDEX campaign_visit_batches_project_idx ON campaign_visit_batches (project_id, reserved_at);
