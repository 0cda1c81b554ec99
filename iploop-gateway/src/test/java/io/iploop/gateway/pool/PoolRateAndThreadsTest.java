package io.iploop.gateway.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.gateway.spi.AccountLimits;
import io.iploop.gateway.spi.PoolGrant;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The pool's counters and rates without sockets: threads, the strike clock, GCRA rates. */
class PoolRateAndThreadsTest {

    @Test
    void threadsAreRefusedAtTheLimitAndZeroIsUnlimited() {
        PoolThreads t = new PoolThreads();
        for (int i = 0; i < 10; i++) {
            assertThat(t.tryAcquire(10)).isTrue();
        }
        assertThat(t.tryAcquire(10)).isFalse();
        assertThat(t.held()).isEqualTo(10);
        assertThat(t.release()).isEqualTo(9);
        assertThat(t.tryAcquire(10)).isTrue();
        assertThat(t.tryAcquire(0)).isTrue();
    }

    @Test
    void theStrikeClockRunsOnlyWhileTheAccountStaysAtItsLimit() {
        PoolAccount a = new PoolAccount(UUID.randomUUID());
        a.update(new PoolGrant(List.of(), 2, 0, 0, 0, 0, 0, AccountLimits.UNLIMITED_BYTES, null));
        Duration after = Duration.ofMinutes(15);
        assertThat(a.tryAcquireThread(2)).isTrue();
        assertThat(a.tryAcquireThread(2)).isTrue();
        assertThat(a.tryAcquireThread(2)).isFalse();
        assertThat(a.overLimit(0, after)).isFalse(); // starts the clock
        assertThat(a.strikeDue(after.toMillis() - 1, after)).isFalse();
        assertThat(a.strikeDue(after.toMillis(), after)).isTrue();
        a.releaseThread(); // below the limit: the clock stops
        assertThat(a.strikeDue(after.toMillis() * 2, after)).isFalse();
        assertThat(a.tryAcquireThread(2)).isTrue();
        assertThat(a.overLimit(after.toMillis() * 2, after)).isFalse(); // a new clock
        a.lockOut(1000);
        assertThat(a.lockedUntil(999)).isNotNull();
        assertThat(a.lockedUntil(1000)).isNull();
    }

    @Test
    void requestRateAllowsABurstOfOneSecondThenRefusesWithTheWait() {
        PoolRate r = new PoolRate(10, 1_000_000_000L);
        long now = 1_000_000_000_000L;
        int allowed = 0;
        while (r.tryAcquire(1, now) == 0) {
            allowed++;
        }
        assertThat(allowed).isBetween(10, 11);
        long wait = r.tryAcquire(1, now);
        assertThat(wait).isBetween(1L, 100_000_000L);
        assertThat(r.tryAcquire(1, now + wait)).isZero();
    }

    @Test
    void shapingReservesAndTellsHowLongToWait() {
        PoolRate r = new PoolRate(1_000_000, 50_000_000L); // 1 MB/s, 50 ms burst
        long now = 5_000_000_000L;
        assertThat(r.reserve(50_000, now)).isZero();
        // 1 MB more is a second at the rate, minus the burst.
        assertThat(r.reserve(1_000_000, now)).isEqualTo(1_000_000_000L);
    }

    @Test
    void quotaCountsPendingBytesUntilTheyAreWritten() {
        PoolAccount a = new PoolAccount(UUID.randomUUID());
        a.update(new PoolGrant(List.of(), 0, 0, 0, 0, 0, 0, 1000, null));
        a.carried(999);
        assertThat(a.quotaExhausted()).isFalse();
        a.carried(1);
        assertThat(a.quotaExhausted()).isTrue();
        a.persisted(500); // written: the control plane's next remainingBytes accounts for them
        assertThat(a.quotaExhausted()).isFalse();
    }
}
