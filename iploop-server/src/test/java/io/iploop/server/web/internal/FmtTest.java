package io.iploop.server.web.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What the templates show for numbers, bytes and times. */
class FmtTest {

    private final Fmt fmt = new Fmt();

    @Test
    void bytesInDecimalUnitsAsBilled() {
        assertThat(fmt.bytes(0)).isEqualTo("0 B");
        assertThat(fmt.bytes(999)).isEqualTo("999 B");
        assertThat(fmt.bytes(5_450)).isEqualTo("5.45 KB");
        assertThat(fmt.bytes(12_345_678)).isEqualTo("12.3 MB");
        assertThat(fmt.bytes(250_000_000_000L)).isEqualTo("250 GB");
    }

    @Test
    void shareOfTheAllowanceUsed() {
        assertThat(fmt.percentUsed(BigDecimal.ZERO, BigDecimal.ZERO)).isZero();
        assertThat(fmt.percentUsed(new BigDecimal("0.125"), new BigDecimal("0.375"))).isEqualTo(25);
        assertThat(fmt.percentUsed(new BigDecimal("2"), BigDecimal.ZERO)).isEqualTo(100);
    }

    @Test
    void relativeTimes() {
        Instant now = Instant.now();
        assertThat(fmt.ago(null)).isEqualTo("Never");
        assertThat(fmt.ago(now.minusSeconds(5))).isEqualTo("just now");
        assertThat(fmt.ago(now.minus(Duration.ofMinutes(3)))).isEqualTo("3m ago");
        assertThat(fmt.ago(now.plus(Duration.ofHours(23)).plusSeconds(30))).isEqualTo("in 23h");
        assertThat(fmt.ago(now.minus(Duration.ofDays(3)))).isEqualTo("3d ago");
    }

    @Test
    void countries() {
        assertThat(fmt.countryName("de")).isEqualTo("Germany");
        assertThat(fmt.countryName("??")).isEqualTo("Unknown");
        assertThat(fmt.decimal(new BigDecimal("0.500"), 3)).isEqualTo("0.5");
    }
}
