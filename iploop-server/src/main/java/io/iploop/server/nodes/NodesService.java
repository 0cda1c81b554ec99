package io.iploop.server.nodes;

import io.iploop.server.platform.v2.Paged;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The nodes feature's public API (docs/product/nodes.md#node-api, #locations-and-inventory). Node rows belong to the operator
 * whose key admitted them; listings are scoped to the caller's own nodes unless the caller is an
 * admin. Location counts are network-wide and public. Thread-safe.
 */
public interface NodesService {

    /** Node key format: this prefix plus 48 lowercase hex characters. */
    String NODE_KEY_PREFIX = "ipn_";

    /** The first page of the caller's nodes; see {@link #list(UUID, boolean, NodeFilter)}. */
    default NodeListing list(UUID callerId, boolean admin) {
        return list(callerId, admin, NodeFilter.ALL);
    }

    /**
     * One page of the caller's nodes (all nodes for an admin) matching {@code filter}
     * (docs/product/nodes.md#node-list-and-filters), merged with the live view, with statistics over the whole scope.
     */
    NodeListing list(UUID callerId, boolean admin, NodeFilter filter);

    /**
     * One page of the caller's nodes (all nodes for an admin) matching {@code filter}, filtered,
     * sorted and paged in SQL and merged with the live view, without the statistics {@link #list}
     * adds ({@code /api/v2/nodes}: the node table can be large).
     */
    Paged<NodeView> page(UUID callerId, boolean admin, NodeFilter filter);

    /** Statistics over the same scope as {@link #list}. */
    NodeStats stats(UUID callerId, boolean admin);

    /**
     * The network-wide node figures (online, registered, countries, quality, bandwidth) from one
     * read of the live view: the single source for every page and API that shows them.
     */
    NetworkSummary network();

    /** Countries and cities with connected nodes. */
    Locations locations();

    /**
     * One country's cities with connected nodes; zero nodes for a valid country without any.
     *
     * @throws NodesException {@code INVALID_COUNTRY} unless {@code country} is ISO-3166 alpha-2
     */
    Locations.Country country(String country);

    /**
     * ISPs of one city with connected nodes; {@code city} in any case, spaces or underscores
     * (as targeted: {@code new_york}). @throws NodesException {@code INVALID_COUNTRY}
     */
    CityIsps isps(String country, String city);

    /**
     * Connected nodes grouped by location and network, in one country or (null) everywhere.
     * @throws NodesException {@code INVALID_COUNTRY}
     */
    Inventory inventory(@Nullable String country);

    /** Issues a node key to {@code userId}, promoting a customer to operator. */
    IssuedNodeKey issueNodeKey(UUID userId, String name);

    /** The user's node keys, newest first. */
    List<NodeKey> nodeKeys(UUID userId);

    /**
     * One of the user's node keys; another account's key behaves as if it did not exist
     * (docs/product/api.md#conventions).
     *
     * @throws NodesException {@code NODE_KEY_NOT_FOUND}
     */
    NodeKey nodeKey(UUID userId, UUID keyId);

    /**
     * Revokes one of the user's node keys (docs/moderation.md#revoking-a-node-key): no agent can
     * connect or register with it any more, and the gateway closes the sessions of agents it admitted
     * within about a second. Revoking twice keeps the first time. Audited.
     *
     * @return the key with {@code revokedAt} set
     * @throws NodesException {@code NODE_KEY_NOT_FOUND}, also for another account's key
     */
    NodeKey revokeNodeKey(UUID userId, UUID keyId);

    /**
     * Marks every node not connected, at gateway start: rows left {@code available} by a crash are
     * stale. (One gateway per database for now; with several gateways this becomes per-gateway.)
     */
    void markAllOffline();

    /**
     * Registers or refreshes a device for the owner of {@code nodeKey} (docs/product/earn.md#devices): name,
     * install method and node version. Creates the node row when the agent has not connected yet;
     * a removed device comes back (and is no longer paused). Called by the agent on start.
     *
     * @param nodeKey the agent's node key, {@code ipn_} + 48 hex
     * @throws NodesException {@code INVALID_NODE_KEY} (401), {@code INVALID_DEVICE} naming the field,
     *     {@code DEVICE_TAKEN} when another operator owns the device id
     */
    Device registerDevice(String nodeKey, DeviceRegistration registration);

    /**
     * Stores what a node agent says its device carried on one UTC day
     * (docs/operator-transparency.md#agent-byte-reconciliation). Untrusted input: validated, bounded,
     * kept per agent run (a repeated or older report never lowers the stored count) and never used
     * for earnings.
     *
     * @param nodeKey the agent's node key; the device must belong to its owner
     * @throws NodesException {@code INVALID_NODE_KEY} (401), {@code INVALID_TRAFFIC_REPORT} (400,
     *     naming the field) for a malformed, negative, too large, too old or future value or too many
     *     runs a day, {@code DEVICE_NOT_FOUND} (404) for a device id the key's owner does not own
     */
    void reportAgentTraffic(String nodeKey, AgentTrafficReport report);

    /**
     * Per UTC day from {@code from} to {@code to} (both included, oldest first, every day present):
     * the bytes the gateway relayed to and from the device's agent and the bytes its agent reported
     * (docs/operator-transparency.md#agent-byte-reconciliation).
     *
     * @throws NodesException {@code DEVICE_NOT_FOUND} when the device is not the owner's
     */
    List<DeviceTrafficCounts> trafficCounts(UUID ownerId, UUID nodeId, java.time.LocalDate from, java.time.LocalDate to);

    /** The owner's devices that are not removed, oldest first, with live status. */
    List<Device> devices(UUID ownerId);

    /**
     * One of the owner's devices that is not removed.
     *
     * @throws NodesException {@code DEVICE_NOT_FOUND}, also for another owner's device
     */
    Device device(UUID ownerId, UUID nodeId);

    /** Devices by node id, any owner, removed or not; ids without a node are absent. */
    Map<UUID, Device> devicesById(Collection<UUID> nodeIds);

    /**
     * Pauses or resumes sharing: the gateway gives a paused node no new streams within about a
     * second (it polls {@link #pausedNodeIds()}); streams already open finish. Idempotent. Audited.
     *
     * @throws NodesException {@code DEVICE_NOT_FOUND}, also for another owner's device
     */
    Device setPaused(UUID ownerId, UUID nodeId, boolean paused);

    /**
     * Renames a device; {@code name} is stripped, 1-100 characters. Audited.
     *
     * @throws NodesException {@code DEVICE_NOT_FOUND}; {@code INVALID_DEVICE} (field {@code name})
     */
    Device renameDevice(UUID ownerId, UUID nodeId, String name);

    /**
     * Removes a device from the owner's list and pauses it; its history (usage, earnings) stays.
     * An agent that registers the same device id again brings it back. Audited.
     *
     * @throws NodesException {@code DEVICE_NOT_FOUND}, also for another owner's device
     */
    void removeDevice(UUID ownerId, UUID nodeId);

    /** Every paused node id (removed devices included): what the gateway must not select. */
    Set<UUID> pausedNodeIds();
}
