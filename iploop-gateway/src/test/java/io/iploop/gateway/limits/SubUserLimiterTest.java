package io.iploop.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.gateway.error.ProxyError;
import io.iploop.gateway.routing.Targeting;
import io.iploop.gateway.spi.SubUserLimits;
import java.time.Clock;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A sub-user's own limits (docs/sub-users.md#limits), as the gateway leases and checks them. */
class SubUserLimiterTest {

    private static Targeting country(String c) {
        return new Targeting(c, null, null, null, null, null, null, Targeting.SessionType.ROTATING, null, null, null,
                null, null, false);
    }

    private static Targeting city(String c, String city) {
        return new Targeting(c, null, city, null, null, null, null, Targeting.SessionType.ROTATING, null, null, null,
                null, null, false);
    }

    @Test
    void theByteLeaseRunsOutAndARefreshCountsWhatWasWritten() {
        SubUserLimiter l = new SubUserLimiter(new SubUserLimits(1000, 0, 0, Set.of(), true), Clock.systemUTC());
        assertThat(l.admit(Targeting.NONE)).isNull();
        assertThat(l.spend(600)).isTrue();
        assertThat(l.spend(400)).as("the 1000th byte exhausts it").isFalse();
        Refusal r = l.admit(Targeting.NONE);
        assertThat(r).isNotNull();
        assertThat(r.error()).isEqualTo(ProxyError.SUB_USER_LIMIT_REACHED);
        // The store now knows the 1000 bytes (written) and a raised limit of 5000: 4000 left.
        l.persisted(1000);
        l.update(new SubUserLimits(4000, 0, 0, Set.of(), true), l.persistedBytes());
        assertThat(l.remainingBytes()).isEqualTo(4000);
        assertThat(l.admit(Targeting.NONE)).isNull();
    }

    @Test
    void countriesAndCityAreTheOwnersChoice() {
        SubUserLimiter l = new SubUserLimiter(new SubUserLimits(SubUserLimits.UNLIMITED.remainingBytes(), 0, 0,
                Set.of("de", "FR"), false), Clock.systemUTC());
        assertThat(l.admit(country("de"))).isNull();
        assertThat(l.admit(country("FR"))).isNull();
        Refusal us = l.admit(country("US"));
        assertThat(us).isNotNull();
        assertThat(us.error()).isEqualTo(ProxyError.TARGETING_NOT_ALLOWED);
        assertThat(us.detail()).contains("US").contains("DE, FR");
        assertThat(l.admit(Targeting.NONE)).as("a country must be given").isNotNull();
        Refusal c = l.admit(city("DE", "berlin"));
        assertThat(c).isNotNull();
        assertThat(c.detail()).startsWith("city");
    }

    @Test
    void ownRequestsPerDayAreCounted() {
        SubUserLimiter l = new SubUserLimiter(new SubUserLimits(SubUserLimits.UNLIMITED.remainingBytes(), 0, 2, Set.of(), true),
                Clock.systemUTC());
        assertThat(l.admit(Targeting.NONE)).isNull();
        assertThat(l.admit(Targeting.NONE)).isNull();
        Refusal third = l.admit(Targeting.NONE);
        assertThat(third).isNotNull();
        assertThat(third.error()).isEqualTo(ProxyError.DAILY_LIMIT_REACHED);
        assertThat(third.retryAfter()).isNotNull();
    }

    @Test
    void ownConcurrentConnectionsAreCountedUntilReleased() {
        SubUserLimiter l = new SubUserLimiter(new SubUserLimits(SubUserLimits.UNLIMITED.remainingBytes(), 0, 0, Set.of(), true, 2),
                Clock.systemUTC());
        assertThat(l.tryAcquire()).isTrue();
        assertThat(l.tryAcquire()).isTrue();
        assertThat(l.tryAcquire()).as("a third connection of a 2-connection sub-user").isFalse();
        assertThat(l.openConnections()).isEqualTo(2);
        assertThat(l.idle(System.nanoTime() + Long.MAX_VALUE / 2, 0)).as("never forgotten with connections open").isFalse();
        l.release();
        assertThat(l.tryAcquire()).isTrue();
        // A lowered limit applies to the next connection; raising it (or 0: the plan's only) frees it.
        l.update(new SubUserLimits(SubUserLimits.UNLIMITED.remainingBytes(), 0, 0, Set.of(), true, 1), 0);
        l.release();
        assertThat(l.tryAcquire()).as("1 open of 1").isFalse();
        l.update(new SubUserLimits(SubUserLimits.UNLIMITED.remainingBytes(), 0, 0, Set.of(), true, 0), 0);
        assertThat(l.tryAcquire()).isTrue();
        assertThat(l.tryAcquire()).isTrue();
        assertThat(l.openConnections()).isEqualTo(3);
    }

    @Test
    void ownRequestsPerSecondGet429WithRetryAfter() {
        SubUserLimiter l = new SubUserLimiter(new SubUserLimits(SubUserLimits.UNLIMITED.remainingBytes(), 3, 0, Set.of(), true),
                Clock.systemUTC());
        // A burst of one second: 3 pass at once, the 4th waits for the bucket to refill.
        assertThat(l.admit(Targeting.NONE)).isNull();
        assertThat(l.admit(Targeting.NONE)).isNull();
        assertThat(l.admit(Targeting.NONE)).isNull();
        Refusal fourth = l.admit(Targeting.NONE);
        assertThat(fourth).isNotNull();
        assertThat(fourth.error()).isEqualTo(ProxyError.RATE_LIMITED);
        assertThat(fourth.detail()).contains("3 requests per second").contains("sub-user");
        assertThat(fourth.retryAfter()).isNotNull();
        assertThat(fourth.retryAfter().toMillis()).isBetween(1L, 1000L);
    }

    @Test
    void negativeLimitsAreRejected() {
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(() ->
                new SubUserLimits(0, 0, 0, Set.of(), true, -1));
    }
}
