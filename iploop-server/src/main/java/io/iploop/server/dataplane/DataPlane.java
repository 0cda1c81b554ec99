package io.iploop.server.dataplane;

import io.iploop.gateway.Gateway;
import io.iploop.gateway.GatewayConfig;
import io.iploop.gateway.spi.ClusterSettings;
import io.iploop.gateway.spi.ClusterNodeDirectory;
import io.iploop.gateway.spi.EgressBlocklist;
import io.iploop.gateway.spi.LimitsProvider;
import io.iploop.gateway.spi.PremiumTargeting;
import io.iploop.gateway.spi.SubUserLimitsProvider;
import io.iploop.gateway.spi.NodeAuthenticator;
import io.iploop.gateway.spi.NodeStore;
import io.iploop.gateway.spi.ProxyAuthenticator;
import io.iploop.gateway.spi.SharedLimitCounters;
import io.iploop.gateway.spi.StickySessionDirectory;
import io.iploop.gateway.spi.StickySessionStore;
import io.iploop.gateway.spi.UsageSink;
import io.iploop.gateway.TlsListeners;
import io.iploop.node.AgentConfig;
import io.iploop.node.AgentStatus;
import io.iploop.node.NodeAgent;
import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.nodes.LiveNodes;
import io.iploop.server.nodes.NodesService;
import io.iploop.server.platform.IploopProperties;
import io.iploop.server.platform.PlatformSecrets;
import io.iploop.server.platform.SecureTokens;
import io.iploop.tunnel.InProcessTunnel;
import io.iploop.tunnel.TunnelLoopAffinity;
import io.iploop.tunnel.TunnelSettings;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import io.iploop.gateway.spi.PoolPortStatus;
import io.iploop.gateway.spi.PoolReload;
import io.iploop.gateway.spi.PoolAccessProvider;
import io.iploop.gateway.spi.PoolUpstreamSource;
import org.springframework.beans.factory.ObjectProvider;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Runs the data plane inside this process for the application context's lifetime: builds the
 * {@link Gateway} from the features' SPI beans and the Boot {@link MeterRegistry}, starts it (all
 * listeners bound, or the application fails to start naming the port), attaches its live node view,
 * and with {@code --local-node} starts a {@link NodeAgent} connected to the node hub as the local
 * exit. Neither the direct exit nor the local node may reach the platform's own ports on this host
 * ({@link #controlPlanePorts()} plus the gateway's listeners). On shutdown the gateway drains first
 * ({@link Gateway#drain}: no new customer connections, {@code DRAIN} to the agents, open tunnels run
 * for up to {@code iploop.drain-timeout}, docs/deploy.md#graceful-drain), then the agent is closed,
 * then the gateway (which flushes all metered usage while the database is still up). Thread-safe.
 */
@Component
public class DataPlane implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DataPlane.class);
    /** Where the local node's key is kept (600), issued to the first admin on first use. */
    static final String LOCAL_NODE_KEY_FILE = "local-node.key";

    /** System property that, set to {@code false}, keeps the local node's agent off the gateway's loops. */
    private static final String SHARED_LOOPS_PROPERTY = "iploop.local-node.shared-loops";
    private static final boolean LOCAL_NODE_SHARED_LOOPS =
            !"false".equalsIgnoreCase(System.getProperty(SHARED_LOOPS_PROPERTY));
    private static final String IN_PROCESS_PROPERTY = "iploop.local-node.in-process";
    /** Whether the local node on shared loops reaches the hub in-process (docs/protocol.md#in-process-transport). */
    private static final boolean LOCAL_NODE_IN_PROCESS =
            !"false".equalsIgnoreCase(System.getProperty(IN_PROCESS_PROPERTY));
    /** Host and optional port of a PostgreSQL JDBC URL; bounded, no nested quantifiers. */
    private static final Pattern JDBC_HOST_PORT = Pattern.compile("jdbc:postgresql://(?:\\[[0-9a-fA-F:.]{1,45}\\]|[^/:?\\[]{1,255})(?::([0-9]{1,5}))?(?:[/?]|$)");

    private final IploopProperties properties;
    private final ProxyAuthenticator proxyAuthenticator;
    private final NodeAuthenticator nodeAuthenticator;
    private final UsageSink usageSink;
    private final LimitsProvider limitsProvider;
    private final SubUserLimitsProvider subUserLimitsProvider;
    private final PremiumTargeting premiumTargeting;
    private final EgressBlocklist egressBlocklist;
    private final NodeStore nodeStore;
    private final StickySessionStore stickySessionStore;
    private final MeterRegistry meterRegistry;
    private final LiveNodes liveNodes;
    private final NodesService nodes;
    private final AccountsService accounts;
    private final Environment environment;
    private final DataSource dataSource;
    /** The upstream pool's upstreams and grants (docs/upstream-pool.md); NONE when no bean provides them. */
    private final PoolUpstreamSource poolUpstreams;
    private final PoolAccessProvider poolAccess;
    /** The gateways' shared limit counters (Redis, docs/deploy.md#shared-limits), null when limits are this process's own. */
    private final @Nullable SharedLimitCounters sharedLimitCounters;
    /** The cluster's node directory (Redis, docs/deploy.md#node-directory), null on a gateway without a cluster. */
    private final @Nullable RedisNodeDirectory nodeDirectory;
    private final PlatformSecrets secrets;

    private volatile @Nullable Gateway gateway;
    private volatile @Nullable NodeAgent localAgent;
    private volatile boolean running;
    private volatile @Nullable String unavailableReason;

    DataPlane(IploopProperties properties, ProxyAuthenticator proxyAuthenticator, NodeAuthenticator nodeAuthenticator,
            UsageSink usageSink, LimitsProvider limitsProvider, EgressBlocklist egressBlocklist, NodeStore nodeStore,
            StickySessionStore stickySessionStore, MeterRegistry meterRegistry, LiveNodes liveNodes, NodesService nodes, AccountsService accounts, Environment environment, DataSource dataSource,
            SubUserLimitsProvider subUserLimitsProvider, PremiumTargeting premiumTargeting,
            ObjectProvider<PoolUpstreamSource> poolUpstreams, ObjectProvider<PoolAccessProvider> poolAccess,
            ObjectProvider<SharedLimitCounters> sharedLimitCounters, ObjectProvider<RedisNodeDirectory> nodeDirectory,
            PlatformSecrets secrets) {
        this.nodeDirectory = nodeDirectory.getIfAvailable();
        this.secrets = secrets;
        this.poolUpstreams = poolUpstreams.getIfAvailable(() -> PoolUpstreamSource.NONE);
        this.poolAccess = poolAccess.getIfAvailable(() -> PoolAccessProvider.NONE);
        this.premiumTargeting = premiumTargeting;
        this.sharedLimitCounters = sharedLimitCounters.getIfAvailable();
        this.properties = properties;
        this.proxyAuthenticator = proxyAuthenticator;
        this.nodeAuthenticator = nodeAuthenticator;
        this.usageSink = usageSink;
        this.limitsProvider = limitsProvider;
        this.subUserLimitsProvider = subUserLimitsProvider;
        this.egressBlocklist = egressBlocklist;
        this.nodeStore = nodeStore;
        this.stickySessionStore = stickySessionStore;
        this.meterRegistry = meterRegistry;
        this.liveNodes = liveNodes;
        this.nodes = nodes;
        this.accounts = accounts;
        this.environment = environment;
        this.dataSource = dataSource;
    }

    /**
     * This host's ports that belong to the control plane: its HTTP port ({@code server.port}; 0,
     * a random port, is left out) and the database's port when the database is on this host. No
     * exit may reach them, loopback egress allowed or not ({@code docs/security.md}).
     */
    List<Integer> controlPlanePorts() {
        List<Integer> ports = new ArrayList<>();
        ports.add(environment.getProperty("server.port", Integer.class, 0));
        try (Connection c = dataSource.getConnection()) {
            int db = jdbcPort(c.getMetaData().getURL());
            if (db > 0) {
                ports.add(db);
            }
        } catch (SQLException e) {
            log.warn("Cannot read the database's port to protect it from exits: {}", e.toString());
        }
        return ports;
    }

    /** The port of a {@code jdbc:postgresql://host:port/db} URL, 5432 when it names none, -1 for other URLs. */
    static int jdbcPort(@Nullable String url) {
        if (url == null) {
            return -1;
        }
        Matcher m = JDBC_HOST_PORT.matcher(url);
        if (!m.lookingAt()) {
            return -1;
        }
        return m.group(1) == null ? 5432 : Integer.parseInt(m.group(1));
    }

    /** The gateway configuration derived from {@code iploop.*}. */
    GatewayConfig gatewayConfig() {
        GatewayConfig d = GatewayConfig.defaults();
        return new GatewayConfig(properties.bindAddress(), properties.proxyPort(), properties.socksPort(),
                properties.nodeHubPort(), properties.egressAllowLoopback(), List.of(), List.of(), d.authCacheTtl(),
                properties.usageFlushInterval(),
                TunnelSettings.NODE_HUB_DEFAULTS.withOpenDeadline((int) properties.nodeOpenDeadline().toMillis()));
    }

    @Override
    public synchronized void start() {
        running = true;
        if (!properties.gatewayEnabled()) {
            unavailableReason = "disabled (IPLOOP_GATEWAY_ENABLED=false or --role=control-plane)";
            log.info("Data plane disabled by configuration");
            return;
        }
        if (!properties.redis().enabled()) {
            // One gateway: every node it does not hold is offline. In a cluster (Redis shared) the
            // other gateways' nodes are online, and each gateway marks only its own (docs/deploy.md#cluster).
            nodes.markAllOffline();
        }
        TlsListeners tls;
        try {
            tls = tlsListeners();
        } catch (IOException e) {
            throw new IllegalStateException("gateway failed to start: " + e.getMessage(), e);
        }
        Gateway.Builder builder = Gateway.builder(gatewayConfig())
                .proxyAuthenticator(proxyAuthenticator)
                .nodeAuthenticator(nodeAuthenticator)
                .usageSink(usageSink)
                .usageJournal(properties.usageJournalPath(), properties.usageJournalMaxSize().toBytes())
                .limitsProvider(limitsProvider)
                .subUserLimitsProvider(subUserLimitsProvider)
                .premiumTargeting(premiumTargeting)
                .egressBlocklist(egressBlocklist)
                .nodeStore(nodeStore)
                .stickySessionStore(stickySessionStore)
                .meterRegistry(meterRegistry)
                .protectedLocalPorts(controlPlanePorts())
                .maxNodeSessions(properties.maxNodeSessions())
                .ioThreads(properties.ioThreads())
                .trustProxyProtocolFrom(properties.proxyProtocolTrustedNetworks());
        TunnelLoopAffinity affinity = properties.localNode() && LOCAL_NODE_SHARED_LOOPS ? new TunnelLoopAffinity() : null;
        if (affinity != null) {
            builder.tunnelLoopAffinity(affinity);
        }
        if (poolUpstreams != PoolUpstreamSource.NONE) {
            IploopProperties.Pool pool = properties.pool();
            builder.poolUpstreams(poolUpstreams)
                    .poolAccess(poolAccess)
                    .poolPortRange(pool.firstPort(), pool.lastPort())
                    .poolBindAddress(pool.bind() == null ? properties.bindAddress() : pool.bind())
                    .poolReloadInterval(pool.reloadInterval())
                    .poolReloadGrace(pool.reloadGrace())
                    .poolHealth(pool.healthInterval(), pool.healthTimeout(),
                            pool.probeUrl() == null ? null : URI.create(pool.probeUrl()))
                    .poolStrike(pool.strikeAfter(), pool.lockout())
                    .poolHealthFailures(pool.healthFailures());
        }
        if (tls != null) {
            builder.tls(tls);
        }
        if (sharedLimitCounters != null) {
            builder.sharedLimitCounters(sharedLimitCounters);
        }
        if (nodeDirectory != null) {
            builder.cluster(clusterSettings(nodeDirectory));
        }
        Gateway g = builder.build();
        try {
            g.start();
        } catch (Exception e) {
            g.close();
            throw new IllegalStateException("gateway failed to start: " + e.getMessage(), e);
        }
        gateway = g;
        unavailableReason = null;
        liveNodes.attach(g.nodes());
        log.info("Gateway listening on {}: HTTP proxy {}, SOCKS5 {}, node hub {}, HTTPS proxy {}, SOCKS5 over TLS {},"
                + " node hub over TLS {}", properties.bindAddress(), g.httpProxyPort(), g.socksPort(), g.nodeHubPort(),
                g.httpsProxyPort(), g.socksTlsPort(), g.nodeHubTlsPort());
        if (properties.localNode()) {
            startLocalNode(g, affinity);
        }
    }

    /**
     * The cluster relay's settings (docs/deploy.md#cross-gateway-relay): {@code IPLOOP_CLUSTER_SECRET}
     * (at least 16 characters), or when unset a key derived from the JWT signing key, which every
     * process of a cluster already shares; {@code IPLOOP_RELAY_PORT} (default 7790) on the bind
     * address; {@code IPLOOP_RELAY_HOST}, the address other gateways reach this one at.
     *
     * @throws IllegalStateException naming the variable when the secret is too short
     */
    ClusterSettings clusterSettings(ClusterNodeDirectory directory) {
        String configured = environment.getProperty("iploop.cluster.secret", "");
        byte[] secret;
        if (configured.isBlank()) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(secrets.jwtHmacKey(), "HmacSHA256"));
                secret = mac.doFinal("iploop-cluster-relay-v1".getBytes(StandardCharsets.US_ASCII));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 unavailable", e);
            }
        } else if (configured.strip().length() < 16) {
            throw new IllegalStateException("IPLOOP_CLUSTER_SECRET: " + configured.strip().length()
                    + " characters (expected: at least 16, e.g. openssl rand -hex 32)");
        } else {
            secret = configured.strip().getBytes(StandardCharsets.UTF_8);
        }
        int port = environment.getProperty("iploop.cluster.relay-port", Integer.class, 7790);
        String host = environment.getProperty("iploop.cluster.relay-host", "");
        return new ClusterSettings(directory, secret, properties.bindAddress(), port, host.isBlank() ? null : host.strip());
    }

    /**
     * The TLS entry points of {@code iploop.tls.*} (docs/tls.md): the configured certificate files,
     * or the self-signed certificate in the data directory (made on first use, naming localhost,
     * the public host and this machine's name); null when every TLS port is off.
     */
    @Nullable TlsListeners tlsListeners() throws IOException {
        IploopProperties.Tls t = properties.tls();
        if (t.proxyPort() < 0 && t.socksPort() < 0 && t.nodeHubPort() < 0) {
            return null;
        }
        Path cert = t.certFile();
        Path key = t.keyFile();
        if (cert == null || key == null) {
            return TlsListeners.selfSigned(t.proxyPort(), t.socksPort(), t.nodeHubPort(), properties.dataPath(),
                    List.of(properties.publicHost(), hostname()), t.reloadInterval());
        }
        return new TlsListeners(t.proxyPort(), t.socksPort(), t.nodeHubPort(), cert, key, t.reloadInterval());
    }

    /**
     * Starts the local node's agent. With an affinity it runs on the gateway's own worker loops, its
     * hub connection and every stream's exit socket on the loop the hub serves that connection on
     * ({@link TunnelLoopAffinity}), instead of on two threads of its own: a stream's bytes then cross no
     * thread between the exit socket and the customer's (iploop-bench/PROFILE.md, round 5).
     *
     * On shared loops the agent also reaches the hub without a socket, through the hub's in-process
     * listener (docs/protocol.md#in-process-transport), unless {@value #IN_PROCESS_PROPERTY}{@code =false}
     * or the loops are NIO.
     *
     * @param affinity null when {@value #SHARED_LOOPS_PROPERTY}{@code =false} keeps the agent on its own NIO threads
     */
    private void startLocalNode(Gateway g, @Nullable TunnelLoopAffinity affinity) {
        String key = localNodeKey();
        String host = connectHost(properties.bindAddress());
        String hostname = hostname();
        AgentConfig config = new AgentConfig(
                URI.create("ws://" + host + ":" + g.nodeHubPort() + "/ws"),
                key,
                "local-" + SecureTokens.sha256Hex(hostname).substring(0, 12),
                "local node (" + hostname + ")",
                localCountry(),
                null, null, 0, null, "ethernet",
                true,
                properties.egressAllowLoopback(),
                List.of(), List.of(),
                TunnelSettings.DEFAULTS);
        List<Integer> ownPorts = new ArrayList<>(controlPlanePorts());
        ownPorts.addAll(List.of(g.nodeHubPort(), g.httpProxyPort(), g.socksPort(), g.httpsProxyPort(), g.socksTlsPort(),
                g.nodeHubTlsPort()));
        InProcessTunnel inProcess = affinity != null && LOCAL_NODE_IN_PROCESS ? inProcessHub(g) : null;
        NodeAgent agent = affinity == null ? new NodeAgent(config, ownPorts)
                : new NodeAgent(config, ownPorts, new NodeAgent.SharedLoops(g.workerGroup(),
                        g.socketChannelClass(), affinity, inProcess));
        agent.start();
        localAgent = agent;
        log.info("Local node started (device {}), connecting to {}{}", config.deviceId(), config.gatewayUri(),
                inProcess == null ? "" : " in-process (" + inProcess.address() + ")");
    }

    private static @Nullable InProcessTunnel inProcessHub(Gateway g) {
        try {
            return g.bindInProcessNodeHub().orElse(null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding the node hub's in-process listener", e);
        }
    }

    /** The local node's key from the data directory, issued to the first admin when missing. */
    private String localNodeKey() {
        Path file = properties.dataPath().resolve(LOCAL_NODE_KEY_FILE);
        try {
            if (Files.exists(file)) {
                return Files.readString(file).strip();
            }
            Account admin = accounts.firstAdmin()
                    .orElseThrow(() -> new IllegalStateException("no admin account to own the local node"));
            String key = nodes.issueNodeKey(admin.id(), "local node").key();
            PlatformSecrets.writePrivateFile(file, key + "\n");
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write " + file, e);
        }
    }

    private @Nullable String localCountry() {
        String c = properties.localNodeCountry();
        return c == null || !c.matches("[A-Za-z]{2}") ? null : c.toUpperCase(Locale.ROOT);
    }

    private static String connectHost(String bindAddress) {
        return switch (bindAddress) {
            case "0.0.0.0", "::", "[::]", "" -> "127.0.0.1";
            default -> bindAddress.contains(":") && !bindAddress.startsWith("[") ? "[" + bindAddress + "]" : bindAddress;
        };
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    @Override
    public synchronized void stop() {
        Gateway draining = gateway;
        if (draining != null) {
            // docs/deploy.md#graceful-drain: stop accepting, move the nodes, let open tunnels finish.
            draining.drain(environment.getProperty("iploop.drain-timeout", Duration.class, Duration.ofSeconds(20)));
        }
        NodeAgent agent = localAgent;
        localAgent = null;
        if (agent != null) {
            try {
                agent.close();
            } catch (RuntimeException e) {
                log.warn("Closing the local node failed", e);
            }
        }
        Gateway g = gateway;
        gateway = null;
        liveNodes.detach();
        if (g != null) {
            log.info("Stopping gateway (flushing usage)");
            g.close();
        }
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Below the web server's phases: starts before the HTTP server, stops after it. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }

    /** True while the gateway runs with every listener bound. */
    public boolean gatewayRunning() {
        Gateway g = gateway;
        return g != null && g.isRunning();
    }

    /** Why the gateway is not running, or null while it runs. */
    public @Nullable String unavailableReason() {
        return gatewayRunning() ? null : Optional.ofNullable(unavailableReason).orElse("not running");
    }

    /** Bound ports while the gateway runs. */
    public Optional<Ports> ports() {
        Gateway g = gateway;
        return g == null ? Optional.empty() : Optional.of(new Ports(g.httpProxyPort(), g.socksPort(), g.nodeHubPort()));
    }

    /**
     * The live sticky sessions of the running gateway, per account (docs/product/proxy.md#session-control);
     * no sessions while the gateway is not running. Thread-safe.
     */
    public StickySessionDirectory stickySessions() {
        Gateway g = gateway;
        return g == null ? StickySessionDirectory.NONE : g.stickySessions();
    }

    /** The local node's state, if one was started. */
    public Optional<AgentStatus> localNodeStatus() {
        NodeAgent a = localAgent;
        return a == null ? Optional.empty() : Optional.of(a.status());
    }

    /**
     * The bound TLS ports (-1 for one that is off) and the certificate file while the gateway runs
     * with TLS entry points (docs/tls.md).
     */
    public Optional<TlsPorts> tlsPorts() {
        Gateway g = gateway;
        Path cert = g == null ? null : g.tlsCertFile();
        return g == null || cert == null ? Optional.empty()
                : Optional.of(new TlsPorts(g.httpsProxyPort(), g.socksTlsPort(), g.nodeHubTlsPort(), cert,
                        properties.tls().selfSigned()));
    }

    /** The gateway's bound ports. */
    public record Ports(int httpProxy, int socks, int nodeHub) {}

    /**
     * Applies the upstream pool's current list to the gateway now (docs/upstream-pool.md): for
     * SIGHUP, an import or an admin call, instead of waiting for the next poll ({@code IPLOOP_POOL_RELOAD_INTERVAL}).
     *
     * @return what changed; failed when the data plane or the pool is off, or the upstream list failed
     */
    public CompletableFuture<PoolReload> reloadPool() {
        Gateway g = gateway;
        return g == null ? CompletableFuture.failedFuture(new IllegalStateException("data plane not running"))
                : g.reloadPool();
    }

    /** Every served pool port's state (up/down, reason, since, open sockets); empty when the pool is off. */
    public List<PoolPortStatus> poolStatus() {
        Gateway g = gateway;
        return g == null ? List.of() : g.poolStatus();
    }

    /**
     * The gateway's bound TLS ports, -1 for one that is off.
     *
     * @param certFile the PEM certificate the TLS listeners present (their chain)
     * @param selfSigned whether it is the embedded default's self-signed one (clients must be told to trust it)
     */
    public record TlsPorts(int httpsProxy, int socks, int nodeHub, Path certFile, boolean selfSigned) {}
}
