package io.iploop.gateway.node;

import static io.iploop.gateway.node.TestNodes.node;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.gateway.spi.NodeStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The counter flush writes a node only when its counters or measured quality changed (docs/scale.md). */
class NodeCounterFlushTest {

    private static NodeStore.NodeCounters flush(NodeEntry e) {
        List<Runnable> commits = new ArrayList<>();
        NodeStore.NodeCounters d = NodeHub.delta(e, Instant.now(), commits);
        commits.forEach(Runnable::run);
        return d;
    }

    @Test
    void anIdleNodeIsNotWrittenATrafficDeltaIsWrittenOnce() {
        NodeEntry e = node("DE");
        assertThat(flush(e)).as("nothing happened since it connected").isNull();

        e.bytesTotal.addAndGet(1_000);
        e.requests.incrementAndGet();
        e.successes.incrementAndGet();
        NodeStore.NodeCounters d = flush(e);
        assertThat(d).isNotNull();
        assertThat(d.bytes()).isEqualTo(1_000);
        assertThat(d.requests()).isEqualTo(1);
        assertThat(d.successes()).isEqualTo(1);
        assertThat(flush(e)).as("already written").isNull();
    }

    @Test
    void aNewQualityMeasurementIsWrittenEvenWithoutNewCounters() {
        NodeEntry e = TestNodes.measured(node("DE"), 30, 1.0, 100, 50);
        NodeStore.NodeCounters d = flush(e);
        assertThat(d).isNotNull();
        assertThat(d.quality()).isNotNull();
        assertThat(flush(e)).as("the same measurement again").isNull();
        TestNodes.measured(e, 30, 0.0, 900, 1);
        assertThat(flush(e)).isNotNull();
    }

    @Test
    void aFailedWriteIsRetriedWithTheSameDelta() {
        NodeEntry e = node("DE");
        e.bytesTotal.addAndGet(500);
        assertThat(NodeHub.delta(e, Instant.now(), new ArrayList<>())).isNotNull(); // store failed: not committed
        assertThat(flush(e).bytes()).isEqualTo(500);
    }
}
