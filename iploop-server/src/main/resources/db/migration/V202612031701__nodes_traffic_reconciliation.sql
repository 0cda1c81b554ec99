-- Agent byte reconciliation (docs/operator-transparency.md#agent-byte-reconciliation). Neither table feeds
-- earnings: those come from the gateway's usage records only.
--
-- What the gateway relayed to and from each node over its tunnel, per UTC day (the day of the counter
-- flush), in bytes: the gateway's side of the comparison. The gateway flushes every connected node's
-- counters every 2 s, so the gaps between flushes on one day (each capped at 10 s, so time offline
-- between two connections is not counted) also give the seconds the node was connected that day.
CREATE TABLE node_gateway_daily (
    node_id        uuid        NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
    day            date        NOT NULL,
    bytes          bigint      NOT NULL CHECK (bytes >= 0),
    online_seconds bigint      NOT NULL DEFAULT 0 CHECK (online_seconds >= 0),
    last_flush_at  timestamptz NOT NULL,
    PRIMARY KEY (node_id, day)
);

-- What each agent run says it carried per UTC day (untrusted; bounded by the service). One row per run:
-- a restarted agent counts from zero under a new run id, so the day's agent total is the sum over runs,
-- and a repeated or reordered report keeps the larger count (GREATEST), never adding twice.
CREATE TABLE node_agent_daily_bytes (
    node_id     uuid        NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
    day         date        NOT NULL,
    run_id      uuid        NOT NULL,
    bytes       bigint      NOT NULL CHECK (bytes >= 0),
    reported_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (node_id, day, run_id)
);
