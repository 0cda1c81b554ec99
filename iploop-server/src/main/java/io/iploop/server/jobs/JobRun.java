package io.iploop.server.jobs;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of one attempt to run a job.
 *
 * @param executed false when another run held the lock, so nothing ran
 * @param durationMillis wall time of the run, 0 when not executed
 * @param summary the job's summary, or null when not executed
 */
public record JobRun(String name, boolean executed, Instant startedAt, long durationMillis,
        @Nullable String summary) {}
