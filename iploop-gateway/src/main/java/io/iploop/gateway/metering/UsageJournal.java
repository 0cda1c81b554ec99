package io.iploop.gateway.metering;

import io.iploop.gateway.spi.UsageRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded, append-only journal of usage records on local disk: the queue between metering and
 * the {@link io.iploop.gateway.spi.UsageSink} ({@code docs/operations.md#usage-journal}). Records
 * are appended (and forced to disk) before the sink sees them, read back in order, and forgotten
 * once the sink stored them ({@link #acknowledge}). What was appended but not acknowledged when the
 * process died is read again by the next {@link #open} (replay); the sink's inserts are idempotent
 * on {@link UsageRecord#id()}, so a record is stored exactly once.
 *
 * <p>On disk: a directory of segment files {@code usage-<16-digit seq>.journal}, each an 8-byte
 * header (magic {@code IPLJ}, format version {@value #VERSION} as a 16-bit number, 2 reserved
 * bytes) followed by frames {@code [int length][int CRC-32C of the body][body]} (big-endian), the
 * body being one record in the version-1 layout of {@link #encode}. A frame that is cut short or
 * whose checksum does not match (a crash in the middle of a write) ends its segment: replay
 * continues with the next segment. A new process never appends to an old segment. The read
 * position is kept in {@code checkpoint} (text {@code v1 <seq> <offset>}, replaced atomically, not
 * forced: a lost checkpoint only replays records the sink ignores).
 *
 * <p>Bounded: the segment files together hold at most {@code maxBytes}; an append that does not fit
 * is refused record by record ({@link #append} returns how many fit) and the caller counts the rest
 * as dropped. Segments rotate at {@code segmentBytes} and are deleted once fully acknowledged.
 *
 * <p>Thread-safe: every method is synchronized; one thread appends and one reads and acknowledges.
 */
public final class UsageJournal implements AutoCloseable {

    /** Format version written in every segment header. */
    public static final int VERSION = 1;
    /** Default segment size at which a new segment file is started, in bytes. */
    public static final long DEFAULT_SEGMENT_BYTES = 4L << 20;

    static final int MAGIC = 0x49504C4A; // "IPLJ"
    static final int HEADER_BYTES = 8;
    static final int FRAME_HEADER_BYTES = 8;
    /** A frame body longer than this is not a record (torn or corrupt length). */
    static final int MAX_BODY_BYTES = 1 << 20;
    /** Longest text field kept in the journal, in UTF-8 bytes (the sink bounds them far below). */
    static final int MAX_TEXT_BYTES = 16 * 1024;
    static final String CHECKPOINT = "checkpoint";
    private static final Pattern SEGMENT = Pattern.compile("usage-(\\d{16})\\.journal");
    private static final Logger log = LoggerFactory.getLogger(UsageJournal.class);

    /**
     * Records read by {@link #read}; hand it back to {@link #acknowledge} once they are stored.
     *
     * @param replayed true if the records were written by an earlier process (all of them are)
     */
    public record Batch(List<UsageRecord> records, long segment, long endOffset, boolean replayed) {}

    /** A segment on disk: its valid length (bytes that hold whole, checked frames). */
    private static final class Segment {
        final long seq;
        final Path path;
        long validEnd;

        Segment(long seq, Path path, long validEnd) {
            this.seq = seq;
            this.path = path;
            this.validEnd = validEnd;
        }
    }

    /** One append: where it ended and when, for the age of the oldest record not yet stored. */
    private record Mark(long segment, long endOffset, long nanos) {}

    private final Path dir;
    private final long maxBytes;
    private final long segmentBytes;
    private final TreeMap<Long, Segment> segments = new TreeMap<>();
    private final ArrayDeque<Mark> marks = new ArrayDeque<>();
    /** Segments with a lower sequence were written by an earlier process. */
    private final long firstSeqOfThisRun;
    private @Nullable FileChannel active;
    private @Nullable Segment activeSegment;
    private long nextSeq;
    private long readSeq;
    private long readOffset;
    private @Nullable FileChannel reader;
    private long readerSeq = -1;
    private long pendingRecords;
    private boolean closed;

    private UsageJournal(Path dir, long maxBytes, long segmentBytes, long firstSeqOfThisRun) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.segmentBytes = segmentBytes;
        this.firstSeqOfThisRun = firstSeqOfThisRun;
        this.nextSeq = firstSeqOfThisRun;
    }

    /**
     * Opens (creating it if needed) the journal in {@code dir}, scanning what an earlier process left
     * for replay: segments already acknowledged are deleted, a torn tail is logged and skipped.
     *
     * @param maxBytes bound on the segment files together, in bytes (at least two segments)
     * @param segmentBytes size at which a new segment starts, in bytes
     * @throws IOException if the directory cannot be created or read
     */
    public static UsageJournal open(Path dir, long maxBytes, long segmentBytes) throws IOException {
        if (segmentBytes < HEADER_BYTES + FRAME_HEADER_BYTES || maxBytes < 2 * segmentBytes) {
            throw new IllegalArgumentException("usage journal: maxBytes " + maxBytes + " must be at least twice segmentBytes "
                    + segmentBytes);
        }
        Files.createDirectories(dir);
        TreeMap<Long, Path> found = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "usage-*.journal")) {
            for (Path p : files) {
                Matcher m = SEGMENT.matcher(p.getFileName().toString());
                if (m.matches()) {
                    found.put(Long.parseLong(m.group(1)), p);
                }
            }
        }
        long[] checkpoint = readCheckpoint(dir.resolve(CHECKPOINT));
        // Never reuse a sequence number the checkpoint may name (a reused one would look acknowledged).
        long firstSeq = Math.max(found.isEmpty() ? 0 : found.lastKey(), checkpoint[0]) + 1;
        UsageJournal j = new UsageJournal(dir, maxBytes, segmentBytes, firstSeq);
        j.readSeq = checkpoint[0];
        j.readOffset = checkpoint[1];
        long replay = 0;
        for (var e : found.entrySet()) {
            long seq = e.getKey();
            if (seq < checkpoint[0]) {
                Files.deleteIfExists(e.getValue());
                continue;
            }
            Segment s = new Segment(seq, e.getValue(), HEADER_BYTES);
            long from = seq == checkpoint[0] ? Math.max(HEADER_BYTES, checkpoint[1]) : HEADER_BYTES;
            int records = j.scan(s, from);
            replay += records;
            j.segments.put(seq, s);
        }
        if (j.segments.isEmpty() || j.segments.firstKey() > j.readSeq) {
            j.readSeq = j.segments.isEmpty() ? j.firstSeqOfThisRun : j.segments.firstKey();
            j.readOffset = HEADER_BYTES;
        }
        j.readOffset = Math.max(HEADER_BYTES, j.readOffset);
        j.pendingRecords = replay;
        if (replay > 0) {
            j.marks.add(new Mark(j.segments.lastKey(), j.segments.lastEntry().getValue().validEnd, System.nanoTime()));
            log.info("Usage journal {}: {} records not yet stored are replayed", dir, replay);
        }
        return j;
    }

    /** Checks the frames of {@code s} from {@code from}, setting its valid end; returns the records after {@code from}. */
    private int scan(Segment s, long from) throws IOException {
        try (FileChannel ch = FileChannel.open(s.path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < HEADER_BYTES || !headerValid(ch)) {
                log.warn("Usage journal segment {} has no valid header (format version {} expected); it is skipped", s.path,
                        VERSION);
                s.validEnd = HEADER_BYTES;
                return 0;
            }
            long pos = HEADER_BYTES;
            int records = 0;
            while (true) {
                Frame f = readFrame(ch, pos, size);
                if (f == null) {
                    break;
                }
                if (pos >= from) {
                    records++;
                }
                pos = f.next;
            }
            if (pos < size) {
                log.warn("Usage journal segment {}: {} bytes after offset {} are a torn or corrupt record (a crash while "
                        + "writing); replay goes on with the next segment", s.path, size - pos, pos);
            }
            s.validEnd = pos;
            return records;
        }
    }

    private static boolean headerValid(FileChannel ch) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES);
        readFully(ch, h, 0);
        h.flip();
        return h.remaining() == HEADER_BYTES && h.getInt() == MAGIC && (h.getShort() & 0xFFFF) == VERSION;
    }

    private record Frame(byte[] body, long next) {}

    /** The frame at {@code pos}, or null if none whole and intact starts there. */
    private static @Nullable Frame readFrame(FileChannel ch, long pos, long limit) throws IOException {
        if (limit - pos < FRAME_HEADER_BYTES) {
            return null;
        }
        ByteBuffer head = ByteBuffer.allocate(FRAME_HEADER_BYTES);
        readFully(ch, head, pos);
        head.flip();
        int length = head.getInt();
        int crc = head.getInt();
        if (length <= 0 || length > MAX_BODY_BYTES || limit - pos - FRAME_HEADER_BYTES < length) {
            return null;
        }
        ByteBuffer body = ByteBuffer.allocate(length);
        readFully(ch, body, pos + FRAME_HEADER_BYTES);
        if (body.position() != length) {
            return null;
        }
        CRC32C c = new CRC32C();
        c.update(body.array(), 0, length);
        if ((int) c.getValue() != crc) {
            return null;
        }
        return new Frame(body.array(), pos + FRAME_HEADER_BYTES + length);
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b, pos + b.position());
            if (n < 0) {
                return;
            }
        }
    }

    private static long[] readCheckpoint(Path file) {
        try {
            String[] parts = Files.readString(file, StandardCharsets.US_ASCII).strip().split(" ");
            if (parts.length == 3 && parts[0].equals("v1")) {
                return new long[] {Long.parseLong(parts[1]), Long.parseLong(parts[2])};
            }
            log.warn("Usage journal checkpoint {} is not in format v1; replaying every segment", file);
        } catch (java.nio.file.NoSuchFileException e) {
            // a new journal
        } catch (IOException | NumberFormatException e) {
            log.warn("Usage journal checkpoint {} unreadable ({}); replaying every segment", file, e.toString());
        }
        return new long[] {0, HEADER_BYTES};
    }

    /**
     * Appends {@code records} in order and forces them to disk. Stops at the first record that
     * would take the journal past its bound.
     *
     * @return how many records (a prefix of {@code records}) are now durable
     * @throws IOException if writing or forcing failed; none of {@code records} counts as appended
     *     then, and the next append starts a new segment
     */
    public synchronized int append(List<UsageRecord> records) throws IOException {
        if (closed) {
            throw new IOException("usage journal closed");
        }
        if (records.isEmpty()) {
            return 0;
        }
        long total = sizeBytes();
        ByteBuffer out = ByteBuffer.allocate(Math.min(records.size(), 4096) * 256);
        int fitted = 0;
        for (UsageRecord r : records) {
            byte[] body = encode(r);
            int frame = FRAME_HEADER_BYTES + body.length;
            if (total + frame + (active == null ? HEADER_BYTES : 0) > maxBytes) {
                break;
            }
            if (out.remaining() < frame) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(out.capacity() * 2, out.position() + frame));
                out.flip();
                bigger.put(out);
                out = bigger;
            }
            CRC32C c = new CRC32C();
            c.update(body, 0, body.length);
            out.putInt(body.length).putInt((int) c.getValue()).put(body);
            total += frame;
            fitted++;
        }
        if (fitted == 0) {
            return 0;
        }
        out.flip();
        FileChannel ch = activeChannel();
        Segment s = java.util.Objects.requireNonNull(activeSegment);
        long start = s.validEnd;
        try {
            while (out.hasRemaining()) {
                ch.write(out, start + out.position());
            }
            ch.force(false);
        } catch (IOException e) {
            closeActive(); // a partial frame may be on disk: it is beyond validEnd and never read
            throw e;
        }
        s.validEnd = start + out.limit();
        pendingRecords += fitted;
        marks.add(new Mark(s.seq, s.validEnd, System.nanoTime()));
        if (s.validEnd >= segmentBytes) {
            closeActive();
        }
        return fitted;
    }

    private FileChannel activeChannel() throws IOException {
        FileChannel ch = active;
        if (ch != null) {
            return ch;
        }
        long seq = nextSeq++;
        Path p = dir.resolve(String.format("usage-%016d.journal", seq));
        ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ);
        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).putInt(MAGIC).putShort((short) VERSION).putShort((short) 0).flip();
        while (h.hasRemaining()) {
            ch.write(h, h.position());
        }
        forceDirectory();
        Segment s = new Segment(seq, p, HEADER_BYTES);
        segments.put(seq, s);
        active = ch;
        activeSegment = s;
        return ch;
    }

    /** Makes a new segment's directory entry durable (its records are forced with the file). */
    private void forceDirectory() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            log.debug("forcing the usage journal directory is not supported here: {}", e.toString());
        }
    }

    private void closeActive() {
        FileChannel ch = active;
        active = null;
        activeSegment = null;
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                log.debug("closing a usage journal segment failed", e);
            }
        }
    }

    /**
     * Up to {@code max} records from the read position, in append order; an empty batch when all
     * are read. Reading again without {@link #acknowledge} returns the same records.
     */
    public synchronized Batch read(int max) throws IOException {
        List<UsageRecord> out = new ArrayList<>(Math.min(max, 1024));
        long seq = readSeq;
        long pos = readOffset;
        while (out.size() < max) {
            Segment s = segments.get(seq);
            if (s == null) {
                var next = segments.higherEntry(seq);
                if (next == null) {
                    break;
                }
                seq = next.getKey();
                pos = HEADER_BYTES;
                continue;
            }
            if (pos >= s.validEnd) {
                if (s == activeSegment) {
                    break;
                }
                var next = segments.higherEntry(seq);
                if (next == null) {
                    break; // the next segment is not created yet: stay at this one's end
                }
                if (!out.isEmpty() && seq < firstSeqOfThisRun && next.getKey() >= firstSeqOfThisRun) {
                    break; // a batch is either replayed or this process's, never both
                }
                seq = next.getKey();
                pos = HEADER_BYTES;
                continue;
            }
            FileChannel ch = readerFor(s);
            Frame f = readFrame(ch, pos, s.validEnd);
            if (f == null) {
                throw new IOException("usage journal segment " + s.path + " changed under the reader at offset " + pos);
            }
            out.add(decode(f.body()));
            pos = f.next();
        }
        return new Batch(List.copyOf(out), seq, pos, seq < firstSeqOfThisRun);
    }

    private FileChannel readerFor(Segment s) throws IOException {
        if (reader != null && readerSeq == s.seq) {
            return reader;
        }
        closeReader();
        reader = FileChannel.open(s.path, StandardOpenOption.READ);
        readerSeq = s.seq;
        return reader;
    }

    private void closeReader() {
        FileChannel r = reader;
        reader = null;
        readerSeq = -1;
        if (r != null) {
            try {
                r.close();
            } catch (IOException e) {
                log.debug("closing a usage journal reader failed", e);
            }
        }
    }

    /**
     * The sink stored {@code batch}: moves the read position past it, deletes segments read to
     * their end and saves the checkpoint.
     */
    public synchronized void acknowledge(Batch batch) {
        if (batch.records().isEmpty() && batch.segment() == readSeq && batch.endOffset() == readOffset) {
            return;
        }
        pendingRecords -= batch.records().size();
        readSeq = batch.segment();
        readOffset = batch.endOffset();
        while (!segments.isEmpty() && segments.firstKey() < readSeq) {
            Segment done = segments.pollFirstEntry().getValue();
            deleteSegment(done);
        }
        while (!marks.isEmpty() && (marks.peekFirst().segment() < readSeq
                || (marks.peekFirst().segment() == readSeq && marks.peekFirst().endOffset() <= readOffset))) {
            marks.pollFirst();
        }
        writeCheckpoint();
    }

    private void deleteSegment(Segment s) {
        if (readerSeq == s.seq) {
            closeReader();
        }
        try {
            Files.deleteIfExists(s.path);
        } catch (IOException e) {
            log.warn("Could not delete the stored usage journal segment {}: {}", s.path, e.toString());
        }
    }

    private void writeCheckpoint() {
        Path tmp = dir.resolve(CHECKPOINT + ".tmp");
        try {
            Files.writeString(tmp, "v1 " + readSeq + " " + readOffset + "\n", StandardCharsets.US_ASCII);
            try {
                Files.move(tmp, dir.resolve(CHECKPOINT), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dir.resolve(CHECKPOINT), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            // Only costs a longer (idempotent) replay after a crash.
            log.warn("Could not save the usage journal checkpoint: {}", e.toString());
        }
    }

    /** Bytes of all segment files (the quantity bounded by {@code maxBytes}). */
    public synchronized long sizeBytes() {
        long total = 0;
        for (Segment s : segments.values()) {
            total += s.validEnd;
        }
        return total;
    }

    /** The bound on {@link #sizeBytes()}. */
    public long maxBytes() {
        return maxBytes;
    }

    /** Records appended (or left by an earlier process) and not yet acknowledged. */
    public synchronized long pendingRecords() {
        return pendingRecords;
    }

    /** {@link System#nanoTime()} of the oldest append not yet acknowledged, or {@link Long#MAX_VALUE}. */
    public synchronized long oldestPendingNanos() {
        Mark m = marks.peekFirst();
        return m == null || pendingRecords == 0 ? Long.MAX_VALUE : m.nanos();
    }

    /** The journal's directory. */
    public Path directory() {
        return dir;
    }

    /** Closes the files; what is not acknowledged stays for the next {@link #open}. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeActive();
        closeReader();
        if (pendingRecords == 0) {
            // Everything is stored: leave an empty directory (and a fresh start) behind.
            for (Segment s : segments.values()) {
                deleteSegment(s);
            }
            segments.clear();
            try {
                Files.deleteIfExists(dir.resolve(CHECKPOINT));
            } catch (IOException e) {
                log.debug("could not delete the usage journal checkpoint", e);
            }
        }
    }

    // --- record layout, version 1 -------------------------------------------------------------

    /**
     * The version-1 body of one record: id, user id, API key id (16 bytes each), node id (flag byte,
     * then 16 bytes if set), session id, bytes down, bytes up (8 each), request count (4), target
     * country, target city, target host, proxy type, success (1), error message, started and ended at
 * (epoch second 8 + nano 4 each), HTTP status (flag byte, then 4), then the optional tail: target
     * port (flag byte, then 4), then the sub-user id (16 bytes, only when the record has one:
     * docs/sub-users.md#usage), then the upstream-pool port (4 bytes, only when the record has one:
     * docs/upstream-pool.md#metering). Strings are a 4-byte UTF-8 length ({@code -1} for null) and the
     * bytes. A null API key id (IP-authorised access, or a sub-user's stream) is written as the nil
     * UUID, which no key has. The tail was added after version 1 shipped and is read only when
     * present, so segments written by an older gateway replay unchanged (their records have no port
     * and no sub-user), and the format version stays 1 (docs/operator-transparency.md#destination-ports).
     * Its length tells the shapes apart: 0 (none), 5 (port), 21 (port and sub-user), 9 (port and
     * pool port), 25 (all three), and 16 (a sub-user id without the port field, as a sub-users build
     * from before ports were journaled wrote it).
     */
    static byte[] encode(UsageRecord r) {
        byte[][] texts = {
            utf8(r.sessionId()), utf8(r.targetCountry()), utf8(r.targetCity()), utf8(r.targetHost()), utf8(r.proxyType()),
            utf8(r.errorMessage())
        };
        int size = 16 * 3 + 17 + 8 + 8 + 4 + 1 + 12 + 12 + 5 + 5 + (r.subUserId() == null ? 0 : 16)
                + (r.poolPort() == null ? 0 : 4);
        for (byte[] t : texts) {
            size += 4 + (t == null ? 0 : t.length);
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        uuid(b, r.id());
        uuid(b, r.userId());
        // No key (IP-authorised access, a sub-user): the nil UUID, which no api_keys row has.
        UUID key = r.apiKeyId();
        uuid(b, key == null ? NIL : key);
        b.put((byte) (r.nodeId() == null ? 0 : 1));
        uuid(b, r.nodeId() == null ? new UUID(0, 0) : r.nodeId());
        text(b, texts[0]);
        b.putLong(r.bytesDownloaded()).putLong(r.bytesUploaded()).putInt(r.requestCount());
        text(b, texts[1]);
        text(b, texts[2]);
        text(b, texts[3]);
        text(b, texts[4]);
        b.put((byte) (r.success() ? 1 : 0));
        text(b, texts[5]);
        b.putLong(r.startedAt().getEpochSecond()).putInt(r.startedAt().getNano());
        b.putLong(r.endedAt().getEpochSecond()).putInt(r.endedAt().getNano());
        b.put((byte) (r.httpStatus() == null ? 0 : 1)).putInt(r.httpStatus() == null ? 0 : r.httpStatus());
        b.put((byte) (r.targetPort() == null ? 0 : 1)).putInt(r.targetPort() == null ? 0 : r.targetPort());
        UUID subUser = r.subUserId();
        if (subUser != null) {
            uuid(b, subUser);
        }
        Integer poolPort = r.poolPort();
        if (poolPort != null) {
            b.putInt(poolPort);
        }
        return b.array();
    }

    static UsageRecord decode(byte[] body) {
        ByteBuffer b = ByteBuffer.wrap(body);
        UUID id = uuid(b);
        UUID user = uuid(b);
        UUID key = nullIfNil(uuid(b));
        boolean hasNode = b.get() != 0;
        UUID node = uuid(b);
        String session = text(b);
        long down = b.getLong();
        long up = b.getLong();
        int requests = b.getInt();
        String country = text(b);
        String city = text(b);
        String host = text(b);
        String type = text(b);
        boolean success = b.get() != 0;
        String error = text(b);
        Instant started = Instant.ofEpochSecond(b.getLong(), b.getInt());
        Instant ended = Instant.ofEpochSecond(b.getLong(), b.getInt());
        boolean hasStatus = b.get() != 0;
        int status = b.getInt();
        // The optional tail (see encode): absent in records written before ports were journaled,
        // the sub-user id only when the record has one.
        Integer port = null;
        UUID subUser = null;
        Integer poolPort = null;
        if (b.remaining() == 16) {
            subUser = uuid(b); // a sub-user id without the port field
        } else if (b.remaining() >= 5) {
            boolean hasPort = b.get() != 0;
            int p = b.getInt();
            port = hasPort ? p : null;
            if (b.remaining() >= 16) {
                subUser = uuid(b);
            }
            if (b.remaining() >= 4) {
                poolPort = b.getInt();
            }
        }
        return new UsageRecord(id, user, key, hasNode ? node : null, session, down, up, requests, country, city,
                host == null ? "" : host, type == null ? "" : type, success, error, started, ended, hasStatus ? status : null,
                port, subUser, poolPort);
    }

    private static byte @Nullable [] utf8(@Nullable String s) {
        if (s == null) {
            return null;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return b.length <= MAX_TEXT_BYTES ? b : java.util.Arrays.copyOf(b, MAX_TEXT_BYTES);
    }

    private static final UUID NIL = new UUID(0, 0);

    private static @Nullable UUID nullIfNil(UUID u) {
        return NIL.equals(u) ? null : u;
    }

    private static void uuid(ByteBuffer b, UUID u) {
        b.putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
    }

    private static UUID uuid(ByteBuffer b) {
        return new UUID(b.getLong(), b.getLong());
    }

    private static void text(ByteBuffer b, byte @Nullable [] t) {
        if (t == null) {
            b.putInt(-1);
        } else {
            b.putInt(t.length).put(t);
        }
    }

    private static @Nullable String text(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0) {
            return null;
        }
        byte[] t = new byte[n];
        b.get(t);
        return new String(t, StandardCharsets.UTF_8);
    }

}
