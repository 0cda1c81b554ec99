package io.iploop.gateway;

import io.iploop.tunnel.TunnelSettings;
import java.time.Duration;
import java.util.List;

/**
 * Data-plane configuration. Immutable. Port 0 binds an ephemeral port (tests); the bound port is
 * then available from {@link Gateway}.
 *
 * @param bindAddress address all listeners bind to, e.g. {@code 0.0.0.0}
 * @param httpProxyPort HTTP proxy (absolute-form and CONNECT), default 7777
 * @param socksPort SOCKS5, default 1080
 * @param nodeHubPort node hub WebSocket ({@code /ws}), default 8001
 * @param allowLoopbackEgress IPLOOP_EGRESS_ALLOW_LOOPBACK: lets exits reach loopback targets
 *     (tests and local trials only, never set by default)
 * @param blockedDomains admin destination blocklist (domains, with subdomains)
 * @param blockedCidrs admin destination blocklist (CIDRs)
 * @param authCacheTtl how long an API-key check is cached; a disabled key stops working within it
 * @param usageFlushInterval how often metered usage is written (1 s: a crash loses at most one
 *     interval)
 * @param tunnel tunnel tunables for node sessions
 * @param maxConnectionsPerIp customer connections (HTTP proxy and SOCKS5 together) one source IP
 *     may hold open; more are closed at accept (default {@value #DEFAULT_MAX_CONNECTIONS_PER_IP}).
 *     A flood guard before authentication, not a plan limit: one scraping server legitimately
 *     holds as many connections as its plan allows (plans cap concurrency per account), so the
 *     default sits well above every fixed plan's concurrency
 * @param maxConnections customer connections open at once on this gateway; more are closed at
 *     accept (default {@value #DEFAULT_MAX_CONNECTIONS})
 */
public record GatewayConfig(
        String bindAddress,
        int httpProxyPort,
        int socksPort,
        int nodeHubPort,
        boolean allowLoopbackEgress,
        List<String> blockedDomains,
        List<String> blockedCidrs,
        Duration authCacheTtl,
        Duration usageFlushInterval,
        TunnelSettings tunnel,
        int maxConnectionsPerIp,
        int maxConnections) {

    /** Default of {@link #maxConnectionsPerIp()}. */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_IP = 4096;
    /** Default of {@link #maxConnections()}. */
    public static final int DEFAULT_MAX_CONNECTIONS = 20_000;

    /** A configuration with the default connection caps. */
    public GatewayConfig(String bindAddress, int httpProxyPort, int socksPort, int nodeHubPort, boolean allowLoopbackEgress,
            List<String> blockedDomains, List<String> blockedCidrs, Duration authCacheTtl, Duration usageFlushInterval,
            TunnelSettings tunnel) {
        this(bindAddress, httpProxyPort, socksPort, nodeHubPort, allowLoopbackEgress, blockedDomains, blockedCidrs, authCacheTtl,
                usageFlushInterval, tunnel, DEFAULT_MAX_CONNECTIONS_PER_IP, DEFAULT_MAX_CONNECTIONS);
    }

    /** A copy with other customer connection caps (each at least 1). */
    public GatewayConfig withConnectionCaps(int perIp, int total) {
        return new GatewayConfig(bindAddress, httpProxyPort, socksPort, nodeHubPort, allowLoopbackEgress, blockedDomains,
                blockedCidrs, authCacheTtl, usageFlushInterval, tunnel, perIp, total);
    }

    /** Production defaults: standard ports on all interfaces, loopback egress forbidden. */
    public static GatewayConfig defaults() {
        return new GatewayConfig("0.0.0.0", 7777, 1080, 8001, false, List.of(), List.of(),
                Duration.ofSeconds(5), Duration.ofSeconds(1), TunnelSettings.NODE_HUB_DEFAULTS);
    }

    /** Tests: loopback only, ephemeral ports, loopback egress allowed. */
    public static GatewayConfig forTests() {
        return new GatewayConfig("127.0.0.1", 0, 0, 0, true, List.of(), List.of(),
                Duration.ofSeconds(5), Duration.ofMillis(200), TunnelSettings.DEFAULTS);
    }

    public GatewayConfig {
        blockedDomains = List.copyOf(blockedDomains);
        blockedCidrs = List.copyOf(blockedCidrs);
        checkPort("httpProxyPort", httpProxyPort);
        checkPort("socksPort", socksPort);
        checkPort("nodeHubPort", nodeHubPort);
        if (maxConnectionsPerIp < 1 || maxConnections < 1) {
            throw new IllegalArgumentException("connection caps: " + maxConnectionsPerIp + " per IP, " + maxConnections
                    + " in total (expected: >= 1)");
        }
    }

    private static void checkPort(String name, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(name + ": " + port + " (expected: 0-65535)");
        }
    }
}
