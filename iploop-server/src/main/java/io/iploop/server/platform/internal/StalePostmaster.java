package io.iploop.server.platform.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recovers the embedded PostgreSQL's data directory after a crash of the server (SIGKILL, power
 * loss) before it is started again: a postmaster of the previous run that still owns the directory
 * is stopped, and a {@code postmaster.pid} no running postmaster holds is removed. Without this the
 * next start fails with PostgreSQL's "lock file already exists".
 *
 * <p>Nothing is touched while another live IPLoop process uses the directory: that process holds
 * the embedded database's lock file ({@value #LOCK_FILE}), and a postmaster is only stopped when
 * both its pid file and its command line name this very directory. Not thread-safe: called once
 * per start, before the database is started.
 */
final class StalePostmaster {

    /** The lock file zonky's {@code EmbeddedPostgres} holds in the data directory while it runs. */
    static final String LOCK_FILE = "epg-lock";
    static final String PID_FILE = "postmaster.pid";

    /** How long a smart shutdown (SIGTERM) of the orphan may take before it is killed, in ms. */
    private static final long STOP_WAIT_MILLIS = 30_000;

    private static final Logger log = LoggerFactory.getLogger(StalePostmaster.class);

    /** What {@link #recover} found and did. */
    enum Outcome {
        /** No pid file: nothing to do. */
        CLEAN,
        /** Another live process holds the lock file: left alone; the caller refuses to start, saying so. */
        IN_USE,
        /** A postmaster of a previous run owned the directory and was stopped. */
        STOPPED_ORPHAN,
        /** The pid file named no running postmaster of this directory and was removed. */
        REMOVED_STALE_PID_FILE
    }

    private StalePostmaster() {
    }

    /**
     * @param pgDir the PostgreSQL data directory ({@code DATA_DIR/postgres})
     * @throws IOException when the orphan cannot be stopped or the pid file cannot be removed; the
     *     message says which process and file
     */
    static Outcome recover(Path pgDir) throws IOException {
        Path pidFile = pgDir.resolve(PID_FILE);
        if (!Files.exists(pidFile)) {
            return Outcome.CLEAN;
        }
        try (FileChannel lockChannel = FileChannel.open(pgDir.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            FileLock lock;
            try {
                lock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                log.warn("{} exists and another IPLoop process holds {}: the embedded PostgreSQL is in use, left alone",
                        pidFile, pgDir.resolve(LOCK_FILE));
                return Outcome.IN_USE;
            }
            try {
                return recoverLocked(pgDir, pidFile);
            } finally {
                // Released before the database takes the lock itself (same JVM: it would overlap).
                lock.release();
            }
        }
    }

    private static Outcome recoverLocked(Path pgDir, Path pidFile) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(pidFile);
        } catch (NoSuchFileException gone) {
            return Outcome.CLEAN;
        }
        long pid = lines.isEmpty() ? -1 : parsePid(lines.getFirst().strip());
        Path owner = lines.size() > 1 ? Path.of(lines.get(1).strip()) : null;
        Optional<ProcessHandle> process = pid > 0 ? ProcessHandle.of(pid).filter(ProcessHandle::isAlive) : Optional.empty();
        if (process.isPresent() && owner != null && sameDir(owner, pgDir) && isPostmasterOf(process.get(), pgDir)) {
            log.warn("The embedded PostgreSQL of a previous run (pid {}) still owns {} (the server did not shut down "
                    + "cleanly): stopping it", pid, pgDir);
            stop(process.get(), pgDir);
            if (Files.deleteIfExists(pidFile)) {
                log.warn("Removed {} left by the stopped PostgreSQL (pid {})", pidFile, pid);
            }
            log.warn("Stopped the orphaned embedded PostgreSQL (pid {}); starting it again on {}", pid, pgDir);
            return Outcome.STOPPED_ORPHAN;
        }
        // No process with that pid, or one that is not a postmaster of this directory (the pid was
        // reused): PostgreSQL itself would refuse to start on it.
        Files.deleteIfExists(pidFile);
        log.warn("Removed a stale {} (pid {} {}): the server did not shut down cleanly last time", pidFile,
                pid > 0 ? pid : "unreadable", process.isPresent() ? "is another program now" : "no longer runs");
        return Outcome.REMOVED_STALE_PID_FILE;
    }

    private static long parsePid(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** True if {@code p} is a {@code postgres} process started with {@code -D pgDir}. */
    static boolean isPostmasterOf(ProcessHandle p, Path pgDir) {
        Optional<String> command = p.info().command();
        Optional<String[]> args = p.info().arguments();
        if (command.isEmpty() || args.isEmpty() || !Path.of(command.get()).getFileName().toString().equals("postgres")) {
            return false;
        }
        String[] a = args.get();
        for (int i = 0; i + 1 < a.length; i++) {
            if (a[i].equals("-D") && sameDir(Path.of(a[i + 1]), pgDir)) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameDir(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        }
    }

    /** Smart shutdown (SIGTERM: its clients died with the old server), then SIGKILL if it hangs. */
    private static void stop(ProcessHandle p, Path pgDir) throws IOException {
        CompletableFuture<ProcessHandle> exited = p.onExit();
        p.destroy();
        try {
            exited.get(STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            return;
        } catch (TimeoutException e) {
            log.warn("The orphaned PostgreSQL (pid {}) did not stop within {} ms: killing it", p.pid(), STOP_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping the orphaned PostgreSQL (pid " + p.pid() + ") on " + pgDir, e);
        } catch (ExecutionException e) {
            return;
        }
        p.destroyForcibly();
        try {
            exited.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw new IOException("cannot stop the orphaned PostgreSQL (pid " + p.pid() + ") that owns " + pgDir
                    + ": stop it by hand (kill " + p.pid() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping the orphaned PostgreSQL (pid " + p.pid() + ") on " + pgDir, e);
        }
    }
}
