package io.iploop.server.egress.internal;

import io.iploop.gateway.spi.BlockedDestination;
import io.iploop.gateway.spi.EgressBlocklist;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * The gateway's {@link EgressBlocklist}: the whole {@code egress_blocklist} table in one query. The
 * gateway calls it off its event loops every few seconds, never per request. Thread-safe.
 */
@Component
class JdbcEgressBlocklist implements EgressBlocklist {

    private final BlocklistRepository repository;

    JdbcEgressBlocklist(BlocklistRepository repository) {
        this.repository = repository;
    }

    @Override
    public List<BlockedDestination> entries() {
        return repository.findAll().stream()
                .map(e -> new BlockedDestination(e.host(), e.cidr(), e.port() == null ? 0 : e.port(), e.reason()))
                .toList();
    }
}
