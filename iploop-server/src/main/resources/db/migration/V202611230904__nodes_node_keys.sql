-- Operator node keys: 'ipn_' + 48 hex, stored as SHA-256 hex only; a node agent logs in with one.
CREATE TABLE node_keys (
    id            uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    owner_user_id uuid         NOT NULL REFERENCES users (id),
    key_hash      char(64)     NOT NULL UNIQUE,
    key_prefix    varchar(20)  NOT NULL,
    name          varchar(100) NOT NULL,
    created_at    timestamptz  NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz,
    CONSTRAINT node_keys_hash_format CHECK (key_hash ~ '^[0-9a-f]{64}$')
);

CREATE INDEX node_keys_owner_idx ON node_keys (owner_user_id, created_at);
