package io.iploop.gateway.testing;

import io.iploop.gateway.GatewayConfig;
import io.iploop.gateway.TestSupport.InMemoryAuthenticator;
import io.iploop.gateway.TestSupport.RecordingUsageSink;
import io.iploop.gateway.auth.ProxyAuthCache;
import io.iploop.gateway.exit.ExitConnector;
import io.iploop.gateway.exit.ExitException;
import io.iploop.gateway.http.HttpProxyServerInitializer;
import io.iploop.gateway.limits.Limits;
import io.iploop.gateway.metering.GatewayMetrics;
import io.iploop.gateway.metering.UsageBatcher;
import io.iploop.gateway.proxy.ConnectionCaps;
import io.iploop.gateway.proxy.ProxyServices;
import io.iploop.gateway.socks.Socks5ProxyServerInitializer;
import io.iploop.gateway.spi.LimitsProvider;
import io.iploop.gateway.spi.UsageRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The customer listeners' pipelines on {@link EmbeddedChannel}s, with real gateway parts (auth
 * cache, plan limits, usage batching) around an in-memory authenticator and an exit connector
 * that always fails ({@code CONNECT_FAILED}), so every request ends in an answer and a close.
 * Time is frozen: deadlines pass only with {@link #advance}. Inputs are tracked so tests can
 * assert every buffer was released. Not thread-safe.
 */
public final class EmbeddedProxy implements AutoCloseable {

    /** The handshake / request-head deadline of these pipelines, in ms. */
    public static final long DEADLINE_MILLIS = 10_000;

    public final RecordingUsageSink sink = new RecordingUsageSink();
    public final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    public final ProxyServices services;
    private final Limits limits;
    private final UsageBatcher usage;
    private final List<ByteBuf> inputs = new ArrayList<>();

    /** With a direct executor for credential checks. */
    public EmbeddedProxy() {
        this(Runnable::run);
    }

    /** @param authExecutor runs credential checks (a rejecting one plays an overloaded gateway) */
    public EmbeddedProxy(Executor authExecutor) {
        this(authExecutor, request -> CompletableFuture.failedFuture(
                new ExitException(ExitException.Failure.CONNECT_FAILED, "refused (test)")));
    }

    public EmbeddedProxy(Executor authExecutor, ExitConnector exits) {
        GatewayMetrics metrics = new GatewayMetrics(meters);
        limits = new Limits(LimitsProvider.UNLIMITED, Runnable::run, Clock.systemUTC(), Duration.ofHours(1));
        usage = new UsageBatcher(sink, Duration.ofMillis(50), meters);
        usage.start();
        GatewayConfig config = GatewayConfig.forTests();
        services = new ProxyServices(new ProxyAuthCache(new InMemoryAuthenticator(), Duration.ofSeconds(5), authExecutor),
                limits, exits, usage, metrics, new DefaultChannelGroup(GlobalEventExecutor.INSTANCE), new AtomicLong(),
                DEADLINE_MILLIS, 120_000, 60_000,
                new ConnectionCaps(config.maxConnectionsPerIp(), config.maxConnections(), metrics));
    }

    /** A fresh HTTP proxy pipeline, active, time frozen. */
    public EmbeddedChannel http() {
        return embedded(new HttpProxyServerInitializer(services));
    }

    /** A fresh SOCKS5 pipeline, active, time frozen. */
    public EmbeddedChannel socks() {
        return embedded(new Socks5ProxyServerInitializer(services));
    }

    /** Freezes time before the pipeline exists, so its timers start on the frozen clock. */
    private static EmbeddedChannel embedded(ChannelHandler initializer) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast(initializer);
        ch.pipeline().fireChannelActive();
        settle(ch);
        return ch;
    }

    /** Feeds {@code bytes} in one buffer, then runs what it scheduled for now. */
    public void send(EmbeddedChannel ch, byte[] bytes) {
        if (bytes.length == 0) {
            settle(ch);
            return;
        }
        ByteBuf b = Unpooled.copiedBuffer(bytes);
        inputs.add(b);
        if (ch.isOpen()) {
            ch.writeInbound(b);
        } else {
            b.release();
        }
        settle(ch);
    }

    public void send(EmbeddedChannel ch, String ascii) {
        send(ch, ascii.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Feeds {@code bytes} one byte per read. */
    public void sendByteByByte(EmbeddedChannel ch, byte[] bytes) {
        for (byte b : bytes) {
            send(ch, new byte[] {b});
        }
    }

    /** Lets {@code millis} pass on the channel's clock and runs what became due. */
    public void advance(EmbeddedChannel ch, long millis) {
        ch.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        settle(ch);
    }

    private static void settle(EmbeddedChannel ch) {
        for (int i = 0; i < 5; i++) {
            ch.runPendingTasks();
            ch.runScheduledPendingTasks();
        }
    }

    /** Everything the pipeline wrote so far, as one byte array (the written buffers are released). */
    public static byte[] written(EmbeddedChannel ch) {
        List<Byte> out = new ArrayList<>();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            try {
                while (b.isReadable()) {
                    out.add(b.readByte());
                }
            } finally {
                b.release();
            }
        }
        byte[] bytes = new byte[out.size()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = out.get(i);
        }
        return bytes;
    }

    public static String writtenText(EmbeddedChannel ch) {
        return new String(written(ch), StandardCharsets.ISO_8859_1);
    }

    /** Input buffers not yet released by the pipeline (expected: none once it closed). */
    public List<ByteBuf> unreleasedInputs() {
        return inputs.stream().filter(b -> b.refCnt() > 0).toList();
    }

    /** The usage records written so far (flushes first). */
    public List<UsageRecord> records() {
        usage.close();
        return sink.records;
    }

    /** Meter value of {@code iploop.gateway.errors} for {@code cause}. */
    public double errors(String cause) {
        return meters.get("iploop.gateway.errors").tag("cause", cause).counter().count();
    }

    @Override
    public void close() {
        usage.close();
        limits.close();
    }
}
