package io.iploop.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.LongSummaryStatistics;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ReconnectBackoffTest {

    private final ReconnectBackoff backoff = new ReconnectBackoff(
            Duration.ofSeconds(1), Duration.ofSeconds(60), new SplittableRandom(42));

    @Test
    void aDuplicateDeviceWaitsMinutesNotTheNormalBackoff() {
        for (int i = 0; i < 200; i++) {
            assertThat(backoff.duplicateDelayMillis()).isBetween(270_000L, 300_000L);
        }
        assertThat(backoff.attempt()).as("does not advance the ordinary backoff").isZero();
        assertThatThrownBy(() -> new ReconnectBackoff(Duration.ofSeconds(1), Duration.ofSeconds(60),
                Duration.ofSeconds(30), new SplittableRandom())).hasMessageContaining("duplicateDelay");
    }

    @Test
    void ceilingDoublesFromTheBaseUpToTheCap() {
        assertThat(backoff.ceilingMillis(0)).isEqualTo(1_000);
        assertThat(backoff.ceilingMillis(1)).isEqualTo(2_000);
        assertThat(backoff.ceilingMillis(2)).isEqualTo(4_000);
        assertThat(backoff.ceilingMillis(5)).isEqualTo(32_000);
        assertThat(backoff.ceilingMillis(6)).isEqualTo(60_000);
        assertThat(backoff.ceilingMillis(1_000)).isEqualTo(60_000);
        assertThat(backoff.ceilingMillis(Integer.MAX_VALUE)).isEqualTo(60_000);
    }

    @Test
    void delaysStayWithinZeroAndTheCeilingOfTheirAttempt() {
        for (int attempt = 0; attempt < 100; attempt++) {
            long ceiling = backoff.ceilingMillis(attempt);
            assertThat(backoff.nextDelayMillis()).isBetween(0L, ceiling);
        }
        assertThat(backoff.attempt()).isEqualTo(100);
    }

    @Test
    void fullJitterSpreadsOverTheWholeRange() {
        LongSummaryStatistics stats = new LongSummaryStatistics();
        for (int i = 0; i < 2_000; i++) {
            backoff.reset();
            for (int a = 0; a < 10; a++) {
                backoff.nextDelayMillis();
            }
            // Attempt 10: the ceiling is the cap.
            stats.accept(backoff.nextDelayMillis());
        }
        assertThat(stats.getMin()).isLessThan(6_000);
        assertThat(stats.getMax()).isGreaterThan(54_000).isLessThanOrEqualTo(60_000);
        assertThat(stats.getAverage()).isBetween(25_000.0, 35_000.0);
    }

    @Test
    void resetStartsOverAtTheBase() {
        for (int i = 0; i < 20; i++) {
            backoff.nextDelayMillis();
        }
        backoff.reset();
        assertThat(backoff.attempt()).isZero();
        assertThat(backoff.nextDelayMillis()).isLessThanOrEqualTo(1_000);
    }

    @Test
    void refusalWaitsBetweenHalfTheCapAndTheCap() {
        for (int i = 0; i < 1_000; i++) {
            assertThat(backoff.refusedDelayMillis()).isBetween(30_000L, 60_000L);
        }
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new ReconnectBackoff(Duration.ZERO, Duration.ofSeconds(1), new SplittableRandom()))
                .hasMessageContaining("base");
        assertThatThrownBy(() -> new ReconnectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1), new SplittableRandom()))
                .hasMessageContaining("cap");
        assertThatThrownBy(() -> backoff.ceilingMillis(-1)).hasMessageContaining("attempt: -1");
    }
}
