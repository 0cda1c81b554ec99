package io.iploop.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.gateway.limits.AccountLimiter;
import io.iploop.gateway.limits.Limits;
import io.iploop.gateway.limits.SubUserLimiter;
import io.iploop.gateway.metering.GatewayMetrics;
import io.iploop.gateway.metering.UsageBatcher;
import io.iploop.gateway.routing.Targeting;
import io.iploop.gateway.spi.AccountLimits;
import io.iploop.gateway.spi.SubUserLimits;
import io.iploop.gateway.spi.TargetingOption;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetAddress;
import java.nio.channels.ClosedChannelException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The byte budget spent by writes to a customer socket (docs/architecture.md, "Metering"): bytes
 * the relay queues faster than the socket drains never carry a download past the budget, a write
 * that fails gives its bytes back, and never to another account.
 */
class QueuedWriteBudgetTest {

    private static final long BUDGET = 100_000;
    private static final int CHUNK = 16 * 1024;
    private static final UUID ACCOUNT = UUID.randomUUID();
    private static final UUID OTHER_ACCOUNT = UUID.randomUUID();
    private static final UUID SUB_USER = UUID.randomUUID();

    private Limits limits;
    private UsageBatcher usage;
    private AccountLimiter account;
    private ProxyConnection connection;
    private EmbeddedChannel channel;

    @BeforeEach
    void start() {
        AccountLimits plan = new AccountLimits(0, 0, 0, BUDGET, true, 0, EnumSet.allOf(TargetingOption.class));
        AccountLimits larger = new AccountLimits(0, 0, 0, 10 * BUDGET, true, 0, EnumSet.allOf(TargetingOption.class));
        Map<UUID, SubUserLimits> subUsers = Map.of(SUB_USER, new SubUserLimits(BUDGET / 2, 0, 0, Set.of(), true));
        limits = new Limits(userId -> userId.equals(ACCOUNT) ? plan : larger, subUsers::get, Runnable::run,
                Clock.systemUTC(), Duration.ofHours(1));
        usage = new UsageBatcher(batch -> {}, Duration.ofSeconds(1), new SimpleMeterRegistry());
        account = limits.limiter(ACCOUNT).join();
        connection = new ProxyConnection(1, "http", InetAddress.getLoopbackAddress());
        channel = new EmbeddedChannel(new ProxyServerMeteringHandler(connection,
                new GatewayMetrics(new SimpleMeterRegistry())));
    }

    @AfterEach
    void stop() {
        channel.finishAndReleaseAll();
        usage.close();
        limits.close();
    }

    private void admit(AccountLimiter limiter, @Nullable SubUserLimiter sub) {
        assertThat(ProxyAuthentication.admit(connection, limiter, sub, Targeting.NONE, usage)).isNull();
    }

    /** Queues {@code count} chunks without flushing, as a relay does while the socket is not writable. */
    private List<ChannelFuture> queue(int count) {
        List<ChannelFuture> writes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            writes.add(channel.write(Unpooled.wrappedBuffer(new byte[CHUNK])));
        }
        return writes;
    }

    private long bytesSent() {
        long n = 0;
        for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
            n += b.readableBytes();
            b.release();
        }
        return n;
    }

    @Test
    void aDownloadQueuedFasterThanTheSocketDrainsStopsAtTheBudget() {
        admit(account, null);
        List<ChannelFuture> writes = queue(20);
        channel.flush();

        long sent = bytesSent();
        assertThat(sent).as("bytes that reached the customer").isEqualTo(BUDGET);
        assertThat(channel.isOpen()).as("the connection is cut").isFalse();
        assertThat(connection.bytesWritten()).as("metered").isEqualTo(BUDGET);
        assertThat(account.remainingBytes()).as("spent exactly: what was refused is not").isZero();
        assertThat(writes.getLast().cause()).isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void aSubUsersBudgetStopsTheDownloadAtItsOwnLimit() {
        SubUserLimiter sub = limits.subUserLimiter(SUB_USER).join();
        admit(account, sub);
        queue(20);
        channel.flush();

        long sent = bytesSent();
        assertThat(sent).isEqualTo(BUDGET / 2);
        assertThat(channel.isOpen()).isFalse();
        assertThat(sub.remainingBytes()).isZero();
        assertThat(account.remainingBytes()).as("the account pays for its sub-user's bytes, no more").isEqualTo(BUDGET / 2);
    }

    @Test
    void writesThatNeverReachTheSocketGiveTheirBytesBack() {
        admit(account, null);
        queue(3);
        assertThat(account.remainingBytes()).as("queued bytes are spent before they are sent").isEqualTo(BUDGET - 3 * CHUNK);

        channel.close();

        assertThat(bytesSent()).isZero();
        assertThat(connection.bytesWritten()).isZero();
        assertThat(account.remainingBytes()).isEqualTo(BUDGET);
    }

    @Test
    void aFailedWriteIsNeverRefundedToTheAccountThatTookTheConnectionOver() {
        admit(account, null);
        queue(3);
        // A kept-alive connection's next request comes with another account's credentials.
        AccountLimiter other = limits.limiter(OTHER_ACCOUNT).join();
        admit(other, null);

        channel.close();

        assertThat(other.remainingBytes()).isEqualTo(10 * BUDGET);
        assertThat(account.remainingBytes()).as("kept spent: conservative, never given to another account")
                .isEqualTo(BUDGET - 3 * CHUNK);
    }
}
