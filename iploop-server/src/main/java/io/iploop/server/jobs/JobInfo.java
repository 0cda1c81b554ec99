package io.iploop.server.jobs;

import org.jspecify.annotations.Nullable;

/**
 * A registered job and what this instance last saw of it.
 *
 * @param lastRun the last run started on this instance since it started, or null
 */
public record JobInfo(String name, String cron, @Nullable JobRun lastRun) {}
