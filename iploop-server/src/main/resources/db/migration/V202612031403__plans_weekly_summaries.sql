-- Weekly usage summary e-mails (docs/plans-and-alerts.md#weekly-usage-summary): one row per account and
-- ISO week sent, so a repeated or concurrent run never mails twice.
CREATE TABLE plan_weekly_summaries (
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    week_start date        NOT NULL,
    sent_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, week_start)
);
