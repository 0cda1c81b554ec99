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
     * One published node. The region, postal code and ISP are in the forms targeting matches them
     * in (docs/product/proxy.md#targeting-parameters: lower case with {@code _} for the region,
     * {@code [a-z0-9_]} for the ISP, {@code [A-Z0-9]} for the postal code), so they hold no spaces.
     *
     * @param nodeId the node (nodes.id)
     * @param gatewayId the gateway holding its tunnel (a random id per gateway process)
     * @param relayAddress {@code host:port} of that gateway's relay listener
     * @param country ISO-3166 alpha-2, upper case, or null
     * @param city the city as the node reported it, or null
     * @param asn 0 when unknown
     * @param quality the owning gateway's quality score, 0-100 (docs/exit-quality.md); 50 before measured
     * @param regionKey the state or region in matching form, or null
     * @param zipKey the postal code in matching form, or null
     * @param ispKey the ISP in matching form, or null
     */
    record Entry(UUID nodeId, String gatewayId, String relayAddress, @Nullable String country, @Nullable String city,
            int asn, int quality, @Nullable String regionKey, @Nullable String zipKey, @Nullable String ispKey) {}

    /**
     * Where a request wants its exit, in the forms of {@link Entry}; null (0 for the ASN): not
     * targeted. A store answers from the narrowest location it indexes.
     *
     * @param country ISO-3166 alpha-2, upper case
     * @param cityKey the city in matching form (lower case, spaces and hyphens as underscores)
     */
    record Lookup(@Nullable String country, @Nullable String regionKey, @Nullable String cityKey, @Nullable String zipKey,
            int asn, @Nullable String ispKey) {}

    /**
     * Writes {@code up} (each with {@code ttl}, refreshing the ones already there) and removes
     * {@code down}, in one round trip where the store allows. Called every second, also with both
     * lists empty (a store without a connection connects then). May block; throws on failure (the
     * caller retries with its next refresh).
     */
    void publish(List<Entry> up, List<Entry> down, Duration ttl);

    /**
     * Live nodes that may match {@code where}: those of its narrowest location (postal code, else
     * city, else region, else ASN, else ISP, else country, else any); at most {@code limit}. The
     * caller filters them exactly. Completes exceptionally when the store cannot be reached.
     */
    CompletionStage<List<Entry>> candidates(Lookup where, int limit);

    /** The node's entry while it is published (live), else empty. */
    CompletionStage<Optional<Entry>> node(UUID nodeId);
}
