-- Scratch schema for PgInsertBench.java: usage_records as the migrations leave it, and the rows its foreign keys need.
DROP TABLE IF EXISTS usage_records, users, api_keys, nodes;
CREATE TABLE users (id uuid PRIMARY KEY);
CREATE TABLE api_keys (id uuid PRIMARY KEY);
CREATE TABLE nodes (id uuid PRIMARY KEY);
INSERT INTO users VALUES ('11111111-1111-1111-1111-111111111111');
INSERT INTO api_keys VALUES ('22222222-2222-2222-2222-222222222222');
INSERT INTO nodes VALUES ('33333333-3333-3333-3333-333333333333');
CREATE TABLE usage_records (
    id uuid PRIMARY KEY, user_id uuid NOT NULL REFERENCES users (id),
    api_key_id uuid REFERENCES api_keys (id) ON DELETE SET NULL, node_id uuid REFERENCES nodes (id) ON DELETE SET NULL,
    session_id varchar(255), bytes_downloaded bigint NOT NULL CHECK (bytes_downloaded >= 0),
    bytes_uploaded bigint NOT NULL CHECK (bytes_uploaded >= 0),
    total_bytes bigint GENERATED ALWAYS AS (bytes_downloaded + bytes_uploaded) STORED,
    request_count integer NOT NULL DEFAULT 1 CHECK (request_count >= 0), target_country char(2), target_city varchar(100),
    target_host varchar(255) NOT NULL, proxy_type varchar(10) NOT NULL CHECK (proxy_type IN ('http', 'https', 'socks5')),
    success boolean NOT NULL, error_message text, started_at timestamptz NOT NULL, ended_at timestamptz NOT NULL,
    duration_ms bigint GENERATED ALWAYS AS ((extract(epoch FROM (ended_at - started_at)) * 1000)::bigint) STORED,
    created_at timestamptz NOT NULL DEFAULT now(),
    http_status smallint CHECK (http_status BETWEEN 100 AND 599),
    target_port integer CHECK (target_port BETWEEN 1 AND 65535), sub_user_id uuid, pool_port integer);
CREATE INDEX ON usage_records (api_key_id, started_at);
CREATE INDEX ON usage_records (node_id, started_at);
CREATE INDEX usage_records_user_started_cover_idx ON usage_records (user_id, started_at)
    INCLUDE (bytes_uploaded, bytes_downloaded, request_count, success, duration_ms, api_key_id, target_country, http_status, target_host);
CREATE INDEX ON usage_records (started_at);
CREATE INDEX ON usage_records (sub_user_id, started_at) WHERE sub_user_id IS NOT NULL;
CREATE INDEX ON usage_records (user_id, started_at) WHERE pool_port IS NOT NULL;
