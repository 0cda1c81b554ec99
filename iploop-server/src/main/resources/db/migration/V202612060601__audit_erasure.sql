-- Erasure (docs/privacy.md#erasure): audit entries stay append-only, except that the audit feature
-- may scrub personal data from them (address, user agent, details) inside a transaction that set
-- iploop.audit_erasure to 'on'. Who did what, to which resource and when never changes, and rows are
-- never deleted.
CREATE OR REPLACE FUNCTION audit_logs_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND current_setting('iploop.audit_erasure', true) = 'on'
            AND NEW.id = OLD.id AND NEW.user_id IS NOT DISTINCT FROM OLD.user_id AND NEW.action = OLD.action
            AND NEW.resource_type IS NOT DISTINCT FROM OLD.resource_type
            AND NEW.resource_id IS NOT DISTINCT FROM OLD.resource_id AND NEW.created_at = OLD.created_at THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_logs is append-only';
END;
$$;
