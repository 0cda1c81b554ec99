-- Multipliers priced per interval (issue 17, docs/product/earn.md#credit-calculation). Until now the
-- credit job took the multipliers' inputs from the devices connected when it ran, so pausing a device
-- just before a run cut the bonus of traffic carried while it shared, and adding one raised it. Now
-- the inputs are recorded with each contribution, in the usage batch's transaction, as they were when
-- the bytes were carried, and the job prices every contribution by its own inputs:
--   counted_devices        the owner's sharing devices (online, not paused) counted by distinct
--                          network of the address the gateway saw (/24 IPv4, /48 IPv6; docs/earn-fraud.md)
--   geo_country            GeoIP country of the address the node connected from; null without evidence
--   country_sharing_nodes  sharing nodes with that GeoIP country (the ultra-rare rule); null with geo_country
--   uptime_since           start of the owner's longest continuous uptime among sharing devices, or null
-- Rows recorded before this migration have counted_devices NULL: their inputs were never recorded and
-- cannot be rebuilt, so the job prices them as it always did, by the state when it runs.
ALTER TABLE bandwidth_contributions
    ADD COLUMN counted_devices       integer CHECK (counted_devices >= 0),
    ADD COLUMN geo_country           char(2) CHECK (geo_country ~ '^[A-Z]{2}$'),
    ADD COLUMN country_sharing_nodes integer CHECK (country_sharing_nodes >= 0),
    ADD COLUMN uptime_since          timestamptz;

-- A device's uncredited rows are read in carry order, per device.
CREATE INDEX bandwidth_contributions_uncredited_order_idx ON bandwidth_contributions (node_id, recorded_at, id)
    WHERE earning_id IS NULL;
DROP INDEX bandwidth_contributions_uncredited_idx;

-- device_earnings now has one row per interval of one state: a device-period whose contributions had
-- different multiplier inputs is credited as consecutive rows (each its own period, carry passed from
-- one to the next), so each row's factors explain its total. The inputs behind the row's factors:
ALTER TABLE device_earnings
    ADD COLUMN counted_devices integer CHECK (counted_devices >= 0),
    ADD COLUMN geo_country     char(2) CHECK (geo_country ~ '^[A-Z]{2}$');

-- What trial bytes of the row were multiplied by (docs/earn-fraud.md: 1 unless
-- iploop.earn.trial-multipliers is on, then the row's multiplier). Rows credited before were not
-- told; they get the setting's default, 1.
ALTER TABLE device_earnings ADD COLUMN trial_multiplier numeric(8,4) NOT NULL DEFAULT 1 CHECK (trial_multiplier >= 1);

-- The earnings table lists periods newest first by their end, the date it shows.
CREATE INDEX device_earnings_user_end_idx ON device_earnings (user_id, period_end DESC, id DESC);
