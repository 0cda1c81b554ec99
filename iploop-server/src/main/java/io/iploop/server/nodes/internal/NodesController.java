package io.iploop.server.nodes.internal;

import io.iploop.server.nodes.IssuedNodeKey;
import io.iploop.server.nodes.Locations;
import io.iploop.server.nodes.NodeKey;
import io.iploop.server.nodes.NodeListing;
import io.iploop.server.nodes.NodeStats;
import io.iploop.server.nodes.NodesException;
import io.iploop.server.nodes.NodesService;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/nodes} (seed 001 §7.4), operator node keys, and the public
 * {@code /api/proxy/locations} (seed 000 §7.2).
 */
@RestController
@Tag(name = "nodes", description = "Exit nodes, node keys and proxy locations")
class NodesController {

    private final NodesService nodes;

    NodesController(NodesService nodes) {
        this.nodes = nodes;
    }

    @GetMapping("/api/nodes")
    @Operation(summary = "The caller's nodes (all for admins), online state from the gateway")
    NodeListing list(@AuthenticationPrincipal AuthenticatedUser caller) {
        return nodes.list(caller.userId(), caller.isAdmin());
    }

    @GetMapping("/api/nodes/stats")
    @Operation(summary = "Node statistics by country and connection type")
    NodeStats stats(@AuthenticationPrincipal AuthenticatedUser caller) {
        return nodes.stats(caller.userId(), caller.isAdmin());
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

    @GetMapping("/api/proxy/locations")
    @Operation(summary = "Countries and cities with connected nodes (public)")
    Locations locations() {
        return nodes.locations();
    }

    @GetMapping("/api/proxy/locations/{country}")
    @Operation(summary = "Cities of one country with connected nodes (public)")
    Locations.Country country(@PathVariable String country) {
        if (!country.matches("[A-Za-z]{2}")) {
            throw new NodesException(NodesException.Reason.INVALID_COUNTRY,
                    "country: '" + country + "' (expected: ISO-3166 alpha-2, e.g. US)", "country");
        }
        String code = country.toUpperCase(Locale.ROOT);
        return nodes.locations().countries().stream().filter(c -> c.code().equals(code)).findFirst()
                .orElseGet(() -> {
                    String name = JdbcNodeAuthenticator.countryName(code);
                    return new Locations.Country(code, name == null ? code : name, 0, List.of());
                });
    }

    record NodeKeyRequest(@NotBlank @Size(max = 100) String name) {}

    record IssuedNodeKeyResponse(UUID id, String name, String key, String keyPrefix, Instant createdAt, String warning) {}

    record NodeKeysResponse(List<NodeKey> keys) {}
}
