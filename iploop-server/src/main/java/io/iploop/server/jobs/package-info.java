/**
 * Scheduled jobs (DESIGN §7): each {@link io.iploop.server.jobs.ScheduledJob} bean runs on its cron
 * schedule under a cluster-wide ShedLock lock, so two instances never run the same job at once, and
 * an admin can run one now through {@link io.iploop.server.jobs.JobsService} with the same lock.
 * Jobs themselves must be idempotent: the lock prevents overlap, not a second run of the same work.
 */
@NullMarked
package io.iploop.server.jobs;

import org.jspecify.annotations.NullMarked;
