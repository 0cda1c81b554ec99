package io.iploop.gateway.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.TestSupport.RecordingUsageSink;
import io.iploop.gateway.spi.UsageRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsageJournalTest {

    @TempDir
    Path dir;

    static UsageRecord record(long down) {
        return new UsageRecord(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), "s1", down, 7, 1,
                "DE", "Berlin", "example.com", "socks5", false, "exit_failed", Instant.parse("2026-12-02T10:00:00.123456789Z"),
                Instant.parse("2026-12-02T10:00:10Z"), 204);
    }

    static List<UsageRecord> records(int n) {
        return IntStream.range(0, n).mapToObj(i -> record(i)).toList();
    }

    @Test
    void aRecordReadsBackFieldForField() {
        UsageRecord full = record(123);
        UsageRecord sparse = new UsageRecord(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), null, null, 0, 0, 0,
                null, null, "h\u0000ö", "http", true, null, Instant.EPOCH, Instant.EPOCH, null);
        assertThat(UsageJournal.decode(UsageJournal.encode(full))).isEqualTo(full);
        assertThat(UsageJournal.decode(UsageJournal.encode(sparse))).isEqualTo(sparse);
    }

    @Test
    void aSubUsersRecordKeepsItsSubUserAndNoKey() {
        UsageRecord r = record(5);
        UUID subUserId = UUID.randomUUID();
        UsageRecord sub = new UsageRecord(r.id(), r.userId(), null, r.nodeId(), null, 10, 20, 1, null, null, "example.com",
                "http", true, null, r.startedAt(), r.endedAt(), 200, 443, subUserId);
        assertThat(UsageJournal.decode(UsageJournal.encode(sub))).isEqualTo(sub);
        // A sub-user without a known port (a refusal before the target was parsed) keeps its sub-user.
        UsageRecord noPort = new UsageRecord(r.id(), r.userId(), null, r.nodeId(), null, 10, 20, 1, null, null,
                "example.com", "http", true, null, r.startedAt(), r.endedAt(), 200, null, subUserId);
        assertThat(UsageJournal.decode(UsageJournal.encode(noPort))).isEqualTo(noPort);
        // The sub-user id is the last 16 bytes, after the 5-byte port field.
        UsageRecord none = new UsageRecord(sub.id(), sub.userId(), null, sub.nodeId(), null, 10, 20, 1, null, null,
                "example.com", "http", true, null, sub.startedAt(), sub.endedAt(), 200, 443, null);
        byte[] portOnly = UsageJournal.encode(none);
        assertThat(UsageJournal.encode(sub).length).isEqualTo(portOnly.length + 16);
        assertThat(UsageJournal.decode(portOnly)).isEqualTo(none);
        assertThat(UsageJournal.decode(portOnly).subUserId()).isNull();
    }

    @Test
    void anUpstreamPoolRecordKeepsItsPoolPortWithAndWithoutSubUser() {
        UsageRecord r = record(6);
        UsageRecord pool = new UsageRecord(r.id(), r.userId(), r.apiKeyId(), null, null, 10, 20, 1, null, null,
                "example.com", "http", true, null, r.startedAt(), r.endedAt(), 200, 443, null, 4017);
        assertThat(UsageJournal.decode(UsageJournal.encode(pool))).isEqualTo(pool);
        UsageRecord poolSub = new UsageRecord(r.id(), r.userId(), null, null, null, 10, 20, 1, null, null,
                "example.com", "http", true, null, r.startedAt(), r.endedAt(), 200, null, UUID.randomUUID(), 4999);
        assertThat(UsageJournal.decode(UsageJournal.encode(poolSub))).isEqualTo(poolSub);
        // Residential records keep their old length: the pool port is written only when set.
        UsageRecord residential = new UsageRecord(r.id(), r.userId(), r.apiKeyId(), null, null, 10, 20, 1, null, null,
                "example.com", "http", true, null, r.startedAt(), r.endedAt(), 200, 443, null);
        assertThat(UsageJournal.encode(pool).length).isEqualTo(UsageJournal.encode(residential).length + 4);
        assertThat(UsageJournal.decode(UsageJournal.encode(residential)).poolPort()).isNull();
    }

    @Test
    void olderLayoutsReadBack() {
        UsageRecord r = record(8);
        UUID subUserId = UUID.randomUUID();
        UsageRecord both = new UsageRecord(r.id(), r.userId(), null, r.nodeId(), r.sessionId(), r.bytesDownloaded(),
                r.bytesUploaded(), r.requestCount(), r.targetCountry(), r.targetCity(), r.targetHost(), r.proxyType(),
                r.success(), r.errorMessage(), r.startedAt(), r.endedAt(), r.httpStatus(), 8080, subUserId);
        byte[] body = UsageJournal.encode(both);
        // Neither port nor sub-user (the layout before both): the body up to the HTTP status.
        byte[] neither = java.util.Arrays.copyOf(body, body.length - 21);
        UsageRecord plain = new UsageRecord(r.id(), r.userId(), null, r.nodeId(), r.sessionId(), r.bytesDownloaded(),
                r.bytesUploaded(), r.requestCount(), r.targetCountry(), r.targetCity(), r.targetHost(), r.proxyType(),
                r.success(), r.errorMessage(), r.startedAt(), r.endedAt(), r.httpStatus(), null, null);
        assertThat(UsageJournal.decode(neither)).isEqualTo(plain);
        // A sub-user id without the port field (a sub-users build from before ports were journaled).
        byte[] subOnly = ByteBuffer.allocate(neither.length + 16).put(neither)
                .putLong(subUserId.getMostSignificantBits()).putLong(subUserId.getLeastSignificantBits()).array();
        UsageRecord subNoPort = new UsageRecord(r.id(), r.userId(), null, r.nodeId(), r.sessionId(), r.bytesDownloaded(),
                r.bytesUploaded(), r.requestCount(), r.targetCountry(), r.targetCity(), r.targetHost(), r.proxyType(),
                r.success(), r.errorMessage(), r.startedAt(), r.endedAt(), r.httpStatus(), null, subUserId);
        assertThat(UsageJournal.decode(subOnly)).isEqualTo(subNoPort);
    }

    @Test
    void theTargetPortRoundTripsAndARecordWrittenBeforePortsReadsWithoutOne() {
        UsageRecord r = record(42);
        UsageRecord withPort = new UsageRecord(r.id(), r.userId(), r.apiKeyId(), r.nodeId(), r.sessionId(),
                r.bytesDownloaded(), r.bytesUploaded(), r.requestCount(), r.targetCountry(), r.targetCity(), r.targetHost(),
                r.proxyType(), r.success(), r.errorMessage(), r.startedAt(), r.endedAt(), r.httpStatus(), 8443, null);
        assertThat(UsageJournal.decode(UsageJournal.encode(withPort))).isEqualTo(withPort);
        // The layout an older gateway wrote: the same body without the 5-byte port tail.
        byte[] body = UsageJournal.encode(withPort);
        byte[] old = java.util.Arrays.copyOf(body, body.length - 5);
        assertThat(UsageJournal.decode(old)).isEqualTo(r);
        assertThat(UsageJournal.decode(old).targetPort()).isNull();
    }

    @Test
    void readsInOrderAndForgetsWhatIsAcknowledged() throws Exception {
        List<UsageRecord> all = records(2500);
        try (UsageJournal j = UsageJournal.open(dir, 1 << 20, 64 * 1024)) {
            assertThat(j.append(all)).isEqualTo(2500);
            List<UsageRecord> read = new ArrayList<>();
            UsageJournal.Batch b;
            while (!(b = j.read(1000)).records().isEmpty()) {
                assertThat(b.records()).hasSizeLessThanOrEqualTo(1000);
                assertThat(b.replayed()).isFalse();
                read.addAll(b.records());
                j.acknowledge(b);
            }
            assertThat(read).isEqualTo(all);
            assertThat(j.pendingRecords()).isZero();
            assertThat(segments()).as("fully read segments are deleted").hasSizeLessThanOrEqualTo(1);
        }
    }

    @Test
    void whatWasNotAcknowledgedIsReplayedAfterARestart() throws Exception {
        List<UsageRecord> all = records(300);
        try (UsageJournal j = UsageJournal.open(dir, 1 << 20, 16 * 1024)) {
            j.append(all.subList(0, 100));
            j.acknowledge(j.read(60)); // stored: 0..59
            j.append(all.subList(100, 300));
            // no close: the process dies here
        }
        try (UsageJournal j = UsageJournal.open(dir, 1 << 20, 16 * 1024)) {
            assertThat(j.pendingRecords()).isEqualTo(240);
            UsageJournal.Batch b = j.read(1000);
            assertThat(b.replayed()).isTrue();
            assertThat(b.records()).isEqualTo(all.subList(60, 300));
        }
    }

    @Test
    void aTornLastRecordDoesNotStopReplay() throws Exception {
        List<UsageRecord> all = records(50);
        UsageJournal j = UsageJournal.open(dir, 1 << 20, 1 << 18);
        j.append(all.subList(0, 20));
        // A crash in the middle of a frame: a whole frame head and half a body, then garbage.
        Path segment = segments().getFirst();
        byte[] body = UsageJournal.encode(all.get(20));
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.allocate(8 + body.length / 2).putInt(body.length).putInt(42).put(body, 0, body.length / 2).flip());
        }
        // (the journal object is abandoned, as a killed process would)
        try (UsageJournal again = UsageJournal.open(dir, 1 << 20, 1 << 18)) {
            assertThat(again.pendingRecords()).isEqualTo(20);
            again.append(all.subList(20, 50)); // a new segment after the torn one
            List<UsageRecord> read = new ArrayList<>();
            UsageJournal.Batch b;
            while (!(b = again.read(7)).records().isEmpty()) {
                read.addAll(b.records());
                again.acknowledge(b);
            }
            assertThat(read).isEqualTo(all);
        }
    }

    @Test
    void aSegmentOfAnotherFormatIsSkippedNotFatal() throws Exception {
        Files.write(dir.resolve("usage-0000000000000001.journal"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        try (UsageJournal j = UsageJournal.open(dir, 1 << 20, 1 << 16)) {
            assertThat(j.pendingRecords()).isZero();
            j.append(records(3));
            assertThat(j.read(10).records()).hasSize(3);
        }
    }

    @Test
    void theBoundIsKeptAndAppendsBeyondItAreRefused() throws Exception {
        long max = 128 * 1024;
        try (UsageJournal j = UsageJournal.open(dir, max, 32 * 1024)) {
            int appended = 0;
            for (int i = 0; i < 100; i++) {
                appended += j.append(records(100));
            }
            assertThat(appended).isLessThan(10_000).isGreaterThan(100);
            assertThat(j.sizeBytes()).isLessThanOrEqualTo(max);
            assertThat(Files.size(segments().getFirst())).isLessThanOrEqualTo(max);
            // Once the sink catches up there is room again.
            UsageJournal.Batch b;
            while (!(b = j.read(1000)).records().isEmpty()) {
                j.acknowledge(b);
            }
            assertThat(j.append(records(100))).isEqualTo(100);
        }
    }

    @Test
    void theBatcherKeepsRecordsOnDiskWhileTheSinkIsDownAndWritesThemOnce() throws Exception {
        RecordingUsageSink sink = new RecordingUsageSink();
        sink.failNext = 4;
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<UsageRecord> all = records(1500);
        List<UsageRecord> seen = new ArrayList<>();
        try (UsageBatcher b = new UsageBatcher(sink, Duration.ofMillis(20), registry, seen::addAll,
                UsageJournal.open(dir, 1 << 20, 1 << 16))) {
            b.start();
            all.forEach(b::add);
            await().atMost(Duration.ofSeconds(10)).until(() -> sink.records.size() == 1500);
            assertThat(b.pendingRecords()).isZero();
        }
        assertThat(sink.records).isEqualTo(all);
        assertThat(seen).isEqualTo(all);
        assertThat(registry.get("iploop.usage.journal.dropped").counter().count()).isZero();
    }

    @Test
    void recordsLeftByAnEarlierProcessAreWrittenAtStartWithoutTouchingTheLimits() throws Exception {
        List<UsageRecord> all = records(40);
        try (UsageJournal j = UsageJournal.open(dir, 1 << 20, 1 << 16)) {
            j.append(all);
        }
        // close() keeps unacknowledged records
        RecordingUsageSink sink = new RecordingUsageSink();
        List<UsageRecord> seen = new ArrayList<>();
        try (UsageBatcher b = new UsageBatcher(sink, Duration.ofMillis(20), new SimpleMeterRegistry(), seen::addAll,
                UsageJournal.open(dir, 1 << 20, 1 << 16))) {
            b.start();
            await().atMost(Duration.ofSeconds(5)).until(() -> sink.records.size() == 40);
        }
        assertThat(sink.records).isEqualTo(all);
        assertThat(seen).as("replayed bytes were never spent in this process").isEmpty();
        Set<UUID> ids = new HashSet<>();
        sink.records.forEach(r -> ids.add(r.id()));
        assertThat(ids).hasSize(40);
    }

    @Test
    void aFullJournalDropsNewRecordsAndCountsThem() throws Exception {
        RecordingUsageSink sink = new RecordingUsageSink();
        sink.failNext = Integer.MAX_VALUE;
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        UsageBatcher b = new UsageBatcher(sink, Duration.ofHours(1), registry, r -> {},
                UsageJournal.open(dir, 128 * 1024, 32 * 1024));
        records(5000).forEach(b::add);
        b.journalOnce();
        double dropped = registry.get("iploop.usage.journal.dropped").counter().count();
        assertThat(dropped).isGreaterThan(0);
        assertThat(b.pendingRecords() + (long) dropped).isEqualTo(5000);
        assertThat(registry.get("iploop.usage.journal.bytes").gauge().value()).isLessThanOrEqualTo(128 * 1024);
    }

    private List<Path> segments() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".journal")).sorted().toList();
        }
    }
}
