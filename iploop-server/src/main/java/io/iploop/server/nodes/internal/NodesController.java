package io.iploop.server.nodes.internal;

import io.iploop.server.nodes.CityIsps;
import io.iploop.server.nodes.Inventory;
import io.iploop.server.nodes.IssuedNodeKey;
import io.iploop.server.nodes.Locations;
import io.iploop.server.nodes.NetworkSummary;
import io.iploop.server.nodes.NodeFilter;
import io.iploop.server.nodes.NodeKey;
import io.iploop.server.nodes.NodeListing;
import io.iploop.server.nodes.NodeStats;
import io.iploop.server.nodes.NodesService;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/nodes} (docs/product/nodes.md#node-api, #node-list-and-filters), operator node keys, the public
 * {@code /api/proxy/locations} and {@code /api/proxy/inventory} (docs/product/nodes.md#locations-and-inventory).
 */
@RestController
@Tag(name = "nodes", description = "Exit nodes, node keys and proxy locations")
class NodesController {

    private final NodesService nodes;

    NodesController(NodesService nodes) {
        this.nodes = nodes;
    }

    @GetMapping("/api/nodes")
    @Operation(summary = "The caller's nodes (all for admins), filtered and paged, online state from the gateway")
    NodeListing list(@AuthenticationPrincipal AuthenticatedUser caller,
            @RequestParam(required = false) @Nullable String country,
            @RequestParam(required = false) @Nullable String status,
            @RequestParam(required = false) @Nullable String connectionType,
            @RequestParam(required = false) @Nullable String search,
            @RequestParam(defaultValue = "1") int page,
            @RequestParam(defaultValue = "" + NodeFilter.DEFAULT_LIMIT) int limit) {
        return nodes.list(caller.userId(), caller.isAdmin(),
                new NodeFilter(country, status, connectionType, search, page, limit));
    }

    @GetMapping("/api/nodes/stats")
    @Operation(summary = "Node statistics by country, device type and connection type")
    NodeStats stats(@AuthenticationPrincipal AuthenticatedUser caller) {
        return nodes.stats(caller.userId(), caller.isAdmin());
    }

    @GetMapping("/api/nodes/network")
    @Operation(summary = "Network-wide node figures: online, registered, countries, quality, bandwidth carried")
    NetworkSummary network() {
        return nodes.network();
    }

    @GetMapping("/api/nodes/countries")
    @Operation(summary = "Countries with connected nodes, most nodes first")
    CountriesResponse countries() {
        Locations l = nodes.locations();
        return new CountriesResponse(l.countries().stream()
                .map(c -> new CountrySummary(c.code(), c.name(), c.nodeCount())).toList(), l.totalNodes());
    }

    @PostMapping("/api/nodes/keys")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Issue a node key (shown once) for running node agents; makes the caller an operator")
    IssuedNodeKeyResponse issueKey(@AuthenticationPrincipal AuthenticatedUser caller, @Valid @RequestBody NodeKeyRequest r) {
        IssuedNodeKey issued = nodes.issueNodeKey(caller.userId(), r.name());
        NodeKey k = issued.nodeKey();
        return new IssuedNodeKeyResponse(k.id(), k.name(), issued.key(), k.keyPrefix(), k.createdAt(),
                "Save this node key now! It will not be shown again. Use it with: proxyclaw login");
    }

    @GetMapping("/api/nodes/keys")
    @Operation(summary = "The caller's node keys (prefix only)")
    NodeKeysResponse keys(@AuthenticationPrincipal AuthenticatedUser caller) {
        return new NodeKeysResponse(nodes.nodeKeys(caller.userId()));
    }

    @DeleteMapping("/api/nodes/keys/{id}")
    @Operation(summary = "Revoke one of the caller's node keys: agents using it are disconnected within about a "
            + "second and cannot connect with it again")
    NodeKey revokeKey(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id) {
        return nodes.revokeNodeKey(caller.userId(), id);
    }

    @GetMapping("/api/proxy/locations")
    @Operation(summary = "Countries and cities with connected nodes (public)")
    Locations locations() {
        return nodes.locations();
    }

    @GetMapping("/api/proxy/locations/{country}")
    @Operation(summary = "Cities of one country with connected nodes (public)")
    Locations.Country country(@PathVariable String country) {
        return nodes.country(country);
    }

    @GetMapping("/api/proxy/locations/{country}/{city}/isps")
    @Operation(summary = "ISPs of one city with connected nodes; city as targeted, e.g. new_york (public)")
    CityIsps isps(@PathVariable String country, @PathVariable String city) {
        return nodes.isps(country, city);
    }

    @GetMapping("/api/proxy/inventory")
    @Operation(summary = "Connected nodes now by country, city, ASN, ISP and connection type")
    Inventory inventory(@RequestParam(required = false) @Nullable String country) {
        return nodes.inventory(country);
    }

    record NodeKeyRequest(@NotBlank @Size(max = 100) String name) {}

    record IssuedNodeKeyResponse(UUID id, String name, String key, String keyPrefix, Instant createdAt, String warning) {}

    record NodeKeysResponse(List<NodeKey> keys) {}

    record CountrySummary(String code, String name, int nodeCount) {}

    record CountriesResponse(List<CountrySummary> countries, int totalNodes) {}
}
