-- Sticky-session pins of the embedded gateway (docs/product/proxy.md#sessions-across-restarts), so a
-- session keeps its exit across a restart. Written in batches by the gateway's store thread (never
-- per request), loaded at start, rows past expires_at purged every minute. No foreign keys: a pin
-- outlives neither its lifetime (at most 24 h) nor the purge, and a batch must never fail because an
-- account or a node was deleted meanwhile.
CREATE TABLE proxy_sticky_sessions (
    user_id          uuid        NOT NULL,
    session_id       text        NOT NULL CHECK (length(session_id) BETWEEN 1 AND 64),
    node_id          uuid        NOT NULL,
    targeting        text        NOT NULL DEFAULT '',
    pinned_at        timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL,
    lifetime_seconds bigint      NOT NULL CHECK (lifetime_seconds > 0),
    PRIMARY KEY (user_id, session_id)
);
CREATE INDEX proxy_sticky_sessions_expires_idx ON proxy_sticky_sessions (expires_at);
