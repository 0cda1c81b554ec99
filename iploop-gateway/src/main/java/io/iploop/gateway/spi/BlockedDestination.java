package io.iploop.gateway.spi;

import org.jspecify.annotations.Nullable;

/**
 * One entry of the platform's destination blocklist
 * ({@code docs/security.md#exits-the-data-plane}): a host
 * name, an address block, a port, or a port combined with a host or block. A request matches when
 * every part that is set matches its target. Immutable.
 *
 * @param host an exact host name ({@code example.com}) or a suffix pattern ({@code *.example.com},
 *     which matches sub-domains at any depth but not {@code example.com} itself); compared case
 *     insensitively without a trailing dot; null for none
 * @param cidr an IPv4 or IPv6 block ({@code 10.0.0.0/8}, {@code 2001:db8::/32}) or single address,
 *     compared with address literals the customer names (names are not resolved); null for none
 * @param port a destination port 1-65535, or 0 for every port
 * @param reason why the destination is blocked (shown in logs, never to customers)
 */
public record BlockedDestination(@Nullable String host, @Nullable String cidr, int port, String reason) {

    /**
     * @throws IllegalArgumentException if both host and cidr are set, nothing is set, or the port
     *     is outside 0-65535
     */
    public BlockedDestination {
        if (host != null && cidr != null) {
            throw new IllegalArgumentException("blocked destination: host and cidr both set (expected: at most one)");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("blocked destination: port " + port + " (expected: 0-65535, 0 = any)");
        }
        if (host == null && cidr == null && port == 0) {
            throw new IllegalArgumentException("blocked destination: neither host, cidr nor port set");
        }
    }
}
