package io.iploop.gateway.metering;

import io.iploop.gateway.spi.UsageRecord;
import io.iploop.gateway.spi.UsageSink;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The process {@link UsageJournalKillIT} kills with SIGKILL: meters records into a
 * {@link UsageBatcher} with a journal, as fast as it can, and prints each metered record's id and
 * time. Its sink stands for a database that stores records (ids appended to a file and forced),
 * fails every third call, and is down for good after 1.5 s.
 *
 * <p>Arguments: journal directory, sink file, flush interval in ms.
 */
public final class JournalKillChild {

    private JournalKillChild() {}

    public static void main(String[] args) throws Exception {
        Path journalDir = Path.of(args[0]);
        Path sinkFile = Path.of(args[1]);
        Duration flush = Duration.ofMillis(Long.parseLong(args[2]));
        FileChannel stored = FileChannel.open(sinkFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        long[] downFrom = {Long.MAX_VALUE};
        UsageSink sink = new UsageSink() {
            int calls;

            @Override
            public void write(List<UsageRecord> batch) throws Exception {
                if (++calls % 3 == 0 || System.nanoTime() > downFrom[0]) {
                    throw new Exception("database down (test)");
                }
                StringBuilder sb = new StringBuilder();
                for (UsageRecord r : batch) {
                    sb.append(r.id()).append('\n');
                }
                stored.write(ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.US_ASCII)));
                stored.force(false);
            }
        };
        UsageBatcher batcher = new UsageBatcher(sink, flush, new SimpleMeterRegistry(), r -> {},
                UsageJournal.open(journalDir, 64L << 20, 1L << 20));
        batcher.start();
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.US_ASCII);
        downFrom[0] = System.nanoTime() + Duration.ofMillis(1500).toNanos();
        out.println("metering started");
        out.flush();
        while (true) {
            UUID id = UUID.randomUUID();
            batcher.add(new UsageRecord(id, UUID.randomUUID(), UUID.randomUUID(), null, null, 1000, 100, 1, null, null,
                    "example.com", "http", true, null, Instant.now(), Instant.now(), null));
            out.println("metered " + id + " " + System.currentTimeMillis());
            out.flush();
            Thread.sleep(1);
        }
    }
}
