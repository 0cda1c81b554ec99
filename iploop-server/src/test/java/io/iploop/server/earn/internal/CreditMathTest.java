package io.iploop.server.earn.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The credit arithmetic: exact rates, multipliers of docs/product/earn.md#multipliers, carried rounding, tiers. */
class CreditMathTest {

    private static final BigDecimal BRONZE = new BigDecimal("0.10");
    private static final Instant T0 = Instant.parse("2026-11-24T00:00:00Z");

    @Test
    void oneGigabyteAtBronzeIsOneHundredCreditsAndGbMeansTenToTheNine() {
        // One GB is 10^9 bytes for operators as for customers (docs/product/README.md#units).
        assertThat(CreditMath.baseCredits(1_000_000_000L, BRONZE)).isEqualByComparingTo("100");
        assertThat(CreditMath.baseCredits(1L << 30, BRONZE).toPlainString()).as("a GiB is 1.073741824 GB")
                .isEqualTo("107.3741824");
        assertThat(CreditMath.baseCredits(51_000_000_000L, BRONZE).toString()).isEqualTo("5100");
        assertThat(CreditMath.gigabytes(1_500_000_000L)).isEqualByComparingTo("1.5");
    }

    @Test
    void multipliersFollowTheSeed() {
        assertThat(CreditMath.deviceMultiplier(2)).isEqualByComparingTo("1.0");
        assertThat(CreditMath.deviceMultiplier(3)).isEqualByComparingTo("2.0");
        assertThat(CreditMath.uptimeMultiplier(null, T0)).isEqualByComparingTo("1.0");
        assertThat(CreditMath.uptimeMultiplier(T0.minus(Duration.ofHours(24)), T0)).isEqualByComparingTo("1.5");
        assertThat(CreditMath.uptimeMultiplier(T0.minus(Duration.ofHours(23)), T0)).isEqualByComparingTo("1.0");
        assertThat(CreditMath.geoMultiplier("NG", new BigDecimal("2.0"), 50, 10)).isEqualByComparingTo("2.0");
        assertThat(CreditMath.geoMultiplier("NG", new BigDecimal("2.0"), 9, 10)).isEqualByComparingTo("3.0");
        assertThat(CreditMath.geoMultiplier("IS", null, 10, 10)).isEqualByComparingTo("1.0");
        assertThat(CreditMath.geoMultiplier(null, null, 0, 10)).isEqualByComparingTo("1.0");
    }

    @Test
    void uptimeContinuesAcrossShortGapsAndStartsOverAfterTenMinutes() {
        Instant since = T0;
        Instant lastSeen = T0.plus(Duration.ofHours(20));
        // Same connection still up: unchanged.
        assertThat(CreditMath.uptimeSince(since, lastSeen, T0)).isEqualTo(T0);
        // Reconnected 9 minutes after it was last seen: continues.
        assertThat(CreditMath.uptimeSince(since, lastSeen, lastSeen.plus(Duration.ofMinutes(9)))).isEqualTo(T0);
        // Reconnected 11 minutes after: starts over with the new connection.
        Instant late = lastSeen.plus(Duration.ofMinutes(11));
        assertThat(CreditMath.uptimeSince(since, lastSeen, late)).isEqualTo(late);
        assertThat(CreditMath.uptimeSince(null, null, late)).isEqualTo(late);
    }

    @Test
    void carriedRemaindersLoseNothingOverManyPeriods() {
        Random random = new Random(42);
        BigDecimal multiplier = new BigDecimal("4.5");
        BigDecimal carry = BigDecimal.ZERO;
        BigDecimal commissionCarry = BigDecimal.ZERO;
        long paid = 0;
        long commission = 0;
        long bytes = 0;
        for (int i = 0; i < 1000; i++) {
            long b = random.nextLong(1, 50_000_000);
            bytes += b;
            CreditMath.Split s = CreditMath.credits(b, BRONZE, multiplier, carry);
            assertThat(s.carry()).isGreaterThanOrEqualTo(BigDecimal.ZERO).isLessThan(BigDecimal.ONE);
            carry = s.carry();
            paid += s.credits();
            CreditMath.Split c = CreditMath.commission(s.credits(), commissionCarry);
            commissionCarry = c.carry();
            commission += c.credits();
        }
        long exact = BigDecimal.valueOf(bytes).multiply(BRONZE).multiply(BigDecimal.valueOf(1000)).multiply(multiplier)
                .divide(BigDecimal.valueOf(1_000_000_000L), 0, RoundingMode.DOWN).longValueExact();
        assertThat(paid).isEqualTo(exact);
        assertThat(commission).isEqualTo(paid / 10);
    }

    @Test
    void tiersGoUpAtTheirThresholdsAndNeverDown() {
        List<EarnRepository.Tier> tiers = List.of(
                new EarnRepository.Tier("bronze", 0, BigDecimal.ZERO, BRONZE, BigDecimal.ONE),
                new EarnRepository.Tier("silver", 1, new BigDecimal("50"), new BigDecimal("0.12"), new BigDecimal("1.2")),
                new EarnRepository.Tier("gold", 2, new BigDecimal("500"), new BigDecimal("0.15"), new BigDecimal("1.5")));
        assertThat(DefaultEarnService.tierFor(tiers, 50_000_000_000L - 1, tiers.get(0)).name()).isEqualTo("bronze");
        assertThat(DefaultEarnService.tierFor(tiers, 50_000_000_000L, tiers.get(0)).name()).isEqualTo("silver");
        assertThat(DefaultEarnService.tierFor(tiers, 600_000_000_000L, tiers.get(0)).name()).isEqualTo("gold");
        assertThat(DefaultEarnService.tierFor(tiers, 0, tiers.get(2)).name()).isEqualTo("gold");
    }

    @Test
    void referredUsersAreMasked() {
        assertThat(DefaultEarnService.maskEmail("jane.doe@example.com")).isEqualTo("j***@example.com");
        assertThat(DefaultEarnService.initial("Jane")).isEqualTo("J***");
        assertThat(DefaultEarnService.initial(" ")).isEqualTo("***");
    }

    @Test
    void devicesCountByNetworkSlash24ForIpv4AndSlash48ForIpv6() {
        assertThat(CreditMath.network("203.0.113.7")).isEqualTo(CreditMath.network("203.0.113.200"))
                .isEqualTo("203.0.113.0/24");
        assertThat(CreditMath.network("203.0.114.7")).isNotEqualTo(CreditMath.network("203.0.113.7"));
        assertThat(CreditMath.network("/127.0.0.1")).isEqualTo("127.0.0.0/24");
        assertThat(CreditMath.network("2001:db8:1:2::1")).isEqualTo(CreditMath.network("2001:db8:1:ffff::9"))
                .isEqualTo("2001:0db8:0001::/48");
        assertThat(CreditMath.network("2001:db8:2::1")).isNotEqualTo(CreditMath.network("2001:db8:1::1"));
        assertThat(CreditMath.network("not an address")).isEqualTo("not an address");
    }

    @Test
    void paidBytesGetTheMultipliersTrialBytesTheTrialMultiplierAndTheRestNothing() {
        // 1 GB paid at 3.0x = 300, 1 GB trial at 1.0x = 100, carry 0.5 stays a fraction.
        CreditMath.Split s = CreditMath.credits(1_000_000_000L, 1_000_000_000L, BRONZE, new BigDecimal("3.0"), BigDecimal.ONE,
                new BigDecimal("0.5"));
        assertThat(s.credits()).isEqualTo(400);
        assertThat(s.carry()).isEqualByComparingTo("0.5");
        assertThat(CreditMath.credits(0, 0, BRONZE, new BigDecimal("6.0"), BigDecimal.ONE, BigDecimal.ZERO).credits())
                .isZero();
    }

    @Test
    void onlyPublicSignupAddressesAreEvidence() {
        assertThat(LinkedAccounts.publicAddress("203.0.113.7")).isEqualTo("203.0.113.7");
        assertThat(LinkedAccounts.publicAddress("2001:db8::1")).isEqualTo("2001:db8:0:0:0:0:0:1");
        for (String notEvidence : new String[] {"127.0.0.1", "10.1.2.3", "192.168.0.9", "172.16.0.1", "169.254.1.1",
                "::1", "fd00::1", "fe80::1", "0.0.0.0", "", "garbage"}) {
            assertThat(LinkedAccounts.publicAddress(notEvidence)).as(notEvidence).isNull();
        }
        assertThat(LinkedAccounts.publicAddress(null)).isNull();
    }
}
