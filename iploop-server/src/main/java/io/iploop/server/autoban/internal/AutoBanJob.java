package io.iploop.server.autoban.internal;

import io.iploop.server.autoban.AutoBanService;
import io.iploop.server.jobs.ScheduledJob;
import java.time.Clock;
import java.time.Duration;
import org.springframework.stereotype.Component;

/**
 * {@code auto-ban}, every minute (docs/moderation.md#auto-ban-rules): evaluates the auto-ban rules.
 * Idempotent ({@link AutoBanService#evaluate}). Thread-safe.
 */
@Component
class AutoBanJob implements ScheduledJob {

    private final AutoBanService autoBan;
    private final Clock clock;

    AutoBanJob(AutoBanService autoBan, Clock clock) {
        this.autoBan = autoBan;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "auto-ban";
    }

    @Override
    public String cron() {
        return "30 * * * * *";
    }

    @Override
    public Duration lockAtMostFor() {
        return Duration.ofMinutes(5);
    }

    @Override
    public String run() {
        return autoBan.evaluate(clock.instant()).summary();
    }
}
