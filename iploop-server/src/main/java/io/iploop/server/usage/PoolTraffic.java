package io.iploop.server.usage;

import java.util.UUID;

/**
 * Upstream-pool bytes of one account on one pool port in a time range
 * (docs/upstream-pool.md#admin-api-and-tokens). Immutable.
 *
 * @param userId the account (users.id)
 * @param poolPort the local pool port
 * @param bytesDownloaded bytes written to the customer
 * @param bytesUploaded bytes read from the customer
 * @param requests requests carried (HTTP requests, tunnels)
 */
public record PoolTraffic(UUID userId, int poolPort, long bytesDownloaded, long bytesUploaded, long requests) {

    /** Both directions. */
    public long bytes() {
        return bytesDownloaded + bytesUploaded;
    }
}
