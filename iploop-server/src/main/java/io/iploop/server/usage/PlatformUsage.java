package io.iploop.server.usage;

import java.time.Instant;

/**
 * Usage over all accounts within {@code [from, to)} (admin statistics, docs/product/admin.md). Bytes are
 * counted at the customer-facing socket, both directions (docs/product/usage.md#metering).
 * Immutable.
 *
 * @param totalBytes bytes uploaded plus downloaded
 * @param requests HTTP requests carried (a CONNECT or SOCKS5 tunnel counts 1)
 * @param streams customer streams (final usage records; interim pieces of long
 *     streams are not counted, docs/product/usage.md#interim-records)
 * @param activeAccounts accounts with at least one stream in the window
 */
public record PlatformUsage(Instant from, Instant to, long bytesUploaded, long bytesDownloaded, long totalBytes,
        long requests, long streams, long activeAccounts) {}
