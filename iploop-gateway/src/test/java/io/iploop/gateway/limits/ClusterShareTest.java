package io.iploop.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.gateway.spi.SharedLimitCounters;
import org.junit.jupiter.api.Test;

/** The local side of the shared limits (docs/deploy.md#shared-limits): what a gateway admits from what it knows. */
class ClusterShareTest {

    static final long NOW = 1_800_000_000L; // a second well inside a UTC day

    @Test
    void aDayLimitCountsTheClustersTotalPlusWhatThisGatewayHasNotReportedYet() {
        ClusterShare share = new ClusterShare("a:x");
        for (int i = 0; i < 3; i++) {
            assertThat(share.takeDay(10, NOW)).isTrue();
        }
        SharedLimitCounters.Report r = share.report(0, NOW, 15_000);
        assertThat(r.dayDelta()).isEqualTo(3);
        // The cluster answers 9: six more came from other gateways.
        share.apply(r, new SharedLimitCounters.Totals(0, 9, 9));
        assertThat(share.takeDay(10, NOW)).isTrue();
        assertThat(share.takeDay(10, NOW)).as("9 known + 1 unreported = 10").isFalse();
    }

    @Test
    void anUndeliveredReportIsSentAgainAndANewDayStartsFromZero() {
        ClusterShare share = new ClusterShare("a:x");
        share.takeDay(0, NOW);
        share.takeDay(0, NOW);
        SharedLimitCounters.Report r = share.report(0, NOW, 15_000);
        share.failed(r);
        assertThat(share.report(0, NOW, 15_000).dayDelta()).isEqualTo(2);
        share.apply(r, new SharedLimitCounters.Totals(0, 0, 100));
        assertThat(share.takeDay(100, NOW)).isFalse();
        assertThat(share.takeDay(100, NOW + 86_400)).as("the next UTC day").isTrue();
    }

    @Test
    void theSecondWindowAndTheOthersConnectionsComeFromTheLastAnswer() {
        ClusterShare share = new ClusterShare("a:x");
        SharedLimitCounters.Report r = share.report(2, NOW, 15_000);
        share.apply(r, new SharedLimitCounters.Totals(7, 4, 4));
        assertThat(share.othersOpen()).isEqualTo(7);
        assertThat(share.takeSecond(5, NOW)).isTrue();
        assertThat(share.takeSecond(5, NOW)).isFalse();
        assertThat(share.takeSecond(5, NOW + 1)).as("a new second").isTrue();

        ConnectionSlots slots = new ConnectionSlots();
        assertThat(slots.tryAcquire(10, 7)).isTrue();
        assertThat(slots.tryAcquire(10, 7)).isTrue();
        assertThat(slots.tryAcquire(10, 7)).isTrue();
        assertThat(slots.tryAcquire(10, 7)).as("3 here + 7 elsewhere").isFalse();
        assertThat(slots.tryAcquire(0, 70)).as("no limit").isTrue();
    }
}
