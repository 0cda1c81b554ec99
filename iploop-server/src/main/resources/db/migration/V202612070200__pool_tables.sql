-- The upstream pool's control plane (docs/upstream-pool.md): upstreams bound to pool ports, pool
-- plans (seed 004: Basic, Pro, Enterprise, Custom), one pool subscription per account, and the
-- admin API tokens that automate /api/admin/pool/**.

-- One upstream proxy per local pool port. The password is sealed with the platform's AES-256-GCM
-- key (PlatformSecrets, associated data "pool_upstream:<port>"), never stored in clear.
CREATE TABLE pool_upstreams (
    port            integer       PRIMARY KEY CHECK (port BETWEEN 1 AND 65535),
    scheme          varchar(8)    NOT NULL CHECK (scheme IN ('http', 'socks5')),
    host            varchar(255)  NOT NULL,
    upstream_port   integer       NOT NULL CHECK (upstream_port BETWEEN 1 AND 65535),
    username        varchar(255),
    password_sealed text,
    created_at      timestamptz   NOT NULL DEFAULT now(),
    updated_at      timestamptz   NOT NULL DEFAULT now()
);
-- The identity of an upstream across imports: the same upstream keeps its port.
CREATE UNIQUE INDEX pool_upstreams_identity_idx ON pool_upstreams (scheme, lower(host), upstream_port, coalesce(username, ''));

-- Pool plans; 0 means unlimited for every limit.
CREATE TABLE pool_plans (
    id                           varchar(32)   PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9_-]{0,31}$'),
    name                         varchar(100)  NOT NULL,
    max_threads                  integer       NOT NULL CHECK (max_threads >= 0),
    requests_per_second          integer       NOT NULL CHECK (requests_per_second >= 0),
    bytes_per_second_per_socket  bigint        NOT NULL CHECK (bytes_per_second_per_socket >= 0),
    bytes_per_second_total       bigint        NOT NULL CHECK (bytes_per_second_total >= 0),
    connections_per_ip           integer       NOT NULL CHECK (connections_per_ip >= 0),
    requests_per_second_per_ip   integer       NOT NULL CHECK (requests_per_second_per_ip >= 0),
    monthly_quota_bytes          bigint        NOT NULL CHECK (monthly_quota_bytes >= 0),
    validity_days                integer       NOT NULL CHECK (validity_days >= 0),
    price                        numeric(12,2) NOT NULL CHECK (price >= 0),
    currency                     char(3)       NOT NULL DEFAULT 'USD',
    active                       boolean       NOT NULL DEFAULT true,
    created_at                   timestamptz   NOT NULL DEFAULT now(),
    updated_at                   timestamptz   NOT NULL DEFAULT now()
);

INSERT INTO pool_plans (id, name, max_threads, requests_per_second, bytes_per_second_per_socket, bytes_per_second_total,
                        connections_per_ip, requests_per_second_per_ip, monthly_quota_bytes, validity_days, price)
VALUES ('basic', 'Basic', 10, 0, 0, 0, 0, 0, 1000000000, 30, 10.00),
       ('pro', 'Pro', 50, 0, 0, 0, 0, 0, 10000000000, 30, 50.00),
       ('enterprise', 'Enterprise', 200, 0, 0, 0, 0, 0, 100000000000, 30, 200.00),
       ('custom', 'Custom', 0, 0, 0, 0, 0, 0, 0, 30, 500.00);

-- One pool subscription per account, granted by an admin. ports: 'all' or a list of ports and
-- ranges ('4000-4099,4200'). banned_at set: no pool access (ban), kept for the record.
CREATE TABLE pool_subscriptions (
    user_id       uuid          PRIMARY KEY,
    plan_id       varchar(32)   NOT NULL REFERENCES pool_plans (id),
    ports         varchar(2000) NOT NULL DEFAULT 'all',
    period_start  timestamptz   NOT NULL,
    expires_at    timestamptz,
    banned_at     timestamptz,
    ban_reason    varchar(500),
    created_at    timestamptz   NOT NULL DEFAULT now(),
    updated_at    timestamptz   NOT NULL DEFAULT now()
);
CREATE INDEX pool_subscriptions_plan_idx ON pool_subscriptions (plan_id);

-- Admin API tokens (docs/upstream-pool.md#admin-api-and-tokens): SHA-256 of the token only.
CREATE TABLE pool_admin_tokens (
    id            uuid          PRIMARY KEY,
    name          varchar(100)  NOT NULL,
    token_hash    char(64)      NOT NULL UNIQUE,
    scopes        varchar(200)  NOT NULL,
    created_by    uuid          NOT NULL,
    created_at    timestamptz   NOT NULL DEFAULT now(),
    expires_at    timestamptz   NOT NULL,
    revoked_at    timestamptz,
    last_used_at  timestamptz
);
