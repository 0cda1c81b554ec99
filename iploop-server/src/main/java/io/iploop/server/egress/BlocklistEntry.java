package io.iploop.server.egress;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One stored blocklist entry (docs/security.md#destination-blocklist). At most one of host and
 * cidr is set; at least one of host, cidr and port. Immutable.
 *
 * @param host a lower-case host name, or a {@code *.example.com} suffix pattern; null for none
 * @param cidr a canonical address block such as {@code 10.0.0.0/8}; null for none
 * @param port 1-65535, or null for every port
 * @param createdBy the admin who added it
 */
public record BlocklistEntry(UUID id, @Nullable String host, @Nullable String cidr, @Nullable Integer port,
        String reason, UUID createdBy, Instant createdAt) {}
