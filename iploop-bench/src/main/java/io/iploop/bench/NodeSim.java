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
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.EventLoop;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

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
 *         [--key=ipn_...] [--per-address=16] [--first-address=127.10.0.1] [--in-flight=1000]
 *         [--gateway-pid=PID] [--settle-seconds=5] [--waves=1] [--storm=true] [--storm-timeout-seconds=300]
 *         [--profiler=/path/libasyncProfiler.so [--profile-name=PREFIX]]
 * </pre>
 *
 * <p>Phases: (1) registration: connections are started at {@code --rate} per second, until every
 * node was answered (or 60 s after the last start), with at most {@code --in-flight} handshakes
 * unanswered at once (a closed loop: the rate measured is what the gateway sustains, not a queue
 * of handshakes that it closes at their 10 s deadline); with {@code --waves=N}, N such phases: after
 * each, every session is closed from the node side at once and, 2 s later, every node registers
 * again the same way (a warm gateway, as one facing a reconnect storm is), each wave with its own
 * rate, latency and the gateway's and simulator's CPU per welcomed node; (2) after {@code --settle-seconds}, the
 * sessions are held idle for {@code --hold-seconds} (the heartbeat window: with
 * {@code --gateway-pid}, the gateway process's CPU is read from {@code /proc} over it, then its
 * RSS and its heap after a full GC with {@code jcmd}/{@code jstat}); (3) with {@code --storm=true},
 * a reconnect storm: every welcomed session is closed at once and every node reconnects as the
 * node agent does (docs/protocol.md §6: first attempt after a uniform 0-1 s, 4503 answers after at
 * least 5-10 s, other failures with doubling full-jitter backoff), and the time until all are back
 * is measured. Prints progress once a second to stderr and a Markdown summary to stdout. With
 * {@code --profiler}, async-profiler samples the CPU of the gateway ({@code --gateway-pid}) and of
 * this JVM over each registration phase ({@code PREFIX-gateway-waveN.collapsed},
 * {@code PREFIX-sim-waveN.collapsed}; both JVMs need {@code -XX:+EnableDynamicAgentLoading}).
 * Linux only for the {@code /proc} readings. Not thread-safe beyond its counters.
 */
public final class NodeSim {

    /** Clock ticks per second of {@code /proc/<pid>/stat} (USER_HZ, 100 on every Linux ABI). */
    private static final int USER_HZ = 100;

    private final URI hub;
    private final String key;
    private final int nodes;
    private final int rate;
    private final int perAddress;
    private final int firstAddress;
    private final long gatewayPid;
    private final EventLoopGroup group;
    /** The socket channel of {@link #group}'s transport (epoll on Linux, else NIO). */
    private final Class<? extends SocketChannel> channelClass;
    /** Each node's current connection attempt, to tell the simulator's own closes from the gateway's. */
    private final AtomicReferenceArray<Node> current;
    private final TunnelSettings settings = TunnelSettings.DEFAULTS;
    /** Each node's current connection (the latest attempt), for closing them all in the storm. */
    private final AtomicReferenceArray<Channel> channels;
    /** Each node's failed attempts in the current phase (the agent's backoff exponent). */
    private final AtomicIntegerArray attempts;
    /** Registration handshakes that may be unanswered at once. */
    private final Semaphore inFlight;
    /** {@code libasyncProfiler.so} to profile each registration phase with, or null. */
    private final @Nullable String profiler;
    /** Path prefix of the profiles' collapsed stacks ({@code PREFIX-gateway-wave1.collapsed}, ...). */
    private final String profileName;

    private NodeSim(URI hub, String key, int nodes, int rate, int perAddress, int firstAddress, int threads, long gatewayPid,
            int inFlight, @Nullable String profiler, String profileName) {
        this.profiler = profiler;
        this.profileName = profileName;
        this.hub = hub;
        this.key = key;
        this.nodes = nodes;
        this.rate = rate;
        this.perAddress = perAddress;
        this.firstAddress = firstAddress;
        this.gatewayPid = gatewayPid;
        this.channels = new AtomicReferenceArray<>(nodes);
        this.current = new AtomicReferenceArray<>(nodes);
        this.attempts = new AtomicIntegerArray(nodes);
        this.inFlight = new Semaphore(inFlight);
        // The native transport where there is one, as the gateway uses: the simulator shares the
        // machine with the gateway it measures, so what it spends per connection counts against the rate.
        boolean epoll = Epoll.isAvailable();
        this.group = new MultiThreadIoEventLoopGroup(threads, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        this.channelClass = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /**
     * Entry point; see the class Javadoc for the options.
     *
     * @param args {@code --name=value} options
     * @throws Exception if the simulator cannot run (bad option, interrupted)
     */
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
        int settle = Integer.parseInt(o.getOrDefault("settle-seconds", "5"));
        int threads = Integer.parseInt(o.getOrDefault("threads", "2"));
        int perAddress = Integer.parseInt(o.getOrDefault("per-address", "16"));
        int inFlight = Integer.parseInt(o.getOrDefault("in-flight", "1000"));
        long gatewayPid = Long.parseLong(o.getOrDefault("gateway-pid", "0"));
        boolean storm = Boolean.parseBoolean(o.getOrDefault("storm", "false"));
        int stormTimeout = Integer.parseInt(o.getOrDefault("storm-timeout-seconds", "300"));
        int waves = Integer.parseInt(o.getOrDefault("waves", "1"));
        byte[] first = InetAddress.getByName(o.getOrDefault("first-address", "127.10.0.1")).getAddress();
        int firstAddress = ((first[0] & 0xff) << 24) | ((first[1] & 0xff) << 16) | ((first[2] & 0xff) << 8) | (first[3] & 0xff);
        String key = o.getOrDefault("key", DataPlaneHarness.NODE_KEY);
        if (nodes < 1 || rate < 1 || perAddress < 1 || threads < 1 || inFlight < 1 || waves < 1 || hold < 0 || settle < 0 || stormTimeout < 1
                || gatewayPid < 0) {
            throw new IllegalArgumentException("nodes, rate, per-address, threads, in-flight, waves, storm-timeout-seconds: >= 1;"
                    + " hold-seconds, settle-seconds, gateway-pid: >= 0");
        }
        String profiler = o.get("profiler");
        String profileName = Path.of(o.getOrDefault("profile-name", "node-sim")).toAbsolutePath().toString();
        NodeSim sim = new NodeSim(hub, key, nodes, rate, perAddress, firstAddress, threads, gatewayPid, inFlight, profiler,
                profileName);
        sim.run(hold, settle, storm, stormTimeout, waves);
    }

    private void run(int holdSeconds, int settleSeconds, boolean storm, int stormTimeoutSeconds, int waves) throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        String loadBefore = loadAverage();
        long gatewayHeapBefore = gatewayPid > 0 ? gatewayHeapAfterGc() : -1;
        System.gc();
        long heapBefore = memory.getHeapMemoryUsage().getUsed();

        List<Phase> registrations = new java.util.ArrayList<>();
        Phase reg = register(waves == 1 ? "registration" : "registration, wave 1 (cold)");
        registrations.add(reg);
        for (int w = 2; w <= waves; w++) {
            // A warm wave: every session closed by the node side at once, then the same closed-loop
            // registration again against the gateway that just ran the first (JIT done, pools grown).
            closeAll();
            reg = register("registration, wave " + w + " (warm)");
            registrations.add(reg);
        }

        // Heartbeat window: nothing but the sessions' own PINGs runs on either side.
        Thread.sleep(TimeUnit.SECONDS.toMillis(settleSeconds));
        int closedBeforeHold = reg.closedAfterWelcome.get();
        String loadHold = loadAverage();
        long gwTicks0 = gatewayPid > 0 ? cpuTicks(gatewayPid) : -1;
        long ownCpu0 = processCpuNanos();
        long hold0 = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(holdSeconds));
        double holdSecondsMeasured = (System.nanoTime() - hold0) / 1e9;
        long gwTicks1 = gatewayPid > 0 ? cpuTicks(gatewayPid) : -1;
        long ownCpu1 = processCpuNanos();
        int connectedAtHoldEnd = reg.welcomed.get() - reg.closedAfterWelcome.get();
        long gatewayRssKiB = gatewayPid > 0 ? rssKiB(gatewayPid) : -1;
        long gatewayHeapAfter = gatewayPid > 0 ? gatewayHeapAfterGc() : -1;
        System.gc();
        long heapAfter = memory.getHeapMemoryUsage().getUsed();

        System.out.printf(Locale.ROOT, "## Node simulator: %,d nodes at %,d/s against %s (%s, %d cores)%n%n", nodes, rate, hub,
                Runtime.version(), Runtime.getRuntime().availableProcessors());
        System.out.println("| figure | value |");
        System.out.println("|---|---:|");
        System.out.printf(Locale.ROOT, "| load average (1/5/15 min) at start / during hold | %s / %s |%n", loadBefore, loadHold);
        for (Phase r : registrations) {
            r.rows(waves == 1 ? "" : r.name + ": ");
        }
        System.out.printf(Locale.ROOT, "| sessions closed by the gateway during %d s hold | %,d |%n", holdSeconds,
                reg.closedAfterWelcome.get() - closedBeforeHold);
        if (gatewayPid > 0) {
            double gwCpu = (gwTicks1 - gwTicks0) / (double) USER_HZ / holdSecondsMeasured * 100;
            System.out.printf(Locale.ROOT, "| gateway CPU over the %d s idle hold, %,d nodes connected (%% of one core) | %.1f %% |%n",
                    holdSeconds, connectedAtHoldEnd, gwCpu);
            System.out.printf(Locale.ROOT, "| gateway RSS | %,d MiB |%n", gatewayRssKiB / 1024);
            if (gatewayHeapAfter >= 0 && gatewayHeapBefore >= 0) {
                System.out.printf(Locale.ROOT, "| gateway heap after full GC: before / with the nodes | %,d / %,d MiB |%n",
                        gatewayHeapBefore >> 20, gatewayHeapAfter >> 20);
                System.out.printf(Locale.ROOT, "| gateway heap per connected node (after GC) | %.1f KiB |%n",
                        connectedAtHoldEnd == 0 ? 0 : (gatewayHeapAfter - gatewayHeapBefore) / 1024.0 / connectedAtHoldEnd);
            }
        }
        System.out.printf(Locale.ROOT, "| simulator CPU over the hold (%% of one core) | %.1f %% |%n",
                (ownCpu1 - ownCpu0) / 1e9 / holdSecondsMeasured * 100);
        System.out.printf(Locale.ROOT, "| simulator heap per session (after GC) | %.1f KiB |%n",
                reg.welcomed.get() == 0 ? 0 : (heapAfter - heapBefore) / 1024.0 / reg.welcomed.get());
        for (Phase r : registrations) {
            r.reasons();
        }
        System.out.flush();

        if (storm) {
            storm(stormTimeoutSeconds);
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /**
     * One closed-loop registration phase: every node connects at {@code --rate} per second with at
     * most {@code --in-flight} handshakes unanswered at once, until every node was answered (or
     * 60 s after the last start). Records the gateway's and the simulator's CPU over the phase.
     */
    private Phase register(String name) throws InterruptedException {
        for (int i = 0; i < nodes; i++) {
            attempts.set(i, 0);
        }
        profile("start,event=cpu,interval=" + PROFILE_INTERVAL_NANOS);
        Phase reg = new Phase(name, false);
        long nextReport = reg.startNanos + TimeUnit.SECONDS.toNanos(1);
        long lastStart = reg.startNanos;
        List<EventLoop> loops = new java.util.ArrayList<>();
        group.forEach(e -> loops.add((EventLoop) e));
        int next = 0;
        while (next < nodes) {
            long now = System.nanoTime();
            if (now >= nextReport) {
                reg.progress(next);
                nextReport += TimeUnit.SECONDS.toNanos(1);
            }
            // The nodes due by now at --rate, as far as --in-flight allows; none: poll again in 1 ms.
            // Polling rather than blocking on the semaphore: a finished handshake then wakes no one,
            // and the nodes freed within a millisecond start as one batch.
            int due = (int) Math.min(nodes, (now - reg.startNanos) * rate / 1_000_000_000L + 1);
            int permits = due > next ? inFlight.drainPermits() : 0;
            int start = Math.min(permits, due - next);
            if (permits > start) {
                inFlight.release(permits - start);
            }
            if (start == 0) {
                Thread.sleep(1);
                continue;
            }
            // One task per event loop for the whole batch, each node's channel registered on the loop
            // that starts it: no hand-off per node.
            for (int l = 0; l < loops.size(); l++) {
                int from = next + (int) ((long) start * l / loops.size());
                int to = next + (int) ((long) start * (l + 1) / loops.size());
                EventLoop loop = loops.get(l);
                if (from < to) {
                    loop.execute(() -> {
                        for (int i = from; i < to; i++) {
                            connect(i, reg, loop);
                        }
                    });
                }
            }
            next += start;
            lastStart = System.nanoTime();
        }
        long deadline = lastStart + TimeUnit.SECONDS.toNanos(60);
        while (reg.answered.get() < nodes && System.nanoTime() < deadline) {
            Thread.sleep(10);
            if (System.nanoTime() >= nextReport) {
                reg.progress(nodes);
                nextReport += TimeUnit.SECONDS.toNanos(1);
            }
        }
        reg.end();
        reg.progress(nodes);
        profiledPhases++;
        profile("stop,collapsed,file=" + profileName + "-%s-wave" + profiledPhases + ".collapsed");
        return reg;
    }

    /** CPU sampling interval of {@code --profiler}: 1 ms of CPU. */
    private static final long PROFILE_INTERVAL_NANOS = 1_000_000;
    /** Registration phases profiled so far (names the files). */
    private int profiledPhases;

    /**
     * With {@code --profiler}: runs the async-profiler {@code command} in the gateway (with
     * {@code --gateway-pid}) and in this JVM through {@code jcmd PID JVMTI.agent_load}; a
     * {@code %s} in it becomes {@code gateway} or {@code sim}. A failure is reported, not fatal.
     */
    private void profile(String command) {
        if (profiler == null) {
            return;
        }
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        for (long pid : gatewayPid > 0 ? new long[] {gatewayPid, ProcessHandle.current().pid()}
                : new long[] {ProcessHandle.current().pid()}) {
            String who = pid == gatewayPid ? "gateway" : "sim";
            try {
                // Quoted: the diagnostic command's parser would split the agent's options at '='.
                run(List.of(jcmd, Long.toString(pid), "JVMTI.agent_load", profiler, "\"" + command.replace("%s", who) + "\""));
            } catch (IOException e) {
                System.err.println("profiler (" + who + "): " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Closes every open session from the node side at once and waits until they are closed, then
     * 2 s more for the gateway to see the FINs (so a reconnect is not refused as a duplicate of the
     * node's own closing session).
     */
    private void closeAll() throws InterruptedException {
        int[] open = openSessions();
        System.err.printf(Locale.ROOT, "closing %,d sessions%n", open.length);
        for (int i : open) {
            current.get(i).closedBySim = true;
            channels.get(i).close();
        }
        for (int i : open) {
            channels.get(i).closeFuture().await(10, TimeUnit.SECONDS);
        }
        Thread.sleep(2_000);
    }

    /** The nodes whose current connection is open. */
    private int[] openSessions() {
        int[] open = new int[nodes];
        int n = 0;
        for (int i = 0; i < nodes; i++) {
            Channel ch = channels.get(i);
            if (ch != null && ch.isActive()) {
                open[n++] = i;
            }
        }
        return Arrays.copyOf(open, n);
    }

    /**
     * Closes every open session at once, then reconnects each node as the agent does after losing a
     * session that lived long enough (backoff reset: first attempt after a uniform 0-1 s), and
     * measures the time until all of them are welcomed again.
     */
    private void storm(int timeoutSeconds) throws InterruptedException {
        int[] open = openSessions();
        int targets = open.length;
        System.err.printf(Locale.ROOT, "storm: closing %,d sessions%n", targets);
        long closeStart = System.nanoTime();
        for (int t = 0; t < targets; t++) {
            current.get(open[t]).closedBySim = true;
            channels.get(open[t]).close();
        }
        for (int t = 0; t < targets; t++) {
            channels.get(open[t]).closeFuture().await(10, TimeUnit.SECONDS);
            attempts.set(open[t], 0);
        }
        double closeSeconds = (System.nanoTime() - closeStart) / 1e9;
        // Give the gateway the moment it needs to see the FINs, so a reconnect is not a duplicate
        // of the node's own closing session (an agent would retry that after 30-60 s).
        Thread.sleep(2_000);
        String load = loadAverage();
        long gwTicks0 = gatewayPid > 0 ? cpuTicks(gatewayPid) : -1;
        Phase storm = new Phase("storm", true);
        for (int t = 0; t < targets; t++) {
            int i = open[t];
            EventLoop loop = group.next();
            loop.schedule(() -> connect(i, storm, loop), nextDelayMillis(i), TimeUnit.MILLISECONDS);
        }
        long deadline = storm.startNanos + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (storm.welcomed.get() < targets && System.nanoTime() < deadline) {
            Thread.sleep(1_000);
            storm.progress(targets);
        }
        storm.end();
        double gwCpu = gatewayPid > 0
                ? (cpuTicks(gatewayPid) - gwTicks0) / (double) USER_HZ / ((storm.endNanos - storm.startNanos) / 1e9) * 100 : -1;
        System.out.printf(Locale.ROOT, "%n## Reconnect storm: %,d sessions closed at once, every node reconnecting as the agent"
                + " does%n%n", targets);
        System.out.println("| figure | value |");
        System.out.println("|---|---:|");
        System.out.printf(Locale.ROOT, "| load average (1/5/15 min) at storm start | %s |%n", load);
        System.out.printf(Locale.ROOT, "| closing all sessions (simulator side) took | %.1f s |%n", closeSeconds);
        System.out.printf(Locale.ROOT, "| back (welcomed again) | %,d of %,d |%n", storm.welcomed.get(), targets);
        long[] back = storm.sortedWelcomeTimes();
        for (double p : new double[] {0.5, 0.9, 0.99, 1.0}) {
            System.out.printf(Locale.ROOT, "| time until %s%% back | %s |%n", p == 1.0 ? "100" : Integer.toString((int) (p * 100)),
                    back.length < Math.ceil(p * targets) ? "not reached within " + timeoutSeconds + " s"
                            : String.format(Locale.ROOT, "%.1f s", back[(int) Math.ceil(p * targets) - 1] / 1e9));
        }
        System.out.printf(Locale.ROOT, "| attempts refused (by close code) | %s |%n",
                storm.refusedByCode.isEmpty() ? "0" : storm.refusedByCode);
        System.out.printf(Locale.ROOT, "| attempts failed (no WebSocket/HELLO answer) | %,d |%n", storm.failed.get());
        if (gatewayPid > 0) {
            System.out.printf(Locale.ROOT, "| gateway CPU during the storm (%% of one core) | %.0f %% |%n", gwCpu);
        }
        storm.reasons();
        System.out.flush();
    }

    /** The agent's reconnect delay after a failure: uniform in [0, 1 s × 2^attempt], capped at 60 s. */
    private long nextDelayMillis(int node) {
        int attempt = attempts.getAndIncrement(node);
        long ceiling = Math.min(1_000L << Math.min(attempt, 6), 60_000L);
        return ThreadLocalRandom.current().nextLong(ceiling + 1);
    }

    private InetAddress sourceAddress(int node) throws IOException {
        int a = firstAddress + node / perAddress;
        return InetAddress.getByAddress(new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a});
    }

    private void connect(int i, Phase phase) {
        connect(i, phase, group.next());
    }

    /** Starts node {@code i}'s connection on {@code loop} (called on it: no hand-off to register the channel). */
    private void connect(int i, Phase phase, EventLoop loop) {
        Hello hello = new Hello(TunnelProtocol.VERSION, key, "sim-" + i, "sim " + i, "linux", "node-sim", "US", null, null, 0,
                null, "ethernet", false);
        Node node = new Node(i, phase, System.nanoTime());
        current.set(i, node);
        TunnelSession session = TunnelSession.nodeSide(settings, hello, node, node);
        InetAddress source;
        try {
            source = sourceAddress(i);
        } catch (IOException e) {
            throw new IllegalStateException("source address of node " + i, e);
        }
        new Bootstrap().group(loop).channel(channelClass)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .option(ChannelOption.SO_REUSEADDR, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        channels.set(i, ch);
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
                .connect(new InetSocketAddress(hub.getHost(), hub.getPort()), new InetSocketAddress(source, 0))
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        node.fail("connect: " + f.cause());
                    }
                });
    }

    /** The 1, 5 and 15 minute load averages of the machine ({@code /proc/loadavg}), or "?" off Linux. */
    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    /** utime + stime of a process in clock ticks ({@code /proc/<pid>/stat} fields 14 and 15). */
    private static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read the CPU time of process " + pid + " (is it running?)", e);
        }
    }

    /** Resident set size of a process in KiB ({@code VmRSS} of {@code /proc/<pid>/status}), or -1. */
    private static long rssKiB(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("cannot read the RSS of process " + pid + ": " + e);
        }
        return -1;
    }

    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : 0;
    }

    /**
     * The gateway's heap in use after a full GC, in bytes ({@code jcmd PID GC.run}, then the
     * survivor, eden and old "used" columns of {@code jstat -gc PID}), or -1 when that fails.
     */
    private long gatewayHeapAfterGc() {
        Path bin = Path.of(System.getProperty("java.home"), "bin");
        try {
            run(List.of(bin.resolve("jcmd").toString(), Long.toString(gatewayPid), "GC.run"));
            String[] lines = run(List.of(bin.resolve("jstat").toString(), "-gc", Long.toString(gatewayPid))).trim().split("\n");
            List<String> names = List.of(lines[0].trim().split("\\s+"));
            String[] values = lines[lines.length - 1].trim().split("\\s+");
            double kib = 0;
            for (String column : List.of("S0U", "S1U", "EU", "OU")) {
                kib += Double.parseDouble(values[names.indexOf(column)]);
            }
            return (long) (kib * 1024);
        } catch (IOException | RuntimeException e) {
            System.err.println("cannot read the gateway's heap with jcmd/jstat: " + e);
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ": " + out.strip());
        }
        return out;
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] / 1e6;
    }

    /** Counters of one phase (registration or storm). Thread-safe. */
    private final class Phase {
        final String name;
        /** Retry refused and failed attempts with the agent's backoff (the storm), or count them (registration). */
        final boolean retry;
        final long startNanos = System.nanoTime();
        volatile long endNanos;
        final String loadAtStart = loadAverage();
        volatile String loadAtEnd = "?";
        /** The gateway's CPU ticks (-1 without {@code --gateway-pid}) and this JVM's CPU ns at start and end. */
        final long gatewayTicksAtStart = gatewayPid > 0 ? cpuTicks(gatewayPid) : -1;
        volatile long gatewayTicksAtEnd = -1;
        final long ownCpuAtStart = processCpuNanos();
        volatile long ownCpuAtEnd;
        final AtomicInteger welcomed = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicInteger answered = new AtomicInteger();
        final AtomicInteger closedAfterWelcome = new AtomicInteger();
        final Map<Integer, LongAdder> refusedByCode = new ConcurrentHashMap<>();
        final Map<String, LongAdder> reasons = new ConcurrentHashMap<>();
        /** Per node: connect-to-WELCOME of its welcomed attempt, in ns (0: not welcomed). */
        final AtomicLongArray welcomeLatency = new AtomicLongArray(nodes);
        /** Per node: phase start to WELCOME, in ns (0: not welcomed). */
        final AtomicLongArray welcomeAt = new AtomicLongArray(nodes);

        Phase(String name, boolean retry) {
            this.name = name;
            this.retry = retry;
            }

        void end() {
            endNanos = System.nanoTime();
            gatewayTicksAtEnd = gatewayPid > 0 ? cpuTicks(gatewayPid) : -1;
            ownCpuAtEnd = processCpuNanos();
            loadAtEnd = loadAverage();
        }

        void progress(int started) {
            System.err.printf(Locale.ROOT, "%s t=%5.1fs started=%d welcomed=%d refused=%s failed=%d closed=%d%n", name,
                    (System.nanoTime() - startNanos) / 1e9, started, welcomed.get(), refusedByCode, failed.get(),
                    closedAfterWelcome.get());
        }

        long[] sorted(AtomicLongArray values) {
            long[] out = new long[nodes];
            int n = 0;
            for (int i = 0; i < nodes; i++) {
                long v = values.get(i);
                if (v > 0) {
                    out[n++] = v;
                }
            }
            out = Arrays.copyOf(out, n);
            Arrays.sort(out);
            return out;
        }

        long[] sortedWelcomeTimes() {
            return sorted(welcomeAt);
        }

        /** The phase's rows of the summary table, each label after {@code prefix}. */
        void rows(String prefix) {
            int w = welcomed.get();
            long[] lat = sorted(welcomeLatency);
            double seconds = (endNanos - startNanos) / 1e9;
            long[] at = sorted(welcomeAt);
            if (!prefix.isEmpty()) {
                System.out.printf(Locale.ROOT, "| %sload average (1/5/15 min) at start / end | %s / %s |%n", prefix, loadAtStart,
                        loadAtEnd);
            }
            System.out.printf(Locale.ROOT, "| %swelcomed | %,d |%n", prefix, w);
            System.out.printf(Locale.ROOT, "| %srefused (by close code) | %s |%n", prefix,
                    refusedByCode.isEmpty() ? "0" : refusedByCode);
            System.out.printf(Locale.ROOT, "| %sfailed (no WebSocket/HELLO answer) | %,d |%n", prefix, failed.get());
            System.out.printf(Locale.ROOT, "| %sregistration rate (welcomed / s, start to last WELCOME) | %.0f |%n", prefix,
                    at.length == 0 ? 0 : w / (at[at.length - 1] / 1e9));
            System.out.printf(Locale.ROOT, "| %sregistration rate (welcomed / s, start to last answer) | %.0f |%n", prefix,
                    w / seconds);
            System.out.printf(Locale.ROOT, "| %sconnect-to-WELCOME p50 / p99 / max ms | %.1f / %.1f / %.1f |%n", prefix,
                    pct(lat, 0.5), pct(lat, 0.99), lat.length == 0 ? 0 : lat[lat.length - 1] / 1e6);
            if (w > 0 && gatewayTicksAtStart >= 0 && gatewayTicksAtEnd >= 0) {
                // /proc ticks are 10 ms: over a phase of seconds the figure is good to about 1 %.
                double gatewayCpu = (gatewayTicksAtEnd - gatewayTicksAtStart) / (double) USER_HZ;
                System.out.printf(Locale.ROOT, "| %sgateway CPU over the phase: s (%% of one core) / µs per welcomed node | %.2f s"
                        + " (%.0f %%) / %.0f µs |%n", prefix, gatewayCpu, gatewayCpu / seconds * 100, gatewayCpu / w * 1e6);
            }
            if (w > 0) {
                double ownCpu = (ownCpuAtEnd - ownCpuAtStart) / 1e9;
                System.out.printf(Locale.ROOT, "| %ssimulator CPU over the phase: s (%% of one core) / µs per welcomed node |"
                        + " %.2f s (%.0f %%) / %.0f µs |%n", prefix, ownCpu, ownCpu / seconds * 100, ownCpu / w * 1e6);
            }
        }

        void reasons() {
            if (!reasons.isEmpty()) {
                System.out.println();
                System.out.println(name + ":");
                reasons.forEach((r, c) -> System.out.printf(Locale.ROOT, "- %s: %,d%n", r, c.sum()));
            }
        }

        void reason(String r) {
            reasons.computeIfAbsent(r, k -> new LongAdder()).increment();
        }
    }

    /** One connection attempt of a simulated agent: refuses OPENs, records its WELCOME or its close. */
    private final class Node implements StreamAcceptor, TunnelSession.NodeListener {
        private final int index;
        private final Phase phase;
        private final long startedNanos;
        private volatile boolean welcomedFlag;
        private volatile boolean done;
        volatile int closeCode;
        /** The simulator closed this session itself (between waves, the storm): not the gateway's close. */
        volatile boolean closedBySim;

        Node(int index, Phase phase, long startedNanos) {
            this.index = index;
            this.phase = phase;
            this.startedNanos = startedNanos;
        }

        @Override
        public void onOpen(ByteStream stream, String host, int port, OpenReply reply) {
            reply.reject(OpenFailure.UNAVAILABLE, "simulated node");
        }

        @Override
        public void onWelcome(TunnelSession session, Welcome welcome) {
            long now = System.nanoTime();
            phase.welcomeLatency.set(index, Math.max(1, now - startedNanos));
            phase.welcomeAt.set(index, Math.max(1, now - phase.startNanos));
            welcomedFlag = true;
            phase.welcomed.incrementAndGet();
            finish();
        }

        @Override
        public void onDrain(TunnelSession session, int deadlineMillis) {
            phase.reason("DRAIN received");
        }

        @Override
        public void onClosed(TunnelSession session, String reason) {
            if (welcomedFlag) {
                if (closedBySim) {
                    return;
                }
                phase.closedAfterWelcome.incrementAndGet();
                phase.reason("closed after WELCOME: " + reason);
                return;
            }
            if (closeCode != 0) {
                phase.refusedByCode.computeIfAbsent(closeCode, c -> new LongAdder()).increment();
                phase.reason(closeCode + " " + reason.replaceAll("[0-9]+", "N"));
                if (phase.retry) {
                    // As the agent: 4503 try elsewhere; a refusal (4403) waits 30-60 s; any other close
                    // (the gateway's handshake deadline) is a failure with the doubling backoff.
                    retry(closeCode == 4503 ? tryElsewhereDelayMillis()
                            : closeCode == TunnelProtocol.CLOSE_CODE_REFUSED ? 30_000 + ThreadLocalRandom.current().nextLong(30_001)
                            : nextDelayMillis(index));
                    return;
                }
                finish();
            } else {
                fail(reason);
            }
        }

        /** As the agent after a 4503: its next backoff delay, but at least 5 s plus up to 5 s. */
        private long tryElsewhereDelayMillis() {
            return Math.max(nextDelayMillis(index), 5_000 + ThreadLocalRandom.current().nextLong(5_001));
        }

        void fail(String reason) {
            if (done) {
                return;
            }
            phase.failed.incrementAndGet();
            phase.reason("failed: " + reason.replaceAll("[0-9]+", "N"));
            if (phase.retry) {
                done = true;
                retry(nextDelayMillis(index));
                return;
            }
            finish();
        }

        private void retry(long delayMillis) {
            done = true;
            EventLoop loop = group.next();
            loop.schedule(() -> connect(index, phase, loop), delayMillis, TimeUnit.MILLISECONDS);
        }

        private void finish() {
            if (!done) {
                done = true;
                phase.answered.incrementAndGet();
                if (!phase.retry) {
                    inFlight.release();
                }
            }
        }
    }
}
