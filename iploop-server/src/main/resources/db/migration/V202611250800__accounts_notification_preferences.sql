-- Per-account e-mail notification preferences (seed 001 §5.10 "Notification Preferences", §14.3).
-- No row means the defaults (every notification on); the settings page writes the row on save.
CREATE TABLE notification_preferences (
    user_id        uuid        PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    low_balance    boolean     NOT NULL DEFAULT true,
    weekly_report  boolean     NOT NULL DEFAULT true,
    security_alerts boolean    NOT NULL DEFAULT true,
    updated_at     timestamptz NOT NULL DEFAULT now()
);
