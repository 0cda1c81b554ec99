package io.iploop.server.dataplane;

import io.iploop.gateway.spi.PoolPortStatus;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/admin/pool/ports} (docs/upstream-pool.md#health): the live state of every pool
 * port this process's gateway serves: up, down (with the health check's reason) or not bound, since
 * when, and the customer sockets open on it now. Admins and admin API tokens with {@code pool:read},
 * like the rest of {@code /api/admin/pool}. Upstream passwords are never part of it.
 */
@RestController
@Tag(name = "pool", description = "Upstream pool")
class PoolPortsController {

    private final DataPlane dataPlane;

    PoolPortsController(DataPlane dataPlane) {
        this.dataPlane = dataPlane;
    }

    @GetMapping("/api/admin/pool/ports")
    @Operation(summary = "Live state of every served pool port (up/down/bind failed, reason, open sockets)")
    Map<String, Object> ports() {
        List<PoolPortStatus> ports = dataPlane.poolStatus();
        long down = ports.stream().filter(p -> p.state() != PoolPortStatus.State.UP).count();
        return Map.of("count", ports.size(), "notUp", down, "ports", ports);
    }
}
