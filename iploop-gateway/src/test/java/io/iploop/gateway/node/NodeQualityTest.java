package io.iploop.gateway.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.tunnel.OpenFailedException;
import io.iploop.tunnel.OpenFailure;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NodeQualityTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void scoreFormulaAsDocumented() {
        // round(100 × (0.60 S + 0.25 L + 0.15 T)), docs/exit-quality.md#score
        assertThat(NodeQuality.score(1, 300.0, 50.0)).isEqualTo(100);
        assertThat(NodeQuality.score(1, 100.0, 500.0)).isEqualTo(100); // parts are capped at 1
        assertThat(NodeQuality.score(0, 3000.0, 0.5)).isZero();
        assertThat(NodeQuality.score(0, 10_000.0, 0.0)).isZero();
        assertThat(NodeQuality.score(0.9, null, null)).isEqualTo(74); // the neutral prior
        // L halfway: (3000 - 1650) / 2700 = 0.5; T on a log scale: 5 Mbit/s is halfway from 0.5 to 50
        assertThat(NodeQuality.score(1, 1650.0, 5.0)).isEqualTo(80); // 60 + 12.5 + 7.5
        assertThat(NodeQuality.score(0.5, 300.0, 50.0)).isEqualTo(70);
    }

    @Test
    void aNewNodeHasTheNeutralPriorAndIsNotMeasured() {
        NodeQuality q = new NodeQuality();
        assertThat(q.score()).isEqualTo(74);
        assertThat(q.measured()).isFalse();
        assertThat(q.weight()).isCloseTo(Math.pow(0.74, 3), org.assertj.core.api.Assertions.within(1e-12));
    }

    @Test
    void measuredFiguresMoveTheScore() {
        NodeQuality good = new NodeQuality();
        NodeQuality bad = new NodeQuality();
        for (int i = 0; i < 30; i++) {
            good.openSucceeded();
            good.firstByte(120 * MS);
            good.transferred(1 << 20, 100 * MS); // 80 Mbit/s
            if (i % 2 == 0) {
                bad.openSucceeded();
            } else {
                bad.failed(NodeQuality.Cause.DROPPED, 0);
            }
            bad.firstByte(2500 * MS);
        }
        assertThat(good.measured()).isTrue();
        assertThat(good.score()).isEqualTo(100);
        assertThat(bad.score()).isLessThan(50);
        assertThat(good.weight()).isGreaterThan(bad.weight() * 10);
        NodeQuality.Snapshot s = good.snapshot(0);
        assertThat(s.ttfbMillis()).isCloseTo(120.0, org.assertj.core.api.Assertions.within(1e-6));
        assertThat(s.throughputMbps()).isCloseTo(83.886, org.assertj.core.api.Assertions.within(0.01));
        assertThat(bad.snapshot(0).count(NodeQuality.Cause.DROPPED)).isEqualTo(15);
    }

    @Test
    void smallTransfersAreNoThroughputSample() {
        NodeQuality q = new NodeQuality();
        q.transferred(NodeQuality.THROUGHPUT_MIN_BYTES - 1, MS);
        q.transferred(1 << 20, 0);
        assertThat(q.snapshot(0).throughputMbps()).isNull();
        assertThat(q.measured()).isFalse();
    }

    @Test
    void targetFailuresAreCountedButSpoilNothing() {
        NodeQuality q = new NodeQuality();
        for (int i = 0; i < 20; i++) {
            q.failed(NodeQuality.Cause.of(new OpenFailedException(OpenFailure.DNS_FAILURE, "nx")), 0);
            q.failed(NodeQuality.Cause.of(new OpenFailedException(OpenFailure.CONNECTION_REFUSED, "rst")), 0);
        }
        assertThat(q.score()).isEqualTo(74);
        assertThat(q.breakerState(0)).isEqualTo(NodeQuality.BreakerState.CLOSED);
        assertThat(q.snapshot(0).count(NodeQuality.Cause.DNS_FAILURE)).isEqualTo(20);
        assertThat(q.snapshot(0).count(NodeQuality.Cause.CONNECTION_REFUSED)).isEqualTo(20);
    }

    @Test
    void causesAreClassified() {
        assertThat(NodeQuality.Cause.of(new ClosedChannelException())).isEqualTo(NodeQuality.Cause.DISCONNECTED);
        assertThat(NodeQuality.Cause.of(new OpenFailedException(OpenFailure.UNAVAILABLE, ""))).isEqualTo(NodeQuality.Cause.UNAVAILABLE);
        assertThat(NodeQuality.Cause.of(new OpenFailedException(OpenFailure.TIMEOUT, ""))).isEqualTo(NodeQuality.Cause.TIMEOUT);
        assertThat(NodeQuality.Cause.of(new IllegalStateException())).isEqualTo(NodeQuality.Cause.OTHER);
        assertThat(NodeQuality.Cause.UNAVAILABLE.blame).isEqualTo(NodeQuality.Blame.NODE);
        assertThat(NodeQuality.Cause.TIMEOUT.blame).isEqualTo(NodeQuality.Blame.AMBIGUOUS);
        assertThat(NodeQuality.Cause.FORBIDDEN.blame).isEqualTo(NodeQuality.Blame.TARGET);
    }

    @Test
    void breakerOpensAfterConsecutiveNodeFailuresThenLetsOneProbeThrough() {
        NodeQuality q = new NodeQuality();
        long t = 1_000 * MS;
        for (int i = 0; i < NodeQuality.BREAKER_FAILURES - 1; i++) {
            q.failed(NodeQuality.Cause.UNAVAILABLE, t);
        }
        assertThat(q.available(t)).isTrue();
        q.openSucceeded(); // a success in between starts the count again
        for (int i = 0; i < NodeQuality.BREAKER_FAILURES - 1; i++) {
            q.failed(NodeQuality.Cause.DISCONNECTED, t);
            q.failed(NodeQuality.Cause.TIMEOUT, t); // ambiguous: neither counts nor resets
        }
        assertThat(q.breakerState(t)).isEqualTo(NodeQuality.BreakerState.CLOSED);
        q.failed(NodeQuality.Cause.UNAVAILABLE, t);
        assertThat(q.breakerState(t)).isEqualTo(NodeQuality.BreakerState.OPEN);
        assertThat(q.available(t + NodeQuality.COOL_OFF_NANOS - 1)).isFalse();
        assertThat(q.tryAcquire(t + NodeQuality.COOL_OFF_NANOS - 1)).isFalse();

        long half = t + NodeQuality.COOL_OFF_NANOS;
        assertThat(q.breakerState(half)).isEqualTo(NodeQuality.BreakerState.HALF_OPEN);
        assertThat(q.available(half)).isTrue();
        assertThat(q.tryAcquire(half)).as("the probe").isTrue();
        assertThat(q.tryAcquire(half)).as("only one probe").isFalse();
        assertThat(q.available(half + 1)).isFalse();

        // The probe fails: open again for a full cool-off.
        q.failed(NodeQuality.Cause.UNAVAILABLE, half + MS);
        assertThat(q.available(half + MS + NodeQuality.COOL_OFF_NANOS - 1)).isFalse();
        long half2 = half + MS + NodeQuality.COOL_OFF_NANOS;
        assertThat(q.tryAcquire(half2)).isTrue();
        // A probe that never reports lets another through after the probe timeout.
        assertThat(q.tryAcquire(half2 + NodeQuality.PROBE_TIMEOUT_NANOS - 1)).isFalse();
        assertThat(q.tryAcquire(half2 + NodeQuality.PROBE_TIMEOUT_NANOS)).isTrue();
        // The probe succeeds: closed.
        q.openSucceeded();
        assertThat(q.breakerState(half2 + NodeQuality.PROBE_TIMEOUT_NANOS)).isEqualTo(NodeQuality.BreakerState.CLOSED);
        assertThat(q.tryAcquire(0)).isTrue();
    }
}
