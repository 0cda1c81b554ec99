package io.iploop.tunnel;

import io.iploop.tunnel.frame.FrameType;
import io.iploop.tunnel.frame.TunnelFrame;
import io.iploop.tunnel.frame.TunnelProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's tunnel: the stream multiplexer over a WebSocket (docs/protocol.md). The
 * gateway side opens streams; the node side accepts them through a {@link StreamAcceptor}.
 * Thread-safe: public methods may be called from any thread and hop to the channel's event loop,
 * where all session and stream state lives.
 */
public final class TunnelSession {

    private static final Logger log = LoggerFactory.getLogger(TunnelSession.class);

    /** HELLO (gateway side) or WELCOME (node side) must arrive within this after the handshake. */
    private static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;
    /** Liveness ticks fall on multiples of this (of {@link System#nanoTime()}), in ns; see {@link #scheduleLiveness}. */
    private static final long TICK_GRID_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /** Gateway-side events. Called on the session's event loop. */
    public interface GatewayListener {
        /** The agent said HELLO; answer with {@link #welcome} or {@link #refuse}. */
        void onHello(TunnelSession session, Hello hello);

        /** The session closed (agent gone, dead peer, protocol error). */
        void onClosed(TunnelSession session);
    }

    /** Node-side events. Called on the session's event loop. */
    public interface NodeListener {
        void onWelcome(TunnelSession session, Welcome welcome);

        /** The gateway asked the agent to finish its streams and reconnect elsewhere. */
        void onDrain(TunnelSession session, int deadlineMillis);

        /** The session closed; {@code reason} says why (refusal message, timeout, error). */
        void onClosed(TunnelSession session, String reason);
    }

    private enum Role { GATEWAY, NODE }

    private final Role role;
    private final TunnelSettings settings;
    private final @Nullable GatewayListener gatewayListener;
    private final @Nullable NodeListener nodeListener;
    private final @Nullable Hello hello;
    private final @Nullable StreamAcceptor acceptor;
    private final SessionHandler handler = new SessionHandler();

    private volatile @Nullable ChannelHandlerContext ctx;
    private volatile long srttNanos;
    private volatile int activeStreams;
    /** The version both sides speak, from WELCOME (docs/protocol.md §7); 1 until then. */
    private volatile int protocolVersion = TunnelProtocol.MIN_VERSION;

    /** Set once {@link #drain} was called; readable from any thread. */
    private volatile boolean drainRequested;

    /**
     * Gateway side: the node left an OPEN unanswered past the open deadline and has sent nothing
     * since; cleared by the next frame it sends. Readable from any thread.
     */
    private volatile boolean suspect;

    // Confined to the event loop.
    private final IntObjectHashMap<TunnelStream> streams = new IntObjectHashMap<>();
    /** Streams that got DATA during the current read of the connection (event loop only). */
    private final ArrayList<TunnelStream> burst = new ArrayList<>();
    private int nextStreamId = 1;
    private int lastPeerStreamId;
    private boolean handshaken;
    private boolean established;
    private boolean helloSeen;
    private boolean draining;
    private boolean closed;
    private @Nullable String closeReason;
    private @Nullable ScheduledFuture<?> handshakeTimer;
    private @Nullable ScheduledFuture<?> livenessTimer;
    /** The period {@link #livenessTimer} runs at, in ms (gateway: the active or the idle tick). */
    private long livenessPeriodMillis;
    /**
     * When the peer last showed it is alive, {@link System#nanoTime()}: a frame read, or (gateway
     * side, while not reading it) our queued writes drained by it.
     */
    private long lastReadNanos = System.nanoTime();
    /** When the last PING was sent, {@link System#nanoTime()}. */
    private long lastPingNanos;
    /**
     * PING after this long without reading anything while idle, in ms: the settings' interval, or
     * on the node side the one the gateway asked for in WELCOME (docs/protocol.md §6).
     */
    private int idleHeartbeatMillis;
    /** Close after this long without reading anything while idle, in ms (scaled with {@link #idleHeartbeatMillis}). */
    private int idleDeadPeerMillis;
    /** When the session last became active (streams open or suspect); silence counts from then at most. */
    private long activeSinceNanos;

    private TunnelSession(Role role, TunnelSettings settings, @Nullable GatewayListener gl, @Nullable NodeListener nl,
            @Nullable Hello hello, @Nullable StreamAcceptor acceptor) {
        this.role = role;
        this.settings = settings;
        this.idleHeartbeatMillis = settings.heartbeatIntervalMillis();
        this.idleDeadPeerMillis = settings.deadPeerTimeoutMillis();
        this.gatewayListener = gl;
        this.nodeListener = nl;
        this.hello = hello;
        this.acceptor = acceptor;
    }

    /** A session for the gateway's end of an accepted agent connection. */
    public static TunnelSession gatewaySide(TunnelSettings settings, GatewayListener listener) {
        return new TunnelSession(Role.GATEWAY, settings, listener, null, null, null);
    }

    /** A session for the agent's end: sends {@code hello} once the WebSocket is up. */
    public static TunnelSession nodeSide(TunnelSettings settings, Hello hello, StreamAcceptor acceptor, NodeListener listener) {
        return new TunnelSession(Role.NODE, settings, null, listener, hello, acceptor);
    }

    /** The handler to put last in the pipeline, after the WebSocket codec ({@link TunnelPipeline} does it). */
    public ChannelHandler handler() {
        return handler;
    }

    /** The WebSocket channel; null before {@link #handler()} was added to a pipeline. */
    public @Nullable Channel channel() {
        ChannelHandlerContext c = ctx;
        return c == null ? null : c.channel();
    }

    TunnelSettings settings() {
        return settings;
    }

    ByteBufAllocator alloc() {
        ChannelHandlerContext c = ctx;
        return c == null ? ByteBufAllocator.DEFAULT : c.alloc();
    }

    /**
     * Gateway side: asks the node to connect a new stream to {@code host:port}.
     *
     * @param host an ASCII host name or IP literal (see {@link Payloads#isValidHost})
     * @return completes, on the session's event loop, with the open stream on OPEN_OK, or
     *     exceptionally with {@link OpenFailedException} on OPEN_FAIL, timeout or when the agent
     *     is draining, or {@link ClosedChannelException} when the session is closed
     * @throws IllegalArgumentException for an invalid host or port
     */
    public CompletableFuture<ByteStream> openStream(String host, int port) {
        if (role != Role.GATEWAY) {
            throw new IllegalStateException("only the gateway side opens streams");
        }
        if (!Payloads.isValidHost(host)) {
            throw new IllegalArgumentException("host: '" + host + "' (expected: 1-255 ASCII letters, digits, . : _ -)");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
        }
        CompletableFuture<ByteStream> future = new CompletableFuture<>();
        ChannelHandlerContext c = ctx;
        if (c == null) {
            future.completeExceptionally(new ClosedChannelException());
            return future;
        }
        c.executor().execute(() -> doOpen(host, port, future));
        return future;
    }

    /**
     * Gateway side: admits the node after its HELLO.
     *
     * @param welcome its version is the one this session speaks from now on: at most the agent's
     *     and {@link TunnelProtocol#VERSION}
     * @throws IllegalArgumentException if the version is outside
     *     {@link TunnelProtocol#MIN_VERSION}-{@link TunnelProtocol#VERSION}
     */
    public void welcome(Welcome welcome) {
        requireKnownVersion(welcome.protocolVersion());
        onLoop(() -> {
            if (closed || established) {
                return;
            }
            protocolVersion = welcome.protocolVersion();
            established = true;
            cancelHandshakeTimer();
            writeFrame(FrameType.WELCOME, 0, Payloads.encodeWelcome(alloc(), welcome));
            sendPing();
            startLivenessTimer();
        });
    }

    private static void requireKnownVersion(int version) {
        if (version < TunnelProtocol.MIN_VERSION || version > TunnelProtocol.VERSION) {
            throw new IllegalArgumentException("protocol version: " + version
                    + " (expected: " + TunnelProtocol.MIN_VERSION + "-" + TunnelProtocol.VERSION + ")");
        }
    }

    /** Gateway side: refuses the node after its HELLO and closes with {@code message}. */
    public void refuse(String message) {
        onLoop(() -> closeWithCode(TunnelProtocol.CLOSE_CODE_REFUSED, message));
    }

    /**
     * Gateway side: refuses the node after its HELLO because another live session serves the same
     * device id, closing with {@link TunnelProtocol#CLOSE_CODE_DUPLICATE_DEVICE} and {@code message}.
     */
    public void refuseDuplicateDevice(String message) {
        onLoop(() -> closeWithCode(TunnelProtocol.CLOSE_CODE_DUPLICATE_DEVICE, message));
    }

    /**
     * Gateway side: refuses the node after its HELLO because this gateway cannot take it now (full,
     * or admissions busy), closing with {@link TunnelProtocol#CLOSE_CODE_TRY_ELSEWHERE} and
     * {@code message}: the agent backs off and reconnects, elsewhere if it can.
     */
    public void refuseTryElsewhere(String message) {
        onLoop(() -> closeWithCode(TunnelProtocol.CLOSE_CODE_TRY_ELSEWHERE, message));
    }

    /**
     * True while the session's connection is up and the gateway has not asked it to drain: a
     * session that still serves its device. Cheap; any thread.
     */
    public boolean isServing() {
        return !drainRequested && isActive();
    }

    /** Gateway side: asks the agent to finish its streams and reconnect within {@code deadlineMillis}. */
    public void drain(int deadlineMillis) {
        drainRequested = true;
        onLoop(() -> {
            if (closed || draining) {
                return;
            }
            draining = true;
            writeFrame(FrameType.DRAIN, 0, Payloads.encodeInt(alloc(), deadlineMillis));
            flush();
        });
    }

    /**
     * Gateway side: true while the node is suspect of being frozen or cut off: it left an OPEN
     * unanswered past {@link TunnelSettings#openDeadlineMillis()} and has sent nothing since. New
     * streams should go elsewhere; the session closes if the node stays silent for
     * {@link TunnelSettings#activeDeadPeerTimeoutMillis()}. Cheap; any thread.
     */
    public boolean isSuspect() {
        return suspect;
    }

    /** The protocol version negotiated in HELLO/WELCOME; {@link TunnelProtocol#MIN_VERSION} before WELCOME. */
    public int protocolVersion() {
        return protocolVersion;
    }

    /** True if both sides speak FIN (protocol version 2 or later), so streams can half-close. */
    public boolean halfCloseNegotiated() {
        return protocolVersion >= TunnelProtocol.HALF_CLOSE_VERSION;
    }

    /** Streams currently open. */
    public int activeStreams() {
        return activeStreams;
    }

    /** Smoothed round-trip time measured by PING/PONG, in ns; 0 before the first PONG. */
    public long rttNanos() {
        return srttNanos;
    }

    /** Closes the session and every stream on it. */
    public void close() {
        ChannelHandlerContext c = ctx;
        if (c != null) {
            c.channel().close();
        }
    }

    // ------------------------------------------------------------------ event-loop internals

    private void onLoop(Runnable r) {
        ChannelHandlerContext c = ctx;
        if (c == null) {
            return;
        }
        if (c.executor().inEventLoop()) {
            r.run();
        } else {
            c.executor().execute(r);
        }
    }

    boolean isActive() {
        ChannelHandlerContext c = ctx;
        return !closed && c != null && c.channel().isActive();
    }

    void writeFrame(FrameType type, int streamId, ByteBuf payload) {
        ChannelHandlerContext c = ctx;
        if (c == null || closed) {
            payload.release();
            return;
        }
        c.write(new TunnelFrame(type, streamId, payload), c.voidPromise());
    }

    /** Whether the connection takes more writes without queueing (below its high-water mark). */
    boolean isChannelWritable() {
        ChannelHandlerContext c = ctx;
        return c != null && c.channel().isWritable();
    }

    void flush() {
        ChannelHandlerContext c = ctx;
        if (c != null) {
            c.flush();
        }
    }

    /** {@code s} got DATA during the current read; its handler hears the burst's end at read complete. */
    void burstDelivered(TunnelStream s) {
        burst.add(s);
    }

    /** Ends the current read's data bursts (handlers flush what they wrote). Event loop. */
    private void endBursts() {
        if (burst.isEmpty()) {
            return;
        }
        for (int i = 0; i < burst.size(); i++) {
            burst.get(i).endBurst();
        }
        burst.clear();
    }

    void removeStream(TunnelStream s) {
        if (streams.remove(s.id()) != null) {
            activeStreams = streams.size();
        }
    }

    private void doOpen(String host, int port, CompletableFuture<ByteStream> future) {
        if (closed) {
            future.completeExceptionally(new ClosedChannelException());
            return;
        }
        if (!established || draining) {
            future.completeExceptionally(new OpenFailedException(OpenFailure.UNAVAILABLE,
                    draining ? "node is draining" : "node not yet admitted"));
            return;
        }
        if (streams.size() >= settings.maxStreams()) {
            future.completeExceptionally(new OpenFailedException(OpenFailure.UNAVAILABLE,
                    "node has " + streams.size() + " streams (limit " + settings.maxStreams() + ")"));
            return;
        }
        ChannelHandlerContext c = ctx;
        TunnelStream stream = new TunnelStream(this, nextStreamId++, c.channel().eventLoop());
        stream.openFuture = future;
        long now = System.nanoTime();
        enterActive(now);
        streams.put(stream.id(), stream);
        activeStreams = streams.size();
        stream.setTimer(c.executor().schedule(() -> checkOpenDeadline(stream, now),
                settings.openDeadlineMillis(), TimeUnit.MILLISECONDS));
        writeFrame(FrameType.OPEN, stream.id(), Payloads.encodeOpen(alloc(), host, port));
        if (now - lastReadNanos >= TimeUnit.MILLISECONDS.toNanos(settings.activeHeartbeatIntervalMillis())
                && now - lastPingNanos >= TimeUnit.MILLISECONDS.toNanos(settings.activeHeartbeatIntervalMillis())) {
            // The node has been quiet: a PING beside the OPEN proves within the open deadline
            // that it is alive even when its answer to the OPEN takes longer (a slow target).
            sendPing();
        } else {
            flush();
        }
    }

    /**
     * The open deadline passed: a node that sent nothing at all since the OPEN is suspect and the
     * OPEN fails as {@link OpenFailure#UNAVAILABLE}, so the caller can use another node; a node
     * that did send something is alive and gets the rest of the open timeout.
     */
    private void checkOpenDeadline(TunnelStream stream, long openSentNanos) {
        if (!stream.isOpening()) {
            return;
        }
        if (lastReadNanos - openSentNanos < 0) {
            if (!suspect) {
                // Silence now counts from the OPEN at the active timings (see livenessTick).
                suspect = true;
                log.info("node on {} sent nothing for {} ms after an OPEN: suspect, no new streams",
                        remoteAddress(), settings.openDeadlineMillis());
            }
            failOpen(stream, OpenFailure.UNAVAILABLE, "node did not answer within " + settings.openDeadlineMillis() + " ms");
            return;
        }
        long rest = settings.openTimeoutMillis() - settings.openDeadlineMillis();
        if (rest <= 0) {
            failOpen(stream, OpenFailure.TIMEOUT, "node did not answer OPEN within " + settings.openTimeoutMillis() + " ms");
            return;
        }
        stream.setTimer(ctx.executor().schedule(() -> {
            if (stream.isOpening()) {
                failOpen(stream, OpenFailure.TIMEOUT, "node did not answer OPEN within " + settings.openTimeoutMillis() + " ms");
            }
        }, rest, TimeUnit.MILLISECONDS));
    }

    private void failOpen(TunnelStream stream, OpenFailure failure, String message) {
        CompletableFuture<ByteStream> f = stream.openFuture;
        stream.openFuture = null;
        stream.terminate("open timed out", true);
        if (f != null) {
            f.completeExceptionally(new OpenFailedException(failure, message));
        }
    }

    private @Nullable Object remoteAddress() {
        ChannelHandlerContext c = ctx;
        return c == null ? null : c.channel().remoteAddress();
    }

    /** Starts counting silence at the active (tighter) timings from {@code now}, unless already active. */
    private void enterActive(long now) {
        if (role == Role.GATEWAY && streams.isEmpty() && !suspect) {
            activeSinceNanos = now;
            ChannelHandlerContext c = ctx;
            if (livenessTimer != null && c != null && livenessPeriodMillis != activeTickMillis()) {
                // Needed now: tick at the active timings from this moment, not after the rest of an idle tick.
                scheduleLiveness(c, activeTickMillis());
            }
        }
    }

    /**
     * Runs every {@link #activeTickMillis()} (gateway, active) or {@link #idleTickMillis()} on the
     * event loop once the session is established (docs/protocol.md §6): PINGs a quiet peer and
     * closes a silent one. The gateway uses the
     * active timings while streams are open or the node is suspect, so a frozen node is closed
     * (and reported offline) within seconds under traffic instead of after the idle timeout.
     */
    private void livenessTick() {
        ChannelHandlerContext c = ctx;
        if (closed || c == null) {
            return;
        }
        long now = System.nanoTime();
        boolean active = role == Role.GATEWAY && (!streams.isEmpty() || suspect);
        long heardNanos = active && activeSinceNanos - lastReadNanos > 0 ? activeSinceNanos : lastReadNanos;
        long silentNanos = now - heardNanos;
        int deadMillis = active ? settings.activeDeadPeerTimeoutMillis() : idleDeadPeerMillis;
        int beatMillis = active ? settings.activeHeartbeatIntervalMillis() : idleHeartbeatMillis;
        if (silentNanos >= TimeUnit.MILLISECONDS.toNanos(deadMillis)) {
            closeReason = "peer silent for " + TimeUnit.NANOSECONDS.toMillis(silentNanos) + " ms"
                    + (active ? " with streams open" : "");
            log.info("closing tunnel to {}: {}", c.channel().remoteAddress(), closeReason);
            c.close();
            return;
        }
        if (silentNanos >= TimeUnit.MILLISECONDS.toNanos(beatMillis)
                && now - lastPingNanos >= TimeUnit.MILLISECONDS.toNanos(beatMillis)) {
            sendPing();
        }
        if (role == Role.GATEWAY && !active && livenessPeriodMillis != idleTickMillis()) {
            // Idle again: back to the idle tick (docs/scale.md#heartbeats).
            scheduleLiveness(c, idleTickMillis());
        }
    }

    /**
     * The liveness tick while the gateway needs the node (streams open or suspect), in ms: half the
     * active heartbeat interval, so the active timings are kept to within it.
     */
    private long activeTickMillis() {
        return Math.max(100, settings.activeHeartbeatIntervalMillis() / 2);
    }

    /**
     * The liveness tick of an idle session (both sides), in ms: a quarter of the idle heartbeat
     * interval. The gateway ticks this slowly while idle because it holds every node's timer: at
     * 100 000 nodes a 500 ms tick alone was 200 000 timer runs a second (docs/scale.md#heartbeats).
     */
    private long idleTickMillis() {
        return Math.max(100, idleHeartbeatMillis / 4);
    }

    /**
     * (Re)starts {@link #livenessTimer} at {@code periodMillis}, at a fixed rate on a grid of
     * {@link #TICK_GRID_NANOS} shared by every session: the ticks of thousands of sessions on one
     * event loop then fall due together and run in one wake-up instead of one each
     * (docs/scale.md#heartbeats). Event loop.
     */
    private void scheduleLiveness(ChannelHandlerContext c, long periodMillis) {
        ScheduledFuture<?> t = livenessTimer;
        if (t != null) {
            t.cancel(false);
        }
        livenessPeriodMillis = periodMillis;
        long period = TimeUnit.MILLISECONDS.toNanos(periodMillis);
        long toGrid = TICK_GRID_NANOS - Math.floorMod(System.nanoTime(), TICK_GRID_NANOS);
        livenessTimer = c.executor().scheduleAtFixedRate(this::livenessTick, period + toGrid, period, TimeUnit.NANOSECONDS);
    }

    /**
     * Node side: PINGs at the idle interval the gateway asked for in WELCOME, and gives up on a
     * silent gateway after the same multiple of it as the settings' (10 s / 25 s: 2.5 times). A
     * gateway that holds many idle nodes asks for a long interval (docs/scale.md#heartbeats);
     * agents before this ignored the field and PING every 10 s, which such a gateway still answers.
     */
    private void adoptHeartbeat(int intervalMillis) {
        idleHeartbeatMillis = intervalMillis;
        idleDeadPeerMillis = (int) Math.min(Integer.MAX_VALUE,
                (long) intervalMillis * settings.deadPeerTimeoutMillis() / settings.heartbeatIntervalMillis());
    }

    /** Any frame, or the peer draining our writes, proves it alive (docs/protocol.md §6). */
    private void heardFromPeer() {
        lastReadNanos = System.nanoTime();
        if (suspect) {
            suspect = false;
        }
    }

    private void startLivenessTimer() {
        ChannelHandlerContext c = ctx;
        if (c == null || livenessTimer != null) {
            return;
        }
        lastReadNanos = System.nanoTime();
        boolean active = role == Role.GATEWAY && (!streams.isEmpty() || suspect);
        scheduleLiveness(c, active ? activeTickMillis() : idleTickMillis());
    }

    private void sendPing() {
        lastPingNanos = System.nanoTime();
        writeFrame(FrameType.PING, 0, Payloads.encodeLong(alloc(), System.nanoTime()));
        flush();
    }

    private void closeWithCode(int code, String reason) {
        ChannelHandlerContext c = ctx;
        if (c == null || closed) {
            return;
        }
        closeReason = reason;
        String shortReason = reason.length() > 100 ? reason.substring(0, 100) : reason;
        c.writeAndFlush(new CloseWebSocketFrame(code, shortReason)).addListener(ChannelFutureListener.CLOSE);
    }

    private void cancelHandshakeTimer() {
        ScheduledFuture<?> t = handshakeTimer;
        if (t != null) {
            t.cancel(false);
            handshakeTimer = null;
        }
    }

    private void onHandshakeComplete() {
        if (handshaken) {
            return;
        }
        handshaken = true;
        ChannelHandlerContext c = ctx;
        TunnelPipeline.onHandshakeComplete(c);
        handshakeTimer = c.executor().schedule(() -> {
            if (!established && !closed) {
                closeWithCode(TunnelProtocol.CLOSE_CODE_PROTOCOL_ERROR,
                        (role == Role.GATEWAY ? "no HELLO" : "no WELCOME") + " within " + HANDSHAKE_TIMEOUT_MILLIS + " ms");
            }
        }, HANDSHAKE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        if (role == Role.NODE) {
            writeFrame(FrameType.HELLO, 0, Payloads.encodeHello(alloc(), hello));
            flush();
        }
    }

    private void dispatch(TunnelFrame f) {
        FrameType type = f.type();
        ByteBuf p = f.payload();
        if (role == Role.GATEWAY && !established && type != FrameType.HELLO) {
            // Before admission the gateway reads nothing but HELLO and writes nothing but WELCOME
            // or a close (docs/protocol.md §3): an unadmitted peer cannot make it do work.
            throw new TunnelProtocolException(type + " before the session was admitted (expected: HELLO only)");
        }
        switch (type) {
            case PING -> {
                writeFrame(FrameType.PONG, 0, Payloads.encodeLong(alloc(), p.readLong()));
                flush();
                return;
            }
            case PONG -> {
                long sample = System.nanoTime() - p.readLong();
                if (sample > 0 && sample < TimeUnit.MINUTES.toNanos(5)) {
                    long s = srttNanos;
                    srttNanos = s == 0 ? sample : (7 * s + sample) / 8;
                }
                return;
            }
            default -> { }
        }
        if (role == Role.GATEWAY) {
            dispatchAtGateway(type, f);
        } else {
            dispatchAtNode(type, f);
        }
    }

    private void dispatchAtGateway(FrameType type, TunnelFrame f) {
        if (type == FrameType.HELLO) {
            if (helloSeen) {
                throw new TunnelProtocolException("second HELLO");
            }
            helloSeen = true;
            gatewayListener.onHello(this, Payloads.decodeHello(f.payload()));
            return;
        }
        if (!established) {
            throw new TunnelProtocolException(type + " before the session was admitted");
        }
        switch (type) {
            case OPEN_OK -> {
                TunnelStream s = streams.get(f.streamId());
                if (s != null && s.isOpening()) {
                    s.opened();
                    CompletableFuture<ByteStream> fut = s.openFuture;
                    s.openFuture = null;
                    if (fut != null) {
                        fut.complete(s);
                    }
                }
            }
            case OPEN_FAIL -> {
                Payloads.OpenFail fail = Payloads.decodeOpenFail(f.payload());
                TunnelStream s = streams.get(f.streamId());
                if (s != null && s.isOpening()) {
                    CompletableFuture<ByteStream> fut = s.openFuture;
                    s.openFuture = null;
                    s.terminate(fail.message(), false);
                    if (fut != null) {
                        fut.completeExceptionally(new OpenFailedException(fail.reason(), fail.message()));
                    }
                }
            }
            case DATA, WINDOW, CLOSE, FIN -> dispatchStreamFrame(type, f);
            default -> throw new TunnelProtocolException(type + " is not sent by a node");
        }
    }

    private void dispatchAtNode(FrameType type, TunnelFrame f) {
        if (type == FrameType.WELCOME) {
            if (established) {
                throw new TunnelProtocolException("second WELCOME");
            }
            Welcome w = Payloads.decodeWelcome(f.payload());
            if (w.protocolVersion() < TunnelProtocol.MIN_VERSION || w.protocolVersion() > hello.protocolVersion()) {
                throw new TunnelProtocolException("WELCOME: protocol version " + w.protocolVersion()
                        + " (expected: " + TunnelProtocol.MIN_VERSION + "-" + hello.protocolVersion() + ")");
            }
            protocolVersion = w.protocolVersion();
            adoptHeartbeat(w.heartbeatIntervalMillis());
            established = true;
            cancelHandshakeTimer();
            sendPing();
            startLivenessTimer();
            nodeListener.onWelcome(this, w);
            return;
        }
        if (!established) {
            throw new TunnelProtocolException(type + " before WELCOME");
        }
        switch (type) {
            case OPEN -> onOpenRequest(f.streamId(), Payloads.decodeOpen(f.payload()));
            case DRAIN -> {
                int deadline = Payloads.decodeDrain(f.payload());
                draining = true;
                nodeListener.onDrain(this, deadline);
            }
            case DATA, WINDOW, CLOSE, FIN -> dispatchStreamFrame(type, f);
            default -> throw new TunnelProtocolException(type + " is not sent by a gateway");
        }
    }

    private void onOpenRequest(int id, Payloads.Open open) {
        if (id <= lastPeerStreamId) {
            throw new TunnelProtocolException("OPEN for stream " + id + " after stream " + lastPeerStreamId + " (ids must increase)");
        }
        lastPeerStreamId = id;
        if (streams.size() >= settings.maxStreams()) {
            writeFrame(FrameType.OPEN_FAIL, id, Payloads.encodeOpenFail(alloc(), OpenFailure.UNAVAILABLE,
                    "agent has " + streams.size() + " streams (limit " + settings.maxStreams() + ")"));
            flush();
            return;
        }
        ChannelHandlerContext c = ctx;
        TunnelStream stream = new TunnelStream(this, id, c.channel().eventLoop());
        streams.put(id, stream);
        activeStreams = streams.size();
        acceptor.onOpen(stream, open.host(), open.port(), new Reply(stream));
    }

    private void dispatchStreamFrame(FrameType type, TunnelFrame f) {
        if (type == FrameType.FIN && !halfCloseNegotiated()) {
            throw new TunnelProtocolException("FIN in a protocol version " + protocolVersion + " session (expected: version "
                    + TunnelProtocol.HALF_CLOSE_VERSION + " or later)");
        }
        TunnelStream s = streams.get(f.streamId());
        if (s == null) {
            // A frame for a stream this side already closed: it crossed our CLOSE in flight.
            return;
        }
        switch (type) {
            case DATA -> s.onData(f.payload().retain());
            case WINDOW -> s.onWindow(Payloads.decodeWindow(f.payload()));
            case CLOSE -> s.onPeerClose(Payloads.decodeClose(f.payload()).error());
            case FIN -> s.onFin();
            default -> throw new IllegalStateException(type.toString());
        }
    }

    private void onChannelClosed() {
        if (closed) {
            return;
        }
        closed = true;
        cancelHandshakeTimer();
        if (livenessTimer != null) {
            livenessTimer.cancel(false);
            livenessTimer = null;
        }
        String reason = closeReason == null ? "tunnel closed" : closeReason;
        for (TunnelStream s : new ArrayList<>(streams.values())) {
            CompletableFuture<ByteStream> fut = s.openFuture;
            s.openFuture = null;
            s.terminate(reason, false);
            if (fut != null) {
                fut.completeExceptionally(new ClosedChannelException());
            }
        }
        streams.clear();
        activeStreams = 0;
        if (role == Role.GATEWAY) {
            gatewayListener.onClosed(this);
        } else {
            nodeListener.onClosed(this, reason);
        }
    }

    /** Node side: the acceptor's answer to one OPEN. */
    private final class Reply implements StreamAcceptor.OpenReply {
        private final TunnelStream stream;
        private final AtomicBoolean answered = new AtomicBoolean();

        Reply(TunnelStream stream) {
            this.stream = stream;
        }

        @Override
        public void accept() {
            if (answered.compareAndSet(false, true)) {
                onLoop(() -> {
                    if (stream.isOpening() && stream.isOpen()) {
                        stream.opened();
                        writeFrame(FrameType.OPEN_OK, stream.id(), Unpooled.EMPTY_BUFFER);
                        flush();
                    }
                });
            }
        }

        @Override
        public void reject(OpenFailure reason, String message) {
            if (answered.compareAndSet(false, true)) {
                onLoop(() -> {
                    if (stream.isOpen()) {
                        // Reason 7 is new in version 2 (docs/protocol.md §4.4).
                        OpenFailure wire = reason == OpenFailure.DNS_SERVER_FAILURE && !halfCloseNegotiated()
                                ? OpenFailure.DNS_FAILURE : reason;
                        writeFrame(FrameType.OPEN_FAIL, stream.id(), Payloads.encodeOpenFail(alloc(), wire, message));
                        flush();
                        stream.terminate(message, false);
                    }
                });
            }
        }
    }

    /** The pipeline handler: last in the pipeline, after the frame codec and the idle-state handler. */
    private final class SessionHandler extends ChannelInboundHandlerAdapter {

        @Override
        public void handlerAdded(ChannelHandlerContext c) {
            ctx = c;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext c, Object evt) throws Exception {
            if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE
                    || evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                onHandshakeComplete();
            }
            super.userEventTriggered(c, evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext c, Object msg) {
            heardFromPeer();
            if (msg instanceof CloseWebSocketFrame close) {
                closeReason = close.reasonText().isEmpty() ? "closed by peer (" + close.statusCode() + ")" : close.reasonText();
                close.release();
                c.close();
                return;
            }
            if (!(msg instanceof TunnelFrame frame)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            try {
                if (!closed) {
                    dispatch(frame);
                }
            } finally {
                frame.release();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext c) {
            // Gateway side: never buffer for a peer that does not read. A peer that sends (PINGs,
            // DATA) while leaving our answers unread is not read from until it catches up. The
            // agent side keeps reading, so the two ends can never both stop.
            endBursts();
            if (role == Role.GATEWAY && !c.channel().isWritable()) {
                c.channel().config().setAutoRead(false);
            }
            c.fireChannelReadComplete();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext c) {
            if (c.channel().isWritable()) {
                // The peer read what was queued for it: alive, though we may not be reading it.
                heardFromPeer();
                if (role == Role.GATEWAY && !c.channel().config().isAutoRead()) {
                    c.channel().config().setAutoRead(true);
                }
                for (TunnelStream s : new ArrayList<>(streams.values())) {
                    s.onChannelWritable();
                }
            }
            c.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext c) throws Exception {
            endBursts();
            onChannelClosed();
            super.channelInactive(c);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
            Throwable root = cause;
            while (root.getCause() != null && !(root instanceof TunnelProtocolException)) {
                root = root.getCause();
            }
            if (root instanceof TunnelProtocolException pe) {
                log.warn("tunnel protocol error from {}: {}", c.channel().remoteAddress(), pe.getMessage());
                closeWithCode(TunnelProtocol.CLOSE_CODE_PROTOCOL_ERROR, pe.getMessage());
            } else {
                log.debug("tunnel error on {}", c.channel().remoteAddress(), cause);
                closeReason = String.valueOf(cause.getMessage());
                c.close();
            }
        }
    }
}
