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
    void qualityInOneFormEverywhere() {
        assertThat(fmt.quality(0)).isEqualTo("0 / 100");
        assertThat(fmt.quality(100)).isEqualTo("100 / 100");
        assertThat(fmt.quality(96.5)).isEqualTo("96.5 / 100");
    }

    @Test
    void lockEndsForAPerson() {
        Instant at = Instant.parse("2030-01-01T22:45:00Z");
        assertThat(fmt.retryIn(Instant.now().plusSeconds(14 * 60 + 10))).startsWith("in 15 minutes (at ").endsWith(" UTC)");
        assertThat(fmt.retryIn(Instant.now().plusSeconds(20))).startsWith("in 1 minute (at ");
        assertThat(fmt.retryIn(Instant.now().plus(Duration.ofMinutes(90)))).startsWith("in 2 hours");
        assertThat(fmt.retryIn(at)).endsWith("(at 22:45 UTC)");
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

    @Test
    void usdShowsTenthsOfACentOnlyWhenThere() {
        assertThat(fmt.usd(new BigDecimal("0.000"))).isEqualTo("$0.00");
        assertThat(fmt.usd(new BigDecimal("12.345"))).isEqualTo("$12.345");
        assertThat(fmt.usd(new BigDecimal("1234.5"))).isEqualTo("$1,234.50");
        assertThat(fmt.creditsUsd(7_345)).isEqualTo("$7.345");
        assertThat(fmt.cents(new BigDecimal("12.349"))).as("max amount rounds down").isEqualTo("12.34");
    }

    @Test
    void gigabytesAreDecimalOnEverySide() {
        // One GB is 10^9 bytes for customers and operators (docs/product/README.md#units).
        assertThat(fmt.gb(1_000_000_000L)).isEqualTo("1.00 GB");
        assertThat(fmt.gb(1L << 30)).as("a GiB is 1.07 GB").isEqualTo("1.07 GB");
        assertThat(fmt.gb(5_000_000L)).isEqualTo("5.0 MB");
        assertThat(fmt.gbExact(1_048_576L)).isEqualTo("0.001048");
        assertThat(fmt.bytes(1_000_000_000L)).as("the customer side's formatter agrees").isEqualTo(fmt.gb(1_000_000_000L));
        assertThat(fmt.fraction(new BigDecimal("0.43791"))).isEqualTo("0.437");
        assertThat(fmt.fraction(BigDecimal.ZERO)).isEqualTo("0");
    }

    @Test
    void masksTheHostPartOfAnIp() {
        assertThat(fmt.maskIp("192.168.4.20")).isEqualTo("192.168.xxx.xxx");
        assertThat(fmt.maskIp("2001:db8:1:2::5")).isEqualTo("2001:db8:xxxx:…");
        assertThat(fmt.maskIp(null)).isEqualTo("—");
    }

    @Test
    void durationsAndLabels() {
        assertThat(fmt.duration(0)).isEqualTo("—");
        assertThat(fmt.duration(30)).isEqualTo("1m");
        assertThat(fmt.duration(3 * 3600 + 12 * 60)).isEqualTo("3h 12m");
        assertThat(fmt.duration(2 * 86_400 + 3 * 3600)).isEqualTo("2d 3h");
        assertThat(fmt.label("bank_transfer")).isEqualTo("Bank transfer");
        assertThat(fmt.method("paypal")).isEqualTo("PayPal");
        assertThat(fmt.method("usdt")).isEqualTo("USDT (TRC-20)");
    }
}
