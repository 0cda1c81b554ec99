-- Platform-wide traffic for the admin dashboard (seed 001 §13): today and the last 30 days over all
-- accounts, a range scan on started_at instead of a full scan.
CREATE INDEX usage_records_started_idx ON usage_records (started_at);
