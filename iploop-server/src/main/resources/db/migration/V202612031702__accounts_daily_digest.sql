-- The node operator's opt-in daily digest e-mail (docs/operator-transparency.md#daily-digest): off by
-- default, also for accounts that saved their preferences before it existed.
ALTER TABLE notification_preferences ADD COLUMN daily_digest boolean NOT NULL DEFAULT false;
