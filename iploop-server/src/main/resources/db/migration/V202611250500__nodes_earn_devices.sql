-- What the earn dashboard needs of a node (seed 000 §3.2.3, §3.4.1): the nodes row stays the one
-- device registry (one row per agent device id), so earn keys its tables by nodes.id. device_name
-- and sdk_version (the node version) already exist; install_method comes from the agent's
-- POST /api/earn/devices/register. paused_at: the operator paused sharing (the gateway skips the
-- node); removed_at: the operator removed the device from the dashboard (it is also paused until
-- the agent registers again). Rows are never deleted: usage and earnings keep referring to them.
ALTER TABLE nodes
    ADD COLUMN install_method varchar(20)
        CONSTRAINT nodes_install_method CHECK (install_method IN ('docker', 'linux', 'windows', 'macos', 'android')),
    ADD COLUMN paused_at      timestamptz,
    ADD COLUMN removed_at     timestamptz;

-- The gateway polls the paused set about once a second: keep that an index-only scan.
CREATE INDEX nodes_paused_idx ON nodes (id) WHERE paused_at IS NOT NULL;
