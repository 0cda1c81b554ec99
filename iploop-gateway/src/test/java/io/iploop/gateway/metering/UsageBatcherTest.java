package io.iploop.gateway.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.TestSupport.RecordingUsageSink;
import io.iploop.gateway.spi.UsageRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class UsageBatcherTest {

    static UsageRecord record() {
        return new UsageRecord(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), null, null, 10, 5, 1, "DE", null,
                "example.com", "http", true, null, Instant.now(), Instant.now(), 200);
    }

    @Test
    void flushesPeriodicallyInBatchesOfAtMost1000() {
        RecordingUsageSink sink = new RecordingUsageSink();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (UsageBatcher b = new UsageBatcher(sink, Duration.ofMillis(50), registry)) {
            b.start();
            for (int i = 0; i < 2500; i++) {
                b.add(record());
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> sink.records.size() == 2500);
            assertThat(sink.batches.get()).isGreaterThanOrEqualTo(3);
            assertThat(registry.get("iploop.usage.batches.pending").gauge().value()).isZero();
        }
    }

    @Test
    void keepsAFailedBatchAndRetries() {
        RecordingUsageSink sink = new RecordingUsageSink();
        sink.failNext = 2;
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (UsageBatcher b = new UsageBatcher(sink, Duration.ofMillis(20), registry)) {
            b.start();
            b.add(record());
            await().atMost(Duration.ofSeconds(5)).until(() -> sink.records.size() == 1);
        }
    }

    @Test
    void closeFlushesEverythingSynchronously() {
        RecordingUsageSink sink = new RecordingUsageSink();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        UsageBatcher b = new UsageBatcher(sink, Duration.ofHours(1), registry);
        b.start();
        for (int i = 0; i < 1234; i++) {
            b.add(record());
        }
        assertThat(registry.get("iploop.usage.flush.lag").gauge().value()).isGreaterThanOrEqualTo(0);
        b.close();
        assertThat(sink.records).hasSize(1234);
        assertThat(b.pendingRecords()).isZero();
    }
}
