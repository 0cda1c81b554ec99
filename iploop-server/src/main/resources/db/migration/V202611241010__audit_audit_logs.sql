-- Audit log (seed 000 §9.5): security-relevant actions, append-only.
CREATE TABLE audit_logs (
    id            bigserial    PRIMARY KEY,
    user_id       uuid         REFERENCES users (id),   -- null when no account is known (failed login)
    action        varchar(100) NOT NULL,
    resource_type varchar(50),
    resource_id   varchar(255),
    details       jsonb        NOT NULL DEFAULT '{}'::jsonb,
    ip_address    inet,
    user_agent    text,
    created_at    timestamptz  NOT NULL DEFAULT now()
);

CREATE INDEX audit_logs_user_idx ON audit_logs (user_id, created_at DESC, id DESC);
CREATE INDEX audit_logs_action_idx ON audit_logs (action, created_at DESC, id DESC);

-- Append-only: rows are never changed or removed by the application.
CREATE FUNCTION audit_logs_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_logs is append-only';
END;
$$;

CREATE TRIGGER audit_logs_no_update BEFORE UPDATE OR DELETE ON audit_logs
    FOR EACH ROW EXECUTE FUNCTION audit_logs_append_only();
