-- Login sessions (seed 000 §9.4): one per login or registration; the JWT carries the id as `sid`.
-- A session ends by logout, termination, password change or reset (ended_at set); its token is
-- refused from then on. token_hash is the SHA-256 of the JWT's jti, never the token itself.
CREATE TABLE user_sessions (
    id             uuid         PRIMARY KEY,
    user_id        uuid         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash     char(64)     NOT NULL,
    ip_address     inet,
    user_agent     text,
    device_type    varchar(50),
    location       varchar(200),
    two_factor     boolean      NOT NULL DEFAULT false,
    created_at     timestamptz  NOT NULL DEFAULT now(),
    last_active_at timestamptz  NOT NULL DEFAULT now(),
    expires_at     timestamptz  NOT NULL,
    ended_at       timestamptz,
    end_reason     varchar(30)
);

CREATE INDEX user_sessions_user_idx ON user_sessions (user_id, created_at DESC) WHERE ended_at IS NULL;
CREATE INDEX user_sessions_expires_idx ON user_sessions (expires_at);
