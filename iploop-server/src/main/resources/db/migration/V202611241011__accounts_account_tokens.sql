-- Single-use account tokens (seed 001 §6.11, §4.3, §4.4): password reset (1 h) and e-mail
-- verification. Only the SHA-256 of the token is stored (DESIGN §5).
CREATE TABLE account_tokens (
    id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    varchar(30) NOT NULL CHECK (purpose IN ('password_reset', 'email_verification')),
    token_hash char(64)    NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);

CREATE INDEX account_tokens_user_idx ON account_tokens (user_id, purpose);
