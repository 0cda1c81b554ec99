-- Admins can ban an account (issue 3 item 7): 'banned' joins seed 001 §6.1's statuses. Like
-- 'suspended' it blocks login, the REST API and the proxy; unlike it, it says the account is not
-- coming back. 'deleted' stays the soft delete (audit rows and usage keep their user).
ALTER TABLE users DROP CONSTRAINT users_status_check;
ALTER TABLE users ADD CONSTRAINT users_status_check
    CHECK (status IN ('active', 'suspended', 'banned', 'deleted'));

-- Admin user search (seed 001 §13.1): filters by status and role, newest first.
CREATE INDEX users_status_created_idx ON users (status, created_at DESC);
