package io.iploop.server.billing.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The upgrade proration formula of docs/billing.md#plan-changes: shares, half-up cents, GB rounded down. */
class ProrationTest {

    private static final Instant START = Instant.parse("2026-12-01T00:00:00Z");
    private static final Instant END = START.plus(Duration.ofDays(30));

    @Test
    void twentyOfThirtyDaysLeftOfStarterToGrowth() {
        Proration p = Proration.of(START, END, START.plus(Duration.ofDays(10)), 4900, 14900, new BigDecimal("5"),
                new BigDecimal("25"));
        assertThat(p.unusedShare()).isEqualByComparingTo("0.666666666667");
        assertThat(p.creditCents()).isEqualTo(3267); // 32.666… → 32.67
        assertThat(p.chargeCents()).isEqualTo(9933); // 99.333… → 99.33
        assertThat(p.amountCents()).isEqualTo(6666);
        assertThat(p.gbDelta()).isEqualByComparingTo("13.333333333"); // down to whole bytes
    }

    @Test
    void atThePeriodStartTheWholeDifferenceAndAtItsEndNothing() {
        Proration first = Proration.of(START, END, START, 4900, 49900, new BigDecimal("5"), new BigDecimal("100"));
        assertThat(first.amountCents()).isEqualTo(45000);
        assertThat(first.gbDelta()).isEqualByComparingTo("95");
        Proration last = Proration.of(START, END, END, 4900, 49900, new BigDecimal("5"), new BigDecimal("100"));
        assertThat(last.amountCents()).isZero();
        assertThat(last.gbDelta()).isZero();
        Proration after = Proration.of(START, END, END.plusSeconds(60), 4900, 49900, BigDecimal.ONE, BigDecimal.TEN);
        assertThat(after.amountCents()).as("clamped to the period").isZero();
    }

    @Test
    void halfACentRoundsUp() {
        // 1 s left of 2 s: 1 cent × 0.5 = 0.5 → 1 for the charge, 3 cents × 0.5 = 1.5 → 2 for the credit.
        Instant end = START.plusSeconds(2);
        Proration p = Proration.of(START, end, START.plusSeconds(1), 3, 1, BigDecimal.ZERO, BigDecimal.ZERO);
        assertThat(p.chargeCents()).isEqualTo(1);
        assertThat(p.creditCents()).isEqualTo(2);
    }
}
