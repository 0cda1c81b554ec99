-- The measured averages each node's quality score rests on (docs/exit-quality.md#where-it-shows), as the
-- gateway reports them with its counters every 2 s; null until the gateway has measured the node.
ALTER TABLE nodes
    ADD COLUMN quality_success_share   double precision CHECK (quality_success_share BETWEEN 0 AND 1),
    ADD COLUMN quality_ttfb_ms         double precision CHECK (quality_ttfb_ms >= 0),
    ADD COLUMN quality_throughput_mbps double precision CHECK (quality_throughput_mbps >= 0);
