-- Exit nodes (seed 001 §6.5). Differences from the seed: the bandwidth counter is in BYTES
-- (bandwidth_bytes) instead of MB (bandwidth_used_mb), so nothing is lost to rounding; device_id is
-- the agent's persistent id; owner_user_id is the operator whose node key admitted it; local_exit
-- flags the node started by 'iploop server --local-node'. partner_id gets its foreign key when the
-- partners feature creates its table.
CREATE TABLE nodes (
    id                  uuid          PRIMARY KEY DEFAULT gen_random_uuid(),
    device_id           varchar(128)  NOT NULL UNIQUE,
    owner_user_id       uuid          NOT NULL REFERENCES users (id),
    node_key_id         uuid          REFERENCES node_keys (id),
    device_name         varchar(255),
    platform            varchar(40),
    sdk_version         varchar(40),
    ip_address          inet,
    country             char(2),
    country_name        varchar(100),
    city                varchar(100),
    region              varchar(100),
    latitude            numeric(10,8),
    longitude           numeric(11,8),
    asn                 integer       NOT NULL DEFAULT 0,
    isp                 varchar(255),
    carrier             varchar(255),
    connection_type     varchar(20)   CHECK (connection_type IN ('wifi', 'cellular', 'ethernet')),
    device_type         varchar(20),
    status              varchar(20)   NOT NULL DEFAULT 'inactive'
                        CHECK (status IN ('available', 'busy', 'inactive', 'banned')),
    quality_score       integer       NOT NULL DEFAULT 100 CHECK (quality_score BETWEEN 0 AND 100),
    bandwidth_bytes     bigint        NOT NULL DEFAULT 0,      -- bytes carried, both directions
    total_requests      bigint        NOT NULL DEFAULT 0,
    successful_requests bigint        NOT NULL DEFAULT 0,
    local_exit          boolean       NOT NULL DEFAULT false,
    last_heartbeat      timestamptz,
    connected_since     timestamptz,
    partner_id          uuid,
    created_at          timestamptz   NOT NULL DEFAULT now(),
    updated_at          timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT nodes_country_format CHECK (country ~ '^[A-Z]{2}$')
);

CREATE INDEX nodes_owner_idx ON nodes (owner_user_id);
CREATE INDEX nodes_status_country_idx ON nodes (status, country);

CREATE TRIGGER nodes_updated_at BEFORE UPDATE ON nodes
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
