-- JWT blacklist (seed 001 §4.5): the SHA-256 of a logged-out token's jti, kept until the token
-- would have expired anyway.
CREATE TABLE revoked_tokens (
    jti_hash   char(64)    PRIMARY KEY,
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    revoked_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);

CREATE INDEX revoked_tokens_expires_idx ON revoked_tokens (expires_at);
