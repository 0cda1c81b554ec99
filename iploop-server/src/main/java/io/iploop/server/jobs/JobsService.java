package io.iploop.server.jobs;

import java.util.List;

/** Runs and lists scheduled jobs. Thread-safe. */
public interface JobsService {

    /** Every registered job, by name. */
    List<JobInfo> jobs();

    /**
     * Runs the job now on the calling thread under its cluster-wide lock, exactly as the schedule
     * would (docs/product/admin.md#earn-and-money-tools). When another instance or thread holds the lock, returns at once with
     * {@link JobRun#executed()} false.
     *
     * @throws JobsException {@code UNKNOWN_JOB}
     * @throws RuntimeException whatever the job throws
     */
    JobRun runNow(String name);
}
