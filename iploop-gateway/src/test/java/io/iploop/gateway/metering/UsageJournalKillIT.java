package io.iploop.gateway.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.TestSupport.RecordingUsageSink;
import io.iploop.gateway.spi.UsageRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault suite's SIGKILL, at the level of the journal and the batcher (docs/operations.md#usage-journal):
 * a forked JVM ({@link JournalKillChild}) meters usage into a journaled {@link UsageBatcher} whose
 * sink fails every third batch and then for good (the database went down), and is killed with SIGKILL; a new batcher on the same journal then
 * writes what was left. Every record metered more than one flush interval (plus scheduling slack)
 * before the kill is stored; the sink sees each id at least once and, being idempotent on the id,
 * stores it once.
 */
@Timeout(120)
class UsageJournalKillIT {

    /** The child's flush interval (production: 1 s). */
    static final long FLUSH_MILLIS = 200;
    /** Scheduling slack on a shared 2-core machine, on top of the flush interval. */
    static final long SLACK_MILLIS = 800;

    @TempDir
    Path dir;

    @Test
    void afterSigkillAtMostTheLastFlushIntervalIsLostAndTheRestIsReplayed() throws Exception {
        Path journal = dir.resolve("journal");
        Path sinkFile = dir.resolve("stored.txt");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                JournalKillChild.class.getName(), journal.toString(), sinkFile.toString(), Long.toString(FLUSH_MILLIS))
                .redirectError(dir.resolve("child.err").toFile())
                .start();
        Map<UUID, Long> metered = new LinkedHashMap<>();
        long killedAt;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII))) {
            String line;
            while ((line = in.readLine()) != null && !line.equals("metering started")) {
                // the child's log lines
            }
            assertThat(line).as("child started; stderr in " + dir.resolve("child.err")).isNotNull();
            long until = System.currentTimeMillis() + 3000;
            while (System.currentTimeMillis() < until && (line = in.readLine()) != null) {
                String[] f = line.split(" ");
                if (f.length == 3 && f[0].equals("metered")) {
                    metered.put(UUID.fromString(f[1]), Long.parseLong(f[2]));
                }
            }
            killedAt = System.currentTimeMillis();
            child.destroyForcibly(); // SIGKILL on Linux
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);
        assertThat(metered).hasSizeGreaterThan(100);

        Set<UUID> stored = new HashSet<>();
        for (String id : Files.readAllLines(sinkFile)) {
            stored.add(UUID.fromString(id));
        }
        int storedBeforeRestart = stored.size();
        RecordingUsageSink sink = new RecordingUsageSink();
        try (UsageBatcher restarted = new UsageBatcher(sink, Duration.ofMillis(50), new SimpleMeterRegistry(), r -> {},
                UsageJournal.open(journal, 64L << 20, 1L << 20))) {
            long replay = restarted.pendingRecords();
            assertThat(replay).as("the journal held records not yet stored").isPositive();
            restarted.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> restarted.pendingRecords() == 0);
        }
        List<UsageRecord> replayed = List.copyOf(sink.records);
        replayed.forEach(r -> stored.add(r.id()));

        long lost = 0;
        for (var e : metered.entrySet()) {
            if (!stored.contains(e.getKey())) {
                lost++;
                assertThat(killedAt - e.getValue()).as("a lost record was metered within the last flush interval")
                        .isLessThanOrEqualTo(FLUSH_MILLIS + SLACK_MILLIS);
            }
        }
        System.out.printf("metered %d, stored before the kill %d, replayed %d, lost %d%n", metered.size(),
                storedBeforeRestart, replayed.size(), lost);
    }
}
