package io.iploop.server.jobs;

import java.time.Duration;

/**
 * A unit of scheduled work, declared as a Spring bean by the feature that owns it. Implementations
 * must be idempotent (running twice does the work once) because an admin may run a job right after
 * the schedule did; the lock only guarantees that runs never overlap across instances.
 */
public interface ScheduledJob {

    /** Stable name, lower kebab case (e.g. {@code earn-credits}); the lock and the admin URL use it. */
    String name();

    /** Spring cron expression with seconds, evaluated in UTC, e.g. {@code 0 *}{@code /5 * * * *}. */
    String cron();

    /**
     * How long a crashed instance may hold the lock before another may run the job; longer than
     * the slowest run. Default 10 minutes.
     */
    default Duration lockAtMostFor() {
        return Duration.ofMinutes(10);
    }

    /**
     * Does the work once.
     *
     * @return a one-line summary for the admin response and the log, e.g. "credited 3 devices"
     */
    String run();
}
