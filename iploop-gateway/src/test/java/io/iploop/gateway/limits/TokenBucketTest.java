package io.iploop.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TokenBucketTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void aFullBucketAllowsOneSecondsWorthThenRefillsAtTheRate() {
        TokenBucket b = new TokenBucket(4, 0);
        for (int i = 0; i < 4; i++) {
            assertThat(b.tryTake(0)).isZero();
        }
        assertThat(b.tryTake(0)).isEqualTo(SECOND / 4);
        assertThat(b.tryTake(SECOND / 4)).isZero();
        assertThat(b.tryTake(SECOND / 4)).isPositive();
    }

    @Test
    void idleTimeNeverFillsBeyondCapacity() {
        TokenBucket b = new TokenBucket(2, 0);
        assertThat(b.tryTake(100 * SECOND)).isZero();
        assertThat(b.tryTake(100 * SECOND)).isZero();
        assertThat(b.tryTake(100 * SECOND)).isPositive();
    }

    @Test
    void rejectsANonPositiveRate() {
        assertThatThrownBy(() -> new TokenBucket(0, 0)).hasMessageContaining("ratePerSecond: 0 (expected: > 0)");
    }
}
