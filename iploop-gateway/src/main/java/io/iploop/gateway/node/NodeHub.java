package io.iploop.gateway.node;

import io.iploop.gateway.spi.ClusterSettings;
import io.iploop.gateway.net.EventLoops;
import io.iploop.gateway.net.ProxyProtocol;
import io.iploop.gateway.exit.ExitConnector;
import io.iploop.gateway.limits.BoundedExecutors;
import io.iploop.gateway.spi.KeyHashes;
import io.iploop.gateway.spi.NodeAdmission;
import io.iploop.gateway.spi.NodeAuthenticator;
import io.iploop.gateway.spi.NodeDirectory;
import io.iploop.gateway.spi.NodeHello;
import io.iploop.gateway.spi.NodeStore;
import io.iploop.gateway.spi.StickySession;
import io.iploop.gateway.spi.StickySessionDirectory;
import io.iploop.gateway.spi.StickySessionStore;
import io.iploop.gateway.spi.UsageRecord;
import io.iploop.tunnel.Hello;
import io.iploop.tunnel.InProcessTunnel;
import io.iploop.tunnel.TunnelLoopAffinity;
import io.iploop.tunnel.TunnelPipeline;
import io.iploop.gateway.tls.ServerTls;
import io.iploop.gateway.tls.TlsServerHandler;
import io.iploop.tunnel.TunnelProtocol;
import io.iploop.tunnel.TunnelSession;
import io.iploop.tunnel.TunnelSettings;
import io.iploop.tunnel.Welcome;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalServerChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts node agents on the WebSocket {@code /ws}, admits them through the
 * {@link NodeAuthenticator} (on a bounded executor; handshakes limited per source IP and by a
 * deadline, see {@link NodeHandshakeGuard}), keeps the directory of connected nodes and opens customer streams
 * through them. Node state (connected, disconnected, traffic counters every 2 s) goes to the
 * {@link NodeStore} from one dedicated thread. Thread-safe.
 */
public final class NodeHub implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeHub.class);

    private static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final long COUNTER_FLUSH_MILLIS = 2_000;
    /** How long a node state write may wait for the ones after it, in ms (see {@link #storeWrites}). */
    private static final long STORE_WRITE_DELAY_MILLIS = 20;
    /** How long {@link #close} waits for its sessions' close callbacks, in ms. */
    private static final long CLOSE_CALLBACKS_WAIT_MILLIS = 2_000;
    private static final long STICKY_PURGE_MILLIS = 60_000;
    /** How often changed sticky-session pins are saved to the {@link StickySessionStore}. */
    private static final long STICKY_SAVE_MILLIS = 1_000;
    /**
     * How often paused and evicted node ids are re-read: a pause or a ban takes effect within this
     * (the promise is 5 s).
     */
    private static final long PAUSED_REFRESH_MILLIS = 1_000;
    private static final Duration DEPARTED_MEMORY = Duration.ofHours(6);
    private static final long DEPARTED_MAX = 200_000;
    /** Threads of the HELLO admission executor. */
    static final int ADMISSION_THREADS = 8;
    /** HELLOs waiting for an admission thread before more are told to retry. */
    static final int ADMISSION_QUEUE = 512;

    private final String bindAddress;
    private final int port;
    private final TunnelSettings tunnel;
    private final NodeAuthenticator authenticator;
    private final NodeStore store;
    private final StickySessionStore stickyStore;
    private final Map<UUID, NodeEntry> nodes = new ConcurrentHashMap<>();
    private final Map<TunnelSession, NodeEntry> bySession = new ConcurrentHashMap<>();
    private final StickySessions sticky = new StickySessions();
    /** The last save of sticky-session pins failed (logged once per outage); store thread, then close. */
    private volatile boolean stickySaveFailing;
    /** Replaced whole by the store thread; read on every selection without locking. */
    private volatile Set<UUID> paused = Set.of();
    /** The same nodes as {@link #nodes}, indexed for selection; kept in step on join and leave. */
    private final NodeIndex index = new NodeIndex();
    private final NodeSelector selector = new NodeSelector(nodes, index, sticky, () -> paused);
    private final NodeExitConnector exitConnector;
    /**
     * The quality of nodes that left, for {@link #DEPARTED_MEMORY}: a node that reconnects keeps its
     * record (docs/exit-quality.md), so dropping the connection does not clear a bad one.
     */
    private final Cache<UUID, NodeQuality> departed = Caffeine.newBuilder()
            .expireAfterWrite(DEPARTED_MEMORY).maximumSize(DEPARTED_MAX)
            // Maintenance on the writing thread: with the default (the common pool) every join and
            // leave handed a task to another thread, 3-4 % of a registration burst's CPU (docs/scale.md).
            .executor(Runnable::run)
            .build();
    private final MultiGauge byQuality;
    /**
     * HELLO lookups: bounded, so a HELLO flood is refused (close 4503, retry later) instead of
     * queued. Few threads: each lookup holds a control-plane database connection, and more threads
     * than connections only wait for one (docs/scale.md#admissions).
     */
    private final ExecutorService admissions;
    /** Most node sessions held (admitted or being admitted); see {@link NodeSessionCap}. */
    private final int maxSessions;
    /** Sessions holding a slot of {@link #maxSessions}: taken at HELLO, given back when the session closes. */
    private final AtomicInteger sessionSlots = new AtomicInteger();
    private final Counter refusedFull;
    private final Counter refusedBusy;
    private final NodeHandshakeGuard handshakes;
    private final ScheduledExecutorService storeThread = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("iploop-node-store").daemon(true).factory());
    /**
     * Node state writes (connected, disconnected, id clash) waiting for {@link #storeThread}, run in
     * order by {@link #drainStoreWrites}. Queued rather than handed over one by one: a registration
     * burst of thousands a second then wakes the store thread every {@link #STORE_WRITE_DELAY_MILLIS}
     * instead of once per node (docs/scale.md#node-state-writes).
     */
    private final ConcurrentLinkedQueue<Runnable> storeWrites = new ConcurrentLinkedQueue<>();
    /** A {@link #drainStoreWrites} is scheduled and has not started yet. */
    private final AtomicBoolean storeDrainScheduled = new AtomicBoolean();
    /** Session close callbacks running now (see {@link #awaitCloseCallbacks}). */
    private final AtomicInteger closingCallbacks = new AtomicInteger();
    private final NodeCountryGauges connectedByCountry;
    /** For the cluster relay's meters, registered when the cluster is enabled. */
    private final MeterRegistry meters;
    private final NodeDirectory directory = () -> nodes.values().stream().map(NodeEntry::snapshot).toList();
    private final StickySessionDirectory stickyDirectory = new StickyDirectory();
    private volatile @Nullable Channel serverChannel;
    /** The in-process listener of the local node ({@link #bindInProcess}); null when not bound. */
    private volatile @Nullable Channel inProcessChannel;
    private volatile @Nullable Channel tlsServerChannel;
    private final Counter tlsHandshakeFailures;
    private volatile ProxyProtocol proxyProtocol = ProxyProtocol.OFF;
    private volatile @Nullable TunnelLoopAffinity loopAffinity;
    private volatile boolean closed;
    /** Cross-gateway routing (docs/deploy.md#cross-gateway-relay); null on a gateway without a cluster. */
    private volatile @Nullable ClusterRelay cluster;

    /**
     * @param bindAddress address the hub listens on, e.g. {@code 0.0.0.0}
     * @param port TCP port of {@code /ws}, 0 for an ephemeral one
     * @param tunnel tunnel tunables of node sessions (docs/protocol.md)
     * @param meters registry for {@code iploop.nodes.connected} (gauge by country),
     *     {@code iploop.nodes.quality} (connected nodes by quality band, docs/exit-quality.md) and
     *     {@code iploop.node.open.failures} (failed OPENs by cause)
     */
    public NodeHub(String bindAddress, int port, TunnelSettings tunnel, NodeAuthenticator authenticator, NodeStore store,
            MeterRegistry meters) {
        this(bindAddress, port, tunnel, authenticator, store, StickySessionStore.NONE, meters);
    }

    /**
     * As {@link #NodeHub(String, int, TunnelSettings, NodeAuthenticator, NodeStore, MeterRegistry)},
     * keeping sticky-session pins in {@code stickyStore} so they survive a restart
     * (docs/product/proxy.md#sessions-across-restarts): loaded in {@link #start} before the hub
     * listens, changes saved in batches every second and expired ones purged every minute from the
     * store thread, the last changes saved in {@link #close}.
     */
    public NodeHub(String bindAddress, int port, TunnelSettings tunnel, NodeAuthenticator authenticator, NodeStore store,
            StickySessionStore stickyStore, MeterRegistry meters) {
        this(bindAddress, port, tunnel, authenticator, store, stickyStore, meters, NodeSessionCap.defaultCap());
    }

    /**
     * As {@link #NodeHub(String, int, TunnelSettings, NodeAuthenticator, NodeStore, StickySessionStore, MeterRegistry)},
     * holding at most {@code maxSessions} node sessions: a HELLO beyond them is answered with close
     * code 4503 ("this gateway is full, try elsewhere", docs/scale.md#node-session-cap), counted in
     * {@code iploop.nodes.refused{reason=full}}.
     *
     * @param maxSessions node sessions admitted or being admitted at once, >= 1
     */
    public NodeHub(String bindAddress, int port, TunnelSettings tunnel, NodeAuthenticator authenticator, NodeStore store,
            StickySessionStore stickyStore, MeterRegistry meters, int maxSessions) {
        this(bindAddress, port, tunnel, authenticator, store, stickyStore, meters, maxSessions, ADMISSION_THREADS,
                ADMISSION_QUEUE);
    }

    /** As the public constructors, with the admission executor's size (tests). */
    NodeHub(String bindAddress, int port, TunnelSettings tunnel, NodeAuthenticator authenticator, NodeStore store,
            StickySessionStore stickyStore, MeterRegistry meters, int maxSessions, int admissionThreads, int admissionQueue) {
        this.admissions = BoundedExecutors.create("iploop-node-admission-", admissionThreads, admissionQueue);
        if (maxSessions < 1) {
            throw new IllegalArgumentException("maxSessions: " + maxSessions + " (expected: >= 1)");
        }
        this.maxSessions = maxSessions;
        this.stickyStore = stickyStore;
        this.bindAddress = bindAddress;
        this.port = port;
        this.tunnel = tunnel;
        this.authenticator = authenticator;
        this.store = store;
        this.meters = meters;
        this.connectedByCountry = new NodeCountryGauges(meters);
        this.refusedFull = Counter.builder("iploop.nodes.refused")
                .description("HELLOs answered 4503 try-elsewhere: full (node session cap) or busy (admissions queue full)")
                .tag("reason", "full").register(meters);
        this.refusedBusy = Counter.builder("iploop.nodes.refused")
                .description("HELLOs answered 4503 try-elsewhere: full (node session cap) or busy (admissions queue full)")
                .tag("reason", "busy").register(meters);
        this.byQuality = MultiGauge.builder("iploop.nodes.quality")
                .description("Node agents connected to this gateway, by quality band (good >= 80, fair 50-79, poor < 50)")
                .register(meters);
        Map<NodeQuality.Cause, Counter> failures = new EnumMap<>(NodeQuality.Cause.class);
        for (NodeQuality.Cause c : NodeQuality.Cause.values()) {
            failures.put(c, Counter.builder("iploop.node.open.failures")
                    .description("Streams through nodes that failed, by cause (docs/exit-quality.md#failure-causes)")
                    .tag("cause", c.tag()).register(meters));
        }
        this.tlsHandshakeFailures = Counter.builder("iploop.nodes.tls.handshake.failures")
                .description("Connections to the node hub's TLS port whose TLS handshake failed (docs/tls.md#errors)")
                .register(meters);
        this.exitConnector = new NodeExitConnector(selector, c -> failures.get(c).increment());
        this.handshakes = new NodeHandshakeGuard(NodeHandshakeGuard.MAX_CONCURRENT_PER_IP, NodeHandshakeGuard.MAX_PER_IP_PER_SECOND,
                NodeHandshakeGuard.HANDSHAKE_DEADLINE_MILLIS, meters);
    }

    /**
     * Which peers must begin with a PROXY protocol header naming the real client
     * ({@link ProxyProtocol}); call before {@link #start}. Default: none.
     */
    public void proxyProtocol(ProxyProtocol v) {
        this.proxyProtocol = java.util.Objects.requireNonNull(v, "proxyProtocol");
    }

    /**
     * Serves the connections of in-process agents that registered with {@code v} (the server's
     * local node) on the agent's own event loop ({@link TunnelLoopAffinity}); call before
     * {@link #start}. Default: none.
     */
    public void loopAffinity(@Nullable TunnelLoopAffinity v) {
        this.loopAffinity = v;
    }

    /** Binds the hub's address and port; throws naming them if the port is taken. */
    public void start(EventLoopGroup boss, EventLoopGroup workers) throws InterruptedException {
        restoreStickySessions();
        ClusterRelay c = cluster;
        if (c != null) {
            c.start(boss, workers);
        }
        serverChannel = bind(boss, workers, port, null);
        storeThread.scheduleWithFixedDelay(this::flushCounters, COUNTER_FLUSH_MILLIS, COUNTER_FLUSH_MILLIS, TimeUnit.MILLISECONDS);
        storeThread.scheduleWithFixedDelay(this::refreshPaused, 0, PAUSED_REFRESH_MILLIS, TimeUnit.MILLISECONDS);
        storeThread.scheduleWithFixedDelay(handshakes::purge, 1, 1, TimeUnit.MINUTES);
        storeThread.scheduleWithFixedDelay(this::purgeStickySessions,
                STICKY_PURGE_MILLIS, STICKY_PURGE_MILLIS, TimeUnit.MILLISECONDS);
        storeThread.scheduleWithFixedDelay(this::saveStickySessions,
                STICKY_SAVE_MILLIS, STICKY_SAVE_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Loads the stored pins; a store that fails leaves the hub with none (sessions start afresh). */
    private void restoreStickySessions() {
        try {
            int n = sticky.restore(stickyStore.load(Instant.now()));
            if (n > 0) {
                log.info("Restored {} sticky sessions", n);
            }
        } catch (RuntimeException e) {
            log.warn("Could not load the stored sticky sessions; they start afresh", e);
        }
    }

    /**
     * Saves the pins changed since the last call; on failure they are retried with the next batch.
     * An outage of the store is logged once when it starts and once when saving works again, not
     * every second (docs/sticky-sessions-redis.md#when-redis-is-down).
     */
    private void saveStickySessions() {
        List<StickySessionStore.StoredPin> batch = sticky.drainChanged();
        if (batch.isEmpty()) {
            return;
        }
        try {
            stickyStore.save(batch);
            if (stickySaveFailing) {
                stickySaveFailing = false;
                log.info("Sticky sessions are saved again ({} pins caught up)", batch.size());
            }
        } catch (RuntimeException e) {
            sticky.changedAgain(batch);
            if (!stickySaveFailing) {
                stickySaveFailing = true;
                log.warn("Could not save {} sticky sessions; they keep working from memory and are retried every"
                        + " second (logged again once saved)", batch.size(), e);
            } else {
                log.debug("Still cannot save {} sticky sessions: {}", batch.size(), e.toString());
            }
        }
    }

    private void purgeStickySessions() {
        Instant now = Instant.now();
        sticky.purgeExpired(now);
        try {
            stickyStore.purgeExpired(now);
        } catch (RuntimeException e) {
            log.warn("Could not purge expired sticky sessions: {}", e.toString());
        }
    }

    /**
     * Also accepts agents over TLS ({@code wss://host:tlsPort/ws}, docs/tls.md) with the certificate
     * {@code tls} holds for each new connection; call after {@link #start}. Throws naming the
     * address and port if it is taken.
     */
    public void startTls(EventLoopGroup boss, EventLoopGroup workers, int tlsPort, ServerTls tls) throws InterruptedException {
        tlsServerChannel = bind(boss, workers, tlsPort, tls);
    }

    private Channel bind(EventLoopGroup boss, EventLoopGroup workers, int bindPort, @Nullable ServerTls tls)
            throws InterruptedException {
        Class<? extends ServerChannel> channelClass = EventLoops.isEpoll(boss)
                ? EpollServerSocketChannel.class
                : NioServerSocketChannel.class;
        ChannelHandler child = proxyProtocol.wrap(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (!handshakes.tryBegin(ch)) {
                            ch.close();
                            return;
                        }
                        if (tls != null) {
                            TlsServerHandler.install(ch.pipeline(), tls, NodeHandshakeGuard.HANDSHAKE_DEADLINE_MILLIS,
                                    tlsHandshakeFailures::increment);
                        }
                        TunnelPipeline.server(ch.pipeline(), TunnelSession.gatewaySide(tunnel, new Listener(ch)));
                    }
                });
        TunnelLoopAffinity affinity = loopAffinity;
        ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(channelClass)
                .childHandler(affinity == null ? child : affinity.placing(child));
        // No short kernel keepalive on the hub's end (docs/scale.md#heartbeats): tried at 20 s + 2-4
        // probes, it reset 1 726-4 382 of 15 000 healthy idle sessions within minutes here. The
        // kernel fires the probes of connections made close together in one burst (its timer wheel
        // is coarse at 20 s), bursts beyond the device backlog are dropped, and the retries go out
        // in the same burst. The agent's end has one connection and keeps its keepalive.
        try {
            return b.bind(bindAddress, bindPort).sync().channel();
        } catch (Exception e) {
            throw new IllegalStateException("node hub" + (tls == null ? "" : " (TLS)") + ": cannot bind " + bindAddress + ":"
                    + bindPort + " (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Also accepts the in-process agent of the server's local node over a Netty {@code LocalChannel}
     * on {@code loop} (docs/protocol.md#in-process-transport): the same handshake, admission and
     * session as over TCP, without the loopback socket hop. Call after {@link #start}, at most once;
     * closed with the other listeners.
     *
     * @param loop an event loop that registers local channels ({@code EventLoops.hostsLocalChannels});
     *     both ends of the connection and the agent's exit sockets run on it
     * @return where the agent connects
     * @throws IllegalStateException if already bound, or the hub is closed
     */
    public InProcessTunnel bindInProcess(EventLoop loop) throws InterruptedException {
        if (inProcessChannel != null || closed) {
            throw new IllegalStateException("node hub: in-process listener already bound, or hub closed");
        }
        ChannelHandler child = new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                if (!handshakes.tryBegin(ch)) {
                    ch.close();
                    return;
                }
                TunnelPipeline.server(ch.pipeline(), TunnelSession.gatewaySide(tunnel, new Listener(ch)));
            }
        };
        // ANY: Netty names the listener uniquely, so hubs of several gateways in one JVM (tests) never collide.
        Channel ch = new ServerBootstrap().group(loop, loop).channel(LocalServerChannel.class).childHandler(child)
                .bind(LocalAddress.ANY).sync().channel();
        inProcessChannel = ch;
        return new InProcessTunnel((LocalAddress) ch.localAddress(), loop);
    }

    /** The bound TLS port. */
    public int tlsPort() {
        Channel ch = tlsServerChannel;
        if (ch == null) {
            throw new IllegalStateException("node hub: TLS not started");
        }
        return ((InetSocketAddress) ch.localAddress()).getPort();
    }

    /** The bound port. */
    public int port() {
        Channel ch = serverChannel;
        if (ch == null) {
            throw new IllegalStateException("node hub not started");
        }
        return ((InetSocketAddress) ch.localAddress()).getPort();
    }

    public NodeDirectory directory() {
        return directory;
    }

    /**
     * Counts a usage record's bytes for its sticky session, if it has one pinned (bytes per session,
     * docs/product/proxy.md#session-control). Called for every record as it is added to the usage
     * batcher, on an event loop: one map lookup.
     */
    public void meter(UsageRecord record) {
        String session = record.sessionId();
        if (session != null && record.nodeId() != null) {
            sticky.addBytes(new StickySessions.Key(record.userId(), session), record.bytesDownloaded() + record.bytesUploaded());
        }
    }

    /** The sticky sessions pinned at this hub, per account (docs/product/proxy.md#sessions). */
    public StickySessionDirectory stickySessions() {
        return stickyDirectory;
    }

    /**
     * Joins the cluster (docs/deploy.md#cross-gateway-relay): {@link #start} then also binds the relay
     * listener and publishes this hub's nodes in the directory, and {@link #exitConnector()} falls back
     * to other gateways' nodes. Call before {@link #start}; at most once.
     */
    public void enableCluster(ClusterSettings settings) {
        if (cluster != null || serverChannel != null) {
            throw new IllegalStateException("enableCluster: call once, before start");
        }
        cluster = new ClusterRelay(settings, nodes, sticky, () -> paused, stickyStore, exitConnector, tunnel, meters);
    }

    /** {@code host:port} of this hub's relay listener as other gateways reach it; null without a cluster. */
    public @Nullable String relayAddress() {
        ClusterRelay c = cluster;
        return c == null ? null : c.relayAddress();
    }

    /** Opens customer streams through connected nodes, selected by targeting and session. */
    public ExitConnector exitConnector() {
        ClusterRelay c = cluster;
        return c != null ? c : exitConnector;
    }

    /**
     * First step of a graceful drain (docs/deploy.md#graceful-drain): stops accepting node
     * connections and sends every connected agent {@code DRAIN(deadline)} (docs/protocol.md), so it
     * opens no new stream on this session, lets its open streams run for up to {@code deadline},
     * then reconnects (to another gateway behind the same address, or back here after a restart).
     * Open streams keep flowing; {@link #close()} ends whatever is left. Idempotent.
     *
     * @param deadline how long agents may keep this session for their open streams
     */
    public void drain(Duration deadline) {
        if (closed) {
            return;
        }
        for (Channel ch : new Channel[] {serverChannel, tlsServerChannel, inProcessChannel}) {
            if (ch != null) {
                ch.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        }
        int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(0, deadline.toMillis()));
        for (NodeEntry e : new ArrayList<>(nodes.values())) {
            e.session.drain(millis);
        }
    }

    /** Stops accepting, asks agents to reconnect elsewhere, closes sessions, flushes node state. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ClusterRelay c = cluster;
        if (c != null) {
            c.close();
        }
        for (Channel ch : new Channel[] {serverChannel, tlsServerChannel, inProcessChannel}) {
            if (ch != null) {
                ch.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        }
        List<NodeEntry> entries = new ArrayList<>(nodes.values());
        for (NodeEntry e : entries) {
            e.session.drain(0);
            e.session.close();
        }
        awaitCloseCallbacks(entries);
        storeThread.shutdown();
        try {
            storeThread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        saveStickySessions(); // the store thread has stopped: the last changes, once
        // The sessions' close callbacks may not have run yet: record what is left here, once.
        Instant now = Instant.now();
        for (NodeEntry e : entries) {
            unindex(e);
            if (bySession.remove(e.session) != null) {
                nodes.remove(e.nodeId(), e);
                reportFinal(e, now);
            }
        }
        drainStoreWrites(); // the store thread has stopped: writes queued since its last drain (sessions closed meanwhile)
        admissions.shutdownNow();
    }

    /**
     * Waits (at most {@link #CLOSE_CALLBACKS_WAIT_MILLIS} ms) until the close callbacks of
     * {@code entries}' sessions have run, so their disconnected writes are queued while the store
     * thread still runs and are done when {@link #close} returns; what has not run by then is
     * recorded by close itself.
     */
    private void awaitCloseCallbacks(List<NodeEntry> entries) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_CALLBACKS_WAIT_MILLIS);
        while (System.nanoTime() < deadline
                && (closingCallbacks.get() > 0 || entries.stream().anyMatch(e -> bySession.containsKey(e.session)))) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    // ------------------------------------------------------------------ admission

    private final class Listener implements TunnelSession.GatewayListener {
        private final Channel channel;
        /** Whether this connection holds one of {@link #sessionSlots}; given back once, on close. */
        private final AtomicBoolean holdsSlot = new AtomicBoolean();

        Listener(Channel channel) {
            this.channel = channel;
        }

        @Override
        public void onHello(TunnelSession session, Hello hello) {
            if (hello.protocolVersion() < TunnelProtocol.MIN_VERSION || hello.protocolVersion() > TunnelProtocol.VERSION) {
                session.refuse("protocol version " + hello.protocolVersion() + " is not supported (expected: "
                        + TunnelProtocol.MIN_VERSION + "-" + TunnelProtocol.VERSION + ")");
                return;
            }
            if (!DEVICE_ID.matcher(hello.deviceId()).matches()) {
                session.refuse("device id must be 1-128 characters of [A-Za-z0-9._:-]");
                return;
            }
            InetAddress remote = ProxyProtocol.clientAddress(channel);
            // Only an agent on this very machine may call itself the local exit.
            boolean localExit = hello.localExit() && remote.isLoopbackAddress();
            NodeHello nodeHello = new NodeHello(KeyHashes.sha256Hex(hello.nodeKey()), hello.deviceId(),
                    remote.getHostAddress(), hello.deviceName(), hello.platform(), hello.agentVersion(), hello.country(),
                    hello.region(), hello.city(), hello.asn(), hello.isp(), hello.connectionType(), localExit);
            handshakes.helloReceived(channel);
            if (!takeSlot()) {
                refusedFull.increment();
                session.refuseTryElsewhere("gateway full (" + maxSessions + " nodes), try elsewhere");
                return;
            }
            CompletableFuture<NodeAdmission> lookup;
            try {
                lookup = CompletableFuture.supplyAsync(() -> authenticator.admit(nodeHello), admissions)
                        .thenCompose(stage -> stage);
            } catch (RejectedExecutionException e) {
                refusedBusy.increment();
                session.refuseTryElsewhere("gateway busy admitting nodes, retry later");
                return;
            }
            lookup
                    .whenComplete((admission, error) -> {
                        if (error != null) {
                            log.warn("node admission failed for device {}: {}", hello.deviceId(), error.toString());
                            session.refuse("node admission is unavailable, retry later");
                        } else if (admission instanceof NodeAdmission.Refused refused) {
                            session.refuse(refused.message());
                        } else if (admission instanceof NodeAdmission.Admitted admitted) {
                            register(session, admitted, hello, remote.getHostAddress(), localExit);
                        }
                    });
        }

        /** Takes a session slot for this connection; false when the hub holds {@link #maxSessions} already. */
        private boolean takeSlot() {
            if (sessionSlots.incrementAndGet() > maxSessions) {
                sessionSlots.decrementAndGet();
                return false;
            }
            holdsSlot.set(true);
            if (!channel.isActive()) {
                // Closed meanwhile: its close callback may have run before the slot was taken.
                releaseSlot();
            }
            return true;
        }

        private void releaseSlot() {
            if (holdsSlot.compareAndSet(true, false)) {
                sessionSlots.decrementAndGet();
            }
        }

        @Override
        public void onClosed(TunnelSession session) {
            closingCallbacks.incrementAndGet(); // before the entry leaves bySession: close() waits for both
            try {
                forgetClosed(session);
            } finally {
                closingCallbacks.decrementAndGet();
            }
        }

        private void forgetClosed(TunnelSession session) {
            releaseSlot();
            NodeEntry e = bySession.remove(session);
            if (e != null) {
                unindex(e);
            }
            if (e != null && nodes.remove(e.nodeId(), e)) {
                log.info("node {} ({}) disconnected", e.nodeId(), e.hello.deviceId());
                departed.put(e.nodeId(), e.quality);
                // Also while the hub closes: this callback took the entry out of bySession, so close()'s
                // own final loop will not report it (it was lost when the callback ran during close).
                Instant at = Instant.now();
                storeWrite(() -> reportFinal(e, at));
            }
        }
    }

    private void register(TunnelSession session, NodeAdmission.Admitted admitted, Hello hello, String remote, boolean localExit) {
        if (closed || session.channel() == null || !session.channel().isActive()) {
            return;
        }
        NodeEntry current = nodes.get(admitted.nodeId());
        NodeQuality quality = current != null ? current.quality : departed.asMap().remove(admitted.nodeId());
        NodeEntry entry = new NodeEntry(session, admitted, hello, remote, localExit, quality != null ? quality : new NodeQuality());
        bySession.put(session, entry);
        NodeEntry[] replaced = new NodeEntry[1];
        NodeEntry winner = nodes.compute(admitted.nodeId(), (id, old) -> {
            if (old != null && old.session != session && old.session.isServing()) {
                return old;
            }
            replaced[0] = old;
            return entry;
        });
        if (winner != entry) {
            // Another live session serves this device id (a cloned disk or volume): the established
            // one keeps it, so the two copies do not knock each other off (docs/protocol.md §4.1).
            bySession.remove(session);
            log.warn("node {}: refused a second connection of device {} from {} (already connected from {})",
                    admitted.nodeId(), hello.deviceId(), remote, winner.remoteAddress);
            session.refuseDuplicateDevice("device id already connected (copied disk or volume?); "
                    + "run 'proxyclaw reset-id' on the copy");
            Instant at = Instant.now();
            storeWrite(() -> {
                try {
                    store.idClash(admitted.nodeId(), remote, at);
                } catch (RuntimeException e) {
                    log.warn("recording the device id clash of node {} failed: {}", admitted.nodeId(), e.toString());
                }
            });
            return;
        }
        NodeEntry previous = replaced[0];
        if (previous != null && previous.session != session) {
            // The old connection is closed or draining: the reconnect wins.
            unindex(previous);
            bySession.remove(previous.session);
            previous.session.close();
        }
        // Speak the agent's version when it is older (docs/protocol.md §7): a version 1 agent gets no FIN.
        session.welcome(new Welcome(Math.min(hello.protocolVersion(), TunnelProtocol.VERSION), admitted.nodeId().toString(), tunnel.heartbeatIntervalMillis()));
        if (!session.channel().isActive()) {
            // Closed while being admitted: the close callback ran before the entry existed.
            bySession.remove(session);
            nodes.remove(admitted.nodeId(), entry);
            unindex(entry);
            return;
        }
        // A no-op when the close callback already ran for this entry (join and leave may race).
        index(entry);
        log.info("node {} ({}) connected from {}{}, country {}", admitted.nodeId(), hello.deviceId(), remote,
                localExit ? " as the local exit" : "", admitted.country());
        Instant now = entry.connectedSince;
        storeWrite(() -> {
            try {
                store.connected(admitted.nodeId(), remote, now);
            } catch (RuntimeException e) {
                log.warn("recording node {} as connected failed: {}", admitted.nodeId(), e.toString());
            }
        });
    }

    /**
     * Queues a node state write for the store thread, which runs the queued ones in order within
     * {@link #STORE_WRITE_DELAY_MILLIS}. Any thread. Once {@link #close} stopped the store thread,
     * what is queued is run by close's final drain or, when the schedule is refused, here on the
     * caller (a session closing while or after the hub closes: once per node, at shutdown only).
     */
    private void storeWrite(Runnable write) {
        storeWrites.add(write);
        if (storeDrainScheduled.compareAndSet(false, true)) {
            try {
                storeThread.schedule(this::drainStoreWrites, STORE_WRITE_DELAY_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                drainStoreWrites();
            }
        }
    }

    /**
     * Runs the queued node state writes in order. The flag is cleared before the queue is read, so
     * a write queued meanwhile is either run here or schedules the next drain. Store thread, or
     * once that thread stopped, {@link #close} or a caller of {@link #storeWrite}.
     */
    private void drainStoreWrites() {
        storeDrainScheduled.set(false);
        for (Runnable w; (w = storeWrites.poll()) != null; ) {
            w.run();
        }
    }

    /**
     * Makes {@code e} selectable and counts it in its country's gauge, once; a no-op once
     * {@link #unindex} ran for it (join and leave may race on different threads). Any thread.
     */
    void index(NodeEntry e) {
        if (index.add(e)) {
            connectedByCountry.joined(e.countryKey);
        }
    }

    /** Takes {@code e} out of selection and its country's gauge; idempotent. Any thread. */
    void unindex(NodeEntry e) {
        if (index.remove(e)) {
            connectedByCountry.left(e.countryKey);
        }
    }

    /** Node sessions held now (admitted or being admitted), for tests and metrics. */
    int sessionsHeld() {
        return sessionSlots.get();
    }

    /** Connected nodes by country tag, as the {@code iploop.nodes.connected} gauges show them. */
    Map<String, Integer> connectedByCountry() {
        return connectedByCountry.snapshot();
    }

    // ------------------------------------------------------------------ node state

    /** Last evicted set read (store thread only): never selected, even while their sessions close. */
    private Set<UUID> evicted = Set.of();

    private void refreshPaused() {
        try {
            evicted = Set.copyOf(store.evictedNodeIds());
        } catch (RuntimeException e) {
            // Keep the last known set: a database hiccup must not readmit banned nodes.
            log.warn("reading evicted nodes failed (kept the previous set): {}", e.toString());
        }
        try {
            Set<UUID> p = store.pausedNodeIds();
            if (evicted.isEmpty()) {
                paused = Set.copyOf(p);
            } else {
                Set<UUID> union = new HashSet<>(p);
                union.addAll(evicted);
                paused = Set.copyOf(union);
            }
        } catch (RuntimeException e) {
            // Keep the last known set: a database hiccup must not resume paused nodes.
            log.warn("reading paused nodes failed (kept the previous set): {}", e.toString());
        }
        for (UUID id : evicted) {
            NodeEntry e = nodes.get(id);
            if (e != null) {
                // Banned or its key revoked (docs/moderation.md): close the session; the HELLO of a
                // reconnect is refused by the authenticator.
                log.info("node {} ({}) evicted: closing its session", id, e.hello.deviceId());
                e.session.close();
            }
        }
    }

    private void flushCounters() {
        try {
            Instant now = Instant.now();
            List<NodeStore.NodeCounters> deltas = new ArrayList<>();
            List<Runnable> commits = new ArrayList<>();
            int[] bands = new int[3];
            for (NodeEntry e : nodes.values()) {
                // Only nodes whose counters or quality changed: an idle node costs no write, and its
                // freshness is its live session here, not a timestamp rewritten every 2 s (docs/scale.md).
                NodeStore.NodeCounters d = delta(e, now, commits);
                if (d != null) {
                    deltas.add(d);
                }
                int q = e.quality.score();
                bands[q >= 80 ? 0 : q >= 50 ? 1 : 2]++;
            }
            byQuality.register(List.of(MultiGauge.Row.of(Tags.of("band", "good"), bands[0]),
                    MultiGauge.Row.of(Tags.of("band", "fair"), bands[1]),
                    MultiGauge.Row.of(Tags.of("band", "poor"), bands[2])), true);
            if (!deltas.isEmpty()) {
                store.addCounters(deltas);
                commits.forEach(Runnable::run);
            }
        } catch (RuntimeException e) {
            log.warn("flushing node counters failed (kept for the next flush): {}", e.toString());
        }
    }

    /**
     * The counters since the last successful report, null when neither they nor the measured
     * quality changed since; {@code commits} marks them reported once stored. Store thread only.
     */
    static NodeStore.@Nullable NodeCounters delta(NodeEntry e, Instant now, List<Runnable> commits) {
        long bytes = e.bytesTotal.get();
        long requests = e.requests.get();
        long successes = e.successes.get();
        boolean measured = e.quality.measured();
        Integer score = measured ? e.quality.score() : null;
        NodeStore.QualityFigures figures = measured ? e.quality.figures() : null;
        boolean qualityChanged = measured && (score != e.scoreReported || !figures.equals(e.figuresReported));
        long dBytes = bytes - e.bytesReported.get();
        long dRequests = requests - e.requestsReported.get();
        long dSuccesses = successes - e.successesReported.get();
        if (dBytes == 0 && dRequests == 0 && dSuccesses == 0 && !qualityChanged) {
            return null;
        }
        commits.add(() -> {
            e.bytesReported.set(bytes);
            e.requestsReported.set(requests);
            e.successesReported.set(successes);
            if (measured) {
                e.scoreReported = score;
                e.figuresReported = figures;
            }
        });
        return new NodeStore.NodeCounters(e.nodeId(), dBytes, dRequests, dSuccesses, now, score, figures);
    }

    private void reportFinal(NodeEntry e, Instant now) {
        try {
            List<Runnable> commits = new ArrayList<>();
            NodeStore.NodeCounters d = delta(e, now, commits);
            if (d != null) {
                store.addCounters(List.of(d));
                commits.forEach(Runnable::run);
            }
            store.disconnected(e.nodeId(), now);
        } catch (RuntimeException ex) {
            log.warn("recording node {} as disconnected failed: {}", e.nodeId(), ex.toString());
        }
    }

    /** {@link StickySessionDirectory} over {@link #sticky}: reads only the pins of the asking account. */
    private final class StickyDirectory implements StickySessionDirectory {

        @Override
        public List<StickySession> list(UUID userId) {
            List<StickySession> out = new ArrayList<>();
            for (Map.Entry<String, StickySessions.Pin> e : sticky.live(userId, Instant.now())) {
                StickySession s = view(userId, e.getKey(), e.getValue());
                if (s != null) {
                    out.add(s);
                }
            }
            out.sort(Comparator.comparing(StickySession::id));
            return out;
        }

        @Override
        public boolean close(UUID userId, String sessionId) {
            return sticky.close(new StickySessions.Key(userId, sessionId), Instant.now());
        }

        @Override
        public @Nullable StickySession extend(UUID userId, String sessionId, Duration maxLifetime) {
            if (maxLifetime.isNegative() || maxLifetime.isZero()) {
                throw new IllegalArgumentException("maxLifetime must be positive: " + maxLifetime);
            }
            StickySessions.Pin pin = sticky.extend(new StickySessions.Key(userId, sessionId), maxLifetime, Instant.now());
            return pin == null ? null : view(userId, sessionId, pin);
        }

        /** The session with its node's location, or null when the node has left. */
        private @Nullable StickySession view(UUID userId, String id, StickySessions.Pin pin) {
            NodeEntry node = nodes.get(pin.nodeId());
            if (node == null) {
                return null;
            }
            return new StickySession(id, pin.nodeId(), node.admission.country(), node.admission.city(), node.admission.asn(),
                    node.connectedSince, pin.pinnedAt(), pin.expiresAt(), sticky.bytes(new StickySessions.Key(userId, id)));
        }
    }
}
