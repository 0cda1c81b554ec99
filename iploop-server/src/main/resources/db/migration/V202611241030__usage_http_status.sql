-- The origin's HTTP status per usage record (seed 001 §5.7 status-code chart, seed 000 §8.3):
-- set by the gateway's HTTP proxy forward path from the last final response of the stream;
-- null for CONNECT and SOCKS5 tunnels (payload not parsed) and when no response arrived.
-- Adding a nullable column without a default rewrites nothing.
ALTER TABLE usage_records
    ADD COLUMN http_status smallint CHECK (http_status BETWEEN 100 AND 599);
