-- API key rotation (seed 000 §9.2): rotating a key issues a successor and leaves the old key working
-- until grace_ends_at (24 h later); replaced_by links it to its successor. A key with replaced_by set
-- does not count towards the 5-key limit (seed 001 §5.5) and cannot be rotated again.
ALTER TABLE api_keys
    ADD COLUMN replaced_by   uuid        REFERENCES api_keys (id) ON DELETE SET NULL,
    ADD COLUMN grace_ends_at timestamptz,
    ADD CONSTRAINT api_keys_whitelist_is_array CHECK (jsonb_typeof(ip_whitelist) = 'array');

-- Account-level IP whitelist (seed 000 §9.3). The seed adds users.ip_whitelist; it lives here instead
-- because the keys feature owns whitelists and never writes another feature's table (DESIGN §2).
-- No row, or an empty array, means every client IP is allowed.
CREATE TABLE account_ip_whitelists (
    user_id    uuid        PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    entries    jsonb       NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(entries) = 'array'),
    updated_at timestamptz NOT NULL DEFAULT now()
);
