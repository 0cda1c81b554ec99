package io.iploop.bench;

import io.iploop.tunnel.ByteStream;
import io.iploop.tunnel.Hello;
import io.iploop.tunnel.OpenFailure;
import io.iploop.tunnel.StreamAcceptor;
import io.iploop.tunnel.TunnelPipeline;
import io.iploop.tunnel.TunnelProtocol;
import io.iploop.tunnel.TunnelSession;
import io.iploop.tunnel.TunnelSettings;
import io.iploop.tunnel.Welcome;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Node simulator (docs/scale.md#measuring): holds many node agent sessions from one JVM, each a
 * real TCP connection with the WebSocket upgrade and the tunnel HELLO/WELCOME handshake, on a
 * shared Netty event loop group. Each simulated node binds its own loopback source address
 * ({@code 127.x.y.z}, Linux answers the whole 127/8 without aliases) so the gateway's per-address
 * handshake limits and the 28 000 ephemeral ports of one address are not what is measured. Opens
 * are refused ({@code unavailable}): it measures holding and admitting sessions, not traffic.
 *
 * <pre>
 * NodeSim --hub=ws://127.0.0.1:18001/ws [--nodes=10000] [--rate=500] [--hold-seconds=20] [--threads=2]
 *         [--key=ipn_...] [--per-address=16] [--first-address=127.10.0.1]
 * </pre>
 *
 * <p>Prints progress once a second to stderr and a Markdown summary to stdout: welcomed, refused
 * (by close code), failed, registration rate, HELLO-to-WELCOME latency, the simulator's own heap
 * per session. Connections are started at {@code --rate} per second; the run ends once every node
 * was answered (or 60 s after the last start), then holds the sessions {@code --hold-seconds}
 * and counts the ones the gateway closed meanwhile. Not thread-safe beyond its counters.
 */
public final class NodeSim {

    private final URI hub;
    private final String key;
    private final int nodes;
    private final int rate;
    private final int perAddress;
    private final int firstAddress;
    private final EventLoopGroup group;
    private final TunnelSettings settings = TunnelSettings.DEFAULTS;

    private final AtomicInteger welcomed = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger closedAfterWelcome = new AtomicInteger();
    private final Map<Integer, LongAdder> refusedByCode = new ConcurrentHashMap<>();
    private final AtomicLongArray welcomeNanos;
    private final AtomicInteger answered = new AtomicInteger();
    private final Map<String, LongAdder> reasons = new ConcurrentHashMap<>();

    private NodeSim(URI hub, String key, int nodes, int rate, int perAddress, int firstAddress, int threads) {
        this.hub = hub;
        this.key = key;
        this.nodes = nodes;
        this.rate = rate;
        this.perAddress = perAddress;
        this.firstAddress = firstAddress;
        this.welcomeNanos = new AtomicLongArray(nodes);
        this.group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>();
        for (String a : args) {
            if (!a.startsWith("--") || !a.contains("=")) {
                throw new IllegalArgumentException("argument: " + a + " (expected: --name=value)");
            }
            o.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
        }
        URI hub = URI.create(o.getOrDefault("hub", "ws://127.0.0.1:18001/ws"));
        int nodes = Integer.parseInt(o.getOrDefault("nodes", "10000"));
        int rate = Integer.parseInt(o.getOrDefault("rate", "500"));
        int hold = Integer.parseInt(o.getOrDefault("hold-seconds", "20"));
        int threads = Integer.parseInt(o.getOrDefault("threads", "2"));
        int perAddress = Integer.parseInt(o.getOrDefault("per-address", "16"));
        byte[] first = InetAddress.getByName(o.getOrDefault("first-address", "127.10.0.1")).getAddress();
        int firstAddress = ((first[0] & 0xff) << 24) | ((first[1] & 0xff) << 16) | ((first[2] & 0xff) << 8) | (first[3] & 0xff);
        String key = o.getOrDefault("key", DataPlaneHarness.NODE_KEY);
        if (nodes < 1 || rate < 1 || perAddress < 1 || threads < 1 || hold < 0) {
            throw new IllegalArgumentException("nodes, rate, per-address, threads: >= 1; hold-seconds: >= 0");
        }
        NodeSim sim = new NodeSim(hub, key, nodes, rate, perAddress, firstAddress, threads);
        sim.run(hold);
    }

    private void run(int holdSeconds) throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        long heapBefore = memory.getHeapMemoryUsage().getUsed();
        long start = System.nanoTime();
        long nextReport = start + TimeUnit.SECONDS.toNanos(1);
        long lastStart = start;
        for (int i = 0; i < nodes; i++) {
            long due = start + (long) i * 1_000_000_000L / rate;
            long now;
            while ((now = System.nanoTime()) < due) {
                if (now >= nextReport) {
                    progress(start, i);
                    nextReport += TimeUnit.SECONDS.toNanos(1);
                }
                Thread.sleep(0, 200_000);
            }
            connect(i);
            lastStart = System.nanoTime();
        }
        long deadline = lastStart + TimeUnit.SECONDS.toNanos(60);
        while (answered.get() < nodes && System.nanoTime() < deadline) {
            Thread.sleep(200);
            if (System.nanoTime() >= nextReport) {
                progress(start, nodes);
                nextReport += TimeUnit.SECONDS.toNanos(1);
            }
        }
        long end = System.nanoTime();
        progress(start, nodes);
        int closedBeforeHold = closedAfterWelcome.get();
        Thread.sleep(TimeUnit.SECONDS.toMillis(holdSeconds));
        System.gc();
        long heapAfter = memory.getHeapMemoryUsage().getUsed();
        summary(start, end, heapBefore, heapAfter, closedBeforeHold, holdSeconds);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private InetAddress sourceAddress(int node) throws Exception {
        int a = firstAddress + node / perAddress;
        return InetAddress.getByAddress(new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a});
    }

    private void connect(int i) throws Exception {
        Hello hello = new Hello(TunnelProtocol.VERSION, key, "sim-" + i, "sim " + i, "linux", "node-sim", "US", null, null, 0,
                null, "ethernet", false);
        long t0 = System.nanoTime();
        Node node = new Node(i, t0);
        TunnelSession session = TunnelSession.nodeSide(settings, hello, node, node);
        new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .option(ChannelOption.SO_REUSEADDR, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        TunnelPipeline.client(ch.pipeline(), hub, null, session);
                        String stage = ch.pipeline().context(session.handler()).name();
                        ch.pipeline().addBefore(stage, "sim-close-code", new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                if (msg instanceof CloseWebSocketFrame close) {
                                    node.closeCode = close.statusCode();
                                }
                                ctx.fireChannelRead(msg);
                            }
                        });
                    }
                })
                .connect(new InetSocketAddress(hub.getHost(), hub.getPort()), new InetSocketAddress(sourceAddress(i), 0))
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        node.fail("connect: " + f.cause());
                    }
                });
    }

    private void progress(long start, int started) {
        System.err.printf(Locale.ROOT, "t=%5.1fs started=%d welcomed=%d refused=%s failed=%d closed=%d%n",
                (System.nanoTime() - start) / 1e9, started, welcomed.get(), refusedByCode, failed.get(),
                closedAfterWelcome.get());
    }

    private void summary(long start, long end, long heapBefore, long heapAfter, int closedBeforeHold, int holdSeconds) {
        int w = welcomed.get();
        long[] lat = new long[w];
        int n = 0;
        for (int i = 0; i < nodes && n < w; i++) {
            long v = welcomeNanos.get(i);
            if (v > 0) {
                lat[n++] = v;
            }
        }
        lat = Arrays.copyOf(lat, n);
        Arrays.sort(lat);
        double seconds = (end - start) / 1e9;
        System.out.printf(Locale.ROOT, "## Node simulator: %,d nodes at %,d/s against %s (%s, %d cores)%n%n", nodes, rate, hub,
                Runtime.version(), Runtime.getRuntime().availableProcessors());
        System.out.println("| figure | value |");
        System.out.println("|---|---:|");
        System.out.printf(Locale.ROOT, "| welcomed | %,d |%n", w);
        System.out.printf(Locale.ROOT, "| refused (by close code) | %s |%n", refusedByCode.isEmpty() ? "0" : refusedByCode);
        System.out.printf(Locale.ROOT, "| failed (no WebSocket/HELLO answer) | %,d |%n", failed.get());
        System.out.printf(Locale.ROOT, "| registration rate (welcomed / s, start to last answer) | %.0f |%n", w / seconds);
        System.out.printf(Locale.ROOT, "| connect-to-WELCOME p50 / p99 / max ms | %.1f / %.1f / %.1f |%n", pct(lat, 0.5),
                pct(lat, 0.99), lat.length == 0 ? 0 : lat[lat.length - 1] / 1e6);
        System.out.printf(Locale.ROOT, "| sessions closed by the gateway during %d s hold | %,d |%n", holdSeconds,
                closedAfterWelcome.get() - closedBeforeHold);
        System.out.printf(Locale.ROOT, "| simulator heap per session (after GC) | %.1f KiB |%n",
                w == 0 ? 0 : (heapAfter - heapBefore) / 1024.0 / w);
        if (!reasons.isEmpty()) {
            System.out.println();
            reasons.forEach((r, c) -> System.out.printf(Locale.ROOT, "- %s: %,d%n", r, c.sum()));
        }
        System.out.flush();
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] / 1e6;
    }

    /** One simulated agent: refuses OPENs, records its WELCOME or its close. */
    private final class Node implements StreamAcceptor, TunnelSession.NodeListener {
        private final int index;
        private final long startedNanos;
        private volatile boolean welcomedFlag;
        private volatile boolean done;
        volatile int closeCode;

        Node(int index, long startedNanos) {
            this.index = index;
            this.startedNanos = startedNanos;
        }

        @Override
        public void onOpen(ByteStream stream, String host, int port, OpenReply reply) {
            reply.reject(OpenFailure.UNAVAILABLE, "simulated node");
        }

        @Override
        public void onWelcome(TunnelSession session, Welcome welcome) {
            welcomeNanos.set(index, Math.max(1, System.nanoTime() - startedNanos));
            welcomedFlag = true;
            welcomed.incrementAndGet();
            if (!done) {
                done = true;
                answered.incrementAndGet();
            }
        }

        @Override
        public void onDrain(TunnelSession session, int deadlineMillis) {
            reasons.computeIfAbsent("DRAIN received", r -> new LongAdder()).increment();
        }

        @Override
        public void onClosed(TunnelSession session, String reason) {
            if (welcomedFlag) {
                closedAfterWelcome.incrementAndGet();
                reasons.computeIfAbsent("closed after WELCOME: " + reason, r -> new LongAdder()).increment();
                return;
            }
            if (closeCode != 0) {
                refusedByCode.computeIfAbsent(closeCode, c -> new LongAdder()).increment();
                reasons.computeIfAbsent(closeCode + " " + reason, r -> new LongAdder()).increment();
                finish();
            } else {
                fail(reason);
            }
        }

        void fail(String reason) {
            if (done) {
                return;
            }
            failed.incrementAndGet();
            reasons.computeIfAbsent("failed: " + reason.replaceAll("[0-9]+", "N"), r -> new LongAdder()).increment();
            finish();
        }

        private void finish() {
            if (!done) {
                done = true;
                answered.incrementAndGet();
            }
        }
    }
}
