-- The intake's hourly bound from all addresses (docs/moderation.md#abuse-reports) and the auto-ban rule
-- abuse-reports both count reports by creation time.
CREATE INDEX abuse_reports_created_idx ON abuse_reports (created_at);
