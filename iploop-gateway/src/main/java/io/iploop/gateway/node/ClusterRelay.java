package io.iploop.gateway.node;

import io.iploop.gateway.net.EventLoops;
import io.iploop.gateway.spi.ClusterSettings;
import io.iploop.gateway.exit.ExitConnector;
import io.iploop.gateway.exit.ExitException;
import io.iploop.gateway.exit.ExitInfo;
import io.iploop.gateway.exit.ExitRequest;
import io.iploop.gateway.exit.ExitStream;
import io.iploop.gateway.routing.Targeting;
import io.iploop.gateway.spi.ClusterNodeDirectory;
import io.iploop.gateway.spi.LocationKeys;
import io.iploop.gateway.spi.StickySessionStore;
import io.iploop.tunnel.ByteStream;
import io.iploop.tunnel.ByteStreamSplice;
import io.iploop.tunnel.Hello;
import io.iploop.tunnel.OpenFailedException;
import io.iploop.tunnel.OpenFailure;
import io.iploop.tunnel.Payloads;
import io.iploop.tunnel.StreamAcceptor;
import io.iploop.tunnel.TunnelPipeline;
import io.iploop.tunnel.TunnelProtocol;
import io.iploop.tunnel.TunnelSession;
import io.iploop.tunnel.TunnelSettings;
import io.iploop.tunnel.Welcome;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cross-gateway routing (docs/deploy.md#cross-gateway-relay): the node directory, the relay
 * listener and the relay links of one gateway, and the exit connector that uses them.
 *
 * <ul>
 *   <li><b>Directory.</b> A thread of its own publishes this gateway's serving nodes (not the local
 *       exit, not paused ones) every second: new, changed and departed nodes at once, every node
 *       again every {@value #FULL_REFRESH_TICKS} s to refresh the {@link #TTL}; one
 *       {@link ClusterNodeDirectory#publish} (one Redis pipeline) per tick, never on an event loop.
 *   <li><b>Relay link.</b> One WebSocket per pair of gateways that speaks the tunnel protocol
 *       (docs/protocol.md) with the roles reversed: the customer's gateway connects and opens streams
 *       (the gateway side of {@link TunnelSession}), the node's gateway accepts them (the node side)
 *       and joins each to a stream it opens on its node ({@link ByteStreamSplice}: credit, writability
 *       and half-close carried end to end). An OPEN's host is {@code <nodeId>:<host>}. Both ends
 *       prove the cluster secret ({@link RelayAuth}): the upgrade request without a valid token is
 *       answered 401 and closed, and a listener that cannot prove it is refused.
 *   <li><b>Exit connector.</b> Local nodes first; when none matches (503), live nodes of other
 *       gateways from the directory (country, city and ASN targeting only). A sticky session whose
 *       pin is not in memory reads it from the sticky store; a pin on another gateway's node is
 *       served over the relay. Usage is metered only here, at the customer's socket: the node's
 *       gateway writes no usage record for relayed bytes, it only counts them into the node's own
 *       counters and quality.
 * </ul>
 *
 * Thread-safe.
 */
final class ClusterRelay implements ExitConnector, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterRelay.class);

    /** How long a published node stays in the directory without a refresh. */
    static final Duration TTL = Duration.ofSeconds(15);
    static final long PUBLISH_MILLIS = 1000;
    /** Every this many ticks every node is written again (TTL refresh). */
    static final int FULL_REFRESH_TICKS = 5;
    /** Most directory entries read for one lookup. */
    static final int CANDIDATES = 64;
    private static final int CONNECT_TIMEOUT_MILLIS = 3000;

    private final ClusterSettings settings;
    private final RelayAuth auth;
    private final String gatewayId = UUID.randomUUID().toString();
    private final Map<UUID, NodeEntry> nodes;
    private final StickySessions sticky;
    private final Supplier<Set<UUID>> paused;
    private final StickySessionStore stickyStore;
    private final NodeExitConnector local;
    private final TunnelSettings linkSettings;
    private final RelayMetrics metrics;
    /** Relay links to other gateways by {@code gatewayId@address}, while connecting or up. */
    private final Map<String, CompletableFuture<TunnelSession>> links = new ConcurrentHashMap<>();
    private final Set<TunnelSession> accepted = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService publisher = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("iploop-node-directory").daemon().factory());

    private volatile @Nullable Channel serverChannel;
    private volatile @Nullable EventLoopGroup workers;
    private volatile String relayAddress = "";
    private volatile boolean closed;
    // Publisher thread only:
    private Map<UUID, ClusterNodeDirectory.Entry> published = new HashMap<>();
    private int tick;
    private boolean publishFailing;

    ClusterRelay(ClusterSettings settings, Map<UUID, NodeEntry> nodes, StickySessions sticky, Supplier<Set<UUID>> paused,
            StickySessionStore stickyStore, NodeExitConnector local, TunnelSettings tunnel, MeterRegistry meters) {
        this.settings = settings;
        this.auth = new RelayAuth(settings.secret());
        this.nodes = nodes;
        this.sticky = sticky;
        this.paused = paused;
        this.stickyStore = stickyStore;
        this.local = local;
        // One link carries many customers' streams. An OPEN waits for the far gateway's node, whose
        // own open deadline answers first: the link's deadline is its open timeout plus a margin.
        int open = tunnel.openTimeoutMillis() + 2000;
        // A link is one connection between two gateways, not one of many idle nodes: it keeps the
        // 10 s heartbeat (at most) of docs/protocol.md §6 rather than the node hub's long one.
        TunnelSettings t = tunnel.withHeartbeat(
                Math.min(tunnel.heartbeatIntervalMillis(), TunnelProtocol.DEFAULT_HEARTBEAT_INTERVAL_MILLIS),
                Math.min(tunnel.deadPeerTimeoutMillis(), TunnelProtocol.DEAD_PEER_TIMEOUT_MILLIS));
        this.linkSettings = new TunnelSettings(t.maxWindowBytes(), t.heartbeatIntervalMillis(), t.deadPeerTimeoutMillis(),
                t.activeHeartbeatIntervalMillis(), t.activeDeadPeerTimeoutMillis(), open, open, 65_536);
        this.metrics = new RelayMetrics(meters, links, accepted);
    }

    /** This gateway's id in the directory (random per process). */
    String gatewayId() {
        return gatewayId;
    }

    /** {@code host:port} other gateways reach the relay listener at; empty before {@link #start}. */
    String relayAddress() {
        return relayAddress;
    }

    /** Binds the relay listener and starts publishing. */
    void start(EventLoopGroup boss, EventLoopGroup workers) throws InterruptedException {
        this.workers = workers;
        boolean epoll = EventLoops.isEpoll(boss);
        ServerBootstrap b = new ServerBootstrap().group(boss, workers)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        TunnelSession session = TunnelSession.nodeSide(linkSettings, relayHello(), new RelayAcceptor(),
                                new AcceptedLinkListener());
                        TunnelPipeline.server(ch.pipeline(), session);
                        ch.pipeline().addAfter("http-aggregator", "relay-auth", new UpgradeAuth());
                        ch.closeFuture().addListener(f -> accepted.remove(session));
                        accepted.add(session);
                    }
                });
        Channel ch;
        try {
            ch = b.bind(settings.bindAddress(), settings.port()).sync().channel();
        } catch (Exception e) {
            throw new IllegalStateException("cluster relay: cannot bind " + settings.bindAddress() + ":" + settings.port()
                    + " (" + e.getMessage() + ")", e);
        }
        serverChannel = ch;
        int port = ((InetSocketAddress) ch.localAddress()).getPort();
        relayAddress = advertisedHost() + ":" + port;
        publisher.scheduleWithFixedDelay(this::publish, 0, PUBLISH_MILLIS, TimeUnit.MILLISECONDS);
        log.info("Cluster relay listening on {}:{} (advertised as {}), gateway id {}", settings.bindAddress(), port,
                relayAddress, gatewayId);
    }

    private String advertisedHost() {
        if (settings.advertisedHost() != null && !settings.advertisedHost().isBlank()) {
            return settings.advertisedHost();
        }
        String bind = settings.bindAddress();
        if (!bind.equals("0.0.0.0") && !bind.equals("::") && !bind.isBlank()) {
            return bind.contains(":") ? "[" + bind + "]" : bind;
        }
        try {
            return InetAddress.getLocalHost().getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException("cluster relay: the bind address is a wildcard and this machine's address"
                    + " is unknown; set IPLOOP_RELAY_HOST", e);
        }
    }

    // ------------------------------------------------------------------ directory

    /** One publishing tick (publisher thread). A failure is logged once and retried next tick. */
    private void publish() {
        if (closed) {
            return;
        }
        try {
            Set<UUID> skip = paused.get();
            Map<UUID, ClusterNodeDirectory.Entry> now = new HashMap<>();
            for (NodeEntry e : nodes.values()) {
                if (e.localExit || !e.session.isServing() || skip.contains(e.nodeId())) {
                    continue;
                }
                now.put(e.nodeId(), entry(e));
            }
            boolean full = tick++ % FULL_REFRESH_TICKS == 0;
            List<ClusterNodeDirectory.Entry> up = new ArrayList<>();
            List<ClusterNodeDirectory.Entry> down = new ArrayList<>();
            for (ClusterNodeDirectory.Entry e : now.values()) {
                ClusterNodeDirectory.Entry old = published.get(e.nodeId());
                if (full || !e.equals(old)) {
                    up.add(e);
                }
                if (old != null && !sameLocation(old, e)) {
                    down.add(old);
                }
            }
            for (ClusterNodeDirectory.Entry old : published.values()) {
                if (!now.containsKey(old.nodeId())) {
                    down.add(old);
                }
            }
            // Also with nothing to write: keeps the directory's connection up for this gateway's lookups.
            settings.directory().publish(up, down, TTL);
            published = now;
            if (publishFailing) {
                publishFailing = false;
                log.info("Node directory: publishing works again ({} nodes)", now.size());
            }
        } catch (RuntimeException e) {
            if (!publishFailing) {
                publishFailing = true;
                log.warn("Node directory: publishing this gateway's nodes failed (retried every second; other gateways"
                        + " stop relaying to them once their entries expire after {} s): {}", TTL.toSeconds(), e.toString());
            }
        }
    }

    private ClusterNodeDirectory.Entry entry(NodeEntry e) {
        int quality = e.quality.measured() ? e.quality.score() : 50;
        return new ClusterNodeDirectory.Entry(e.nodeId(), gatewayId, relayAddress, e.countryKey, e.admission.city(),
                e.admission.asn(), quality, e.regionKey, e.zipKey, e.ispKey);
    }

    private static boolean sameLocation(ClusterNodeDirectory.Entry a, ClusterNodeDirectory.Entry b) {
        return Objects.equals(a.country(), b.country()) && Objects.equals(a.city(), b.city()) && a.asn() == b.asn()
                && Objects.equals(a.regionKey(), b.regionKey()) && Objects.equals(a.zipKey(), b.zipKey())
                && Objects.equals(a.ispKey(), b.ispKey());
    }

    // ------------------------------------------------------------------ exit connector (customer's gateway)

    @Override
    public CompletableFuture<ExitStream> open(ExitRequest request) {
        Targeting t = request.targeting();
        if (!NodeSelector.isSticky(t)) {
            return local.open(request).exceptionallyCompose(e -> elsewhere(request, e));
        }
        StickySessions.Key key = new StickySessions.Key(request.principal().userId(), Objects.requireNonNull(t.session()));
        if (sticky.get(key, Instant.now()) != null) {
            return openSticky(request, key);
        }
        // A session unknown here may have been pinned on another gateway: its pin is in the shared store.
        return stickyStore.find(key.userId(), key.session()).toCompletableFuture()
                .exceptionally(e -> {
                    log.debug("reading sticky session {} from the store failed: {}", key.session(), e.toString());
                    return Optional.empty();
                })
                .thenCompose(found -> {
                    Instant now = Instant.now();
                    found.filter(p -> p.expiresAt().isAfter(now)).ifPresent(p -> sticky.adopt(p, now));
                    return openSticky(request, key);
                });
    }

    private CompletableFuture<ExitStream> openSticky(ExitRequest request, StickySessions.Key key) {
        StickySessions.Pin pin = sticky.get(key, Instant.now());
        if (pin == null || nodes.containsKey(pin.nodeId()) || pin.nodeId().equals(request.excludeNode())) {
            // Pinned here (or not at all): the local selector keeps or makes the pin.
            return local.open(request).exceptionallyCompose(e -> elsewhere(request, e));
        }
        UUID pinned = pin.nodeId();
        return settings.directory().node(pinned).toCompletableFuture()
                .exceptionally(e -> Optional.empty())
                .thenCompose(entry -> {
                    if (entry.isEmpty() || entry.get().gatewayId().equals(gatewayId) || !matches(entry.get(), request.targeting())) {
                        return pinnedExitGone(request, pinned);
                    }
                    return relay(entry.get(), request).exceptionallyCompose(e -> NodeExitConnector.isNodeUnavailable(unwrap(e))
                            ? pinnedExitGone(request, pinned)
                            : CompletableFuture.failedFuture(toExit(e, request)));
                });
    }

    /**
     * Whether another gateway's node fits the targeting as far as the directory tells (country,
     * state, city, ZIP, ASN, ISP, matched as for a local node); a targeting the directory cannot judge
     * (speed, latency: measured by the owning gateway only) does not fit.
     */
    private static boolean matches(ClusterNodeDirectory.Entry e, Targeting t) {
        return !measuredOnly(t) && Criteria.of(t).matchesLocation(e.country(), e.regionKey(), LocationKeys.name(e.city()),
                e.asn(), e.ispKey(), e.zipKey());
    }

    private static boolean measuredOnly(Targeting t) {
        return t.minSpeedMbps() != null || t.maxLatencyMillis() != null;
    }

    /** The pinned node of another gateway has left: a strict session fails, others move (as on one gateway). */
    private CompletableFuture<ExitStream> pinnedExitGone(ExitRequest request, UUID pinned) {
        Targeting t = request.targeting();
        if (t.sessionType() == Targeting.SessionType.STICKY_STRICT) {
            return CompletableFuture.failedFuture(new ExitException(ExitException.Failure.SESSION_EXIT_GONE,
                    "the exit of strict session " + t.session() + " has left"
                            + " (sesstype-strict never moves a live session; close it or let it expire for a new exit)"));
        }
        // The local selector sees a pin to a node it does not hold and pins a matching local node.
        ExitRequest avoiding = new ExitRequest(request.principal(), t, request.host(), request.port(), request.connectionId(),
                request.excludeNode() != null ? request.excludeNode() : pinned);
        return local.open(avoiding).exceptionallyCompose(e -> elsewhere(avoiding, e));
    }

    /** After a local failure: a live node of another gateway when no local node matched, else the failure. */
    private CompletableFuture<ExitStream> elsewhere(ExitRequest request, Throwable error) {
        Throwable cause = unwrap(error);
        Targeting t = request.targeting();
        if (!(cause instanceof ExitException ee) || ee.failure() != ExitException.Failure.NO_MATCHING_EXIT
                || measuredOnly(t) || closed) {
            return CompletableFuture.failedFuture(cause);
        }
        Criteria want = Criteria.of(t);
        ClusterNodeDirectory.Lookup where = new ClusterNodeDirectory.Lookup(want.country(), want.region(), want.city(),
                want.zip(), want.asn() == null ? 0 : want.asn(), want.isp());
        return settings.directory().candidates(where, CANDIDATES).toCompletableFuture()
                .handle((list, e) -> {
                    if (e != null) {
                        log.debug("node directory lookup failed: {}", e.toString());
                        return List.<ClusterNodeDirectory.Entry>of();
                    }
                    List<ClusterNodeDirectory.Entry> fit = new ArrayList<>();
                    for (ClusterNodeDirectory.Entry c : list) {
                        if (!c.gatewayId().equals(gatewayId) && !c.nodeId().equals(request.excludeNode()) && matches(c, t)) {
                            fit.add(c);
                        }
                    }
                    return fit;
                })
                .thenCompose(fit -> fit.isEmpty() ? CompletableFuture.failedFuture(cause) : relayToOne(request, fit, 1));
    }

    /** Relays to a node of {@code fit} drawn by quality; retries another once when its gateway is unreachable. */
    private CompletableFuture<ExitStream> relayToOne(ExitRequest request, List<ClusterNodeDirectory.Entry> fit, int retries) {
        ClusterNodeDirectory.Entry chosen = weighted(fit);
        return relay(chosen, request).thenApply(stream -> {
            Targeting t = request.targeting();
            if (NodeSelector.isSticky(t)) {
                // Saved to the shared store by the hub's store thread, like any pin.
                sticky.pin(new StickySessions.Key(request.principal().userId(), Objects.requireNonNull(t.session())),
                        chosen.nodeId(), t.stickyLifetime(), Instant.now(), StickySessions.targetingKey(t));
            }
            return stream;
        }).exceptionallyCompose(e -> {
            if (retries > 0 && NodeExitConnector.isNodeUnavailable(unwrap(e)) && fit.size() > 1) {
                List<ClusterNodeDirectory.Entry> rest = new ArrayList<>(fit);
                rest.remove(chosen);
                return relayToOne(request, rest, retries - 1);
            }
            return CompletableFuture.failedFuture(toExit(e, request));
        });
    }

    private static ClusterNodeDirectory.Entry weighted(List<ClusterNodeDirectory.Entry> fit) {
        double sum = 0;
        for (ClusterNodeDirectory.Entry e : fit) {
            sum += 1 + e.quality();
        }
        double r = ThreadLocalRandom.current().nextDouble() * sum;
        for (ClusterNodeDirectory.Entry e : fit) {
            r -= 1 + e.quality();
            if (r < 0) {
                return e;
            }
        }
        return fit.getLast();
    }

    /**
     * Opens {@code request} on {@code node} of another gateway over the relay link.
     *
     * @return the stream, or fails with the raw cause: {@link OpenFailedException} (the node's
     *     answer, or {@code UNAVAILABLE} when the link could not be made), {@link ClosedChannelException}
     *     (the link closed), or an {@link ExitException} for a host the relay cannot carry
     */
    CompletableFuture<ExitStream> relay(ClusterNodeDirectory.Entry node, ExitRequest request) {
        String host = NodeExitConnector.asciiHost(request.host());
        if (host == null) {
            return CompletableFuture.failedFuture(new ExitException(ExitException.Failure.CONNECT_FAILED,
                    "invalid destination host '" + request.host() + "'"));
        }
        String relayHost = node.nodeId() + ":" + host;
        if (!Payloads.isValidHost(relayHost)) {
            return CompletableFuture.failedFuture(new ExitException(ExitException.Failure.CONNECT_FAILED,
                    "destination host too long for the cluster relay (at most " + (255 - 37) + " characters)"));
        }
        return link(node).thenCompose(session -> session.openStream(relayHost, request.port()))
                .handle((stream, error) -> {
                    (error == null ? metrics.outgoingOpened : metrics.outgoingFailed).increment();
                    if (error == null) {
                        ExitInfo info = new ExitInfo(node.nodeId(), node.country(), node.city(), node.asn(),
                                request.targeting().session());
                        return CompletableFuture.<ExitStream>completedFuture(new RelayExitStream(stream, info));
                    }
                    Throwable cause = unwrap(error);
                    if (!(cause instanceof OpenFailedException) && !(cause instanceof ClosedChannelException)) {
                        // The link could not be made: never tell the customer an internal address.
                        log.debug("relay to gateway {} at {} failed: {}", node.gatewayId(), node.relayAddress(), cause.toString());
                        cause = new OpenFailedException(OpenFailure.UNAVAILABLE, "relay link unavailable");
                    }
                    return CompletableFuture.<ExitStream>failedFuture(cause);
                }).thenCompose(f -> f);
    }

    /** The customer-facing failure for a relay's raw failure (as for a local node's). */
    private static ExitException toExit(Throwable error, ExitRequest request) {
        Throwable cause = unwrap(error);
        if (cause instanceof ExitException ee) {
            return ee;
        }
        String host = NodeExitConnector.asciiHost(request.host());
        return NodeExitConnector.toExitException(cause, (host == null ? request.host() : host) + ":" + request.port());
    }

    private static Throwable unwrap(Throwable e) {
        Throwable c = e;
        while (c instanceof CompletionException && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    /** The relay link to {@code node}'s gateway: the live one, or a new one. */
    private CompletableFuture<TunnelSession> link(ClusterNodeDirectory.Entry node) {
        String key = node.gatewayId() + "@" + node.relayAddress();
        while (true) {
            CompletableFuture<TunnelSession> existing = links.get(key);
            if (existing != null && (!existing.isDone()
                    || (!existing.isCompletedExceptionally() && existing.join().isServing()))) {
                return existing;
            }
            CompletableFuture<TunnelSession> fresh = new CompletableFuture<>();
            boolean won = existing == null ? links.putIfAbsent(key, fresh) == null : links.replace(key, existing, fresh);
            if (won) {
                connect(node, key, fresh);
                return fresh;
            }
        }
    }

    private void connect(ClusterNodeDirectory.Entry node, String key, CompletableFuture<TunnelSession> ready) {
        EventLoopGroup group = workers;
        if (group == null || closed) {
            ready.completeExceptionally(new ClosedChannelException());
            links.remove(key, ready);
            return;
        }
        URI uri = URI.create("ws://" + node.relayAddress() + TunnelProtocol.WEBSOCKET_PATH);
        boolean epoll = EventLoops.isEpoll(group);
        TunnelSession session = TunnelSession.gatewaySide(linkSettings, new LinkListener(key, node.gatewayId(), ready));
        Bootstrap b = new Bootstrap().group(group).channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        TunnelPipeline.client(ch.pipeline(), uri, null, session,
                                new DefaultHttpHeaders().set(RelayAuth.HEADER, auth.token("client", gatewayId)));
                    }
                });
        int port = uri.getPort();
        b.connect(uri.getHost(), port).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                links.remove(key, ready);
                ready.completeExceptionally(f.cause());
            }
        });
    }

    /** The connecting end of a relay link (gateway side of the session). */
    private final class LinkListener implements TunnelSession.GatewayListener {
        private final String key;
        private final String expectedGateway;
        private final CompletableFuture<TunnelSession> ready;

        LinkListener(String key, String expectedGateway, CompletableFuture<TunnelSession> ready) {
            this.key = key;
            this.expectedGateway = expectedGateway;
            this.ready = ready;
        }

        @Override
        public void onHello(TunnelSession session, Hello hello) {
            String peer = auth.verify(hello.nodeKey(), "server");
            if (peer == null || !peer.equals(expectedGateway)) {
                log.warn("cluster relay: {} did not prove the cluster secret as gateway {}; link refused",
                        session.channel() == null ? "?" : session.channel().remoteAddress(), expectedGateway);
                session.refuse("relay: not a gateway of this cluster");
                ready.completeExceptionally(new OpenFailedException(OpenFailure.UNAVAILABLE, "relay peer refused"));
                return;
            }
            session.welcome(new Welcome(Math.min(hello.protocolVersion(), TunnelProtocol.VERSION), gatewayId,
                    linkSettings.heartbeatIntervalMillis()));
            ready.complete(session);
        }

        @Override
        public void onClosed(TunnelSession session) {
            links.remove(key, ready);
            ready.completeExceptionally(new ClosedChannelException());
        }
    }

    // ------------------------------------------------------------------ relay listener (node's gateway)

    /** The HELLO the accepting end sends: its gateway id and a server token in the node key field. */
    private Hello relayHello() {
        return new Hello(TunnelProtocol.VERSION, auth.token("server", gatewayId), gatewayId, null, null, null, null, null,
                null, 0, null, null, false);
    }

    /** Checks the upgrade request's token; anything else is answered 401 and closed, unread. */
    private final class UpgradeAuth extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof FullHttpRequest req && auth.verify(req.headers().get(RelayAuth.HEADER), "client") != null) {
                ctx.pipeline().remove(this);
                ctx.fireChannelRead(msg);
                return;
            }
            ReferenceCountUtil.release(msg);
            metrics.upgradesRefused.increment();
            log.warn("cluster relay: refused {} (no valid {} token)", ctx.channel().remoteAddress(), RelayAuth.HEADER);
            DefaultFullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.UNAUTHORIZED);
            res.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0).set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Opens each relayed stream on the named local node and joins the two. */
    private final class RelayAcceptor implements StreamAcceptor {
        @Override
        public void onOpen(ByteStream stream, String relayHost, int port, OpenReply reply) {
            int colon = relayHost.indexOf(':');
            UUID nodeId = null;
            if (colon > 0 && colon < relayHost.length() - 1) {
                try {
                    nodeId = UUID.fromString(relayHost.substring(0, colon));
                } catch (IllegalArgumentException e) {
                    nodeId = null;
                }
            }
            if (nodeId == null) {
                metrics.incomingRefused.increment();
                reply.reject(OpenFailure.UNAVAILABLE, "relay OPEN: host must be <nodeId>:<host>");
                return;
            }
            NodeEntry e = nodes.get(nodeId);
            if (e == null || !e.session.isServing() || paused.get().contains(nodeId)) {
                metrics.incomingRefused.increment();
                reply.reject(OpenFailure.UNAVAILABLE, "node " + nodeId + " is not connected to this gateway");
                return;
            }
            local.openOn(e, relayHost.substring(colon + 1), port).whenComplete((nodeStream, error) -> {
                if (error != null) {
                    Throwable cause = unwrap(error);
                    if (cause instanceof OpenFailedException ofe) {
                        metrics.incomingRefused.increment();
                        reply.reject(ofe.failure(), ofe.getMessage());
                    } else {
                        metrics.incomingRefused.increment();
                        reply.reject(OpenFailure.UNAVAILABLE, "exit node disconnected");
                    }
                    return;
                }
                if (!stream.isOpen()) {
                    nodeStream.abort("the relayed stream closed before the exit connected");
                    return;
                }
                metrics.incomingOpened.increment();
                reply.accept();
                ByteStreamSplice.splice(stream, nodeStream, null);
            });
        }
    }

    /** The accepting end of a relay link (node side of the session). */
    private static final class AcceptedLinkListener implements TunnelSession.NodeListener {
        @Override
        public void onWelcome(TunnelSession session, Welcome welcome) {
            log.info("cluster relay: link from gateway {} at {}", welcome.nodeId(),
                    session.channel() == null ? "?" : session.channel().remoteAddress());
        }

        @Override
        public void onDrain(TunnelSession session, int deadlineMillis) {
            // Not sent on relay links.
        }

        @Override
        public void onClosed(TunnelSession session, String reason) {
            log.debug("cluster relay: link closed: {}", reason);
        }
    }

    /**
     * Stops publishing and removes this gateway's nodes from the directory (best effort: else they
     * expire after {@link #TTL}), closes the listener and every link.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        publisher.shutdown();
        try {
            if (publisher.awaitTermination(5, TimeUnit.SECONDS) && !published.isEmpty()) {
                settings.directory().publish(List.of(), new ArrayList<>(published.values()), TTL);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.debug("removing this gateway's nodes from the directory failed: {}", e.toString());
        }
        Channel ch = serverChannel;
        if (ch != null) {
            ch.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        for (CompletableFuture<TunnelSession> f : links.values()) {
            f.thenAccept(TunnelSession::close);
        }
        for (TunnelSession s : accepted) {
            s.close();
        }
    }
}
