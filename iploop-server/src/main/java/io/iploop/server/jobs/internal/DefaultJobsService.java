package io.iploop.server.jobs.internal;

import io.iploop.server.jobs.JobInfo;
import io.iploop.server.jobs.JobRun;
import io.iploop.server.jobs.JobsException;
import io.iploop.server.jobs.JobsService;
import io.iploop.server.jobs.ScheduledJob;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.LockingTaskExecutor;
import net.javacrumbs.shedlock.core.LockingTaskExecutor.TaskResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/** Runs jobs under ShedLock; used by the schedule and the admin endpoint alike. Thread-safe. */
@Service
class DefaultJobsService implements JobsService {

    private static final Logger log = LoggerFactory.getLogger(DefaultJobsService.class);

    private final Map<String, ScheduledJob> jobs;
    private final LockingTaskExecutor executor;
    private final Clock clock;
    private final Map<String, JobRun> lastRuns = new ConcurrentHashMap<>();

    DefaultJobsService(List<ScheduledJob> jobs, LockingTaskExecutor executor, Clock clock) {
        this.jobs = jobs.stream().collect(Collectors.toMap(ScheduledJob::name, Function.identity(), (a, b) -> {
            throw new IllegalStateException("two jobs named " + a.name());
        }, java.util.TreeMap::new));
        this.executor = executor;
        this.clock = clock;
    }

    @Override
    public List<JobInfo> jobs() {
        return jobs.values().stream().map(j -> new JobInfo(j.name(), j.cron(), lastRuns.get(j.name()))).toList();
    }

    @Override
    public JobRun runNow(String name) {
        ScheduledJob job = jobs.get(name);
        if (job == null) {
            throw new JobsException(JobsException.Reason.UNKNOWN_JOB, "no job named " + name, "name");
        }
        return run(job);
    }

    /**
     * How long a scheduled run keeps its lock at least (capped at the job's {@code lockAtMostFor}
     * and at half the time between two of its ticks, so no tick of a frequent job is skipped):
     * replicas of the control plane fire the same cron tick a few milliseconds apart, and a run
     * that ended before another replica asked would otherwise run again in the same tick
     * (docs/deploy.md#cluster). Runs asked for on demand hold no such minimum.
     */
    static final Duration SCHEDULED_LOCK_AT_LEAST = Duration.ofSeconds(10);

    /** Runs {@code job} once under its lock, on demand (no minimum lock time). */
    JobRun run(ScheduledJob job) {
        return run(job, Duration.ZERO);
    }

    /** Runs {@code job} for its schedule: the lock is held at least {@link #SCHEDULED_LOCK_AT_LEAST}. */
    JobRun runScheduled(ScheduledJob job) {
        return run(job, scheduledLockAtLeast(job.cron(), job.lockAtMostFor(), clock.instant()));
    }

    /** The minimum lock time of a scheduled run of a job with {@code cron} (Spring's six fields, UTC). */
    static Duration scheduledLockAtLeast(String cron, Duration lockAtMostFor, Instant now) {
        Duration least = lockAtMostFor.compareTo(SCHEDULED_LOCK_AT_LEAST) < 0 ? lockAtMostFor : SCHEDULED_LOCK_AT_LEAST;
        java.time.ZonedDateTime t = now.atZone(java.time.ZoneOffset.UTC);
        org.springframework.scheduling.support.CronExpression expression =
                org.springframework.scheduling.support.CronExpression.parse(cron);
        java.time.ZonedDateTime first = expression.next(t);
        java.time.ZonedDateTime second = first == null ? null : expression.next(first);
        if (second != null) {
            Duration half = Duration.between(first, second).dividedBy(2);
            if (half.compareTo(least) < 0) {
                least = half;
            }
        }
        return least;
    }

    private JobRun run(ScheduledJob job, Duration lockAtLeastFor) {
        Instant started = clock.instant();
        long t0 = System.nanoTime();
        TaskResult<String> result;
        try {
            result = executor.executeWithLock(job::run,
                    new LockConfiguration(started, job.name(), job.lockAtMostFor(), lockAtLeastFor));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("job " + job.name() + " failed", t);
        }
        JobRun run = result.wasExecuted()
                ? new JobRun(job.name(), true, started, (System.nanoTime() - t0) / 1_000_000, result.getResult())
                : new JobRun(job.name(), false, started, 0, null);
        if (run.executed()) {
            lastRuns.put(job.name(), run);
            log.info("job {}: {} ({} ms)", job.name(), run.summary(), run.durationMillis());
        } else {
            log.debug("job {} skipped: locked by another run", job.name());
        }
        return run;
    }

    Iterable<ScheduledJob> registered() {
        return jobs.values();
    }
}
