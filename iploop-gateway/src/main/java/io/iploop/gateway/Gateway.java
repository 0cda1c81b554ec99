package io.iploop.gateway;

import io.iploop.gateway.net.EventLoops;
import io.iploop.gateway.auth.CredentialException;
import io.iploop.gateway.auth.ProxyAuthCache;
import io.iploop.gateway.auth.ProxyCredentials;
import io.iploop.gateway.egress.BlocklistExitConnector;
import io.iploop.gateway.egress.DestinationBlocklist;
import io.iploop.gateway.exit.ExitConnector;
import io.iploop.gateway.exit.direct.DirectExitConnector;
import io.iploop.gateway.http.HttpProxyServerInitializer;
import io.iploop.gateway.limits.BoundedExecutors;
import io.iploop.gateway.limits.Limits;
import io.iploop.gateway.metering.GatewayMetrics;
import io.iploop.gateway.metering.UsageBatcher;
import io.iploop.gateway.metering.UsageJournal;
import io.iploop.gateway.net.ProxyProtocol;
import io.iploop.gateway.spi.ClusterSettings;
import io.iploop.gateway.node.NodeHub;
import io.iploop.gateway.pool.PoolAccounts;
import io.iploop.gateway.spi.PoolPortStatus;
import io.iploop.gateway.pool.PoolPorts;
import io.iploop.gateway.spi.PoolReload;
import io.iploop.gateway.pool.PoolSettings;
import io.iploop.gateway.node.NodeSessionCap;
import io.iploop.gateway.proxy.ConnectionCaps;
import io.iploop.gateway.proxy.InterimUsage;
import io.iploop.gateway.proxy.ProxyServices;
import io.iploop.gateway.proxy.TunnelRevocation;
import io.iploop.gateway.socks.Socks5ProxyServerInitializer;
import io.iploop.gateway.error.ProxyError;
import io.iploop.gateway.tls.ServerTls;
import io.iploop.gateway.tls.TlsInitializer;
import io.iploop.gateway.spi.EgressBlocklist;
import io.iploop.gateway.spi.LimitsProvider;
import io.iploop.gateway.spi.PoolAccessProvider;
import io.iploop.gateway.spi.PoolUpstreamSource;
import io.iploop.gateway.spi.PremiumTargeting;
import io.iploop.gateway.spi.SubUserLimitsProvider;
import io.iploop.gateway.spi.NodeAuthenticator;
import io.iploop.gateway.spi.NodeDirectory;
import io.iploop.gateway.spi.NodeStore;
import io.iploop.gateway.spi.ProxyAuthenticator;
import io.iploop.gateway.spi.StickySession;
import io.iploop.gateway.spi.StickySessionDirectory;
import io.iploop.gateway.spi.SharedLimitCounters;
import io.iploop.gateway.spi.StickySessionStore;
import io.iploop.gateway.spi.UsageSink;
import io.iploop.tunnel.ByteStreamRelay;
import io.iploop.tunnel.InProcessTunnel;
import io.iploop.tunnel.TunnelLoopAffinity;
import io.iploop.tunnel.egress.EgressPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data plane in one object: HTTP proxy, SOCKS5 and node hub listeners (each also over TLS when
 * {@link Builder#tls configured}, docs/tls.md), exits, metering.
 * Build with {@link #builder}, {@link #start()}, {@link #close()} (graceful: stops accepting,
 * closes streams, flushes all metered usage). Uses epoll when available, else NIO. Thread-safe.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    /** SOCKS5 / CONNECT handshake idle limit. */
    static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;
    /** An HTTP proxy connection without a request in progress is closed after this. */
    static final long HTTP_IDLE_TIMEOUT_MILLIS = 120_000;
    /** Connect timeout of the direct exit. */
    static final Duration DIRECT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Default bound of the usage journal's files ({@link Builder#usageJournal}), in bytes: 256 MiB. */
    public static final long DEFAULT_USAGE_JOURNAL_MAX_BYTES = 256L << 20;

    private final GatewayConfig config;
    private final ProxyAuthenticator proxyAuthenticator;
    private final @Nullable NodeAuthenticator nodeAuthenticator;
    private final @Nullable NodeStore nodeStore;
    private final StickySessionStore stickySessionStore;
    private final int maxNodeSessions;
    private final int ioThreads;
    private final UsageSink usageSink;
    private final LimitsProvider limitsProvider;
    private final SubUserLimitsProvider subUserLimitsProvider;
    private final @Nullable SharedLimitCounters sharedLimitCounters;
    private final @Nullable ClusterSettings cluster;
    private final PremiumTargeting premiumTargeting;
    private final Clock clock;
    private final Duration limitsRefresh;
    private final EgressBlocklist egressBlocklist;
    private final Duration blocklistRefresh;
    private final MeterRegistry meters;
    private final @Nullable ExitConnector exitOverride;
    private final boolean directExit;
    private final Set<Integer> protectedLocalPorts;
    private final boolean nodeHubEnabled;
    private final long handshakeTimeoutMillis;
    private final long httpIdleTimeoutMillis;
    private final long halfClosedIdleTimeoutMillis;
    private final @Nullable TlsListeners tlsListeners;
    private final PoolUpstreamSource poolUpstreams;
    private final PoolAccessProvider poolAccess;
    private final PoolSettings poolSettings;
    private final ProxyProtocol proxyProtocol;
    private final @Nullable TunnelLoopAffinity tunnelLoopAffinity;

    private final Object lock = new Object();
    private @Nullable EventLoopGroup boss;
    private @Nullable EventLoopGroup workers;
    private @Nullable ExecutorService blocking;
    /** Runs proxy credential checks: bounded, so a flood is refused instead of queued. */
    private @Nullable ExecutorService authLookups;
    private @Nullable TunnelRevocation tunnelRevocation;
    private volatile @Nullable NodeHub nodeHub;
    /** Reads {@link #nodeHub} on each call: the hub exists only once started. */
    private final StickySessionDirectory stickyDirectory = new StickySessionDirectory() {
        @Override
        public List<StickySession> list(UUID userId) {
            return hubSessions().list(userId);
        }

        @Override
        public boolean close(UUID userId, String sessionId) {
            return hubSessions().close(userId, sessionId);
        }

        @Override
        public @Nullable StickySession extend(UUID userId, String sessionId, Duration maxLifetime) {
            return hubSessions().extend(userId, sessionId, maxLifetime);
        }
    };
    private @Nullable DirectExitConnector direct;
    private @Nullable UsageBatcher usage;
    private final @Nullable Path usageJournalDir;
    private final long usageJournalMaxBytes;
    private final Duration interimUsageInterval;
    private @Nullable Limits limits;
    private @Nullable DestinationBlocklist blocklist;
    private @Nullable ChannelGroup customerChannels;
    private @Nullable Channel httpServer;
    private @Nullable Channel socksServer;
    private @Nullable Channel httpsServer;
    private @Nullable Channel socksTlsServer;
    private volatile @Nullable PoolPorts pool;
    private @Nullable Limits poolLimits;
    private volatile @Nullable ServerTls serverTls;
    private volatile boolean running;
    private volatile boolean closed;
    private volatile boolean draining;
    private volatile @Nullable GatewayMetrics gatewayMetrics;

    private Gateway(Builder b) {
        this.config = b.config;
        this.proxyAuthenticator = Objects.requireNonNull(b.proxyAuthenticator, "proxyAuthenticator");
        this.usageSink = Objects.requireNonNull(b.usageSink, "usageSink");
        this.limitsProvider = b.limitsProvider;
        this.subUserLimitsProvider = b.subUserLimitsProvider;
        this.sharedLimitCounters = b.sharedLimitCounters;
        this.cluster = b.cluster;
        this.premiumTargeting = b.premiumTargeting;
        this.clock = b.clock;
        this.limitsRefresh = b.limitsRefresh;
        this.egressBlocklist = b.egressBlocklist;
        this.blocklistRefresh = b.blocklistRefresh;
        this.nodeHubEnabled = b.nodeHubEnabled;
        if (nodeHubEnabled) {
            Objects.requireNonNull(b.nodeAuthenticator, "nodeAuthenticator");
            Objects.requireNonNull(b.nodeStore, "nodeStore");
        }
        this.nodeAuthenticator = b.nodeAuthenticator;
        this.nodeStore = b.nodeStore;
        this.stickySessionStore = b.stickySessionStore;
        this.maxNodeSessions = b.maxNodeSessions;
        this.ioThreads = b.ioThreads;
        this.meters = b.meterRegistry == null ? new SimpleMeterRegistry() : b.meterRegistry;
        this.exitOverride = b.exitConnector;
        this.directExit = b.directExit;
        this.protectedLocalPorts = Set.copyOf(b.protectedLocalPorts);
        this.handshakeTimeoutMillis = b.handshakeTimeout.toMillis();
        this.httpIdleTimeoutMillis = b.httpIdleTimeout.toMillis();
        this.halfClosedIdleTimeoutMillis = b.halfClosedIdleTimeout.toMillis();
        this.usageJournalDir = b.usageJournalDir;
        this.interimUsageInterval = b.interimUsageInterval;
        this.usageJournalMaxBytes = b.usageJournalMaxBytes;
        this.tlsListeners = b.tlsListeners;
        this.poolUpstreams = b.poolUpstreams;
        this.poolAccess = b.poolAccess;
        this.poolSettings = new PoolSettings(b.poolFirstPort, b.poolLastPort, b.poolBindAddress, b.poolReloadInterval,
                b.poolReloadGrace, b.poolHealthInterval, b.poolHealthTimeout, b.poolProbeUrl, b.poolConnectTimeout,
                b.poolStrikeAfter, b.poolLockout, b.poolHealthFailures);
        this.proxyProtocol = b.proxyProtocol;
        this.tunnelLoopAffinity = b.tunnelLoopAffinity;
        if (!nodeHubEnabled && exitOverride == null && !directExit) {
            throw new IllegalStateException("no exit: enable the node hub, the direct exit or set an exit connector");
        }
    }

    /** Starts a builder with the given configuration; every SPI must be set before {@code build()}. */
    public static Builder builder(GatewayConfig config) {
        return new Builder(config);
    }

    /**
     * Binds every listener.
     *
     * @throws IllegalStateException if already started or closed
     * @throws Exception naming the listener and port when a bind fails (everything started is
     *     stopped again)
     */
    public void start() throws Exception {
        synchronized (lock) {
            if (boss != null || closed) {
                throw new IllegalStateException("gateway: already started or closed");
            }
            boolean epoll = Epoll.isAvailable();
            boss = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
            // Epoll loops that also host LocalChannels: the local node's in-process tunnel connection.
            workers = new MultiThreadIoEventLoopGroup(ioThreads > 0 ? ioThreads : defaultIoThreads(),
                    epoll ? EventLoops.epollWithLocalChannels() : NioIoHandler.newFactory());
            Class<? extends ServerChannel> serverClass = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
            blocking = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("iploop-gateway-blocking-", 0).factory());
            try {
                Limits planLimits = new Limits(limitsProvider, subUserLimitsProvider, premiumTargeting,
                        sharedLimitCounters, blocking, clock, limitsRefresh);
                limits = planLimits;
                UsageJournal journal = null;
                if (usageJournalDir != null) {
                    try {
                        journal = UsageJournal.open(usageJournalDir, usageJournalMaxBytes,
                                Math.min(UsageJournal.DEFAULT_SEGMENT_BYTES, usageJournalMaxBytes / 4));
                    } catch (IOException e) {
                        throw new IOException("cannot open the usage journal in " + usageJournalDir + ": " + e.getMessage(), e);
                    }
                }
                PoolAccounts poolAccounts = new PoolAccounts(poolAccess, blocking, clock, poolSettings.strikeAfter(),
                        poolSettings.lockout());
                UsageBatcher batcher = new UsageBatcher(usageSink, config.usageFlushInterval(), meters, batch -> {
                    planLimits.written(batch);
                    poolAccounts.written(batch);
                }, journal);
                usage = batcher;
                batcher.start();
                GatewayMetrics metrics = new GatewayMetrics(meters);
                gatewayMetrics = metrics;
                ServerTls tls = null;
                if (tlsListeners != null) {
                    tls = ServerTls.load(tlsListeners.certFile(), tlsListeners.keyFile(), tlsListeners.reloadInterval());
                    serverTls = tls;
                }
                ExitConnector exits;
                if (nodeHubEnabled) {
                    NodeHub hub = new NodeHub(config.bindAddress(), config.nodeHubPort(), config.tunnel(),
                            Objects.requireNonNull(nodeAuthenticator), Objects.requireNonNull(nodeStore), stickySessionStore,
                            meters, maxNodeSessions > 0 ? maxNodeSessions : NodeSessionCap.defaultCap());
                    nodeHub = hub;
                    hub.proxyProtocol(proxyProtocol);
                    hub.loopAffinity(tunnelLoopAffinity);
                    if (cluster != null) {
                        hub.enableCluster(cluster);
                    }
                    try {
                        hub.start(boss, workers);
                    } catch (Exception e) {
                        throw bindFailure("node hub", config.nodeHubPort(), e);
                    }
                    if (tls != null && tlsListeners.nodeHubTlsPort() != TlsListeners.OFF) {
                        try {
                            hub.startTls(boss, workers, tlsListeners.nodeHubTlsPort(), tls);
                        } catch (Exception e) {
                            throw bindFailure("node hub (TLS)", tlsListeners.nodeHubTlsPort(), e);
                        }
                    }
                    exits = hub.exitConnector();
                    batcher.observe(hub::meter);
                } else {
                    exits = request -> java.util.concurrent.CompletableFuture.failedFuture(
                            new io.iploop.gateway.exit.ExitException(
                                    io.iploop.gateway.exit.ExitException.Failure.NO_MATCHING_EXIT, "no exits configured"));
                }
                if (directExit) {
                    Set<Integer> ownPorts = new HashSet<>(protectedLocalPorts);
                    ownPorts.addAll(List.of(config.httpProxyPort(), config.socksPort())); // 0 (ephemeral) is ignored
                    if (nodeHubEnabled) {
                        ownPorts.add(nodeHubPort());
                        ownPorts.add(nodeHubTlsPort());
                    }
                    if (tlsListeners != null) {
                        ownPorts.addAll(List.of(tlsListeners.httpsProxyPort(), tlsListeners.socksTlsPort())); // -1: off
                    }
                    if (poolUpstreams != PoolUpstreamSource.NONE) {
                        for (int p = poolSettings.firstPort(); p <= poolSettings.lastPort(); p++) {
                            ownPorts.add(p);
                        }
                    }
                    EgressPolicy policy = new EgressPolicy(
                            config.allowLoopbackEgress(), config.blockedDomains(), config.blockedCidrs())
                            .withProtectedLocalPorts(ownPorts);
                    DirectExitConnector d = new DirectExitConnector(workers, policy, DIRECT_CONNECT_TIMEOUT);
                    direct = d;
                    exits = d;
                }
                if (exitOverride != null) {
                    exits = exitOverride;
                }
                DestinationBlocklist blocked = new DestinationBlocklist(egressBlocklist, blocking, blocklistRefresh);
                blocklist = blocked;
                exits = new BlocklistExitConnector(blocked, exits);
                ChannelGroup channels = new DefaultChannelGroup("iploop-customers", GlobalEventExecutor.INSTANCE);
                customerChannels = channels;
                ExecutorService lookups = BoundedExecutors.create("iploop-proxy-auth-",
                        BoundedExecutors.DEFAULT_THREADS, BoundedExecutors.DEFAULT_QUEUE);
                authLookups = lookups;
                ProxyAuthCache authCache = new ProxyAuthCache(proxyAuthenticator, config.authCacheTtl(), lookups);
                // Open tunnels are re-checked once per auth cache period (docs/security.md).
                TunnelRevocation revocation = new TunnelRevocation();
                revocation.sweepEvery(boss.next(), lookups, authCache, planLimits, config.authCacheTtl());
                tunnelRevocation = revocation;
                ProxyServices services = new ProxyServices(
                        authCache,
                        planLimits, exits, batcher, metrics, channels, new AtomicLong(),
                        handshakeTimeoutMillis, httpIdleTimeoutMillis, halfClosedIdleTimeoutMillis,
                        new ConnectionCaps(config.maxConnectionsPerIp(), config.maxConnections(), metrics),
                        InterimUsage.sweepingOn(boss.next(), interimUsageInterval), revocation);
                httpServer = bind("HTTP proxy", config.httpProxyPort(), serverClass,
                        new HttpProxyServerInitializer(services));
                socksServer = bind("SOCKS5", config.socksPort(), serverClass, new Socks5ProxyServerInitializer(services));
                if (tls != null) {
                    Runnable failed = () -> metrics.error(ProxyError.TLS_HANDSHAKE_FAILED);
                    if (tlsListeners.httpsProxyPort() != TlsListeners.OFF) {
                        httpsServer = bind("HTTPS proxy", tlsListeners.httpsProxyPort(), serverClass, new TlsInitializer(
                                tls, handshakeTimeoutMillis, failed, new HttpProxyServerInitializer(services)));
                    }
                    if (tlsListeners.socksTlsPort() != TlsListeners.OFF) {
                        socksTlsServer = bind("SOCKS5 over TLS", tlsListeners.socksTlsPort(), serverClass, new TlsInitializer(
                                tls, handshakeTimeoutMillis, failed, new Socks5ProxyServerInitializer(services)));
                    }
                }
                if (poolUpstreams != PoolUpstreamSource.NONE) {
                    // Pool connections spend the pool's own limits, never the residential plan (docs/upstream-pool.md).
                    Limits unlimited = new Limits(LimitsProvider.UNLIMITED, blocking, clock, limitsRefresh);
                    poolLimits = unlimited;
                    PoolPorts ports = new PoolPorts(poolSettings, config.bindAddress(), poolUpstreams, poolAccounts, services,
                            unlimited, blocked, boss, workers, serverClass, blocking, clock, limitsRefresh);
                    pool = ports;
                    ports.proxyProtocol(proxyProtocol);
                    ports.start(Duration.ofSeconds(60));
                }
                running = true;
                log.info("gateway started: HTTP proxy on {}, SOCKS5 on {}, node hub on {}, HTTPS proxy on {}, SOCKS5 over TLS on {},"
                        + " node hub over TLS on {} ({})", httpProxyPort(), socksPort(), nodeHubEnabled ? nodeHubPort() : "-",
                        orOff(httpsProxyPort()), orOff(socksTlsPort()), orOff(nodeHubTlsPort()), epoll ? "epoll" : "nio");
            } catch (Exception | Error e) {
                closeInternal();
                throw e;
            }
        }
    }

    private Channel bind(String listener, int port, Class<? extends ServerChannel> serverClass, ChannelHandler initializer)
            throws Exception {
        ServerBootstrap b = new ServerBootstrap()
                .group(Objects.requireNonNull(boss), Objects.requireNonNull(workers))
                .channel(serverClass)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.AUTO_READ, false)
                // A customer's FIN may end only its direction of a tunnel (docs/protocol.md §4.6).
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(proxyProtocol.wrap(initializer));
        try {
            return b.bind(new InetSocketAddress(config.bindAddress(), port)).sync().channel();
        } catch (Exception e) {
            throw bindFailure(listener, port, e);
        }
    }

    private Exception bindFailure(String listener, int port, Exception cause) {
        return new java.io.IOException(
                listener + " listener: cannot bind " + config.bindAddress() + ":" + port + " (" + cause.getMessage() + ")", cause);
    }

    /** Bound HTTP proxy port (useful when configured as 0). */
    public int httpProxyPort() {
        return portOf(httpServer, "HTTP proxy");
    }

    /** Bound SOCKS5 port. */
    public int socksPort() {
        return portOf(socksServer, "SOCKS5");
    }

    /** Bound port of the HTTP proxy over TLS; -1 when it is off ({@link Builder#tls}). */
    public int httpsProxyPort() {
        return tlsListeners == null || tlsListeners.httpsProxyPort() == TlsListeners.OFF ? -1 : portOf(httpsServer, "HTTPS proxy");
    }

    /** Bound port of SOCKS5 over TLS; -1 when it is off. */
    public int socksTlsPort() {
        return tlsListeners == null || tlsListeners.socksTlsPort() == TlsListeners.OFF ? -1
                : portOf(socksTlsServer, "SOCKS5 over TLS");
    }

    /** Bound port of the node hub over TLS ({@code wss://…/ws}); -1 when it is off or the hub disabled. */
    public int nodeHubTlsPort() {
        if (!nodeHubEnabled || tlsListeners == null || tlsListeners.nodeHubTlsPort() == TlsListeners.OFF) {
            return -1;
        }
        NodeHub hub = nodeHub;
        if (hub == null) {
            throw new IllegalStateException("gateway: not started");
        }
        return hub.tlsPort();
    }

    /**
     * The certificate the TLS listeners give new connections now (leaf; it changes when the files
     * are replaced, docs/tls.md#certificates); null without TLS listeners or before start.
     */
    public @Nullable X509Certificate tlsCertificate() {
        ServerTls tls = serverTls;
        return tls == null ? null : tls.certificate();
    }

    /**
     * The PEM certificate file of the TLS listeners, absolute (what a client passes as
     * {@code --proxy-cacert} when it is self-signed); null without TLS listeners.
     */
    public @Nullable Path tlsCertFile() {
        return tlsListeners == null ? null : tlsListeners.certFile().toAbsolutePath().normalize();
    }

    /**
     * Event loop threads of the listeners when {@link Builder#ioThreads} is not set: one per core
     * the JVM sees, or {@code -Dio.netty.eventLoopThreads} when given. Netty's own default is two
     * per core; with one, each loop finds more work per wake-up and a new connection's loop is more
     * often its tunnel's, which cost less CPU per new connection in an A/B of the two
     * (iploop-bench/PROFILE.md, round 11).
     */
    public static int defaultIoThreads() {
        return Math.max(1, Integer.getInteger("io.netty.eventLoopThreads", Runtime.getRuntime().availableProcessors()));
    }

    private static Object orOff(int port) {
        return port < 0 ? "-" : port;
    }

    /**
     * The worker event loops of the started gateway (customer sockets, node tunnels, direct exits):
     * an in-process node agent may run on them ({@link Builder#tunnelLoopAffinity}).
     *
     * @throws IllegalStateException before {@link #start()}
     */
    public EventLoopGroup workerGroup() {
        EventLoopGroup w = workers;
        if (w == null) {
            throw new IllegalStateException("gateway: not started");
        }
        return w;
    }

    /** The client socket channel class of {@link #workerGroup()}'s transport (epoll or NIO). */
    public Class<? extends SocketChannel> socketChannelClass() {
        return EventLoops.isEpoll(workerGroup())
                ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /**
     * Binds the node hub's in-process listener on one worker loop, for an agent running in this
     * process (the server's local node; docs/protocol.md#in-process-transport). At most once.
     *
     * @return where that agent connects; empty when the node hub is disabled or the worker loops
     *     cannot host in-process channels (NIO, where native epoll is unavailable)
     * @throws IllegalStateException before {@link #start()}, or when called twice
     */
    public Optional<InProcessTunnel> bindInProcessNodeHub() throws InterruptedException {
        EventLoopGroup w = workerGroup();
        NodeHub hub = nodeHub;
        if (!nodeHubEnabled || hub == null || !EventLoops.hostsLocalChannels(w)) {
            return Optional.empty();
        }
        return Optional.of(hub.bindInProcess(w.next()));
    }

    /** Bound node hub port; -1 when the node hub is disabled ({@link Builder#withoutNodeHub()}). */
    public int nodeHubPort() {
        if (!nodeHubEnabled) {
            return -1;
        }
        NodeHub hub = nodeHub;
        if (hub == null) {
            throw new IllegalStateException("gateway: not started");
        }
        return hub.port();
    }

    /**
     * The sticky sessions alive on this gateway, per account (docs/product/proxy.md#sessions);
     * no sessions when the node hub is disabled or not started.
     */
    public StickySessionDirectory stickySessions() {
        return stickyDirectory;
    }

    private StickySessionDirectory hubSessions() {
        NodeHub hub = nodeHub;
        return hub == null ? StickySessionDirectory.NONE : hub.stickySessions();
    }

    /** Live view of connected nodes (empty when the node hub is disabled). */
    public NodeDirectory nodes() {
        NodeHub hub = nodeHub;
        return hub == null ? List::of : hub.directory();
    }

    /**
     * Fetches the upstream-pool list now and applies the difference to the served pool ports
     * (docs/upstream-pool.md#upstreams-import-and-reload), off the event loops; the gateway also polls
     * every {@link Builder#poolReloadInterval reload interval}. Unrelated ports and connections are
     * never touched.
     *
     * @return what changed; a failed future when the pool is off ({@link Builder#poolUpstreams} not
     *     set), the gateway is not running, or the upstream source failed (the served ports stay)
     */
    public CompletableFuture<PoolReload> reloadPool() {
        PoolPorts p = pool;
        if (p == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("upstream pool: off or not started"));
        }
        return p.reload();
    }

    /**
     * Every served pool port's state now, by port (docs/upstream-pool.md#health): up/down with the
     * reason and since when, and the customer sockets open on it. Empty when the pool is off. Read-only,
     * thread-safe, never blocks.
     */
    public List<PoolPortStatus> poolStatus() {
        PoolPorts p = pool;
        return p == null ? List.of() : p.status();
    }

    /**
     * Runs one health check of every pool upstream now (they also run every health interval).
     *
     * @return completes when every check has finished; at once when the pool is off
     */
    public CompletableFuture<Void> checkPoolHealth() {
        PoolPorts p = pool;
        return p == null ? CompletableFuture.completedFuture(null) : p.checkAll();
    }

    /** True between a successful {@link #start()} and {@link #close()}, with every listener bound. */
    public boolean isRunning() {
        return running;
    }

    /** Customer streams open now (gauge {@code iploop.gateway.streams.active}). */
    public MeterRegistry meterRegistry() {
        return meters;
    }

    private static int portOf(@Nullable Channel server, String name) {
        if (server == null) {
            throw new IllegalStateException(name + " listener: not started");
        }
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /**
     * Graceful drain before {@link #close()} (docs/deploy.md#graceful-drain): closes every customer
     * listener (new connections are refused by the kernel), asks every connected node agent to
     * finish its streams and reconnect elsewhere ({@code DRAIN}, {@link NodeHub#drain}), then waits
     * until no customer stream is open or {@code deadline} has passed. Open CONNECT/SOCKS5 tunnels
     * and plain-HTTP exchanges keep flowing meanwhile; {@link #isRunning()} is false from the first
     * step, so readiness fails. Does not close anything else: call {@link #close()} afterwards, which
     * cuts what is still open (its usage is recorded). Blocks the caller; idempotent; a no-op when
     * not running.
     *
     * @param deadline how long open streams may keep running, {@code Duration.ZERO} to not wait
     * @return customer streams still open when the wait ended (0 when all finished)
     */
    public int drain(Duration deadline) {
        GatewayMetrics metrics;
        synchronized (lock) {
            if (closed || !running && !draining) {
                return 0;
            }
            running = false;
            metrics = gatewayMetrics;
            if (!draining) {
                draining = true;
                for (Channel server : new Channel[] {httpServer, socksServer, httpsServer, socksTlsServer}) {
                    if (server != null) {
                        server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
                    }
                }
                NodeHub hub = nodeHub;
                if (hub != null) {
                    hub.drain(deadline);
                }
            }
        }
        if (metrics == null) {
            return 0;
        }
        long end = System.nanoTime() + deadline.toNanos();
        int open = metrics.activeStreams();
        if (open > 0) {
            log.info("draining: refusing new connections; waiting up to {} s for {} open stream(s)",
                    deadline.toSeconds(), open);
        }
        while ((open = metrics.activeStreams()) > 0 && System.nanoTime() < end) {
            try {
                Thread.sleep(Math.min(100, Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()))));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (open > 0) {
            log.warn("drain deadline passed: {} stream(s) still open will be closed", open);
        } else {
            log.info("drained: no customer stream open");
        }
        return open;
    }

    /**
     * Graceful shutdown: stops accepting, closes customer connections (their usage is recorded),
     * closes the node hub, writes every pending usage record, shuts the event loops down.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            running = false;
            closeInternal();
        }
    }

    private void closeInternal() {
        PoolPorts p = pool;
        if (p != null) {
            p.close();
        }
        for (Channel server : new Channel[] {httpServer, socksServer, httpsServer, socksTlsServer}) {
            if (server != null) {
                server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        }
        ChannelGroup channels = customerChannels;
        if (channels != null) {
            channels.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
        NodeHub hub = nodeHub;
        if (hub != null) {
            try {
                hub.close();
            } catch (RuntimeException e) {
                log.warn("closing the node hub failed", e);
            }
        }
        DirectExitConnector d = direct;
        if (d != null) {
            d.close();
        }
        // Customer channels' close listeners record usage on their event loops: let them run.
        EventLoopGroup w = workers;
        EventLoopGroup bo = boss;
        if (bo != null) {
            bo.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (w != null) {
            w.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        UsageBatcher b = usage;
        if (b != null) {
            b.close();
        }
        Limits l = limits;
        if (l != null) {
            l.close();
        }
        Limits pl = poolLimits;
        if (pl != null) {
            pl.close();
        }
        DestinationBlocklist bl = blocklist;
        if (bl != null) {
            bl.close();
        }
        ExecutorService ex = blocking;
        if (ex != null) {
            ex.shutdownNow();
        }
        TunnelRevocation revocation = tunnelRevocation;
        if (revocation != null) {
            revocation.close();
        }
        ExecutorService lookups = authLookups;
        if (lookups != null) {
            lookups.shutdownNow();
        }
        ServerTls tls = serverTls;
        if (tls != null) {
            tls.close();
        }
    }

    /**
     * Checks targeting given apart from a key, as an IP-authorised address's default targeting
     * (docs/ip-authorised-access.md): {@code name-value} pairs as after the key in a proxy password,
     * without the leading dash ({@code country-us-session-abc}); blank is no targeting. For hosts that
     * store such targeting and want to refuse a bad one when it is saved rather than on every request.
     * Stateless, thread-safe.
     *
     * @return null when valid, else a message naming the bad parameter and what is expected
     */
    public static @Nullable String targetingError(String parameters) {
        try {
            ProxyCredentials.parseTargeting(parameters);
            return null;
        } catch (CredentialException e) {
            return e.getMessage();
        }
    }

    /** Assembles a {@link Gateway}. Not thread-safe. */
    public static final class Builder {
        private final GatewayConfig config;
        private @Nullable ProxyAuthenticator proxyAuthenticator;
        private @Nullable NodeAuthenticator nodeAuthenticator;
        private @Nullable UsageSink usageSink;
        private LimitsProvider limitsProvider = LimitsProvider.UNLIMITED;
        private SubUserLimitsProvider subUserLimitsProvider = SubUserLimitsProvider.UNLIMITED;
        private @Nullable SharedLimitCounters sharedLimitCounters;
        private @Nullable ClusterSettings cluster;
        private PremiumTargeting premiumTargeting = PremiumTargeting.NONE;
        private Clock clock = Clock.systemUTC();
        private Duration limitsRefresh = Duration.ofSeconds(2);
        private EgressBlocklist egressBlocklist = EgressBlocklist.EMPTY;
        private Duration blocklistRefresh = Duration.ofSeconds(2);
        private @Nullable NodeStore nodeStore;
        private StickySessionStore stickySessionStore = StickySessionStore.NONE;
        private int maxNodeSessions;
        private int ioThreads;
        private @Nullable MeterRegistry meterRegistry;
        private @Nullable ExitConnector exitConnector;
        private boolean directExit;
        private Set<Integer> protectedLocalPorts = Set.of();
        private boolean nodeHubEnabled = true;
        private Duration handshakeTimeout = Duration.ofMillis(HANDSHAKE_TIMEOUT_MILLIS);
        private Duration httpIdleTimeout = Duration.ofMillis(HTTP_IDLE_TIMEOUT_MILLIS);
        private Duration halfClosedIdleTimeout = ByteStreamRelay.DEFAULT_HALF_CLOSED_IDLE_TIMEOUT;
        private @Nullable Path usageJournalDir;
        private long usageJournalMaxBytes = DEFAULT_USAGE_JOURNAL_MAX_BYTES;
        private Duration interimUsageInterval = InterimUsage.INTERVAL;
        private @Nullable TlsListeners tlsListeners;
        private PoolUpstreamSource poolUpstreams = PoolUpstreamSource.NONE;
        private PoolAccessProvider poolAccess = PoolAccessProvider.NONE;
        private int poolFirstPort = PoolSettings.DEFAULTS.firstPort();
        private int poolLastPort = PoolSettings.DEFAULTS.lastPort();
        private @Nullable String poolBindAddress;
        private Duration poolReloadInterval = PoolSettings.DEFAULTS.reloadInterval();
        private Duration poolReloadGrace = PoolSettings.DEFAULTS.reloadGrace();
        private Duration poolHealthInterval = PoolSettings.DEFAULTS.healthInterval();
        private Duration poolHealthTimeout = PoolSettings.DEFAULTS.healthTimeout();
        private @Nullable URI poolProbeUrl;
        private Duration poolConnectTimeout = PoolSettings.DEFAULTS.connectTimeout();
        private Duration poolStrikeAfter = PoolSettings.DEFAULTS.strikeAfter();
        private Duration poolLockout = PoolSettings.DEFAULTS.lockout();
        private ProxyProtocol proxyProtocol = ProxyProtocol.OFF;
        private @Nullable TunnelLoopAffinity tunnelLoopAffinity;
        private int poolHealthFailures = PoolSettings.DEFAULTS.healthFailures();

        private Builder(GatewayConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /**
         * Which socket peers are load balancers whose PROXY protocol header names the real client
         * (docs/deploy.md#client-addresses-behind-a-load-balancer); {@link ProxyProtocol#OFF} by default.
         */
        public Builder proxyProtocol(ProxyProtocol v) {
            this.proxyProtocol = Objects.requireNonNull(v, "proxyProtocol");
            return this;
        }

        /**
         * Like {@link #proxyProtocol(ProxyProtocol)} from addresses or CIDRs (blank entries ignored,
         * none: off), with a 10 s header deadline.
         *
         * @throws IllegalArgumentException naming the first entry that is not an address or CIDR
         */
        public Builder trustProxyProtocolFrom(List<String> networks) {
            return proxyProtocol(ProxyProtocol.trusting(networks, ProxyProtocol.DEFAULT_HEADER_TIMEOUT_MILLIS));
        }

        public Builder proxyAuthenticator(ProxyAuthenticator v) {
            this.proxyAuthenticator = v;
            return this;
        }

        public Builder nodeAuthenticator(NodeAuthenticator v) {
            this.nodeAuthenticator = v;
            return this;
        }

        public Builder usageSink(UsageSink v) {
            this.usageSink = v;
            return this;
        }

        /**
         * Keeps metered usage in an on-disk journal in {@code dir} between metering and the
         * {@link UsageSink} ({@code docs/operations.md#usage-journal}): records survive a sink outage
         * (up to {@code maxBytes} on disk) and a crash (all but the last flush interval), and what an
         * earlier process left there is written at start. Default: no journal, records wait in memory.
         *
         * @param maxBytes bound on the journal's files, in bytes (at least 64 KiB)
         */
        public Builder usageJournal(Path dir, long maxBytes) {
            if (maxBytes < 64 * 1024) {
                throw new IllegalArgumentException("usage journal size: " + maxBytes + " bytes (expected: at least 65536)");
            }
            this.usageJournalDir = Objects.requireNonNull(dir, "dir");
            this.usageJournalMaxBytes = maxBytes;
            return this;
        }

        /**
         * Longest an open stream goes without an interim usage record (tests); default
         * {@link InterimUsage#INTERVAL} (10 s). The byte trigger ({@link InterimUsage#MAX_BYTES}) is fixed.
         */
        public Builder interimUsageInterval(Duration v) {
            if (v.isNegative() || v.isZero()) {
                throw new IllegalArgumentException("interimUsageInterval: " + v + " (expected: > 0)");
            }
            this.interimUsageInterval = v;
            return this;
        }

        /**
         * Sub-users' own limits (docs/sub-users.md#limits); default {@link SubUserLimitsProvider#UNLIMITED}.
         */
        public Builder subUserLimitsProvider(SubUserLimitsProvider v) {
            this.subUserLimitsProvider = Objects.requireNonNull(v, "subUserLimitsProvider");
            return this;
        }

        /**
         * Targeting beyond the plan paid from prepaid credits (docs/billing.md#time-based-targeting);
         * default {@link PremiumTargeting#NONE} (refused with 403).
         */
        public Builder premiumTargeting(PremiumTargeting v) {
            this.premiumTargeting = Objects.requireNonNull(v, "premiumTargeting");
            return this;
        }

        /** Plan limits per account (docs/product/plans.md#rate-limits); default {@link LimitsProvider#UNLIMITED}. */
        public Builder limitsProvider(LimitsProvider v) {
            this.limitsProvider = Objects.requireNonNull(v, "limitsProvider");
            return this;
        }

        /** How often every known account's limits and balance are fetched again; default 2 s. */
        public Builder limitsRefresh(Duration v) {
            if (v.isNegative() || v.isZero()) {
                throw new IllegalArgumentException("limitsRefresh: " + v + " (expected: > 0)");
            }
            this.limitsRefresh = v;
            return this;
        }

        /**
         * The platform's destination blocklist ({@code docs/security.md#exits-the-data-plane}),
         * checked on
         * every request's target before an exit is chosen; default {@link EgressBlocklist#EMPTY}.
         */
        public Builder egressBlocklist(EgressBlocklist v) {
            this.egressBlocklist = Objects.requireNonNull(v, "egressBlocklist");
            return this;
        }

        /** How often the destination blocklist is fetched again; default 2 s. */
        public Builder blocklistRefresh(Duration v) {
            if (v.isNegative() || v.isZero()) {
                throw new IllegalArgumentException("blocklistRefresh: " + v + " (expected: > 0)");
            }
            this.blocklistRefresh = v;
            return this;
        }

        /**
         * Clock of the requests-per-day period (UTC day), of pool expiry and of the pool's strike
         * system and lockouts; default the system clock.
         */
        public Builder clock(Clock v) {
            this.clock = Objects.requireNonNull(v, "clock");
            return this;
        }

        public Builder nodeStore(NodeStore v) {
            this.nodeStore = v;
            return this;
        }

        /**
         * Where the node hub keeps sticky-session pins so they survive a restart
         * (docs/product/proxy.md#sessions-across-restarts); default {@link StickySessionStore#NONE}
         * (in memory only).
         */
        public Builder stickySessionStore(StickySessionStore v) {
            this.stickySessionStore = Objects.requireNonNull(v, "stickySessionStore");
            return this;
        }

        /**
         * The counters shared by the gateways of a cluster (docs/deploy.md#shared-limits): concurrency,
         * per-second and per-day limits then hold across gateways; default none (this gateway's own
         * counts, the embedded default).
         */
        public Builder sharedLimitCounters(SharedLimitCounters v) {
            this.sharedLimitCounters = Objects.requireNonNull(v, "sharedLimitCounters");
            return this;
        }

        /**
         * Joins the cluster's node directory and relay (docs/deploy.md#cross-gateway-relay): this
         * gateway publishes its nodes and serves customers through other gateways' nodes when none of
         * its own matches. Default none (one gateway, the embedded default). Needs the node hub.
         */
        public Builder cluster(ClusterSettings v) {
            this.cluster = Objects.requireNonNull(v, "cluster");
            return this;
        }

        /** Registry for the gateway's meters; default a private {@link SimpleMeterRegistry}. */
        public Builder meterRegistry(MeterRegistry v) {
            this.meterRegistry = v;
            return this;
        }

        /**
         * Replaces the node exits with {@code v} for customer streams (tests, benchmarks). The node
         * hub still runs unless {@link #withoutNodeHub()}.
         */
        public Builder exitConnector(ExitConnector v) {
            this.exitConnector = v;
            return this;
        }

        /**
         * Lets customer streams leave from the gateway host itself through the egress policy of
         * the configuration (a direct exit exists only when enabled); replaces node exits.
         */
        public Builder directExit(boolean enabled) {
            this.directExit = enabled;
            return this;
        }

        /**
         * Ports of this host the direct exit must never reach, even with loopback egress allowed:
         * the platform's own listeners (control-plane HTTP, embedded database). The gateway adds its
         * own proxy and node-hub ports ({@code docs/security.md}).
         */
        public Builder protectedLocalPorts(Collection<Integer> ports) {
            this.protectedLocalPorts = Set.copyOf(ports);
            return this;
        }

        /** Runs without the node hub (no node authenticator or store needed); needs another exit. */
        public Builder withoutNodeHub() {
            this.nodeHubEnabled = false;
            return this;
        }

        /**
         * How long a customer may take, from accept, to send a complete HTTP request head or the
         * whole SOCKS5 handshake (default 10 s); on keep-alive HTTP connections also from the
         * first bytes of each later request.
         */
        public Builder handshakeTimeout(Duration v) {
            if (v.isNegative() || v.isZero()) {
                throw new IllegalArgumentException("handshakeTimeout: " + v + " (expected: > 0)");
            }
            this.handshakeTimeout = v;
            return this;
        }

        /**
         * How long a CONNECT / SOCKS5 tunnel with one direction ended (TCP half-close) may go
         * without a byte in the other before it is closed (default 60 s, docs/protocol.md §4.6).
         */
        public Builder halfClosedIdleTimeout(Duration v) {
            if (v.isNegative() || v.isZero()) {
                throw new IllegalArgumentException("halfClosedIdleTimeout: " + v + " (expected: > 0)");
            }
            this.halfClosedIdleTimeout = v;
            return this;
        }

        /** How long an HTTP proxy connection may idle between requests (default 120 s). */
        public Builder httpIdleTimeout(Duration v) {
            if (v.isNegative() || v.isZero()) {
                throw new IllegalArgumentException("httpIdleTimeout: " + v + " (expected: > 0)");
            }
            this.httpIdleTimeout = v;
            return this;
        }

        /**
         * Opens the TLS entry points of {@code v} next to the plain ones (docs/tls.md): the HTTP
         * proxy and SOCKS5 with TLS in front of the same pipelines, and the node hub for
         * {@code wss://} agents. {@link #start()} fails naming the file when the certificate or key
         * does not load. Default: none.
         */
        public Builder tls(TlsListeners v) {
            this.tlsListeners = Objects.requireNonNull(v, "tls");
            return this;
        }

        /**
         * The upstream pool's upstreams, one per pool port (docs/upstream-pool.md); polled every
         * {@link #poolReloadInterval} and on {@link Gateway#reloadPool()}. Default
         * {@link PoolUpstreamSource#NONE}: no pool port is bound and no pool task runs.
         */
        public Builder poolUpstreams(PoolUpstreamSource v) {
            this.poolUpstreams = Objects.requireNonNull(v, "poolUpstreams");
            return this;
        }

        /**
         * What each account may do on the pool (docs/upstream-pool.md#limits); cached and refreshed
         * every {@link #limitsRefresh}. Default {@link PoolAccessProvider#NONE} (403 {@code pool_access_denied}).
         */
        public Builder poolAccess(PoolAccessProvider v) {
            this.poolAccess = Objects.requireNonNull(v, "poolAccess");
            return this;
        }

        /** The pool port range, inclusive (default 4000-4999); upstreams on other ports are not served. */
        public Builder poolPortRange(int first, int last) {
            if (first < 1 || last > 65535 || last < first) {
                throw new IllegalArgumentException("poolPortRange: " + first + "-" + last
                        + " (expected: 1 <= first <= last <= 65535)");
            }
            this.poolFirstPort = first;
            this.poolLastPort = last;
            return this;
        }

        /** The address pool ports listen on; default the configuration's bind address. */
        public Builder poolBindAddress(String v) {
            this.poolBindAddress = Objects.requireNonNull(v, "poolBindAddress");
            return this;
        }

        /** How often the pool's upstream list is polled (default 5 s). */
        public Builder poolReloadInterval(Duration v) {
            this.poolReloadInterval = positive("poolReloadInterval", v);
            return this;
        }

        /** How long a removed pool port's open tunnels may go on before they are closed (default 30 s; 0 = at once). */
        public Builder poolReloadGrace(Duration v) {
            if (v.isNegative()) {
                throw new IllegalArgumentException("poolReloadGrace: " + v + " (expected: >= 0)");
            }
            this.poolReloadGrace = v;
            return this;
        }

        /**
         * Health checks of the pool's upstreams (docs/upstream-pool.md#health): every {@code interval}
         * (default 30 s), each within {@code timeout} (default 10 s), fetching {@code probeUrl}
         * ({@code http://} only) through the upstream, or only connecting to it when null (default).
         */
        public Builder poolHealth(Duration interval, Duration timeout, @Nullable URI probeUrl) {
            this.poolHealthInterval = positive("poolHealth interval", interval);
            this.poolHealthTimeout = positive("poolHealth timeout", timeout);
            this.poolProbeUrl = probeUrl;
            return this;
        }

        /** Connect and handshake timeout towards a pool upstream (default 10 s). */
        public Builder poolConnectTimeout(Duration v) {
            this.poolConnectTimeout = positive("poolConnectTimeout", v);
            return this;
        }

        /**
         * The strike system (docs/upstream-pool.md#strike-system): an account over its pool thread limit
         * for {@code after} (default 15 min) is kicked and locked out for {@code lockout} (default 1 h),
         * measured on {@link #clock}.
         */
        public Builder poolStrike(Duration after, Duration lockout) {
            this.poolStrikeAfter = positive("poolStrike after", after);
            this.poolLockout = positive("poolStrike lockout", lockout);
            return this;
        }

        /**
         * Consecutive failed health checks that mark a pool upstream down (default 2,
         * docs/upstream-pool.md#health).
         *
         * @throws IllegalArgumentException when not 1-100
         */
        public Builder poolHealthFailures(int failures) {
            if (failures < 1 || failures > 100) {
                throw new IllegalArgumentException("poolHealthFailures: " + failures + " (expected: 1-100)");
            }
            this.poolHealthFailures = failures;
            return this;
        }

        private static Duration positive(String name, Duration v) {
            if (v.isNegative() || v.isZero()) {
                throw new IllegalArgumentException(name + ": " + v + " (expected: > 0)");
            }
            return v;
        }

        /**
         * Most node sessions the hub holds; beyond them a HELLO is answered with close code 4503
         * "try elsewhere" (docs/scale.md#node-session-cap). Default (0): derived from the process's
         * descriptor limit by {@link NodeSessionCap#defaultCap()}.
         *
         * @param v >= 0; 0 for the default
         */
        public Builder maxNodeSessions(int v) {
            if (v < 0) {
                throw new IllegalArgumentException("maxNodeSessions: " + v + " (expected: >= 0, 0 for the default)");
            }
            this.maxNodeSessions = v;
            return this;
        }

        /**
         * Event loop threads that carry the listeners' connections (customers, node hub, pool ports).
         * Default (0): one per core ({@link #defaultIoThreads}); docs/operations.md#io-threads.
         *
         * @param v >= 0; 0 for the default
         */
        public Builder ioThreads(int v) {
            if (v < 0) {
                throw new IllegalArgumentException("ioThreads: " + v + " (expected: >= 0, 0 for one per core)");
            }
            this.ioThreads = v;
            return this;
        }

        /**
         * Serves the node hub connections of in-process agents registered with {@code v} (the
         * server's local node, running on {@link Gateway#workerGroup()}) on the agent's own event
         * loop, so their streams are relayed on one thread ({@link TunnelLoopAffinity}). Default: none.
         */
        public Builder tunnelLoopAffinity(TunnelLoopAffinity v) {
            this.tunnelLoopAffinity = Objects.requireNonNull(v, "tunnelLoopAffinity");
            return this;
        }

        /** @throws NullPointerException naming a missing SPI */
        public Gateway build() {
            return new Gateway(this);
        }
    }
}
