package io.iploop.server.plans.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.limits.AccountLimiter;
import io.iploop.gateway.limits.Limits;
import io.iploop.gateway.routing.Targeting;
import io.iploop.gateway.spi.AccountLimits;
import io.iploop.gateway.spi.PremiumTargeting;
import io.iploop.gateway.spi.SharedLimitCounters;
import io.iploop.gateway.spi.SubUserLimitsProvider;
import io.iploop.gateway.spi.TargetingOption;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two gateways' {@link Limits} sharing counts through the real Redis on localhost:6379
 * (docs/deploy.md#shared-limits): a 10-connection plan gets its 11th connection refused on either
 * gateway, requests per second and per day hold across both, and the slots of a gateway that stops
 * reporting (killed) count again after the TTL.
 */
class SharedLimitsIT {

    final String prefix = "iploop-it-" + UUID.randomUUID() + ":";
    final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    RedisSharedLimitCounters redisA = new RedisSharedLimitCounters("redis://localhost:6379", prefix);
    RedisSharedLimitCounters redisB = new RedisSharedLimitCounters("redis://localhost:6379", prefix);
    Limits a;
    Limits b;

    @AfterEach
    void close() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        redisA.close();
        redisB.close();
        executor.shutdownNow();
    }

    Limits gateway(RedisSharedLimitCounters redis, AccountLimits plan) {
        return new Limits(u -> plan, SubUserLimitsProvider.UNLIMITED, PremiumTargeting.NONE, redis, executor,
                Clock.systemUTC(), Duration.ofSeconds(2));
    }

    /**
     * Waits until the cluster's counts, as a third, probing gateway sees them, match.
     */
    void awaitCluster(String scope, java.util.function.Predicate<SharedLimitCounters.Totals> condition)
            throws InterruptedException {
        SharedLimitCounters.Report probe = new SharedLimitCounters.Report(scope, 0,
                System.currentTimeMillis() / 1000, 0, System.currentTimeMillis() / 86_400_000L, 0, 1000);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> condition.test(
                redisB.exchange("probe", java.util.List.of(probe)).toCompletableFuture().get(2, TimeUnit.SECONDS).get(0)));
    }

    /** Both gateways exchange their counts now, in turn, so each knows the other's. */
    void exchange() {
        for (int i = 0; i < 2; i++) {
            if (a != null) {
                a.exchangeWithClusterNow();
            }
            b.exchangeWithClusterNow();
        }
    }

    static AccountLimits plan(int perSecond, long perDay, int concurrent) {
        return new AccountLimits(perSecond, perDay, concurrent, AccountLimits.UNLIMITED_BYTES, true, 0,
                EnumSet.allOf(TargetingOption.class));
    }

    @Test
    void theEleventhConnectionIsRefusedOnEitherGatewayAndADeadGatewaysSlotsExpire() throws Exception {
        UUID account = UUID.randomUUID();
        a = gateway(redisA, plan(0, 0, 10));
        b = gateway(redisB, plan(0, 0, 10));
        AccountLimiter onA = a.limiter(account).get(30, TimeUnit.SECONDS);
        for (int i = 0; i < 6; i++) {
            assertThat(onA.tryAcquire()).as("connection %d on A", i + 1).isTrue();
        }
        exchange();
        awaitCluster("a:" + account, t -> t.othersOpen() == 6); // A reported its six
        AccountLimiter onB = b.limiter(account).get(30, TimeUnit.SECONDS);
        for (int i = 0; i < 4; i++) {
            assertThat(onB.tryAcquire()).as("connection %d on B", i + 7).isTrue();
        }
        assertThat(onB.tryAcquire()).as("11th on B").isFalse();
        exchange();
        awaitCluster("a:" + account, t -> t.othersOpen() == 10);
        assertThat(onA.tryAcquire()).as("11th on A").isFalse();

        onB.release();
        exchange();
        assertThat(onA.tryAcquire()).as("the released slot, on A").isTrue();
        exchange();
        awaitCluster("a:" + account, t -> t.othersOpen() == 10);
        assertThat(onB.tryAcquire()).as("B full again").isFalse();

        // A dies without giving its seven slots back: they count until their TTL runs out.
        a.close();
        a = null;
        redisA.close();
        assertThat(onB.tryAcquire()).isFalse();
        await().atMost(Duration.ofSeconds(25)).pollInterval(Duration.ofMillis(200)).until(onB::tryAcquire);
    }

    @Test
    void requestsPerSecondAndPerDayHoldAcrossGateways() throws Exception {
        UUID account = UUID.randomUUID();
        a = gateway(redisA, plan(0, 30, 0));
        b = gateway(redisB, plan(0, 30, 0));
        AccountLimiter onA = a.limiter(account).get(30, TimeUnit.SECONDS);
        AccountLimiter onB = b.limiter(account).get(30, TimeUnit.SECONDS);
        int admitted = 0;
        for (int i = 0; i < 20; i++) {
            admitted += onA.admit(Targeting.NONE) == null ? 1 : 0;
        }
        exchange();
        awaitCluster("a:" + account, t -> t.dayTotal() == 20);
        for (int i = 0; i < 20; i++) {
            admitted += onB.admit(Targeting.NONE) == null ? 1 : 0;
        }
        exchange();
        awaitCluster("a:" + account, t -> t.dayTotal() == 30);
        for (int i = 0; i < 5; i++) {
            admitted += onA.admit(Targeting.NONE) == null ? 1 : 0;
        }
        assertThat(admitted).as("30 requests a day across both gateways").isEqualTo(30);

        UUID other = UUID.randomUUID();
        a.close();
        b.close();
        a = gateway(redisA, plan(10, 0, 0));
        b = gateway(redisB, plan(10, 0, 0));
        AccountLimiter rA = a.limiter(other).get(30, TimeUnit.SECONDS);
        AccountLimiter rB = b.limiter(other).get(30, TimeUnit.SECONDS);
        // At the start of a fresh second: A takes 10, B learns it and takes none in the same second.
        long ms = System.currentTimeMillis() % 1000;
        Thread.sleep(1000 - ms + 20);
        int inSecond = 0;
        for (int i = 0; i < 10; i++) {
            inSecond += rA.admit(Targeting.NONE) == null ? 1 : 0;
        }
        a.exchangeWithClusterNow();
        b.exchangeWithClusterNow();
        if (System.currentTimeMillis() % 1000 < 300) {
            return; // the second turned over while waiting (a slow machine): nothing to check in this one
        }
        for (int i = 0; i < 10; i++) {
            inSecond += rB.admit(Targeting.NONE) == null ? 1 : 0;
        }
        assertThat(inSecond).as("10 requests per second across both gateways").isEqualTo(10);
    }
}
