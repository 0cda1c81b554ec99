package io.iploop.server.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryBackoffTest {

    @Test
    void growsByTheFactorUpToTheMaximum() {
        var b = new RetryBackoff(Duration.ofSeconds(30), 4, Duration.ofHours(12));
        assertThat(b.after(0)).isEqualTo(Duration.ofSeconds(30));
        assertThat(b.after(1)).isEqualTo(Duration.ofSeconds(30));
        assertThat(b.after(2)).isEqualTo(Duration.ofMinutes(2));
        assertThat(b.after(6)).isEqualTo(Duration.ofSeconds(30 * 1024));
        assertThat(b.after(7)).isEqualTo(Duration.ofHours(12));
        assertThat(b.after(Integer.MAX_VALUE)).isEqualTo(Duration.ofHours(12));
    }

    @Test
    void refusesAScheduleThatCannotWork() {
        assertThatThrownBy(() -> new RetryBackoff(Duration.ZERO, 2, Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetryBackoff(Duration.ofHours(2), 2, Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
