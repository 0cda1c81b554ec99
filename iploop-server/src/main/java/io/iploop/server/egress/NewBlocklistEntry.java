package io.iploop.server.egress;

import org.jspecify.annotations.Nullable;

/**
 * A blocklist entry to add, as an admin wrote it; {@link EgressBlocklistService#add} validates and
 * normalizes it. Immutable.
 *
 * @param host a host name ({@code example.com}) or suffix pattern ({@code *.example.com}); null for none
 * @param cidr an IPv4 or IPv6 address or block; null for none
 * @param port 1-65535, or null for every port
 * @param reason why, 1-500 characters
 */
public record NewBlocklistEntry(@Nullable String host, @Nullable String cidr, @Nullable Integer port,
        @Nullable String reason) {}
