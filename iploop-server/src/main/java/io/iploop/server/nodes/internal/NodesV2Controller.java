package io.iploop.server.nodes.internal;

import io.iploop.server.nodes.NodeFilter;
import io.iploop.server.nodes.NodeKey;
import io.iploop.server.nodes.NodeView;
import io.iploop.server.nodes.NodesService;
import io.iploop.server.platform.AuthenticatedUser;
import io.iploop.server.platform.v2.ListQuery;
import io.iploop.server.platform.v2.Paged;
import io.iploop.server.platform.v2.V2Get;
import io.iploop.server.platform.v2.V2List;
import io.iploop.server.platform.v2.V2QueryException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/v2/nodes} and {@code /api/v2/nodes/keys} (docs/product/api.md#api-v2, filters docs/product/nodes.md#node-list-and-filters) in
 * the v2 envelope, over the same {@link NodesService} as v1. Nodes are filtered, sorted and paged
 * in SQL; an operator's node keys (at most 100) in memory. Another account's node key id answers 404.
 */
@RestController
@Tag(name = "nodes", description = "Exit nodes, node keys and proxy locations")
class NodesV2Controller {

    private final NodesService nodes;

    NodesV2Controller(NodesService nodes) {
        this.nodes = nodes;
    }

    @GetMapping("/api/v2/nodes")
    @V2List(value = NodeView.class, filters = {"country", "status", "connectionType", "search"},
            sort = {"createdAt", "lastHeartbeat", "deviceId", "country", "status", "qualityScore", "bandwidthBytes"},
            ascending = true)
    @Operation(summary = "The caller's nodes (all for admins); status=available|busy|inactive|offline|banned, "
            + "connectionType=wifi|cellular|ethernet, search=device id or IP substring")
    Paged<NodeView> list(@AuthenticationPrincipal AuthenticatedUser caller, ListQuery query) {
        return nodes.page(caller.userId(), caller.isAdmin(), new NodeFilter(query.filter("country"),
                query.filter("status"), query.filter("connectionType"), query.filter("search"), query.page(),
                query.limit(), query.sort(), query.ascending()));
    }

    @GetMapping("/api/v2/nodes/keys")
    @V2List(value = NodeKey.class, filters = {"status", "name"}, sort = {"createdAt", "name", "lastUsedAt"})
    @Operation(summary = "The caller's node keys (prefix only); status=active|revoked, name=substring")
    Paged<NodeKey> keys(@AuthenticationPrincipal AuthenticatedUser caller, ListQuery query) {
        String status = query.filter("status");
        if (status != null && !status.equalsIgnoreCase("active") && !status.equalsIgnoreCase("revoked")) {
            throw V2QueryException.invalid("status", "'" + status + "' (expected: active or revoked)");
        }
        return query.apply(nodes.nodeKeys(caller.userId()),
                Map.of("createdAt", NodeKey::createdAt, "name", k -> k.name().toLowerCase(Locale.ROOT),
                        "lastUsedAt", NodeKey::lastUsedAt),
                Map.of("status", (k, v) -> (k.revokedAt() == null) == v.equalsIgnoreCase("active"),
                        "name", (k, v) -> k.name().toLowerCase(Locale.ROOT).contains(v.toLowerCase(Locale.ROOT))));
    }

    @GetMapping("/api/v2/nodes/keys/{keyId}")
    @V2Get(NodeKey.class)
    @Operation(summary = "One of the caller's node keys (prefix only)")
    NodeKey key(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID keyId) {
        return nodes.nodeKey(caller.userId(), keyId);
    }
}
