package io.iploop.node;

import io.iploop.tunnel.ByteStream;
import io.iploop.tunnel.ByteStreamRelay;
import io.iploop.tunnel.Hello;
import io.iploop.tunnel.InProcessTunnel;
import io.iploop.tunnel.OpenFailure;
import io.iploop.tunnel.PortPolicy;
import io.iploop.tunnel.ReadAfterFinGuard;
import io.iploop.tunnel.StreamAcceptor;
import io.iploop.tunnel.TunnelLoopAffinity;
import io.iploop.tunnel.TunnelPipeline;
import io.iploop.tunnel.TunnelProtocol;
import io.iploop.tunnel.TunnelSession;
import io.iploop.tunnel.Welcome;
import io.iploop.tunnel.egress.Cidr;
import io.iploop.tunnel.egress.EgressPolicy;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import jdk.net.ExtendedSocketOptions;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running node agent: connects to the gateway, keeps reconnecting forever with exponential
 * backoff and jitter, serves the streams the gateway opens. Thread-safe.
 *
 * <p>Each OPEN from the gateway is resolved and checked against the {@link EgressPolicy} on a
 * small blocking executor (never on an event loop), then connected to exactly the address that
 * was checked, so DNS rebinding cannot slip a forbidden address in between. The agent owns its
 * threads (named {@code proxyclaw-io-*} and {@code proxyclaw-resolve-*}); {@link #close()}
 * releases all of them.
 */
public final class NodeAgent implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);

    /** Connect timeout for the gateway and for every exit connection, in ms. */
    static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    /** Kernel TCP keepalive on the tunnel connection: first probe after this much silence, in s. */
    static final int KEEPALIVE_IDLE_SECONDS = 20;
    /** Kernel TCP keepalive: seconds between unanswered probes. */
    static final int KEEPALIVE_INTERVAL_SECONDS = 5;
    /** Kernel TCP keepalive: unanswered probes before the connection is dead. */
    static final int KEEPALIVE_PROBES = 4;

    /**
     * Read sizes of an exit connection: Netty's adaptive guess, up to 256 KiB (its default stops at
     * 64 KiB). An exit is read once per {@code read()} (AUTO_READ off, the relay asks again while the
     * stream has credit), so a larger read carries a bulk download in a quarter of the reads and
     * event-loop turns; the stream cuts it into DATA frames without copying. A capped node's
     * {@link ExitBandwidthHandler} replaces it with its own small reads.
     */
    private static final AdaptiveRecvByteBufAllocator EXIT_READS = new AdaptiveRecvByteBufAllocator(64, 2048, 256 * 1024);

    /** A session that was welcomed longer ago than this resets the backoff when it ends. */
    static final Duration STABLE_SESSION = Duration.ofSeconds(60);

    /**
     * A "device id already connected" refusal within this long after this agent's own session
     * ended is most likely that session still alive on the gateway's side (it notices a dead idle
     * peer after {@link TunnelProtocol#DEAD_PEER_TIMEOUT_MILLIS}, gateways before that change
     * after 90 s), not a clone: the agent then retries with the refusal delay instead of the long
     * duplicate-device delay. Sized for the older gateways, so it holds against both.
     */
    static final Duration OWN_GHOST_WINDOW = Duration.ofSeconds(90 + 60);

    private static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final int RESOLVER_THREADS = 8;
    private static final int RESOLVER_QUEUE = 1024;
    private static final long DRAIN_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final AgentConfig config;
    private final @Nullable DeviceRegistrar registrar;
    /** Reports the exit byte count to the control plane (docs/operator-transparency.md); null without apiUri. */
    private final @Nullable TrafficReporter trafficReporter;
    private final URI gatewayUri;
    private final int gatewayPort;
    private final @Nullable SslContext ssl;
    private final EgressPolicy egressPolicy;
    /** Rebuilt by {@link #allowPorts}; read when a connection attempt starts. */
    private volatile Hello hello;
    /** How often the agent re-evaluates its active hours and data cap, ms. */
    static final long AVAILABILITY_CHECK_MILLIS = 30_000;
    /** When the agent serves (docs/node-agent.md#active-hours-and-monthly-data-cap). */
    private volatile ActiveHours activeHours = ActiveHours.ALWAYS;
    /** The month's data cap, or null for none. */
    private volatile @Nullable MonthlyDataCap dataCap;
    /** Local wall clock for the schedule and the month of the cap. */
    private volatile Clock clock = Clock.systemDefaultZone();
    private volatile long availabilityCheckMillis = AVAILABILITY_CHECK_MILLIS;
    /** {@link #bytesCarried} already added to {@link #dataCap}; guarded by this. */
    private long bytesCounted;
    private @Nullable Future<?> availabilityCheck;
    /** Destination ports this agent opens streams to (docs/node-agent.md#allowed-ports). */
    private volatile PortPolicy allowedPorts = PortPolicy.ALL;
    private final ReconnectBackoff backoff;
    private final ExitTrafficCounter trafficCounter;
    /** The bandwidth cap over all exit streams, each direction, or null for none (docs/node-agent.md#bandwidth-limit). */
    private volatile ExitBandwidthHandler.@Nullable Cap bandwidthCap;
    private final EventLoopGroup group;
    /** Whether {@link #group} is this agent's own (shut down with it) or lent by the process it runs in. */
    private final boolean ownsGroup;
    private final Class<? extends SocketChannel> socketChannelClass;
    private final @Nullable TunnelLoopAffinity loopAffinity;
    /** The hub's in-process listener when this agent is the server's local node; else null. */
    private final @Nullable InProcessTunnel inProcess;
    private final ThreadPoolExecutor resolver;
    private final Set<Channel> exitChannels = ConcurrentHashMap.newKeySet();

    private final AtomicLong bytesCarried = new AtomicLong();
    /** When {@link #start()} ran; guarded by this. */
    private @Nullable Instant startedAt;
    private final AtomicLong streamsServed = new AtomicLong();
    private final AtomicInteger activeStreams = new AtomicInteger();

    // Guarded by this.
    private AgentStatus.State state = AgentStatus.State.STOPPED;
    private boolean started;
    private boolean closed;
    private boolean stopping;
    private long lastSessionEndNanos;
    /** The gateway address that last answered 4503 (full, try elsewhere); the next attempt prefers another. */
    private volatile @Nullable InetAddress fullGateway;
    private @Nullable Attempt current;
    private final Set<Attempt> draining = new HashSet<>();
    private @Nullable Future<?> pendingReconnect;
    private long attempts;
    private @Nullable String nodeId;
    private @Nullable Instant connectedSince;
    private @Nullable String lastError;

    /**
     * Validates {@code config} and allocates the agent's threads; nothing connects before
     * {@link #start()}.
     *
     * @throws IllegalArgumentException naming the bad setting (gateway URI, device id, blocklist)
     */
    public NodeAgent(AgentConfig config) {
        this(config, ReconnectBackoff.standard(), Set.of(), null);
    }

    /**
     * An agent that runs beside the platform (the server's local node): besides its configuration's
     * egress policy it never opens {@code protectedLocalPorts} on this host, even with loopback
     * egress allowed: the control plane's HTTP port, the node hub and the database
     * ({@code docs/security.md}).
     *
     * @param protectedLocalPorts TCP ports; 0 and out-of-range values are ignored
     * @throws IllegalArgumentException naming the bad setting (gateway URI, device id, blocklist)
     */
    public NodeAgent(AgentConfig config, Collection<Integer> protectedLocalPorts) {
        this(config, ReconnectBackoff.standard(), protectedLocalPorts, null);
    }

    /**
     * Event loops lent to an agent by the process it runs in (the server's local node runs on the
     * gateway's worker loops): the agent does not shut them down.
     *
     * @param group the loops; the agent's tunnel connection, its exit sockets and its timers run here
     * @param socketChannelClass the socket channel class of {@code group}'s transport (epoll or NIO)
     * @param affinity if not null, the agent's connection to a gateway on a loopback address
     *     registers its loop here before connecting, so the in-process node hub serves it on the
     *     same loop ({@link TunnelLoopAffinity}): a stream is then relayed on one thread end to end
     * @param inProcess if not null, the agent reaches a gateway on a loopback address through this
     *     in-process listener of the hub instead of a socket (docs/protocol.md#in-process-transport);
     *     its loop must belong to {@code group}
     */
    public record SharedLoops(EventLoopGroup group, Class<? extends SocketChannel> socketChannelClass,
            @Nullable TunnelLoopAffinity affinity, @Nullable InProcessTunnel inProcess) {
        public SharedLoops {
            Objects.requireNonNull(group, "group");
            Objects.requireNonNull(socketChannelClass, "socketChannelClass");
        }

        /** Loops without an in-process listener: the agent connects over TCP. */
        public SharedLoops(EventLoopGroup group, Class<? extends SocketChannel> socketChannelClass,
                @Nullable TunnelLoopAffinity affinity) {
            this(group, socketChannelClass, affinity, null);
        }
    }

    /**
     * As {@link #NodeAgent(AgentConfig, Collection)}, on event loops the caller owns and keeps
     * running until after {@link #shutdown} (the server's local node).
     */
    public NodeAgent(AgentConfig config, Collection<Integer> protectedLocalPorts, SharedLoops loops) {
        this(config, ReconnectBackoff.standard(), protectedLocalPorts, Objects.requireNonNull(loops, "loops"));
    }

    /**
     * Caps the bandwidth of all exit streams together at {@code megabitsPerSecond} in each direction
     * (bytes from targets, and bytes to targets, each up to the rate; the {@code bandwidth-limit-mbps}
     * setting, docs/node-agent.md#bandwidth-limit), or removes the cap with null. Applies to streams opened afterwards. Any thread.
     *
     * @throws IllegalArgumentException outside 1-10000
     */
    public void limitBandwidth(@Nullable Integer megabitsPerSecond) {
        bandwidthCap = megabitsPerSecond == null ? null : ExitBandwidthHandler.Cap.of(megabitsPerSecond);
    }

    /**
     * Limits the destination ports this agent opens streams to (the {@code allowed-ports} setting,
     * docs/node-agent.md#allowed-ports; {@code proxyclaw} defaults it to 80 and 443, this class to
     * all ports). The agent answers an OPEN to another port with OPEN_FAIL {@code forbidden} and
     * announces the policy in its HELLO, so the gateway does not send it such streams
     * (docs/protocol.md §4.1). Applies to OPENs from now on and to the next HELLO: call it before
     * {@link #start()}. Any thread.
     */
    public void allowPorts(PortPolicy ports) {
        allowedPorts = ports;
        hello = hello.withAllowedPorts(ports);
    }

    /** The destination ports this agent opens streams to ({@link #allowPorts}). */
    public PortPolicy allowedPorts() {
        return allowedPorts;
    }

    /**
     * Serves only within {@code hours} (device local time) and, with a {@code cap}, only while the
     * month's traffic (both directions) is below it (docs/node-agent.md#active-hours-and-monthly-data-cap).
     * Outside them the agent disconnects from the gateway (so no stream is routed to it), answers any
     * OPEN still in flight with {@code unavailable}, reports {@link AgentStatus.State#UNAVAILABLE}, and
     * reconnects when it may serve again; it re-evaluates every {@value #AVAILABILITY_CHECK_MILLIS} ms
     * and then also saves the cap's count. Call before {@link #start()}.
     */
    public void limitAvailability(ActiveHours hours, @Nullable MonthlyDataCap cap) {
        limitAvailability(hours, cap, Clock.systemDefaultZone(), AVAILABILITY_CHECK_MILLIS);
    }

    /** As {@link #limitAvailability(ActiveHours, MonthlyDataCap)} with a test clock and check period. */
    void limitAvailability(ActiveHours hours, @Nullable MonthlyDataCap cap, Clock localClock, long checkMillis) {
        activeHours = hours;
        dataCap = cap;
        clock = localClock;
        availabilityCheckMillis = checkMillis;
    }

    /** Why the agent may not serve now, or null when it may. */
    private @Nullable String unavailableReason() {
        ActiveHours hours = activeHours;
        MonthlyDataCap cap = dataCap;
        if (hours == ActiveHours.ALWAYS && cap == null) {
            return null;
        }
        Clock c = clock;
        if (!hours.isActive(LocalDateTime.now(c))) {
            return "outside active hours (" + hours + ")";
        }
        if (cap != null && cap.exceeded(YearMonth.now(c))) {
            return "monthly data cap of " + cap.limitBytes() / MonthlyDataCap.BYTES_PER_GB + " GB reached";
        }
        return null;
    }

    /** Runs on an event loop: counts traffic into the cap, then disconnects or reconnects as needed. */
    private void checkAvailability() {
        MonthlyDataCap cap = dataCap;
        if (cap != null) {
            long total = bytesCarried.get();
            long delta;
            synchronized (this) {
                delta = total - bytesCounted;
                bytesCounted = total;
            }
            cap.add(delta, YearMonth.now(clock));
            try {
                cap.save();
            } catch (UncheckedIOException e) {
                log.warn("cannot save the monthly data count: {}", e.getMessage());
            }
        }
        String why = unavailableReason();
        Attempt leaving;
        synchronized (this) {
            if (closed || stopping) {
                return;
            }
            if (why == null) {
                if (state == AgentStatus.State.UNAVAILABLE && current == null) {
                    log.info("available again: connecting");
                    connect();
                }
                return;
            }
            if (state == AgentStatus.State.UNAVAILABLE) {
                return;
            }
            if (pendingReconnect != null) {
                pendingReconnect.cancel(false);
                pendingReconnect = null;
            }
            leaving = current;
            current = null;
            connectedSince = null;
            state = AgentStatus.State.UNAVAILABLE;
            lastError = why;
        }
        log.info("not serving: {}; disconnected until it may serve again", why);
        if (leaving != null) {
            Channel ch = leaving.channel;
            if (ch != null) {
                ch.close();
            }
        }
    }

    NodeAgent(AgentConfig config, ReconnectBackoff backoff) {
        this(config, backoff, Set.of(), null);
    }

    private NodeAgent(AgentConfig config, ReconnectBackoff backoff, Collection<Integer> protectedLocalPorts,
            @Nullable SharedLoops shared) {
        this.config = config;
        this.registrar = config.apiUri() == null ? null : new DeviceRegistrar(config, version());
        this.trafficReporter = config.apiUri() == null ? null
                : new TrafficReporter(config, bytesCarried, Clock.systemUTC(), TrafficReporter.DEFAULT_INTERVAL);
        this.gatewayUri = config.gatewayUri();
        String scheme = gatewayUri.getScheme() == null ? "" : gatewayUri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("ws") && !scheme.equals("wss")) {
            throw new IllegalArgumentException("gatewayUri: " + gatewayUri + " (expected: ws://host:port/ws or wss://…)");
        }
        if (gatewayUri.getHost() == null) {
            throw new IllegalArgumentException("gatewayUri: " + gatewayUri + " (expected: a host name)");
        }
        boolean tls = scheme.equals("wss");
        this.gatewayPort = gatewayUri.getPort() > 0 ? gatewayUri.getPort() : tls ? 443 : 80;
        if (config.nodeKey().isBlank()) {
            throw new IllegalArgumentException("nodeKey: empty (expected: ipn_ + 48 hex)");
        }
        if (!DEVICE_ID.matcher(config.deviceId()).matches()) {
            throw new IllegalArgumentException(
                    "deviceId: " + config.deviceId() + " (expected: 1-128 chars of [A-Za-z0-9._:-])");
        }
        this.egressPolicy = new EgressPolicy(config.allowLoopbackEgress(), config.blockedDomains(), config.blockedCidrs())
                .withProtectedLocalPorts(protectedLocalPorts);
        this.ssl = tls ? clientSslContext(config.gatewayCaFile()) : null;
        this.hello = new Hello(
                TunnelProtocol.VERSION,
                config.nodeKey(),
                config.deviceId(),
                config.deviceName(),
                System.getProperty("os.name", "unknown") + "/" + System.getProperty("os.arch", "unknown"),
                version(),
                config.country(),
                config.region(),
                config.city(),
                config.asn(),
                config.isp(),
                config.connectionType(),
                config.localExit());
        this.backoff = backoff;
        this.trafficCounter = new ExitTrafficCounter(bytesCarried);
        if (shared != null) {
            this.group = shared.group();
            this.ownsGroup = false;
            this.socketChannelClass = shared.socketChannelClass();
            this.loopAffinity = shared.affinity();
            this.inProcess = shared.inProcess();
        } else {
            int ioThreads = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
            this.group = new MultiThreadIoEventLoopGroup(
                    ioThreads, new DefaultThreadFactory("proxyclaw-io", false), NioIoHandler.newFactory());
            this.ownsGroup = true;
            this.socketChannelClass = NioSocketChannel.class;
            this.loopAffinity = null;
            this.inProcess = null;
        }
        this.resolver = new ThreadPoolExecutor(
                RESOLVER_THREADS, RESOLVER_THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(RESOLVER_QUEUE), new DefaultThreadFactory("proxyclaw-resolve", false));
        resolver.allowCoreThreadTimeOut(true);
    }

    /** The agent's version (the Maven project version, {@code dev} when run from an IDE). */
    public static String version() {
        return AgentVersion.VALUE;
    }

    /** The configuration this agent runs with. */
    public AgentConfig config() {
        return config;
    }

    /**
     * Starts the connection loop in the background and returns at once.
     *
     * @throws IllegalStateException if already started or closed
     */
    public void start() {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("agent is closed");
            }
            if (started) {
                throw new IllegalStateException("agent already started");
            }
            started = true;
            startedAt = Instant.now();
            if (registrar != null) {
                registrar.start();
            }
            if (trafficReporter != null) {
                trafficReporter.start();
            }
            if (activeHours != ActiveHours.ALWAYS || dataCap != null) {
                long every = availabilityCheckMillis;
                availabilityCheck = group.next().scheduleAtFixedRate(this::checkAvailability, every, every, TimeUnit.MILLISECONDS);
            }
            connect();
        }
    }

    /** The current state; cheap, may be called often from any thread. */
    public AgentStatus status() {
        synchronized (this) {
            return new AgentStatus(
                    state,
                    nodeId,
                    connectedSince,
                    activeStreams.get(),
                    bytesCarried.get(),
                    streamsServed.get(),
                    Math.max(0, attempts - 1),
                    lastError,
                    trafficCounter.bytesUp(),
                    trafficCounter.bytesDown(),
                    startedAt);
        }
    }

    /**
     * Stops gracefully (docs/node-agent.md, "Log in, start, stop"): stops reconnecting, answers
     * new OPENs with OPEN_FAIL {@code unavailable} ("agent is draining", so the gateway picks
     * another node; protocol version 1 has no agent-to-gateway DRAIN), lets the open streams
     * finish for up to {@code drainDeadline}, then {@link #close() closes} whatever is left.
     * Blocks the caller until then; returns at once if already closed.
     *
     * @param drainDeadline how long open streams may keep running, {@code Duration.ZERO} to cut them
     */
    public void shutdown(Duration drainDeadline) {
        int open;
        synchronized (this) {
            if (closed) {
                return;
            }
            stopping = true;
            state = AgentStatus.State.STOPPING;
            if (pendingReconnect != null) {
                pendingReconnect.cancel(false);
                pendingReconnect = null;
            }
            open = activeStreams.get();
        }
        if (open > 0) {
            log.info("stopping: no new streams; finishing {} open stream(s) within {} s", open, drainDeadline.toSeconds());
        }
        long deadline = System.nanoTime() + drainDeadline.toNanos();
        synchronized (this) {
            long left;
            while (busy() && !closed && (left = deadline - System.nanoTime()) > 0) {
                try {
                    // Woken when the last relay ends; the poll covers the tunnel streams that
                    // still send their last queued bytes after their relay ended.
                    TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, DRAIN_POLL_NANOS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        int cut = Math.max(activeStreams.get(), busy() ? 1 : 0);
        if (cut > 0) {
            log.warn("stopping: drain deadline passed, closing {} stream(s) still open", cut);
        }
        close();
    }

    /**
     * True while a stream is relaying or a tunnel stream still has bytes to send (a stream whose
     * origin finished may wait for the gateway's credit for its last window). Caller holds the lock.
     */
    private boolean busy() {
        if (activeStreams.get() > 0) {
            return true;
        }
        List<Attempt> sessions = new ArrayList<>(draining);
        if (current != null) {
            sessions.add(current);
        }
        for (Attempt a : sessions) {
            TunnelSession s = a.session;
            if (s != null && s.activeStreams() > 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Stops reconnecting, closes the tunnel and every stream, releases threads. Waits up to a few
     * seconds for the threads to end unless called from one of them. Idempotent.
     */
    @Override
    public void close() {
        List<Attempt> sessions = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            notifyAll();
            if (registrar != null) {
                registrar.close();
            }
            state = AgentStatus.State.STOPPED;
            connectedSince = null;
            if (pendingReconnect != null) {
                pendingReconnect.cancel(false);
                pendingReconnect = null;
            }
            if (availabilityCheck != null) {
                availabilityCheck.cancel(false);
                availabilityCheck = null;
            }
            MonthlyDataCap cap = dataCap;
            if (cap != null) {
                cap.add(bytesCarried.get() - bytesCounted, YearMonth.now(clock));
                bytesCounted = bytesCarried.get();
                try {
                    cap.save();
                } catch (UncheckedIOException e) {
                    log.warn("cannot save the monthly data count: {}", e.getMessage());
                }
            }
            if (current != null) {
                sessions.add(current);
                current = null;
            }
            sessions.addAll(draining);
            draining.clear();
        }
        List<ChannelFuture> closing = new ArrayList<>();
        for (Attempt a : sessions) {
            a.closeSession();
            Channel ch = a.channel;
            if (ch != null) {
                closing.add(ch.closeFuture());
            }
        }
        for (Channel ch : exitChannels) {
            closing.add(ch.close());
        }
        resolver.shutdownNow();
        boolean mayWait = !Thread.currentThread().getName().startsWith("proxyclaw-") && !onOwnLoop();
        if (mayWait) {
            // Let both ends of every relay see the close before the event loops go away, so no
            // handler runs into a terminated executor.
            for (ChannelFuture f : closing) {
                f.awaitUninterruptibly(2, TimeUnit.SECONDS);
            }
        }
        Future<?> terminated = ownsGroup ? group.shutdownGracefully(100, 2_000, TimeUnit.MILLISECONDS)
                : group.next().newSucceededFuture(null);
        if (mayWait) {
            terminated.awaitUninterruptibly(10, TimeUnit.SECONDS);
            try {
                resolver.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        TrafficReporter reporter = trafficReporter;
        if (reporter != null) {
            // After every exit channel closed: the final count includes every byte carried. It blocks
            // on HTTP, so not on one of the agent's own threads.
            if (mayWait) {
                reporter.close();
            } else {
                Thread.ofVirtual().name("proxyclaw-traffic-report-final").start(reporter::close);
            }
        }
        log.info("node agent stopped");
    }

    /**
     * Sends this agent's exit byte counts to the control plane now instead of at the next interval
     * (docs/operator-transparency.md#agent-byte-reconciliation); blocks for the HTTP calls. Call it
     * from a thread of your own, never from a tunnel thread.
     *
     * @return true if the control plane accepted every count; false if some report failed or was
     *     refused, or if the agent has no control plane URL ({@code apiUri})
     */
    public boolean reportTrafficNow() {
        TrafficReporter r = trafficReporter;
        return r != null && r.reportNow();
    }

    /**
     * The address to dial: the first of the gateway's name, or, after that one answered 4503 (full,
     * try elsewhere), another address of the name in the same family when it has one (a round-robin
     * DNS name of several gateways). Blocks on DNS; resolver thread.
     */
    private InetAddress gatewayAddress() throws java.net.UnknownHostException {
        InetAddress[] all = InetAddress.getAllByName(gatewayUri.getHost());
        InetAddress full = fullGateway;
        if (full == null || all.length < 2) {
            return all[0];
        }
        List<InetAddress> others = new ArrayList<>();
        for (InetAddress a : all) {
            if (!a.equals(full) && a.getClass() == full.getClass()) {
                others.add(a);
            }
        }
        return others.isEmpty() ? all[0] : others.get(java.util.concurrent.ThreadLocalRandom.current().nextInt(others.size()));
    }

    /** True for the close reason of a session the gateway refused after HELLO. */
    static boolean isRefusal(String reason) {
        String r = reason.toLowerCase(Locale.ROOT);
        return r.startsWith("refused") || r.contains(String.valueOf(TunnelProtocol.CLOSE_CODE_REFUSED));
    }

    /**
     * The {@code wss://} client context: the JDK's default trust store (system CAs) when
     * {@code caFile} is null, else only the certificates in that PEM file. The gateway's name is
     * checked against its certificate either way (Netty's default HTTPS endpoint identification).
     *
     * @throws IllegalArgumentException naming the file when it holds no usable certificate
     */
    static SslContext clientSslContext(@Nullable Path caFile) {
        SslContextBuilder b = SslContextBuilder.forClient();
        if (caFile != null) {
            try (InputStream in = Files.newInputStream(caFile)) {
                List<X509Certificate> trusted = CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
                        .map(X509Certificate.class::cast).toList();
                if (trusted.isEmpty()) {
                    throw new IllegalArgumentException("gateway CA file " + caFile + ": no certificate (expected: PEM)");
                }
                b.trustManager(trusted);
            } catch (IOException | CertificateException e) {
                throw new IllegalArgumentException("gateway CA file " + caFile + ": " + e.getMessage(), e);
            }
        }
        try {
            return b.build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot create the TLS client context: " + e.getMessage(), e);
        }
    }

    /** Starts one connection attempt. Caller holds the lock. */
    private void connect() {
        if (closed || stopping) {
            return;
        }
        pendingReconnect = null;
        String why = unavailableReason();
        if (why != null) {
            // The availability check connects once the agent may serve again.
            state = AgentStatus.State.UNAVAILABLE;
            lastError = why;
            return;
        }
        state = AgentStatus.State.CONNECTING;
        attempts++;
        Attempt attempt = new Attempt();
        current = attempt;
        try {
            resolver.execute(attempt::resolveAndConnect);
        } catch (RejectedExecutionException e) {
            attempt.end("agent is shutting down", false);
        }
    }

    private synchronized void reconnectNow() {
        if (!closed && !stopping && current == null) {
            connect();
        }
    }

    private boolean livedLongEnough(Attempt attempt) {
        return attempt.welcomedAtNanos != 0
                && System.nanoTime() - attempt.welcomedAtNanos > STABLE_SESSION.toNanos();
    }

    /**
     * One connection attempt and, once welcomed, its session. Acts as the session's acceptor and
     * listener. Thread-safe: agent state is touched under the agent's lock only.
     */
    private final class Attempt implements StreamAcceptor, TunnelSession.NodeListener {

        private final AtomicBoolean ended = new AtomicBoolean();
        private final AtomicInteger streams = new AtomicInteger();
        private volatile @Nullable TunnelSession session;
        private volatile @Nullable Channel channel;
        private volatile boolean draining;
        private volatile long welcomedAtNanos;
        private volatile boolean refused;
        private volatile boolean duplicateDevice;
        /** The gateway answered 4503: full or busy, try again later or at another of its addresses. */
        private volatile boolean tryElsewhere;
        private volatile @Nullable InetAddress address;

        /** Runs on the resolver: the gateway's name may need a blocking DNS lookup. */
        void resolveAndConnect() {
            InetSocketAddress address;
            TunnelSession s;
            try {
                address = new InetSocketAddress(gatewayAddress(), gatewayPort);
                this.address = address.getAddress();
                s = TunnelSession.nodeSide(config.tunnel(), hello, this, this);
            } catch (Exception e) {
                end("cannot reach gateway " + gatewayUri + ": " + message(e), false);
                return;
            }
            session = s;
            ChannelInitializer<Channel> pipeline = new ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel ch) {
                    TunnelPipeline.client(ch.pipeline(), gatewayUri, ssl, s);
                    String sessionStage = ch.pipeline().context(s.handler()).name();
                    ch.pipeline().addBefore(sessionStage, "proxyclaw-refusal-watch",
                            new TunnelClientRefusalHandler(() -> refused = true, () -> duplicateDevice = true,
                                    () -> tryElsewhere = true));
                }
            };
            ChannelFuture connected;
            try {
                InProcessTunnel local = inProcess;
                connected = local != null && address.getAddress().isLoopbackAddress()
                        ? new Bootstrap().group(local.loop()).channel(LocalChannel.class).handler(pipeline)
                                .connect(local.address())
                        : connectTcp(address, pipeline);
            } catch (RuntimeException e) {
                end("cannot connect to gateway " + gatewayUri + ": " + message(e), false);
                return;
            }
            channel = connected.channel();
            connected.addListener((ChannelFuture f) -> {
                if (!f.isSuccess()) {
                    end("cannot connect to gateway " + gatewayUri + ": " + message(f.cause()), false);
                    return;
                }
                // Backstop in case the session never reports onClosed; its own report wins
                // because it comes first (the delay leaves room for it).
                f.channel().closeFuture().addListener(cf -> scheduleQuietly(
                        () -> end("connection to gateway closed", false), 1000));
                synchronized (NodeAgent.this) {
                    if (closed || current != this) {
                        f.channel().close();
                    }
                }
            });
        }

        @Override
        public void onWelcome(TunnelSession s, Welcome welcome) {
            synchronized (NodeAgent.this) {
                if (closed || stopping || current != this) {
                    return;
                }
                welcomedAtNanos = System.nanoTime();
                state = AgentStatus.State.CONNECTED;
                nodeId = welcome.nodeId();
                connectedSince = Instant.now();
            }
            log.info("connected to {} as node {} (protocol {})", gatewayUri, welcome.nodeId(), welcome.protocolVersion());
        }

        @Override
        public void onDrain(TunnelSession s, int deadlineMillis) {
            synchronized (NodeAgent.this) {
                if (closed || current != this) {
                    return;
                }
                draining = true;
                NodeAgent.this.draining.add(this);
                current = null;
                lastSessionEndNanos = System.nanoTime();
                connectedSince = null;
                if (livedLongEnough(this)) {
                    backoff.reset();
                }
                connect();
            }
            log.info("gateway asked to drain: finishing {} stream(s) within {} ms, reconnecting",
                    streams.get(), deadlineMillis);
            if (streams.get() == 0) {
                closeSession();
            } else {
                scheduleQuietly(this::closeSession, Math.max(0, deadlineMillis));
            }
        }

        @Override
        public void onClosed(TunnelSession s, String reason) {
            end(reason, refused || isRefusal(reason));
        }

        /** The attempt or its session is over: back off and reconnect, unless this was expected. */
        void end(String reason, boolean refusal) {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            long delayMillis;
            boolean clone = false;
            synchronized (NodeAgent.this) {
                if (NodeAgent.this.draining.remove(this) || closed || current != this) {
                    return;
                }
                current = null;
                connectedSince = null;
                long now = System.nanoTime();
                boolean ownGhost = lastSessionEndNanos != 0 && now - lastSessionEndNanos < OWN_GHOST_WINDOW.toNanos();
                if (welcomedAtNanos != 0) {
                    lastSessionEndNanos = now;
                }
                if (stopping) {
                    state = AgentStatus.State.STOPPING;
                    return;
                }
                lastError = reason;
                if (livedLongEnough(this)) {
                    backoff.reset();
                }
                if (duplicateDevice && !ownGhost) {
                    clone = true;
                    lastError = "device id " + config.deviceId() + " is already connected to the gateway by another "
                            + "agent (a copied disk or volume?); run 'proxyclaw reset-id' on this copy";
                    delayMillis = backoff.duplicateDelayMillis();
                    state = AgentStatus.State.DUPLICATE_DEVICE;
                } else if (tryElsewhere) {
                    // Full or busy, nothing wrong with us: back off (growing, jittered) and next time
                    // prefer another address of the gateway's name (docs/protocol.md §4.1).
                    fullGateway = address;
                    delayMillis = backoff.tryElsewhereDelayMillis();
                    state = AgentStatus.State.BACKING_OFF;
                } else {
                    delayMillis = refusal || duplicateDevice ? backoff.refusedDelayMillis() : backoff.nextDelayMillis();
                    state = AgentStatus.State.BACKING_OFF;
                }
                try {
                    pendingReconnect = group.next().schedule(NodeAgent.this::reconnectNow, delayMillis, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException e) {
                    return;
                }
            }
            Channel ch = channel;
            if (ch != null) {
                ch.close();
            }
            if (clone) {
                log.error("gateway refused this node: another agent is connected with the same device id {} "
                        + "(a copied disk or volume?). Run 'proxyclaw reset-id' on this copy to give it its own id; "
                        + "retrying in {} s", config.deviceId(), delayMillis / 1000);
            } else if (tryElsewhere) {
                log.info("gateway cannot take this node now ({}); trying again in {} ms", reason, delayMillis);
            } else if (refusal || duplicateDevice) {
                log.warn("gateway refused this node: {}; retrying in {} ms", reason, delayMillis);
            } else {
                log.warn("tunnel down: {}; reconnecting in {} ms", reason, delayMillis);
            }
        }

        void closeSession() {
            TunnelSession s = session;
            try {
                if (s != null) {
                    s.close();
                }
            } catch (RuntimeException e) {
                log.debug("closing the tunnel session failed", e);
            }
            Channel ch = channel;
            if (ch != null) {
                ch.close();
            }
        }

        @Override
        public void onOpen(ByteStream stream, String host, int port, OpenReply reply) {
            if (draining || !acceptingStreams()) {
                reply.reject(OpenFailure.UNAVAILABLE, "agent is draining");
                return;
            }
            String unavailable = unavailableReason();
            if (unavailable != null) {
                reply.reject(OpenFailure.UNAVAILABLE, "agent is not serving: " + unavailable);
                return;
            }
            PortPolicy ports = allowedPorts;
            if (!ports.allows(port)) {
                reply.reject(OpenFailure.FORBIDDEN, "port " + port + " is not in this node's allowed ports (" + ports + ")");
                return;
            }
            if (Cidr.isAddressLiteral(host)) {
                // An address needs no DNS, so nothing blocks: checking and connecting right here on
                // the tunnel's loop saves two thread hand-offs per stream (iploop-bench/PROFILE.md).
                resolveAndOpen(stream, host, port, reply);
                return;
            }
            try {
                resolver.execute(() -> resolveAndOpen(stream, host, port, reply));
            } catch (RejectedExecutionException e) {
                reply.reject(OpenFailure.UNAVAILABLE, "agent is busy");
            }
        }

        /**
         * Runs on the resolver (or, for an address literal, on the tunnel's event loop): checks the
         * target, then connects to the checked address.
         */
        private void resolveAndOpen(ByteStream stream, String host, int port, OpenReply reply) {
            InetSocketAddress target;
            try {
                target = egressPolicy.resolve(host, port);
            } catch (Exception e) {
                reject(reply, host, port, e);
                return;
            }
            if (!stream.isOpen() || !acceptingStreams()) {
                reply.reject(OpenFailure.UNAVAILABLE, "stream closed before connecting");
                return;
            }
            Bootstrap bootstrap = new Bootstrap()
                    .group(exitLoop(stream))
                    .channel(socketChannelClass)
                    .option(ChannelOption.AUTO_READ, false)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(trafficCounter);
            ChannelFuture connected;
            try {
                connected = bootstrap.connect(target);
            } catch (RuntimeException e) {
                reject(reply, host, port, e);
                return;
            }
            Channel ch = connected.channel();
            ch.config().setRecvByteBufAllocator(EXIT_READS);
            if (!(ch instanceof NioSocketChannel)) {
                // Epoll fails a socket read after the target's FIN (see the handler); NIO does not.
                ch.pipeline().addLast("exit-read-after-fin", ReadAfterFinGuard.INSTANCE);
            }
            exitChannels.add(ch);
            ch.closeFuture().addListener(f -> exitChannels.remove(ch));
            connected.addListener((ChannelFuture f) -> {
                if (!f.isSuccess()) {
                    reject(reply, host, port, f.cause());
                    return;
                }
                if (!stream.isOpen() || !acceptingStreams()) {
                    ch.close();
                    reply.reject(OpenFailure.UNAVAILABLE, "stream closed before connecting");
                    return;
                }
                activeStreams.incrementAndGet();
                streams.incrementAndGet();
                streamsServed.incrementAndGet();
                reply.accept();
                AtomicBoolean done = new AtomicBoolean();
                ExitBandwidthHandler.Cap cap = bandwidthCap;
                if (cap != null) {
                    ch.pipeline().addLast(ExitBandwidthHandler.NAME, new ExitBandwidthHandler(cap));
                }
                ByteStreamRelay.relay(ch, stream, error -> {
                    if (done.compareAndSet(false, true)) {
                        streamEnded(error);
                    }
                });
            });
        }

        /**
         * The event loop for a stream's exit connection: the tunnel's own loop when it belongs to
         * this agent's group (always, in practice), so the relay between the stream and the exit
         * socket, DATA, acknowledgements and window updates alike, runs without cross-thread tasks
         * and wake-ups; otherwise any loop of the group.
         */
        private EventLoopGroup exitLoop(ByteStream stream) {
            return stream.executor() instanceof EventLoop loop && loop.parent() == group ? loop : group;
        }

        private void streamEnded(@Nullable String error) {
            if (activeStreams.decrementAndGet() == 0) {
                synchronized (NodeAgent.this) {
                    // Wakes a shutdown() waiting for the streams to finish.
                    NodeAgent.this.notifyAll();
                }
            }
            int left = streams.decrementAndGet();
            if (error != null) {
                log.debug("exit stream ended: {}", error);
            }
            if (draining && left == 0) {
                closeSession();
            }
        }

        private void reject(OpenReply reply, String host, int port, Throwable cause) {
            OpenFailure failure = OpenFailures.of(cause);
            String message = OpenFailures.describe(host, port, cause);
            log.debug("OPEN {}:{} failed: {} {}", host, port, failure, message);
            reply.reject(failure, message);
        }
    }

    /**
     * Notices the gateway's refusal (WebSocket close code {@link TunnelProtocol#CLOSE_CODE_REFUSED},
     * or {@link TunnelProtocol#CLOSE_CODE_DUPLICATE_DEVICE} for a device id another agent already
     * uses) so the agent backs off with the capped or the long delay. Pipeline position: just
     * before the tunnel session handler; passes every message on unchanged; never removed.
     * Stateful, one per connection.
     */
    private static final class TunnelClientRefusalHandler extends ChannelInboundHandlerAdapter {
        private final Runnable onRefused;
        private final Runnable onDuplicateDevice;
        private final Runnable onTryElsewhere;

        TunnelClientRefusalHandler(Runnable onRefused, Runnable onDuplicateDevice, Runnable onTryElsewhere) {
            this.onRefused = onRefused;
            this.onDuplicateDevice = onDuplicateDevice;
            this.onTryElsewhere = onTryElsewhere;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof CloseWebSocketFrame close) {
                if (close.statusCode() == TunnelProtocol.CLOSE_CODE_REFUSED) {
                    onRefused.run();
                } else if (close.statusCode() == TunnelProtocol.CLOSE_CODE_DUPLICATE_DEVICE) {
                    onDuplicateDevice.run();
                } else if (close.statusCode() == TunnelProtocol.CLOSE_CODE_TRY_ELSEWHERE) {
                    onTryElsewhere.run();
                }
            }
            ctx.fireChannelRead(msg);
        }
    }

    /** Whether the calling thread is one of the agent's event loops (it must not wait for them). */
    private boolean onOwnLoop() {
        for (EventExecutor e : group) {
            if (e.inEventLoop()) {
                return true;
            }
        }
        return false;
    }

    /** The agent's TCP connection to {@code address}, with the socket options of a remote gateway's. */
    private ChannelFuture connectTcp(InetSocketAddress address, ChannelInitializer<Channel> pipeline) {
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(socketChannelClass)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .handler(pipeline);
        if (socketChannelClass == NioSocketChannel.class) {
            // A gateway may ask for a long idle heartbeat (60 s at a node hub; silent gateway given
            // up after 150 s): the kernel finds one whose host vanished within 40 s instead, so the
            // agent reconnects elsewhere soon (docs/protocol.md §6). Ignored where unsupported.
            bootstrap.option(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE), KEEPALIVE_IDLE_SECONDS)
                    .option(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL), KEEPALIVE_INTERVAL_SECONDS)
                    .option(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT), KEEPALIVE_PROBES);
        }
        TunnelLoopAffinity affinity = loopAffinity;
        return affinity != null && address.getAddress().isLoopbackAddress()
                ? connectPlaced(bootstrap, address, affinity) : bootstrap.connect(address);
    }

    /**
     * Connects to {@code gateway} (a loopback address) from a socket bound first to an ephemeral
     * port of that address, registered with {@code affinity} before the connect, so the node hub of
     * this process accepts the connection on the loop the socket runs on.
     */
    private static ChannelFuture connectPlaced(Bootstrap bootstrap, InetSocketAddress gateway, TunnelLoopAffinity affinity) {
        ChannelFuture registered = bootstrap.register();
        if (registered.cause() != null) {
            return registered;
        }
        Channel ch = registered.channel();
        ChannelPromise connected = ch.newPromise();
        registered.addListener((ChannelFuture r) -> {
            if (!r.isSuccess()) {
                connected.tryFailure(r.cause());
                return;
            }
            ch.bind(new InetSocketAddress(gateway.getAddress(), 0)).addListener((ChannelFuture b) -> {
                if (!b.isSuccess()) {
                    connected.tryFailure(b.cause());
                    ch.close();
                    return;
                }
                affinity.register(ch);
                ch.connect(gateway, connected);
            });
        });
        return connected;
    }

    /** Schedules {@code task} on the agent's event loops; does nothing once they shut down. */
    private void scheduleQuietly(Runnable task, long delayMillis) {
        try {
            group.next().schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            log.debug("not scheduled, agent is closing");
        }
    }

    /** False once a stop was requested: new OPENs are answered "agent is draining". */
    private synchronized boolean acceptingStreams() {
        return !closed && !stopping;
    }

    private static String message(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }
}
