package io.iploop.server.usage;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * An account's usage over the last {@code days} days (docs/product/usage.md#analytics), computed from
 * {@code usage_records}. Bytes are counted at the customer-facing socket
 * (docs/product/usage.md#metering). Immutable.
 *
 * @param bytesUploaded bytes read from the customer
 * @param bytesDownloaded bytes written to the customer
 * @param totalGbTransferred {@code totalBytes} in GB (10^9 bytes), 3 decimals
 * @param totalRequests HTTP requests carried (a CONNECT or SOCKS5 tunnel counts 1)
 * @param streams customer streams (final usage records; interim pieces of long
 *     streams are not counted, docs/product/usage.md#interim-records)
 * @param successRate successful streams / streams in percent, 2 decimals, 0 when none
 * @param avgDurationMs mean stream duration in ms, 0 when none
 */
public record UsageSummary(
        int days,
        Instant from,
        Instant to,
        long bytesUploaded,
        long bytesDownloaded,
        long totalBytes,
        BigDecimal totalGbTransferred,
        long totalRequests,
        long streams,
        long successfulStreams,
        long failedStreams,
        BigDecimal successRate,
        long avgDurationMs) {}
