package io.iploop.server.usage;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One usage record as its owner sees it in the recent-requests log (docs/product/usage.md#analytics). Immutable.
 *
 * @param apiKeyId the key that authenticated the stream, null if the key was deleted since
 * @param targetCountry the country the customer targeted, or null
 * @param httpStatus the origin's HTTP status (HTTP proxy forwarding only), else null
 * @param errorCode the {@code X-IPLoop-Error} code when {@code success} is false, else null
 * @param requests HTTP requests carried (a CONNECT or SOCKS5 tunnel counts 1)
 * @param durationMs stream duration in ms
 * @param subUserId the sub-user whose credentials carried the stream (docs/sub-users.md#usage), or
 *     null for the account's own keys
 */
public record UsageEntry(
        UUID id,
        @Nullable UUID apiKeyId,
        String targetHost,
        @Nullable String targetCountry,
        String proxyType,
        @Nullable Integer httpStatus,
        boolean success,
        @Nullable String errorCode,
        long bytesUploaded,
        long bytesDownloaded,
        long requests,
        Instant startedAt,
        long durationMs,
        @Nullable UUID subUserId) {}
