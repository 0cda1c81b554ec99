package io.iploop.server.usage;

import org.jspecify.annotations.Nullable;

/**
 * Usage of one bucket of a {@link UsageBreakdown}, summed over the usage records in it. Bytes are
 * counted at the customer-facing socket (docs/product/usage.md#metering). Immutable.
 *
 * @param key the bucket: a UTC date {@code yyyy-MM-dd}, an hour {@code 0}-{@code 23} (UTC), an
 *     ISO country code, an API key id, an HTTP status or a target host; null for records without
 *     one (no country targeted, no HTTP status for tunnels and refused requests)
 * @param label a human name for the key where there is one (the API key's name), else null
 * @param bytesUploaded bytes read from the customer
 * @param bytesDownloaded bytes written to the customer
 * @param totalBytes {@code bytesUploaded + bytesDownloaded}
 * @param requests HTTP requests carried (a CONNECT or SOCKS5 tunnel counts 1)
 * @param streams customer streams (final usage records; interim pieces of long
 *     streams are not counted, docs/product/usage.md#interim-records)
 * @param successfulStreams streams that ended without a proxy error
 */
public record UsageBucket(
        @Nullable String key,
        @Nullable String label,
        long bytesUploaded,
        long bytesDownloaded,
        long totalBytes,
        long requests,
        long streams,
        long successfulStreams) {

    /** The same bucket with {@code label}. */
    public UsageBucket withLabel(@Nullable String label) {
        return new UsageBucket(key, label, bytesUploaded, bytesDownloaded, totalBytes, requests, streams, successfulStreams);
    }

    /** An empty bucket (no usage) for {@code key}. */
    public static UsageBucket empty(String key) {
        return new UsageBucket(key, null, 0, 0, 0, 0, 0, 0);
    }
}
