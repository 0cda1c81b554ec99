package io.iploop.gateway.spi;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * The cluster's directory of connected nodes (docs/deploy.md#node-directory): every gateway
 * publishes the nodes connected to it, and looks up the others' when its own nodes do not match a
 * request. Exists only when the gateways share a Redis ({@code IPLOOP_REDIS_URL}); one process
 * has none. Implementations must be thread-safe. {@link #publish} may block (it is called from the
 * directory's own thread, never from an event loop); the lookups must not: they answer
 * asynchronously, and their completions must not block either.
 */
public interface ClusterNodeDirectory {

    /**
     * One published node.
     *
     * @param nodeId the node (nodes.id)
     * @param gatewayId the gateway holding its tunnel (a random id per gateway process)
     * @param relayAddress {@code host:port} of that gateway's relay listener
     * @param country ISO-3166 alpha-2, upper case, or null
     * @param city the city as the node reported it, or null
     * @param asn 0 when unknown
     * @param quality the owning gateway's quality score, 0-100 (docs/exit-quality.md); 50 before measured
     */
    record Entry(UUID nodeId, String gatewayId, String relayAddress, @Nullable String country, @Nullable String city,
            int asn, int quality) {}

    /**
     * Writes {@code up} (each with {@code ttl}, refreshing the ones already there) and removes
     * {@code down}, in one round trip where the store allows. Called every second, also with both
     * lists empty (a store without a connection connects then). May block; throws on failure (the
     * caller retries with its next refresh).
     */
    void publish(List<Entry> up, List<Entry> down, Duration ttl);

    /**
     * Live nodes that may match: those in {@code city} of {@code country} when a city is given,
     * else of {@code asn} when it is not 0, else of {@code country}, else any; at most
     * {@code limit}. The caller filters them exactly. Completes exceptionally when the store
     * cannot be reached.
     *
     * @param cityKey the city in matching form (lower case, spaces and hyphens as underscores)
     */
    CompletionStage<List<Entry>> candidates(@Nullable String country, @Nullable String cityKey, int asn, int limit);

    /** The node's entry while it is published (live), else empty. */
    CompletionStage<Optional<Entry>> node(UUID nodeId);
}
