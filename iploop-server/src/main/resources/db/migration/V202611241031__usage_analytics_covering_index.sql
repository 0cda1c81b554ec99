-- Usage analytics (seed 001 §5.7, seed 000 §8.3) read one account's records in a period and
-- aggregate a few columns. With only (user_id, started_at), a heavy account's rows are scattered
-- over the whole heap: 82 000 rows in 30 days cost ~300-600 ms at 10 M rows (iploop-bench
-- usage-analytics-bench.sh, iploop-bench/README.md). The same key with every column the
-- aggregates read INCLUDEd lets PostgreSQL answer them with an index-only scan of one contiguous
-- index range (heavy account, 30 days: 20-65 ms). It replaces the plain index (same key), so
-- ingest keeps the same number of indexes; it is about 3x larger (1.2 GB at 10 M rows).
-- Plain CREATE INDEX blocks inserts while it builds (~25 s at 10 M rows); fine before launch.
CREATE INDEX usage_records_user_started_cover_idx ON usage_records (user_id, started_at)
    INCLUDE (bytes_uploaded, bytes_downloaded, request_count, success, duration_ms,
             api_key_id, target_country, http_status, target_host);

DROP INDEX usage_records_user_started_idx;
