-- Proxy API keys (seed 001 §6.2): 'iploop_' + 48 hex, stored as SHA-256 hex only.
CREATE TABLE api_keys (
    id           uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      uuid         NOT NULL REFERENCES users (id),
    key_hash     char(64)     NOT NULL UNIQUE,                  -- lowercase hex SHA-256 of the key
    key_prefix   varchar(20)  NOT NULL,                         -- first 14 chars, for display
    name         varchar(100) NOT NULL,
    permissions  jsonb        NOT NULL DEFAULT '["proxy"]',
    ip_whitelist jsonb        NOT NULL DEFAULT '[]',            -- IPs/CIDRs, max 50
    is_active    boolean      NOT NULL DEFAULT true,
    last_used_at timestamptz,
    expires_at   timestamptz,
    created_at   timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT api_keys_hash_format CHECK (key_hash ~ '^[0-9a-f]{64}$')
);

CREATE INDEX api_keys_user_idx ON api_keys (user_id, created_at);
