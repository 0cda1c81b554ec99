package io.iploop.gateway.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The configurable health threshold (docs/upstream-pool.md#health, {@code IPLOOP_POOL_HEALTH_FAILURES}). */
class PoolPortStateTest {

    private static final Instant T = Instant.parse("2026-12-01T10:00:00Z");

    @Test
    void anUpstreamIsMarkedDownAfterTheConfiguredNumberOfFailuresInARow() {
        PoolPortState s = new PoolPortState(T, 3);
        assertThat(s.failed("refused", T.plusSeconds(1))).isFalse();
        assertThat(s.failed("refused", T.plusSeconds(2))).isFalse();
        assertThat(s.downReason()).isNull();
        assertThat(s.failed("refused", T.plusSeconds(3))).as("third in a row").isTrue();
        assertThat(s.downReason()).isEqualTo("refused");
        assertThat(s.since()).isEqualTo(T.plusSeconds(3));
        s.checked(T.plusSeconds(4));
        assertThat(s.downReason()).isNull();
    }

    @Test
    void aPassingCheckStartsTheCountAgain() {
        PoolPortState s = new PoolPortState(T, 2);
        s.failed("timeout", T);
        s.checked(T.plusSeconds(1));
        assertThat(s.failed("timeout", T.plusSeconds(2))).isFalse();
        assertThat(s.failed("timeout", T.plusSeconds(3))).isTrue();
    }

    @Test
    void oneMeansTheFirstFailure() {
        assertThat(new PoolPortState(T, 1).failed("x", T)).isTrue();
    }

    @Test
    void theSettingIsChecked() {
        PoolSettings d = PoolSettings.DEFAULTS;
        assertThat(d.healthFailures()).isEqualTo(2);
        assertThatThrownBy(() -> new PoolSettings(4000, 4999, null, Duration.ofSeconds(5), Duration.ofSeconds(30),
                Duration.ofSeconds(30), Duration.ofSeconds(10), null, Duration.ofSeconds(10), Duration.ofMinutes(15),
                Duration.ofHours(1), 0)).hasMessageContaining("healthFailures: 0");
    }
}
