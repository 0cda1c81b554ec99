-- Daily digest e-mails for node operators (docs/operator-transparency.md#daily-digest): one row per account
-- and UTC day digested, inserted in the transaction that puts the mail into the outbox, so a repeated or
-- concurrent run never mails twice.
CREATE TABLE earn_daily_digests (
    user_id uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day     date        NOT NULL,
    sent_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, day)
);
