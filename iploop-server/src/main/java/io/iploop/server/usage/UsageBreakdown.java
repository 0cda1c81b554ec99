package io.iploop.server.usage;

import java.time.Instant;
import java.util.List;

/**
 * An account's usage over {@code [from, to)} split by one dimension (docs/product/usage.md#analytics;
 * docs/product/usage.md#analytics), computed from {@code usage_records}. Immutable.
 *
 * @param dimension what {@link UsageBucket#key()} is: {@code date}, {@code hour}, {@code country},
 *     {@code api_key}, {@code http_status} or {@code domain}
 * @param buckets ordered as documented on the {@link UsageService} method that made it
 */
public record UsageBreakdown(int days, Instant from, Instant to, String dimension, List<UsageBucket> buckets) {

    public UsageBreakdown {
        buckets = List.copyOf(buckets);
    }
}
