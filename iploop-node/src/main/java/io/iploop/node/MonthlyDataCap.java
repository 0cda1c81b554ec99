package io.iploop.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.YearMonth;
import org.jspecify.annotations.Nullable;

/**
 * The {@code monthly-data-cap-gb} setting (docs/node-agent.md#active-hours-and-monthly-data-cap):
 * counts the bytes the agent's exit streams carry, both directions, per calendar month of the
 * device's local time, and says when the month's cap is reached. The count is kept in a small file
 * ({@code <month> <bytes>}) so a restart keeps it; a new month starts from zero. Thread-safe.
 */
public final class MonthlyDataCap {

    /** 1 GB as the setting counts it: 10^9 bytes (as providers bill). */
    public static final long BYTES_PER_GB = 1_000_000_000L;

    private final long limitBytes;
    private final @Nullable Path file;
    private YearMonth month;
    private long used;
    private long savedUsed = -1;

    /**
     * @param limitGb the cap, 1-1 000 000 GB
     * @param file where the count persists (created on {@link #save()}); null keeps it in memory
     * @param now the current month in local time
     * @throws IllegalArgumentException for a cap outside 1-1 000 000
     * @throws UncheckedIOException when an existing file cannot be read
     */
    public MonthlyDataCap(int limitGb, @Nullable Path file, YearMonth now) {
        if (limitGb < 1 || limitGb > 1_000_000) {
            throw new IllegalArgumentException("monthly data cap: " + limitGb + " GB (expected: 1-1000000)");
        }
        this.limitBytes = limitGb * BYTES_PER_GB;
        this.file = file;
        this.month = now;
        if (file != null && Files.exists(file)) {
            try {
                String[] parts = Files.readString(file, StandardCharsets.UTF_8).strip().split("\\s+");
                if (parts.length == 2 && YearMonth.parse(parts[0]).equals(now)) {
                    used = Math.max(0, Long.parseLong(parts[1]));
                    savedUsed = used;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                // A damaged file: start the month from zero rather than refuse to run.
                used = 0;
            }
        }
    }

    /** Adds {@code bytes} carried in {@code now}'s month; a new month first resets the count. */
    public synchronized void add(long bytes, YearMonth now) {
        rollover(now);
        used += Math.max(0, bytes);
    }

    /** Bytes counted in {@code now}'s month. */
    public synchronized long used(YearMonth now) {
        rollover(now);
        return used;
    }

    /** Whether the month's count has reached the cap. */
    public synchronized boolean exceeded(YearMonth now) {
        rollover(now);
        return used >= limitBytes;
    }

    /** The cap in bytes. */
    public long limitBytes() {
        return limitBytes;
    }

    /**
     * Writes the count if it changed (write to a temporary file, then rename).
     *
     * @throws UncheckedIOException when the file cannot be written
     */
    public synchronized void save() {
        if (file == null || used == savedUsed) {
            return;
        }
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, month + " " + used + "\n", StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            savedUsed = used;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private void rollover(YearMonth now) {
        if (!now.equals(month)) {
            month = now;
            used = 0;
            savedUsed = -1;
        }
    }
}
