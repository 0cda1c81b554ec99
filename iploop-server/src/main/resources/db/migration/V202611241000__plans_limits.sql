-- Per-plan limits and entitlements enforced by the gateway: requests per second (seed 000 §9.6),
-- sticky sessions and targeting options (seed 001 §5.9: country on every plan, state/city from
-- Growth, ASN from Business; ISP with Business per the plan features). requests_per_day and
-- max_concurrent_connections exist already. NULL limit = unlimited (Enterprise: custom).
ALTER TABLE plans
    ADD COLUMN requests_per_second integer CHECK (requests_per_second > 0),
    ADD COLUMN sticky_sessions     boolean NOT NULL DEFAULT false,
    ADD COLUMN targeting           text[]  NOT NULL DEFAULT '{country}'
        CHECK (targeting <@ ARRAY['country', 'state', 'city', 'zip', 'asn', 'isp']::text[]);

UPDATE plans SET requests_per_second = 2,    sticky_sessions = false, targeting = '{country}'                         WHERE id = 'trial';
UPDATE plans SET requests_per_second = 10,   sticky_sessions = false, targeting = '{country}'                         WHERE id = 'starter';
UPDATE plans SET requests_per_second = 50,   sticky_sessions = true,  targeting = '{country,state,city,zip}'          WHERE id = 'growth';
UPDATE plans SET requests_per_second = 200,  sticky_sessions = true,  targeting = '{country,state,city,zip,asn,isp}'  WHERE id = 'business';
UPDATE plans SET requests_per_second = NULL, sticky_sessions = true,  targeting = '{country,state,city,zip,asn,isp}'  WHERE id = 'enterprise';
-- Pay-as-you-go: 25/s alongside its 25 concurrent connections (seed 001 §5.9 gives no rate).
UPDATE plans SET requests_per_second = 25,   sticky_sessions = false, targeting = '{country}'                         WHERE id = 'payg';

-- The displayed features follow the same entitlements.
UPDATE plans SET features = '["Residential IPs", "Country targeting", "HTTP and SOCKS5"]' WHERE id IN ('trial', 'starter');
UPDATE plans SET features = '["Everything in Starter", "State and city targeting", "Sticky sessions", "Webhooks"]' WHERE id = 'growth';
UPDATE plans SET features = '["Everything in Growth", "ASN and ISP targeting", "Priority support"]' WHERE id = 'business';
UPDATE plans SET features = '["Residential IPs", "Country targeting", "HTTP and SOCKS5"]' WHERE id = 'payg';
