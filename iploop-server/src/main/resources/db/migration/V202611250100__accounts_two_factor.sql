-- TOTP two-factor authentication (seed 000 §9.1). The secret is AES-256-GCM ciphertext
-- (PlatformSecrets), set by setup and enabled only once a code from it was verified.
-- totp_last_step is the RFC 6238 time step of the last accepted code: a code of the same or an
-- earlier step is refused, so an intercepted code cannot be replayed.
ALTER TABLE users
    ADD COLUMN totp_secret      text,
    ADD COLUMN totp_enabled     boolean     NOT NULL DEFAULT false,
    ADD COLUMN totp_verified_at timestamptz,
    ADD COLUMN totp_last_step   bigint;

-- Single-use backup codes: SHA-256 of the normalised code (about 80 random bits each, so a fast
-- hash is enough, like API keys), replaced as a set on regeneration.
CREATE TABLE backup_codes (
    id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  char(64)    NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT backup_codes_user_hash_uk UNIQUE (user_id, code_hash)
);
