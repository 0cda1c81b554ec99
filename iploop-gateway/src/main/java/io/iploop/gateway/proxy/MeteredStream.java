package io.iploop.gateway.proxy;

import io.iploop.gateway.error.ProxyError;
import io.iploop.gateway.exit.ExitInfo;
import io.iploop.gateway.routing.Targeting;
import io.iploop.gateway.spi.CustomerPrincipal;
import io.iploop.gateway.spi.UsageRecord;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What a usage record is about: one exit stream (or one refused request) of an authenticated
 * customer on {@code connection}, to {@code host}, started at {@code startedAt}. The one place a
 * {@link UsageRecord} is built (bytes metered at the customer-facing socket:
 * docs/product/usage.md#metering). Immutable;
 * {@link #toUsage} must run on the connection's event loop.
 *
 * @param host the destination host the customer asked for (domain or IP literal)
 * @param port the destination port the customer asked for, or null when not known (a refusal
 *     before the target was parsed)
 */
public record MeteredStream(
        ProxyConnection connection, CustomerPrincipal principal, Targeting targeting, String host, Instant startedAt,
        @Nullable Integer port) {

    /** A stream whose destination port is not known. */
    public MeteredStream(ProxyConnection connection, CustomerPrincipal principal, Targeting targeting, String host,
            Instant startedAt) {
        this(connection, principal, targeting, host, startedAt, null);
    }

    /**
     * A stream starting now for the connection's current customer and targeting.
     *
     * @throws IllegalStateException if the connection is not authenticated
     */
    public static MeteredStream startingNow(ProxyConnection connection, String host) {
        return startingNow(connection, host, null);
    }

    /**
     * A stream to {@code host:port} starting now for the connection's current customer and targeting.
     *
     * @param port the destination port, or null when not known
     * @throws IllegalStateException if the connection is not authenticated
     */
    public static MeteredStream startingNow(ProxyConnection connection, String host, @Nullable Integer port) {
        CustomerPrincipal principal = connection.principal();
        if (principal == null) {
            throw new IllegalStateException("connection " + connection.id() + " is not authenticated");
        }
        return new MeteredStream(connection, principal, connection.targeting(), host, Instant.now(), port);
    }

    /**
     * The usage record with the bytes carried on the connection since its previous record (a
     * "cut", see {@link ProxyConnection}). Its period starts at {@code startedAt}, or where the
     * stream's last interim record ended.
     *
     * @param requestCount HTTP requests carried (1 for a tunnel or a refusal)
     * @param exit the exit that carried the stream, null if none was reached
     * @param error null on success
     * @param httpStatus the origin's status of the last final response (HTTP forwarding), else null
     */
    UsageRecord toUsage(int requestCount, @Nullable ExitInfo exit, @Nullable ProxyError error, @Nullable Integer httpStatus) {
        UsageRecord r = usage(requestCount, exit, error, httpStatus, Instant.now());
        connection.interimCut(null);
        return r;
    }

    /**
     * An interim record of the still open stream ({@link InterimUsage}): the bytes since the
     * previous record, no request, success; the next record's period starts where this one ends.
     */
    UsageRecord toInterimUsage(@Nullable ExitInfo exit) {
        Instant now = Instant.now();
        UsageRecord r = usage(0, exit, null, null, now);
        connection.interimCut(now);
        return r;
    }

    private UsageRecord usage(int requestCount, @Nullable ExitInfo exit, @Nullable ProxyError error,
            @Nullable Integer httpStatus, Instant now) {
        Instant from = connection.periodStart(startedAt);
        long up = connection.cutRead();
        long down = connection.cutWritten();
        return new UsageRecord(
                UUID.randomUUID(),
                principal.userId(),
                principal.apiKeyId(),
                exit == null ? null : exit.nodeId(),
                targeting.session(),
                down,
                up,
                requestCount,
                targeting.country(),
                targeting.city(),
                host,
                connection.proxyType(),
                error == null,
                error == null ? null : error.code(),
                from,
                now,
                httpStatus,
                port,
                principal.subUserId(),
                connection.poolPort() == 0 ? null : connection.poolPort());
    }
}
