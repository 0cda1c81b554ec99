package io.iploop.server.jobs.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The minimum lock of a scheduled run (docs/deploy.md#cluster): long enough that a second
 * control-plane replica firing the same tick finds it taken, short enough that no tick is lost.
 */
class ScheduledLockTest {

    static final Instant NOW = Instant.parse("2026-12-03T20:00:07Z");

    @Test
    void aMinuteJobHoldsItsLockTenSeconds() {
        assertThat(DefaultJobsService.scheduledLockAtLeast("0 * * * * *", Duration.ofMinutes(5), NOW))
                .isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void aFiveSecondJobHoldsItHalfItsPeriodSoNoTickIsSkipped() {
        assertThat(DefaultJobsService.scheduledLockAtLeast("*/5 * * * * *", Duration.ofMinutes(5), NOW))
                .isEqualTo(Duration.ofMillis(2500));
    }

    @Test
    void neverLongerThanTheJobsMaximum() {
        assertThat(DefaultJobsService.scheduledLockAtLeast("0 * * * * *", Duration.ofSeconds(3), NOW))
                .isEqualTo(Duration.ofSeconds(3));
    }
}
