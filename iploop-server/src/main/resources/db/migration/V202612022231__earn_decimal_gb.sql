-- One definition of a GB (issue 17, docs/product/README.md#units): 10^9 bytes everywhere. Customers
-- were always charged per 10^9 bytes; operators were paid per 2^30 bytes (1,073,741,824), 7.37 % more
-- bytes per "GB" than customers paid for.
--
-- What this migration does with the stored operator rates and thresholds: the numbers stay what the
-- product publishes (tier rates USD 0.10, 0.12 and 0.15 per GB; tiers from 50 and 500 GB shared) and
-- from now on mean per 10^9 bytes. That is a raise of 2^30 / 10^9 - 1 = 7.37 % per byte for every
-- operator, and the tier thresholds are reached 7.37 % fewer bytes sooner; nobody is paid less. We
-- did not convert the rates to odd per-10^9 figures (USD 0.0931/GB) because the published rates are
-- what operators signed up for. lifetime_bytes are bytes and need no change.
--
-- History is not rewritten: device periods credited before this migration were computed with
-- 2^30-byte GB. bytes_per_gb records the GB each row was priced with, so every row's base credits
-- can still be re-derived: base_credits = paid and trial bytes / bytes_per_gb × rate_per_gb × 1000.
ALTER TABLE device_earnings ADD COLUMN bytes_per_gb bigint NOT NULL DEFAULT 1000000000
    CHECK (bytes_per_gb IN (1000000000, 1073741824));
UPDATE device_earnings SET bytes_per_gb = 1073741824;

COMMENT ON COLUMN tier_config.rate_per_gb IS 'USD per GB of 10^9 bytes (before V202612022231: per 2^30 bytes)';
COMMENT ON COLUMN tier_config.min_gb_shared IS 'lifetime GB of 10^9 bytes shared (before V202612022231: 2^30 bytes)';
COMMENT ON COLUMN device_earnings.bytes_per_gb IS 'the GB this row was priced with: 10^9, or 2^30 for rows credited before V202612022231';
