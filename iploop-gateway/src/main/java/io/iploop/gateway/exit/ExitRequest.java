package io.iploop.gateway.exit;

import io.iploop.gateway.routing.Targeting;
import io.iploop.gateway.spi.CustomerPrincipal;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A customer's request for a stream to {@code host:port}.
 *
 * @param host destination host name or IP literal, as the customer sent it; never resolved at
 *     the gateway for node exits (resolved at the exit, so it sees the exit's DNS and
 *     its egress check applies to the address actually connected to)
 * @param port destination TCP port, 1-65535
 * @param connectionId identifies the customer connection, so per-connection rotation can give
 *     each connection its own exit and a keep-alive connection can keep it
 * @param excludeNode a node this stream must not use (a {@code rotate-on-block} retry,
 *     docs/rotate-on-block.md): a node connector fails with {@code NO_MATCHING_EXIT} rather than
 *     choose it; null for none. Connectors without nodes ignore it.
 * @param reuseIdle whether an idle stream that an earlier request of the same customer, targeting
 *     and destination left open ({@link ExitStream#parkForReuse()}) may serve this request instead
 *     of a new connection at the exit, when the exit chosen for this request holds one
 *     (docs/exit-reuse.md). Only for requests the gateway can send again if that stream turns out
 *     to be closed: idempotent and without a body. Connectors without nodes ignore it.
 */
public record ExitRequest(CustomerPrincipal principal, Targeting targeting, String host, int port, long connectionId,
        @Nullable UUID excludeNode, boolean reuseIdle) {

    /** A request that may use any matching exit, on a new connection at the exit. */
    public ExitRequest(CustomerPrincipal principal, Targeting targeting, String host, int port, long connectionId) {
        this(principal, targeting, host, port, connectionId, null, false);
    }

    /** A request that must not use {@code excludeNode}, on a new connection at the exit. */
    public ExitRequest(CustomerPrincipal principal, Targeting targeting, String host, int port, long connectionId,
            @Nullable UUID excludeNode) {
        this(principal, targeting, host, port, connectionId, excludeNode, false);
    }
}
