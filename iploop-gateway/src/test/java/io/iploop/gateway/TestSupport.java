package io.iploop.gateway;

import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.iploop.gateway.spi.AuthResult;
import io.iploop.gateway.spi.CustomerPrincipal;
import io.iploop.gateway.spi.KeyHashes;
import io.iploop.gateway.spi.ProxyAuthenticator;
import io.iploop.gateway.spi.UsageRecord;
import io.iploop.gateway.spi.UsageSink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.LoggerFactory;

/** Shared test fixtures: an in-memory authenticator, a recording usage sink, a leak watcher, the wait for an idle gateway. */
public final class TestSupport {

    public static final String CUSTOMER = "c_test01";
    public static final String KEY = "iploop_" + "0123456789abcdef".repeat(3);
    public static final CustomerPrincipal PRINCIPAL =
            new CustomerPrincipal(UUID.randomUUID(), CUSTOMER, UUID.randomUUID());

    private TestSupport() {}

    /**
     * Before a test that counts usage records: waits (up to 10 s) until {@code gateway} has no
     * active stream, then 600 ms more so the records of the previous test's connections have
     * arrived (a flush interval or two), and empties {@code sink}.
     */
    public static void awaitIdleAndClear(Gateway gateway, RecordingUsageSink sink) throws InterruptedException {
        await().atMost(Duration.ofSeconds(10)).until(
                () -> gateway.meterRegistry().get("iploop.gateway.streams.active").gauge().value() == 0);
        Thread.sleep(600);
        sink.records.clear();
    }

    /** Accepts {@link #CUSTOMER} with {@link #KEY}; counts calls. Thread-safe. */
    public static final class InMemoryAuthenticator implements ProxyAuthenticator {
        private final Map<String, CustomerPrincipal> byKeyHash =
                Map.of(CUSTOMER + ":" + KeyHashes.sha256Hex(KEY), PRINCIPAL);
        public final AtomicInteger calls = new AtomicInteger();

        @Override
        public CompletionStage<AuthResult> authenticate(String customerId, String apiKeySha256Hex, InetAddress clientAddress) {
            calls.incrementAndGet();
            CustomerPrincipal p = byKeyHash.get(customerId + ":" + apiKeySha256Hex);
            return CompletableFuture.completedFuture(p == null
                    ? new AuthResult.Rejected(AuthResult.RejectReason.BAD_CREDENTIALS, "unknown customer or key")
                    : new AuthResult.Accepted(p));
        }
    }

    /** Keeps every written record. Thread-safe. */
    public static final class RecordingUsageSink implements UsageSink {
        public final List<UsageRecord> records = new CopyOnWriteArrayList<>();
        public final AtomicInteger batches = new AtomicInteger();
        public volatile int failNext;

        @Override
        public void write(List<UsageRecord> batch) throws Exception {
            if (failNext > 0) {
                failNext--;
                throw new Exception("sink down (test)");
            }
            batches.incrementAndGet();
            records.addAll(batch);
        }
    }

    /** Collects Netty "LEAK:" reports. */
    public static final class LeakWatcher extends AppenderBase<ILoggingEvent> {
        private final List<String> leaks = new CopyOnWriteArrayList<>();

        public static LeakWatcher install() {
            LeakWatcher w = new LeakWatcher();
            Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            w.setContext(root.getLoggerContext());
            w.start();
            root.addAppender(w);
            return w;
        }

        @Override
        protected void append(ILoggingEvent e) {
            if (e.getFormattedMessage().contains("LEAK:")) {
                leaks.add(e.getFormattedMessage());
            }
        }

        /** Forces leak detection to run and returns the reports. */
        public List<String> collect() throws InterruptedException {
            for (int i = 0; i < 5; i++) {
                System.gc();
                Thread.sleep(50);
                List<ByteBuf> bufs = new ArrayList<>();
                for (int j = 0; j < 50; j++) {
                    bufs.add(PooledByteBufAllocator.DEFAULT.buffer(16));
                    bufs.add(UnpooledByteBufAllocator.DEFAULT.buffer(16));
                }
                bufs.forEach(ByteBuf::release);
            }
            return List.copyOf(leaks);
        }

        public void uninstall() {
            Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            root.detachAppender(this);
            stop();
        }
    }
}
