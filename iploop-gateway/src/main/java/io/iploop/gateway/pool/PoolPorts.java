package io.iploop.gateway.pool;

import io.iploop.gateway.net.ProxyProtocol;
import io.iploop.gateway.egress.BlocklistExitConnector;
import io.iploop.gateway.egress.DestinationBlocklist;
import io.iploop.gateway.exit.ExitConnector;
import io.iploop.gateway.limits.Limits;
import io.iploop.gateway.proxy.ProxyServices;
import io.iploop.gateway.spi.PoolPortStatus;
import io.iploop.gateway.spi.PoolReload;
import io.iploop.gateway.spi.PoolUpstream;
import io.iploop.gateway.spi.PoolUpstreamSource;
import io.iploop.tunnel.ByteStream;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool ports of one gateway (docs/upstream-pool.md): binds one listener per upstream of the
 * {@link PoolUpstreamSource} on the gateway's own event loops, applies only the difference on each
 * reload (add binds, remove stops accepting and closes the port's sockets after the grace period,
 * replace sends new connections and new requests to the new upstream while open tunnels finish),
 * checks every upstream's health on a schedule, and sweeps the strike system. Unrelated ports and
 * connections are never touched. Thread-safe: reloads are serialized; status reads are lock-free.
 */
public final class PoolPorts implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PoolPorts.class);
    private static final Duration STRIKE_SWEEP = Duration.ofSeconds(1);

    private final PoolSettings settings;
    private final String bindAddress;
    private final PoolUpstreamSource source;
    private final PoolAccounts accounts;
    private final ProxyServices residential;
    private final Limits poolLimits;
    private final DestinationBlocklist blocklist;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Class<? extends ServerChannel> serverClass;
    private volatile ProxyProtocol proxyProtocol = ProxyProtocol.OFF;
    private final ExecutorService blocking;
    private final InstantSource clock;
    private final Duration accountsRefresh;
    private final EventExecutor timer;
    private final Map<Integer, Port> ports = new ConcurrentHashMap<>();
    private final Object reloadLock = new Object();
    private final List<ScheduledFuture<?>> schedules = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    /** One served (or failed) pool port. */
    private final class Port {
        final int number;
        volatile PoolUpstream upstream;
        volatile PoolUpstreamConnector connector;
        volatile PoolPortState state;
        final @Nullable Channel server;
        final @Nullable String bindError;
        /** Customer sockets accepted on this port, open now. */
        final ChannelGroup sockets;

        Port(int number, PoolUpstream upstream, @Nullable Channel server, @Nullable String bindError, ChannelGroup sockets) {
            this.number = number;
            this.upstream = upstream;
            this.state = new PoolPortState(clock.instant(), settings.healthFailures());
            this.connector = connector(upstream, state);
            this.server = server;
            this.bindError = bindError;
            this.sockets = sockets;
        }
    }

    /**
     * @param residential the residential listeners' services; a port's services share everything
     *     but exits, limits and admission
     * @param poolLimits plan limits for pool connections (unlimited: the pool has its own)
     * @param accountsRefresh how often pool grants are fetched again
     */
    public PoolPorts(PoolSettings settings, String defaultBindAddress, PoolUpstreamSource source, PoolAccounts accounts,
            ProxyServices residential, Limits poolLimits, DestinationBlocklist blocklist, EventLoopGroup boss,
            EventLoopGroup workers, Class<? extends ServerChannel> serverClass, ExecutorService blocking,
            InstantSource clock, Duration accountsRefresh) {
        this.settings = settings;
        this.bindAddress = settings.bindAddress() == null ? defaultBindAddress : settings.bindAddress();
        this.source = source;
        this.accounts = accounts;
        this.residential = residential;
        this.poolLimits = poolLimits;
        this.blocklist = blocklist;
        this.boss = boss;
        this.workers = workers;
        this.serverClass = serverClass;
        this.blocking = blocking;
        this.clock = clock;
        this.accountsRefresh = accountsRefresh;
        this.timer = boss.next();
    }

    private PoolUpstreamConnector connector(PoolUpstream upstream, PoolPortState state) {
        return new PoolUpstreamConnector(upstream, state, workers, settings.connectTimeout(), accounts);
    }

    /**
     * Which peers must begin with a PROXY protocol header naming the real client
     * ({@link ProxyProtocol}); call before {@link #start}. Default: none.
     */
    public void proxyProtocol(ProxyProtocol v) {
        this.proxyProtocol = java.util.Objects.requireNonNull(v, "proxyProtocol");
    }

    /**
     * Applies the source's first list (waiting up to {@code wait}) and starts polling, health checks,
     * grant refreshes and the strike sweep. A failing source or bind is logged, never fatal.
     */
    public void start(Duration wait) {
        try {
            PoolReload r = reload().get(wait.toMillis(), TimeUnit.MILLISECONDS);
            log.info("upstream pool: {} ports bound on {} ({}-{}){}", r.added(), bindAddress, settings.firstPort(),
                    settings.lastPort(), r.failures().isEmpty() ? "" : ", " + r.failures().size() + " failed: " + r.failures());
        } catch (Exception e) {
            log.warn("upstream pool: the first upstream list was not applied yet: {}", e.toString());
        }
        every(settings.reloadInterval(), () -> reload());
        every(settings.healthInterval(), this::checkAll);
        every(accountsRefresh, () -> blocking.execute(accounts::refreshAll));
        every(STRIKE_SWEEP, accounts::sweepStrikes);
    }

    private void every(Duration period, Runnable task) {
        long ms = period.toMillis();
        schedules.add(timer.scheduleAtFixedRate(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.warn("upstream pool: scheduled task failed", e);
            }
        }, ms, ms, TimeUnit.MILLISECONDS));
    }

    /**
     * Fetches the upstream list and applies the difference to the served ports, off the event loops.
     *
     * @return what changed; completes exceptionally only when the source failed (the last list is kept)
     */
    public CompletableFuture<PoolReload> reload() {
        if (closed.get()) {
            return CompletableFuture.failedFuture(new IllegalStateException("pool: closed"));
        }
        return CompletableFuture.supplyAsync(() -> {
            List<PoolUpstream> next;
            try {
                next = source.upstreams();
            } catch (Exception e) {
                log.warn("upstream pool: the upstream list is unavailable; keeping the served ports: {}", e.toString());
                throw new IllegalStateException("upstream list unavailable: " + e.getMessage(), e);
            }
            synchronized (reloadLock) {
                return apply(next);
            }
        }, blocking);
    }

    private PoolReload apply(List<PoolUpstream> next) {
        List<String> failures = new ArrayList<>();
        Map<Integer, PoolUpstream> wanted = new HashMap<>();
        for (PoolUpstream u : next) {
            if (!settings.inRange(u.port())) {
                failures.add("port " + u.port() + ": outside the pool range " + settings.firstPort() + "-" + settings.lastPort());
            } else if (wanted.putIfAbsent(u.port(), u) != null) {
                failures.add("port " + u.port() + ": more than one upstream; the first is served");
            }
        }
        int removed = 0;
        for (Port p : List.copyOf(ports.values())) {
            if (!wanted.containsKey(p.number)) {
                ports.remove(p.number);
                stop(p);
                removed++;
            }
        }
        int added = 0;
        int replaced = 0;
        for (PoolUpstream u : wanted.values()) {
            Port p = ports.get(u.port());
            if (p == null) {
                Port bound = bind(u);
                ports.put(u.port(), bound);
                if (bound.bindError == null) {
                    added++;
                } else {
                    failures.add("port " + u.port() + ": " + bound.bindError);
                }
            } else if (p.bindError != null) {
                Port bound = bind(u); // try again
                ports.put(u.port(), bound);
                if (bound.bindError == null) {
                    added++;
                } else {
                    failures.add("port " + u.port() + ": " + bound.bindError);
                }
            } else if (!p.upstream.equals(u)) {
                PoolPortState state = new PoolPortState(clock.instant(), settings.healthFailures());
                p.connector = connector(u, state);
                p.state = state;
                p.upstream = u;
                replaced++;
            }
        }
        if (added + removed + replaced > 0 || !failures.isEmpty()) {
            log.info("upstream pool reloaded: {} added, {} removed, {} replaced{}", added, removed, replaced,
                    failures.isEmpty() ? "" : "; failed: " + failures);
        }
        return new PoolReload(added, removed, replaced, failures);
    }

    private Port bind(PoolUpstream u) {
        ChannelGroup sockets = new DefaultChannelGroup("iploop-pool-" + u.port(), GlobalEventExecutor.INSTANCE);
        Port[] self = new Port[1];
        // Exits read the port's current connector on every open: a replaced upstream takes new requests at once.
        ExitConnector current = request -> self[0].connector.open(request);
        ProxyServices services = residential.forPoolPort(u.port(), poolLimits, new BlocklistExitConnector(blocklist, current),
                accounts.admission(u.port()));
        ChannelHandler initializer = new PoolPortInitializer(services, sockets);
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(serverClass)
                .option(ChannelOption.SO_BACKLOG, 128)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(proxyProtocol.wrap(initializer));
        Channel server = null;
        String error = null;
        try {
            var f = b.bind(new InetSocketAddress(bindAddress, u.port())).awaitUninterruptibly();
            if (f.isSuccess()) {
                server = f.channel();
            } else {
                error = "cannot bind " + bindAddress + ":" + u.port() + " (" + f.cause().getMessage() + ")";
            }
        } catch (RuntimeException e) {
            error = "cannot bind " + bindAddress + ":" + u.port() + " (" + e.getMessage() + ")";
        }
        if (error != null) {
            log.warn("upstream pool: {}", error);
        }
        Port p = new Port(u.port(), u, server, error, sockets);
        self[0] = p;
        return p;
    }

    /** Stops accepting on {@code p}; its open sockets may go on for the grace period. */
    private void stop(Port p) {
        if (p.server != null) {
            p.server.close();
        }
        if (p.sockets.isEmpty()) {
            return;
        }
        long grace = settings.reloadGrace().toMillis();
        timer.schedule(() -> {
            int n = p.sockets.size();
            if (n > 0) {
                log.info("upstream pool: closing {} sockets of removed port {} after the grace period", n, p.number);
                p.sockets.close();
            }
        }, grace, TimeUnit.MILLISECONDS);
    }

    /** Every served pool port's state, by port. */
    public List<PoolPortStatus> status() {
        List<PoolPortStatus> out = new ArrayList<>(ports.size());
        for (Port p : ports.values()) {
            PoolPortState s = p.state;
            String down = s.downReason();
            PoolPortStatus.State state = p.bindError != null ? PoolPortStatus.State.BIND_FAILED
                    : down != null ? PoolPortStatus.State.DOWN : PoolPortStatus.State.UP;
            out.add(new PoolPortStatus(p.number, describe(p.upstream), state, p.bindError != null ? p.bindError : down,
                    s.since(), p.sockets.size()));
        }
        out.sort(Comparator.comparingInt(PoolPortStatus::port));
        return out;
    }

    private static String describe(PoolUpstream u) {
        return u.scheme().urlScheme() + "://" + (u.username() == null ? "" : u.username() + ":***@") + u.host() + ":"
                + u.upstreamPort();
    }

    /** Runs one health check of every served port now (also scheduled every health interval). */
    public CompletableFuture<Void> checkAll() {
        List<CompletableFuture<Void>> checks = new ArrayList<>();
        for (Port p : ports.values()) {
            if (p.bindError == null) {
                checks.add(check(p));
            }
        }
        return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new));
    }

    private CompletableFuture<Void> check(Port p) {
        PoolUpstreamConnector c = p.connector;
        PoolPortState s = p.state;
        CompletableFuture<@Nullable String> outcome = probe(c);
        ScheduledFuture<?> timeout = timer.schedule(
                () -> outcome.complete("no answer within " + settings.healthTimeout().toMillis() + " ms"),
                settings.healthTimeout().toMillis(), TimeUnit.MILLISECONDS);
        return outcome.handle((reason, failure) -> {
            timeout.cancel(false);
            String why = failure != null ? String.valueOf(failure.getMessage()) : reason;
            if (p.connector != c) {
                return null; // replaced meanwhile: this check is about the old upstream
            }
            if (why == null) {
                s.checked(clock.instant());
            } else if (s.failed(why, clock.instant())) {
                log.warn("upstream pool: port {} ({}) is down: {}", p.number, describe(p.upstream), why);
            }
            return null;
        });
    }

    /** @return completes with null when the upstream is healthy, else with the reason */
    private CompletableFuture<@Nullable String> probe(PoolUpstreamConnector c) {
        URI url = settings.probeUrl();
        CompletableFuture<@Nullable String> result = new CompletableFuture<>();
        if (url == null) {
            PoolUpstream u = c.upstream();
            new Bootstrap().group(workers).channel(c.channelClass())
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.healthTimeout().toMillis())
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {}
                    })
                    .connect(u.host(), u.upstreamPort()).addListener((ChannelFutureListener) f -> {
                        if (f.isSuccess()) {
                            f.channel().close();
                            result.complete(null);
                        } else {
                            result.complete("connecting to the upstream failed: " + f.cause().getMessage());
                        }
                    });
            return result;
        }
        int port = url.getPort() > 0 ? url.getPort() : 80;
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath()
                + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        c.connect(url.getHost(), port).whenComplete((stream, failure) -> {
            if (failure != null) {
                result.complete(failure.getMessage());
                return;
            }
            stream.setHandler(new ProbeHandler(result));
            String request = "HEAD " + path + " HTTP/1.1\r\nHost: " + url.getHost() + (url.getPort() > 0 ? ":" + port : "")
                    + "\r\nUser-Agent: iploop-pool-health\r\nConnection: close\r\n\r\n";
            stream.write(Unpooled.copiedBuffer(request, StandardCharsets.US_ASCII));
            result.whenComplete((r, t) -> stream.close());
        });
        return result;
    }

    /** Waits for the probe's status line through the upstream. */
    private static final class ProbeHandler implements ByteStream.Handler {
        private final CompletableFuture<@Nullable String> result;
        private final StringBuilder head = new StringBuilder();

        ProbeHandler(CompletableFuture<@Nullable String> result) {
            this.result = result;
        }

        @Override
        public void onData(ByteStream stream, ByteBuf data) {
            int n = data.readableBytes();
            head.append(data.toString(StandardCharsets.ISO_8859_1), 0, Math.min(n, 16 - Math.min(16, head.length())));
            data.release();
            stream.ack(n);
            if (head.length() >= 12) {
                String line = head.toString();
                result.complete(line.startsWith("HTTP/1.") ? null : "the probe answer is not HTTP: " + line.strip());
            }
        }

        @Override
        public void onWritabilityChanged(ByteStream stream) {}

        @Override
        public void onClosed(ByteStream stream, @Nullable String error) {
            result.complete(error != null ? "the probe failed: " + error : "the upstream closed before answering the probe");
        }
    }

    /** Stops polling and checks and closes every pool listener (the sockets close with the gateway). */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (ScheduledFuture<?> s : schedules) {
            s.cancel(false);
        }
        synchronized (reloadLock) {
            for (Port p : ports.values()) {
                if (p.server != null) {
                    p.server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
                }
            }
        }
    }

    /** The ports bound now, for tests and status. */
    int boundPorts() {
        return (int) ports.values().stream().filter(p -> p.bindError == null).count();
    }
}
