/**
 * Scheduled jobs (docs/architecture.md#rules): each {@link io.iploop.server.jobs.ScheduledJob} bean
 * runs on its cron
 * schedule under a cluster-wide ShedLock lock, so two instances never run the same job at once, and
 * an admin can run one now through {@link io.iploop.server.jobs.JobsService} with the same lock.
 * Jobs themselves must be idempotent: the lock prevents overlap, not a second run of the same work.
 * It may depend only on {@code platform}: features contribute jobs, jobs know no feature.
 */
@NullMarked
@ApplicationModule(allowedDependencies = {"platform", "platform :: v2"})
package io.iploop.server.jobs;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
